/* binary_commands.c - each binary opcode's meaning and replies. */
#include "binary_commands.h"

#include <string.h>

#include "../common/check.h"
#include "../proto/binary.h"
#include "auth.h"
#include "reply.h"
#include "stats_out.h"

/* A response of only a binary status (with its text). */
static void
send_bin_status(struct reply *r, enum bin_status st)
{
    struct response resp = {.status = RESP_REQUEST_ERROR,
                            .bin_status = (uint8_t)st};
    reply_emit(r, &resp);
}

/* A success without an item, unless quiet. */
static void
send_ok(struct reply *r, enum response_status status)
{
    reply_status(r, status, r->req->bin.quiet);
}

static bool
is_opcode(const struct request *req, uint8_t a, uint8_t b)
{
    return req->bin.opcode == a || req->bin.opcode == b;
}

/* [bin.get], [bin.gat], [bin.quiet]: hits always answer; misses only for
 * the loud opcodes. */
static void
retrieve(struct reply *r, const uint8_t *base, const struct request *req)
{
    struct engine *e = r->e;
    struct store_item it;
    enum store_status st;
    bool gat = req->bin.opcode == BIN_OP_GAT || req->bin.opcode == BIN_OP_GATQ ||
               req->bin.opcode == BIN_OP_GATK ||
               req->bin.opcode == BIN_OP_GATKQ;
    if (gat) {
        e->stats.cmd_touch++;
        st = store_touch(e->store, r->now, base + req->key.off, req->key.len,
                         req->exptime, &it);
    } else {
        e->stats.cmd_get++;
        st = store_get(e->store, r->now, base + req->key.off, req->key.len,
                       &it);
    }
    if (st == STORE_OK) {
        struct response resp = {.status = RESP_VALUE, .has_item = true};
        reply_item(&resp.item, &it);
        reply_emit(r, &resp);
    } else if (!req->bin.quiet) {
        reply_status(r, st == STORE_NO_MEMORY ? RESP_NO_MEMORY : RESP_NOT_FOUND,
                     false);
    }
}

static void
touch(struct reply *r, const uint8_t *base, const struct request *req)
{
    struct store_item it;
    r->e->stats.cmd_touch++;
    enum store_status st = store_touch(r->e->store, r->now,
                                       base + req->key.off, req->key.len,
                                       req->exptime, &it);
    if (st == STORE_OK) {
        struct response resp = {.status = RESP_TOUCHED, .has_item = true};
        reply_item(&resp.item, &it);
        reply_emit(r, &resp);
    } else {
        reply_status(r, st == STORE_MISS ? RESP_NOT_FOUND : RESP_NO_MEMORY,
                     false);
    }
}

/* [bin.store]: a CAS in the header makes any storage command a cas. */
static void
store(struct reply *r, const uint8_t *base, const struct request *req)
{
    struct engine *e = r->e;
    enum store_mode mode;
    uint8_t op = req->bin.opcode;
    if (is_opcode(req, BIN_OP_ADD, BIN_OP_ADDQ)) {
        mode = STORE_ADD;
    } else if (is_opcode(req, BIN_OP_REPLACE, BIN_OP_REPLACEQ)) {
        mode = STORE_REPLACE;
    } else if (is_opcode(req, BIN_OP_APPEND, BIN_OP_APPENDQ)) {
        mode = STORE_APPEND;
    } else if (is_opcode(req, BIN_OP_PREPEND, BIN_OP_PREPENDQ)) {
        mode = STORE_PREPEND;
    } else {
        mode = STORE_SET;
    }
    bool concat = mode == STORE_APPEND || mode == STORE_PREPEND;
    struct store_put_opts opts = {0};
    /* [bin.store]: under -C items carry no CAS, and memcached then reads
     * a storage packet's CAS as none. */
    if (req->cas_unique != 0 && e->cfg.store.cas_enabled) {
        if (concat) {
            opts.compare = true;
            opts.compare_cas = req->cas_unique;
        } else {
            mode = STORE_CAS;
        }
    }
    e->stats.cmd_set++;
    uint64_t cas = 0;
    enum store_status st = store_put_opts(
        e->store, r->now, mode, base + req->key.off, req->key.len,
        concat ? 0 : req->flags, concat ? 0 : req->exptime,
        base + req->value.off, req->value.len, req->cas_unique, &opts, &cas);
    e->stats.store_no_memory += st == STORE_NO_MEMORY;
    struct response resp = {0};
    switch (st) {
    case STORE_OK:
        if (req->bin.quiet) {
            return;
        }
        resp.status = RESP_STORED;
        resp.has_item = true;
        resp.item.cas = cas;
        break;
    case STORE_NOT_STORED:
        /* add finds the key; replace does not; append/prepend do not. */
        resp.status = op == BIN_OP_ADD || op == BIN_OP_ADDQ ? RESP_EXISTS
                      : concat                               ? RESP_NOT_STORED
                                                             : RESP_NOT_FOUND;
        break;
    case STORE_TOO_LARGE:
        resp.status = concat ? RESP_NOT_STORED : RESP_TOO_LARGE;
        break;
    default:
        resp.status = commands_store_response(st);
        break;
    }
    reply_emit(r, &resp);
}

static void
delete(struct reply *r, const uint8_t *base, const struct request *req)
{
    /* A CAS in the header must match (under -C, where items have none,
     * it never does: memcached compares it with 0). */
    struct store_delete_opts opts = {.compare = req->cas_unique != 0,
                                     .compare_cas = req->cas_unique};
    enum store_status st = store_delete_opts(
        r->e->store, r->now, base + req->key.off, req->key.len, &opts);
    if (st == STORE_OK) {
        send_ok(r, RESP_DELETED);
    } else {
        reply_status(r, st == STORE_EXISTS ? RESP_EXISTS : RESP_NOT_FOUND,
                     false);
    }
}

/* [bin.incr]: a miss creates the item holding `initial` unless the
 * exptime is BIN_NO_CREATE. */
static void
arith(struct reply *r, const uint8_t *base, const struct request *req)
{
    struct store_arith_opts opts = {
        .compare = req->cas_unique != 0, /* as delete's */
        .compare_cas = req->cas_unique,
        .vivify = req->bin.raw_exptime != BIN_NO_CREATE,
        .vivify_exptime = req->exptime,
        .initial = req->bin.initial,
    };
    bool incr = is_opcode(req, BIN_OP_INCREMENT, BIN_OP_INCREMENTQ);
    uint64_t value = 0;
    struct store_item it;
    bool created = false;
    enum store_status st =
        store_arith_opts(r->e->store, r->now, base + req->key.off,
                         req->key.len, incr, req->delta, &opts, &value, &it,
                         &created);
    if (st != STORE_OK) {
        reply_status(r, commands_arith_response(st), false);
        return;
    }
    if (!req->bin.quiet) {
        struct response resp = {.status = RESP_NUMBER, .number = value};
        resp.item.cas = it.cas;
        reply_emit(r, &resp);
    }
}

static void
flush(struct reply *r, const struct request *req)
{
    struct engine *e = r->e;
    e->stats.cmd_flush++;
    if (!e->cfg.flush_enabled) {
        reply_status(r, RESP_FLUSH_DISABLED, false);
        return;
    }
    store_flush(e->store, r->now, req->bin.has_delay ? req->exptime : 0);
    send_ok(r, RESP_OK);
}

/* [auth.sasl]: PLAIN only; a failure leaves the connection open. */
static void
sasl(struct reply *r, const uint8_t *base, const struct request *req,
     bool *authenticated)
{
    struct engine *e = r->e;
    if (e->cfg.sasl == NULL) {
        send_bin_status(r, BIN_STATUS_UNKNOWN); /* [auth.sasl-off] */
        return;
    }
    if (req->bin.opcode == BIN_OP_SASL_LIST_MECHS) {
        struct response resp = {.status = RESP_VERSION,
                                .text = BIN_SASL_MECHS};
        reply_emit(r, &resp);
        return;
    }
    e->stats.auth_cmds++;
    static const char plain[] = BIN_SASL_MECHS;
    bool ok = req->bin.opcode == BIN_OP_SASL_AUTH &&
              req->key.len == sizeof plain - 1 &&
              memcmp(base + req->key.off, plain, sizeof plain - 1) == 0 &&
              auth_plain(e->cfg.sasl, base + req->value.off, req->value.len);
    if (!ok) {
        e->stats.auth_errors++;
        send_bin_status(r, BIN_STATUS_AUTH_ERROR);
        return;
    }
    *authenticated = true;
    struct response resp = {.status = RESP_VERSION, .text = "Authenticated"};
    reply_emit(r, &resp);
}

/* [auth.before]: what a connection may send before it authenticates. */
static bool
allowed_before_auth(uint8_t opcode)
{
    return opcode == BIN_OP_SASL_LIST_MECHS || opcode == BIN_OP_SASL_AUTH ||
           opcode == BIN_OP_SASL_STEP || opcode == BIN_OP_VERSION;
}

/* [bin.errors]: a refused packet. */
static enum command_result
refused(struct reply *r, const uint8_t *base, const struct request *req)
{
    struct engine *e = r->e;
    if (req->bin.error == BIN_ERR_TOO_LARGE) {
        /* [bin.too-large]: a set drops the old item, as text's does. */
        e->stats.store_too_large++;
        enum store_mode mode =
            is_opcode(req, BIN_OP_SET, BIN_OP_SETQ) ? STORE_SET : STORE_ADD;
        enum store_status st = store_put(
            e->store, r->now, mode, base + req->key.off, req->key.len, 0, 0,
            NULL, req->value_len, 0, NULL);
        CHECK(st == STORE_TOO_LARGE);
    }
    struct response resp = {.status = RESP_REQUEST_ERROR};
    reply_emit(r, &resp);
    if (r->failed) {
        return COMMAND_FAILED;
    }
    return proto_binary_error_closes(req->bin.error) ? COMMAND_QUIT
                                                     : COMMAND_DONE;
}

enum command_result
binary_execute(struct engine *e, struct outq *q, const uint8_t *base,
               const struct request *req, uint32_t real_s,
               bool *authenticated, const struct reply_trace *trace)
{
    CHECK(e != NULL);
    CHECK(req != NULL && req->cmd == REQ_BINARY);
    CHECK(authenticated != NULL);
    struct reply r = {
        .e = e,
        .q = q,
        .req = req,
        .base = base,
        .compose = proto_binary_compose,
        .trace = trace,
        .now = engine_now(e, real_s),
        .real_s = real_s,
    };
    if (e->cfg.sasl != NULL && !*authenticated &&
        !allowed_before_auth(req->bin.opcode)) {
        /* [auth.before]: refused, and the connection closes. */
        send_bin_status(&r, BIN_STATUS_AUTH_ERROR);
        return r.failed ? COMMAND_FAILED : COMMAND_QUIT;
    }
    if (req->bin.error != BIN_ERR_NONE) {
        return refused(&r, base, req);
    }
    switch (req->bin.opcode) {
    case BIN_OP_GET: case BIN_OP_GETQ: case BIN_OP_GETK: case BIN_OP_GETKQ:
    case BIN_OP_GAT: case BIN_OP_GATQ: case BIN_OP_GATK: case BIN_OP_GATKQ:
        retrieve(&r, base, req);
        break;
    case BIN_OP_TOUCH:
        touch(&r, base, req);
        break;
    case BIN_OP_SET: case BIN_OP_SETQ: case BIN_OP_ADD: case BIN_OP_ADDQ:
    case BIN_OP_REPLACE: case BIN_OP_REPLACEQ: case BIN_OP_APPEND:
    case BIN_OP_APPENDQ: case BIN_OP_PREPEND: case BIN_OP_PREPENDQ:
        store(&r, base, req);
        break;
    case BIN_OP_DELETE: case BIN_OP_DELETEQ:
        delete(&r, base, req);
        break;
    case BIN_OP_INCREMENT: case BIN_OP_INCREMENTQ:
    case BIN_OP_DECREMENT: case BIN_OP_DECREMENTQ:
        arith(&r, base, req);
        break;
    case BIN_OP_QUIT: case BIN_OP_QUITQ:
        send_ok(&r, RESP_OK);
        return r.failed ? COMMAND_FAILED : COMMAND_QUIT;
    case BIN_OP_FLUSH: case BIN_OP_FLUSHQ:
        flush(&r, req);
        break;
    case BIN_OP_NOOP:
        reply_status(&r, RESP_NOOP, false);
        break;
    case BIN_OP_VERSION: {
        struct response resp = {.status = RESP_VERSION, .text = e->cfg.version};
        reply_emit(&r, &resp);
        break;
    }
    case BIN_OP_STAT:
        stats_out(&r, base, req->arg);
        break;
    case BIN_OP_SASL_LIST_MECHS: case BIN_OP_SASL_AUTH: case BIN_OP_SASL_STEP:
        sasl(&r, base, req, authenticated);
        break;
    default:
        CHECK(false); /* the parser flags every other opcode */
    }
    return reply_finish(&r);
}
