/*
 * test_bench_keys.c - mcref-bench's zipf key popularity: frequencies
 * against the exact probabilities 1/(i+1)^theta / H(n, theta), for the
 * exponents below 1 (Gray's method) and at 1 and above (rejection-
 * inversion), and every draw inside the key space.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "bench_keys.h"

#define N_KEYS 20
#define DRAWS 400000

/*
 * Draws DRAWS ids; each id's count must lie within 5 standard deviations
 * (plus a small allowance for Gray's approximation) of DRAWS * p(i).
 */
static void
check_zipf(double theta, double rel_slack)
{
    struct bench_keyspace ks;
    assert_int_equal(bench_keyspace_init(&ks, N_KEYS, 8, BENCH_DIST_ZIPF,
                                         theta),
                     BENCH_KEYS_OK);
    struct bench_prng r;
    bench_prng_init(&r, 12345, 0);
    uint64_t counts[N_KEYS] = {0};
    for (int i = 0; i < DRAWS; i++) {
        uint64_t id = bench_keyspace_pick(&ks, &r);
        assert_true(id < N_KEYS);
        counts[id]++;
    }
    double norm = 0.0;
    for (int i = 1; i <= N_KEYS; i++) {
        norm += pow(i, -theta);
    }
    for (int i = 0; i < N_KEYS; i++) {
        double p = pow(i + 1, -theta) / norm;
        double want = DRAWS * p;
        double sd = sqrt(DRAWS * p * (1.0 - p));
        double off = fabs((double)counts[i] - want);
        if (off > 5.0 * sd + rel_slack * want) {
            fail_msg("theta %.2f id %d: %llu draws, expected %.0f +- %.0f",
                     theta, i, (unsigned long long)counts[i], want,
                     5.0 * sd + rel_slack * want);
        }
    }
}

/* Rejection-inversion is exact: no slack. */
static void
test_zipf_one(void **state)
{
    (void)state;
    check_zipf(1.0, 0.0);
}

static void
test_zipf_above_one(void **state)
{
    (void)state;
    check_zipf(1.5, 0.0);
    check_zipf(3.0, 0.0);
}

/* Gray's closed form approximates the tail: allow 15% there. */
static void
test_zipf_below_one(void **state)
{
    (void)state;
    check_zipf(0.5, 0.15);
}

/* Large key spaces: every draw in range, id 0 the most frequent. */
static void
test_zipf_large(void **state)
{
    (void)state;
    struct bench_keyspace ks;
    assert_int_equal(bench_keyspace_init(&ks, 200000, 20, BENCH_DIST_ZIPF,
                                         1.0),
                     BENCH_KEYS_OK);
    struct bench_prng r;
    bench_prng_init(&r, 1, 0);
    uint64_t zero = 0, one = 0;
    for (int i = 0; i < 100000; i++) {
        uint64_t id = bench_keyspace_pick(&ks, &r);
        assert_true(id < 200000);
        zero += id == 0;
        one += id == 1;
    }
    /* p(0) = 1 / H(200000) ~ 0.0786, p(1) half of it. */
    assert_true(zero > 7400 && zero < 8300);
    assert_true(one > 3600 && one < 4300);
}

static void
test_theta_bounds(void **state)
{
    (void)state;
    struct bench_keyspace ks;
    assert_int_equal(bench_keyspace_init(&ks, 10, 8, BENCH_DIST_ZIPF, 0.0),
                     BENCH_KEYS_BAD_THETA);
    assert_int_equal(bench_keyspace_init(&ks, 10, 8, BENCH_DIST_ZIPF,
                                         BENCH_ZIPF_THETA_MAX + 0.5),
                     BENCH_KEYS_BAD_THETA);
    assert_int_equal(bench_keyspace_init(&ks, 1, 8, BENCH_DIST_ZIPF, 1.0),
                     BENCH_KEYS_OK);
    struct bench_prng r;
    bench_prng_init(&r, 1, 0);
    assert_int_equal(bench_keyspace_pick(&ks, &r), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zipf_one),
        cmocka_unit_test(test_zipf_above_one),
        cmocka_unit_test(test_zipf_below_one),
        cmocka_unit_test(test_zipf_large),
        cmocka_unit_test(test_theta_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
