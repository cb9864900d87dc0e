/*
 * test_fuzz_min.c - mcref-fuzz's executor and minimiser against a target
 * with a planted defect (fuzz_planted.h: `DELETED` reads `NOT_FOUND`): the
 * divergence is found at the right request and clause, shrinks to the two
 * requests that need it, and a target without the defect gives nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../unit/clause.h"
#include "fuzz_min.h"
#include "fuzz_planted.h"

static void
planted_stream(struct fuzz_stream *s)
{
    add_req(s, "set ${k}b 0 0 3\r\nbar\r\n", 0, "store.set");
    add_req(s, "set ${k}a 0 0 5\r\nhello\r\n", 0, "store.set");
    add_req(s, "get ${k}b ${k}c\r\n", 1, "get.reply");
    add_req(s, "version\r\n", 1, "misc.version");
    add_req(s, "delete ${k}c\r\n", 2, "delete.reply");
    add_req(s, "incr ${k}a 1\r\n", 3, "incr.reply");
    add_req(s, "delete ${k}a\r\n", 3, "delete.reply");
    add_req(s, "get ${k}a\r\n", 4, "get.reply");
    add_req(s, "touch ${k}b 0\r\n", 5, "touch.reply");
}

static void
finds_planted_divergence(void **state)
{
    (void)state;
    struct planted p = {.defect = true};
    struct fuzz_target t = planted_target(&p);
    struct fuzz_exec_opts eo = {.sentinel_meta = true, .cas_loose = true,
                                .nonce_seed = 5};
    struct fuzz_stream s = {0};
    planted_stream(&s);
    struct fuzz_result r = {0};
    fuzz_exec(&s, &t, &eo, &r);
    assert_int_equal(r.kind, FUZZ_DIVERGE);
    assert_int_equal(r.request, 6);
    assert_string_equal(r.clause, "delete.reply");
    assert_string_equal(r.shape_oracle, "DELETED");
    assert_string_equal(r.shape_target, "NOT_FOUND");

    struct fuzz_result fin = {0};
    struct fuzz_min_stats ms;
    fuzz_minimise(&s, &t, &eo, &r, 500, &fin, &ms);
    assert_true(ms.reproduced);
    assert_int_equal(s.count, 2);
    assert_memory_equal(s.reqs[0].bytes, "set ", 4);
    assert_memory_equal(s.reqs[1].bytes, "delete ", 7);
    assert_true(ms.bytes_after < ms.bytes_before);
    /* Keys keep their prefix: executions never share items. */
    assert_non_null(strstr((const char *)s.reqs[0].bytes, "${k}"));
    assert_non_null(strstr((const char *)s.reqs[1].bytes, "${k}"));
    assert_true(fuzz_result_same(&fin, &r));
    fuzz_result_free(&fin);
    fuzz_result_free(&r);
    fuzz_stream_free(&s);
    planted_close(&p);
}

static void
no_defect_no_finding(void **state)
{
    (void)state;
    struct planted p = {.defect = false};
    struct fuzz_target t = planted_target(&p);
    struct fuzz_exec_opts eo = {.sentinel_meta = false, .cas_loose = true,
                                .nonce_seed = 9};
    struct fuzz_gen_opts go = {.protocol = FUZZ_PROTO_MIXED,
                               .max_requests = 30, .allow_flush = true};
    for (uint64_t i = 0; i < 60; i++) {
        struct fuzz_stream s = {0};
        fuzz_gen_stream(&s, fuzz_gen_stream_seed(11, i), &go);
        struct fuzz_result r = {0};
        fuzz_exec(&s, &t, &eo, &r);
        assert_int_equal(r.kind, FUZZ_SAME);
        assert_true(r.requests_sent > 0);
        fuzz_result_free(&r);
        fuzz_stream_free(&s);
    }
    planted_close(&p);
}

/* A target that closes where mcref does not is a finding of its own. */
static void
close_is_a_finding(void **state)
{
    (void)state;
    struct planted p = {.defect = false};
    struct fuzz_target t = planted_target(&p);
    struct fuzz_exec_opts eo = {.sentinel_meta = true, .cas_loose = true};
    struct fuzz_stream s = {0};
    add_req(&s, "set ${k}a 0 0 1\r\nx\r\n", 0, "store.set");
    add_req(&s, "quit\r\n", 1, "misc.quit");
    struct fuzz_result r = {0};
    fuzz_exec(&s, &t, &eo, &r);
    /* Both close at quit: the same. */
    assert_int_equal(r.kind, FUZZ_SAME);
    fuzz_result_free(&r);
    fuzz_stream_free(&s);
    planted_close(&p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("delete.reply", finds_planted_divergence),
        CLAUSE_TEST("frame.pipeline", no_defect_no_finding),
        CLAUSE_TEST("misc.quit", close_is_a_finding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
