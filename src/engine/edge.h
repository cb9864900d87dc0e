/*
 * edge.h - strict mode and fault injection applied to a session's requests.
 *
 * Internal to session.c: it calls edge_before() for each new request and
 * edge_after() once the request is answered, only when the engine has
 * strict mode (engine->check) or a fault plan (engine->faults), so a server
 * without them pays one test per request.
 */
#ifndef MCREF_EDGE_H
#define MCREF_EDGE_H

#include <stddef.h>
#include <stdint.h>

#include "../proto/request.h"
#include "commands.h"
#include "session.h"

static inline bool
edge_on(const struct session *s)
{
    return s->engine->check != NULL || s->engine->faults != NULL;
}

enum edge_action {
    EDGE_RUN,      /* execute *run (the request, or its strict rejection) */
    EDGE_ANSWERED, /* a fault answered it (oom): nothing to execute */
    EDGE_CLOSE,    /* a fault closes the connection before it is answered */
};

struct edge_request {
    struct request alt;   /* the rejection, when strict mode rejects */
    int fault;            /* enum fault_kind, or -1 */
    uint32_t param;
    uint64_t queued_before; /* reply bytes queued before it */
};

/* Checks req (bytes[0..consumed)) and draws its fault; *run is what to
 * execute. compose is the connection's composer (a fault may answer). */
enum edge_action edge_before(struct session *s, const uint8_t *bytes,
                             size_t consumed, const struct request *req,
                             const struct request **run,
                             struct edge_request *er,
                             proto_compose_fn compose, uint32_t real_s);

/* Applies the fault drawn for req once it is answered (res). */
void edge_after(struct session *s, const uint8_t *bytes,
                const struct request *req, enum command_result res,
                struct edge_request *er, uint32_t real_s);

/* [client.binary-magic]: the header bytes[0..len) of a binary packet
 * that the parser refused to read (its connection closes). */
void edge_bad_magic(struct session *s, const uint8_t *bytes, size_t len);

/* [client.after-quit]: bytes[0..len) came after quit. */
void edge_after_quit(struct session *s, const uint8_t *bytes, size_t len);

#endif
