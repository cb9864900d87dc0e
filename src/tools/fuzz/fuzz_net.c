/* fuzz_net.c - see fuzz_net.h. */
#include "fuzz_net.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NET_CONNECT_MS 2000

static uint64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void
fuzz_net_init(struct fuzz_net *n, const struct tool_addr *a,
              uint32_t timeout_ms)
{
    memset(n, 0, sizeof *n);
    n->addr = *a;
    n->fd = -1;
    n->timeout_ms = timeout_ms;
    n->quiet_ms = 150;
}

static void
net_close(void *ctx)
{
    struct fuzz_net *n = ctx;
    if (n->fd >= 0) {
        close(n->fd);
        n->fd = -1;
    }
}

static bool
net_open(void *ctx, char *err, size_t err_len)
{
    struct fuzz_net *n = ctx;
    net_close(n);
    int fd = socket(n->addr.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    0);
    if (fd < 0) {
        snprintf(err, err_len, "socket: %s", strerror(errno));
        return false;
    }
    if (n->addr.family != AF_UNIX) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    if (connect(fd, (const struct sockaddr *)&n->addr.storage, n->addr.len) !=
            0 &&
        errno != EINPROGRESS) {
        snprintf(err, err_len, "connect: %s", strerror(errno));
        close(fd);
        return false;
    }
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (poll(&p, 1, NET_CONNECT_MS) != 1 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 ||
        soerr != 0) {
        snprintf(err, err_len, "connect: %s",
                 soerr != 0 ? strerror(soerr) : "timed out");
        close(fd);
        return false;
    }
    n->fd = fd;
    return true;
}

/* Writes everything, reading replies meanwhile so neither side blocks. */
static bool
send_all(struct fuzz_net *n, const uint8_t *data, size_t len,
         struct fuzz_buf *reply, uint64_t deadline)
{
    while (len > 0) {
        struct pollfd p = {.fd = n->fd, .events = POLLOUT | POLLIN};
        uint64_t now = now_ms();
        if (now >= deadline ||
            poll(&p, 1, (int)(deadline - now)) <= 0) {
            return false;
        }
        if (p.revents & POLLIN) {
            uint8_t tmp[65536];
            ssize_t r = recv(n->fd, tmp, sizeof tmp, 0);
            if (r <= 0) {
                return false;
            }
            fuzz_buf_add(reply, tmp, (size_t)r);
        }
        if (p.revents & (POLLERR | POLLHUP)) {
            return false;
        }
        if (p.revents & POLLOUT) {
            ssize_t w = send(n->fd, data, len, MSG_NOSIGNAL);
            if (w < 0 && errno != EAGAIN && errno != EINTR) {
                return false;
            }
            if (w > 0) {
                data += w;
                len -= (size_t)w;
                n->bytes_sent += (uint64_t)w;
            }
        }
    }
    return true;
}

static enum fuzz_io
net_exchange(void *ctx, const uint8_t *data, size_t len, size_t split,
             size_t expect_len, const uint8_t *end, size_t end_len,
             size_t end_count, struct fuzz_buf *reply)
{
    struct fuzz_net *n = ctx;
    if (n->fd < 0) {
        return FUZZ_IO_CLOSED;
    }
    uint64_t deadline = now_ms() + n->timeout_ms;
    size_t piece = split == 0 ? len : split;
    for (size_t off = 0; off < len; off += piece) {
        size_t k = len - off < piece ? len - off : piece;
        if (!send_all(n, data + off, k, reply, deadline)) {
            /* The target closed (or stopped reading): what came counts. */
            break;
        }
    }
    for (;;) {
        if (end_len > 0 && fuzz_buf_ends_with(reply, end, end_len) &&
            fuzz_count(reply->p, reply->len, end, end_len) >= end_count) {
            return FUZZ_IO_OK;
        }
        uint64_t now = now_ms();
        if (now >= deadline) {
            return end_len > 0 ? FUZZ_IO_TIMEOUT : FUZZ_IO_OK;
        }
        uint64_t wait = deadline - now;
        /* The end is unknown: silence ends it. */
        bool quiet_ends = end_len == 0 && reply->len >= expect_len;
        if (quiet_ends && wait > n->quiet_ms) {
            wait = n->quiet_ms;
        }
        struct pollfd p = {.fd = n->fd, .events = POLLIN};
        int pr = poll(&p, 1, (int)wait);
        if (pr == 0) {
            if (quiet_ends) {
                return FUZZ_IO_OK;
            }
            continue;
        }
        if (pr < 0) {
            if (errno == EINTR) {
                continue;
            }
            return FUZZ_IO_CLOSED;
        }
        uint8_t tmp[65536];
        ssize_t r = recv(n->fd, tmp, sizeof tmp, 0);
        if (r <= 0) {
            if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
                continue;
            }
            net_close(n);
            return FUZZ_IO_CLOSED;
        }
        fuzz_buf_add(reply, tmp, (size_t)r);
        if (reply->len > (64u << 20)) {
            return FUZZ_IO_OK; /* far more than any generated reply */
        }
    }
}

struct fuzz_target
fuzz_net_target(struct fuzz_net *n)
{
    struct fuzz_target t = {.ctx = n, .open = net_open,
                            .exchange = net_exchange, .close = net_close};
    return t;
}

bool
fuzz_net_probe(struct fuzz_net *n, const char *probe, struct fuzz_buf *reply,
               char *err, size_t err_len)
{
    if (!net_open(n, err, err_len)) {
        return false;
    }
    uint32_t keep = n->quiet_ms;
    n->quiet_ms = 300;
    net_exchange(n, (const uint8_t *)probe, strlen(probe), 0, 1, NULL, 0, 0,
                 reply);
    n->quiet_ms = keep;
    net_close(n);
    return true;
}
