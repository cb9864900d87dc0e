/*
 * null_main.c - mcref-null: a do-nothing memcached-protocol server, the
 * floor that `make bench` measures mcref's CPU per operation against.
 *
 * One thread, one level-triggered epoll set; per readiness one read into a
 * shared buffer, every whole request framed (null_frame.h), the replies of
 * the batch written with one write; the interest changes only when a write
 * is short (then the connection waits for EPOLLOUT and reads nothing until
 * it is flushed). It stores nothing and reads no clock. Takes memcached's
 * -p and -l; -U -m -c -t -u take a value and are ignored, so ci/bench.sh
 * starts it with memcached's command line, plus -o value_size=N (the
 * workload's value size) so that its gets hit as mcref's do.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "null_frame.h"
#include "null_limits.h"

struct nconn {
    int fd;
    struct null_frame fr;
    size_t stash_len;             /* an incomplete request's first bytes */
    uint8_t stash[NULL_LINE_MAX];
    uint8_t *out;                 /* replies a short write left (or NULL) */
    size_t out_len, out_off;
    uint8_t *in;                  /* input not framed while out waits */
    size_t in_len;
};

struct nloop {
    int epfd;
    bool hits;          /* -o value_size=N: every get hits with N bytes */
    uint64_t hit_size;
    uint8_t rbuf[NULL_LINE_MAX + NULL_READ_CHUNK];
    uint8_t obuf[NULL_OUT_CAP];
};

static bool
set_interest(struct nloop *l, struct nconn *c, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = c};
    return epoll_ctl(l->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0;
}

static void
close_conn(struct nconn *c)
{
    close(c->fd);
    free(c->out);
    free(c->in);
    free(c);
}

/* Writes buf; what the socket does not take waits in c->out. False when
 * the socket failed. */
static bool
send_replies(struct nconn *c, const uint8_t *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(c->fd, buf + off, len - off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        }
        if (n <= 0) {
            return false;
        }
        off += (size_t)n;
    }
    if (off < len) {
        c->out = malloc(len - off);
        if (c->out == NULL) {
            return false;
        }
        memcpy(c->out, buf + off, len - off);
        c->out_len = len - off;
        c->out_off = 0;
    }
    return true;
}

/* Frames buf[0, len) and answers it. False: close the connection. */
static bool
consume(struct nloop *l, struct nconn *c, const uint8_t *buf, size_t len)
{
    size_t pos = 0;
    for (;;) {
        size_t olen = 0;
        size_t used = null_frame_input(&c->fr, buf + pos, len - pos, l->obuf,
                                       sizeof l->obuf, &olen);
        pos += used;
        if (olen > 0 && !send_replies(c, l->obuf, olen)) {
            return false;
        }
        if (c->fr.close) {
            return false;
        }
        if (c->out != NULL) {
            /* The client is not reading: keep the rest until it does. */
            if (pos < len) {
                c->in = malloc(len - pos);
                if (c->in == NULL) {
                    return false;
                }
                memcpy(c->in, buf + pos, len - pos);
                c->in_len = len - pos;
            }
            return set_interest(l, c, EPOLLOUT);
        }
        if (used == 0 && olen == 0) {
            break;
        }
    }
    /* An incomplete line is shorter than NULL_LINE_MAX (else fr.close). */
    c->stash_len = len - pos;
    memcpy(c->stash, buf + pos, c->stash_len);
    return true;
}

static bool
on_readable(struct nloop *l, struct nconn *c)
{
    memcpy(l->rbuf, c->stash, c->stash_len);
    ssize_t n = read(c->fd, l->rbuf + c->stash_len, NULL_READ_CHUNK);
    if (n < 0) {
        return errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK;
    }
    if (n == 0) {
        return false;
    }
    size_t len = c->stash_len + (size_t)n;
    c->stash_len = 0;
    return consume(l, c, l->rbuf, len);
}

static bool
on_writable(struct nloop *l, struct nconn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return true;
        }
        if (n <= 0) {
            return false;
        }
        c->out_off += (size_t)n;
    }
    free(c->out);
    c->out = NULL;
    uint8_t *in = c->in;
    size_t in_len = c->in_len;
    c->in = NULL;
    c->in_len = 0;
    if (in != NULL || null_frame_owes(&c->fr)) {
        /* A hit's value may still be owed with no input left. */
        static const uint8_t none[1];
        bool ok = consume(l, c, in != NULL ? in : none, in_len);
        free(in);
        if (!ok || c->out != NULL) {
            return ok;
        }
    }
    return set_interest(l, c, EPOLLIN);
}

static void
accept_on(struct nloop *l, int lfd)
{
    for (int i = 0; i < NULL_ACCEPTS_PER_EVENT; i++) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            return;
        }
        int on = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        struct nconn *c = calloc(1, sizeof *c);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (c == NULL || epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            free(c);
            close(fd);
            continue;
        }
        c->fd = fd;
        if (l->hits) {
            null_frame_init_hits(&c->fr, l->hit_size);
        } else {
            null_frame_init(&c->fr);
        }
    }
}

static int
listen_on(const char *addr, int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        fprintf(stderr, "mcref-null: not an IPv4 address: %s\n", addr);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int on = 1;
    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(fd, NULL_LISTEN_BACKLOG) != 0) {
        fprintf(stderr, "mcref-null: %s:%d: %s\n", addr, port,
                strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

static void
usage(FILE *to)
{
    fprintf(to, "usage: mcref-null [-p PORT] [-l IPV4] [-o value_size=N]\n"
                "A do-nothing memcached server (text, meta, binary): every "
                "set is stored\nnowhere, every get misses, or with -o "
                "value_size=N hits with a value of\nN bytes (the "
                "benchmark's value size). A benchmark baseline;\n"
                "-U -m -c -t -u N are ignored.\n");
}

/* -o value_size=N (below NULL_DATA_MAX). False on anything else. */
static bool
parse_o(const char *v, bool *hits, uint64_t *hit_size)
{
    static const char key[] = "value_size=";
    if (strncmp(v, key, sizeof key - 1) != 0) {
        return false;
    }
    const char *d = v + sizeof key - 1;
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(d, &end, 10);
    if (*d < '0' || *d > '9' || errno != 0 || *end != '\0' ||
        n >= NULL_DATA_MAX) {
        return false;
    }
    *hits = true;
    *hit_size = n;
    return true;
}

int
main(int argc, char **argv)
{
    int port = 11211;
    const char *addr = "127.0.0.1";
    bool hits = false;
    uint64_t hit_size = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        bool known = strcmp(a, "-p") == 0 || strcmp(a, "-l") == 0 ||
                     strcmp(a, "-U") == 0 || strcmp(a, "-m") == 0 ||
                     strcmp(a, "-c") == 0 || strcmp(a, "-t") == 0 ||
                     strcmp(a, "-u") == 0 || strcmp(a, "-o") == 0;
        if (!known || i + 1 >= argc) {
            usage(stderr);
            return 1;
        }
        const char *v = argv[++i];
        if (strcmp(a, "-p") == 0) {
            port = atoi(v);
        } else if (strcmp(a, "-l") == 0) {
            addr = v;
        } else if (strcmp(a, "-o") == 0 && !parse_o(v, &hits, &hit_size)) {
            fprintf(stderr, "mcref-null: -o takes value_size=N: %s\n", v);
            return 1;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    int lfd = listen_on(addr, port);
    if (lfd < 0) {
        return 1;
    }
    struct nloop *l = calloc(1, sizeof *l);
    if (l == NULL) {
        return 1;
    }
    l->hits = hits;
    l->hit_size = hit_size;
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    if (l->epfd < 0 || epoll_ctl(l->epfd, EPOLL_CTL_ADD, lfd, &lev) != 0) {
        fprintf(stderr, "mcref-null: epoll: %s\n", strerror(errno));
        return 1;
    }
    struct epoll_event events[NULL_EVENTS_PER_WAIT];
    for (;;) {
        int n = epoll_wait(l->epfd, events, NULL_EVENTS_PER_WAIT, -1);
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "mcref-null: epoll_wait: %s\n", strerror(errno));
            return 1;
        }
        for (int i = 0; i < n; i++) {
            struct nconn *c = events[i].data.ptr;
            if (c == NULL) {
                accept_on(l, lfd);
                continue;
            }
            bool ok = c->out != NULL ? on_writable(l, c) : on_readable(l, c);
            if (!ok) {
                close_conn(c);
            }
        }
    }
}
