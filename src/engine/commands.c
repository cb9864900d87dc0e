/* commands.c - each command's meaning and reply. */
#include "commands.h"

#include <string.h>

#include "../common/check.h"
#include "../common/limits.h"
#include "reply.h"
#include "stats_out.h"

/* ---- retrieval ----------------------------------------------------------- */

/* [get.reply]: one item found by a retrieval. */
static void
send_value(struct reply *r, const struct store_item *it, bool with_cas)
{
    struct response resp;
    resp.status = RESP_VALUE;
    resp.has_item = true;
    resp.with_cas = with_cas;
    reply_item(&resp.item, it);
    reply_emit(r, &resp);
}

/* Looks one key up as the command says; counts it ([stats.counting]). */
static bool
lookup(struct engine *e, const struct request *req, const uint8_t *key,
       size_t key_len, uint32_t now, struct store_item *it)
{
    if (req->cmd == REQ_GAT || req->cmd == REQ_GATS) {
        e->stats.cmd_touch++;
        /* [get.gat-no-memory]: a gat that finds no room answers a miss. */
        return store_touch(e->store, now, key, key_len, req->exptime, it) ==
               STORE_OK;
    }
    e->stats.cmd_get++;
    return store_get(e->store, now, key, key_len, it) == STORE_OK;
}

/*
 * [get.reply], [get.many-keys], [get.long-key]: answers keys from the cursor
 * on, stopping between keys while the queue is over its bound.
 */
static enum command_result
retrieve(struct reply *r, const uint8_t *base, const struct request *req,
         struct get_cursor *cur)
{
    if (!cur->active) {
        cur->active = true;
        cur->rest = req->keys;
        cur->done = 0;
    }
    bool with_cas = req->cmd == REQ_GETS || req->cmd == REQ_GATS;
    bool voided = req->bad_key_index < req->key_count;
    struct slice key;
    while (request_next_key(base, &cur->rest, &key)) {
        if (voided && cur->done == req->bad_key_index) {
            break;
        }
        struct store_item it;
        bool hit = lookup(r->e, req, base + key.off, key.len, r->now, &it);
        cur->done++;
        if (hit && !voided) {
            send_value(r, &it, with_cas);
            if (r->failed) {
                return COMMAND_FAILED;
            }
        }
        if (!voided && cur->rest.len > 0 &&
            r->q->pending >= LIMIT_OUTPUT_PAUSE) {
            return COMMAND_PAUSED;
        }
    }
    cur->active = false;
    /* Keys before a long one were looked up (and counted), but the whole
     * reply is the error, as in memcached. */
    if (voided) {
        struct response resp = {.status = RESP_REQUEST_ERROR,
                                .error = REQERR_FORMAT};
        reply_emit(r, &resp);
    } else {
        reply_status(r, RESP_END, false);
    }
    return reply_finish(r);
}

/* ---- storage ------------------------------------------------------------- */

static const enum store_mode store_modes[] = {
    [REQ_SET] = STORE_SET,         [REQ_ADD] = STORE_ADD,
    [REQ_REPLACE] = STORE_REPLACE, [REQ_APPEND] = STORE_APPEND,
    [REQ_PREPEND] = STORE_PREPEND, [REQ_CAS] = STORE_CAS,
};

/* The response to each result of store_put (STORE_NON_NUMERIC never
 * comes). */
static const enum response_status store_status[] = {
    [STORE_OK] = RESP_STORED,
    [STORE_MISS] = RESP_NOT_FOUND,
    [STORE_NOT_STORED] = RESP_NOT_STORED,
    [STORE_EXISTS] = RESP_EXISTS,
    /* [store.append-too-large]: an append whose result is too large. */
    [STORE_TOO_LARGE] = RESP_NOT_STORED,
    [STORE_NO_MEMORY] = RESP_NO_MEMORY_STORE,
    [STORE_NON_NUMERIC] = RESP_REQUEST_ERROR,
};

enum response_status
commands_store_response(enum store_status st)
{
    CHECK((unsigned)st < sizeof store_status / sizeof store_status[0]);
    return store_status[st];
}

static enum command_result
store_command(struct reply *r, const uint8_t *base, const struct request *req,
              struct get_cursor *cur)
{
    (void)cur;
    struct engine *e = r->e;
    e->stats.cmd_set++;
    enum store_status st =
        store_put(e->store, r->now, store_modes[req->cmd], base + req->key.off,
                  req->key.len, req->flags, req->exptime,
                  base + req->value.off, req->value.len, req->cas_unique,
                  NULL);
    CHECK(st != STORE_NON_NUMERIC);
    e->stats.store_no_memory += st == STORE_NO_MEMORY;
    reply_status(r, store_status[st], req->noreply);
    return reply_finish(r);
}

/* ---- the other item commands ----------------------------------------------- */

/* The response to a result of store_arith other than a number. */
static const enum response_status arith_status[] = {
    [STORE_MISS] = RESP_NOT_FOUND,
    [STORE_NON_NUMERIC] = RESP_NON_NUMERIC,
    [STORE_NO_MEMORY] = RESP_NO_MEMORY, /* [incr.no-memory] */
    [STORE_EXISTS] = RESP_EXISTS,       /* ma's C */
};

enum response_status
commands_arith_response(enum store_status st)
{
    CHECK(st != STORE_OK);
    CHECK((unsigned)st < sizeof arith_status / sizeof arith_status[0]);
    return arith_status[st];
}

static enum command_result
arith(struct reply *r, const uint8_t *base, const struct request *req,
      struct get_cursor *cur)
{
    (void)cur;
    uint64_t value;
    enum store_status st =
        store_arith(r->e->store, r->now, base + req->key.off, req->key.len,
                    req->cmd == REQ_INCR, req->delta, &value);
    if (st != STORE_OK) {
        reply_status(r, arith_status[st], req->noreply);
        return reply_finish(r);
    }
    if (!req->noreply) {
        struct response resp = {.status = RESP_NUMBER, .number = value};
        reply_emit(r, &resp);
    }
    return reply_finish(r);
}

/* [touch.reply], [touch.no-memory] */
static const enum response_status touch_status[] = {
    [STORE_OK] = RESP_TOUCHED,
    [STORE_MISS] = RESP_NOT_FOUND,
    [STORE_NO_MEMORY] = RESP_NO_MEMORY,
};

static enum command_result
touch(struct reply *r, const uint8_t *base, const struct request *req,
      struct get_cursor *cur)
{
    (void)cur;
    r->e->stats.cmd_touch++;
    enum store_status st = store_touch(r->e->store, r->now,
                                       base + req->key.off, req->key.len,
                                       req->exptime, NULL);
    reply_status(r, touch_status[st], req->noreply);
    return reply_finish(r);
}

static enum command_result
delete_command(struct reply *r, const uint8_t *base, const struct request *req,
               struct get_cursor *cur)
{
    (void)cur;
    enum store_status st =
        store_delete(r->e->store, r->now, base + req->key.off, req->key.len);
    reply_status(r, st == STORE_OK ? RESP_DELETED : RESP_NOT_FOUND,
                 req->noreply);
    return reply_finish(r);
}

/* The parser's error, as the protocol words it. */
static void
request_error(struct reply *r, bool silent)
{
    if (silent) {
        return;
    }
    struct response resp = {.status = RESP_REQUEST_ERROR,
                            .error = r->req->error,
                            .meta_error = r->req->meta.error};
    reply_emit(r, &resp);
}

/* [flush.*]: -F is checked before the delay, as in memcached. */
static enum command_result
flush_all(struct reply *r, const uint8_t *base, const struct request *req,
          struct get_cursor *cur)
{
    (void)base;
    (void)cur;
    struct engine *e = r->e;
    e->stats.cmd_flush++;
    if (!e->cfg.flush_enabled) {
        reply_status(r, RESP_FLUSH_DISABLED, req->noreply);
    } else if (req->error != REQERR_NONE) {
        request_error(r, req->noreply);
    } else {
        store_flush(e->store, r->now, req->exptime);
        reply_status(r, RESP_OK, req->noreply);
    }
    return reply_finish(r);
}

/* ---- server commands ------------------------------------------------------ */

static enum command_result
version(struct reply *r, const uint8_t *base, const struct request *req,
        struct get_cursor *cur)
{
    (void)base;
    (void)req;
    (void)cur;
    struct response resp = {.status = RESP_VERSION,
                            .text = r->e->cfg.version};
    reply_emit(r, &resp);
    return reply_finish(r);
}

static enum command_result
verbosity(struct reply *r, const uint8_t *base, const struct request *req,
          struct get_cursor *cur)
{
    (void)base;
    (void)cur;
    r->e->verbosity = req->level > 2 ? 2 : req->level; /* capped, as memcached */
    reply_status(r, RESP_OK, req->noreply);
    return reply_finish(r);
}

static enum command_result
quit(struct reply *r, const uint8_t *base, const struct request *req,
     struct get_cursor *cur)
{
    (void)r;
    (void)base;
    (void)req;
    (void)cur;
    return COMMAND_QUIT;
}

static enum command_result
shutdown_command(struct reply *r, const uint8_t *base,
                 const struct request *req, struct get_cursor *cur)
{
    (void)base;
    (void)cur;
    if (!r->e->cfg.shutdown_enabled) {
        reply_status(r, RESP_SHUTDOWN_DISABLED, false);
        return reply_finish(r);
    }
    if (req->mode == SHUTDOWN_BAD_MODE) {
        reply_status(r, RESP_SHUTDOWN_MODE, false);
        return reply_finish(r);
    }
    r->e->shutdown_graceful = req->mode == SHUTDOWN_GRACEFUL;
    return COMMAND_SHUTDOWN;
}

static enum command_result parse_error(struct reply *r, const uint8_t *base,
                                       const struct request *req,
                                       struct get_cursor *cur);

static enum command_result
stats(struct reply *r, const uint8_t *base, const struct request *req,
      struct get_cursor *cur)
{
    if (req->mode == STATS_CACHEDUMP && r->e->cfg.dump_disabled) {
        reply_status(r, RESP_DUMP_DISABLED, false); /* before any error */
        return reply_finish(r);
    }
    if (req->error != REQERR_NONE) {
        return parse_error(r, base, req, cur);
    }
    if (req->mode == STATS_CACHEDUMP) {
        return admin_cachedump(r, cur);
    }
    stats_out(r, base, req->arg);
    return reply_finish(r);
}

static enum command_result
lru_crawler(struct reply *r, const uint8_t *base, const struct request *req,
            struct get_cursor *cur)
{
    bool dump = req->mode == CRAWLER_METADUMP || req->mode == CRAWLER_MGDUMP;
    if (dump && req->error != REQERR_UNKNOWN && r->e->cfg.dump_disabled) {
        reply_status(r, RESP_DUMP_DISABLED, false); /* before BADCLASS */
        return reply_finish(r);
    }
    if (req->error != REQERR_NONE) {
        return parse_error(r, base, req, cur);
    }
    return admin_lru_crawler(r, cur);
}

static enum command_result
cache_memlimit(struct reply *r, const uint8_t *base, const struct request *req,
               struct get_cursor *cur)
{
    (void)base;
    (void)req;
    (void)cur;
    return admin_cache_memlimit(r);
}

static enum command_result
debugtime(struct reply *r, const uint8_t *base, const struct request *req,
          struct get_cursor *cur)
{
    (void)base;
    (void)cur;
    struct engine *e = r->e;
    if (!e->cfg.test_clock || req->error != REQERR_NONE) {
        struct response resp = {.status = RESP_REQUEST_ERROR,
                                .error = REQERR_UNKNOWN};
        reply_emit(r, &resp);
        return reply_finish(r);
    }
    if (req->mode == DEBUGTIME_PAUSE) {
        engine_clock_pause(e, r->real_s);
    } else if (req->mode == DEBUGTIME_RESUME) {
        engine_clock_resume(e, r->real_s);
    } else {
        engine_clock_step(e, r->real_s, req->time_step);
    }
    reply_status(r, RESP_OK, false);
    return reply_finish(r);
}

/* A request the parser refused: answer its error, counting as memcached. */
static enum command_result
parse_error(struct reply *r, const uint8_t *base, const struct request *req,
            struct get_cursor *cur)
{
    (void)cur;
    struct engine *e = r->e;
    if (req->error == REQERR_TOO_LARGE) {
        /* [store.too-large]: the data is being discarded; a set drops the
         * old item ([store.failed-set]), and an ms in any mode does
         * ([meta.ms-too-large]). */
        e->stats.store_too_large++;
        bool meta = req->cmd == REQ_META_SET;
        struct slice key = req->key;
        const uint8_t *key_at = base + key.off;
        if (meta && req->meta.key_decoded) {
            key_at = req->meta.key_buf;
            key.len = req->meta.key_len;
        }
        enum store_status st = store_put(
            e->store, r->now, meta ? STORE_SET : store_modes[req->cmd],
            key_at, key.len, req->flags, req->exptime, NULL, req->value_len,
            req->cas_unique, NULL);
        CHECK(st == STORE_TOO_LARGE);
    }
    /* A bad data chunk was read: it counts as a set, as in memcached. */
    e->stats.cmd_set += req->error == REQERR_BAD_CHUNK;
    request_error(r, req->noreply);
    return reply_finish(r);
}

typedef enum command_result (*command_fn)(struct reply *r,
                                          const uint8_t *base,
                                          const struct request *req,
                                          struct get_cursor *cur);

static enum command_result
meta_command(struct reply *r, const uint8_t *base, const struct request *req,
             struct get_cursor *cur)
{
    (void)base;
    (void)req;
    (void)cur;
    return meta_execute(r);
}

static const command_fn handlers[] = {
    [REQ_INVALID] = parse_error,     [REQ_GET] = retrieve,
    [REQ_GETS] = retrieve,           [REQ_GAT] = retrieve,
    [REQ_GATS] = retrieve,           [REQ_SET] = store_command,
    [REQ_ADD] = store_command,       [REQ_REPLACE] = store_command,
    [REQ_APPEND] = store_command,    [REQ_PREPEND] = store_command,
    [REQ_CAS] = store_command,       [REQ_DELETE] = delete_command,
    [REQ_INCR] = arith,              [REQ_DECR] = arith,
    [REQ_TOUCH] = touch,             [REQ_FLUSH_ALL] = flush_all,
    [REQ_VERSION] = version,         [REQ_VERBOSITY] = verbosity,
    [REQ_QUIT] = quit,               [REQ_SHUTDOWN] = shutdown_command,
    [REQ_STATS] = stats,             [REQ_DEBUGTIME] = debugtime,
    [REQ_LRU_CRAWLER] = lru_crawler, [REQ_CACHE_MEMLIMIT] = cache_memlimit,
    [REQ_META_GET] = meta_command,   [REQ_META_SET] = meta_command,
    [REQ_META_DELETE] = meta_command, [REQ_META_ARITH] = meta_command,
    [REQ_META_NOOP] = meta_command,  [REQ_META_DEBUG] = meta_command,
};

enum command_result
commands_execute(struct engine *e, struct outq *q, const uint8_t *base,
                 const struct request *req, uint32_t real_s,
                 struct get_cursor *cur, proto_compose_fn compose,
                 const struct reply_trace *trace)
{
    CHECK(e != NULL);
    CHECK(q != NULL);
    CHECK(req != NULL);
    CHECK(cur != NULL);
    CHECK(compose != NULL);
    CHECK((size_t)req->cmd < sizeof handlers / sizeof handlers[0]);
    struct reply r = {
        .e = e,
        .q = q,
        .req = req,
        .base = base,
        .compose = compose,
        .trace = trace,
        .now = engine_now(e, real_s),
        .real_s = real_s,
    };
    /* Queued references into the store are copied out by the store's write
     * hook (engine.c) just before it writes, whatever the command. */
    /* flush_all and debugtime answer their own argument errors (-F and the
     * test clock come first), and so do stats and lru_crawler (-X comes
     * first for the dumps, [admin.dump-disabled]); every other refused
     * request goes to parse_error. */
    command_fn fn = handlers[req->cmd];
    if (req->error != REQERR_NONE && fn != flush_all && fn != debugtime &&
        fn != stats && fn != lru_crawler) {
        fn = parse_error;
    }
    return fn(&r, base, req, cur);
}
