/*
 * bench_driver.c - epoll loop over the connections; see bench_driver.h.
 * The only file that calls epoll; the clock is read once per read and
 * once per batch of requests, not once per request.
 */
#include "bench_driver.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "bench_limits.h"
#include "bench_req.h"
#include "bench_sys.h"

#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull

/* The format attribute lets the compiler check every caller's format. */
static void note_err(struct bench_driver *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note_err(struct bench_driver *d, const char *fmt, ...)
{
    if (d->err[0] != '\0') {
        return; /* the first error is the one worth reading */
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err, sizeof(d->err), fmt, ap);
    va_end(ap);
}

/* Closes c after an error, accounting every request it had in flight. */
static void
kill_conn(struct bench_driver *d, struct bench_conn *c, const char *why)
{
    if (c->state == BENCH_CONN_DEAD) {
        return;
    }
    note_err(d, "%s", why);
    struct bench_slot *s;
    while ((s = bench_conn_slot_head(c)) != NULL) {
        if (s->op != BENCH_OP_VERSION && d->work != NULL) {
            bench_work_lost(d->work, s);
        }
        bench_conn_slot_pop(c);
        d->inflight--;
    }
    if (c->state == BENCH_CONN_HANDSHAKE) {
        d->handshakes_left--;
        d->open_failures++;
    } else if (c->state == BENCH_CONN_READY) {
        d->conns_lost++;
        if (c->active) {
            d->active_live--;
        }
    }
    bench_conn_close(c);
}

static void
set_want_out(struct bench_driver *d, struct bench_conn *c, bool want_out)
{
    if (c->want_out == want_out) {
        return;
    }
    struct epoll_event ev = {
        .events = EPOLLIN | (want_out ? EPOLLOUT : 0u),
        .data.ptr = c,
    };
    if (epoll_ctl(d->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
        kill_conn(d, c, "epoll_ctl failed");
        return;
    }
    c->want_out = want_out;
}

static void
flush_conn(struct bench_driver *d, struct bench_conn *c)
{
    enum bench_io io = bench_conn_flush(c);
    if (io == BENCH_IO_ERROR) {
        kill_conn(d, c, strerror(c->err_no));
        return;
    }
    set_want_out(d, c, io == BENCH_IO_AGAIN);
}

/*
 * Fills c's pipeline from the phase, then writes. With a rate, a request
 * is sent only once due and its latency counts from when it was due.
 */
static void
pump(struct bench_driver *d, struct bench_conn *c, uint64_t now)
{
    if (d->deadline_ns != 0 && now >= d->deadline_ns) {
        d->stopping = true;
    }
    bool can_send = c->active && c->state == BENCH_CONN_READY
                    && !d->stopping;
    struct bench_slot *last = NULL;
    while (can_send && c->slot_count < c->slot_cap
           && c->wbuf_cap - c->wbuf_len >= d->req_len_max) {
        uint64_t start = now;
        if (d->rate_interval_ns != 0) {
            if (c->next_due_ns > now) {
                break;
            }
            start = c->next_due_ns;
        }
        struct bench_slot *s = bench_conn_slot_tail(c);
        s->noop_after = false;
        size_t len;
        if (!bench_work_next(d->work, &c->prng, s, c->wbuf + c->wbuf_len,
                             c->wbuf_cap - c->wbuf_len, &len)) {
            d->stopping = true;
            break;
        }
        s->start_ns = start;
        bench_conn_slot_commit(c);
        c->wbuf_len += len;
        d->inflight++;
        c->next_due_ns += d->rate_interval_ns;
        last = s;
    }
    if (last != NULL && d->meta_quiet
        && d->work->phase == BENCH_PHASE_LOAD) {
        /* The batch's quiet requests answer only when they must; the MN
           of this mn closes it (room for it is in req_len_max). */
        size_t n = bench_req_literal(c->wbuf + c->wbuf_len,
                                     c->wbuf_cap - c->wbuf_len,
                                     BENCH_REQ_META_NOOP);
        assert(n > 0);
        c->wbuf_len += n;
        last->noop_after = true;
    }
    if (c->wbuf_len > 0 && !c->want_out) {
        flush_conn(d, c);
    }
}

static void
expect_for(const struct bench_driver *d, const struct bench_slot *s,
           struct bench_reply_expect *exp)
{
    if (s->op == BENCH_OP_VERSION) {
        memset(exp, 0, sizeof(*exp));
        exp->kind = d->binary ? BENCH_REPLY_BIN_NOOP
                    : d->meta ? BENCH_REPLY_META_NOOP
                              : BENCH_REPLY_VERSION;
        return;
    }
    bench_work_expect(d->work, s, exp);
}

/*
 * The handshake's reply: the connection is ready, or it failed and the
 * first line the server sent (e.g. "ERROR Too many open connections") goes
 * into the error message.
 */
static void
handshake_done(struct bench_driver *d, struct bench_conn *c,
               enum bench_reply_status st, const uint8_t *data, size_t len)
{
    if (st != BENCH_REPLY_OK) {
        enum { SHOWN_MAX = 120 };
        size_t shown = len < SHOWN_MAX ? len : SHOWN_MAX;
        const uint8_t *eol = memchr(data, '\r', shown);
        if (eol != NULL) {
            shown = (size_t)(eol - data);
        }
        char why[BENCH_ERR_LEN];
        snprintf(why, sizeof(why), "%s handshake failed (%s): %.*s",
                 d->meta ? "meta (mn: does the server speak meta?)"
                         : "version",
                 bench_reply_status_name(st), (int)shown,
                 (const char *)data);
        kill_conn(d, c, why);
        return;
    }
    c->state = BENCH_CONN_READY;
    d->handshakes_left--;
    if (c->active) {
        d->active_live++;
    }
}

/* Parses every complete reply in c's read buffer, oldest request first. */
static void
parse_replies(struct bench_driver *d, struct bench_conn *c, uint64_t now)
{
    size_t off = 0;
    for (;;) {
        struct bench_slot *s = bench_conn_slot_head(c);
        if (s == NULL) {
            if (off < c->rbuf_len) {
                kill_conn(d, c, "bytes from the server with no request in "
                                "flight");
                return;
            }
            break;
        }
        struct bench_reply_expect exp;
        struct bench_reply rep;
        size_t used;
        expect_for(d, s, &exp);
        enum bench_reply_status st = bench_reply_parse(
            &exp, c->rbuf + off, c->rbuf_len - off, &rep, &used);
        if (st == BENCH_REPLY_AGAIN) {
            break;
        }
        d->last_reply_ns = now;
        if (s->op == BENCH_OP_VERSION) {
            bench_conn_slot_pop(c);
            d->inflight--;
            handshake_done(d, c, st, c->rbuf + off, c->rbuf_len - off);
        } else {
            bench_work_reply(d->work, s, st, &rep, c->rbuf + off, now);
            bench_conn_slot_pop(c);
            d->inflight--;
            if (st == BENCH_REPLY_BROKEN) {
                kill_conn(d, c, "reply stream broken (unexpected bytes)");
            }
        }
        if (c->state == BENCH_CONN_DEAD) {
            return;
        }
        off += used;
    }
    bench_conn_consume(c, off);
}

static void
read_conn(struct bench_driver *d, struct bench_conn *c)
{
    enum bench_io io = bench_conn_read(c);
    switch (io) {
    case BENCH_IO_AGAIN:
        return;
    case BENCH_IO_EOF:
        kill_conn(d, c, "server closed a connection");
        return;
    case BENCH_IO_FULL:
        kill_conn(d, c, "reply larger than the largest one accepted");
        return;
    case BENCH_IO_ERROR:
        kill_conn(d, c, strerror(c->err_no));
        return;
    case BENCH_IO_OK:
        break;
    }
    uint64_t now = bench_sys_now_ns();
    parse_replies(d, c, now);
    if (c->state == BENCH_CONN_READY && d->work != NULL) {
        pump(d, c, now);
    }
}

static void
on_event(struct bench_driver *d, struct bench_conn *c, uint32_t events)
{
    if ((events & EPOLLOUT) && c->state != BENCH_CONN_DEAD) {
        flush_conn(d, c);
    }
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP))
        && c->state != BENCH_CONN_DEAD) {
        read_conn(d, c);
    }
}

/* Waits up to timeout_ns (UINT64_MAX = forever) and handles the events. */
static bool
poll_once(struct bench_driver *d, uint64_t timeout_ns)
{
    struct epoll_event events[BENCH_EPOLL_EVENTS_MAX];
    int n = -1;
    if (d->have_pwait2) {
        struct timespec ts = {
            .tv_sec = (time_t)(timeout_ns / NS_PER_S),
            .tv_nsec = (long)(timeout_ns % NS_PER_S),
        };
        n = epoll_pwait2(d->epfd, events, BENCH_EPOLL_EVENTS_MAX,
                         timeout_ns == UINT64_MAX ? NULL : &ts, NULL);
        if (n < 0 && errno == ENOSYS) {
            d->have_pwait2 = false;
        }
    }
    if (!d->have_pwait2) {
        /* Millisecond timeouts, rounded up so a due time is never missed
           by waking too early and spinning. */
        int ms = timeout_ns == UINT64_MAX
                     ? -1
                     : (int)((timeout_ns + NS_PER_MS - 1) / NS_PER_MS);
        n = epoll_wait(d->epfd, events, BENCH_EPOLL_EVENTS_MAX, ms);
    }
    if (n < 0) {
        if (errno == EINTR) {
            return true;
        }
        note_err(d, "epoll_wait: %s", strerror(errno));
        return false;
    }
    for (int i = 0; i < n; i++) {
        on_event(d, events[i].data.ptr, events[i].events);
    }
    return true;
}

/* Connects c and puts its `version` request on the wire. */
static bool
start_conn(struct bench_driver *d, struct bench_conn *c,
           const struct tool_addr *addr)
{
    if (!bench_conn_connect(c, addr)) {
        note_err(d, "connect: %s", strerror(c->err_no));
        d->open_failures++;
        return false;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
        note_err(d, "epoll_ctl: %s", strerror(errno));
        bench_conn_close(c);
        d->open_failures++;
        return false;
    }
    struct bench_slot *s = bench_conn_slot_tail(c);
    s->op = BENCH_OP_VERSION;
    s->key_count = 0;
    s->start_ns = bench_sys_now_ns();
    c->wbuf_len = d->binary ? bench_req_bin_noop(c->wbuf, c->wbuf_cap)
                  : bench_req_literal(c->wbuf, c->wbuf_cap,
                                      d->meta ? BENCH_REQ_META_NOOP
                                              : BENCH_REQ_VERSION);
    assert(c->wbuf_len > 0);
    bench_conn_slot_commit(c);
    d->inflight++;
    d->handshakes_left++;
    flush_conn(d, c);
    return true;
}

static bool
alloc_conns(struct bench_driver *d, const struct bench_driver_config *cfg)
{
    d->conns = calloc(cfg->conn_count, sizeof(*d->conns));
    if (d->conns == NULL) {
        note_err(d, "out of memory for %zu connections", cfg->conn_count);
        return false;
    }
    for (size_t i = 0; i < cfg->conn_count; i++) {
        d->conns[i].fd = -1;
    }
    d->conn_count = cfg->conn_count;
    for (size_t i = 0; i < cfg->conn_count; i++) {
        struct bench_conn *c = &d->conns[i];
        bool active = i < cfg->active_count;
        if (!bench_conn_init(c, active ? &cfg->active_sizes
                                       : &cfg->idle_sizes)) {
            note_err(d, "out of memory for connection buffers");
            return false;
        }
        c->active = active;
        bench_prng_init(&c->prng, cfg->seed, i);
    }
    return true;
}

bool
bench_driver_open(struct bench_driver *d,
                  const struct bench_driver_config *cfg)
{
    assert(cfg->active_count <= cfg->conn_count);
    assert(cfg->req_len_max <= cfg->active_sizes.wbuf_cap);
    memset(d, 0, sizeof(*d));
    d->epfd = -1;
    d->have_pwait2 = true;
    d->active_count = cfg->active_count;
    d->req_len_max = cfg->req_len_max;
    d->meta = cfg->meta;
    d->meta_quiet = cfg->meta_quiet;
    d->binary = cfg->binary;
    d->rate_interval_ns = cfg->rate ? NS_PER_S / cfg->rate : 0;
    d->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (d->epfd < 0) {
        note_err(d, "epoll_create1: %s", strerror(errno));
        return false;
    }
    if (!alloc_conns(d, cfg)) {
        return false;
    }
    for (size_t i = 0; i < d->conn_count; i++) {
        if (!start_conn(d, &d->conns[i], cfg->addr)) {
            return false;
        }
    }
    uint64_t give_up = bench_sys_now_ns() + BENCH_OPEN_TIMEOUT_S * NS_PER_S;
    while (d->handshakes_left > 0) {
        uint64_t now = bench_sys_now_ns();
        if (now >= give_up) {
            note_err(d, "%zu connections got no version reply in %llu s",
                     d->handshakes_left,
                     (unsigned long long)BENCH_OPEN_TIMEOUT_S);
            return false;
        }
        if (!poll_once(d, give_up - now)) {
            return false;
        }
    }
    if (d->open_failures > 0 || d->conns_lost > 0) {
        char first[BENCH_ERR_LEN];
        memcpy(first, d->err, sizeof(first));
        snprintf(d->err, sizeof(d->err),
                 "%llu of %zu connections failed: %.180s",
                 (unsigned long long)(d->open_failures + d->conns_lost),
                 d->conn_count, first);
        return false;
    }
    return true;
}

/* Gives up on every request still in flight (the server stopped). */
static void
abandon_inflight(struct bench_driver *d)
{
    for (size_t i = 0; i < d->conn_count && d->inflight > 0; i++) {
        struct bench_conn *c = &d->conns[i];
        if (c->slot_count > 0) {
            kill_conn(d, c, "no reply within the reply timeout");
        }
    }
}

/* The earliest moment the loop must wake up at, from now on. */
static uint64_t
next_wake(struct bench_driver *d, uint64_t now)
{
    uint64_t wake = UINT64_MAX;
    if (d->inflight > 0) {
        wake = d->last_reply_ns + BENCH_REPLY_TIMEOUT_MS * NS_PER_MS;
    }
    if (!d->stopping && d->deadline_ns != 0 && d->deadline_ns < wake) {
        wake = d->deadline_ns;
    }
    if (d->rss != NULL && bench_rss_next_due(d->rss) < wake) {
        wake = bench_rss_next_due(d->rss);
    }
    if (!d->stopping && d->rate_interval_ns != 0) {
        for (size_t i = 0; i < d->active_count; i++) {
            const struct bench_conn *c = &d->conns[i];
            if (c->state == BENCH_CONN_READY && c->slot_count < c->slot_cap
                && c->next_due_ns < wake) {
                wake = c->next_due_ns;
            }
        }
    }
    return wake == UINT64_MAX ? UINT64_MAX : (wake > now ? wake - now : 0);
}

/* Starts every active connection; with a rate, at spread-out phases. */
static void
kick(struct bench_driver *d, uint64_t start)
{
    for (size_t i = 0; i < d->active_count; i++) {
        struct bench_conn *c = &d->conns[i];
        if (d->rate_interval_ns != 0) {
            c->next_due_ns =
                start + bench_prng_below(&c->prng, d->rate_interval_ns);
        }
        pump(d, c, start);
    }
}

bool
bench_driver_run(struct bench_driver *d, struct bench_work *w,
                 uint64_t duration_ns, uint64_t *elapsed_ns)
{
    *elapsed_ns = 0;
    if (d->active_live == 0) {
        note_err(d, "no active connection left");
        return false;
    }
    uint64_t start = bench_sys_now_ns();
    d->work = w;
    d->stopping = false;
    d->deadline_ns = duration_ns ? start + duration_ns : 0;
    d->last_reply_ns = start;
    kick(d, start);
    bool ok = true;
    for (;;) {
        uint64_t now = bench_sys_now_ns();
        if (d->deadline_ns != 0 && now >= d->deadline_ns) {
            d->stopping = true;
        }
        if (d->inflight == 0 && (d->stopping || d->active_live == 0)) {
            break;
        }
        if (d->inflight > 0
            && now - d->last_reply_ns >= BENCH_REPLY_TIMEOUT_MS * NS_PER_MS) {
            abandon_inflight(d);
            break;
        }
        if (!poll_once(d, next_wake(d, now))) {
            ok = false;
            break;
        }
        if (d->rss != NULL) {
            bench_driver_rss_tick(d, bench_sys_now_ns());
        }
        if (d->rate_interval_ns != 0 && !d->stopping) {
            now = bench_sys_now_ns();
            for (size_t i = 0; i < d->active_count; i++) {
                pump(d, &d->conns[i], now);
            }
        }
    }
    uint64_t end = w->counts.last_reply_ns > start ? w->counts.last_reply_ns
                                                   : bench_sys_now_ns();
    *elapsed_ns = end - start;
    d->work = NULL;
    return ok;
}

void
bench_driver_sample_rss(struct bench_driver *d,
                        struct bench_rss_series *series, long pid)
{
    d->rss = series;
    d->rss_pid = pid;
}

void
bench_driver_rss_tick(struct bench_driver *d, uint64_t now_ns)
{
    if (d->rss == NULL || !bench_rss_due(d->rss, now_ns)) {
        return;
    }
    uint64_t rss;
    if (bench_sys_rss_bytes(d->rss_pid, &rss)) {
        bench_rss_add(d->rss, now_ns, rss);
    } else {
        bench_rss_add_failure(d->rss, now_ns);
    }
}

void
bench_driver_close(struct bench_driver *d)
{
    for (size_t i = 0; i < d->conn_count; i++) {
        bench_conn_deinit(&d->conns[i]);
    }
    free(d->conns);
    d->conns = NULL;
    d->conn_count = 0;
    if (d->epfd >= 0) {
        close(d->epfd);
    }
    d->epfd = -1;
}
