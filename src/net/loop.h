/*
 * loop.h - what the epoll loop shares with each connection: the epoll set,
 * the one read buffer, the engine, and the log.
 */
#ifndef MCREF_LOOP_H
#define MCREF_LOOP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/limits.h"
#include "../engine/engine.h"
#include "server.h"

struct loop {
    int epfd;
    struct engine *engine;
    struct server_log log;
    uint64_t conn_yields; /* turns cut short by -R ([conn.yield]) */
    uint64_t now_ms;      /* the loop's clock, read once per batch */
    /* Connections held by an injected delay ([faults.delay],
     * [faults.connect]): how many, and the earliest deadline among them
     * (a lower bound: the server recomputes it when it passes). */
    uint32_t held;
    uint64_t next_hold_ms;
    uint8_t rbuf[LIMIT_READ_CHUNK]; /* every read lands here first */
};

/* Whether lines of `level` are logged: the engine's verbosity is at least
 * `level` (1: errors and warnings, 2: commands and replies, 3: internal
 * state) and there is a log. */
static inline bool
loop_logs(const struct loop *l, unsigned level)
{
    return l->log.write != NULL && l->engine->verbosity >= level;
}

/* Logs a line when loop_logs(l, level). */
void loop_log_line(const struct loop *l, unsigned level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* loop_log_line, with the test inline: most calls sit on the request path
 * (one after every write) and log nothing. */
#define loop_log(l, level, ...)                                               \
    do {                                                                      \
        if (loop_logs((l), (level))) {                                        \
            loop_log_line((l), (level), __VA_ARGS__);                         \
        }                                                                     \
    } while (0)

/* Appends bytes to dst (of cap bytes, at *len) with every byte that is not
 * printable ASCII, and the backslash, written as \xNN; stops at the cap. */
void loop_escape(char *dst, size_t cap, size_t *len, const uint8_t *src,
                 size_t n);

#endif
