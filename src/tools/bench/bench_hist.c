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

_Static_assert(BENCH_HIST_SUB_COUNT % BENCH_HIST_PRINT_PER_OCTAVE == 0,
               "printed buckets are unions of fine buckets");
_Static_assert((BENCH_HIST_PRINT_PER_OCTAVE
                & (BENCH_HIST_PRINT_PER_OCTAVE - 1)) == 0,
               "printed buckets split an octave in a power of two");

/* log2 of the printed buckets per octave. */
static unsigned
per_octave_bits(void)
{
    unsigned bits = 0;
    while ((1u << bits) < BENCH_HIST_PRINT_PER_OCTAVE) {
        bits++;
    }
    return bits;
}

/* The printed bucket of a value (below the clamp). */
static size_t
coarse_index(uint64_t v)
{
    if (v < BENCH_HIST_SUB_COUNT) {
        return 0;
    }
    unsigned octave = highest_bit(v);
    unsigned sub = (unsigned)(v >> (octave - per_octave_bits()))
                   & (BENCH_HIST_PRINT_PER_OCTAVE - 1u);
    return 1 + (size_t)(octave - BENCH_HIST_SUB_BITS)
                   * BENCH_HIST_PRINT_PER_OCTAVE
           + sub;
}

static uint64_t
coarse_low(size_t c)
{
    if (c == 0) {
        return 0;
    }
    size_t octave = (c - 1) / BENCH_HIST_PRINT_PER_OCTAVE
                    + BENCH_HIST_SUB_BITS;
    uint64_t sub = (c - 1) % BENCH_HIST_PRINT_PER_OCTAVE;
    return (1ull << octave) + (sub << (octave - per_octave_bits()));
}

size_t
bench_hist_coarse(const struct bench_hist *h,
                  struct bench_hist_range out[BENCH_HIST_COARSE_MAX])
{
    if (h->total == 0) {
        return 0;
    }
    uint64_t sums[BENCH_HIST_COARSE_MAX] = {0};
    size_t first = BENCH_HIST_COARSE_MAX, last = 0;
    for (size_t i = 0; i < BENCH_HIST_BUCKET_COUNT; i++) {
        if (h->counts[i] == 0) {
            continue;
        }
        size_t c = coarse_index(bench_hist_bucket_low(i));
        assert(c < BENCH_HIST_COARSE_MAX);
        sums[c] += h->counts[i];
        first = c < first ? c : first;
        last = c > last ? c : last;
    }
    size_t n = 0;
    for (size_t c = first; c <= last; c++) {
        out[n].low = coarse_low(c);
        out[n].high = c + 1 < BENCH_HIST_COARSE_MAX ? coarse_low(c + 1) - 1
                                                    : UINT64_MAX;
        out[n].count = sums[c];
        n++;
    }
    /* The open-ended last bucket holds clamped values: its true top. */
    if (last == coarse_index(bench_hist_bucket_low(BENCH_HIST_BUCKET_COUNT - 1))
        && h->max > out[n - 1].high) {
        out[n - 1].high = h->max;
    }
    return n;
}
