/*
 * server.h - the single-threaded epoll loop that puts sessions on sockets.
 *
 * One epoll set watches the listeners, every connection, and a pipe through
 * which the application's signal handlers report SIGTERM, SIGINT and SIGUSR1
 * (one byte each, the signal's number). A readable connection is read once, into a
 * buffer the whole loop shares, and its replies are written with writev.
 * The server reads no clock itself and prints nothing itself: the
 * application passes a clock and a log sink in.
 */
#ifndef MCREF_SERVER_H
#define MCREF_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../engine/engine.h"
#include "listen.h"

struct server_clock {
    uint32_t (*now_s)(void *ctx);  /* unix seconds, never decreasing */
    uint64_t (*now_ms)(void *ctx); /* milliseconds, for timers */
    void *ctx;
};

/* Where log lines go; the text has no newline. */
struct server_log {
    void (*write)(void *ctx, const char *text, size_t len);
    void *ctx;
};

struct server_config {
    uint32_t maxconns;       /* -c: client connections at once ([conn.max]) */
    uint32_t idle_timeout_s; /* -o idle_timeout, 0 = off */
    int signal_fd;           /* read end of the signal pipe (borrowed) */
    struct server_clock clock;
    struct server_log log;
};

struct server;

/*
 * Creates the loop over already-open listeners (borrowed: the caller closes
 * them) and installs itself as the engine's host. Returns NULL, with a
 * message in err, on failure.
 */
struct server *server_create(const struct server_config *cfg,
                             struct engine *engine, struct listeners *ls,
                             char err[LISTEN_ERR_MAX]);

/* Runs until SIGTERM, SIGINT, SIGUSR1 or `shutdown`, then stops gracefully
 * ([conn.signal]). Returns 0, or 1 when the loop itself failed. */
int server_run(struct server *s);

/* Why the server stopped ("SIGTERM", "SIGUSR1", "shutdown command", ...),
 * or NULL while it runs. */
const char *server_stop_reason(const struct server *s);

void server_destroy(struct server **s);

#endif
