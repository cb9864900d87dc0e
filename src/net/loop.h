/*
 * loop.h - what the epoll loop shares with each connection: the epoll set,
 * the one read buffer, the engine, and the log.
 */
#ifndef MCREF_LOOP_H
#define MCREF_LOOP_H

#include <stdarg.h>
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

/* Logs a line when the engine's verbosity is at least `level` (1: errors
 * and warnings, 2: commands and replies, 3: internal state). */
void loop_log(const struct loop *l, unsigned level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends bytes to dst (of cap bytes, at *len) with every byte that is not
 * printable ASCII, and the backslash, written as \xNN; stops at the cap. */
void loop_escape(char *dst, size_t cap, size_t *len, const uint8_t *src,
                 size_t n);

#endif
