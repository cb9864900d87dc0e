/*
 * test_fuzz_compare.c - the allowances mcref-fuzz applies before comparing
 * (spec/differences.md): each normalised difference compares equal, and a
 * difference no row describes still shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../unit/clause.h"
#include "fuzz_compare.h"

static bool
same(const char *a, const char *b, bool cas_loose)
{
    struct fuzz_norm na = {.cas_loose = cas_loose};
    struct fuzz_norm nb = {.cas_loose = cas_loose};
    struct fuzz_buf x = {0};
    struct fuzz_buf y = {0};
    fuzz_normalise(&na, (const uint8_t *)a, strlen(a), &x);
    fuzz_normalise(&nb, (const uint8_t *)b, strlen(b), &y);
    bool eq = fuzz_first_difference(x.p, x.len, y.p, y.len) == SIZE_MAX;
    fuzz_buf_free(&x);
    fuzz_buf_free(&y);
    return eq;
}

static void
version_text_allowed(void **state)
{
    (void)state;
    assert_true(same("VERSION 1.6.18\r\n", "VERSION 1.6.18-mcref-0.1\r\n",
                     false));
    assert_false(same("VERSION 1.6.18\r\n", "ERROR\r\n", false));
}

static void
padding_allowed(void **state)
{
    (void)state;
    assert_true(same("VALUE ka 0 2\r\n9 \r\nEND\r\n",
                     "VALUE ka 0 1\r\n9\r\nEND\r\n", false));
    /* Not digits then spaces: compared as they are. */
    assert_false(same("VALUE ka 0 2\r\nx \r\nEND\r\n",
                      "VALUE ka 0 1\r\nx\r\nEND\r\n", false));
    assert_false(same("VALUE ka 0 1\r\n8\r\nEND\r\n",
                      "VALUE ka 0 1\r\n9\r\nEND\r\n", false));
}

/* CAS numbering: by order of first appearance on each side, so the same
 * item keeps its number and two items are told apart. */
static void
cas_numbering_allowed(void **state)
{
    (void)state;
    const char *a = "VALUE ka 0 1 7\r\nx\r\nVALUE kb 0 1 9\r\ny\r\nEND\r\n"
                    "VALUE ka 0 1 7\r\nx\r\nEND\r\nHD c7\r\n";
    const char *b = "VALUE ka 0 1 1007\r\nx\r\nVALUE kb 0 1 1009\r\ny\r\n"
                    "END\r\nVALUE ka 0 1 1007\r\nx\r\nEND\r\nHD c1007\r\n";
    const char *c = "VALUE ka 0 1 1007\r\nx\r\nVALUE kb 0 1 1007\r\ny\r\n"
                    "END\r\nVALUE ka 0 1 1007\r\nx\r\nEND\r\nHD c1007\r\n";
    assert_true(same(a, b, true));
    assert_false(same(a, c, true));
    assert_false(same(a, b, false));
}

static void
meta_allowances(void **state)
{
    (void)state;
    assert_true(same("HD l12 t-1\r\n", "HD l0 t-1\r\n", false));
    assert_true(same("ME ka exp=-5 la=1 cas=2 fetch=no cls=1 size=70\r\n",
                     "ME ka exp=5 la=1 cas=2 fetch=no cls=3 size=90\r\n",
                     false));
    assert_false(same("ME ka exp=-1 la=1\r\n", "ME ka exp=1 la=1\r\n",
                      false));
    assert_true(same("HD t100000\r\n", "HD t99999\r\n", false));
    assert_true(same("HD t2592000\r\n", "HD t2591999\r\n", false));
    assert_false(same("HD t100000\r\n", "HD t2592000\r\n", false));
    assert_false(same("HD t-1\r\n", "HD t100000\r\n", false));
}

static void
shape_of_lines(void **state)
{
    (void)state;
    const char *s = "STORED\r\nVALUE k0000abcd_x 12 3\r\nabc\r\nEND\r\n";
    char shape[FUZZ_SHAPE_LEN];
    fuzz_line_shape((const uint8_t *)s, strlen(s), 10, shape);
    assert_string_equal(shape, "VALUE K N N");
    fuzz_line_shape((const uint8_t *)s, strlen(s), 2, shape);
    assert_string_equal(shape, "STORED");
    fuzz_line_shape((const uint8_t *)s, strlen(s), strlen(s), shape);
    assert_string_equal(shape, "<none>");
    assert_int_equal(fuzz_first_difference((const uint8_t *)"ab", 2,
                                           (const uint8_t *)"ac", 2), 1);
    assert_int_equal(fuzz_first_difference((const uint8_t *)"ab", 2,
                                           (const uint8_t *)"a", 1), 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("misc.version", version_text_allowed),
        CLAUSE_TEST("incr.no-padding", padding_allowed),
        CLAUSE_TEST("cas.counter", cas_numbering_allowed),
        CLAUSE_TEST("meta.mg-access", meta_allowances),
        CLAUSE_TEST("frame.line", shape_of_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
