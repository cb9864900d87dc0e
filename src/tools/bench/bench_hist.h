/*
 * bench_hist.h - log-linear latency histogram (HDR-style), bounded memory.
 *
 * Values below 2^BENCH_HIST_SUB_BITS are counted exactly; above, each power
 * of two is split into 2^BENCH_HIST_SUB_BITS equal buckets, so a bucket is
 * at most 1/128 of its values wide. Values of 2^BENCH_HIST_VALUE_BITS and
 * more land in the last bucket (min and max stay exact). Pure: no I/O, no
 * allocation; the struct is plain memory the caller owns.
 */
#ifndef BENCH_HIST_H
#define BENCH_HIST_H
#include <stddef.h>
#include <stdint.h>

#include "bench_limits.h"

#define BENCH_HIST_SUB_COUNT (1u << BENCH_HIST_SUB_BITS)
#define BENCH_HIST_BUCKET_COUNT \
    ((BENCH_HIST_VALUE_BITS - BENCH_HIST_SUB_BITS + 1u) * BENCH_HIST_SUB_COUNT)

struct bench_hist {
    uint64_t counts[BENCH_HIST_BUCKET_COUNT];
    uint64_t total;       /* values recorded */
    uint64_t min, max;    /* exact; min is UINT64_MAX while empty */
    uint64_t clamped;     /* values at or above 2^BENCH_HIST_VALUE_BITS */
};

/* Empties h. */
void bench_hist_init(struct bench_hist *h);

/* Counts one value. */
void bench_hist_record(struct bench_hist *h, uint64_t value);

/* Adds every count of src into dst. */
void bench_hist_merge(struct bench_hist *dst, const struct bench_hist *src);

/*
 * The value at quantile q (0 < q <= 1): the upper bound of the bucket that
 * holds the ceil(q * total)-th smallest value, clamped to [min, max], so it
 * overstates by less than 1/128 and q = 1 gives the exact max. 0 if empty.
 */
uint64_t bench_hist_quantile(const struct bench_hist *h, double q);

/*
 * For printing: the counts summed into BENCH_HIST_PRINT_PER_OCTAVE buckets
 * per power of two (values below 2^BENCH_HIST_SUB_BITS ns in one bucket).
 * These edges are edges of the fine buckets, so every count is exact.
 */
#define BENCH_HIST_COARSE_MAX \
    (1u + (BENCH_HIST_VALUE_BITS - BENCH_HIST_SUB_BITS + 1u) \
              * BENCH_HIST_PRINT_PER_OCTAVE)

struct bench_hist_range {
    uint64_t low, high;   /* values [low, high], both inclusive */
    uint64_t count;
};

/*
 * Writes the coarse buckets from the first non-empty one to the last
 * (empty ones between included) into out; returns how many (0 if h is
 * empty). The counts sum to h->total.
 */
size_t bench_hist_coarse(const struct bench_hist *h,
                         struct bench_hist_range out[BENCH_HIST_COARSE_MAX]);

/* Bucket geometry, for tests: index of a value, and a bucket's bounds. */
size_t bench_hist_index(uint64_t value);
uint64_t bench_hist_bucket_low(size_t index);
uint64_t bench_hist_bucket_high(size_t index);

#endif
