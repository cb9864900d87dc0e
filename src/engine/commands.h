/*
 * commands.h - one request executed: its meaning over the store, and its
 * reply composed into the connection's output queue.
 *
 * The engine writes no protocol bytes: each command yields responses
 * (proto/response.h) that the given composer turns into the connection's
 * protocol. Counting rules are [stats.counting].
 * A retrieval with many keys is answered key by key and may stop between
 * keys when the queue is past LIMIT_OUTPUT_PAUSE ([get.many-keys]); the
 * caller keeps the request's bytes and the cursor, and calls again.
 */
#ifndef MCREF_COMMANDS_H
#define MCREF_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../proto/request.h"
#include "../proto/response.h"
#include "engine.h"
#include "outq.h"

/* Reply lines for -vv logs; fn (never NULL) gets a line without its CRLF. */
struct reply_trace {
    void (*fn)(void *ctx, const uint8_t *line, size_t len);
    void *ctx;
};

/* Where a paused retrieval or key dump stands; zero it before a new
 * request. */
struct get_cursor {
    struct slice rest; /* keys not yet answered */
    uint32_t done;     /* keys answered; a dump: items shown */
    bool active;
    struct store_scan scan; /* a dump's walk ([admin.dump-walk]) */
    uint64_t dumped;        /* a dump's reply bytes so far */
};

enum command_result {
    COMMAND_DONE,     /* answered, or silenced by noreply */
    COMMAND_PAUSED,   /* stopped between keys, or between the steps of a
                         dump; call again with the cursor */
    COMMAND_QUIT,     /* close once queued replies are sent ([misc.quit]) */
    COMMAND_SHUTDOWN, /* close, and stop the server ([misc.shutdown]) */
    COMMAND_FAILED,   /* no memory for the reply: close the connection */
};

/*
 * Executes req, whose slices are offsets from base, at real time real_s;
 * compose turns its responses into bytes queued on q. trace may be NULL.
 */
enum command_result commands_execute(struct engine *e, struct outq *q,
                                     const uint8_t *base,
                                     const struct request *req,
                                     uint32_t real_s, struct get_cursor *cur,
                                     proto_compose_fn compose,
                                     const struct reply_trace *trace);

/* The response to a store_put result, and to a store_arith result other
 * than STORE_OK (the meta commands share them). */
enum response_status commands_store_response(enum store_status st);
enum response_status commands_arith_response(enum store_status st);

#endif
