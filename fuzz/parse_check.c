/* parse_check.c - the text parser's answers checked against their bytes. */
#include "parse_check.h"

#include <string.h>

#include "../src/common/check.h"
#include "../src/common/limits.h"

/* The tokens of a line, found here independently of the parser. */
struct line_tokens {
    struct slice tok[LIMIT_TOKENS];
    uint32_t count;
    uint32_t content_len; /* up to the terminator or the first NUL */
};

static void
split_tokens(const uint8_t *data, uint32_t content_len, struct line_tokens *t)
{
    const uint8_t *nul = memchr(data, '\0', content_len);
    uint32_t end = nul != NULL ? (uint32_t)(nul - data) : content_len;
    t->content_len = end;
    t->count = 0;
    uint32_t i = 0;
    while (t->count < LIMIT_TOKENS) {
        while (i < end && data[i] == ' ') {
            i++;
        }
        if (i == end) {
            break;
        }
        uint32_t start = i;
        while (i < end && data[i] != ' ') {
            i++;
        }
        t->tok[t->count].off = start;
        t->tok[t->count].len = i - start;
        t->count++;
    }
}

static bool
token_is(const uint8_t *data, struct slice s, const char *word)
{
    size_t n = strlen(word);
    return s.len == n && memcmp(data + s.off, word, n) == 0;
}

static bool
same_slice(struct slice a, struct slice b)
{
    return a.off == b.off && a.len == b.len;
}

/* Whether s lies inside [0, limit). */
static bool
inside(struct slice s, uint64_t limit)
{
    return (uint64_t)s.off + s.len <= limit;
}

/* The names a command may have been written as. */
static bool
name_matches(const uint8_t *data, struct slice name, enum request_cmd cmd)
{
    switch (cmd) {
    case REQ_GET:
        return token_is(data, name, "get") || token_is(data, name, "bget");
    case REQ_GETS: return token_is(data, name, "gets");
    case REQ_GAT: return token_is(data, name, "gat");
    case REQ_GATS: return token_is(data, name, "gats");
    case REQ_SET: return token_is(data, name, "set");
    case REQ_ADD: return token_is(data, name, "add");
    case REQ_REPLACE: return token_is(data, name, "replace");
    case REQ_APPEND: return token_is(data, name, "append");
    case REQ_PREPEND: return token_is(data, name, "prepend");
    case REQ_CAS: return token_is(data, name, "cas");
    case REQ_DELETE: return token_is(data, name, "delete");
    case REQ_INCR: return token_is(data, name, "incr");
    case REQ_DECR: return token_is(data, name, "decr");
    case REQ_TOUCH: return token_is(data, name, "touch");
    case REQ_FLUSH_ALL: return token_is(data, name, "flush_all");
    case REQ_VERSION: return token_is(data, name, "version");
    case REQ_VERBOSITY: return token_is(data, name, "verbosity");
    case REQ_QUIT: return token_is(data, name, "quit");
    case REQ_SHUTDOWN: return token_is(data, name, "shutdown");
    case REQ_STATS: return token_is(data, name, "stats");
    case REQ_DEBUGTIME: return token_is(data, name, "debugtime");
    case REQ_META_GET: return token_is(data, name, "mg");
    case REQ_META_SET: return token_is(data, name, "ms");
    case REQ_META_DELETE: return token_is(data, name, "md");
    case REQ_META_ARITH: return token_is(data, name, "ma");
    case REQ_META_NOOP: return token_is(data, name, "mn");
    case REQ_META_DEBUG: return token_is(data, name, "me");
    case REQ_INVALID: return false;
    }
    return false;
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

/* [frame.get-line-limit], written from the clause again on purpose: the
 * oracle must not take the parser's own rule on trust. */
static bool
starts_as_get(const uint8_t *data, size_t len)
{
    size_t i = 0;
    while (i < len && data[i] == ' ') {
        i++;
    }
    return (len - i >= 4 && memcmp(data + i, "get ", 4) == 0) ||
           (len - i >= 5 && memcmp(data + i, "gets ", 5) == 0);
}

/* [frame.line]: the content length of a line whose '\n' is at nl_at. */
static uint32_t
content_length(const uint8_t *data, size_t nl_at)
{
    return (uint32_t)(nl_at > 0 && data[nl_at - 1] == '\r' ? nl_at - 1
                                                           : nl_at);
}

/* [get.reply], [get.long-key]: the keys slice and its counts. */
static void
check_retrieval(const uint8_t *data, const struct line_tokens *t,
                const struct request *req)
{
    CHECK(inside(req->keys, t->content_len));
    CHECK(req->keys.off + req->keys.len == t->content_len);
    uint32_t first_key = req->cmd == REQ_GAT || req->cmd == REQ_GATS ? 2 : 1;
    CHECK(first_key >= t->count || req->keys.off == t->tok[first_key].off);
    uint32_t count = 0;
    uint32_t bad = UINT32_MAX;
    uint32_t i = req->keys.off;
    uint32_t end = req->keys.off + req->keys.len;
    while (i < end) {
        if (data[i] == ' ') {
            i++;
            continue;
        }
        uint32_t start = i;
        while (i < end && data[i] != ' ') {
            i++;
        }
        if (i - start > LIMIT_KEY_LEN && bad == UINT32_MAX) {
            bad = count;
        }
        count++;
    }
    CHECK(req->key_count == count);
    CHECK(req->bad_key_index == (bad == UINT32_MAX ? count : bad));
    CHECK(req->cmd == REQ_GAT || req->cmd == REQ_GATS || count >= 1);
}

/* [store.*]: how many bytes a storage request used, and its value slice. */
static void
check_storage(const uint8_t *data, size_t nl_at, uint32_t value_len_max,
              const struct line_tokens *t, const struct request *req,
              size_t consumed, const struct proto_text_parser *after)
{
    size_t line_end = nl_at + 1;
    switch (req->error) {
    case REQERR_NONE:
    case REQERR_BAD_CHUNK: {
        CHECK(req->value_len <= value_len_max);
        CHECK(req->value.off == line_end && req->value.len == req->value_len);
        CHECK(consumed == line_end + req->value_len + 2);
        const uint8_t *tail = data + line_end + req->value_len;
        bool crlf = tail[0] == '\r' && tail[1] == '\n';
        CHECK(crlf == (req->error == REQERR_NONE)); /* [store.bad-chunk] */
        CHECK(same_slice(req->key, t->tok[1]));
        CHECK(req->key.len >= 1 && req->key.len <= LIMIT_KEY_LEN);
        CHECK(proto_text_idle(after));
        break;
    }
    case REQERR_TOO_LARGE: /* [store.too-large]: the block is swallowed */
        CHECK(req->value_len > value_len_max);
        CHECK(req->value_len <= LIMIT_DATA_LEN_FIELD);
        CHECK(consumed == line_end && req->value.len == 0);
        CHECK(after->swallow_left == (uint64_t)req->value_len + 2);
        break;
    default: /* [store.bad-line]: the data block is the next line */
        CHECK(req->error == REQERR_FORMAT);
        CHECK(consumed == line_end && req->value.len == 0);
        CHECK(proto_text_idle(after));
        break;
    }
}

void
parse_check_request(const uint8_t *data, size_t len, uint32_t value_len_max,
                    const struct request *req, size_t consumed,
                    const struct proto_text_parser *after)
{
    CHECK(consumed >= 1 && consumed <= len);
    const uint8_t *nl = memchr(data, '\n', consumed);
    CHECK(nl != NULL);
    size_t nl_at = (size_t)(nl - data);
    uint32_t content_len = content_length(data, nl_at);
    /* [frame.line], [frame.line-limit], [frame.get-line-limit] */
    CHECK(req->line.off == 0 && req->line.len == content_len);
    CHECK(content_len <= LIMIT_LINE_LEN ||
          (starts_as_get(data, content_len) &&
           content_len <= LIMIT_GET_LINE_LEN));
    struct line_tokens t;
    split_tokens(data, content_len, &t);
    CHECK(inside(req->key, t.content_len));
    CHECK(inside(req->keys, t.content_len));
    CHECK(inside(req->arg, t.content_len));
    CHECK(inside(req->value, consumed));
    /* [cmd.noreply]: only ever the last token examined. */
    CHECK(!req->noreply ||
          (t.count >= 2 && token_is(data, t.tok[t.count - 1], "noreply")));
    if (req->cmd == REQ_INVALID) {
        CHECK(req->error == REQERR_UNKNOWN);
        CHECK(consumed == nl_at + 1);
        CHECK(proto_text_idle(after));
        return;
    }
    CHECK(t.count >= 1 && name_matches(data, t.tok[0], req->cmd));
    if (is_storage(req->cmd)) {
        check_storage(data, nl_at, value_len_max, &t, req, consumed, after);
        return;
    }
    CHECK(consumed == nl_at + 1);
    CHECK(proto_text_idle(after));
    CHECK(req->value.len == 0);
    if (is_retrieval(req->cmd) && req->error == REQERR_NONE) {
        check_retrieval(data, &t, req);
    }
    if ((req->cmd == REQ_DELETE || req->cmd == REQ_INCR ||
         req->cmd == REQ_DECR || req->cmd == REQ_TOUCH) &&
        req->error == REQERR_NONE) {
        CHECK(same_slice(req->key, t.tok[1]));
        CHECK(req->key.len >= 1 && req->key.len <= LIMIT_KEY_LEN);
    }
    if (req->cmd == REQ_STATS && t.count >= 2) {
        CHECK(same_slice(req->arg, t.tok[1]));
    }
}

void
parse_check_incomplete(const uint8_t *data, size_t len, size_t needed)
{
    const uint8_t *nl = memchr(data, '\n', len);
    if (needed == 0) {
        /* [frame.line]: waiting for the end of a line that fits. */
        CHECK(nl == NULL);
        CHECK(len <= (size_t)LIMIT_GET_LINE_LEN + 1);
        return;
    }
    /* [store.wait-data]: a complete storage line, its block still short. */
    CHECK(nl != NULL);
    CHECK(needed > len);
    CHECK(needed <= (size_t)(nl - data) + 1 + LIMIT_DATA_LEN_FIELD + 2);
}

void
parse_check_close(const uint8_t *data, size_t len)
{
    const uint8_t *nl = memchr(data, '\n', len);
    if (nl == NULL) {
        /* [frame.line-limit]: more than a line's worth without '\n'. */
        CHECK(len > LIMIT_LINE_LEN);
        return;
    }
    uint32_t content_len = content_length(data, (size_t)(nl - data));
    if (content_len > LIMIT_LINE_LEN) {
        return;
    }
    /* [frame.http]: otherwise only an HTTP request line closes. */
    struct line_tokens t;
    split_tokens(data, content_len, &t);
    CHECK(t.count >= 1);
    struct slice last = t.tok[t.count - 1];
    CHECK(last.len >= 5 && memcmp(data + last.off, "HTTP/", 5) == 0);
}
