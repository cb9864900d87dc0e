/* server.c - the epoll loop: accept, dispatch, idle kicks, signals, stop. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/check.h"
#include "../common/limits.h"
#include "conn.h"
#include "loop.h"

struct server_listener {
    struct watch watch;
    struct listener *l;
    bool registered;
};

struct server {
    struct server_config cfg;
    struct loop loop;
    struct listeners *ls;
    struct server_listener listeners[LIMIT_LISTENERS];
    struct watch signal_watch;
    int sigfd;
    /* Connections by last activity: newest at the head. */
    struct conn *newest;
    struct conn *oldest;
    uint64_t curr_conns;
    uint64_t total_conns;
    uint64_t conn_serial; /* connections accepted ever, never reset */
    uint64_t rejected_conns;
    uint64_t idle_kicks;
    uint64_t listen_disabled_num;
    bool accepting;
    /* Why a stop was asked for (a signal, `shutdown`), noted while a batch
     * of events runs and acted on after it: stopping closes connections
     * that later events of the same batch still point to. */
    const char *stop_request;
    bool stopping;
    uint64_t stop_deadline_ms;
    uint64_t next_tick_ms;
    uint64_t next_store_tick_ms;
    uint32_t started_s;
};

/* ---- the activity list ----------------------------------------------------- */

static void
unlink_conn(struct server *s, struct conn *c)
{
    if (c->newer != NULL) {
        c->newer->older = c->older;
    } else {
        s->newest = c->older;
    }
    if (c->older != NULL) {
        c->older->newer = c->newer;
    } else {
        s->oldest = c->newer;
    }
    c->newer = NULL;
    c->older = NULL;
}

static void
push_newest(struct server *s, struct conn *c)
{
    c->older = s->newest;
    c->newer = NULL;
    if (s->newest != NULL) {
        s->newest->newer = c;
    }
    s->newest = c;
    if (s->oldest == NULL) {
        s->oldest = c;
    }
}

static void
close_conn(struct server *s, struct conn *c)
{
    unlink_conn(s, c);
    conn_close(c);
    free(c);
    CHECK(s->curr_conns > 0);
    s->curr_conns--;
}

/* ---- listeners and accepting ----------------------------------------------- */

static void
set_accepting(struct server *s, bool on)
{
    for (size_t i = 0; i < s->ls->count; i++) {
        struct server_listener *sl = &s->listeners[i];
        if (sl->l->fd < 0 || sl->registered == on) {
            continue;
        }
        if (on) {
            struct epoll_event ev = {.events = EPOLLIN,
                                     .data.ptr = &sl->watch};
            if (epoll_ctl(s->loop.epfd, EPOLL_CTL_ADD, sl->l->fd, &ev) != 0) {
                loop_log(&s->loop, 1, "epoll_ctl on %s: %s", sl->l->name,
                         strerror(errno));
                continue;
            }
        } else {
            epoll_ctl(s->loop.epfd, EPOLL_CTL_DEL, sl->l->fd, NULL);
        }
        sl->registered = on;
    }
    s->accepting = on;
}

/* [conn.max]: one past the limit is told so and closed. */
static void
reject(struct server *s, int fd)
{
    size_t len;
    const uint8_t *text = session_refusal(&len);
    ssize_t ignored = send(fd, text, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    (void)ignored; /* best effort: the client may already be gone */
    close(fd);
    s->rejected_conns++;
    loop_log(&s->loop, 1, "rejected a connection: %llu open, -c %u",
             (unsigned long long)s->curr_conns, s->cfg.maxconns);
}

static void
accept_on(struct server *s, struct listener *l, uint32_t now_s)
{
    for (int i = 0; i < LIMIT_ACCEPTS_PER_EVENT; i++) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                /* Out of descriptors: stop accepting until a tick later. */
                loop_log(&s->loop, 1, "accept: %s; pausing new connections",
                         strerror(errno));
                set_accepting(s, false);
                s->listen_disabled_num++;
            } else if (errno != EAGAIN && errno != EWOULDBLOCK &&
                       errno != EINTR && errno != ECONNABORTED) {
                loop_log(&s->loop, 1, "accept: %s", strerror(errno));
            }
            return;
        }
        s->total_conns++;
        uint64_t conn_id = ++s->conn_serial;
        if (s->curr_conns >= s->cfg.maxconns) {
            reject(s, fd);
            continue;
        }
        uint32_t hold_ms = 0;
        if (session_accept_fault(s->loop.engine, conn_id, &hold_ms)) {
            reject(s, fd); /* [faults.connect] */
            continue;
        }
        if (!l->is_unix) {
            int on = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        }
        struct conn *c = malloc(sizeof *c);
        if (c == NULL || !conn_open(c, &s->loop, fd, l, now_s)) {
            loop_log(&s->loop, 1, "no memory for a connection");
            free(c);
            close(fd);
            continue;
        }
        session_set_conn_id(&c->session, conn_id);
        push_newest(s, c);
        s->curr_conns++;
        if (hold_ms > 0) {
            conn_hold(c, hold_ms); /* [faults.connect]: a slow accept */
        }
    }
}

/* ---- events ------------------------------------------------------------------ */

/* Between batches only (see stop_request). */
static void
begin_stop(struct server *s, const char *why)
{
    if (s->stopping) {
        return;
    }
    loop_log(&s->loop, 1, "%s: stopping", why);
    s->stopping = true;
    s->stop_deadline_ms =
        s->cfg.clock.now_ms(s->cfg.clock.ctx) + LIMIT_STOP_GRACE_MS;
    set_accepting(s, false);
    uint32_t now_s = s->cfg.clock.now_s(s->cfg.clock.ctx);
    struct conn *c = s->oldest;
    while (c != NULL) {
        struct conn *newer = c->newer;
        if (conn_drain(c, now_s) != CONN_KEEP) {
            close_conn(s, c);
        }
        c = newer;
    }
}

static void
on_conn(struct server *s, struct conn *c, uint32_t events, uint32_t now_s)
{
    uint32_t before = c->last_active_s;
    enum conn_next next =
        s->stopping ? conn_drain(c, now_s) : conn_event(c, events, now_s);
    if (next == CONN_KEEP && c->last_active_s != before) {
        unlink_conn(s, c);
        push_newest(s, c);
    }
    if (next != CONN_KEEP) {
        close_conn(s, c);
    }
    if (next == CONN_SHUTDOWN && s->stop_request == NULL) {
        s->stop_request = "shutdown command";
    }
}

const char *
server_stop_reason(const struct server *s)
{
    return s->stop_request;
}

static void
on_signals(struct server *s)
{
    uint8_t signo;
    while (read(s->sigfd, &signo, 1) == 1) {
        if (s->stop_request == NULL) {
            s->stop_request = signo == SIGTERM  ? "SIGTERM"
                              : signo == SIGINT ? "SIGINT"
                                                : "SIGUSR1";
        }
    }
}

/* [conn.idle-timeout]: from the oldest activity on; replies pending spare. */
static void
kick_idle(struct server *s, uint32_t now_s)
{
    if (s->cfg.idle_timeout_s == 0) {
        return;
    }
    struct conn *c = s->oldest;
    while (c != NULL && now_s - c->last_active_s > s->cfg.idle_timeout_s) {
        struct conn *newer = c->newer;
        if (session_pending(&c->session) == 0) {
            loop_log(&s->loop, 2, "%d: idle for %u s, closing", c->fd,
                     now_s - c->last_active_s);
            close_conn(s, c);
            s->idle_kicks++;
        }
        c = newer;
    }
}

static void
tick(struct server *s, uint64_t now_ms, uint32_t now_s)
{
    if (now_ms < s->next_tick_ms) {
        return;
    }
    s->next_tick_ms = now_ms + LIMIT_TICK_MS;
    kick_idle(s, now_s);
    if (!s->accepting && !s->stopping) {
        set_accepting(s, true);
    }
}

/* [mem.elastic]: the store gives memory back between requests: every
 * LIMIT_STORE_TICK_MS, and every LIMIT_STORE_TICK_BUSY_MS while it has more
 * to do. */
static void
reclaim_tick(struct server *s, uint64_t now_ms, uint32_t now_s)
{
    if (now_ms < s->next_store_tick_ms) {
        return;
    }
    bool more = engine_tick(s->loop.engine, now_s);
    s->next_store_tick_ms =
        now_ms + (more ? LIMIT_STORE_TICK_BUSY_MS : LIMIT_STORE_TICK_MS);
}

/* Connections whose injected delay is over get their turn again. A scan of
 * every connection, only while some are held (fault injection only), and
 * at most once per deadline. */
static void
release_holds(struct server *s, uint32_t now_s)
{
    if (s->loop.held == 0 || s->loop.now_ms < s->loop.next_hold_ms) {
        return;
    }
    s->loop.next_hold_ms = UINT64_MAX;
    struct conn *c = s->oldest;
    while (c != NULL) {
        struct conn *newer = c->newer;
        if (conn_hold_over(c)) {
            conn_release(c);
            on_conn(s, c, 0, now_s); /* may hold it again, or close it */
        } else if (c->hold_until_ms != 0 &&
                   c->hold_until_ms < s->loop.next_hold_ms) {
            s->loop.next_hold_ms = c->hold_until_ms;
        }
        c = newer;
    }
}

static int
wait_ms(const struct server *s, uint64_t now_ms)
{
    uint64_t until = s->next_tick_ms;
    if (s->loop.held > 0 && s->loop.next_hold_ms < until) {
        until = s->loop.next_hold_ms;
    }
    if (s->next_store_tick_ms < until) {
        until = s->next_store_tick_ms;
    }
    if (s->stopping && s->stop_deadline_ms < until) {
        until = s->stop_deadline_ms;
    }
    return until > now_ms ? (int)(until - now_ms) : 0;
}

int
server_run(struct server *s)
{
    struct epoll_event events[LIMIT_EVENTS_PER_WAIT];
    set_accepting(s, true);
    for (size_t i = 0; i < s->ls->count; i++) {
        loop_log(&s->loop, 2, "<%d server listening (ascii) on %s",
                 s->ls->l[i].fd, s->ls->l[i].name);
    }
    for (;;) {
        uint64_t now_ms = s->cfg.clock.now_ms(s->cfg.clock.ctx);
        if (s->stopping &&
            (s->curr_conns == 0 || now_ms >= s->stop_deadline_ms)) {
            break;
        }
        int n = epoll_wait(s->loop.epfd, events, LIMIT_EVENTS_PER_WAIT,
                           wait_ms(s, now_ms));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            loop_log(&s->loop, 1, "epoll_wait: %s", strerror(errno));
            return 1;
        }
        uint32_t now_s = s->cfg.clock.now_s(s->cfg.clock.ctx);
        s->loop.now_ms = s->cfg.clock.now_ms(s->cfg.clock.ctx);
        for (int i = 0; i < n; i++) {
            struct watch *w = events[i].data.ptr;
            switch (w->kind) {
            case WATCH_LISTENER:
                if (!s->stopping) {
                    accept_on(s, ((struct server_listener *)w)->l, now_s);
                }
                break;
            case WATCH_CONN:
                on_conn(s, (struct conn *)w, events[i].events, now_s);
                break;
            case WATCH_SIGNALS:
                on_signals(s);
                break;
            }
        }
        if (s->stop_request != NULL) {
            begin_stop(s, s->stop_request);
        }
        uint64_t after_ms = s->cfg.clock.now_ms(s->cfg.clock.ctx);
        s->loop.now_ms = after_ms;
        release_holds(s, now_s);
        tick(s, after_ms, now_s);
        reclaim_tick(s, after_ms, now_s);
    }
    while (s->oldest != NULL) {
        close_conn(s, s->oldest); /* past the grace period */
    }
    return 0;
}

/* ---- the engine's host -------------------------------------------------------- */

static void
host_info(void *ctx, struct host_info *out)
{
    const struct server *s = ctx;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    out->pid = (uint32_t)getpid();
    out->started_s = s->started_s;
    out->rusage_user_us = (uint64_t)ru.ru_utime.tv_sec * 1000000 +
                          (uint64_t)ru.ru_utime.tv_usec;
    out->rusage_system_us = (uint64_t)ru.ru_stime.tv_sec * 1000000 +
                            (uint64_t)ru.ru_stime.tv_usec;
    out->max_connections = s->cfg.maxconns;
    out->curr_connections = s->curr_conns;
    out->total_connections = s->total_conns;
    out->rejected_connections = s->rejected_conns;
    out->connection_structures = s->curr_conns;
    out->idle_kicks = s->idle_kicks;
    out->conn_yields = s->loop.conn_yields;
    out->idle_timeout_on = s->cfg.idle_timeout_s > 0;
    out->listen_disabled_num = s->listen_disabled_num;
    out->accepting_conns = s->accepting;
}

static void
peer_name(int fd, const struct listener *l, char *out, size_t len)
{
    if (l->is_unix) {
        snprintf(out, len, "%s", l->name);
        return;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char host[INET6_ADDRSTRLEN] = "?";
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0) {
        snprintf(out, len, "tcp:?");
    } else if (ss.ss_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        snprintf(out, len, "tcp:%s:%u", host, ntohs(in->sin_port));
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        snprintf(out, len, "tcp6:[%s]:%u", host, ntohs(in6->sin6_port));
    }
}

static void
host_each_conn(void *ctx, uint32_t now_s,
               void (*emit)(void *arg, const struct host_conn *c), void *arg)
{
    const struct server *s = ctx;
    for (size_t i = 0; i < s->ls->count; i++) {
        const struct listener *l = &s->ls->l[i];
        if (l->fd >= 0) {
            /* As memcached: a listener has no listen_addr line. */
            struct host_conn hc = {
                .fd = l->fd,
                .addr = l->name,
                .listen_addr = NULL,
                .state = "conn_listening",
                .secs_since_last_cmd =
                    now_s > s->started_s ? now_s - s->started_s : 0,
            };
            emit(arg, &hc);
        }
    }
    for (const struct conn *c = s->oldest; c != NULL; c = c->newer) {
        char addr[LIMIT_LISTEN_NAME_LEN];
        peer_name(c->fd, c->listener, addr, sizeof addr);
        struct host_conn hc = {
            .fd = c->fd,
            .addr = addr,
            .listen_addr = c->listener->name,
            .state = conn_state_name(c),
            .secs_since_last_cmd =
                now_s > c->last_active_s ? now_s - c->last_active_s : 0,
        };
        emit(arg, &hc);
    }
}

static void
host_stats_reset(void *ctx)
{
    struct server *s = ctx;
    s->total_conns = 0;
    s->rejected_conns = 0;
    s->idle_kicks = 0;
    s->listen_disabled_num = 0;
}

/* ---- life cycle ---------------------------------------------------------------- */

struct server *
server_create(const struct server_config *cfg, struct engine *engine,
              struct listeners *ls, char err[LISTEN_ERR_MAX])
{
    CHECK(cfg != NULL);
    CHECK(engine != NULL);
    CHECK(ls != NULL);
    CHECK(cfg->clock.now_s != NULL);
    CHECK(cfg->clock.now_ms != NULL);
    struct server *s = calloc(1, sizeof *s);
    if (s == NULL) {
        snprintf(err, LISTEN_ERR_MAX, "no memory for the server");
        return NULL;
    }
    s->cfg = *cfg;
    s->ls = ls;
    s->loop.engine = engine;
    s->loop.log = cfg->log;
    s->sigfd = -1;
    s->loop.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->loop.epfd < 0) {
        snprintf(err, LISTEN_ERR_MAX, "epoll_create1: %s", strerror(errno));
        free(s);
        return NULL;
    }
    s->sigfd = cfg->signal_fd;
    s->signal_watch.kind = WATCH_SIGNALS;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &s->signal_watch};
    if (s->sigfd >= 0 &&
        epoll_ctl(s->loop.epfd, EPOLL_CTL_ADD, s->sigfd, &ev) != 0) {
        snprintf(err, LISTEN_ERR_MAX, "epoll_ctl (signals): %s",
                 strerror(errno));
        server_destroy(&s);
        return NULL;
    }
    for (size_t i = 0; i < ls->count; i++) {
        s->listeners[i].watch.kind = WATCH_LISTENER;
        s->listeners[i].l = &ls->l[i];
    }
    s->started_s = cfg->clock.now_s(cfg->clock.ctx);
    s->next_tick_ms = cfg->clock.now_ms(cfg->clock.ctx) + LIMIT_TICK_MS;
    s->next_store_tick_ms =
        cfg->clock.now_ms(cfg->clock.ctx) + LIMIT_STORE_TICK_MS;
    struct engine_host host = {
        .ctx = s,
        .info = host_info,
        .each_conn = host_each_conn,
        .stats_reset = host_stats_reset,
    };
    engine_set_host(engine, &host);
    return s;
}

void
server_destroy(struct server **sp)
{
    if (sp == NULL || *sp == NULL) {
        return;
    }
    struct server *s = *sp;
    while (s->oldest != NULL) {
        close_conn(s, s->oldest);
    }
    if (s->loop.epfd >= 0) {
        close(s->loop.epfd);
    }
    engine_set_host(s->loop.engine, NULL);
    free(s);
    *sp = NULL;
}
