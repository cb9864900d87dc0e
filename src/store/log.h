/*
 * log.h - the circular log that holds every record ([mem.log]).
 *
 * The log lives in a range of `limit` bytes reserved at init through the
 * memory interface (store.h), of which only [0, held) may have been touched.
 * A lap runs from offset 0 up to where the head wraps: the first record that
 * would pass `cap` starts the next lap at 0, so the head reuses the space the
 * tail has freed before it touches new memory. The store moves cap between a
 * minimum and the limit to follow the live data; log_release_unused reports
 * what lies past max(cap, the records' extent) as released, and forgets it.
 *
 * Offsets ("phys") index the range; positions ("abs") count record bytes
 * appended since init and only grow, giving every record its place in write
 * order. Records are identified by 32-bit refs (offset / align + 1); align is
 * 1 unless the limit is 4 GiB or more.
 *
 * The log knows sizes and positions, not what records mean: the store decides
 * what to drop, evict or move, and how large cap is.
 */
#ifndef MCREF_STORE_LOG_H
#define MCREF_STORE_LOG_H

#include <stdbool.h>
#include <stdint.h>

struct store_memory;

struct log {
    uint8_t *base;
    const struct store_memory *mem;
    uint64_t limit;    /* the memory limit, a multiple of align */
    uint64_t reserved; /* bytes reserved at init (limit <= reserved) */
    uint64_t cap;      /* the head wraps rather than pass this (<= limit) */
    uint64_t held;     /* [0, held) may be resident; the rest was released */
    uint32_t align;    /* record alignment and ref unit, a power of two */
    uint64_t head;     /* offset where the next record goes */
    uint64_t tail;     /* offset of the oldest record (== head when empty) */
    bool wrapped;      /* the head is a lap ahead: records in [tail, lap_end)
                          then [0, head) */
    uint64_t lap_end;  /* when wrapped, where the tail's lap ends */
    uint64_t head_abs; /* record bytes ever appended */
    uint64_t tail_abs; /* record bytes ever popped */
};

/* Reserves a log of limit bytes (rounded down to the alignment) with the
 * given starting cap (clamped to the limit). Returns false when limit is too
 * small (< 64) or too large, or the reservation fails. */
bool log_init(struct log *l, const struct store_memory *mem, uint64_t limit,
              uint64_t cap);

/* The record alignment for a log of cap bytes: the smallest power of two
 * that keeps cap / align under 2^32 - 1 (refs are 32-bit), or 0 when that
 * would exceed 4096 ([mem.item-size]). */
uint32_t log_align_for(uint64_t cap);
void log_deinit(struct log *l);

static inline uint64_t
log_used(const struct log *l)
{
    return l->head_abs - l->tail_abs;
}

static inline bool
log_empty(const struct log *l)
{
    return l->head_abs == l->tail_abs;
}

/* The end of the highest record: nothing at or past it is in use. */
static inline uint64_t
log_extent(const struct log *l)
{
    return l->wrapped ? l->lap_end : l->head;
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

static inline uint64_t
log_phys_of(const struct log *l, uint32_t ref)
{
    return (uint64_t)(ref - 1) * l->align;
}

/* The absolute position of the record with this ref, which must be in use. */
uint64_t log_abs_of(const struct log *l, uint32_t ref);

/* The offset of the record at absolute position abs, which must be a record
 * boundary in [tail_abs, head_abs). */
uint64_t log_phys_at(const struct log *l, uint64_t abs);

/* Whether n bytes can be appended now without passing cap or the tail. */
bool log_fits(const struct log *l, uint64_t n);

/* Whether appending n bytes now starts a new lap: the record would pass cap
 * and there is room for it before the tail. */
static inline bool
log_append_wraps(const struct log *l, uint64_t n)
{
    return !l->wrapped && l->head + n > l->cap && n <= l->tail;
}

/* Appends n bytes, starting a new lap if log_append_wraps. Without a wrap,
 * the record may pass cap (never the limit) only when log_fits does not hold,
 * which make_room prevents; a record moved from the tail needs it when its
 * lap ended past the cap. An empty log restarts at offset 0 first. Returns
 * the ref of the new space. */
uint32_t log_append(struct log *l, uint64_t n);

/* When empty, moves head and tail to offset 0. */
void log_restart_if_empty(struct log *l);

/* Drops the tail record, of n bytes; the tail wraps at its lap's end. */
void log_pop(struct log *l, uint64_t n);

/* Sets cap (a multiple of align, <= limit). */
void log_set_cap(struct log *l, uint64_t cap);

/* Reports the top of [max(cap, extent), held), at most LIMIT_RELEASE_BYTES,
 * as no longer needed, through the memory interface; returns whether more
 * remains. The store calls it once a write has finished with the bytes it
 * moved, never in the middle of one. */
bool log_release_unused(struct log *l);

/* The ref of the tail record (log not empty). */
static inline uint32_t
log_tail_ref(const struct log *l)
{
    return log_ref(l, l->tail);
}

#endif
