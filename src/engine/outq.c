/* outq.c - reply blocks: a chain per connection, a free list per engine. */
#include "outq.h"

#include <stdlib.h>
#include <string.h>

#include "../common/check.h"

struct outq_block {
    struct outq_block *next;
    uint32_t len;  /* bytes written */
    uint32_t sent; /* bytes of them already sent */
    uint8_t data[OUTQ_BLOCK_SIZE];
};

void
outq_pool_init(struct outq_pool *pool, uint32_t free_max)
{
    CHECK(pool != NULL);
    pool->free = NULL;
    pool->free_count = 0;
    pool->free_max = free_max;
    pool->blocks_out = 0;
}

void
outq_pool_deinit(struct outq_pool *pool)
{
    CHECK(pool != NULL);
    CHECK(pool->blocks_out == 0);
    while (pool->free != NULL) {
        struct outq_block *b = pool->free;
        pool->free = b->next;
        free(b);
    }
    pool->free_count = 0;
}

static struct outq_block *
block_get(struct outq_pool *pool)
{
    struct outq_block *b = pool->free;
    if (b != NULL) {
        pool->free = b->next;
        pool->free_count--;
    } else {
        b = malloc(sizeof *b);
        if (b == NULL) {
            return NULL;
        }
    }
    b->next = NULL;
    b->len = 0;
    b->sent = 0;
    pool->blocks_out++;
    return b;
}

static void
block_put(struct outq_pool *pool, struct outq_block *b)
{
    CHECK(pool->blocks_out > 0);
    pool->blocks_out--;
    if (pool->free_count < pool->free_max) {
        b->next = pool->free;
        pool->free = b;
        pool->free_count++;
    } else {
        free(b);
    }
}

void
outq_init(struct outq *q, struct outq_pool *pool)
{
    CHECK(q != NULL);
    CHECK(pool != NULL);
    q->pool = pool;
    q->head = NULL;
    q->tail = NULL;
    q->pending = 0;
    q->queued = 0;
}

void
outq_deinit(struct outq *q)
{
    CHECK(q != NULL);
    while (q->head != NULL) {
        struct outq_block *b = q->head;
        q->head = b->next;
        block_put(q->pool, b);
    }
    q->tail = NULL;
    q->pending = 0;
}

uint8_t *
outq_reserve(struct outq *q, size_t n)
{
    CHECK(n <= OUTQ_BLOCK_SIZE);
    if (q->tail == NULL || OUTQ_BLOCK_SIZE - q->tail->len < n) {
        struct outq_block *b = block_get(q->pool);
        if (b == NULL) {
            return NULL;
        }
        if (q->tail == NULL) {
            q->head = b;
        } else {
            q->tail->next = b;
        }
        q->tail = b;
    }
    return q->tail->data + q->tail->len;
}

void
outq_commit(struct outq *q, size_t n)
{
    CHECK(q->tail != NULL);
    CHECK(q->tail->len + n <= OUTQ_BLOCK_SIZE);
    q->tail->len += (uint32_t)n;
    q->pending += n;
    q->queued += n;
}

bool
outq_append(struct outq *q, const void *data, size_t n)
{
    const uint8_t *from = data;
    while (n > 0) {
        size_t room = q->tail == NULL ? 0 : OUTQ_BLOCK_SIZE - q->tail->len;
        size_t take = room > 0 ? room : OUTQ_BLOCK_SIZE;
        if (take > n) {
            take = n;
        }
        uint8_t *dst = outq_reserve(q, take);
        if (dst == NULL) {
            return false;
        }
        memcpy(dst, from, take);
        outq_commit(q, take);
        from += take;
        n -= take;
    }
    return true;
}

size_t
outq_segments(const struct outq *q, struct outq_segment *seg, size_t max)
{
    size_t count = 0;
    for (const struct outq_block *b = q->head; b != NULL && count < max;
         b = b->next) {
        CHECK(b->len > b->sent); /* sent blocks leave the queue at once */
        seg[count].base = b->data + b->sent;
        seg[count].len = b->len - b->sent;
        count++;
    }
    return count;
}

void
outq_consume(struct outq *q, uint64_t n)
{
    CHECK(n <= q->pending);
    q->pending -= n;
    while (n > 0) {
        struct outq_block *b = q->head;
        CHECK(b != NULL);
        uint32_t left = b->len - b->sent;
        if (n < left) {
            b->sent += (uint32_t)n;
            return;
        }
        /* Fully sent: back to the pool, the tail too (so an idle queue
         * holds no block). */
        n -= left;
        q->head = b->next;
        if (q->head == NULL) {
            q->tail = NULL;
        }
        block_put(q->pool, b);
    }
}
