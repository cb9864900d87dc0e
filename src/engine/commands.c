/* commands.c - each command's meaning and reply. */
#include "commands.h"

#include <string.h>

#include "../common/check.h"
#include "../common/limits.h"
#include "../proto/text.h"
#include "stats_out.h"

/* The context of one request's reply. */
struct reply {
    struct engine *e;
    struct outq *q;
    const struct reply_trace *trace; /* NULL unless -vv */
    uint32_t now;                    /* the item clock */
    uint32_t real_s;                 /* real time, for debugtime */
    bool failed;                     /* no memory: the connection closes */
};

static void
trace_line(const struct reply *r, const void *line, size_t len)
{
    if (r->trace != NULL) {
        r->trace->fn(r->trace->ctx, line, len);
    }
}

static void
put(struct reply *r, const void *data, size_t len)
{
    if (!r->failed && !outq_append(r->q, data, len)) {
        r->failed = true;
    }
}

/* A fixed reply line, unless noreply silences it. */
static void
say(struct reply *r, enum proto_reply reply, bool noreply)
{
    if (noreply) {
        return;
    }
    size_t len;
    const uint8_t *text = proto_text_reply(reply, &len);
    put(r, text, len);
    trace_line(r, text, len - 2);
}

static enum command_result
finish(const struct reply *r)
{
    return r->failed ? COMMAND_FAILED : COMMAND_DONE;
}

/* ---- retrieval ----------------------------------------------------------- */

static void
send_value(struct reply *r, const struct store_item *it, bool with_cas)
{
    uint8_t *header = outq_reserve(r->q, PROTO_VALUE_HEADER_MAX);
    if (header == NULL) {
        r->failed = true;
        return;
    }
    size_t n = proto_text_value_header(header, it->key, it->key_len, it->flags,
                                       it->value_len, with_cas, it->cas);
    outq_commit(r->q, n);
    if (it->value_len >= r->e->cfg.value_ref_min) { /* never 0 */
        /* Sent from the item itself: commands_execute copies it before any
         * write could move it. */
        if (!outq_append_ref(r->q, it->value, it->value_len)) {
            r->failed = true;
            return;
        }
    } else {
        put(r, it->value, it->value_len);
    }
    put(r, "\r\n", 2);
    if (r->trace != NULL) {
        uint8_t line[12 + LIMIT_KEY_LEN];
        memcpy(line, "sending key ", 12);
        memcpy(line + 12, it->key, it->key_len);
        trace_line(r, line, 12 + it->key_len);
    }
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
    while (proto_text_next_key(base, &cur->rest, &key)) {
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
    say(r, voided ? PROTO_REPLY_FORMAT : PROTO_REPLY_END, false);
    return finish(r);
}

/* ---- storage ------------------------------------------------------------- */

static const enum store_mode store_modes[] = {
    [REQ_SET] = STORE_SET,         [REQ_ADD] = STORE_ADD,
    [REQ_REPLACE] = STORE_REPLACE, [REQ_APPEND] = STORE_APPEND,
    [REQ_PREPEND] = STORE_PREPEND, [REQ_CAS] = STORE_CAS,
};

/* The reply to each result of store_put (STORE_NON_NUMERIC never comes). */
static const enum proto_reply store_replies[] = {
    [STORE_OK] = PROTO_REPLY_STORED,
    [STORE_MISS] = PROTO_REPLY_NOT_FOUND,
    [STORE_NOT_STORED] = PROTO_REPLY_NOT_STORED,
    [STORE_EXISTS] = PROTO_REPLY_EXISTS,
    /* [store.append-too-large]: an append whose result is too large. */
    [STORE_TOO_LARGE] = PROTO_REPLY_NOT_STORED,
    [STORE_NO_MEMORY] = PROTO_REPLY_NO_MEMORY_STORE,
    [STORE_NON_NUMERIC] = PROTO_REPLY_ERROR,
};

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
    say(r, store_replies[st], req->noreply);
    return finish(r);
}

/* ---- the other item commands ----------------------------------------------- */

/* The reply to a result of store_arith other than a number. */
static const enum proto_reply arith_replies[] = {
    [STORE_MISS] = PROTO_REPLY_NOT_FOUND,
    [STORE_NON_NUMERIC] = PROTO_REPLY_NON_NUMERIC,
    [STORE_NO_MEMORY] = PROTO_REPLY_NO_MEMORY, /* [incr.no-memory] */
};

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
        say(r, arith_replies[st], req->noreply);
        return finish(r);
    }
    if (!req->noreply) {
        uint8_t *dst = outq_reserve(r->q, PROTO_NUMBER_MAX);
        if (dst == NULL) {
            return COMMAND_FAILED;
        }
        size_t n = proto_text_number(dst, value);
        outq_commit(r->q, n);
        trace_line(r, dst, n - 2);
    }
    return COMMAND_DONE;
}

/* [touch.reply], [touch.no-memory] */
static const enum proto_reply touch_replies[] = {
    [STORE_OK] = PROTO_REPLY_TOUCHED,
    [STORE_MISS] = PROTO_REPLY_NOT_FOUND,
    [STORE_NO_MEMORY] = PROTO_REPLY_NO_MEMORY,
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
    say(r, touch_replies[st], req->noreply);
    return finish(r);
}

static enum command_result
delete_command(struct reply *r, const uint8_t *base, const struct request *req,
               struct get_cursor *cur)
{
    (void)cur;
    enum store_status st =
        store_delete(r->e->store, r->now, base + req->key.off, req->key.len);
    say(r, st == STORE_OK ? PROTO_REPLY_DELETED : PROTO_REPLY_NOT_FOUND,
        req->noreply);
    return finish(r);
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
        say(r, PROTO_REPLY_FLUSH_DISABLED, req->noreply);
    } else if (req->error != REQERR_NONE) {
        say(r, proto_text_error_reply(req->error), req->noreply);
    } else {
        store_flush(e->store, r->now, req->exptime);
        say(r, PROTO_REPLY_OK, req->noreply);
    }
    return finish(r);
}

/* ---- server commands ------------------------------------------------------ */

static enum command_result
version(struct reply *r, const uint8_t *base, const struct request *req,
        struct get_cursor *cur)
{
    (void)base;
    (void)req;
    (void)cur;
    const char *v = r->e->cfg.version;
    put(r, "VERSION ", 8);
    put(r, v, strlen(v));
    put(r, "\r\n", 2);
    return finish(r);
}

static enum command_result
verbosity(struct reply *r, const uint8_t *base, const struct request *req,
          struct get_cursor *cur)
{
    (void)base;
    (void)cur;
    r->e->verbosity = req->level > 2 ? 2 : req->level; /* capped, as memcached */
    say(r, PROTO_REPLY_OK, req->noreply);
    return finish(r);
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
        say(r, PROTO_REPLY_SHUTDOWN_DISABLED, false);
        return finish(r);
    }
    if (req->mode == SHUTDOWN_BAD_MODE) {
        say(r, PROTO_REPLY_SHUTDOWN_MODE, false);
        return finish(r);
    }
    return COMMAND_SHUTDOWN;
}

static enum command_result
stats(struct reply *r, const uint8_t *base, const struct request *req,
      struct get_cursor *cur)
{
    (void)cur;
    return stats_out(r->e, r->q, base, req->arg, r->now) ? COMMAND_DONE
                                                         : COMMAND_FAILED;
}

static enum command_result
debugtime(struct reply *r, const uint8_t *base, const struct request *req,
          struct get_cursor *cur)
{
    (void)base;
    (void)cur;
    struct engine *e = r->e;
    if (!e->cfg.test_clock || req->error != REQERR_NONE) {
        say(r, PROTO_REPLY_ERROR, false);
        return finish(r);
    }
    if (req->mode == DEBUGTIME_PAUSE) {
        engine_clock_pause(e, r->real_s);
    } else if (req->mode == DEBUGTIME_RESUME) {
        engine_clock_resume(e, r->real_s);
    } else {
        engine_clock_step(e, r->real_s, req->time_step);
    }
    say(r, PROTO_REPLY_OK, false);
    return finish(r);
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
         * old item ([store.failed-set]). */
        e->stats.store_too_large++;
        enum store_status st = store_put(
            e->store, r->now, store_modes[req->cmd], base + req->key.off,
            req->key.len, req->flags, req->exptime, NULL, req->value_len,
            req->cas_unique, NULL);
        CHECK(st == STORE_TOO_LARGE);
    }
    /* A bad data chunk was read: it counts as a set, as in memcached. */
    e->stats.cmd_set += req->error == REQERR_BAD_CHUNK;
    say(r, proto_text_error_reply(req->error), req->noreply);
    return finish(r);
}

typedef enum command_result (*command_fn)(struct reply *r,
                                          const uint8_t *base,
                                          const struct request *req,
                                          struct get_cursor *cur);

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
};

enum command_result
commands_execute(struct engine *e, struct outq *q, const uint8_t *base,
                 const struct request *req, uint32_t real_s,
                 struct get_cursor *cur, const struct reply_trace *trace)
{
    CHECK(e != NULL);
    CHECK(q != NULL);
    CHECK(req != NULL);
    CHECK(cur != NULL);
    struct reply r = {
        .e = e,
        .q = q,
        .trace = trace,
        .now = engine_now(e, real_s),
        .real_s = real_s,
    };
    /* Queued references into the store die at its next write; only get
     * and gets leave it as it is (store.h), so anything else first has
     * every reference copied. */
    if (req->cmd != REQ_GET && req->cmd != REQ_GETS) {
        outq_pool_hold_all(&e->pool);
        if (q->failed) {
            return COMMAND_FAILED;
        }
    }
    /* flush_all and debugtime answer their own argument errors (-F and the
     * test clock come first); every other refused request goes to
     * parse_error. */
    if ((size_t)req->cmd >= sizeof handlers / sizeof handlers[0]) {
        /* The meta commands are parsed but not executed yet (issue 13):
         * they answer ERROR, as before the parser knew them. */
        say(&r, PROTO_REPLY_ERROR, false);
        return finish(&r);
    }
    command_fn fn = handlers[req->cmd];
    if (req->error != REQERR_NONE && fn != flush_all && fn != debugtime) {
        fn = parse_error;
    }
    return fn(&r, base, req, cur);
}
