/*
 * outq.h - a connection's queue of reply bytes waiting to be sent.
 *
 * Replies are composed straight into fixed-size blocks; the network layer
 * sends them with writev and tells the queue how much went out. Blocks come
 * from a pool shared by every connection of an engine, which keeps a bounded
 * number of free blocks so that steady traffic allocates nothing. A queue
 * with nothing pending holds no block, so an idle connection costs none.
 */
#ifndef MCREF_OUTQ_H
#define MCREF_OUTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { OUTQ_BLOCK_SIZE = 16 * 1024 };

struct outq_pool {
    struct outq_block *free;
    uint32_t free_count;
    uint32_t free_max;   /* blocks kept for reuse beyond this are freed */
    uint64_t blocks_out; /* blocks held by queues now */
};

struct outq {
    struct outq_pool *pool;
    struct outq_block *head; /* oldest block; its `sent` bytes are gone */
    struct outq_block *tail;
    uint64_t pending;        /* bytes queued and not yet sent */
    uint64_t queued;         /* bytes ever queued (a running total) */
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

/* Contiguous room for up to n bytes (n <= OUTQ_BLOCK_SIZE) at the tail, or
 * NULL when memory runs out. Commit what was written with outq_commit. */
uint8_t *outq_reserve(struct outq *q, size_t n);
void outq_commit(struct outq *q, size_t n);

/* Copies n bytes to the tail, across blocks. False when memory runs out
 * (what was copied stays queued; the caller closes the connection). */
bool outq_append(struct outq *q, const void *data, size_t n);

/* Fills up to max segments of pending bytes, oldest first; returns how many. */
size_t outq_segments(const struct outq *q, struct outq_segment *seg,
                     size_t max);

/* Forgets the first n pending bytes (they were sent). */
void outq_consume(struct outq *q, uint64_t n);

#endif
