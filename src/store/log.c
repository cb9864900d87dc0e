/* log.c - offsets, laps and released memory of the circular record log. */
#include "log.h"

#include <stdlib.h>

#include "../common/check.h"
#include "../common/limits.h"
#include "record.h"
#include "store.h"

uint32_t
log_align_for(uint64_t cap)
{
    uint32_t align = 1;
    /* Refs are 32-bit and 0 means none: keep cap / align below 2^32 - 1. */
    while (cap / align >= UINT32_MAX) {
        if (align == 4096) {
            return 0;
        }
        align *= 2;
    }
    return align;
}

/* Without a memory interface: calloc, whose untouched pages cost nothing,
 * and nothing is ever given back. */
static void *
default_reserve(void *ctx, uint64_t len)
{
    (void)ctx;
    return calloc(1, (size_t)len);
}

static void
default_unreserve(void *ctx, void *p, uint64_t len)
{
    (void)ctx;
    (void)len;
    free(p);
}

static void
default_release(void *ctx, void *p, uint64_t len)
{
    (void)ctx;
    (void)p;
    (void)len;
}

static const struct store_memory default_memory = {
    .ctx = NULL,
    .reserve = default_reserve,
    .unreserve = default_unreserve,
    .release = default_release,
};

bool
log_init(struct log *l, const struct store_memory *mem, uint64_t limit,
         uint64_t cap)
{
    CHECK(l != NULL);
    uint32_t align = log_align_for(limit);
    if (align == 0) {
        return false;
    }
    CHECK((align & (align - 1)) == 0); /* record.h rounds with a mask */
    limit = limit / align * align;
    if (limit < LIMIT_LOG_MIN) {
        return false;
    }
    l->mem = mem != NULL ? mem : &default_memory;
    l->base = l->mem->reserve(l->mem->ctx, limit);
    if (l->base == NULL) {
        return false;
    }
    l->limit = limit;
    l->reserved = limit;
    l->align = align;
    cap = cap / align * align;
    l->cap = cap < LIMIT_LOG_MIN ? LIMIT_LOG_MIN : cap > limit ? limit : cap;
    l->held = 0;
    l->head = 0;
    l->tail = 0;
    l->wrapped = false;
    l->lap_end = 0;
    l->head_abs = 0;
    l->tail_abs = 0;
    return true;
}

void
log_deinit(struct log *l)
{
    CHECK(l != NULL);
    l->mem->unreserve(l->mem->ctx, l->base, l->reserved);
    l->base = NULL;
}

uint64_t
log_abs_of(const struct log *l, uint32_t ref)
{
    uint64_t phys = log_phys_of(l, ref);
    if (l->wrapped && phys < l->tail) {
        CHECK(phys < l->head);
        return l->head_abs - (l->head - phys);
    }
    CHECK(phys >= l->tail);
    CHECK(phys < log_extent(l));
    return l->tail_abs + (phys - l->tail);
}

uint64_t
log_phys_at(const struct log *l, uint64_t abs)
{
    CHECK(abs >= l->tail_abs && abs < l->head_abs);
    if (l->wrapped && l->head_abs - abs <= l->head) {
        return l->head - (l->head_abs - abs);
    }
    uint64_t phys = l->tail + (abs - l->tail_abs);
    CHECK(phys < log_extent(l));
    return phys;
}

bool
log_fits(const struct log *l, uint64_t n)
{
    if (l->wrapped) {
        /* After the cap shrank, the head waits at the cap for the tail to
         * finish its longer lap. */
        return l->head + n <= l->tail && l->head + n <= l->cap;
    }
    return l->head + n <= l->cap || n <= l->tail;
}

bool
log_release_unused(struct log *l)
{
    uint64_t keep = log_extent(l) > l->cap ? log_extent(l) : l->cap;
    if (l->held <= keep) {
        return false;
    }
    /* From the top down, a bounded amount at a time: giving memory back
     * costs the caller time in proportion. */
    uint64_t from = l->held - keep > LIMIT_RELEASE_BYTES
                        ? l->held - LIMIT_RELEASE_BYTES
                        : keep;
    l->mem->release(l->mem->ctx, l->base + from, l->held - from);
    l->held = from;
    return l->held > keep;
}

uint32_t
log_append(struct log *l, uint64_t n)
{
    CHECK(n > 0);
    CHECK(n % l->align == 0);
    log_restart_if_empty(l);
    if (log_append_wraps(l, n)) {
        l->lap_end = l->head;
        l->head = 0;
        l->wrapped = true;
    }
    uint64_t phys = l->head;
    l->head += n;
    CHECK(l->head <= (l->wrapped ? l->tail : l->limit));
    if (l->head > l->held) {
        l->held = l->head;
    }
    l->head_abs += n;
    return log_ref(l, phys);
}

void
log_restart_if_empty(struct log *l)
{
    if (log_empty(l) && l->head != 0) {
        CHECK(!l->wrapped); /* a wrapped log holds the head's lap */
        l->head = 0;
        l->tail = 0;
        l->wrapped = false;
    }
}

void
log_pop(struct log *l, uint64_t n)
{
    CHECK(n <= log_used(l));
    CHECK(l->tail + n <= log_extent(l));
    l->tail += n;
    l->tail_abs += n;
    if (l->wrapped && l->tail == l->lap_end) {
        l->tail = 0; /* the tail's lap ends: on to the head's */
        l->wrapped = false;
    }
}

void
log_set_cap(struct log *l, uint64_t cap)
{
    CHECK(cap % l->align == 0);
    CHECK(cap <= l->limit);
    CHECK(cap > 0);
    l->cap = cap;
}
