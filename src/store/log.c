/* log.c - positions, laps and gaps of the circular record log. */
#include "log.h"

#include <stdlib.h>

#include "../common/check.h"
#include "record.h"

enum { LOG_CAP_MIN = 64 };

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

bool
log_init(struct log *l, uint64_t cap)
{
    CHECK(l != NULL);
    uint32_t align = log_align_for(cap);
    if (align == 0) {
        return false;
    }
    cap = cap / align * align;
    if (cap < LOG_CAP_MIN) {
        return false;
    }
    /* calloc: untouched pages cost no memory, and nothing is ever garbage. */
    l->base = calloc(1, (size_t)cap);
    if (l->base == NULL) {
        return false;
    }
    l->cap = cap;
    l->align = align;
    l->head_abs = 0;
    l->tail_abs = 0;
    return true;
}

void
log_deinit(struct log *l)
{
    CHECK(l != NULL);
    free(l->base);
    l->base = NULL;
}

uint64_t
log_abs_of(const struct log *l, uint32_t ref)
{
    uint64_t phys = (uint64_t)(ref - 1) * l->align;
    uint64_t tail_phys = log_phys(l, l->tail_abs);
    uint64_t ahead = phys >= tail_phys ? phys - tail_phys
                                       : phys + l->cap - tail_phys;
    CHECK(ahead < log_used(l));
    return l->tail_abs + ahead;
}

bool
log_fits(const struct log *l, uint64_t n)
{
    uint64_t free_bytes = l->cap - log_used(l);
    uint64_t to_lap_end = l->cap - log_phys(l, l->head_abs);
    if (to_lap_end >= n) {
        return free_bytes >= n;
    }
    return free_bytes >= to_lap_end + n;
}

uint32_t
log_append(struct log *l, uint64_t n)
{
    CHECK(n > 0);
    CHECK(n % l->align == 0);
    CHECK(log_fits(l, n));
    uint64_t phys = log_phys(l, l->head_abs);
    uint64_t to_lap_end = l->cap - phys;
    if (to_lap_end < n) {
        l->base[phys] = REC_GAP;
        l->head_abs += to_lap_end;
        phys = 0;
    }
    l->head_abs += n;
    CHECK(log_used(l) <= l->cap);
    return log_ref(l, phys);
}

void
log_restart_if_empty(struct log *l)
{
    if (log_used(l) == 0 && log_phys(l, l->head_abs) != 0) {
        l->head_abs += l->cap - log_phys(l, l->head_abs);
        l->tail_abs = l->head_abs;
    }
}

bool
log_tail_is_gap(const struct log *l)
{
    CHECK(log_used(l) > 0);
    return record_is_gap(l->base[log_phys(l, l->tail_abs)]);
}

void
log_pop_gap(struct log *l)
{
    CHECK(log_tail_is_gap(l));
    l->tail_abs += l->cap - log_phys(l, l->tail_abs);
    CHECK(l->tail_abs <= l->head_abs);
}

void
log_pop(struct log *l, uint64_t n)
{
    CHECK(n <= log_used(l));
    CHECK(log_phys(l, l->tail_abs) + n <= l->cap);
    l->tail_abs += n;
}
