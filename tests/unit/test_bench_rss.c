/*
 * test_bench_rss.c - mcref-bench's RSS time series: samples when due, peak
 * and final exact over every reading, and a full series halving itself
 * while still spanning the whole run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bench_rss.h"

#define MS 1000000ull

static struct bench_rss_series *
new_series(uint64_t start, uint64_t every)
{
    struct bench_rss_series *s = malloc(sizeof(*s));
    assert_non_null(s);
    bench_rss_init(s, start, every);
    return s;
}

static void
test_due_and_schedule(void **state)
{
    (void)state;
    struct bench_rss_series *s = new_series(1000 * MS, 100 * MS);
    assert_true(bench_rss_due(s, 1000 * MS));
    bench_rss_add(s, 1000 * MS, 10);
    assert_false(bench_rss_due(s, 1099 * MS));
    assert_int_equal(bench_rss_next_due(s), 1100 * MS);
    /* A late reading: the next is due on the grid, not 100 ms later. */
    bench_rss_add(s, 1150 * MS, 30);
    assert_int_equal(bench_rss_next_due(s), 1200 * MS);
    /* Several steps late: still the next grid point after now. */
    bench_rss_add(s, 1420 * MS, 20);
    assert_int_equal(bench_rss_next_due(s), 1500 * MS);
    assert_int_equal(s->count, 3);
    assert_int_equal(s->samples[1].t_ns, 150 * MS);
    assert_int_equal(s->samples[1].rss_bytes, 30);
    assert_int_equal(s->peak_bytes, 30);
    assert_int_equal(s->peak_t_ns, 150 * MS);
    assert_int_equal(s->last_bytes, 20);
    assert_int_equal(s->readings, 3);
    free(s);
}

/* A failed reading is counted and moves the schedule on. */
static void
test_failure(void **state)
{
    (void)state;
    struct bench_rss_series *s = new_series(0, 10 * MS);
    bench_rss_add_failure(s, 0);
    assert_int_equal(s->failed, 1);
    assert_int_equal(s->count, 0);
    assert_int_equal(bench_rss_next_due(s), 10 * MS);
    free(s);
}

/* Peak counts even a small first reading; later smaller ones keep it. */
static void
test_peak_first(void **state)
{
    (void)state;
    struct bench_rss_series *s = new_series(0, MS);
    bench_rss_add(s, 0, 5);
    bench_rss_add(s, MS, 3);
    assert_int_equal(s->peak_bytes, 5);
    assert_int_equal(s->peak_t_ns, 0);
    assert_int_equal(s->last_bytes, 3);
    free(s);
}

/*
 * Ten times the capacity of readings: the series stays within its bound,
 * starts at 0, ends at the last reading, keeps an even step, and peak is
 * exact although the peak's own sample was dropped.
 */
static void
test_decimation(void **state)
{
    (void)state;
    struct bench_rss_series *s = new_series(0, MS);
    uint64_t n = 10 * BENCH_RSS_SAMPLES_MAX + 3;
    uint64_t t = 0;
    for (uint64_t i = 0; i < n; i++) {
        t = bench_rss_next_due(s);
        uint64_t v = i == 1 ? 1000000 : i; /* the peak: an odd sample */
        bench_rss_add(s, t, v);
    }
    assert_true(s->count <= BENCH_RSS_SAMPLES_MAX);
    assert_true(s->count >= BENCH_RSS_SAMPLES_MAX / 2);
    assert_int_equal(s->samples[0].t_ns, 0);
    assert_int_equal(s->samples[s->count - 1].t_ns, t);
    assert_int_equal(s->readings, n);
    assert_int_equal(s->peak_bytes, 1000000);
    assert_int_equal(s->peak_t_ns, MS);
    /* The step is a power of two of the first, and the samples follow it
       (the run covers n ms). */
    assert_int_equal(s->interval_ns % MS, 0);
    uint64_t step = s->interval_ns / MS;
    assert_true(step >= 8 && (step & (step - 1)) == 0);
    for (size_t i = 1; i + 1 < s->count; i++) {
        assert_true(s->samples[i].t_ns > s->samples[i - 1].t_ns);
        assert_true(s->samples[i].t_ns - s->samples[i - 1].t_ns
                    <= s->interval_ns);
    }
    free(s);
}

/* An off-schedule final reading is kept and is the final figure. */
static void
test_final_off_schedule(void **state)
{
    (void)state;
    struct bench_rss_series *s = new_series(0, 100 * MS);
    bench_rss_add(s, 0, 7);
    bench_rss_add(s, 42 * MS, 9);
    assert_int_equal(s->count, 2);
    assert_int_equal(s->samples[1].t_ns, 42 * MS);
    assert_int_equal(s->last_bytes, 9);
    assert_int_equal(bench_rss_next_due(s), 100 * MS);
    free(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_due_and_schedule),
        cmocka_unit_test(test_failure),
        cmocka_unit_test(test_peak_first),
        cmocka_unit_test(test_decimation),
        cmocka_unit_test(test_final_off_schedule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
