/*
 * parse_check.c - the text parser's answers checked against their bytes.
 *
 * An oracle written from spec/protocol.md and spec/parser.md, not from
 * src/proto/text_parse.c: tokens are found byte by byte as [frame.tokens]
 * words them, numbers are read with libc's strtoll/strtoull under the rules of
 * [num.parse] and [num.range] (src/common/decimal.c is what it checks), token
 * counts come from each command's syntax in the spec, and the expected error
 * of a storage, delete, incr/decr or touch line is derived here whole and
 * compared with the parser's. Nothing here is shared with the parser.
 */
#include "parse_check.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../src/common/check.h"
#include "../src/common/limits.h"
#include "meta_check.h"

/* [frame.tokens], [frame.nul]: every token of a line's content, uncapped. */
enum { MAX_SEEN = 64 }; /* tokens remembered; later ones are only counted */
struct words {
    struct slice w[MAX_SEEN];
    uint32_t count;  /* all tokens of the content */
    uint32_t content; /* bytes before the line's first NUL */
};

static void
find_words(const uint8_t *data, uint32_t line_len, struct words *ws)
{
    ws->content = line_len;
    for (uint32_t i = 0; i < line_len; i++) {
        if (data[i] == '\0') {
            ws->content = i;
            break;
        }
    }
    ws->count = 0;
    for (uint32_t i = 0; i < ws->content; i++) {
        bool starts = data[i] != ' ' && (i == 0 || data[i - 1] == ' ');
        if (!starts) {
            continue;
        }
        if (ws->count < MAX_SEEN) {
            uint32_t n = 0;
            while (i + n < ws->content && data[i + n] != ' ') {
                n++;
            }
            ws->w[ws->count] = (struct slice){i, n};
        }
        ws->count++;
    }
}

static bool
word_is(const uint8_t *data, const struct words *ws, uint32_t i,
        const char *text)
{
    return i < ws->count && i < MAX_SEEN && ws->w[i].len == strlen(text) &&
           memcmp(data + ws->w[i].off, text, ws->w[i].len) == 0;
}

static bool
same_slice(struct slice a, struct slice b)
{
    return a.off == b.off && a.len == b.len;
}

static bool
inside(struct slice s, uint64_t limit)
{
    return (uint64_t)s.off + s.len <= limit;
}

/* ---- numbers: [num.parse], [num.range], [num.truncate32] ------------------ */

/* Reads word i with libc. False when it is malformed. */
static bool
read_number(const uint8_t *data, const struct words *ws, uint32_t i,
            bool is_signed, uint64_t *out)
{
    CHECK(i < ws->count && i < MAX_SEEN);
    struct slice s = ws->w[i];
    char *text = malloc((size_t)s.len + 1);
    CHECK(text != NULL);
    memcpy(text, data + s.off, s.len);
    text[s.len] = '\0';
    /* strtoll skips every isspace() byte; a token holds no space or \n, so
     * that is exactly TAB, VT, FF and CR as [num.parse] allows. */
    const char *p = text;
    while (isspace((unsigned char)*p)) {
        p++;
    }
    bool minus = *p == '-';
    bool sign = *p == '+' || *p == '-';
    bool digit = isdigit((unsigned char)p[sign ? 1 : 0]) != 0;
    char *end;
    errno = 0;
    uint64_t v = is_signed ? (uint64_t)strtoll(text, &end, 10)
                           : (uint64_t)strtoull(text, &end, 10);
    bool ok = digit && errno == 0 &&
              (*end == '\0' || isspace((unsigned char)*end));
    if (ok && !is_signed && minus && (int64_t)v < 0) {
        ok = false; /* [num.range]: -1 is not an unsigned number */
    }
    free(text);
    *out = v;
    return ok;
}

static int32_t
truncate32(uint64_t v)
{
    return (int32_t)(uint32_t)v;
}

/* ---- commands: names and token counts from the spec ----------------------- */

struct shape {
    const char *name;
    enum request_cmd cmd;
    uint32_t min, max; /* tokens, the name included; 0 = any */
    bool noreply;      /* [cmd.noreply] applies */
};

static const struct shape shapes[] = {
    {"get", REQ_GET, 2, 0, false},      /* [get.no-key] */
    {"bget", REQ_GET, 2, 0, false},
    {"gets", REQ_GETS, 2, 0, false},
    {"gat", REQ_GAT, 2, 0, false},
    {"gats", REQ_GATS, 2, 0, false},
    {"set", REQ_SET, 5, 6, true},       /* §7 syntax */
    {"add", REQ_ADD, 5, 6, true},
    {"replace", REQ_REPLACE, 5, 6, true},
    {"append", REQ_APPEND, 5, 6, true},
    {"prepend", REQ_PREPEND, 5, 6, true},
    {"cas", REQ_CAS, 6, 7, true},
    {"delete", REQ_DELETE, 2, 4, true}, /* [delete.reply] */
    {"incr", REQ_INCR, 3, 4, true},     /* [incr.reply] */
    {"decr", REQ_DECR, 3, 4, true},
    {"touch", REQ_TOUCH, 3, 4, true},   /* [touch.reply] */
    {"flush_all", REQ_FLUSH_ALL, 1, 3, true}, /* [flush.reply] */
    {"verbosity", REQ_VERBOSITY, 2, 3, true}, /* [misc.verbosity] */
    {"version", REQ_VERSION, 0, 0, false},
    {"quit", REQ_QUIT, 0, 0, false},
    {"shutdown", REQ_SHUTDOWN, 0, 0, false},
    {"stats", REQ_STATS, 0, 0, false},
    {"debugtime", REQ_DEBUGTIME, 0, 0, false},
    {"lru_crawler", REQ_LRU_CRAWLER, 2, 3, false},     /* [admin.lru-crawler] */
    {"cache_memlimit", REQ_CACHE_MEMLIMIT, 2, 3, true}, /* [admin.cache-memlimit] */
};

static const struct shape *
shape_of(const uint8_t *data, const struct words *ws)
{
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        if (word_is(data, ws, 0, shapes[i].name)) {
            return &shapes[i];
        }
    }
    return NULL;
}

static bool
count_fits(const struct shape *s, uint32_t count)
{
    return (s->min == 0 || count >= s->min) && (s->max == 0 || count <= s->max);
}

static bool
is_storage(enum request_cmd cmd)
{
    return cmd == REQ_SET || cmd == REQ_ADD || cmd == REQ_REPLACE ||
           cmd == REQ_APPEND || cmd == REQ_PREPEND || cmd == REQ_CAS;
}

/* ---- framing: [frame.line], [frame.line-limit], [frame.get-line-limit] ----- */

/* The limit for a line starting data[0..len): a get/gets whose first token
 * and the space after it lie within the line's first 2049 bytes may be long. */
static size_t
limit_for(const uint8_t *data, size_t len)
{
    size_t window = len;
    if (window > LIMIT_LINE_LEN + 1) {
        window = LIMIT_LINE_LEN + 1;
    }
    size_t start = 0;
    while (start < window && data[start] == ' ') {
        start++;
    }
    size_t end = start;
    while (end < window && data[end] != ' ') {
        end++;
    }
    bool spaced = end < window; /* the space after the token is in view */
    size_t n = end - start;
    bool get = spaced && ((n == 3 && memcmp(data + start, "get", 3) == 0) ||
                          (n == 4 && memcmp(data + start, "gets", 4) == 0));
    return get ? LIMIT_GET_LINE_LEN : LIMIT_LINE_LEN;
}

/* [frame.line]: the line's content length when its '\n' is at nl_at. */
static uint32_t
content_length(const uint8_t *data, size_t nl_at)
{
    bool cr = nl_at >= 1 && data[nl_at - 1] == '\r';
    return (uint32_t)(cr ? nl_at - 1 : nl_at);
}

/* Bytes of an unterminated line known to be content: all but a last '\r',
 * which may yet turn out to be the terminator's. */
static size_t
known_content(const uint8_t *data, size_t len)
{
    return len >= 1 && data[len - 1] == '\r' ? len - 1 : len;
}

/* ---- the expected error of a line, derived whole ---------------------------- */

/* [store.bad-line], [key.length], [num.*]: what a storage line must give;
 * the value length is left in *value_len (when readable). */
static enum request_error
storage_error(const uint8_t *data, const struct words *ws,
              enum request_cmd cmd, uint32_t value_len_max,
              uint32_t *flags, int32_t *exptime, uint32_t *value_len,
              uint64_t *cas)
{
    uint64_t f = 0, e = 0, n = 0, c = 0;
    bool ok = ws->w[1].len <= LIMIT_KEY_LEN;
    ok = read_number(data, ws, 2, false, &f) && ok;
    ok = read_number(data, ws, 3, true, &e) && ok;
    ok = read_number(data, ws, 4, true, &n) && ok;
    if (cmd == REQ_CAS) {
        ok = read_number(data, ws, 5, false, &c) && ok;
    }
    *flags = (uint32_t)f;
    *exptime = truncate32(e);
    int32_t len32 = truncate32(n);
    *value_len = (uint32_t)len32;
    *cas = c;
    if (!ok || len32 < 0 || (uint32_t)len32 > LIMIT_DATA_LEN_FIELD) {
        return REQERR_FORMAT;
    }
    return (uint32_t)len32 > value_len_max ? REQERR_TOO_LARGE : REQERR_NONE;
}

/* A line with a key and one number: the key's error, the number's, both, or
 * none. The spec does not order them, so either is right when both fail. */
static void
check_key_and_number(const struct request *req, bool key_bad, bool num_bad,
                     enum request_error num_error)
{
    if (!key_bad && !num_bad) {
        CHECK(req->error == REQERR_NONE);
    } else if (key_bad && !num_bad) {
        CHECK(req->error == REQERR_FORMAT);
    } else if (!key_bad) {
        CHECK(req->error == num_error);
    } else {
        CHECK(req->error == REQERR_FORMAT || req->error == num_error);
    }
}

/* [get.reply], [get.long-key], [get.gat-exptime]. */
static void
check_retrieval(const uint8_t *data, const struct words *ws,
                const struct request *req)
{
    uint32_t first_key = 1;
    if (req->cmd == REQ_GAT || req->cmd == REQ_GATS) {
        uint64_t e;
        bool ok = read_number(data, ws, 1, true, &e);
        CHECK(ok == (req->error != REQERR_EXPTIME));
        if (!ok) {
            return;
        }
        CHECK(req->exptime == truncate32(e));
        first_key = 2;
    }
    CHECK(req->error == REQERR_NONE);
    /* The keys: every token from first_key to the content's end. */
    uint32_t from = ws->content;
    if (first_key < ws->count) {
        CHECK(first_key < MAX_SEEN);
        from = ws->w[first_key].off;
    }
    CHECK(req->keys.off == from && req->keys.len == ws->content - from);
    CHECK(req->key_count == ws->count - first_key);
    /* The first key over the limit, by a walk of its own over the bytes. */
    uint32_t index = 0, run = 0, bad = UINT32_MAX;
    for (uint32_t i = from; i <= ws->content; i++) {
        if (i < ws->content && data[i] != ' ') {
            run++;
            continue;
        }
        if (run > 0) {
            if (run > LIMIT_KEY_LEN && bad == UINT32_MAX) {
                bad = index;
            }
            index++;
        }
        run = 0;
    }
    CHECK(index == req->key_count);
    CHECK(req->bad_key_index == (bad == UINT32_MAX ? index : bad));
}

/* [store.*]: the whole answer to a storage line. */
static void
check_storage(const uint8_t *data, size_t nl_at, uint32_t value_len_max,
              const struct words *ws, const struct request *req,
              size_t consumed, const struct proto_text_parser *after)
{
    size_t line_end = nl_at + 1;
    uint32_t flags, value_len;
    int32_t exptime;
    uint64_t cas;
    enum request_error want = storage_error(
        data, ws, req->cmd, value_len_max, &flags, &exptime, &value_len, &cas);
    switch (want) {
    case REQERR_NONE: {
        CHECK(req->error == REQERR_NONE || req->error == REQERR_BAD_CHUNK);
        CHECK(same_slice(req->key, ws->w[1]));
        CHECK(req->flags == flags && req->exptime == exptime);
        CHECK(req->value_len == value_len);
        CHECK(req->cmd != REQ_CAS || req->cas_unique == cas);
        CHECK(req->value.off == line_end && req->value.len == value_len);
        CHECK(consumed == line_end + value_len + 2);
        const uint8_t *tail = data + line_end + value_len;
        bool crlf = tail[0] == '\r' && tail[1] == '\n';
        CHECK(crlf == (req->error == REQERR_NONE)); /* [store.bad-chunk] */
        CHECK(proto_text_idle(after));
        break;
    }
    case REQERR_TOO_LARGE: /* [store.too-large]: the block is swallowed */
        CHECK(req->error == REQERR_TOO_LARGE);
        CHECK(req->value_len == value_len);
        CHECK(consumed == line_end && req->value.len == 0);
        CHECK(after->swallow_left == (uint64_t)value_len + 2);
        break;
    default: /* [store.bad-line]: the data block is the next line */
        CHECK(req->error == REQERR_FORMAT);
        CHECK(consumed == line_end && req->value.len == 0);
        CHECK(proto_text_idle(after));
        break;
    }
}

/* §9-§11 and §13: single-key commands and flush_all. */
static void
check_other(const uint8_t *data, const struct words *ws,
            const struct request *req)
{
    uint64_t v;
    bool key_bad = ws->count >= 2 && ws->w[1].len > LIMIT_KEY_LEN;
    switch (req->cmd) {
    case REQ_DELETE: {
        /* [delete.hold]: "delete k 0", "delete k noreply", "delete k 0
         * noreply"; anything else in those places is a usage error. */
        bool usage_ok = ws->count == 2 ||
                        (ws->count == 3 && (word_is(data, ws, 2, "0") ||
                                            word_is(data, ws, 2, "noreply"))) ||
                        (ws->count == 4 && word_is(data, ws, 2, "0") &&
                         word_is(data, ws, 3, "noreply"));
        check_key_and_number(req, key_bad, !usage_ok, REQERR_DELETE_USAGE);
        break;
    }
    case REQ_INCR:
    case REQ_DECR: {
        bool ok = read_number(data, ws, 2, false, &v); /* [incr.delta] */
        check_key_and_number(req, key_bad, !ok, REQERR_DELTA);
        CHECK(req->error != REQERR_NONE || req->delta == v);
        break;
    }
    case REQ_TOUCH: {
        bool ok = read_number(data, ws, 2, true, &v); /* [touch.exptime] */
        check_key_and_number(req, key_bad, !ok, REQERR_EXPTIME);
        CHECK(req->error != REQERR_NONE || req->exptime == truncate32(v));
        break;
    }
    case REQ_FLUSH_ALL: {
        /* [flush.reply]: a lone "noreply" is not a delay. */
        bool has_delay = ws->count == 3 ||
                         (ws->count == 2 && !word_is(data, ws, 1, "noreply"));
        bool ok = !has_delay || read_number(data, ws, 1, true, &v);
        CHECK(ok == (req->error == REQERR_NONE));
        CHECK(ok || req->error == REQERR_EXPTIME);
        break;
    }
    case REQ_VERBOSITY:
        /* [misc.verbosity]: a malformed level is a format error. */
        CHECK(req->error == REQERR_NONE || req->error == REQERR_FORMAT);
        CHECK(req->error == REQERR_NONE ||
              (!word_is(data, ws, 1, "noreply") &&
               !read_number(data, ws, 1, false, &v)));
        break;
    default:
        return;
    }
    if (req->error == REQERR_NONE && req->cmd != REQ_FLUSH_ALL &&
        req->cmd != REQ_VERBOSITY) {
        CHECK(same_slice(req->key, ws->w[1]));
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
    CHECK(content_len <= limit_for(data, content_len));
    struct words ws;
    find_words(data, content_len, &ws);
    CHECK(inside(req->key, ws.content));
    CHECK(inside(req->keys, ws.content));
    CHECK(inside(req->arg, ws.content));
    CHECK(inside(req->value, consumed));
    const struct shape *shape = shape_of(data, &ws);
    bool last_noreply = ws.count >= 2 && ws.count <= MAX_SEEN &&
                        word_is(data, &ws, ws.count - 1, "noreply");
    /* The meta checker sees the tokens as the parser's window does. */
    struct meta_check_line ml = {
        data, ws.w, ws.count < LIMIT_TOKENS ? ws.count : LIMIT_TOKENS,
        nl_at + 1};
    if (req->cmd == REQ_INVALID) {
        /* [frame.empty], [frame.short-command], [frame.unknown],
         * [cmd.token-count]: unknown, or known with a wrong count. */
        CHECK(req->error == REQERR_UNKNOWN);
        CHECK(!meta_check_is_meta_line(&ml)); /* [meta.*] */
        CHECK(shape == NULL || !count_fits(shape, ws.count));
        CHECK(consumed == nl_at + 1);
        CHECK(proto_text_idle(after));
        return;
    }
    /* A meta line is checked against the meta clauses (meta_check.c). */
    if (req->cmd >= REQ_META_GET) {
        meta_check_request(&ml, value_len_max, req, consumed, after);
        return;
    }
    CHECK(shape != NULL && shape->cmd == req->cmd);
    CHECK(count_fits(shape, ws.count));
    /* [cmd.noreply]: the last token, spelled exactly, where it applies;
     * on delete only after the key ("delete noreply" names the key). */
    bool after_key = req->cmd != REQ_DELETE || ws.count >= 3;
    CHECK(req->noreply == (shape->noreply && last_noreply && after_key));
    if (is_storage(req->cmd)) {
        check_storage(data, nl_at, value_len_max, &ws, req, consumed, after);
        return;
    }
    CHECK(consumed == nl_at + 1);
    CHECK(proto_text_idle(after));
    CHECK(req->value.len == 0);
    if (req->cmd == REQ_GET || req->cmd == REQ_GETS || req->cmd == REQ_GAT ||
        req->cmd == REQ_GATS) {
        check_retrieval(data, &ws, req);
    } else {
        check_other(data, &ws, req);
    }
    if (req->cmd == REQ_STATS && ws.count >= 2) {
        CHECK(same_slice(req->arg, ws.w[1]));
    }
}

void
parse_check_incomplete(const uint8_t *data, size_t len, size_t needed)
{
    const uint8_t *nl = memchr(data, '\n', len);
    if (needed == 0) {
        /* [frame.line]: waiting for the end of a line that may still fit. */
        CHECK(nl == NULL);
        CHECK(known_content(data, len) <= limit_for(data, len));
        return;
    }
    /* [store.wait-data]: a complete, well-formed storage line whose block
     * (value_len + 2 bytes) has not all arrived; needed is the total. */
    CHECK(nl != NULL);
    size_t nl_at = (size_t)(nl - data);
    uint32_t content_len = content_length(data, nl_at);
    struct words ws;
    find_words(data, content_len, &ws);
    if (word_is(data, &ws, 0, "ms")) {
        /* [meta.ms-datalen]: `ms <key> <datalen> ...` waits for its block
         * (datalen + 2 bytes) once the datalen is a number. */
        uint64_t number;
        CHECK(ws.count >= 3 && read_number(data, &ws, 2, true, &number));
        int32_t datalen = (int32_t)truncate32(number); /* as [num.truncate32] */
        CHECK(datalen >= 0 && (uint32_t)datalen <= LIMIT_DATA_LEN_FIELD);
        CHECK(needed == nl_at + 1 + (size_t)datalen + 2);
        CHECK(needed > len);
        return;
    }
    const struct shape *shape = shape_of(data, &ws);
    CHECK(shape != NULL && is_storage(shape->cmd) &&
          count_fits(shape, ws.count));
    uint32_t flags, value_len;
    int32_t exptime;
    uint64_t cas;
    CHECK(storage_error(data, &ws, shape->cmd, UINT32_MAX, &flags, &exptime,
                        &value_len, &cas) == REQERR_NONE);
    CHECK(needed == nl_at + 1 + (size_t)value_len + 2);
    CHECK(needed > len);
}

void
parse_check_close(const uint8_t *data, size_t len)
{
    const uint8_t *nl = memchr(data, '\n', len);
    if (nl == NULL) {
        /* [frame.line-limit]: more content than the line may hold. */
        CHECK(known_content(data, len) > limit_for(data, len));
        return;
    }
    uint32_t content_len = content_length(data, (size_t)(nl - data));
    if (content_len > limit_for(data, content_len)) {
        return;
    }
    /* [frame.http]: otherwise only an HTTP request line closes: an unknown
     * name outside memcached's letter branches, its last examined token
     * (the 23rd when there are more) starting "HTTP/". */
    struct words ws;
    find_words(data, content_len, &ws);
    CHECK(ws.count >= 1 && ws.w[0].len >= 2 && shape_of(data, &ws) == NULL);
    static const char *const others[] = {"lru", "lru_crawler", "watch",
                                         "extstore", "refresh_certs"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        CHECK(!word_is(data, &ws, 0, others[i]));
    }
    uint8_t first = data[ws.w[0].off];
    CHECK(memchr("gsacidt", first, 7) == NULL);
    CHECK(!(first == 'm' && ws.w[0].len == 2));
    uint32_t last = ws.count < LIMIT_TOKENS ? ws.count - 1 : LIMIT_TOKENS - 1;
    CHECK(ws.w[last].len >= 5 && memcmp(data + ws.w[last].off, "HTTP/", 5) == 0);
}
