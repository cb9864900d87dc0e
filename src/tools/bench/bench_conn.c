/*
 * bench_conn.c - one client connection's socket, buffers and in-flight
 * ring; see bench_conn.h.
 */
#include "bench_conn.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "bench_limits.h"

bool
bench_conn_init(struct bench_conn *c, const struct bench_conn_sizes *sz)
{
    assert(sz->wbuf_cap > 0 && sz->rbuf_cap > 0 && sz->slot_cap > 0);
    assert(sz->rbuf_cap <= sz->rbuf_cap_max);
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    c->wbuf = malloc(sz->wbuf_cap);
    c->rbuf = malloc(sz->rbuf_cap);
    c->slots = calloc(sz->slot_cap, sizeof(*c->slots));
    c->key_store = malloc(sz->slot_cap * sz->slot_key_len + 1);
    if (c->wbuf == NULL || c->rbuf == NULL || c->slots == NULL
        || c->key_store == NULL) {
        bench_conn_deinit(c);
        return false;
    }
    c->wbuf_cap = sz->wbuf_cap;
    c->rbuf_cap = sz->rbuf_cap;
    c->rbuf_cap_max = sz->rbuf_cap_max;
    c->slot_cap = sz->slot_cap;
    c->slot_key_len = sz->slot_key_len;
    for (size_t i = 0; i < c->slot_cap; i++) {
        c->slots[i].keys = c->key_store + i * c->slot_key_len;
    }
    return true;
}

void
bench_conn_deinit(struct bench_conn *c)
{
    if (c->fd >= 0) {
        close(c->fd);
    }
    free(c->wbuf);
    free(c->rbuf);
    free(c->slots);
    free(c->key_store);
    memset(c, 0, sizeof(*c));
    c->fd = -1;
}

/* Sets the options of a fresh socket; false with errno set. */
static bool
tune_socket(int fd, int family)
{
    struct timeval tv = {.tv_sec = BENCH_CONNECT_TIMEOUT_S};
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
        return false;
    }
    if (family == AF_INET || family == AF_INET6) {
        /* Pipelined requests go out in one write; Nagle would only add
           delay to the last partial segment. */
        int one = 1;
        if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one))
            != 0) {
            return false;
        }
    }
    return true;
}

bool
bench_conn_connect(struct bench_conn *c, const struct tool_addr *a)
{
    assert(c->fd < 0);
    int fd = socket(a->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        c->err_no = errno;
        c->state = BENCH_CONN_DEAD;
        return false;
    }
    /* A blocking connect (bounded by SO_SNDTIMEO, which Linux applies to
       connect) keeps at most one connection waiting in the server's
       listen backlog, so thousands of connects never overflow it. */
    bool ok = tune_socket(fd, a->family);
    while (ok && connect(fd, (const struct sockaddr *)&a->storage, a->len)
                     != 0) {
        ok = errno == EINTR;
    }
    int flags = ok ? fcntl(fd, F_GETFL) : -1;
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        c->err_no = errno;
        close(fd);
        c->state = BENCH_CONN_DEAD;
        return false;
    }
    c->fd = fd;
    c->state = BENCH_CONN_HANDSHAKE;
    return true;
}

void
bench_conn_close(struct bench_conn *c)
{
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    c->state = BENCH_CONN_DEAD;
    c->want_out = false;
    c->wbuf_len = 0;
    c->rbuf_len = 0;
    c->slot_head = 0;
    c->slot_count = 0;
}

enum bench_io
bench_conn_flush(struct bench_conn *c)
{
    size_t sent = 0;
    enum bench_io io = BENCH_IO_OK;
    while (sent < c->wbuf_len) {
        ssize_t n = send(c->fd, c->wbuf + sent, c->wbuf_len - sent,
                         MSG_NOSIGNAL);
        if (n > 0) {
            sent += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            io = BENCH_IO_AGAIN;
            break;
        } else {
            c->err_no = n < 0 ? errno : EPIPE;
            return BENCH_IO_ERROR;
        }
    }
    /* A partial write is rare (socket buffer full); moving the rest to the
       front keeps the free space at the end contiguous. */
    if (sent > 0) {
        memmove(c->wbuf, c->wbuf + sent, c->wbuf_len - sent);
        c->wbuf_len -= sent;
    }
    return io;
}

static bool
grow_rbuf(struct bench_conn *c)
{
    if (c->rbuf_cap >= c->rbuf_cap_max) {
        return false;
    }
    size_t cap = c->rbuf_cap_max / 2 < c->rbuf_cap ? c->rbuf_cap_max
                                                   : c->rbuf_cap * 2;
    uint8_t *p = realloc(c->rbuf, cap);
    if (p == NULL) {
        return false;
    }
    c->rbuf = p;
    c->rbuf_cap = cap;
    return true;
}

enum bench_io
bench_conn_read(struct bench_conn *c)
{
    if (c->rbuf_len == c->rbuf_cap && !grow_rbuf(c)) {
        return BENCH_IO_FULL;
    }
    for (;;) {
        ssize_t n = recv(c->fd, c->rbuf + c->rbuf_len,
                         c->rbuf_cap - c->rbuf_len, 0);
        if (n > 0) {
            c->rbuf_len += (size_t)n;
            return BENCH_IO_OK;
        }
        if (n == 0) {
            return BENCH_IO_EOF;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return BENCH_IO_AGAIN;
        }
        c->err_no = errno;
        return BENCH_IO_ERROR;
    }
}

void
bench_conn_consume(struct bench_conn *c, size_t len)
{
    assert(len <= c->rbuf_len);
    memmove(c->rbuf, c->rbuf + len, c->rbuf_len - len);
    c->rbuf_len -= len;
}

struct bench_slot *
bench_conn_slot_tail(struct bench_conn *c)
{
    assert(c->slot_count < c->slot_cap);
    return &c->slots[(c->slot_head + c->slot_count) % c->slot_cap];
}

void
bench_conn_slot_commit(struct bench_conn *c)
{
    assert(c->slot_count < c->slot_cap);
    c->slot_count++;
}

struct bench_slot *
bench_conn_slot_head(struct bench_conn *c)
{
    return c->slot_count == 0 ? NULL : &c->slots[c->slot_head];
}

void
bench_conn_slot_pop(struct bench_conn *c)
{
    assert(c->slot_count > 0);
    c->slot_head = (c->slot_head + 1) % c->slot_cap;
    c->slot_count--;
}
