/* test_common_decimal.c - number parsing with memcached's rules ([num.*]). */
#include "clause.h"

#include <string.h>

#include "../../src/common/decimal.h"

static bool
u64(const char *s, uint64_t *out)
{
    return decimal_parse_u64((const uint8_t *)s, strlen(s), out);
}

static bool
i64(const char *s, int64_t *out)
{
    return decimal_parse_i64((const uint8_t *)s, strlen(s), out);
}

static void
test_parse_plain_and_signs(void **state)
{
    (void)state;
    uint64_t u;
    assert_true(u64("0", &u));
    assert_int_equal(u, 0);
    assert_true(u64("+5", &u));
    assert_int_equal(u, 5);
    assert_true(u64("007", &u));
    assert_int_equal(u, 7);
    assert_true(u64("-0", &u));
    assert_int_equal(u, 0);
    assert_false(u64("-1", &u));
    assert_false(u64("", &u));
    assert_false(u64("+", &u));
    assert_false(u64("-", &u));
}

static void
test_parse_malformed(void **state)
{
    (void)state;
    uint64_t u;
    assert_false(u64("0x10", &u));
    assert_false(u64("1.5", &u));
    assert_false(u64("12ab", &u));
    assert_false(u64("abc", &u));
    assert_false(u64(" ", &u));
    assert_false(u64("++1", &u));
}

static void
test_parse_whitespace(void **state)
{
    (void)state;
    uint64_t u;
    /* Leading whitespace is skipped; trailing whitespace ends the number. */
    assert_true(u64("  42", &u));
    assert_int_equal(u, 42);
    assert_true(u64("\t\r\n42", &u));
    assert_int_equal(u, 42);
    assert_true(u64("42 junk", &u));
    assert_int_equal(u, 42);
    assert_true(u64("1\r\n2", &u));
    assert_int_equal(u, 1);
    assert_true(decimal_parse_u64((const uint8_t *)"42\0ab", 5, &u));
    assert_int_equal(u, 42);
}

static void
test_parse_range_u64(void **state)
{
    (void)state;
    uint64_t u;
    assert_true(u64("18446744073709551615", &u));
    assert_true(u == UINT64_MAX);
    assert_false(u64("18446744073709551616", &u));
    assert_false(u64("-18446744073709551616", &u));
    assert_true(u64("0000000000000000000000042", &u));
    assert_int_equal(u, 42);
    /* memcached refuses '-' only when the result is negative as signed. */
    assert_true(u64("-9223372036854775809", &u));
    assert_true(u == 9223372036854775807u);
}

static void
test_parse_range_i64(void **state)
{
    (void)state;
    int64_t v;
    assert_true(i64("-1", &v));
    assert_int_equal(v, -1);
    assert_true(i64("9223372036854775807", &v));
    assert_true(v == INT64_MAX);
    assert_false(i64("9223372036854775808", &v));
    assert_true(i64("-9223372036854775808", &v));
    assert_true(v == INT64_MIN);
    assert_false(i64("-9223372036854775809", &v));
    assert_true(i64("4294967296", &v));
    assert_true((int32_t)v == 0); /* [num.truncate32] is the caller's cast */
}

static void
test_bounds_never_read_past_len(void **state)
{
    (void)state;
    /* "123" followed by digits that lie outside the given length. */
    uint64_t u;
    assert_true(decimal_parse_u64((const uint8_t *)"12345", 3, &u));
    assert_int_equal(u, 123);
    assert_false(decimal_parse_u64((const uint8_t *)"12345", 0, &u));
}

static void
test_format(void **state)
{
    (void)state;
    uint8_t buf[20];
    assert_int_equal(decimal_format_u64(0, buf), 1);
    assert_memory_equal(buf, "0", 1);
    assert_int_equal(decimal_format_u64(UINT64_MAX, buf), 20);
    assert_memory_equal(buf, "18446744073709551615", 20);
    assert_int_equal(decimal_len_u64(9), 1);
    assert_int_equal(decimal_len_u64(10), 2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("num.parse", test_parse_plain_and_signs),
        CLAUSE_TEST("num.parse", test_parse_malformed),
        CLAUSE_TEST("num.parse", test_parse_whitespace),
        CLAUSE_TEST("num.range", test_parse_range_u64),
        CLAUSE_TEST("num.range", test_parse_range_i64),
        CLAUSE_TEST("num.parse", test_bounds_never_read_past_len),
        CLAUSE_TEST("incr.reply", test_format),
    };
    return cmocka_run_group_tests_name("common_decimal", tests, NULL, NULL);
}
