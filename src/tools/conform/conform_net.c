/*
 * conform_net.c - addresses and connections with deadlines; see
 * conform_net.h. Every blocking wait is a poll() bounded by a deadline.
 */
#include "conform_net.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_MS 1000000ull

uint64_t
conform_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void
conform_sleep_ns(uint64_t ns)
{
    struct timespec ts = {
        .tv_sec = (time_t)(ns / 1000000000ull),
        .tv_nsec = (long)(ns % 1000000000ull),
    };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}


void
conform_conn_init(struct conform_conn *c)
{
    memset(c, 0, sizeof(*c));
    c->fd = -1;
}

/* Milliseconds until deadline for poll(): 0 when it has passed. */
static int
poll_ms(uint64_t deadline_ns)
{
    uint64_t now = conform_now_ns();
    if (now >= deadline_ns) {
        return 0;
    }
    uint64_t ms = (deadline_ns - now + NS_PER_MS - 1) / NS_PER_MS;
    return ms > 3600000u ? 3600000 : (int)ms;
}

bool
conform_conn_open(struct conform_conn *c, const struct tool_addr *a,
                  uint64_t deadline_ns, char err[CONFORM_ERR_LEN])
{
    conform_conn_close(c);
    int fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, CONFORM_ERR_LEN, "socket: %s", strerror(errno));
        return false;
    }
    if (a->family != AF_UNIX) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    int rc = connect(fd, (const struct sockaddr *)&a->storage, a->len);
    if (rc != 0 && errno != EINPROGRESS && errno != EAGAIN) {
        snprintf(err, CONFORM_ERR_LEN, "connect: %s", strerror(errno));
        close(fd);
        return false;
    }
    if (rc != 0) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        int n;
        do {
            n = poll(&pfd, 1, poll_ms(deadline_ns));
        } while (n < 0 && errno == EINTR);
        int so_err = 0;
        socklen_t so_len = sizeof(so_err);
        if (n == 0) {
            snprintf(err, CONFORM_ERR_LEN, "connect: timed out");
            close(fd);
            return false;
        }
        if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_err,
                                &so_len) != 0 || so_err != 0) {
            snprintf(err, CONFORM_ERR_LEN, "connect: %s",
                     strerror(n < 0 ? errno : so_err));
            close(fd);
            return false;
        }
    }
    c->fd = fd;
    return true;
}

void
conform_conn_close(struct conform_conn *c)
{
    if (c->fd >= 0) {
        close(c->fd);
    }
    conform_buf_free(&c->rx);
    conform_conn_init(c);
}

void
conform_conn_reset(struct conform_conn *c)
{
    if (c->fd >= 0) {
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    }
    conform_conn_close(c);
}

void
conform_conn_half_close(struct conform_conn *c)
{
    if (c->fd >= 0 && !c->write_shut) {
        shutdown(c->fd, SHUT_WR);
        c->write_shut = true;
    }
}

const uint8_t *
conform_conn_data(const struct conform_conn *c)
{
    /* An empty buffer has no memory yet; NULL + 0 is undefined. */
    return c->rx.data != NULL ? c->rx.data + c->rx_off : (const uint8_t *)"";
}

size_t
conform_conn_unread(const struct conform_conn *c)
{
    return c->rx.len - c->rx_off;
}

void
conform_conn_consume(struct conform_conn *c, size_t n)
{
    c->rx_off += n;
    if (c->rx_off == c->rx.len) {
        conform_buf_reset(&c->rx);
        c->rx_off = 0;
    } else if (c->rx_off >= CONFORM_READ_LEN) {
        size_t left = c->rx.len - c->rx_off;
        memmove(c->rx.data, c->rx.data + c->rx_off, left);
        c->rx.len = left;
        c->rx_off = 0;
    }
}

/* One read() into rx; the socket is known or hoped to be readable. */
static enum conform_io
read_once(struct conform_conn *c)
{
    size_t unread = conform_conn_unread(c);
    if (unread >= CONFORM_RX_MAX) {
        return CONFORM_IO_FULL;
    }
    size_t room = CONFORM_RX_MAX - unread;
    uint8_t tmp[CONFORM_READ_LEN];
    size_t want = room < sizeof(tmp) ? room : sizeof(tmp);
    ssize_t n = recv(c->fd, tmp, want, MSG_DONTWAIT);
    if (n > 0) {
        if (!conform_buf_append(&c->rx, tmp, (size_t)n,
                                CONFORM_RX_MAX + c->rx_off)) {
            c->err_no = ENOMEM;
            return CONFORM_IO_ERROR;
        }
        return CONFORM_IO_OK;
    }
    if (n == 0) {
        c->peer_closed = true;
        return CONFORM_IO_CLOSED;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        return CONFORM_IO_TIMEOUT;  /* nothing yet; the caller polls again */
    }
    c->err_no = errno;
    if (errno == ECONNRESET || errno == EPIPE) {
        c->peer_closed = true;
        return CONFORM_IO_CLOSED;
    }
    return CONFORM_IO_ERROR;
}

enum conform_io
conform_conn_read(struct conform_conn *c, uint64_t deadline_ns)
{
    if (c->fd < 0 || c->peer_closed) {
        return CONFORM_IO_CLOSED;
    }
    for (;;) {
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        int n = poll(&pfd, 1, poll_ms(deadline_ns));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            c->err_no = errno;
            return CONFORM_IO_ERROR;
        }
        if (n == 0) {
            return CONFORM_IO_TIMEOUT;
        }
        enum conform_io io = read_once(c);
        if (io != CONFORM_IO_TIMEOUT) {
            return io;
        }
        if (conform_now_ns() >= deadline_ns) {
            return CONFORM_IO_TIMEOUT;
        }
    }
}

enum conform_io
conform_conn_send(struct conform_conn *c, const uint8_t *data, size_t len,
                  uint32_t idle_ms, uint64_t deadline_ns)
{
    if (c->fd < 0 || c->write_shut) {
        return CONFORM_IO_CLOSED;
    }
    size_t done = 0;
    while (done < len) {
        bool can_read = !c->peer_closed &&
                        conform_conn_unread(c) < CONFORM_RX_MAX;
        struct pollfd pfd = {
            .fd = c->fd,
            .events = (short)(POLLOUT | (can_read ? POLLIN : 0)),
        };
        uint64_t idle_end = conform_now_ns() + idle_ms * NS_PER_MS;
        int n = poll(&pfd, 1,
                     poll_ms(idle_end < deadline_ns ? idle_end : deadline_ns));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            c->err_no = errno;
            return CONFORM_IO_ERROR;
        }
        if (n == 0) {
            return CONFORM_IO_TIMEOUT;
        }
        if (can_read && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
            enum conform_io io = read_once(c);
            if (io == CONFORM_IO_ERROR) {
                return io;
            }
        }
        if (pfd.revents & (POLLOUT | POLLERR | POLLHUP)) {
            ssize_t w = send(c->fd, data + done, len - done,
                             MSG_NOSIGNAL | MSG_DONTWAIT);
            if (w > 0) {
                done += (size_t)w;
            } else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
                       errno != EINTR) {
                c->err_no = errno;
                if (errno == EPIPE || errno == ECONNRESET) {
                    c->peer_closed = true;
                    return CONFORM_IO_CLOSED;
                }
                return CONFORM_IO_ERROR;
            }
        }
    }
    return CONFORM_IO_OK;
}
