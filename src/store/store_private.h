/*
 * store_private.h - the store's state, shared by store.c and persist.c only.
 *
 * Not a contract for anyone else: callers use store.h.
 */
#ifndef MCREF_STORE_PRIVATE_H
#define MCREF_STORE_PRIVATE_H

#include "index.h"
#include "log.h"
#include "store.h"

struct store {
    struct store_config cfg;
    struct log log;
    struct index index;
    uint64_t cap_min;         /* the log's smallest cap ([mem.elastic]) */
    uint64_t cap_step;        /* the unit the cap changes by */
    uint64_t crawl_abs;       /* where store_tick's crawl goes on */
    uint64_t credit;          /* bytes writes may still compact */
    /* While a write makes room: the live record its key had, followed
     * through moves, 0 once gone (so linking needs no second lookup). */
    uint32_t replaced;
    uint64_t cas_last;        /* the last CAS unique given ([cas.counter]) */
    uint64_t cas_given_max;   /* the largest caller-given CAS (meta E) */
    uint32_t last_now_s;
    uint64_t flush_abs;       /* records written before this are flushed */
    uint32_t flush_pending_s; /* a delayed flush's deadline, 0 = none */
    struct store_stats st;
    void (*write_hook)(void *ctx); /* see store_set_write_hook */
    void *write_hook_ctx;
    uint32_t *stamps; /* last write time of each LIMIT_STAMP_CHUNK bytes */
};

#endif
