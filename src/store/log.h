/*
 * log.h - the circular log that holds every record ([mem.log]).
 *
 * One allocation of exactly the memory limit, made at init and touched only as
 * records are written, so resident memory grows with use and never past the
 * limit. Positions are absolute byte counts that only grow ("abs"); the
 * physical offset is abs modulo the capacity. Records never straddle the end:
 * one that does not fit before it leaves a gap (marked by REC_GAP) and starts
 * the next lap. Records are identified by 32-bit refs (offset / align + 1);
 * align is 1 unless the capacity is 4 GiB or more.
 *
 * The log knows sizes and positions, not what records mean: the store decides
 * what to drop, evict or move.
 */
#ifndef MCREF_STORE_LOG_H
#define MCREF_STORE_LOG_H

#include <stdbool.h>
#include <stdint.h>

struct log {
    uint8_t *base;
    uint64_t cap;      /* bytes, a multiple of align */
    uint32_t align;    /* record alignment and ref unit, a power of two */
    uint64_t head_abs; /* where the next record goes */
    uint64_t tail_abs; /* the oldest record, or == head_abs when empty */
};

/* Allocates a log of cap bytes (rounded down to the alignment). Returns false
 * when cap is too small (< 64) or too large, or allocation fails. */
bool log_init(struct log *l, uint64_t cap);

/* The record alignment for a log of cap bytes: the smallest power of two
 * that keeps cap / align under 2^32 - 1 (refs are 32-bit), or 0 when that
 * would exceed 4096 ([mem.item-size]). */
uint32_t log_align_for(uint64_t cap);
void log_deinit(struct log *l);

static inline uint64_t
log_phys(const struct log *l, uint64_t abs)
{
    return abs % l->cap;
}

static inline uint64_t
log_used(const struct log *l)
{
    return l->head_abs - l->tail_abs;
}

static inline uint8_t *
log_ptr(const struct log *l, uint32_t ref)
{
    return l->base + (uint64_t)(ref - 1) * l->align;
}

static inline uint32_t
log_ref(const struct log *l, uint64_t phys)
{
    return (uint32_t)(phys / l->align + 1);
}

/* The absolute position of the record with this ref, which must lie in
 * [tail, head). */
uint64_t log_abs_of(const struct log *l, uint32_t ref);

/* Whether n bytes can be appended now, counting the gap a wrap would leave. */
bool log_fits(const struct log *l, uint64_t n);

/* Appends n bytes (log_fits must hold), writing the gap marker if the lap
 * ends first. Returns the ref of the new space. */
uint32_t log_append(struct log *l, uint64_t n);

/* When empty, moves head and tail to the start of a lap, so that any record
 * up to the capacity fits. */
void log_restart_if_empty(struct log *l);

/* Whether the tail is a gap marker rather than a record (log not empty). */
bool log_tail_is_gap(const struct log *l);

/* Drops the gap at the tail: the tail moves to the next lap's start. */
void log_pop_gap(struct log *l);

/* Drops the tail record, of n bytes. */
void log_pop(struct log *l, uint64_t n);

/* The ref of the tail record (log not empty, tail not a gap). */
static inline uint32_t
log_tail_ref(const struct log *l)
{
    return log_ref(l, log_phys(l, l->tail_abs));
}

#endif
