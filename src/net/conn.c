/* conn.c - reading, writing and epoll interest for one client connection. */
#include "conn.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../common/check.h"
#include "../common/limits.h"
#include "loop.h"

/* -vv and -vvv lines, memcached's style: "<fd line", ">fd line", "fd: ...". */
static void
conn_trace(void *ctx, char direction, const uint8_t *text, size_t len)
{
    const struct conn *c = ctx;
    char line[768];
    size_t n = 0;
    loop_escape(line, sizeof line, &n, text, len);
    if (direction == '-') {
        loop_log(c->loop, 3, "%d: %s", c->fd, line);
    } else {
        loop_log(c->loop, 2, "%c%d %s", direction, c->fd, line);
    }
}

static bool
set_interest(struct conn *c, uint32_t events)
{
    if (events == c->events) {
        return true;
    }
    struct epoll_event ev = {.events = events, .data.ptr = &c->watch};
    if (epoll_ctl(c->loop->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
        loop_log(c->loop, 1, "%d: epoll_ctl: %s", c->fd, strerror(errno));
        return false;
    }
    c->events = events;
    return true;
}

bool
conn_open(struct conn *c, struct loop *loop, int fd, const struct listener *l,
          uint32_t now_s)
{
    memset(c, 0, sizeof *c);
    c->watch.kind = WATCH_CONN;
    c->fd = fd;
    c->listener = l;
    c->loop = loop;
    c->last_active_s = now_s;
    session_init(&c->session, loop->engine);
    session_set_trace(&c->session, conn_trace, c);
    session_set_turn_limit(&c->session,
                           loop->engine->cfg.settings.reqs_per_event);
    c->events = EPOLLIN;
    struct epoll_event ev = {.events = c->events, .data.ptr = &c->watch};
    if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        loop_log(loop, 1, "%d: epoll_ctl: %s", fd, strerror(errno));
        session_deinit(&c->session);
        return false;
    }
    loop_log(loop, 2, "<%d new ascii client connection", fd);
    return true;
}

void
conn_close(struct conn *c)
{
    if (c->hold_until_ms != 0) {
        conn_release(c);
    }
    loop_log(c->loop, 2, "<%d connection closed.", c->fd);
    /* Closing the fd also removes it from the epoll set. */
    close(c->fd);
    c->fd = -1;
    session_deinit(&c->session);
}

void
conn_hold(struct conn *c, uint32_t ms)
{
    CHECK(ms > 0);
    struct loop *l = c->loop;
    if (c->hold_until_ms == 0) {
        l->held++;
    }
    c->hold_until_ms = l->now_ms + ms;
    if (l->held == 1 || c->hold_until_ms < l->next_hold_ms) {
        l->next_hold_ms = c->hold_until_ms;
    }
    set_interest(c, 0); /* only errors and hang-ups are reported now */
}

bool
conn_hold_over(const struct conn *c)
{
    return c->hold_until_ms != 0 && c->hold_until_ms <= c->loop->now_ms;
}

void
conn_release(struct conn *c)
{
    CHECK(c->hold_until_ms != 0);
    CHECK(c->loop->held > 0);
    c->hold_until_ms = 0;
    c->loop->held--;
}

/* Writes queued replies until done or the socket is full. False when the
 * socket failed, or a fault closes the connection (it must close). */
static bool
flush(struct conn *c, uint32_t now_s)
{
    bool faults = session_faults_on(&c->session);
    for (;;) {
        struct outq_segment seg[LIMIT_WRITE_SEGMENTS];
        size_t n = session_output(&c->session, seg, LIMIT_WRITE_SEGMENTS);
        if (n == 0) {
            return true;
        }
        struct iovec iov[LIMIT_WRITE_SEGMENTS];
        size_t cap = SIZE_MAX;
        if (faults) {
            uint32_t delay_ms = session_fault_delay(&c->session);
            if (delay_ms > 0) {
                conn_hold(c, delay_ms); /* [faults.delay] */
            } else {
                cap = session_write_cap(&c->session);
            }
        }
        if (c->hold_until_ms != 0) {
            return true; /* written when the hold ends */
        }
        if (cap == 0) {
            return false; /* the fault's close point */
        }
        for (size_t i = 0; i < n; i++) {
            iov[i].iov_base = (void *)seg[i].base;
            iov[i].iov_len = seg[i].len < cap ? seg[i].len : cap;
            cap -= iov[i].iov_len;
            if (cap == 0) {
                n = i + 1;
                break;
            }
        }
        /* One segment (nearly every reply): write skips the kernel's
         * copy and check of an iovec array. */
        ssize_t wrote = n == 1 ? write(c->fd, iov[0].iov_base, iov[0].iov_len)
                               : writev(c->fd, iov, (int)n);
        if (wrote < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return true;
            }
            loop_log(c->loop, 2, "%d: write: %s", c->fd, strerror(errno));
            return false;
        }
        loop_log(c->loop, 3, "%d: wrote %zd bytes", c->fd, wrote);
        if (faults) {
            session_wrote(&c->session, (size_t)wrote);
        }
        /* May resume paused requests, queueing more to write. */
        session_sent(&c->session, (size_t)wrote, now_s);
    }
}

/* After any change: close, or set the interest to what the session wants. */
static enum conn_next
settle(struct conn *c)
{
    const struct session *s = &c->session;
    bool pending = session_pending(s) > 0;
    switch (session_state(s)) {
    case SESSION_ABORT:
        return CONN_CLOSE;
    case SESSION_SHUTDOWN:
        return CONN_SHUTDOWN; /* [misc.shutdown]: no reply, close now */
    case SESSION_CLOSING:
        if (!pending) {
            return CONN_CLOSE;
        }
        break;
    case SESSION_OPEN:
        /* Requests left by a yield still run after the client's EOF; not
         * while the server stops, which only flushes. */
        if (c->eof && !pending && (c->draining || !session_yielded(s))) {
            return CONN_CLOSE;
        }
        break;
    }
    if (c->hold_until_ms != 0) {
        return set_interest(c, 0) ? CONN_KEEP : CONN_CLOSE;
    }
    uint32_t want = 0;
    if (!c->eof && session_wants_input(s)) {
        want |= EPOLLIN;
    }
    /* A yielded session asks for the (level-triggered, nearly always ready)
     * write event, as memcached does, to get its next turn after the
     * connections already waiting in this batch. */
    if (pending || (session_yielded(s) && !c->draining)) {
        want |= EPOLLOUT;
    }
    return set_interest(c, want) ? CONN_KEEP : CONN_CLOSE;
}

/* One read per readiness, into the loop's buffer ([frame.pipeline]). */
static bool
read_once(struct conn *c, uint32_t now_s)
{
    ssize_t n = read(c->fd, c->loop->rbuf, sizeof c->loop->rbuf);
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
            return true;
        }
        loop_log(c->loop, 2, "%d: read: %s", c->fd, strerror(errno));
        return false;
    }
    if (n == 0) {
        /* The client closed its side; its replies still go out. */
        c->eof = true;
        session_peer_closed(&c->session);
        return true;
    }
    c->last_active_s = now_s;
    session_input(&c->session, c->loop->rbuf, (size_t)n, now_s);
    return true;
}

enum conn_next
conn_event(struct conn *c, uint32_t events, uint32_t now_s)
{
    if (c->hold_until_ms != 0) {
        /* Held: only an error or hang-up gets here; nobody to answer. */
        return (events & (EPOLLERR | EPOLLHUP)) ? CONN_CLOSE : settle(c);
    }
    if (session_yielded(&c->session)) {
        session_resume(&c->session, now_s); /* its next turn (-R) */
    } else if ((events & EPOLLIN) && !c->eof &&
               session_wants_input(&c->session)) {
        if (!read_once(c, now_s)) {
            return CONN_CLOSE;
        }
    }
    if ((events & (EPOLLERR | EPOLLHUP)) && !(events & EPOLLIN)) {
        return CONN_CLOSE; /* nothing left to read, nobody to write to */
    }
    if (!flush(c, now_s)) {
        return CONN_CLOSE;
    }
    if (session_turn_cut(&c->session)) {
        c->loop->conn_yields++; /* each turn cut short by -R */
    }
    return settle(c);
}

enum conn_next
conn_drain(struct conn *c, uint32_t now_s)
{
    c->eof = true; /* read nothing more */
    c->draining = true;
    if (c->hold_until_ms != 0) {
        conn_release(c); /* stopping: what is queued goes out now */
    }
    if (!flush(c, now_s)) {
        return CONN_CLOSE;
    }
    return settle(c);
}

const char *
conn_state_name(const struct conn *c)
{
    const struct session *s = &c->session;
    if (session_state(s) != SESSION_OPEN) {
        return "conn_closing";
    }
    if (session_pending(s) > 0) {
        return "conn_mwrite";
    }
    if (session_stashed(s) > 0) {
        return "conn_read";
    }
    return "conn_waiting";
}
