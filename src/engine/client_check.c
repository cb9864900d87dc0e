/* client_check.c - the client-side rules of spec §21 over one parsed request. */
#include "client_check.h"

#include <stdio.h>
#include <string.h>

#include "../common/check.h"

/* [client.exptime-range]: relative times end at 30 days; an absolute time
 * before 2000-01-01 is a relative time the client meant, sent too large. */
enum {
    RELATIVE_MAX_S = 60 * 60 * 24 * 30,
    ABSOLUTE_MIN_S = 946684800,
    KEY_MAX = 250,
    TOKENS_MAX = 24,
};

static const char *const clauses[CLIENT_RULE_COUNT] = {
#define CLIENT_RULE_ID(name, id) [CLIENT_##name] = id,
    CLIENT_RULES(CLIENT_RULE_ID)
#undef CLIENT_RULE_ID
};

const char *
client_rule_clause(enum client_rule rule)
{
    CHECK((unsigned)rule < CLIENT_RULE_COUNT);
    return clauses[rule];
}

void
client_check_init(struct client_check *c, bool reject)
{
    memset(c, 0, sizeof *c);
    c->reject = reject;
}

struct tokens {
    struct slice t[TOKENS_MAX];
    unsigned n; /* may stop at TOKENS_MAX */
};

/* Splits the line on spaces, as the text protocol does ([frame.tokens]). */
static void
tokenize(const uint8_t *base, struct slice line, struct tokens *out)
{
    out->n = 0;
    uint32_t i = line.off;
    uint32_t end = line.off + line.len;
    while (i < end && out->n < TOKENS_MAX) {
        while (i < end && base[i] == ' ') {
            i++;
        }
        if (i == end) {
            break;
        }
        uint32_t start = i;
        while (i < end && base[i] != ' ') {
            i++;
        }
        out->t[out->n++] = (struct slice){start, i - start};
    }
}

static bool
token_is(const uint8_t *base, struct slice t, const char *word)
{
    size_t n = strlen(word);
    return t.len == n && memcmp(base + t.off, word, n) == 0;
}

/* A decimal of at most 20 digits, with an optional '-' when `sign`. */
static bool
decimal(const uint8_t *base, struct slice t, bool sign, bool *neg,
        uint64_t *value)
{
    uint32_t i = 0;
    *neg = false;
    *value = 0;
    if (sign && t.len > 0 && base[t.off] == '-') {
        *neg = true;
        i = 1;
    }
    if (i == t.len || t.len - i > 20) {
        return false;
    }
    for (; i < t.len; i++) {
        uint8_t b = base[t.off + i];
        if (b < '0' || b > '9') {
            return false;
        }
        uint64_t next = *value * 10 + (uint64_t)(b - '0');
        if (next / 10 != *value) {
            return false; /* overflow */
        }
        *value = next;
    }
    return true;
}

static uint32_t
check_key(const uint8_t *base, struct slice key)
{
    uint32_t rules = 0;
    if (key.len > KEY_MAX) {
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

static uint32_t
check_flags(const uint8_t *base, struct slice t)
{
    bool neg;
    uint64_t v;
    if (!decimal(base, t, false, &neg, &v) || v > UINT32_MAX) {
        return 1u << CLIENT_FLAGS_RANGE;
    }
    return 0;
}

static uint32_t
check_exptime(const uint8_t *base, struct slice t)
{
    bool neg;
    uint64_t v;
    if (!decimal(base, t, true, &neg, &v)) {
        return 1u << CLIENT_EXPTIME_RANGE;
    }
    if (neg) {
        return v > (uint64_t)INT32_MAX + 1 ? 1u << CLIENT_EXPTIME_RANGE : 0;
    }
    if (v > INT32_MAX || (v > RELATIVE_MAX_S && v < ABSOLUTE_MIN_S)) {
        return 1u << CLIENT_EXPTIME_RANGE;
    }
    return 0;
}

/* The text and meta commands a client may send ([client.unknown-command]). */
static bool
known_command(const uint8_t *base, struct slice t)
{
    static const char *const words[] = {
        "get",     "gets",      "gat",     "gats",      "set",   "add",
        "replace", "append",    "prepend", "cas",       "delete", "incr",
        "decr",    "touch",     "flush_all", "version", "verbosity", "quit",
        "shutdown", "stats",    "mg",      "ms",        "md",    "ma",
        "mn",      "me",        "debugtime"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (token_is(base, t, words[i])) {
            return true;
        }
    }
    return false;
}

static bool
is_storage(enum request_cmd cmd)
{
    return cmd == REQ_SET || cmd == REQ_ADD || cmd == REQ_REPLACE ||
           cmd == REQ_APPEND || cmd == REQ_PREPEND || cmd == REQ_CAS;
}

/* Keys, flags and exptime by position, for the commands that have them. */
static uint32_t
check_arguments(const uint8_t *base, const struct request *req,
                const struct tokens *tk)
{
    uint32_t rules = 0;
    enum request_cmd cmd = req->cmd;
    unsigned first_key = 1;
    unsigned last_key = 1; /* inclusive */
    if (cmd == REQ_GET || cmd == REQ_GETS) {
        last_key = tk->n - 1;
    } else if (cmd == REQ_GAT || cmd == REQ_GATS) {
        first_key = 2;
        last_key = tk->n - 1;
        if (tk->n > 1) {
            rules |= check_exptime(base, tk->t[1]);
        }
    } else if (cmd >= REQ_META_GET && cmd <= REQ_META_DEBUG) {
        if (cmd == REQ_META_NOOP ||
            (req->meta.seen & META_BIT('b')) != 0) {
            last_key = 0; /* no key, or a base64 one */
        }
    } else if (is_storage(cmd)) {
        if (tk->n > 2) {
            rules |= check_flags(base, tk->t[2]);
        }
        if (tk->n > 3) {
            rules |= check_exptime(base, tk->t[3]);
        }
    } else if (cmd == REQ_TOUCH) {
        if (tk->n > 2) {
            rules |= check_exptime(base, tk->t[2]);
        }
    } else if (cmd != REQ_DELETE && cmd != REQ_INCR && cmd != REQ_DECR) {
        last_key = 0;
    }
    for (unsigned i = first_key; i <= last_key && i < tk->n; i++) {
        rules |= check_key(base, tk->t[i]);
    }
    /* [client.noreply]: a retrieval's "noreply" is a key, not an option. */
    if ((cmd == REQ_GET || cmd == REQ_GETS || cmd == REQ_GAT ||
         cmd == REQ_GATS) &&
        tk->n > first_key && token_is(base, tk->t[tk->n - 1], "noreply")) {
        rules |= 1u << CLIENT_NOREPLY;
    }
    if ((cmd == REQ_VERSION || cmd == REQ_QUIT || cmd == REQ_STATS ||
         cmd == REQ_META_NOOP) &&
        tk->n > 1 && token_is(base, tk->t[tk->n - 1], "noreply")) {
        rules |= 1u << CLIENT_NOREPLY;
    }
    return rules;
}

uint32_t
client_check_request(const uint8_t *base, size_t consumed,
                     const struct request *req, uint32_t value_len_max)
{
    CHECK(base != NULL);
    CHECK(req != NULL);
    uint32_t rules = 0;
    struct tokens tk;
    tokenize(base, req->line, &tk);
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
    if (tk.n > 0 && !known_command(base, tk.t[0])) {
        rules |= 1u << CLIENT_UNKNOWN_COMMAND;
    }
    if (is_storage(req->cmd) && req->value_len > value_len_max) {
        rules |= 1u << CLIENT_VALUE_SIZE;
    }
    if (req->cmd != REQ_INVALID) {
        rules |= check_arguments(base, req, &tk);
    }
    return rules;
}

void
client_check_escape(char *out, size_t out_len, const uint8_t *bytes,
                    size_t len)
{
    CHECK(out_len >= 8);
    size_t n = 0;
    size_t room = out_len - 4; /* "..." and the NUL */
    for (size_t i = 0; i < len; i++) {
        char piece[8];
        uint8_t b = bytes[i];
        size_t k;
        if (b == '\r') {
            k = (size_t)snprintf(piece, sizeof piece, "\\r");
        } else if (b == '\n') {
            k = (size_t)snprintf(piece, sizeof piece, "\\n");
        } else if (b == '\\' || b == '"') {
            k = (size_t)snprintf(piece, sizeof piece, "\\%c", b);
        } else if (b < 0x20 || b >= 0x7f) {
            k = (size_t)snprintf(piece, sizeof piece, "\\u%04x", b);
        } else {
            piece[0] = (char)b;
            k = 1;
        }
        if (n + k > room) {
            memcpy(out + n, "...", 3);
            n += 3;
            break;
        }
        memcpy(out + n, piece, k);
        n += k;
    }
    out[n] = '\0';
}

void
client_check_record(struct client_check *c, uint32_t rules, uint64_t conn,
                    uint64_t request, const uint8_t *bytes, size_t len)
{
    CHECK(c != NULL);
    for (unsigned r = 0; r < CLIENT_RULE_COUNT; r++) {
        if ((rules & (1u << r)) == 0) {
            continue;
        }
        c->counts[r]++;
        c->total++;
        if (c->sink != NULL) {
            struct client_finding f = {.rule = (enum client_rule)r,
                                       .conn = conn,
                                       .request = request};
            client_check_escape(f.excerpt, sizeof f.excerpt, bytes, len);
            c->sink(c->sink_ctx, &f);
        }
    }
}
