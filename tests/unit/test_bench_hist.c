/*
 * test_bench_hist.c - mcref-bench's latency histogram: bucket geometry and
 * quantiles against distributions whose exact quantiles are known.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bench_hist.h"
#include "../support/rng.h"

/* A quantile may overstate by one bucket: at most 1/128 of the value. */
static void
assert_close_above(uint64_t got, uint64_t exact)
{
    if (got < exact || got > exact + exact / BENCH_HIST_SUB_COUNT) {
        fail_msg("quantile %llu is not within [%llu, %llu]",
                 (unsigned long long)got, (unsigned long long)exact,
                 (unsigned long long)(exact + exact / BENCH_HIST_SUB_COUNT));
    }
}

static struct bench_hist *
new_hist(void)
{
    struct bench_hist *h = malloc(sizeof(*h));
    assert_non_null(h);
    bench_hist_init(h);
    return h;
}

static void
test_empty(void **state)
{
    (void)state;
    struct bench_hist *h = new_hist();
    assert_int_equal(h->total, 0);
    assert_int_equal(bench_hist_quantile(h, 0.5), 0);
    assert_int_equal(bench_hist_quantile(h, 1.0), 0);
    free(h);
}

/* Buckets tile [0, 2^VALUE_BITS) without gaps or overlaps. */
static void
test_bucket_bounds(void **state)
{
    (void)state;
    assert_int_equal(bench_hist_bucket_low(0), 0);
    for (size_t i = 0; i < BENCH_HIST_BUCKET_COUNT; i++) {
        uint64_t low = bench_hist_bucket_low(i);
        uint64_t high = bench_hist_bucket_high(i);
        assert_true(low <= high);
        assert_int_equal(bench_hist_index(low), i);
        assert_int_equal(bench_hist_index(high), i);
        if (i + 1 < BENCH_HIST_BUCKET_COUNT) {
            assert_int_equal(bench_hist_bucket_low(i + 1), high + 1);
        }
        /* Width is 1 in the linear range, else at most low / 2^SUB_BITS. */
        uint64_t width = high - low + 1;
        if (low < BENCH_HIST_SUB_COUNT) {
            assert_int_equal(width, 1);
        } else {
            assert_true(width * BENCH_HIST_SUB_COUNT <= low);
        }
    }
    uint64_t top = (1ull << BENCH_HIST_VALUE_BITS) - 1;
    assert_int_equal(bench_hist_bucket_high(BENCH_HIST_BUCKET_COUNT - 1), top);
    assert_int_equal(bench_hist_index(top + 1), BENCH_HIST_BUCKET_COUNT - 1);
    assert_int_equal(bench_hist_index(UINT64_MAX), BENCH_HIST_BUCKET_COUNT - 1);
}

/* Below 2^SUB_BITS every value has its own bucket: quantiles are exact. */
static void
test_small_values_exact(void **state)
{
    (void)state;
    struct bench_hist *h = new_hist();
    for (uint64_t v = 1; v <= 100; v++) {
        bench_hist_record(h, v);
    }
    assert_int_equal(bench_hist_quantile(h, 0.5), 50);
    assert_int_equal(bench_hist_quantile(h, 0.99), 99);
    assert_int_equal(bench_hist_quantile(h, 0.001), 1);
    /* The rank rounds up: 0.255 * 100 = 25.5 -> the 26th value. */
    assert_int_equal(bench_hist_quantile(h, 0.255), 26);
    assert_int_equal(bench_hist_quantile(h, 1.0), 100);
    assert_int_equal(h->min, 1);
    assert_int_equal(h->max, 100);
    free(h);
}

/* 1..N once each: the q-quantile is ceil(q N). */
static void
test_uniform(void **state)
{
    (void)state;
    struct bench_hist *h = new_hist();
    const uint64_t n = 1000000;
    for (uint64_t v = 1; v <= n; v++) {
        bench_hist_record(h, v);
    }
    assert_int_equal(h->total, n);
    assert_close_above(bench_hist_quantile(h, 0.5), 500000);
    assert_close_above(bench_hist_quantile(h, 0.99), 990000);
    assert_close_above(bench_hist_quantile(h, 0.999), 999000);
    assert_int_equal(bench_hist_quantile(h, 1.0), n);
    free(h);
}

/* 99% fast and 1% slow: p99 is fast, p99.9 slow (a bimodal tail). */
static void
test_bimodal_tail(void **state)
{
    (void)state;
    struct bench_hist *h = new_hist();
    for (int i = 0; i < 9900; i++) {
        bench_hist_record(h, 100000); /* 100 us */
    }
    for (int i = 0; i < 100; i++) {
        bench_hist_record(h, 10000000); /* 10 ms */
    }
    assert_close_above(bench_hist_quantile(h, 0.5), 100000);
    assert_close_above(bench_hist_quantile(h, 0.99), 100000);
    assert_close_above(bench_hist_quantile(h, 0.9901), 10000000);
    /* Clamping to max makes a single-valued bucket exact. */
    assert_int_equal(bench_hist_quantile(h, 0.999), 10000000);
    free(h);
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Log-uniform random values, compared with the sorted exact quantiles. */
static void
test_random_against_sorted(void **state)
{
    (void)state;
    const char *env = getenv("BENCH_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 10) : 20240601;
    printf("test_random_against_sorted: seed %llu (BENCH_TEST_SEED)\n",
           (unsigned long long)seed);
    uint64_t r = seed;
    enum { COUNT = 200000 };
    uint64_t *values = malloc(COUNT * sizeof(*values));
    assert_non_null(values);
    struct bench_hist *h = new_hist();
    for (size_t i = 0; i < COUNT; i++) {
        unsigned bits = (unsigned)(rng_next(&r) % 36);
        values[i] = rng_next(&r) >> (63 - bits);
        bench_hist_record(h, values[i]);
    }
    qsort(values, COUNT, sizeof(*values), cmp_u64);
    const double qs[] = {0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 0.9999};
    for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
        size_t rank = (size_t)(qs[i] * COUNT + 0.999999);
        assert_close_above(bench_hist_quantile(h, qs[i]), values[rank - 1]);
    }
    assert_int_equal(bench_hist_quantile(h, 1.0), values[COUNT - 1]);
    assert_int_equal(h->min, values[0]);
    free(values);
    free(h);
}

/* Values past the range land in the last bucket; max stays exact. */
static void
test_clamp(void **state)
{
    (void)state;
    struct bench_hist *h = new_hist();
    uint64_t huge = 1ull << (BENCH_HIST_VALUE_BITS + 3);
    bench_hist_record(h, 5);
    bench_hist_record(h, huge);
    assert_int_equal(h->clamped, 1);
    assert_int_equal(h->counts[BENCH_HIST_BUCKET_COUNT - 1], 1);
    assert_int_equal(bench_hist_quantile(h, 1.0), huge);
    assert_int_equal(bench_hist_quantile(h, 0.5), 5);
    free(h);
}

static void
test_merge(void **state)
{
    (void)state;
    struct bench_hist *a = new_hist();
    struct bench_hist *b = new_hist();
    for (uint64_t v = 1; v <= 50; v++) {
        bench_hist_record(a, v);
    }
    for (uint64_t v = 51; v <= 100; v++) {
        bench_hist_record(b, v);
    }
    bench_hist_merge(a, b);
    assert_int_equal(a->total, 100);
    assert_int_equal(a->min, 1);
    assert_int_equal(a->max, 100);
    assert_int_equal(bench_hist_quantile(a, 0.75), 75);
    free(a);
    free(b);
}

/*
 * The printed buckets: contiguous from the first non-empty one to the last,
 * counts summing to the total, every recorded value inside the bucket that
 * counts it, and per octave BENCH_HIST_PRINT_PER_OCTAVE equal widths.
 */
static void
test_coarse(void **state)
{
    (void)state;
    struct bench_hist *h = new_hist();
    struct bench_hist_range r[BENCH_HIST_COARSE_MAX];
    assert_int_equal(bench_hist_coarse(h, r), 0);
    uint64_t seed = 7;
    uint64_t values[2000];
    for (size_t i = 0; i < 2000; i++) {
        /* Log-spread values from 1 ns to ~1 s. */
        uint64_t v = 1ull << rng_below(&seed, 30);
        values[i] = v + rng_below(&seed, v);
        bench_hist_record(h, values[i]);
    }
    size_t n = bench_hist_coarse(h, r);
    assert_true(n > 0 && n <= BENCH_HIST_COARSE_MAX);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += r[i].count;
        assert_true(r[i].low <= r[i].high);
        if (i + 1 < n) {
            assert_int_equal(r[i + 1].low, r[i].high + 1);
        }
        if (r[i].low >= 1024) {
            /* A quarter of its octave: 2^k/4 wide. */
            uint64_t octave = 1ull << (63 - __builtin_clzll(r[i].low));
            assert_int_equal(r[i].high - r[i].low + 1,
                             octave / BENCH_HIST_PRINT_PER_OCTAVE);
        }
    }
    assert_true(r[0].count > 0 && r[n - 1].count > 0);
    assert_int_equal(sum, h->total);
    /* Each value's bucket holds at least as many as were recorded in it. */
    for (size_t i = 0; i < n; i++) {
        uint64_t want = 0;
        for (size_t j = 0; j < 2000; j++) {
            want += values[j] >= r[i].low && values[j] <= r[i].high;
        }
        assert_int_equal(r[i].count, want);
    }
    free(h);
}

/* Known edges: 1000 ns lands in [896, 1023], 1024 in [1024, 1279]. */
static void
test_coarse_edges(void **state)
{
    (void)state;
    struct bench_hist *h = new_hist();
    struct bench_hist_range r[BENCH_HIST_COARSE_MAX];
    bench_hist_record(h, 1000);
    bench_hist_record(h, 1024);
    bench_hist_record(h, 1279);
    bench_hist_record(h, 1280);
    size_t n = bench_hist_coarse(h, r);
    assert_int_equal(n, 3);
    assert_int_equal(r[0].low, 896);
    assert_int_equal(r[0].high, 1023);
    assert_int_equal(r[0].count, 1);
    assert_int_equal(r[1].low, 1024);
    assert_int_equal(r[1].high, 1279);
    assert_int_equal(r[1].count, 2);
    assert_int_equal(r[2].low, 1280);
    assert_int_equal(r[2].count, 1);
    /* A clamped value: the last bucket reaches the exact max. */
    bench_hist_record(h, UINT64_MAX / 2);
    n = bench_hist_coarse(h, r);
    assert_int_equal(r[n - 1].high, UINT64_MAX / 2);
    assert_int_equal(r[n - 1].count, 1);
    free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_bucket_bounds),
        cmocka_unit_test(test_small_values_exact),
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_bimodal_tail),
        cmocka_unit_test(test_random_against_sorted),
        cmocka_unit_test(test_clamp),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_coarse),
        cmocka_unit_test(test_coarse_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
