/*
 * conn.h - one client connection: a session and its socket.
 *
 * The server owns connections; this module reads into the loop's shared
 * buffer, writes the session's replies, keeps the epoll interest in step with
 * what the session wants, and turns session traces into log lines.
 */
#ifndef MCREF_CONN_H
#define MCREF_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "../engine/session.h"
#include "listen.h"

/* What an epoll event's pointer points at; first member of each owner. */
enum watch_kind {
    WATCH_LISTENER,
    WATCH_CONN,
    WATCH_SIGNALS,
};

struct watch {
    enum watch_kind kind;
};

struct loop;

struct conn {
    struct watch watch;
    int fd;
    uint32_t events;        /* epoll interest registered now */
    bool eof;               /* the client will send nothing more */
    bool draining;          /* the server stops: flush, run nothing more */
    uint32_t last_active_s; /* last time it sent bytes ([conn.idle-timeout]) */
    const struct listener *listener;
    struct loop *loop;
    struct conn *newer;     /* the server's activity list, newest first */
    struct conn *older;
    struct session session;
};

enum conn_next {
    CONN_KEEP,
    CONN_CLOSE,
    CONN_SHUTDOWN, /* close it, and stop the server */
};

/* Sets up c around an accepted fd; registers it with epoll. False when
 * epoll refuses (the caller closes fd and frees c). */
bool conn_open(struct conn *c, struct loop *loop, int fd,
               const struct listener *l, uint32_t now_s);

/* Unregisters, closes the fd and frees the session's buffers. */
void conn_close(struct conn *c);

/* Handles epoll events on c. */
enum conn_next conn_event(struct conn *c, uint32_t events, uint32_t now_s);

/* While the server stops: no more reading; flush what is queued. */
enum conn_next conn_drain(struct conn *c, uint32_t now_s);

/* Blocks the loop for ms milliseconds (injected delays only). */
void conn_sleep_ms(uint32_t ms);

/* A name for c's state, for `stats conns`. */
const char *conn_state_name(const struct conn *c);

#endif
