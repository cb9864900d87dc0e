/*
 * reply.h - how commands answer: responses (proto/response.h) composed by
 * the connection's protocol into its reply queue.
 *
 * Internal to the engine: commands.c and meta_commands.c build response
 * values and emit them; the composer they were given turns each into bytes.
 * Values of at least value_ref_min bytes are queued by reference to the
 * item ([mem.bounded]); the store's write hook (engine.c) copies them out
 * before the store next writes.
 */
#ifndef MCREF_REPLY_H
#define MCREF_REPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "../proto/request.h"
#include "../proto/response.h"
#include "commands.h"
#include "engine.h"
#include "outq.h"

/* The context of one request's replies. */
struct reply {
    struct engine *e;
    struct outq *q;
    const struct request *req;
    const uint8_t *base;
    proto_compose_fn compose;
    const struct reply_trace *trace; /* NULL unless -vv */
    uint32_t now;                    /* the item clock */
    uint32_t real_s;                 /* real time, for debugtime */
    bool failed;                     /* no memory: the connection closes */
};

/* Composes resp and queues its bytes. */
void reply_emit(struct reply *r, const struct response *resp);

/* A response of only a status, unless `silent`. */
void reply_status(struct reply *r, enum response_status status, bool silent);

/* The response's view of a store item. */
void reply_item(struct response_item *out, const struct store_item *it);

static inline enum command_result
reply_finish(const struct reply *r)
{
    return r->failed ? COMMAND_FAILED : COMMAND_DONE;
}

/* [meta.*]: executes a meta command (REQ_META_*, no parse error). */
enum command_result meta_execute(struct reply *r);

/* admin.c: [stats.cachedump] (a `stats cachedump` request), the dumps and
 * the rest of [admin.lru-crawler], [admin.cache-memlimit]. A dump answers
 * COMMAND_PAUSED between steps of at most LIMIT_DUMP_RECORDS records. */
enum command_result admin_cachedump(struct reply *r, struct get_cursor *cur);
enum command_result admin_lru_crawler(struct reply *r, struct get_cursor *cur);
enum command_result admin_cache_memlimit(struct reply *r);

#endif
