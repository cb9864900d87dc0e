/* client_lint.c - the wire-level rules of spec §21 over one parsed line. */
#include "client_lint.h"

#include <string.h>

#include "../common/check.h"
#include "../common/decimal.h"
#include "../common/limits.h"
#include "text.h"

/* The leading words a rule looks at by position: command, key, flags,
 * exptime. Keys of retrievals are walked separately, without a bound. */
enum { LEAD_WORDS = 4 };

struct lead {
    struct slice w[LEAD_WORDS];
    unsigned n;
    struct slice rest; /* the line after the words taken */
};

static void
take_lead(const uint8_t *base, struct slice line, unsigned want,
          struct lead *out)
{
    CHECK(want <= LEAD_WORDS);
    out->n = 0;
    out->rest = line;
    while (out->n < want &&
           proto_text_next_key(base, &out->rest, &out->w[out->n])) {
        out->n++;
    }
}

static bool
word_is(const uint8_t *base, struct slice t, const char *word)
{
    size_t n = strlen(word);
    return t.len == n && memcmp(base + t.off, word, n) == 0;
}

static uint32_t
check_key(const uint8_t *base, struct slice key)
{
    uint32_t rules = 0;
    if (key.len > LIMIT_KEY_LEN) {
        rules |= 1u << CLIENT_KEY_LENGTH;
    }
    for (uint32_t i = 0; i < key.len; i++) {
        uint8_t b = base[key.off + i];
        if (b <= ' ' || b == 0x7f) {
            rules |= 1u << CLIENT_KEY_BYTES;
            break;
        }
    }
    return rules;
}

static bool
all_digits(const uint8_t *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return len > 0;
}

static uint32_t
check_flags(const uint8_t *base, struct slice t)
{
    uint64_t v;
    if (!all_digits(base + t.off, t.len) ||
        !decimal_parse_u64(base + t.off, t.len, &v) || v > UINT32_MAX) {
        return 1u << CLIENT_FLAGS_RANGE;
    }
    return 0;
}

static uint32_t
check_exptime(const uint8_t *base, struct slice t)
{
    const uint8_t *s = base + t.off;
    bool neg = t.len > 0 && s[0] == '-';
    int64_t v;
    if (!all_digits(s + neg, t.len - neg) ||
        !decimal_parse_i64(s, t.len, &v)) {
        return 1u << CLIENT_EXPTIME_RANGE;
    }
    if (v < (int64_t)INT32_MIN || v > (int64_t)INT32_MAX ||
        (v > LIMIT_RELATIVE_EXPTIME &&
         v < (int64_t)LIMIT_ABSOLUTE_EXPTIME_MIN)) {
        return 1u << CLIENT_EXPTIME_RANGE;
    }
    return 0;
}

static bool
is_storage(enum request_cmd cmd)
{
    return cmd == REQ_SET || cmd == REQ_ADD || cmd == REQ_REPLACE ||
           cmd == REQ_APPEND || cmd == REQ_PREPEND || cmd == REQ_CAS;
}

static bool
is_retrieval(enum request_cmd cmd)
{
    return cmd == REQ_GET || cmd == REQ_GETS || cmd == REQ_GAT ||
           cmd == REQ_GATS;
}

/* Every key of a retrieval, once; [client.noreply]: a trailing "noreply"
 * is a key there, not an option. */
static uint32_t
check_retrieval(const uint8_t *base, const struct request *req)
{
    bool gat = req->cmd == REQ_GAT || req->cmd == REQ_GATS;
    struct lead lead;
    take_lead(base, req->line, gat ? 2 : 1, &lead);
    uint32_t rules = 0;
    if (gat && lead.n == 2) {
        rules |= check_exptime(base, lead.w[1]);
    }
    struct slice key = {0, 0};
    bool any = false;
    struct slice rest = lead.rest;
    while (proto_text_next_key(base, &rest, &key)) {
        rules |= check_key(base, key);
        any = true;
    }
    if (any && word_is(base, key, "noreply")) {
        rules |= 1u << CLIENT_NOREPLY;
    }
    return rules;
}

/* Keys, flags and exptime by position, for the other commands. */
static uint32_t
check_arguments(const uint8_t *base, const struct request *req)
{
    enum request_cmd cmd = req->cmd;
    if (is_retrieval(cmd)) {
        return check_retrieval(base, req);
    }
    struct lead lead;
    take_lead(base, req->line, LEAD_WORDS, &lead);
    uint32_t rules = 0;
    bool has_key = is_storage(cmd) || cmd == REQ_TOUCH ||
                   cmd == REQ_DELETE || cmd == REQ_INCR || cmd == REQ_DECR ||
                   (cmd >= REQ_META_GET && cmd <= REQ_META_DEBUG &&
                    cmd != REQ_META_NOOP &&
                    (req->meta.seen & META_BIT('b')) == 0);
    if (has_key && lead.n > 1) {
        rules |= check_key(base, lead.w[1]);
    }
    if (is_storage(cmd)) {
        if (lead.n > 2) {
            rules |= check_flags(base, lead.w[2]);
        }
        if (lead.n > 3) {
            rules |= check_exptime(base, lead.w[3]);
        }
    } else if (cmd == REQ_TOUCH && lead.n > 2) {
        rules |= check_exptime(base, lead.w[2]);
    }
    if (cmd == REQ_VERSION || cmd == REQ_QUIT || cmd == REQ_STATS ||
        cmd == REQ_META_NOOP) {
        /* [client.noreply]: these take no noreply; the last word. */
        struct slice rest = req->line;
        struct slice word = {0, 0};
        unsigned words = 0;
        while (proto_text_next_key(base, &rest, &word)) {
            words++;
        }
        if (words > 1 && word_is(base, word, "noreply")) {
            rules |= 1u << CLIENT_NOREPLY;
        }
    }
    return rules;
}

uint32_t
proto_client_lint(const uint8_t *base, size_t consumed,
                  const struct request *req, uint32_t value_len_max)
{
    CHECK(base != NULL);
    CHECK(req != NULL);
    uint32_t rules = 0;
    /* [client.line-end]: the line's terminator is at line.off + line.len. */
    size_t end = (size_t)req->line.off + req->line.len;
    if (end < consumed && base[end] == '\n') {
        rules |= 1u << CLIENT_LINE_END;
    }
    switch (req->error) {
    case REQERR_UNKNOWN:
        rules |= 1u << CLIENT_UNKNOWN_COMMAND;
        break;
    case REQERR_BAD_CHUNK:
        rules |= 1u << CLIENT_DATA_LENGTH;
        break;
    case REQERR_TOO_LARGE:
        rules |= 1u << CLIENT_VALUE_SIZE;
        break;
    case REQERR_META:
        if (req->meta.error == META_ERR_INVALID_FLAG ||
            req->meta.error == META_ERR_DUPLICATE_FLAG ||
            req->meta.error == META_ERR_INVALID_OR_DUP ||
            req->meta.error == META_ERR_BAD_TOKEN ||
            req->meta.error == META_ERR_TOO_MANY_FLAGS ||
            req->meta.error == META_ERR_TOO_MANY_FLAGS_MG) {
            rules |= 1u << CLIENT_META_FLAGS;
        }
        break;
    default:
        break;
    }
    /* [client.unknown-command]: a command mcref does not carry out, even
     * one memcached knows ([misc.unsupported]). */
    if (req->cmd == REQ_INVALID && req->error != REQERR_UNKNOWN) {
        struct lead lead;
        take_lead(base, req->line, 1, &lead);
        if (lead.n > 0 && !proto_text_command_known(base, lead.w[0])) {
            rules |= 1u << CLIENT_UNKNOWN_COMMAND;
        }
    }
    if (is_storage(req->cmd) && req->value_len > value_len_max) {
        rules |= 1u << CLIENT_VALUE_SIZE;
    }
    if (req->cmd != REQ_INVALID) {
        rules |= check_arguments(base, req);
    }
    return rules;
}
