/*
 * test_bench_opts.c - mcref-bench's command line: the protocol, cache-aside
 * and RSS-series options, zipf exponents, and the combinations refused.
 */
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bench_opts.h"

#define ARGS_MAX 32

/* Parses a NULL-terminated list of arguments (argv[0] added). */
static enum bench_opts_status
parse_args(struct bench_opts *o, char err[BENCH_ERR_LEN], ...)
{
    static char copies[ARGS_MAX][64];
    char *argv[ARGS_MAX + 1];
    int argc = 0;
    strcpy(copies[argc], "mcref-bench");
    argv[argc] = copies[argc];
    argc++;
    va_list ap;
    va_start(ap, err);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL) {
        assert_true(argc < ARGS_MAX && strlen(a) < sizeof(copies[0]));
        strcpy(copies[argc], a);
        argv[argc] = copies[argc];
        argc++;
    }
    va_end(ap);
    argv[argc] = NULL;
    optind = 0; /* a fresh getopt scan each time */
    return bench_opts_parse(o, argc, argv, err);
}

static void
test_defaults(void **state)
{
    (void)state;
    struct bench_opts o;
    char err[BENCH_ERR_LEN];
    assert_int_equal(parse_args(&o, err, NULL), BENCH_OPTS_OK);
    assert_int_equal(o.protocol, BENCH_PROTO_TEXT);
    assert_false(o.cache_aside);
    assert_int_equal(o.rss_every_ms, 0);
    assert_int_equal(o.rss_after_ms, 0);
    assert_int_equal(o.duration_s, 5);
}

static void
test_protocol(void **state)
{
    (void)state;
    struct bench_opts o;
    char err[BENCH_ERR_LEN];
    assert_int_equal(parse_args(&o, err, "--protocol", "meta", "-P", "16",
                                NULL),
                     BENCH_OPTS_OK);
    assert_int_equal(o.protocol, BENCH_PROTO_META);
    assert_int_equal(o.pipeline, 16);
    assert_int_equal(parse_args(&o, err, "--protocol", "text", NULL),
                     BENCH_OPTS_OK);
    assert_int_equal(o.protocol, BENCH_PROTO_TEXT);
    assert_int_equal(parse_args(&o, err, "--protocol", "binary", NULL),
                     BENCH_OPTS_OK);
    assert_int_equal(o.protocol, BENCH_PROTO_BINARY);
    assert_int_equal(parse_args(&o, err, "--protocol", "binary", "--mget",
                                "2", NULL),
                     BENCH_OPTS_ERROR);
    assert_non_null(strstr(err, "--protocol binary"));
    assert_int_equal(parse_args(&o, err, "--protocol", "udp", NULL),
                     BENCH_OPTS_ERROR);
    assert_non_null(strstr(err, "--protocol"));
    /* Meta load only: no multi-get, no fill. */
    assert_int_equal(parse_args(&o, err, "--protocol", "meta", "--mget", "2",
                                NULL),
                     BENCH_OPTS_ERROR);
    assert_int_equal(parse_args(&o, err, "--protocol", "meta", "--fill",
                                NULL),
                     BENCH_OPTS_ERROR);
}

static void
test_cache_aside(void **state)
{
    (void)state;
    struct bench_opts o;
    char err[BENCH_ERR_LEN];
    assert_int_equal(parse_args(&o, err, "--cache-aside", "--key-dist",
                                "zipf:1.0", "--keys", "200000", "-n",
                                "300000", NULL),
                     BENCH_OPTS_OK);
    assert_true(o.cache_aside);
    assert_int_equal(o.dist, BENCH_DIST_ZIPF);
    assert_true(o.theta == 1.0);
    assert_int_equal(o.requests, 300000);
    assert_int_equal(o.duration_s, 0); /* -n alone bounds the run */
    /* Gets only: a ratio or a multi-get would contradict it. */
    assert_int_equal(parse_args(&o, err, "--cache-aside", "--ratio", "50:50",
                                NULL),
                     BENCH_OPTS_ERROR);
    assert_non_null(strstr(err, "--cache-aside"));
    assert_int_equal(parse_args(&o, err, "--cache-aside", "--mget", "3",
                                NULL),
                     BENCH_OPTS_ERROR);
    assert_int_equal(parse_args(&o, err, "--cache-aside", "--fill", NULL),
                     BENCH_OPTS_ERROR);
    assert_int_equal(parse_args(&o, err, "--cache-aside", "--protocol",
                                "meta", "-P", "8", NULL),
                     BENCH_OPTS_OK);
}

static void
test_rss_series(void **state)
{
    (void)state;
    struct bench_opts o;
    char err[BENCH_ERR_LEN];
    assert_int_equal(parse_args(&o, err, "--rss-every", "100", "--rss-after",
                                "2000", "--server-pid", "1", NULL),
                     BENCH_OPTS_OK);
    assert_int_equal(o.rss_every_ms, 100);
    assert_int_equal(o.rss_after_ms, 2000);
    /* RSS comes from /proc/PID: no pid, no series. */
    assert_int_equal(parse_args(&o, err, "--rss-every", "100", NULL),
                     BENCH_OPTS_ERROR);
    assert_non_null(strstr(err, "--server-pid"));
    assert_int_equal(parse_args(&o, err, "--rss-after", "100",
                                "--server-pid", "1", NULL),
                     BENCH_OPTS_ERROR);
    assert_int_equal(parse_args(&o, err, "--rss-every", "0", "--server-pid",
                                "1", NULL),
                     BENCH_OPTS_ERROR);
    assert_int_equal(parse_args(&o, err, "--rss-every", "10x",
                                "--server-pid", "1", NULL),
                     BENCH_OPTS_ERROR);
    assert_int_equal(parse_args(&o, err, "--rss-every", "100", "--server-pid",
                                "1", "--fill", NULL),
                     BENCH_OPTS_ERROR);
}

static void
test_zipf_theta(void **state)
{
    (void)state;
    struct bench_opts o;
    char err[BENCH_ERR_LEN];
    assert_int_equal(parse_args(&o, err, "--key-dist", "zipf", NULL),
                     BENCH_OPTS_OK);
    assert_true(o.theta > 0.98 && o.theta < 1.0);
    assert_int_equal(parse_args(&o, err, "--key-dist", "zipf:1.5", NULL),
                     BENCH_OPTS_OK);
    assert_true(o.theta == 1.5);
    assert_int_equal(parse_args(&o, err, "--key-dist", "zipf:4", NULL),
                     BENCH_OPTS_OK);
    assert_int_equal(parse_args(&o, err, "--key-dist", "zipf:4.01", NULL),
                     BENCH_OPTS_ERROR);
    assert_int_equal(parse_args(&o, err, "--key-dist", "zipf:0", NULL),
                     BENCH_OPTS_ERROR);
    assert_int_equal(parse_args(&o, err, "--key-dist", "zipf:", NULL),
                     BENCH_OPTS_ERROR);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_protocol),
        cmocka_unit_test(test_cache_aside),
        cmocka_unit_test(test_rss_series),
        cmocka_unit_test(test_zipf_theta),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
