/*
 * text_parse.c - memcached's text protocol, bytes to requests.
 *
 * Dispatch, token counts and number rules follow memcached 1.6.18 (spec
 * clauses cited inline). Pure: reads only data[0..len), allocates nothing.
 */
#include "text.h"

#include <stddef.h>
#include <string.h>

#include "../common/check.h"
#include "../common/decimal.h"
#include "../common/limits.h"
#include "meta.h"

/* proto_text_parse clears every field before `meta`. */
_Static_assert(offsetof(struct request, meta) + sizeof(struct meta_request) ==
                   sizeof(struct request),
               "meta is the last field of struct request");

/* The tokens of one command line: up to LIMIT_TOKENS of them, as memcached's
 * tokenizer keeps ([cmd.token-count]); `count` never exceeds that. */
struct tokens {
    struct slice tok[LIMIT_TOKENS];
    uint32_t count;
};

void
proto_text_init(struct proto_text_parser *p, uint32_t value_len_max)
{
    CHECK(p != NULL);
    p->value_len_max = value_len_max;
    p->swallow_left = 0;
    p->scanned = 0;
}

bool
proto_text_idle(const struct proto_text_parser *p)
{
    return p->swallow_left == 0 && p->scanned == 0;
}

/* ---- tokens ------------------------------------------------------------ */

static void
tokenize(const uint8_t *data, struct slice content, struct tokens *t)
{
    t->count = 0;
    uint32_t i = content.off;
    uint32_t end = content.off + content.len;
    while (t->count < LIMIT_TOKENS) {
        while (i < end && data[i] == ' ') {
            i++;
        }
        if (i == end) {
            break;
        }
        uint32_t start = i;
        const uint8_t *space = memchr(data + i, ' ', end - i);
        i = space != NULL ? (uint32_t)(space - data) : end;
        t->tok[t->count].off = start;
        t->tok[t->count].len = i - start;
        t->count++;
    }
}

bool
proto_text_next_key(const uint8_t *base, struct slice *rest, struct slice *key)
{
    uint32_t i = rest->off;
    uint32_t end = rest->off + rest->len;
    while (i < end && base[i] == ' ') {
        i++;
    }
    if (i == end) {
        rest->off = end;
        rest->len = 0;
        return false;
    }
    uint32_t start = i;
    const uint8_t *space = memchr(base + i, ' ', end - i);
    i = space != NULL ? (uint32_t)(space - base) : end;
    key->off = start;
    key->len = i - start;
    rest->off = i;
    rest->len = end - i;
    return true;
}

bool
request_next_key(const uint8_t *base, struct slice *rest, struct slice *key)
{
    return proto_text_next_key(base, rest, key);
}

static bool
tok_equals(const uint8_t *data, struct slice t, const char *word, size_t n)
{
    return t.len == n && memcmp(data + t.off, word, n) == 0;
}

/* A token compared with a string literal (its length known at compile time). */
#define tok_is(data, t, word) tok_equals((data), (t), (word), sizeof(word) - 1)

static bool
tok_starts(const uint8_t *data, struct slice t, const char *prefix, size_t n)
{
    return t.len >= n && memcmp(data + t.off, prefix, n) == 0;
}

/* [num.parse], [num.range]: memcached's safe_strtoul/strtoull. */
static bool
tok_u64(const uint8_t *data, struct slice t, uint64_t *out)
{
    return decimal_parse_u64(data + t.off, t.len, out);
}

/* [num.parse], [num.range]: memcached's safe_strtol/strtoll. */
static bool
tok_i64(const uint8_t *data, struct slice t, int64_t *out)
{
    return decimal_parse_i64(data + t.off, t.len, out);
}

/* [num.truncate32]: 64-bit results cut to 32 bits as memcached stores them. */
static int32_t
to_i32(int64_t v)
{
    return (int32_t)(uint32_t)(uint64_t)v;
}

/* [cmd.noreply]: only the last token, spelled exactly. */
static bool
last_is_noreply(const uint8_t *data, const struct tokens *t)
{
    CHECK(t->count > 0); /* dispatch needs a command name */
    return tok_is(data, t->tok[t->count - 1], "noreply");
}

/* memcached's ntokens: the tokens kept plus its terminal token. */
static uint32_t
ntokens(const struct tokens *t)
{
    return t->count + 1;
}

/* ---- one command per function ------------------------------------------- */

struct line {
    const uint8_t *data;
    struct slice content; /* the line up to its terminator or first NUL */
    uint32_t length;      /* bytes of the line, terminator included */
};

static void
fail(struct request *req, enum request_error error)
{
    req->error = error;
}

/* [get.*]: get/gets/gat/gats/bget: validate every key up front, so the
 * engine can answer key by key ([get.many-keys], [get.long-key]). */
static void
parse_retrieval(const struct line *l, const struct tokens *t,
                struct request *req)
{
    uint32_t first_key = 1;
    if (req->cmd == REQ_GAT || req->cmd == REQ_GATS) {
        int64_t exptime;
        if (!tok_i64(l->data, t->tok[1], &exptime)) {
            fail(req, REQERR_EXPTIME); /* [get.gat-exptime] */
            return;
        }
        req->exptime = to_i32(exptime);
        first_key = 2;
    }
    uint32_t end = l->content.off + l->content.len;
    uint32_t from = first_key < t->count ? t->tok[first_key].off : end;
    req->keys.off = from;
    req->keys.len = end - from;
    struct slice rest = req->keys;
    struct slice key;
    req->key_count = 0;
    req->bad_key_index = UINT32_MAX;
    while (proto_text_next_key(l->data, &rest, &key)) {
        BOUNDARY(key.len == LIMIT_KEY_LEN);
        BOUNDARY(key.len == LIMIT_KEY_LEN + 1);
        if (key.len > LIMIT_KEY_LEN && req->bad_key_index == UINT32_MAX) {
            req->bad_key_index = req->key_count;
        }
        req->key_count++;
    }
    if (req->bad_key_index == UINT32_MAX) {
        req->bad_key_index = req->key_count;
    }
}

/* [store.bad-line] and friends; returns the data length, or -1 after fail(). */
static int64_t
parse_storage_line(const struct line *l, const struct tokens *t,
                   struct request *req)
{
    const uint8_t *d = l->data;
    req->noreply = last_is_noreply(d, t);
    req->key = t->tok[1];
    BOUNDARY(req->key.len == LIMIT_KEY_LEN);
    BOUNDARY(req->key.len == LIMIT_KEY_LEN + 1);
    if (req->key.len > LIMIT_KEY_LEN) {
        fail(req, REQERR_FORMAT); /* [key.length] */
        return -1;
    }
    uint64_t flags;
    int64_t exptime;
    int64_t length;
    if (!tok_u64(d, t->tok[2], &flags) || !tok_i64(d, t->tok[3], &exptime) ||
        !tok_i64(d, t->tok[4], &length)) {
        fail(req, REQERR_FORMAT);
        return -1;
    }
    if (req->cmd == REQ_CAS && !tok_u64(d, t->tok[5], &req->cas_unique)) {
        fail(req, REQERR_FORMAT);
        return -1;
    }
    req->flags = (uint32_t)flags;
    req->exptime = to_i32(exptime);
    int32_t length32 = to_i32(length);
    if (length32 < 0 || (uint32_t)length32 > LIMIT_DATA_LEN_FIELD) {
        fail(req, REQERR_FORMAT);
        return -1;
    }
    req->value_len = (uint32_t)length32;
    return length32;
}

/*
 * [store.too-large], [store.bad-chunk], [store.wait-data]: the data block of
 * `length` bytes after the line, for set and its kin and for ms.
 */
static enum proto_status
frame_data(struct proto_text_parser *p, const struct line *l, size_t len,
           int64_t length, struct request *req, size_t *consumed,
           size_t *needed)
{
    *consumed = l->length;
    BOUNDARY((uint64_t)length == p->value_len_max);
    BOUNDARY((uint64_t)length == (uint64_t)p->value_len_max + 1);
    if ((uint64_t)length > p->value_len_max) {
        fail(req, REQERR_TOO_LARGE);
        p->swallow_left = (uint64_t)length + 2;
        return PROTO_REQUEST;
    }
    size_t total = (size_t)l->length + (size_t)length + 2;
    if (len < total) {
        *consumed = 0;
        *needed = total;
        return PROTO_INCOMPLETE;
    }
    const uint8_t *end = l->data + l->length + length;
    if (end[0] != '\r' || end[1] != '\n') {
        fail(req, REQERR_BAD_CHUNK);
    }
    req->value.off = l->length;
    req->value.len = (uint32_t)length;
    *consumed = total;
    return PROTO_REQUEST;
}

static enum proto_status
parse_storage(struct proto_text_parser *p, const struct line *l, size_t len,
              const struct tokens *t, struct request *req, size_t *consumed,
              size_t *needed)
{
    int64_t length = parse_storage_line(l, t, req);
    *consumed = l->length;
    if (length < 0) {
        return PROTO_REQUEST; /* the data block is parsed as the next line */
    }
    return frame_data(p, l, len, length, req, consumed, needed);
}

/* [meta.*]: the line by proto/meta; ms's data block framed as set's. */
static enum proto_status
parse_meta(struct proto_text_parser *p, const struct line *l, size_t len,
           enum request_cmd cmd, const struct tokens *t, struct request *req,
           size_t *consumed, size_t *needed)
{
    *consumed = l->length;
    enum meta_framing framing =
        proto_meta_parse(cmd, l->data, t->tok, t->count, req);
    if (framing == META_FRAME_DATA) {
        return frame_data(p, l, len, req->value_len, req, consumed, needed);
    }
    if (framing == META_FRAME_SWALLOW) {
        /* [meta.ms-swallow]: the refused block is dropped, as too large. */
        p->swallow_left = (uint64_t)req->value_len + 2;
    }
    return PROTO_REQUEST;
}

/* [delete.reply], [delete.hold]. */
static void
parse_delete(const struct line *l, const struct tokens *t, struct request *req)
{
    const uint8_t *d = l->data;
    if (ntokens(t) > 3) {
        bool hold_is_zero = tok_is(d, t->tok[2], "0");
        req->noreply = last_is_noreply(d, t);
        bool valid = (ntokens(t) == 4 && (hold_is_zero || req->noreply)) ||
                     (ntokens(t) == 5 && hold_is_zero && req->noreply);
        if (!valid) {
            fail(req, REQERR_DELETE_USAGE);
            return;
        }
    }
    req->key = t->tok[1];
    if (req->key.len > LIMIT_KEY_LEN) {
        fail(req, REQERR_FORMAT);
    }
}

/* [incr.reply], [incr.delta]. */
static void
parse_arith(const struct line *l, const struct tokens *t, struct request *req)
{
    req->noreply = last_is_noreply(l->data, t);
    req->key = t->tok[1];
    if (req->key.len > LIMIT_KEY_LEN) {
        fail(req, REQERR_FORMAT);
        return;
    }
    if (!tok_u64(l->data, t->tok[2], &req->delta)) {
        fail(req, REQERR_DELTA);
    }
}

/* [touch.reply], [touch.exptime]. */
static void
parse_touch(const struct line *l, const struct tokens *t, struct request *req)
{
    req->noreply = last_is_noreply(l->data, t);
    req->key = t->tok[1];
    if (req->key.len > LIMIT_KEY_LEN) {
        fail(req, REQERR_FORMAT);
        return;
    }
    int64_t exptime;
    if (!tok_i64(l->data, t->tok[2], &exptime)) {
        fail(req, REQERR_EXPTIME);
        return;
    }
    req->exptime = to_i32(exptime);
}

/* [flush.reply]: `noreply` not last is read as the delay. */
static void
parse_flush_all(const struct line *l, const struct tokens *t,
                struct request *req)
{
    req->noreply = last_is_noreply(l->data, t);
    if (ntokens(t) != (req->noreply ? 3u : 2u)) {
        int64_t delay;
        if (!tok_i64(l->data, t->tok[1], &delay)) {
            fail(req, REQERR_EXPTIME);
            return;
        }
        req->exptime = to_i32(delay);
    }
}

/* [misc.verbosity]. */
static void
parse_verbosity(const struct line *l, const struct tokens *t,
                struct request *req)
{
    req->noreply = last_is_noreply(l->data, t);
    uint64_t level;
    if (!tok_u64(l->data, t->tok[1], &level)) {
        fail(req, REQERR_FORMAT);
        return;
    }
    req->level = (uint32_t)level;
}

/* [misc.debugtime]: a step, `p` or `r`; anything else answers ERROR. */
static void
parse_debugtime(const struct line *l, const struct tokens *t,
                struct request *req)
{
    if (t->count < 2) {
        fail(req, REQERR_UNKNOWN);
    } else if (tok_is(l->data, t->tok[1], "p")) {
        req->mode = DEBUGTIME_PAUSE;
    } else if (tok_is(l->data, t->tok[1], "r")) {
        req->mode = DEBUGTIME_RESUME;
    } else if (tok_i64(l->data, t->tok[1], &req->time_step)) {
        req->mode = DEBUGTIME_STEP;
    } else {
        fail(req, REQERR_UNKNOWN);
    }
}

/* [misc.shutdown]: the engine decides whether shutdown is allowed. */
static void
parse_shutdown(const struct line *l, const struct tokens *t,
               struct request *req)
{
    if (t->count == 1) {
        req->mode = SHUTDOWN_NOW;
    } else if (t->count == 2 && tok_is(l->data, t->tok[1], "graceful")) {
        req->mode = SHUTDOWN_GRACEFUL;
    } else {
        req->mode = SHUTDOWN_BAD_MODE;
    }
}

/* memcached's safe_strtoul into a 32-bit variable ([num.truncate32]). */
static bool
tok_u32_truncated(const uint8_t *data, struct slice t, uint32_t *out)
{
    uint64_t v;
    if (!tok_u64(data, t, &v)) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* [stats.cachedump]: `stats cachedump <class> <limit>`; other groups are
 * the engine's to name. */
static void
parse_stats(const struct line *l, const struct tokens *t, struct request *req)
{
    req->mode = STATS_PLAIN;
    if (t->count < 2) {
        return;
    }
    req->arg = t->tok[1];
    if (!tok_is(l->data, t->tok[1], "cachedump")) {
        return;
    }
    req->mode = STATS_CACHEDUMP;
    uint32_t id;
    if (ntokens(t) < 5) {
        fail(req, REQERR_STATS_ARGS);
    } else if (!tok_u32_truncated(l->data, t->tok[2], &id) ||
               !tok_u32_truncated(l->data, t->tok[3], &req->dump_limit)) {
        fail(req, REQERR_FORMAT);
    } else if (id >= LIMIT_CLASS_ID) {
        fail(req, REQERR_SLAB_ID);
    } else {
        req->classes = (uint64_t)1 << id;
    }
}

/* [admin.lru-crawler]: `all`, `hash`, or class ids 1..63 joined by commas
 * (empty pieces skipped). False for anything else (BADCLASS). */
static bool
parse_class_list(const uint8_t *data, struct slice t, uint64_t *classes)
{
    if (tok_is(data, t, "all") || tok_is(data, t, "hash")) {
        *classes = ~(uint64_t)0 << 1;
        return true;
    }
    *classes = 0;
    uint32_t i = t.off;
    uint32_t end = t.off + t.len;
    while (i < end) {
        uint32_t start = i;
        while (i < end && data[i] != ',') {
            i++;
        }
        struct slice piece = {start, i - start};
        i++; /* the comma */
        if (piece.len == 0) {
            continue;
        }
        uint32_t id;
        if (!tok_u32_truncated(data, piece, &id) || id < 1 ||
            id >= LIMIT_CLASS_ID) {
            return false;
        }
        *classes |= (uint64_t)1 << id;
    }
    return true;
}

/* [admin.lru-crawler]: memcached 1.6.18's subcommands, and mgdump. */
static void
parse_lru_crawler(const struct line *l, const struct tokens *t,
                  struct request *req)
{
    const uint8_t *d = l->data;
    struct slice sub = t->tok[1];
    if (t->count == 2) {
        if (tok_is(d, sub, "enable")) {
            req->mode = CRAWLER_ENABLE;
        } else if (tok_is(d, sub, "disable")) {
            req->mode = CRAWLER_DISABLE;
        } else {
            fail(req, REQERR_UNKNOWN);
        }
        return;
    }
    uint32_t n;
    if (tok_is(d, sub, "metadump") || tok_is(d, sub, "mgdump")) {
        req->mode = tok_is(d, sub, "metadump") ? CRAWLER_METADUMP
                                               : CRAWLER_MGDUMP;
        if (!parse_class_list(d, t->tok[2], &req->classes)) {
            fail(req, REQERR_BADCLASS);
        }
    } else if (tok_is(d, sub, "crawl")) {
        req->mode = CRAWLER_CRAWL;
    } else if (tok_is(d, sub, "tocrawl")) {
        req->mode = CRAWLER_TOCRAWL;
        if (!tok_u32_truncated(d, t->tok[2], &n)) {
            fail(req, REQERR_FORMAT);
        }
    } else if (tok_is(d, sub, "sleep")) {
        req->mode = CRAWLER_SLEEP;
        if (!tok_u32_truncated(d, t->tok[2], &n)) {
            fail(req, REQERR_FORMAT);
        } else if (n > 1000000) {
            fail(req, REQERR_CRAWLER_SLEEP);
        }
    } else {
        fail(req, REQERR_UNKNOWN);
    }
}

/* [admin.cache-memlimit]: `cache_memlimit <MB> [noreply]`. */
static void
parse_cache_memlimit(const struct line *l, const struct tokens *t,
                     struct request *req)
{
    req->noreply = last_is_noreply(l->data, t);
    if (!tok_u32_truncated(l->data, t->tok[1], &req->mem_mb)) {
        fail(req, REQERR_UNKNOWN);
    } else if (req->mem_mb < 8) {
        fail(req, REQERR_MEMLIMIT_SMALL);
    } else if (req->mem_mb > 1000000000) {
        fail(req, REQERR_MEMLIMIT_UNITS);
    }
}

/* ---- dispatch ---------------------------------------------------------- */

struct command {
    const char *name;
    uint8_t name_len;
    enum request_cmd cmd;
    uint32_t ntokens_min; /* memcached's ntokens bounds (terminal included) */
    uint32_t ntokens_max; /* 0: no upper bound */
    uint32_t ntokens_alt; /* another exact count allowed, or 0 */
};

/*
 * Names memcached 1.6.18 knows, in the branches of its dispatch. Those with
 * REQ_INVALID exist there but not in mcref ([misc.unsupported]): they answer
 * ERROR and, being known, never trigger the HTTP guard.
 */
static const struct command commands[] = {
    {"get", 3, REQ_GET, 3, 0, 0},
    {"set", 3, REQ_SET, 6, 6, 7},
    {"gets", 4, REQ_GETS, 3, 0, 0},
    {"gat", 3, REQ_GAT, 3, 0, 0},
    {"gats", 4, REQ_GATS, 3, 0, 0},
    {"bget", 4, REQ_GET, 3, 0, 0},
    {"add", 3, REQ_ADD, 6, 6, 7},
    {"append", 6, REQ_APPEND, 6, 6, 7},
    {"replace", 7, REQ_REPLACE, 6, 6, 7},
    {"prepend", 7, REQ_PREPEND, 6, 6, 7},
    {"cas", 3, REQ_CAS, 7, 7, 8},
    {"incr", 4, REQ_INCR, 4, 4, 5},
    {"decr", 4, REQ_DECR, 4, 4, 5},
    {"delete", 6, REQ_DELETE, 3, 5, 0},
    {"touch", 5, REQ_TOUCH, 4, 4, 5},
    {"debugtime", 9, REQ_DEBUGTIME, 2, 0, 0},
    {"stats", 5, REQ_STATS, 2, 0, 0},
    {"shutdown", 8, REQ_SHUTDOWN, 2, 0, 0},
    {"flush_all", 9, REQ_FLUSH_ALL, 2, 4, 0},
    {"version", 7, REQ_VERSION, 2, 0, 0},
    {"quit", 4, REQ_QUIT, 2, 0, 0},
    {"verbosity", 9, REQ_VERBOSITY, 3, 3, 4},
    {"slabs", 5, REQ_INVALID, 0, 0, 0},
    {"cache_memlimit", 14, REQ_CACHE_MEMLIMIT, 3, 4, 0},
    {"lru_crawler", 11, REQ_LRU_CRAWLER, 3, 4, 0},
    {"watch", 5, REQ_INVALID, 0, 0, 0},
    {"lru", 3, REQ_INVALID, 0, 0, 0},
    {"extstore", 8, REQ_INVALID, 0, 0, 0},
    {"refresh_certs", 13, REQ_INVALID, 0, 0, 0},
};

/*
 * [meta.*]: the meta commands, all two bytes starting with `m`, found
 * without walking the table above. Without a key mg ms md ma answer ERROR,
 * as a wrong token count ([meta.no-key]); me asks for its key itself.
 */
static const struct command meta_commands[] = {
    {"mg", 2, REQ_META_GET, 3, 0, 0},
    {"ms", 2, REQ_META_SET, 3, 0, 0},
    {"md", 2, REQ_META_DELETE, 3, 0, 0},
    {"ma", 2, REQ_META_ARITH, 3, 0, 0},
    {"mn", 2, REQ_META_NOOP, 2, 0, 0},
    {"me", 2, REQ_META_DEBUG, 2, 0, 0},
};

/* Whether bytes 1..n of a name equal the command's (byte 0 is known equal).
 * Names are short: a loop beats a memcmp call. */
static bool
same_tail(const uint8_t *name, const char *word, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (name[i] != (uint8_t)word[i]) {
            return false;
        }
    }
    return true;
}

static const struct command *
find_command(const uint8_t *data, struct slice name)
{
    /* The table is short and in order of use; length and first byte rule
     * most entries out before any memcmp. */
    const uint8_t first = data[name.off];
    if (name.len == 2 && first == 'm') {
        for (size_t i = 0; i < sizeof meta_commands / sizeof meta_commands[0];
             i++) {
            if (meta_commands[i].name[1] == data[name.off + 1]) {
                return &meta_commands[i];
            }
        }
        return NULL;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const struct command *c = &commands[i];
        if (c->name_len == name.len && (uint8_t)c->name[0] == first &&
            same_tail(data + name.off, c->name, name.len)) {
            return c;
        }
    }
    return NULL;
}

bool
proto_text_command_known(const uint8_t *base, struct slice word)
{
    if (word.len == 0) {
        return false;
    }
    const struct command *c = find_command(base, word);
    return c != NULL && c->cmd != REQ_INVALID;
}

static bool
count_ok(const struct command *c, uint32_t n)
{
    if (c->ntokens_alt != 0) {
        return n == c->ntokens_min || n == c->ntokens_alt;
    }
    return n >= c->ntokens_min && (c->ntokens_max == 0 || n <= c->ntokens_max);
}

/*
 * [frame.http]: memcached answers names beginning with these letters (and
 * two-byte names beginning with 'm') inside its per-letter branches, so they
 * never reach the HTTP guard.
 */
static bool
in_letter_branch(const uint8_t *data, struct slice name)
{
    uint8_t c = data[name.off];
    if (c == 'm' && name.len == 2) {
        return true;
    }
    return c == 'g' || c == 's' || c == 'a' || c == 'c' || c == 'i' ||
           c == 'd' || c == 't';
}

static bool
is_storage(enum request_cmd cmd)
{
    return cmd == REQ_SET || cmd == REQ_ADD || cmd == REQ_REPLACE ||
           cmd == REQ_APPEND || cmd == REQ_PREPEND || cmd == REQ_CAS;
}

static enum proto_status
dispatch(struct proto_text_parser *p, const struct line *l, size_t len,
         struct request *req, size_t *consumed, size_t *needed)
{
    struct tokens t;
    tokenize(l->data, l->content, &t);
    *consumed = l->length;
    req->cmd = REQ_INVALID;
    if (t.count == 0 || t.tok[0].len < 2) {
        fail(req, REQERR_UNKNOWN); /* [frame.empty], [frame.short-command] */
        return PROTO_REQUEST;
    }
    const struct command *c = find_command(l->data, t.tok[0]);
    if (c == NULL) {
        /* [frame.unknown], [frame.http] */
        if (!in_letter_branch(l->data, t.tok[0]) &&
            tok_starts(l->data, t.tok[t.count - 1], "HTTP/", 5)) {
            return PROTO_CLOSE;
        }
        fail(req, REQERR_UNKNOWN);
        return PROTO_REQUEST;
    }
    if (c->cmd == REQ_INVALID || !count_ok(c, ntokens(&t))) {
        fail(req, REQERR_UNKNOWN); /* [cmd.token-count], [misc.unsupported] */
        return PROTO_REQUEST;
    }
    req->cmd = c->cmd;
    switch (c->cmd) {
    case REQ_GET:
    case REQ_GETS:
    case REQ_GAT:
    case REQ_GATS:
        parse_retrieval(l, &t, req);
        break;
    case REQ_SET:
    case REQ_ADD:
    case REQ_REPLACE:
    case REQ_APPEND:
    case REQ_PREPEND:
    case REQ_CAS:
        return parse_storage(p, l, len, &t, req, consumed, needed);
    case REQ_DELETE:
        parse_delete(l, &t, req);
        break;
    case REQ_INCR:
    case REQ_DECR:
        parse_arith(l, &t, req);
        break;
    case REQ_TOUCH:
        parse_touch(l, &t, req);
        break;
    case REQ_FLUSH_ALL:
        parse_flush_all(l, &t, req);
        break;
    case REQ_VERBOSITY:
        parse_verbosity(l, &t, req);
        break;
    case REQ_DEBUGTIME:
        parse_debugtime(l, &t, req);
        break;
    case REQ_SHUTDOWN:
        parse_shutdown(l, &t, req);
        break;
    case REQ_STATS:
        parse_stats(l, &t, req);
        break;
    case REQ_LRU_CRAWLER:
        parse_lru_crawler(l, &t, req);
        break;
    case REQ_CACHE_MEMLIMIT:
        parse_cache_memlimit(l, &t, req);
        break;
    case REQ_VERSION:
    case REQ_QUIT:
    case REQ_INVALID:
    case REQ_BINARY: /* never a text command name */
        break;
    case REQ_META_GET:
    case REQ_META_SET:
    case REQ_META_DELETE:
    case REQ_META_ARITH:
    case REQ_META_NOOP:
    case REQ_META_DEBUG:
        return parse_meta(p, l, len, c->cmd, &t, req, consumed, needed);
    }
    CHECK(!is_storage(req->cmd));
    return PROTO_REQUEST;
}

/* ---- framing ----------------------------------------------------------- */

/* [frame.get-line-limit]: whether the buffered start of a line is a get or
 * gets command (leading spaces skipped), which may be longer. */
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

/*
 * Whether a line is a get is decided on its first LIMIT_LINE_LEN + 1 bytes
 * only: the limit matters only once that many bytes are in, and a wider look
 * would let the answer depend on how the line arrived ([frame.split]).
 */
static size_t
line_limit(const uint8_t *data, size_t len)
{
    size_t window = len < LIMIT_LINE_LEN + 1 ? len : LIMIT_LINE_LEN + 1;
    return starts_as_get(data, window) ? LIMIT_GET_LINE_LEN : LIMIT_LINE_LEN;
}

/*
 * [frame.line-limit]: with n bytes buffered and no \n among them, the line's
 * content is at least n - 1 bytes (the last may be the \r of its terminator).
 */
static bool
too_long_without_newline(const uint8_t *data, size_t n, size_t limit)
{
    return n > limit + 1 || (n == limit + 1 && data[limit] != '\r');
}

static enum proto_status
parse_line(struct proto_text_parser *p, const uint8_t *data, size_t len,
           struct request *req, size_t *consumed, size_t *needed)
{
    size_t from = p->scanned < len ? p->scanned : len;
    const uint8_t *nl = memchr(data + from, '\n', len - from);
    if (nl == NULL) {
        if (too_long_without_newline(data, len, line_limit(data, len))) {
            return PROTO_CLOSE;
        }
        p->scanned = (uint32_t)len;
        return PROTO_INCOMPLETE;
    }
    p->scanned = 0;
    size_t newline = (size_t)(nl - data);
    size_t content_len = newline;
    if (content_len > 0 && data[content_len - 1] == '\r') {
        content_len--; /* [frame.line] */
    }
    BOUNDARY(content_len == LIMIT_LINE_LEN);
    BOUNDARY(content_len == LIMIT_LINE_LEN + 1);
    if (content_len > LIMIT_LINE_LEN &&
        content_len > line_limit(data, content_len)) {
        return PROTO_CLOSE;
    }
    /* [frame.nul]: the line's content ends at its first NUL. */
    const uint8_t *nul = memchr(data, '\0', content_len);
    struct line l = {
        .data = data,
        .content = {0, (uint32_t)(nul != NULL ? (size_t)(nul - data)
                                              : content_len)},
        .length = (uint32_t)(newline + 1),
    };
    req->line.off = 0;
    req->line.len = (uint32_t)content_len;
    return dispatch(p, &l, len, req, consumed, needed);
}

enum proto_status
proto_text_parse(struct proto_text_parser *p, const uint8_t *data, size_t len,
                 struct request *req, size_t *consumed, size_t *needed)
{
    CHECK(p != NULL);
    CHECK(req != NULL);
    CHECK(consumed != NULL);
    CHECK(needed != NULL);
    CHECK(data != NULL);
    *consumed = 0;
    *needed = 0;
    if (p->swallow_left > 0) {
        /* [store.too-large]: drop a refused data block, whatever it holds. */
        size_t n = len < p->swallow_left ? len : (size_t)p->swallow_left;
        p->swallow_left -= n;
        *consumed = n;
        return PROTO_INCOMPLETE;
    }
    if (len == 0) {
        return PROTO_INCOMPLETE;
    }
    /* req->meta (most of the struct) is set by the meta parser alone: the
     * text commands' hot path does not pay for clearing it. */
    memset(req, 0, offsetof(struct request, meta));
    return parse_line(p, data, len, req, consumed, needed);
}
