/*
 * outq.h - a connection's queue of reply bytes waiting to be sent.
 *
 * Replies are composed straight into fixed-size blocks; the network layer
 * sends them with writev and tells the queue how much went out. Blocks come
 * from a pool shared by every connection of an engine, which keeps a bounded
 * number of free blocks so that steady traffic allocates nothing. A queue
 * with nothing pending holds no block, so an idle connection costs none.
 *
 * Large values are not copied: outq_append_ref queues a reference to bytes
 * that stay where they are (an item in the store). Such bytes are valid only
 * until the store's next write, so before any write the engine calls
 * outq_pool_hold_all, which copies every referenced byte still pending, in
 * every queue of the pool, into blocks of its own. A queue that cannot get
 * the memory for that drops its bytes and is marked failed: its connection
 * must close.
 */
#ifndef MCREF_OUTQ_H
#define MCREF_OUTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/limits.h"

enum {
    /* Values this large are referenced, not copied: a reference takes a
     * block too, so it never costs more memory than the copy would. */
    OUTQ_REF_MIN = LIMIT_REPLY_BLOCK,
};

struct outq_pool {
    struct outq_block *free;
    uint32_t free_count;
    uint32_t free_max;   /* blocks kept for reuse beyond this are freed */
    uint64_t blocks_out; /* blocks held by queues now */
    uint64_t pending_all; /* bytes pending over every queue, referenced or not */
    struct outq *holders; /* queues with references pending */
};

struct outq {
    struct outq_pool *pool;
    struct outq_block *head; /* oldest block; its `sent` bytes are gone */
    struct outq_block *tail;
    uint64_t pending;        /* bytes queued and not yet sent */
    uint64_t queued;         /* bytes ever queued (a running total) */
    uint32_t refs;           /* reference blocks in the chain */
    bool failed;             /* no memory: bytes were lost, close */
    struct outq *holder_prev; /* in pool->holders while refs > 0 */
    struct outq *holder_next;
};

/* A run of pending bytes, as writev wants them. */
struct outq_segment {
    const uint8_t *base;
    size_t len;
};

void outq_pool_init(struct outq_pool *pool, uint32_t free_max);
void outq_pool_deinit(struct outq_pool *pool);

void outq_init(struct outq *q, struct outq_pool *pool);

/* Frees every block (pending bytes are dropped). */
void outq_deinit(struct outq *q);

/* Contiguous room for up to n bytes (n <= LIMIT_REPLY_BLOCK) at the tail, or
 * NULL when memory runs out. Commit what was written with outq_commit. */
uint8_t *outq_reserve(struct outq *q, size_t n);
void outq_commit(struct outq *q, size_t n);

/* Copies n bytes to the tail, across blocks. False when memory runs out
 * (what was copied stays queued; the caller closes the connection). */
bool outq_append(struct outq *q, const void *data, size_t n);

/*
 * Queues a reference to data[0..n) (n > 0) instead of a copy. The bytes must
 * stay unchanged until they are sent or outq_pool_hold_all copies them.
 * False when memory runs out.
 */
bool outq_append_ref(struct outq *q, const void *data, size_t n);

/*
 * Copies the pending bytes of every reference, in every queue of the pool,
 * into owned blocks. A queue that cannot get the memory loses its pending
 * bytes and gets `failed` set.
 */
void outq_pool_hold_all(struct outq_pool *pool);

/* Fills up to max segments of pending bytes, oldest first; returns how many. */
size_t outq_segments(const struct outq *q, struct outq_segment *seg,
                     size_t max);

/* Forgets the first n pending bytes (they were sent). */
void outq_consume(struct outq *q, uint64_t n);

#endif
