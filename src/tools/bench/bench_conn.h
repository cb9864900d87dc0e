/*
 * bench_conn.h - one client connection: socket, write and read buffers, and
 * the ring of requests in flight (oldest first, answered in order).
 *
 * The connection owns its buffers (allocated once by init, sized by the
 * caller from the options) and its fd. It makes the socket calls for one
 * connection; it does not know epoll or what the requests mean.
 */
#ifndef BENCH_CONN_H
#define BENCH_CONN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/tool_addr.h"
#include "bench_keys.h"

enum bench_op {
    BENCH_OP_GET = 0,
    BENCH_OP_SET,
    BENCH_OP_STATS,
    BENCH_OP_VERSION,
};

/* One request in flight. */
struct bench_slot {
    uint64_t start_ns;   /* latency counts from here */
    enum bench_op op;
    uint32_t key_count;  /* keys written at `keys` */
    uint8_t *keys;       /* slot_key_len bytes owned by the connection */
    uint64_t key_id;     /* the id of a single-key request */
    bool noop_after;     /* meta: `mn` was sent right after it */
};

enum bench_conn_state {
    BENCH_CONN_CLOSED = 0, /* no socket yet */
    BENCH_CONN_HANDSHAKE,  /* connected, `version` in flight */
    BENCH_CONN_READY,
    BENCH_CONN_DEAD,       /* closed after an error; stays closed */
};

struct bench_conn_sizes {
    size_t wbuf_cap;
    size_t rbuf_cap;       /* to start with: room for a typical reply */
    size_t rbuf_cap_max;   /* room for the largest reply we accept */
    size_t slot_cap;       /* requests in flight at most */
    size_t slot_key_len;   /* key bytes kept per request */
};

enum bench_io {
    BENCH_IO_OK = 0,   /* flush: all written; read: bytes arrived */
    BENCH_IO_AGAIN,    /* would block */
    BENCH_IO_EOF,      /* read: peer closed */
    BENCH_IO_FULL,     /* read: rbuf full at rbuf_cap_max, or no memory */
    BENCH_IO_ERROR,    /* errno kept in err_no */
};

struct bench_conn {
    int fd;                    /* -1 when closed */
    enum bench_conn_state state;
    bool active;               /* sends load (vs. stays idle) */
    bool want_out;             /* EPOLLOUT is registered */
    int err_no;                /* errno of the last failed call */

    uint8_t *wbuf;
    size_t wbuf_cap, wbuf_len; /* bytes [0, wbuf_len) still to write */
    uint8_t *rbuf;
    size_t rbuf_cap, rbuf_len; /* bytes [0, rbuf_len) not yet parsed */
    size_t rbuf_cap_max;

    struct bench_slot *slots;  /* ring of slot_cap */
    size_t slot_cap, slot_head, slot_count;
    uint8_t *key_store;        /* slot_cap * slot_key_len */
    size_t slot_key_len;

    struct bench_prng prng;    /* this connection's request choices */
    uint64_t next_due_ns;      /* --rate: when the next request is due */
};

/* Allocates c's buffers; false on allocation failure (c is then empty). */
bool bench_conn_init(struct bench_conn *c, const struct bench_conn_sizes *sz);
/* Closes the socket and frees the buffers; safe on an empty c. */
void bench_conn_deinit(struct bench_conn *c);

/*
 * Connects to a, blocking up to BENCH_CONNECT_TIMEOUT_S, then makes the
 * socket non-blocking (TCP_NODELAY for TCP). False with err_no set.
 */
bool bench_conn_connect(struct bench_conn *c, const struct tool_addr *a);
/* Closes the socket and marks c dead. */
void bench_conn_close(struct bench_conn *c);

/* Writes as much of wbuf as the socket takes. */
enum bench_io bench_conn_flush(struct bench_conn *c);
/*
 * One read into the free end of rbuf. A full rbuf (a reply longer than it,
 * since complete replies are parsed after every read) is doubled first, up
 * to rbuf_cap_max, so rare large values cost memory only when they come.
 */
enum bench_io bench_conn_read(struct bench_conn *c);
/* Drops the first len parsed bytes of rbuf. */
void bench_conn_consume(struct bench_conn *c, size_t len);

/*
 * The ring. slot_tail returns the free slot after the last one in flight
 * (to fill in; the ring must not be full), slot_commit puts it in flight;
 * slot_head and slot_pop look at and remove the oldest.
 */
struct bench_slot *bench_conn_slot_tail(struct bench_conn *c);
void bench_conn_slot_commit(struct bench_conn *c);
struct bench_slot *bench_conn_slot_head(struct bench_conn *c);
void bench_conn_slot_pop(struct bench_conn *c);

#endif
