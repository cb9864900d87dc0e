/*
 * test_fuzz_case.c - mcref-fuzz's case writer: a finding becomes a case of
 * the conformance language with the case's own ${k}, escapes, the clauses
 * touched, mcref's replies as expectations (patterns where an allowance
 * applies, a captured ${cas}), and expect-close where mcref closes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../unit/clause.h"
#include "fuzz_case.h"
#include "fuzz_planted.h"

static char *
write_case(const struct fuzz_stream *s, const char *clause)
{
    struct fuzz_result r = {.kind = FUZZ_DIVERGE, .request = 0,
                            .clause = clause};
    snprintf(r.shape_oracle, FUZZ_SHAPE_LEN, "DELETED");
    snprintf(r.shape_target, FUZZ_SHAPE_LEN, "NOT_FOUND");
    struct fuzz_case_info info = {.name = "fuzz-test-1", .run_seed = 3,
                                  .stream = 4, .target = "127.0.0.1:1",
                                  .cas_loose = true};
    struct fuzz_buf out = {0};
    assert_true(fuzz_case_write(s, &r, &info, &out));
    return (char *)out.p;
}

static void
writes_replayable_case(void **state)
{
    (void)state;
    struct fuzz_stream s = {0};
    add_req(&s, "set ${k}a 0 0 5\r\nh\"l$o\r\n", 0, "store.set");
    add_req(&s, "delete ${k}a\r\n", 1, "delete.reply");
    add_req(&s, "version\r\n", 2, "misc.version");
    char *text = write_case(&s, "delete.reply");
    assert_non_null(strstr(text, "case fuzz-test-1\n"));
    assert_non_null(strstr(text, "clauses: delete.reply store.set "
                                 "misc.version\n"));
    assert_non_null(strstr(text, "--seed 3 (stream 4)"));
    assert_non_null(
        strstr(text, "send \"set ${k}a 0 0 5\\r\\nh\\\"l\\$o\\r\\n\"\n"
                     "expect \"STORED\\r\\n\"\n"
                     "send \"delete ${k}a\\r\\n\"\n"
                     "expect \"DELETED\\r\\n\"\n"));
    assert_non_null(strstr(text, "expect-line /VERSION .*/\n"));
    /* The last request shows the connection is still in step. */
    assert_non_null(strstr(text, "send \"get ${k}zz_end\\r\\n\"\n"
                                 "expect \"END\\r\\n\"\nend\n"));
    assert_null(strstr(text, "expect-close"));
    free(text);
    fuzz_stream_free(&s);
}

static void
captures_cas_and_closes(void **state)
{
    (void)state;
    struct fuzz_stream s = {0};
    add_req(&s, "set ${k}a 0 0 1\r\nx\r\n", 0, "store.set");
    add_req(&s, "gets ${k}a\r\n", 1, "get.gets");
    add_req(&s, "cas ${k}a 0 0 1 ${cas}\r\ny\r\n", 2, "store.cas");
    add_req(&s, "get " "${k}" "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"
            "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"
            "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"
            "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"
            "LLLLLLLLLLLLLL\r\n", 3, "get.long-key");
    add_req(&s, "GET / HTTP/1.1\r\n", 4, "frame.http");
    char *text = write_case(&s, "store.cas");
    assert_non_null(strstr(text, "let cas = " FUZZ_CAS_NONE "\n"));
    assert_non_null(strstr(text, "expect-line /VALUE ${k}a 0 [0-9]+ "
                                 "([0-9]+)/ -> cas\n"));
    assert_non_null(strstr(text, "send \"cas ${k}a 0 0 1 ${cas}\\r\\ny"));
    assert_non_null(strstr(text, "\"L\"*"));
    assert_non_null(strstr(text, "expect-close\nend\n"));
    assert_null(strstr(text, "zz_end"));
    free(text);
    fuzz_stream_free(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("delete.reply", writes_replayable_case),
        CLAUSE_TEST("frame.http", captures_cas_and_closes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
