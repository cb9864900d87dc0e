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
    const struct reply_trace *trace;
    bool failed; /* out of memory: the connection must close */
};

static void
trace_line(const struct reply *r, const void *line, size_t len)
{
    if (r->trace != NULL && r->trace->fn != NULL) {
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
    put(r, it->value, it->value_len);
    put(r, "\r\n", 2);
    if (r->trace != NULL) {
        uint8_t line[13 + LIMIT_KEY_LEN];
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
        /* Under -M a gat that needs room it cannot get answers a miss. */
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
         uint32_t now, struct get_cursor *cur)
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
        bool hit = lookup(r->e, req, base + key.off, key.len, now, &it);
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

static enum store_mode
store_mode_of(enum request_cmd cmd)
{
    switch (cmd) {
    case REQ_ADD:
        return STORE_ADD;
    case REQ_REPLACE:
        return STORE_REPLACE;
    case REQ_APPEND:
        return STORE_APPEND;
    case REQ_PREPEND:
        return STORE_PREPEND;
    case REQ_CAS:
        return STORE_CAS;
    default:
        CHECK(cmd == REQ_SET);
        return STORE_SET;
    }
}

static enum command_result
store_command(struct reply *r, const uint8_t *base, const struct request *req,
              uint32_t now)
{
    struct engine *e = r->e;
    e->stats.cmd_set++;
    enum store_status st =
        store_put(e->store, now, store_mode_of(req->cmd), base + req->key.off,
                  req->key.len, req->flags, req->exptime,
                  base + req->value.off, req->value.len, req->cas_unique,
                  NULL);
    enum proto_reply reply = PROTO_REPLY_STORED;
    switch (st) {
    case STORE_OK:
        break;
    case STORE_NOT_STORED:
    case STORE_TOO_LARGE: /* an append whose result is too large */
        reply = PROTO_REPLY_NOT_STORED;
        break;
    case STORE_EXISTS:
        reply = PROTO_REPLY_EXISTS;
        break;
    case STORE_MISS:
        reply = PROTO_REPLY_NOT_FOUND;
        break;
    case STORE_NO_MEMORY:
        e->stats.store_no_memory++;
        reply = PROTO_REPLY_NO_MEMORY_STORE;
        break;
    case STORE_NON_NUMERIC:
        CHECK(false);
        break;
    }
    say(r, reply, req->noreply);
    return finish(r);
}

/* [store.too-large]: the data is being discarded; a set drops the old item. */
static enum command_result
refuse_too_large(struct reply *r, const uint8_t *base,
                 const struct request *req, uint32_t now)
{
    struct engine *e = r->e;
    e->stats.store_too_large++;
    enum store_status st =
        store_put(e->store, now, store_mode_of(req->cmd), base + req->key.off,
                  req->key.len, req->flags, req->exptime, NULL, req->value_len,
                  req->cas_unique, NULL);
    CHECK(st == STORE_TOO_LARGE);
    say(r, PROTO_REPLY_TOO_LARGE, req->noreply);
    return finish(r);
}

/* ---- the other item commands ----------------------------------------------- */

static enum command_result
arith(struct reply *r, const uint8_t *base, const struct request *req,
      uint32_t now)
{
    uint64_t value;
    enum store_status st =
        store_arith(r->e->store, now, base + req->key.off, req->key.len,
                    req->cmd == REQ_INCR, req->delta, &value);
    switch (st) {
    case STORE_OK:
        if (!req->noreply) {
            uint8_t *dst = outq_reserve(r->q, PROTO_NUMBER_MAX);
            if (dst == NULL) {
                return COMMAND_FAILED;
            }
            size_t n = proto_text_number(dst, value);
            outq_commit(r->q, n);
            trace_line(r, dst, n - 2);
        }
        break;
    case STORE_MISS:
        say(r, PROTO_REPLY_NOT_FOUND, req->noreply);
        break;
    case STORE_NON_NUMERIC:
        say(r, PROTO_REPLY_NON_NUMERIC, req->noreply);
        break;
    case STORE_NO_MEMORY:
        say(r, PROTO_REPLY_NO_MEMORY, req->noreply);
        break;
    default:
        CHECK(false);
    }
    return finish(r);
}

static enum command_result
touch(struct reply *r, const uint8_t *base, const struct request *req,
      uint32_t now)
{
    r->e->stats.cmd_touch++;
    enum store_status st = store_touch(r->e->store, now, base + req->key.off,
                                       req->key.len, req->exptime, NULL);
    say(r,
        st == STORE_OK     ? PROTO_REPLY_TOUCHED
        : st == STORE_MISS ? PROTO_REPLY_NOT_FOUND
                           : PROTO_REPLY_NO_MEMORY,
        req->noreply);
    return finish(r);
}

static enum command_result
delete_command(struct reply *r, const uint8_t *base, const struct request *req,
               uint32_t now)
{
    enum store_status st =
        store_delete(r->e->store, now, base + req->key.off, req->key.len);
    say(r, st == STORE_OK ? PROTO_REPLY_DELETED : PROTO_REPLY_NOT_FOUND,
        req->noreply);
    return finish(r);
}

/* [flush.*]: -F is checked before the delay, as in memcached. */
static enum command_result
flush_all(struct reply *r, const struct request *req, uint32_t now)
{
    struct engine *e = r->e;
    e->stats.cmd_flush++;
    if (!e->cfg.flush_enabled) {
        say(r, PROTO_REPLY_FLUSH_DISABLED, req->noreply);
    } else if (req->error != REQERR_NONE) {
        say(r, proto_text_error_reply(req->error), req->noreply);
    } else {
        store_flush(e->store, now, req->exptime);
        say(r, PROTO_REPLY_OK, req->noreply);
    }
    return finish(r);
}

/* ---- server commands ------------------------------------------------------ */

static enum command_result
version(struct reply *r)
{
    const char *v = r->e->cfg.version;
    put(r, "VERSION ", 8);
    put(r, v, strlen(v));
    put(r, "\r\n", 2);
    return finish(r);
}

static enum command_result
shutdown_command(struct reply *r, const struct request *req)
{
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
debugtime(struct reply *r, const struct request *req, uint32_t real_s)
{
    struct engine *e = r->e;
    if (!e->cfg.test_clock || req->error != REQERR_NONE) {
        say(r, PROTO_REPLY_ERROR, false);
        return finish(r);
    }
    switch (req->mode) {
    case DEBUGTIME_PAUSE:
        engine_clock_pause(e, real_s);
        break;
    case DEBUGTIME_RESUME:
        engine_clock_resume(e, real_s);
        break;
    default:
        engine_clock_step(e, real_s, req->time_step);
        break;
    }
    say(r, PROTO_REPLY_OK, false);
    return finish(r);
}

/* A request the parser refused: answer its error, counting as memcached. */
static enum command_result
parse_error(struct reply *r, const uint8_t *base, const struct request *req,
            uint32_t now)
{
    if (req->error == REQERR_TOO_LARGE) {
        return refuse_too_large(r, base, req, now);
    }
    if (req->error == REQERR_BAD_CHUNK) {
        r->e->stats.cmd_set++; /* its data block was read */
    }
    say(r, proto_text_error_reply(req->error), req->noreply);
    return finish(r);
}

enum command_result
commands_execute(struct engine *e, struct outq *q, const uint8_t *base,
                 const struct request *req, uint32_t real_s,
                 struct get_cursor *cur, const struct reply_trace *trace)
{
    CHECK(e != NULL && q != NULL && req != NULL && cur != NULL);
    struct reply r = {.e = e, .q = q, .trace = trace};
    uint32_t now = engine_now(e, real_s);
    if (req->cmd == REQ_FLUSH_ALL) {
        return flush_all(&r, req, now);
    }
    if (req->cmd == REQ_DEBUGTIME) {
        return debugtime(&r, req, real_s);
    }
    if (req->error != REQERR_NONE) {
        return parse_error(&r, base, req, now);
    }
    switch (req->cmd) {
    case REQ_GET:
    case REQ_GETS:
    case REQ_GAT:
    case REQ_GATS:
        return retrieve(&r, base, req, now, cur);
    case REQ_SET:
    case REQ_ADD:
    case REQ_REPLACE:
    case REQ_APPEND:
    case REQ_PREPEND:
    case REQ_CAS:
        return store_command(&r, base, req, now);
    case REQ_DELETE:
        return delete_command(&r, base, req, now);
    case REQ_INCR:
    case REQ_DECR:
        return arith(&r, base, req, now);
    case REQ_TOUCH:
        return touch(&r, base, req, now);
    case REQ_VERSION:
        return version(&r);
    case REQ_VERBOSITY:
        e->verbosity = req->level > 2 ? 2 : req->level; /* capped, as memcached */
        say(&r, PROTO_REPLY_OK, req->noreply);
        return finish(&r);
    case REQ_QUIT:
        return COMMAND_QUIT;
    case REQ_SHUTDOWN:
        return shutdown_command(&r, req);
    case REQ_STATS:
        if (!stats_out(e, q, base, req->arg, now)) {
            return COMMAND_FAILED;
        }
        return COMMAND_DONE;
    case REQ_FLUSH_ALL:
    case REQ_DEBUGTIME:
    case REQ_INVALID:
        break;
    }
    CHECK(false); /* REQ_INVALID always carries an error */
    return COMMAND_FAILED;
}
