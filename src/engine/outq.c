/* outq.c - reply blocks: a chain per connection, a free list per engine. */
#include "outq.h"

#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "../common/limits.h"

struct outq_block {
    struct outq_block *next;
    const uint8_t *ref; /* NULL: the bytes are data[]; else they are ref[] */
    uint32_t len;  /* bytes written (or referenced) */
    uint32_t sent; /* bytes of them already sent */
    uint8_t data[LIMIT_REPLY_BLOCK];
};

void
outq_pool_init(struct outq_pool *pool, uint32_t free_max)
{
    CHECK(pool != NULL);
    pool->free = NULL;
    pool->free_count = 0;
    pool->free_max = free_max;
    pool->blocks_out = 0;
    pool->pending_all = 0;
    pool->holders = NULL;
}

void
outq_pool_deinit(struct outq_pool *pool)
{
    CHECK(pool != NULL);
    CHECK(pool->blocks_out == 0);
    CHECK(pool->holders == NULL);
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
    b->ref = NULL;
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
    q->refs = 0;
    q->failed = false;
    q->holder_prev = NULL;
    q->holder_next = NULL;
}

static void
holder_add(struct outq *q)
{
    struct outq_pool *pool = q->pool;
    q->holder_prev = NULL;
    q->holder_next = pool->holders;
    if (pool->holders != NULL) {
        pool->holders->holder_prev = q;
    }
    pool->holders = q;
}

static void
holder_remove(struct outq *q)
{
    if (q->holder_prev != NULL) {
        q->holder_prev->holder_next = q->holder_next;
    } else {
        CHECK(q->pool->holders == q);
        q->pool->holders = q->holder_next;
    }
    if (q->holder_next != NULL) {
        q->holder_next->holder_prev = q->holder_prev;
    }
    q->holder_prev = NULL;
    q->holder_next = NULL;
}

/* One reference block fewer in q (it was sent, copied or dropped). */
static void
ref_gone(struct outq *q)
{
    CHECK(q->refs > 0);
    if (--q->refs == 0) {
        holder_remove(q);
    }
}

void
outq_deinit(struct outq *q)
{
    CHECK(q != NULL);
    while (q->head != NULL) {
        struct outq_block *b = q->head;
        q->head = b->next;
        if (b->ref != NULL) {
            ref_gone(q);
        }
        block_put(q->pool, b);
    }
    CHECK(q->refs == 0);
    q->tail = NULL;
    q->pool->pending_all -= q->pending;
    q->pending = 0;
}

uint8_t *
outq_reserve(struct outq *q, size_t n)
{
    CHECK(n <= LIMIT_REPLY_BLOCK);
    if (q->tail == NULL || q->tail->ref != NULL ||
        LIMIT_REPLY_BLOCK - q->tail->len < n) {
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
    CHECK(q->tail->ref == NULL);
    CHECK(q->tail->len + n <= LIMIT_REPLY_BLOCK);
    q->tail->len += (uint32_t)n;
    q->pending += n;
    q->pool->pending_all += n;
    q->queued += n;
}

bool
outq_append(struct outq *q, const void *data, size_t n)
{
    const uint8_t *from = data;
    while (n > 0) {
        size_t room = q->tail == NULL || q->tail->ref != NULL
                          ? 0
                          : LIMIT_REPLY_BLOCK - q->tail->len;
        size_t take = room > 0 ? room : LIMIT_REPLY_BLOCK;
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

bool
outq_append_ref(struct outq *q, const void *data, size_t n)
{
    CHECK(data != NULL);
    CHECK(n > 0 && n <= UINT32_MAX);
    struct outq_block *b = block_get(q->pool);
    if (b == NULL) {
        return false;
    }
    b->ref = data;
    b->len = (uint32_t)n;
    if (q->tail == NULL) {
        q->head = b;
    } else {
        q->tail->next = b;
    }
    q->tail = b;
    q->pending += n;
    q->pool->pending_all += n;
    q->queued += n;
    if (q->refs++ == 0) {
        holder_add(q);
    }
    return true;
}

/*
 * Copies the unsent bytes of reference block b into a chain of owned blocks
 * (first..last). False, with nothing changed, when memory runs out.
 */
static bool
copy_ref(struct outq_pool *pool, const struct outq_block *b,
         struct outq_block **first, struct outq_block **last)
{
    const uint8_t *from = b->ref + b->sent;
    size_t left = b->len - b->sent;
    *first = NULL;
    *last = NULL;
    while (left > 0) {
        struct outq_block *c = block_get(pool);
        if (c == NULL) {
            while (*first != NULL) {
                struct outq_block *next = (*first)->next;
                block_put(pool, *first);
                *first = next;
            }
            return false;
        }
        size_t take = left < LIMIT_REPLY_BLOCK ? left : LIMIT_REPLY_BLOCK;
        memcpy(c->data, from, take);
        c->len = (uint32_t)take;
        if (*first == NULL) {
            *first = c;
        } else {
            (*last)->next = c;
        }
        *last = c;
        from += take;
        left -= take;
    }
    return true;
}

/* Replaces every reference block of q by owned copies. */
static bool
hold(struct outq *q)
{
    struct outq_block **link = &q->head;
    while (*link != NULL) {
        struct outq_block *b = *link;
        if (b->ref == NULL) {
            link = &b->next;
            continue;
        }
        struct outq_block *first, *last;
        if (!copy_ref(q->pool, b, &first, &last)) {
            return false;
        }
        CHECK(first != NULL); /* a block in the queue has bytes unsent */
        last->next = b->next;
        *link = first;
        if (q->tail == b) {
            q->tail = last;
        }
        block_put(q->pool, b);
        ref_gone(q);
        link = &last->next;
    }
    CHECK(q->refs == 0);
    return true;
}

void
outq_pool_hold_all(struct outq_pool *pool)
{
    /* Each pass takes the first holder off the list, one way or the other. */
    while (pool->holders != NULL) {
        struct outq *q = pool->holders;
        if (!hold(q)) {
            outq_deinit(q); /* drops the references too */
            q->failed = true;
        }
    }
}

size_t
outq_segments(const struct outq *q, struct outq_segment *seg, size_t max)
{
    size_t count = 0;
    for (const struct outq_block *b = q->head; b != NULL && count < max;
         b = b->next) {
        CHECK(b->len > b->sent); /* sent blocks leave the queue at once */
        seg[count].base = (b->ref != NULL ? b->ref : b->data) + b->sent;
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
    q->pool->pending_all -= n;
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
        if (b->ref != NULL) {
            ref_gone(q);
        }
        block_put(q->pool, b);
    }
}
