/*
 * session.h - one connection without its socket: bytes in, bytes out.
 *
 * A session feeds what a client sent to the parser, executes each request,
 * and queues the replies. It is what unit tests, property tests and fuzzers
 * drive directly, and what the network layer wraps around a socket.
 *
 * Input: session_input() takes every byte it is given; what does not yet
 * form a complete request is kept in the session's stash (allocated only
 * while needed). Output: session_output() lists the queued reply bytes;
 * session_sent() drops those the socket took. While more than
 * LIMIT_OUTPUT_PAUSE bytes wait, the session stops executing requests, and
 * session_wants_input() turns false ([conn.output-bound]); it resumes by
 * itself once session_sent() brings the backlog under that bound.
 *
 * Turns (-R, memcached's reqs_per_event): with a turn limit set, a session
 * executes at most that many requests per session_input() and then yields
 * if input is left: it keeps the rest in its stash, wants no input, and
 * session_resume() starts its next turn once others have had theirs.
 *
 * Protocols: the session holds its connection's protocol state. The text
 * and meta protocols share a connection (a meta command is a text line, and
 * its replies are composed by proto/meta); the binary protocol is chosen
 * by the connection's first byte (0x80), or fixed by -B. session.c decides that in
 * one place (choose_protocol).
 *
 * An idle session (nothing stashed, queued or in progress) holds no buffer.
 */
#ifndef MCREF_SESSION_H
#define MCREF_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../proto/binary.h"
#include "../proto/text.h"
#include "commands.h"
#include "engine.h"
#include "outq.h"

enum session_state {
    SESSION_OPEN,
    SESSION_CLOSING,  /* send what is queued, then close (quit, protocol) */
    SESSION_SHUTDOWN, /* as CLOSING, and stop the server ([misc.shutdown]) */
    SESSION_ABORT,    /* close now: out of memory, or the hard bound */
};

/* Log lines for -vv/-vvv: direction '<' a command line, '>' a reply line,
 * '-' an internal event (text is ours). Called only at those levels. */
typedef void (*session_trace_fn)(void *ctx, char direction,
                                 const uint8_t *text, size_t len);

/* The protocols a connection may speak. */
enum session_protocol {
    SESSION_PROTO_UNKNOWN, /* no byte seen yet */
    SESSION_PROTO_LINE,    /* text and meta ([meta.interleave]) */
    SESSION_PROTO_BINARY,  /* binary packets ([bin.*]) */
};

/* Each connection holds one (idle ones too: README "6b. idle conns"), so
 * fields go widest first within each group, leaving no holes. */
struct session {
    struct engine *engine;
    union {                /* the protocol's, set up once it is chosen */
        struct proto_text_parser text;  /* SESSION_PROTO_LINE */
        struct proto_bin_parser bin;    /* SESSION_PROTO_BINARY */
    } parser;
    struct outq out;
    uint8_t *stash;       /* input kept between calls, or NULL */
    struct get_cursor get; /* a retrieval paused between keys */
    session_trace_fn trace;
    void *trace_ctx;
    enum session_protocol protocol;
    uint32_t stash_len;
    uint32_t stash_cap;
    enum session_state state;
    uint32_t turn_limit;   /* requests per turn; 0 = no limit */
    uint32_t turn_done;    /* requests executed in this turn */
    bool authenticated;    /* -S: SASL done ([auth.sasl]) */
    bool over_budget;     /* refused by the input budget of all sessions */
    bool paused;           /* over the output bound: not executing */
    bool yielded;          /* its turn is over with input left (-R) */
    bool dump_turn;        /* yielded between steps of a key dump, not by
                              -R ([admin.dump-walk]) */
    /* Client conformance testing (edge.h); untouched while the engine has
     * neither strict mode nor faults. */
    uint64_t conn_id;      /* the server's connection number, from 1 */
    uint64_t requests;     /* requests parsed so far */
    uint64_t quiet_request; /* the first open quiet request's number */
    /* Faults on the way out, set by edge.c and read by the connection
     * only through session_fault_delay/_write_cap/_wrote below. */
    uint64_t fault_close_left; /* close once this many more bytes are sent */
    uint32_t fault_piece;  /* write at most this many bytes at a time... */
    uint32_t fault_piece_left; /* ...for this many more bytes */
    uint32_t fault_delay_ms;   /* wait this long before the next write */
    bool fault_close;      /* close once fault_close_left bytes are sent */
    bool quit_seen;        /* [client.after-quit] */
    bool quiet_open;       /* [client.quiet-noop]: a quiet request not yet
                              followed by one that answers (mn, or any
                              other); the binary protocol's quiet opcodes
                              are to set it too */
};

void session_init(struct session *s, struct engine *e);
void session_deinit(struct session *s);

void session_set_trace(struct session *s, session_trace_fn fn, void *ctx);

/* At most `limit` requests per turn (0, the default: no limit). */
void session_set_turn_limit(struct session *s, uint32_t limit);

/* Takes all of data[0..len) at real time real_s (>= 1). */
void session_input(struct session *s, const uint8_t *data, size_t len,
                   uint32_t real_s);

/* Up to max runs of queued reply bytes; returns how many. */
size_t session_output(const struct session *s, struct outq_segment *seg,
                      size_t max);

/* n queued bytes were sent; may resume executing stashed requests. */
void session_sent(struct session *s, size_t n, uint32_t real_s);

static inline uint64_t
session_pending(const struct session *s)
{
    return s->out.pending;
}

/* The state, where a reply queue that lost its bytes (outq.h) is an abort. */
static inline enum session_state
session_state(const struct session *s)
{
    return s->out.failed ? SESSION_ABORT : s->state;
}

static inline bool
session_wants_input(const struct session *s)
{
    return session_state(s) == SESSION_OPEN && !s->paused && !s->yielded;
}

/* Its turn ended with requests left: call session_resume() later. */
static inline bool
session_yielded(const struct session *s)
{
    return s->yielded && session_state(s) == SESSION_OPEN;
}

/* Yielded because -R cut its turn short (counted in conn_yields). */
static inline bool
session_turn_cut(const struct session *s)
{
    return session_yielded(s) && !s->dump_turn;
}

/* Starts a new turn on the stashed requests of a yielded session. */
void session_resume(struct session *s, uint32_t real_s);

/* The client closed its side ([client.unanswered] in strict mode). */
void session_peer_closed(struct session *s);

/* Nothing stashed, queued, paused or half-parsed. */
bool session_idle(const struct session *s);

/* [conn.max]: what a connection refused before it was opened is told,
 * whatever protocol it would have spoken (memcached's text line). */
const uint8_t *session_refusal(size_t *len);

/*
 * Injected faults (faults.h) for the network layer. Only while the engine
 * has a fault plan (session_faults_on) does a connection need to ask:
 *   - session_accept_fault(): [faults.connect] for a connection just
 *     accepted, numbered conn_id from 1 (refuse it, or hold it *hold_ms);
 *   - before each write, session_fault_delay(): [faults.delay], how long to
 *     hold the connection before it writes again (0: none; asking takes
 *     it); then session_write_cap(): the most bytes that write may take
 *     ([faults.cut] pieces, [faults.close]: 0 means close now);
 *   - after each write, session_wrote() with what the socket took.
 */
static inline bool
session_faults_on(const struct session *s)
{
    return s->engine->faults != NULL;
}

bool session_accept_fault(struct engine *e, uint64_t conn_id,
                          uint32_t *hold_ms);
uint32_t session_fault_delay(struct session *s);
size_t session_write_cap(const struct session *s);
void session_wrote(struct session *s, size_t n);

/* The server's number for this connection (findings and faults name it). */
static inline void
session_set_conn_id(struct session *s, uint64_t conn_id)
{
    s->conn_id = conn_id;
}

/* Bytes of input held in the stash (for stats and tests). */
static inline uint32_t
session_stashed(const struct session *s)
{
    return s->stash_len;
}

#endif
