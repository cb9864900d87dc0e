/*
 * conform_net.h - the server address and one client connection with
 * timeouts: every connect, read and write waits at most until a deadline,
 * and unread bytes are bounded by CONFORM_RX_MAX.
 *
 * A connection the server closes (EOF, reset, EPIPE) is a state the caller
 * reads, never an error that aborts a run. The only file that makes socket
 * calls.
 */
#ifndef CONFORM_NET_H
#define CONFORM_NET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "conform_bytes.h"
#include "conform_limits.h"

/* The server address: see ../common/tool_addr.h. */
#include "../common/tool_addr.h"

enum conform_io {
    CONFORM_IO_OK = 0,    /* sent everything / some bytes arrived */
    CONFORM_IO_TIMEOUT,   /* the deadline passed */
    CONFORM_IO_CLOSED,    /* the server closed (EOF, reset, EPIPE) */
    CONFORM_IO_FULL,      /* CONFORM_RX_MAX unread bytes: reply too large */
    CONFORM_IO_ERROR,     /* another socket error; err_no says which */
};

struct conform_conn {
    int fd;                 /* -1 when not open */
    bool peer_closed;       /* EOF or reset seen; no more bytes will come */
    bool write_shut;        /* half-closed by us */
    int err_no;
    struct conform_buf rx;  /* bytes [rx_off, rx.len) arrived, unread */
    size_t rx_off;
};

/* Monotonic time in nanoseconds. */
uint64_t conform_now_ns(void);
/* Sleeps for ns (restarting after signals). */
void conform_sleep_ns(uint64_t ns);

/* An empty, closed connection. */
void conform_conn_init(struct conform_conn *c);
/*
 * Connects (non-blocking, TCP_NODELAY for TCP), waiting until deadline_ns.
 * False with err set; c stays closed.
 */
bool conform_conn_open(struct conform_conn *c, const struct tool_addr *a,
                       uint64_t deadline_ns, char err[CONFORM_ERR_LEN]);
/* Closes the socket and frees the buffer; c can be opened again. */
void conform_conn_close(struct conform_conn *c);
/* Closes with SO_LINGER 0: the server sees a reset (RST), not a FIN. */
void conform_conn_reset(struct conform_conn *c);
/* shutdown(SHUT_WR): the server sees end of input. */
void conform_conn_half_close(struct conform_conn *c);

/*
 * Writes data[0, len) in one write where the socket takes it, reading
 * whatever the server sends meanwhile into rx (so a server that answers
 * while we write never deadlocks us). Fails with TIMEOUT when nothing could
 * be written or read for idle_ms, or at deadline_ns; CLOSED when the server
 * closed (a normal outcome: the next expectation judges it).
 */
enum conform_io conform_conn_send(struct conform_conn *c, const uint8_t *data,
                                  size_t len, uint32_t idle_ms,
                                  uint64_t deadline_ns);
/*
 * Waits until deadline_ns for bytes and appends what one read returns to
 * rx. A deadline in the past polls once without waiting.
 */
enum conform_io conform_conn_read(struct conform_conn *c,
                                  uint64_t deadline_ns);

/* The unread bytes. */
const uint8_t *conform_conn_data(const struct conform_conn *c);
size_t conform_conn_unread(const struct conform_conn *c);
/* Marks the first n unread bytes read. */
void conform_conn_consume(struct conform_conn *c, size_t n);

#endif
