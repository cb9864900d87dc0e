/*
 * test_conform_stat.c - mcref-conform's stats replies and comparisons:
 * complete, partial and malformed replies (split at every byte), lookups,
 * sums, numeric, string and regex comparisons.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conform_stat.h"

static const char reply[] =
    "STAT pid 1234\r\n"
    "STAT version 1.6.18\r\n"
    "STAT libevent 2.1.12-stable\r\n"
    "STAT rusage_user 0.123456\r\n"
    "STAT empty\r\n"
    "STAT with_space a b\r\n"
    "END\r\n"
    "VERSION next\r\n";

static void
test_parse_whole_reply(void **state)
{
    (void)state;
    struct conform_stats *s = malloc(sizeof(*s));
    assert_non_null(s);
    size_t used = 0;
    char err[CONFORM_ERR_LEN];
    enum conform_stats_parse ps = conform_stats_parse(
        (const uint8_t *)reply, sizeof(reply) - 1, s, &used, err);
    assert_int_equal(ps, CONFORM_STATS_DONE);
    /* Stops right after END\r\n. */
    assert_int_equal(used, sizeof(reply) - 1 - strlen("VERSION next\r\n"));
    assert_int_equal(s->count, 6);
    assert_string_equal(conform_stats_get(s, "pid"), "1234");
    assert_string_equal(conform_stats_get(s, "libevent"), "2.1.12-stable");
    assert_string_equal(conform_stats_get(s, "empty"), "");
    assert_string_equal(conform_stats_get(s, "with_space"), "a b");
    assert_null(conform_stats_get(s, "missing"));
    assert_null(conform_stats_get(s, "pi"));
    free(s);
}

static void
test_parse_every_prefix_is_incomplete(void **state)
{
    (void)state;
    struct conform_stats *s = malloc(sizeof(*s));
    assert_non_null(s);
    size_t end = sizeof(reply) - 1 - strlen("VERSION next\r\n");
    for (size_t len = 0; len < end; len++) {
        /* An exact-size copy, so a read past len is caught by ASan. */
        uint8_t *copy = malloc(len + 1);
        assert_non_null(copy);
        memcpy(copy, reply, len);
        size_t used = 0;
        char err[CONFORM_ERR_LEN];
        assert_int_equal(conform_stats_parse(copy, len, s, &used, err),
                         CONFORM_STATS_MORE);
        free(copy);
    }
    free(s);
}

static void
test_parse_bad_replies(void **state)
{
    (void)state;
    struct conform_stats *s = malloc(sizeof(*s));
    assert_non_null(s);
    static const char *const bad[] = {
        "ERROR\r\n",
        "STAT a 1\r\nCLIENT_ERROR x\r\nEND\r\n",
        "STAT a 1\nEND\r\n",
        "\r\n",
        "STATS a 1\r\nEND\r\n",
        "END \r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t used = 0;
        char err[CONFORM_ERR_LEN] = "";
        assert_int_equal(conform_stats_parse((const uint8_t *)bad[i],
                                             strlen(bad[i]), s, &used, err),
                         CONFORM_STATS_BAD);
        assert_true(err[0] != '\0');
    }
    free(s);
}

static void
test_parse_bounds(void **state)
{
    (void)state;
    struct conform_stats *s = malloc(sizeof(*s));
    assert_non_null(s);
    /* More lines than are kept, and an overlong value: still parsed. */
    size_t cap = (CONFORM_STATS_MAX + 10) * 16 + 2000;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t at = 0;
    for (unsigned i = 0; i < CONFORM_STATS_MAX + 10; i++) {
        at += (size_t)snprintf(text + at, cap - at, "STAT n%u %u\r\n", i, i);
    }
    at += (size_t)snprintf(text + at, cap - at, "STAT long ");
    memset(text + at, 'v', 1000);
    at += 1000;
    at += (size_t)snprintf(text + at, cap - at, "\r\nEND\r\n");
    size_t used = 0;
    char err[CONFORM_ERR_LEN];
    assert_int_equal(conform_stats_parse((const uint8_t *)text, at, s, &used,
                                         err),
                     CONFORM_STATS_DONE);
    assert_int_equal(used, at);
    assert_int_equal(s->count, CONFORM_STATS_MAX);
    assert_string_equal(conform_stats_get(s, "n0"), "0");
    assert_null(conform_stats_get(s, "long"));
    free(text);
    free(s);
}

static void
test_eval(void **state)
{
    (void)state;
    int64_t v;
    assert_true(conform_eval("0", &v));
    assert_int_equal(v, 0);
    assert_true(conform_eval("1795488291+100", &v));
    assert_int_equal(v, 1795488391);
    assert_true(conform_eval("10+5-3+0", &v));
    assert_int_equal(v, 12);
    assert_true(conform_eval("9223372036854775807", &v));
    assert_false(conform_eval("9223372036854775808", &v));
    assert_false(conform_eval("9223372036854775807+1", &v));
    assert_false(conform_eval("1-2", &v));
    assert_false(conform_eval("", &v));
    assert_false(conform_eval("+1", &v));
    assert_false(conform_eval("1+", &v));
    assert_false(conform_eval("1 + 2", &v));
    assert_false(conform_eval("0.5", &v));
    assert_false(conform_eval("abc", &v));
}

/* compare must succeed and give want. */
static void
expect_compare(const char *a, enum conform_cmp cmp, const char *b, bool want)
{
    bool result = !want;
    char err[CONFORM_ERR_LEN] = "";
    if (!conform_compare(a, cmp, b, &result, err)) {
        fail_msg("compare %s %s %s failed: %s", a, conform_cmp_name(cmp), b,
                 err);
    }
    if (result != want) {
        fail_msg("%s %s %s gave %d", a, conform_cmp_name(cmp), b, result);
    }
}

static void
test_compare_numbers(void **state)
{
    (void)state;
    expect_compare("10", CONFORM_CMP_EQ, "7+3", true);
    expect_compare("10", CONFORM_CMP_NE, "10", false);
    expect_compare("9", CONFORM_CMP_LT, "10", true);
    expect_compare("10", CONFORM_CMP_LE, "10", true);
    expect_compare("10", CONFORM_CMP_GT, "10", false);
    expect_compare("11", CONFORM_CMP_GE, "10", true);
    /* Numbers, not strings: "9" < "10". */
    expect_compare("9", CONFORM_CMP_GT, "10", false);
    expect_compare("007", CONFORM_CMP_EQ, "7", true);
}

static void
test_compare_strings_and_regex(void **state)
{
    (void)state;
    expect_compare("on", CONFORM_CMP_EQ, "on", true);
    expect_compare("on", CONFORM_CMP_NE, "off", true);
    expect_compare("1.6.18", CONFORM_CMP_EQ, "1.6.18", true);
    expect_compare("on", CONFORM_CMP_MATCH, "on|off", true);
    expect_compare("only", CONFORM_CMP_MATCH, "on|off", false);
    expect_compare("135", CONFORM_CMP_MATCH, "135|136", true);
    expect_compare("1135", CONFORM_CMP_MATCH, "135|136", false);
    bool result;
    char err[CONFORM_ERR_LEN] = "";
    assert_false(conform_compare("on", CONFORM_CMP_LT, "off", &result, err));
    assert_non_null(strstr(err, "not numbers"));
    assert_false(conform_compare("x", CONFORM_CMP_MATCH, "(", &result, err));
    assert_false(conform_compare("1", CONFORM_CMP_CAPTURE, "1", &result, err));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_whole_reply),
        cmocka_unit_test(test_parse_every_prefix_is_incomplete),
        cmocka_unit_test(test_parse_bad_replies),
        cmocka_unit_test(test_parse_bounds),
        cmocka_unit_test(test_eval),
        cmocka_unit_test(test_compare_numbers),
        cmocka_unit_test(test_compare_strings_and_regex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
