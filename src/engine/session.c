/* session.c - the parse/execute loop of one connection, its stash and bounds. */
#include "session.h"

#include "auth.h"
#include "binary_commands.h"

#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "../common/limits.h"
#include "../proto/binary.h"
#include "../proto/meta.h"
#include "../proto/text.h"
#include "reply.h"
#include "client_check.h"
#include "edge.h"

void
session_init(struct session *s, struct engine *e)
{
    CHECK(s != NULL);
    CHECK(e != NULL);
    memset(s, 0, sizeof *s);
    s->engine = e;
    outq_init(&s->out, &e->pool);
    s->state = SESSION_OPEN;
}

void
session_deinit(struct session *s)
{
    CHECK(s != NULL);
    outq_deinit(&s->out);
    s->engine->input_held -= s->stash_cap;
    free(s->stash);
    s->stash = NULL;
    s->stash_len = 0;
    s->stash_cap = 0;
}

void
session_set_trace(struct session *s, session_trace_fn fn, void *ctx)
{
    s->trace = fn;
    s->trace_ctx = ctx;
}

void
session_set_turn_limit(struct session *s, uint32_t limit)
{
    s->turn_limit = limit;
}

/* Whether the connection's parser holds nothing (none chosen yet: none). */
static bool
parser_idle(const struct session *s)
{
    switch (s->protocol) {
    case SESSION_PROTO_LINE:
        return proto_text_idle(&s->parser.text);
    case SESSION_PROTO_BINARY:
        return proto_binary_idle(&s->parser.bin);
    case SESSION_PROTO_UNKNOWN:
        break;
    }
    return true;
}

bool
session_idle(const struct session *s)
{
    return s->stash_len == 0 && s->out.pending == 0 && !s->paused &&
           !s->yielded &&
           !s->get.active && parser_idle(s);
}

/* [conn.output-bound]: the most a session may ever hold, in or out. */
static uint64_t
hard_output_bound(const struct session *s)
{
    return (uint64_t)LIMIT_OUTPUT_PAUSE +
           2 * (uint64_t)s->engine->cfg.store.value_len_max +
           LIMIT_OUTPUT_HARD_SLACK;
}

/* [conn.output-bound] and [conn.output-budget]: whether the session must
 * close for what it has queued. Past the budget of all sessions, the ones
 * holding a paused backlog (the most output) go; the others stay. */
static bool
output_too_large(const struct session *s)
{
    if (s->out.failed || s->out.pending > hard_output_bound(s)) {
        return true;
    }
    uint64_t budget = s->engine->cfg.output_budget;
    /* Referenced bytes count: a store write copies them (outq.h). */
    return budget != 0 && s->out.pending >= LIMIT_OUTPUT_PAUSE &&
           s->engine->pool.pending_all > budget;
}

static uint64_t
stash_bound(const struct session *s)
{
    uint64_t request = (uint64_t)LIMIT_LINE_LEN + 2 +
                       s->engine->cfg.store.value_len_max + 2;
    uint64_t line = (uint64_t)LIMIT_GET_LINE_LEN + 2;
    return (request > line ? request : line) + LIMIT_READ_CHUNK;
}

static void
trace(const struct session *s, unsigned level, char direction,
      const uint8_t *text, size_t len)
{
    if (s->trace != NULL && s->engine->verbosity >= level) {
        s->trace(s->trace_ctx, direction, text, len);
    }
}

static void
trace_event(const struct session *s, const char *text)
{
    trace(s, 3, '-', (const uint8_t *)text, strlen(text));
}

static void
trace_reply(void *ctx, const uint8_t *line, size_t len)
{
    trace(ctx, 2, '>', line, len);
}

/*
 * The one place a connection's protocol is decided ([bin.negotiation]): by
 * -B, or under -B auto by its first byte (0x80: binary).
 */
static void
choose_protocol(struct session *s, uint8_t first_byte)
{
    enum engine_binding b = s->engine->cfg.binding;
    if (b == ENGINE_BIND_BINARY ||
        (b == ENGINE_BIND_AUTO && first_byte == BIN_MAGIC_REQUEST)) {
        s->protocol = SESSION_PROTO_BINARY;
        proto_binary_init(&s->parser.bin, s->engine->cfg.store.value_len_max);
        trace_event(s, "protocol: binary");
    } else {
        s->protocol = SESSION_PROTO_LINE;
        proto_text_init(&s->parser.text, s->engine->cfg.store.value_len_max);
        trace_event(s, "protocol: text and meta lines");
    }
}

/* process() for a binary connection: one packet at a time. */
static size_t
process_binary(struct session *s, const uint8_t *buf, size_t n,
               uint32_t real_s, const struct reply_trace *reply_trace)
{
    size_t pos = 0;
    while (!s->paused && !s->yielded && pos < n) {
        struct request req;
        size_t consumed;
        size_t needed;
        enum proto_status st = proto_binary_parse(
            &s->parser.bin, buf + pos, n - pos, &req, &consumed, &needed);
        if (st == PROTO_CLOSE) {
            trace_event(s, "closing: not a binary request (bad magic)");
            size_t head = n - pos < BIN_HEADER_LEN ? n - pos : BIN_HEADER_LEN;
            edge_bad_magic(s, buf + pos, head);
            s->state = SESSION_CLOSING;
            return n;
        }
        if (st == PROTO_INCOMPLETE) {
            s->engine->stats.bytes_read += consumed; /* swallowed body */
            pos += consumed;
            if (consumed == 0) {
                break;
            }
            continue;
        }
        if (s->trace != NULL && s->engine->verbosity >= 2) {
            uint8_t line[PROTO_TRACE_MAX];
            size_t len;
            for (unsigned i = 0; (len = proto_binary_trace_request(
                                      &req, buf + pos, i, line)) > 0;
                 i++) {
                trace(s, 2, '<', line, len);
            }
        }
        /* Strict mode and faults (edge.h), as for a text request. */
        const struct request *run = &req;
        struct edge_request er;
        bool edge = edge_on(s);
        enum edge_action act = EDGE_RUN;
        if (edge) {
            act = edge_before(s, buf + pos, consumed, &req, &run, &er,
                              proto_binary_compose, real_s);
            if (act == EDGE_CLOSE) {
                return n; /* earlier replies still go out */
            }
        }
        uint64_t queued = s->out.queued;
        enum command_result res =
            act == EDGE_ANSWERED
                ? COMMAND_DONE
                : binary_execute(s->engine, &s->out, buf + pos, run, real_s,
                                 &s->authenticated, reply_trace);
        if (edge) {
            edge_after(s, buf + pos, &req, res, &er, real_s);
        }
        s->engine->stats.bytes_written += s->out.queued - queued;
        s->engine->stats.bytes_read += consumed;
        pos += consumed;
        switch (res) {
        case COMMAND_DONE:
        case COMMAND_PAUSED:
            if (s->turn_limit != 0 && ++s->turn_done >= s->turn_limit &&
                pos < n) {
                s->yielded = true;
            }
            break;
        case COMMAND_QUIT:
            s->state = SESSION_CLOSING;
            /* [client.after-quit]: only the client's own quit, not a
             * packet the server closes on. */
            if ((req.bin.opcode == BIN_OP_QUIT ||
                 req.bin.opcode == BIN_OP_QUITQ) &&
                req.bin.error == BIN_ERR_NONE) {
                s->quit_seen = true;
                if (s->engine->check != NULL) {
                    edge_after_quit(s, buf + pos, n - pos);
                }
            }
            return n;
        case COMMAND_SHUTDOWN:
            s->state = SESSION_SHUTDOWN;
            return n;
        case COMMAND_FAILED:
            s->state = SESSION_ABORT;
            return n;
        }
        if (s->state != SESSION_OPEN) {
            return n; /* a fault closes it (edge.h) */
        }
        if (output_too_large(s)) {
            s->state = SESSION_ABORT;
            return n;
        }
        if (s->out.pending >= LIMIT_OUTPUT_PAUSE) {
            s->paused = true; /* [conn.output-bound] */
            trace_event(s, "paused: output over its bound");
        }
    }
    return pos;
}

/*
 * [auth.ascii]: under -Y, a text connection's requests until it has
 * authenticated: a set whose data is `user password` authenticates (and
 * stores nothing); every other request is refused. The connection stays
 * open either way.
 */
static void
ascii_auth(struct session *s, const uint8_t *base, const struct request *req)
{
    enum proto_reply reply = PROTO_REPLY_UNAUTHENTICATED;
    if (req->cmd == REQ_SET && req->error == REQERR_NONE) {
        s->engine->stats.auth_cmds++;
        enum auth_result res = auth_ascii(s->engine->cfg.ascii_auth,
                                          base + req->value.off,
                                          req->value.len);
        if (res == AUTH_OK) {
            s->authenticated = true;
            reply = PROTO_REPLY_STORED;
        } else {
            s->engine->stats.auth_errors++;
            reply = res == AUTH_FAILED ? PROTO_REPLY_AUTH_FAILURE
                                       : PROTO_REPLY_AUTH_TOKEN_FORMAT;
        }
    }
    size_t len;
    const uint8_t *text = proto_text_reply(reply, &len);
    if (!outq_append(&s->out, text, len)) {
        s->state = SESSION_ABORT;
        return;
    }
    s->engine->stats.bytes_written += len;
    trace(s, 2, '>', text, len - 2);
}

/* The next request in the connection's protocol. */
static enum proto_status
parse_next(struct session *s, const uint8_t *data, size_t len,
           struct request *req, size_t *consumed, size_t *needed)
{
    CHECK(s->protocol == SESSION_PROTO_LINE);
    return proto_text_parse(&s->parser.text, data, len, req, consumed, needed);
}

/* The composer of the connection's protocol. */
static proto_compose_fn
composer(const struct session *s)
{
    CHECK(s->protocol == SESSION_PROTO_LINE);
    return proto_line_compose;
}

/*
 * Parses and executes requests from buf[0..n) until it runs out, pauses or
 * closes. Returns the bytes used; the rest must be kept.
 */
static size_t
process(struct session *s, const uint8_t *buf, size_t n, uint32_t real_s)
{
    struct reply_trace rt = {trace_reply, s};
    const struct reply_trace *reply_trace =
        s->trace != NULL && s->engine->verbosity >= 2 ? &rt : NULL;
    size_t pos = 0;
    /* Every command that ends the session returns at once, below. */
    CHECK(s->state == SESSION_OPEN);
    if (s->protocol == SESSION_PROTO_UNKNOWN && n > 0) {
        choose_protocol(s, buf[0]);
    }
    if (s->protocol == SESSION_PROTO_BINARY) {
        return process_binary(s, buf, n, real_s, reply_trace);
    }
    while (!s->paused && !s->yielded && pos < n) {
        struct request req;
        size_t consumed;
        size_t needed;
        enum proto_status st =
            parse_next(s, buf + pos, n - pos, &req, &consumed, &needed);
        if (st == PROTO_CLOSE) {
            trace_event(s, "closing: line too long, or an HTTP request");
            s->state = SESSION_CLOSING; /* earlier replies still go out */
            return n;
        }
        if (st == PROTO_INCOMPLETE) {
            s->engine->stats.bytes_read += consumed; /* swallowed data */
            pos += consumed;
            if (consumed == 0) {
                break;
            }
            continue;
        }
        bool fresh = !s->get.active; /* not a paused retrieval resumed */
        if (fresh) {
            trace(s, 2, '<', buf + pos + req.line.off, req.line.len);
        }
        if (s->engine->cfg.ascii_auth != NULL && !s->authenticated) {
            ascii_auth(s, buf + pos, &req);
            s->engine->stats.bytes_read += consumed;
            pos += consumed;
            if (s->state != SESSION_OPEN || output_too_large(s)) {
                s->state = s->state == SESSION_OPEN ? SESSION_ABORT : s->state;
                return n;
            }
            if (s->out.pending >= LIMIT_OUTPUT_PAUSE) {
                s->paused = true; /* [conn.output-bound] */
                trace_event(s, "paused: output over its bound");
            }
            if (s->turn_limit != 0 && ++s->turn_done >= s->turn_limit &&
                pos < n) {
                s->yielded = true; /* -R, as for any request */
            }
            continue;
        }
        /* Strict mode and faults (edge.h): off, this is one test. */
        const struct request *run = &req;
        struct edge_request er;
        bool edge = fresh && edge_on(s);
        enum edge_action act = EDGE_RUN;
        if (edge) {
            act = edge_before(s, buf + pos, consumed, &req, &run, &er,
                              composer(s), real_s);
            if (act == EDGE_CLOSE) {
                return n; /* earlier replies still go out */
            }
        }
        uint64_t queued = s->out.queued;
        enum command_result res =
            act == EDGE_ANSWERED
                ? COMMAND_DONE
                : commands_execute(s->engine, &s->out, buf + pos, run,
                                   real_s, &s->get, composer(s), reply_trace);
        if (edge) {
            edge_after(s, buf + pos, &req, res, &er, real_s);
        }
        /* Counted as produced, not as sent, so that stats do not depend on
         * how the socket took the bytes ([frame.split]). */
        s->engine->stats.bytes_written += s->out.queued - queued;
        if (res != COMMAND_PAUSED) {
            s->engine->stats.bytes_read += consumed; /* once, when done */
        }
        switch (res) {
        case COMMAND_DONE:
            pos += consumed;
            /* -R: the turn ends here if more input waits. */
            if (s->turn_limit != 0 && ++s->turn_done >= s->turn_limit &&
                pos < n) {
                s->yielded = true;
            }
            break;
        case COMMAND_PAUSED:
            /* The request stays in the input; it is parsed again, and the
             * cursor carries on, when the session resumes: once output
             * drains, or ([admin.dump-walk]) after other connections had a
             * turn, for a dump that stopped between steps. */
            if (s->out.pending >= LIMIT_OUTPUT_PAUSE) {
                s->paused = true;
                trace_event(s, "paused in a retrieval: output over its bound");
            } else {
                s->yielded = true;
                s->dump_turn = true;
            }
            return pos;
        case COMMAND_QUIT:
            s->state = SESSION_CLOSING;
            s->quit_seen = true;
            if (s->engine->check != NULL) {
                edge_after_quit(s, buf + pos + consumed, n - pos - consumed);
            }
            return n;
        case COMMAND_SHUTDOWN:
            s->state = SESSION_SHUTDOWN;
            return n;
        case COMMAND_FAILED:
            s->state = SESSION_ABORT;
            return n;
        }
        if (s->state != SESSION_OPEN) {
            return n; /* a fault closes it (edge.h) */
        }
        if (output_too_large(s)) {
            s->state = SESSION_ABORT;
            return n;
        }
        if (s->out.pending >= LIMIT_OUTPUT_PAUSE) {
            s->paused = true;
            trace_event(s, "paused: output over its bound");
        }
    }
    return pos;
}

/* Makes room for `more` bytes after the stashed ones. */
static bool
stash_reserve(struct session *s, size_t more)
{
    uint64_t want = (uint64_t)s->stash_len + more;
    if (want <= s->stash_cap) {
        return true;
    }
    if (want > stash_bound(s)) {
        return false;
    }
    uint64_t cap = (want + LIMIT_STASH_ROUND - 1) / LIMIT_STASH_ROUND *
                   LIMIT_STASH_ROUND;
    /* [conn.input-budget]: the session that would pass the budget is the
     * one refused; the others keep what they hold. */
    struct engine *e = s->engine;
    uint64_t grow = cap - s->stash_cap;
    if (e->cfg.input_budget != 0 && e->input_held + grow > e->cfg.input_budget) {
        s->over_budget = true;
        return false;
    }
    uint8_t *grown = realloc(s->stash, (size_t)cap);
    if (grown == NULL) {
        return false;
    }
    e->input_held += grow;
    s->stash = grown;
    s->stash_cap = (uint32_t)cap;
    return true;
}

/* Keeps only stash[used..), and frees the stash when it empties. */
static void
stash_drop(struct session *s, size_t used)
{
    CHECK(used <= s->stash_len);
    s->stash_len -= (uint32_t)used;
    if (s->stash_len == 0) {
        s->engine->input_held -= s->stash_cap;
        free(s->stash);
        s->stash = NULL;
        s->stash_cap = 0;
    } else if (used > 0) {
        memmove(s->stash, s->stash + used, s->stash_len);
    }
}

static void
run_stash(struct session *s, uint32_t real_s)
{
    size_t used = process(s, s->stash, s->stash_len, real_s);
    if (s->state == SESSION_OPEN) {
        stash_drop(s, used);
    } else {
        stash_drop(s, s->stash_len);
    }
}

/* [conn.input-budget]: SERVER_ERROR out of memory, then the connection
 * closes once its earlier replies are out. */
static void
refuse_over_budget(struct session *s)
{
    trace_event(s, "closing: input over the budget of all connections");
    struct request none;
    memset(&none, 0, sizeof none);
    struct reply r = {.e = s->engine, .q = &s->out, .req = &none,
                      .compose = composer(s)};
    reply_status(&r, RESP_NO_MEMORY, false);
    s->state = SESSION_CLOSING;
}

void
session_input(struct session *s, const uint8_t *data, size_t len,
              uint32_t real_s)
{
    CHECK(s != NULL);
    CHECK(data != NULL);
    if (session_state(s) != SESSION_OPEN) {
        if (s->quit_seen && s->engine->check != NULL) {
            edge_after_quit(s, data, len);
        }
        return; /* nothing after quit or close is read */
    }
    if (!s->yielded) {
        s->turn_done = 0;
    }
    if (s->stash_len == 0 && !s->paused && !s->yielded) {
        /* The common case: parse straight from the caller's buffer, and
         * stash only an incomplete tail. */
        size_t used = process(s, data, len, real_s);
        if (s->state != SESSION_OPEN || used == len) {
            return;
        }
        data += used;
        len -= used;
    }
    if (!stash_reserve(s, len)) {
        if (s->over_budget) {
            refuse_over_budget(s);
            return;
        }
        trace_event(s, "aborting: input over its bound, or no memory");
        s->state = SESSION_ABORT;
        return;
    }
    memcpy(s->stash + s->stash_len, data, len);
    s->stash_len += (uint32_t)len;
    if (!s->paused && !s->yielded) {
        run_stash(s, real_s);
    }
}

void
session_peer_closed(struct session *s)
{
    CHECK(s != NULL);
    struct client_check *check = s->engine->check;
    if (check == NULL || session_state(s) != SESSION_OPEN) {
        return;
    }
    if (s->quiet_open) {
        client_check_record(check, 1u << CLIENT_QUIET_NOOP, s->conn_id,
                            s->quiet_request, NULL, 0);
    }
    /* [client.unanswered]: a request half sent, or replies not yet read. */
    if (s->stash_len > 0 || s->out.pending > 0) {
        client_check_record(check, 1u << CLIENT_UNANSWERED, s->conn_id,
                            s->requests + (s->stash_len > 0), s->stash,
                            s->stash_len);
    }
}

void
session_resume(struct session *s, uint32_t real_s)
{
    CHECK(s != NULL);
    if (!session_yielded(s)) {
        return;
    }
    s->yielded = false;
    s->dump_turn = false;
    s->turn_done = 0;
    if (!s->paused) {
        run_stash(s, real_s);
    }
}

const uint8_t *
session_refusal(size_t *len)
{
    return proto_text_reply(PROTO_REPLY_TOO_MANY_CONNS, len);
}

size_t
session_output(const struct session *s, struct outq_segment *seg, size_t max)
{
    return outq_segments(&s->out, seg, max);
}

void
session_sent(struct session *s, size_t n, uint32_t real_s)
{
    outq_consume(&s->out, n);
    if (s->paused && s->state == SESSION_OPEN &&
        s->out.pending < LIMIT_OUTPUT_PAUSE) {
        s->paused = false;
        trace_event(s, "resumed");
        if (!s->yielded) {
            run_stash(s, real_s);
        }
    }
}
