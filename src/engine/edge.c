/* edge.c - strict-mode checks and injected faults around one request. */
#include "edge.h"

#include "../common/check.h"
#include "../common/limits.h"
#include "../proto/binary.h"
#include "client_check.h"
#include "faults.h"
#include "reply.h"

/* A binary storage packet ([bin.store]) that the parser accepted. */
static bool
binary_stores(const struct request *req)
{
    if (req->bin.error != BIN_ERR_NONE) {
        return false;
    }
    switch (req->bin.opcode) {
    case BIN_OP_SET: case BIN_OP_SETQ: case BIN_OP_ADD: case BIN_OP_ADDQ:
    case BIN_OP_REPLACE: case BIN_OP_REPLACEQ: case BIN_OP_APPEND:
    case BIN_OP_APPENDQ: case BIN_OP_PREPEND: case BIN_OP_PREPENDQ:
        return true;
    default:
        return false;
    }
}

static bool
stores(const struct request *req)
{
    switch (req->cmd) {
    case REQ_BINARY:
        return binary_stores(req);
    case REQ_SET:
    case REQ_ADD:
    case REQ_REPLACE:
    case REQ_APPEND:
    case REQ_PREPEND:
    case REQ_CAS:
    case REQ_META_SET:
        return req->error == REQERR_NONE;
    default:
        return false;
    }
}

static void
record_fault(struct session *s, enum fault_kind kind, uint32_t param)
{
    struct fault_event ev = {.kind = kind,
                             .conn = s->conn_id,
                             .request = s->requests,
                             .param = param};
    faults_record(s->engine->faults, &ev);
}

enum edge_action
edge_before(struct session *s, const uint8_t *bytes, size_t consumed,
            const struct request *req, const struct request **run,
            struct edge_request *er, proto_compose_fn compose,
            uint32_t real_s)
{
    struct engine *e = s->engine;
    *run = req;
    er->fault = -1;
    er->param = 0;
    er->queued_before = s->out.queued;
    s->requests++;
    /* [client.quiet-noop]: quiet requests must be closed by one that
     * answers; checked when the client closes (session_peer_closed). */
    bool quiet = req->cmd >= REQ_META_GET && req->cmd <= REQ_META_DEBUG &&
                 req->error == REQERR_NONE &&
                 (req->meta.seen & META_BIT('q')) != 0;
    if (req->cmd == REQ_BINARY) {
        /* A binary quiet opcode (getq, setq, ...; [bin.quiet]); quitq
         * closes the connection itself, so it leaves nothing open. */
        quiet = req->bin.quiet && req->bin.error == BIN_ERR_NONE &&
                req->bin.opcode != BIN_OP_QUITQ;
    }
    if (quiet && !s->quiet_open) {
        s->quiet_request = s->requests;
    }
    s->quiet_open = quiet;
    if (e->check != NULL) {
        bool binary = req->cmd == REQ_BINARY;
        uint32_t rules =
            binary ? proto_binary_client_lint(req)
                   : proto_client_lint(bytes, consumed, req,
                                       e->cfg.store.value_len_max);
        if (rules != 0) {
            if (binary) {
                client_check_record_binary(e->check, rules, s->conn_id,
                                           s->requests, bytes, consumed);
            } else {
                client_check_record(e->check, rules, s->conn_id,
                                    s->requests, bytes, consumed);
            }
            /* =reject: only a request memcached would have carried out;
             * the others already get an error. */
            if (e->check->reject && binary &&
                req->bin.error == BIN_ERR_NONE) {
                er->alt = *req;
                er->alt.bin.error = BIN_ERR_REJECTED; /* 0x04, stays open */
                *run = &er->alt;
                s->quiet_open = false; /* an error always answers */
                return EDGE_RUN; /* no fault on a rejected request */
            }
            if (e->check->reject && !binary && req->error == REQERR_NONE) {
                er->alt = *req;
                er->alt.cmd = REQ_INVALID;
                er->alt.error = REQERR_FORMAT;
                er->alt.noreply = false;
                *run = &er->alt;
                s->quiet_open = false; /* an error always answers */
                return EDGE_RUN; /* no fault on a rejected request */
            }
        }
    }
    if (e->faults == NULL) {
        return EDGE_RUN;
    }
    uint32_t param;
    enum fault_kind k = faults_decide(&e->faults->plan, e->faults->seed,
                                      s->conn_id, s->requests, stores(req),
                                      &param);
    if (k == FAULT_NONE) {
        return EDGE_RUN;
    }
    er->fault = (int)k;
    er->param = param;
    if (k == FAULT_CLOSE_BEFORE) {
        record_fault(s, k, param);
        s->state = SESSION_CLOSING;
        return EDGE_CLOSE;
    }
    if (k == FAULT_OOM) {
        /* [faults.oom]: answered as a store the server had no memory for. */
        record_fault(s, k, param);
        struct reply r = {
            .e = e,
            .q = &s->out,
            .req = req,
            .base = bytes,
            .compose = compose,
            .now = engine_now(e, real_s),
            .real_s = real_s,
        };
        e->stats.cmd_set++;
        e->stats.store_no_memory++;
        reply_status(&r, commands_store_response(STORE_NO_MEMORY),
                     req->noreply);
        if (r.failed) {
            s->state = SESSION_ABORT;
        }
        return EDGE_ANSWERED;
    }
    return EDGE_RUN;
}

static void
evict(struct session *s, const uint8_t *bytes, const struct request *req,
      uint32_t real_s)
{
    const uint8_t *key = bytes + req->key.off;
    size_t key_len = req->key.len;
    if (req->cmd == REQ_META_SET && req->meta.key_decoded) {
        key = req->meta.key_buf;
        key_len = req->meta.key_len;
    }
    (void)store_delete(s->engine->store, engine_now(s->engine, real_s), key,
                       key_len);
}

void
edge_after(struct session *s, const uint8_t *bytes, const struct request *req,
           enum command_result res, struct edge_request *er, uint32_t real_s)
{
    if (er->fault < 0 || res != COMMAND_DONE ||
        er->fault == FAULT_CLOSE_BEFORE || er->fault == FAULT_OOM) {
        return;
    }
    enum fault_kind k = (enum fault_kind)er->fault;
    uint64_t reply = s->out.queued - er->queued_before;
    record_fault(s, k, er->param);
    switch (k) {
    case FAULT_CUT: {
        uint64_t span = s->out.pending < LIMIT_FAULT_CUT_SPAN ? s->out.pending
                                                       : LIMIT_FAULT_CUT_SPAN;
        s->fault_piece = er->param;
        if (span > s->fault_piece_left) {
            s->fault_piece_left = (uint32_t)span;
        }
        break;
    }
    case FAULT_DELAY:
        s->fault_delay_ms = er->param;
        break;
    case FAULT_CLOSE_INSIDE:
        /* [faults.close]: half of this reply goes out, then the close. */
        s->fault_close = true;
        s->fault_close_left = s->out.pending - (reply - reply / 2);
        s->state = SESSION_CLOSING;
        break;
    case FAULT_IDLE_CLOSE:
        s->state = SESSION_CLOSING;
        break;
    case FAULT_EVICT:
        /* [faults.evict]: stored, then gone, as under memory pressure. */
        evict(s, bytes, req, real_s);
        break;
    default:
        CHECK(false);
    }
}

void
edge_bad_magic(struct session *s, const uint8_t *bytes, size_t len)
{
    if (s->engine->check != NULL) {
        client_check_record_binary(s->engine->check,
                                   1u << CLIENT_BINARY_MAGIC, s->conn_id,
                                   s->requests + 1, bytes, len);
    }
}

void
edge_after_quit(struct session *s, const uint8_t *bytes, size_t len)
{
    if (s->engine->check != NULL && len > 0) {
        client_check_record(s->engine->check, 1u << CLIENT_AFTER_QUIT,
                            s->conn_id, s->requests + 1, bytes, len);
    }
}
