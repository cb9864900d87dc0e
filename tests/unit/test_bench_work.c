/*
 * test_bench_work.c - what mcref-bench's load sends, without sockets: the
 * cache-aside loop (a missed get is followed by a set of that key, a hit
 * is not; -n counts the gets) and the meta requests and the replies
 * expected for them.
 */
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench_conn.h"
#include "bench_hist.h"
#include "bench_work.h"

#define KEY_LEN 8
#define OUT_CAP 4096

struct fixture {
    struct bench_opts o;
    struct bench_keyspace ks;
    struct bench_hist *hist;
    struct bench_work w;
    struct bench_prng r;
    uint64_t pending[4];
    uint8_t key_store[KEY_LEN];
    struct bench_slot slot;
    uint8_t out[OUT_CAP];
    size_t len;
};

static const uint8_t value[3] = {'a', 'b', 'c'};

/* Options from a NULL-terminated argument list, plus a 10-key space. */
static struct fixture *
setup_with(const char *first, ...)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    char *argv[16];
    int argc = 0;
    argv[argc++] = "mcref-bench";
    argv[argc++] = "--keys";
    argv[argc++] = "10";
    argv[argc++] = "--key-len";
    argv[argc++] = "8";
    argv[argc++] = "--value-size";
    argv[argc++] = "3";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a != NULL; a = va_arg(ap, const char *)) {
        argv[argc++] = (char *)a;
    }
    va_end(ap);
    argv[argc] = NULL;
    optind = 0;
    char err[BENCH_ERR_LEN];
    if (bench_opts_parse(&f->o, argc, argv, err) != BENCH_OPTS_OK) {
        fail_msg("options: %s", err);
    }
    assert_int_equal(bench_keyspace_init(&f->ks, 10, KEY_LEN, f->o.dist,
                                         f->o.theta),
                     BENCH_KEYS_OK);
    f->hist = malloc(sizeof(*f->hist));
    assert_non_null(f->hist);
    bench_work_init(&f->w, BENCH_PHASE_LOAD, &f->o, &f->ks, value, f->hist);
    bench_work_set_pending(&f->w, f->pending, 4);
    bench_prng_init(&f->r, 99, 0);
    f->slot.keys = f->key_store;
    return f;
}

static void
teardown(struct fixture *f)
{
    free(f->hist);
    free(f);
}

/* Composes the next request; false when the phase is done. */
static bool
next(struct fixture *f)
{
    memset(f->out, 0, sizeof(f->out));
    return bench_work_next(&f->w, &f->r, &f->slot, f->out, sizeof(f->out),
                           &f->len);
}

/* Answers the slot's request: hits (1) or misses (0). */
static void
answer(struct fixture *f, size_t hits)
{
    struct bench_reply rep = {.hit_count = hits};
    bench_work_reply(&f->w, &f->slot, BENCH_REPLY_OK, &rep, NULL, 1000);
}

static bool
starts_with(const struct fixture *f, const char *prefix)
{
    return f->len >= strlen(prefix)
           && memcmp(f->out, prefix, strlen(prefix)) == 0;
}

static void
test_cache_aside_miss_then_set(void **state)
{
    (void)state;
    struct fixture *f = setup_with("--cache-aside", NULL);
    assert_true(next(f));
    assert_int_equal(f->slot.op, BENCH_OP_GET);
    assert_true(starts_with(f, "get key:000"));
    uint64_t missed = f->slot.key_id;
    char want[64];
    snprintf(want, sizeof(want), "set key:000%llu 0 0 3\r\nabc\r\n",
             (unsigned long long)missed);
    answer(f, 0);
    assert_true(next(f));
    assert_int_equal(f->slot.op, BENCH_OP_SET);
    assert_int_equal(f->slot.key_id, missed);
    assert_int_equal(f->len, strlen(want));
    assert_memory_equal(f->out, want, f->len);
    answer(f, 0);
    /* A hit is not followed by a set. */
    assert_true(next(f));
    assert_int_equal(f->slot.op, BENCH_OP_GET);
    answer(f, 1);
    assert_true(next(f));
    assert_int_equal(f->slot.op, BENCH_OP_GET);
    assert_int_equal(f->w.counts.aside_sets, 1);
    assert_int_equal(f->w.counts.hits, 1);
    assert_int_equal(f->w.counts.get_keys, 2);
    teardown(f);
}

/* Misses of requests in flight at once are set in order, after which
   gets resume. */
static void
test_cache_aside_pipelined_misses(void **state)
{
    (void)state;
    struct fixture *f = setup_with("--cache-aside", "-P", "4", NULL);
    struct bench_slot slots[3];
    uint8_t keys[3][KEY_LEN];
    for (int i = 0; i < 3; i++) {
        slots[i].keys = keys[i];
        size_t len;
        assert_true(bench_work_next(&f->w, &f->r, &slots[i], f->out,
                                    sizeof(f->out), &len));
        assert_int_equal(slots[i].op, BENCH_OP_GET);
    }
    struct bench_reply miss = {.hit_count = 0};
    for (int i = 0; i < 3; i++) {
        bench_work_reply(&f->w, &slots[i], BENCH_REPLY_OK, &miss, NULL, 1);
    }
    for (int i = 0; i < 3; i++) {
        assert_true(next(f));
        assert_int_equal(f->slot.op, BENCH_OP_SET);
        assert_int_equal(f->slot.key_id, slots[i].key_id);
    }
    assert_true(next(f));
    assert_int_equal(f->slot.op, BENCH_OP_GET);
    teardown(f);
}

/* -n bounds the gets; the set of the last miss still goes. */
static void
test_cache_aside_request_bound(void **state)
{
    (void)state;
    struct fixture *f = setup_with("--cache-aside", "-n", "2", NULL);
    assert_true(next(f));
    answer(f, 1);
    assert_true(next(f));
    assert_int_equal(f->slot.op, BENCH_OP_GET);
    answer(f, 0);
    assert_true(next(f));
    assert_int_equal(f->slot.op, BENCH_OP_SET);
    answer(f, 0);
    assert_false(next(f));
    teardown(f);
}

/* An error reply is not a miss: nothing is set. */
static void
test_cache_aside_error_is_not_miss(void **state)
{
    (void)state;
    struct fixture *f = setup_with("--cache-aside", NULL);
    assert_true(next(f));
    struct bench_reply rep = {0};
    bench_work_reply(&f->w, &f->slot, BENCH_REPLY_SERVER_ERROR, &rep, NULL,
                     1);
    assert_true(next(f));
    assert_int_equal(f->slot.op, BENCH_OP_GET);
    assert_int_equal(f->w.counts.server_errors, 1);
    teardown(f);
}

/* Meta unpipelined: mg <key> v and ms <key> 3 T0 F0, loud replies. */
static void
test_meta_loud(void **state)
{
    (void)state;
    struct fixture *f = setup_with("--protocol", "meta", "--ratio", "1:1",
                                   NULL);
    bool saw_get = false, saw_set = false;
    for (int i = 0; i < 50; i++) {
        assert_true(next(f));
        struct bench_reply_expect exp;
        bench_work_expect(&f->w, &f->slot, &exp);
        assert_false(exp.quiet);
        assert_false(exp.noop_after);
        char want[64];
        if (f->slot.op == BENCH_OP_GET) {
            saw_get = true;
            snprintf(want, sizeof(want), "mg %.8s v\r\n",
                     (const char *)f->slot.keys);
            assert_int_equal(exp.kind, BENCH_REPLY_META_GET);
        } else {
            saw_set = true;
            snprintf(want, sizeof(want), "ms %.8s 3 T0 F0\r\nabc\r\n",
                     (const char *)f->slot.keys);
            assert_int_equal(exp.kind, BENCH_REPLY_META_SET);
        }
        assert_int_equal(f->len, strlen(want));
        assert_memory_equal(f->out, want, f->len);
    }
    assert_true(saw_get && saw_set);
    teardown(f);
}

/* The warm-up before a meta load sends text sets: they fit too. */
static void
test_meta_warmup_fits(void **state)
{
    (void)state;
    struct fixture *f = setup_with("--protocol", "meta", "--warmup", NULL);
    bench_work_init(&f->w, BENCH_PHASE_WARMUP, &f->o, &f->ks, value,
                    f->hist);
    size_t cap = bench_work_req_len_max(&f->o);
    assert_true(bench_work_next(&f->w, &f->r, &f->slot, f->out, cap,
                                &f->len));
    assert_true(starts_with(f, "set key:0000 0 0 3\r\nabc\r\n"));
    teardown(f);
}

/* Meta pipelined: quiet, gets ask for the key back; room for the mn. */
static void
test_meta_quiet(void **state)
{
    (void)state;
    struct fixture *f = setup_with("--protocol", "meta", "--ratio", "1:1",
                                   "-P", "16", NULL);
    assert_true(bench_work_meta_quiet(&f->o));
    bool saw_get = false, saw_set = false;
    for (int i = 0; i < 50; i++) {
        assert_true(next(f));
        assert_true(f->len + 4 <= bench_work_req_len_max(&f->o));
        f->slot.noop_after = i % 2;
        struct bench_reply_expect exp;
        bench_work_expect(&f->w, &f->slot, &exp);
        assert_true(exp.quiet);
        assert_int_equal(exp.noop_after, i % 2);
        char want[64];
        if (f->slot.op == BENCH_OP_GET) {
            saw_get = true;
            snprintf(want, sizeof(want), "mg %.8s v k q\r\n",
                     (const char *)f->slot.keys);
            assert_memory_equal(exp.keys, f->slot.keys, KEY_LEN);
        } else {
            saw_set = true;
            snprintf(want, sizeof(want), "ms %.8s 3 T0 F0 q\r\nabc\r\n",
                     (const char *)f->slot.keys);
        }
        assert_int_equal(f->len, strlen(want));
        assert_memory_equal(f->out, want, f->len);
    }
    assert_true(saw_get && saw_set);
    teardown(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache_aside_miss_then_set),
        cmocka_unit_test(test_cache_aside_pipelined_misses),
        cmocka_unit_test(test_cache_aside_request_bound),
        cmocka_unit_test(test_cache_aside_error_is_not_miss),
        cmocka_unit_test(test_meta_loud),
        cmocka_unit_test(test_meta_quiet),
        cmocka_unit_test(test_meta_warmup_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
