/*
 * bench_hist.c - log-linear latency histogram; see bench_hist.h.
 *
 * A value v >= 2^S (S = sub bits) with highest set bit h keeps its top S+1
 * bits: shift = h - S, mantissa = v >> shift in [2^S, 2^(S+1)), and its
 * bucket is shift * 2^S + mantissa. For v < 2^S the same formula with
 * shift 0 gives index v, so the linear and log ranges join without a gap.
 */
#include "bench_hist.h"

#include <assert.h>
#include <string.h>

#define HIST_CLAMP_VALUE (1ull << BENCH_HIST_VALUE_BITS)

void
bench_hist_init(struct bench_hist *h)
{
    assert(h != NULL);
    memset(h, 0, sizeof(*h));
    h->min = UINT64_MAX;
}

static unsigned
highest_bit(uint64_t v)
{
    assert(v != 0);
    return 63u - (unsigned)__builtin_clzll(v);
}

size_t
bench_hist_index(uint64_t value)
{
    if (value >= HIST_CLAMP_VALUE) {
        return BENCH_HIST_BUCKET_COUNT - 1;
    }
    if (value < BENCH_HIST_SUB_COUNT) {
        return (size_t)value;
    }
    unsigned shift = highest_bit(value) - BENCH_HIST_SUB_BITS;
    uint64_t mantissa = value >> shift;
    size_t index = (size_t)shift * BENCH_HIST_SUB_COUNT + (size_t)mantissa;
    assert(index < BENCH_HIST_BUCKET_COUNT);
    return index;
}

/* Inverse of bench_hist_index: the shift and mantissa of a bucket. */
static void
bucket_split(size_t index, unsigned *shift, uint64_t *mantissa)
{
    assert(index < BENCH_HIST_BUCKET_COUNT);
    if (index < 2 * BENCH_HIST_SUB_COUNT) {
        *shift = 0;
        *mantissa = index;
        return;
    }
    *shift = (unsigned)(index / BENCH_HIST_SUB_COUNT) - 1u;
    *mantissa = index % BENCH_HIST_SUB_COUNT + BENCH_HIST_SUB_COUNT;
}

uint64_t
bench_hist_bucket_low(size_t index)
{
    unsigned shift;
    uint64_t mantissa;
    bucket_split(index, &shift, &mantissa);
    return mantissa << shift;
}

uint64_t
bench_hist_bucket_high(size_t index)
{
    unsigned shift;
    uint64_t mantissa;
    bucket_split(index, &shift, &mantissa);
    return ((mantissa + 1) << shift) - 1;
}

void
bench_hist_record(struct bench_hist *h, uint64_t value)
{
    h->counts[bench_hist_index(value)]++;
    h->total++;
    if (value < h->min) {
        h->min = value;
    }
    if (value > h->max) {
        h->max = value;
    }
    if (value >= HIST_CLAMP_VALUE) {
        h->clamped++;
    }
}

void
bench_hist_merge(struct bench_hist *dst, const struct bench_hist *src)
{
    for (size_t i = 0; i < BENCH_HIST_BUCKET_COUNT; i++) {
        dst->counts[i] += src->counts[i];
    }
    dst->total += src->total;
    dst->clamped += src->clamped;
    if (src->min < dst->min) {
        dst->min = src->min;
    }
    if (src->max > dst->max) {
        dst->max = src->max;
    }
}

uint64_t
bench_hist_quantile(const struct bench_hist *h, double q)
{
    assert(q > 0.0 && q <= 1.0);
    if (h->total == 0) {
        return 0;
    }
    /* The rank is computed in doubles; it is exact up to 2^53 values. */
    double want = q * (double)h->total;
    uint64_t rank = (uint64_t)want;
    if ((double)rank < want) {
        rank++;
    }
    if (rank == 0) {
        rank = 1;
    }
    uint64_t seen = 0;
    for (size_t i = 0; i < BENCH_HIST_BUCKET_COUNT; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            /* The last bucket is open-ended: clamped values live there. */
            uint64_t v = i == BENCH_HIST_BUCKET_COUNT - 1
                             ? h->max
                             : bench_hist_bucket_high(i);
            if (v > h->max) {
                v = h->max;
            }
            if (v < h->min) {
                v = h->min;
            }
            return v;
        }
    }
    assert(0 && "counts sum to total");
    return h->max;
}
