/*
 * test_conform_bytes.c - mcref-conform's byte strings: quoted strings with
 * escapes, repeats and ${var} references (parse and expand), their errors,
 * the variable table, text expansion, and the escaped form shown in reports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conform_bytes.h"

/* Parses text, expands it with vars, and checks the bytes. */
static void
expect_bytes(const char *text, const struct conform_vars *vars,
             const void *want, size_t want_len)
{
    struct conform_bytes b;
    char err[CONFORM_ERR_LEN] = "";
    bool ok = conform_bytes_parse(text, strlen(text), &b, err);
    if (!ok) {
        fail_msg("parse of %s failed: %s", text, err);
    }
    struct conform_buf out = {0};
    ok = conform_bytes_expand(&b, vars, &out, err);
    if (!ok) {
        fail_msg("expand of %s failed: %s", text, err);
    }
    assert_int_equal(out.len, want_len);
    if (want_len > 0) {
        assert_memory_equal(out.data, want, want_len);
    }
    conform_buf_free(&out);
    conform_bytes_free(&b);
}

/* Parsing text must fail with an error mentioning needle. */
static void
expect_parse_error(const char *text, const char *needle)
{
    struct conform_bytes b;
    char err[CONFORM_ERR_LEN] = "";
    bool ok = conform_bytes_parse(text, strlen(text), &b, err);
    if (ok) {
        conform_bytes_free(&b);
        fail_msg("parse of %s should have failed", text);
    }
    if (strstr(err, needle) == NULL) {
        fail_msg("error for %s is '%s', want '%s'", text, err, needle);
    }
    /* A failed parse leaves nothing to free. */
    assert_null(b.strs);
    assert_int_equal(b.str_count, 0);
}

static void
test_plain_string(void **state)
{
    (void)state;
    struct conform_vars v;
    conform_vars_init(&v);
    expect_bytes("\"get foo\"", &v, "get foo", 7);
    expect_bytes("   \"a\"   ", &v, "a", 1);
    expect_bytes("\"\"", &v, "", 0);
}

static void
test_escapes(void **state)
{
    (void)state;
    struct conform_vars v;
    conform_vars_init(&v);
    expect_bytes("\"\\r\\n\\t\\0\\\\\\\"\\$\"", &v, "\r\n\t\0\\\"$", 7);
    expect_bytes("\"\\x41\\xff\\x00\\x7F\"", &v, "A\xff\0\x7f", 4);
    /* A lone $ not followed by { is a literal byte. */
    expect_bytes("\"a$b$\"", &v, "a$b$", 4);
}

static void
test_concatenation_and_repeat(void **state)
{
    (void)state;
    struct conform_vars v;
    conform_vars_init(&v);
    expect_bytes("\"get \" \"a\"*3 \"\\r\\n\"", &v, "get aaa\r\n", 9);
    expect_bytes("\"ab\"*2\t\"c\"*0 \"d\"*1", &v, "ababd", 5);
    char big[300];
    memset(big, 'x', sizeof(big));
    expect_bytes("\"x\"*300", &v, big, sizeof(big));
}

static void
test_variables(void **state)
{
    (void)state;
    struct conform_vars v;
    conform_vars_init(&v);
    assert_true(conform_vars_set(&v, "k", (const uint8_t *)"K1_", 3));
    assert_true(conform_vars_set(&v, "cas", (const uint8_t *)"42", 2));
    expect_bytes("\"set ${k}a 0 0 1 ${cas}\"", &v, "set K1_a 0 0 1 42", 17);
    /* A repeat applies to the expanded string. */
    expect_bytes("\" ${k}\"*3", &v, " K1_ K1_ K1_", 12);
    /* Replacing a value. */
    assert_true(conform_vars_set(&v, "cas", (const uint8_t *)"7", 1));
    expect_bytes("\"${cas}${cas}\"", &v, "77", 2);
}

static void
test_static_len_and_has_vars(void **state)
{
    (void)state;
    struct conform_bytes b;
    char err[CONFORM_ERR_LEN];
    const char *text = "\"ab\"*10 \"${x}c\"*2";
    assert_true(conform_bytes_parse(text, strlen(text), &b, err));
    assert_int_equal(b.static_len, 22);
    assert_true(b.has_vars);
    assert_int_equal(b.str_count, 2);
    assert_int_equal(b.strs[0].repeat, 10);
    assert_int_equal(b.strs[1].repeat, 2);
    conform_bytes_free(&b);
    /* Freeing twice is safe. */
    conform_bytes_free(&b);
}

static void
test_undefined_variable_fails_at_expand(void **state)
{
    (void)state;
    struct conform_vars v;
    conform_vars_init(&v);
    struct conform_bytes b;
    char err[CONFORM_ERR_LEN] = "";
    assert_true(conform_bytes_parse("\"${nope}\"", 9, &b, err));
    struct conform_buf out = {0};
    assert_false(conform_bytes_expand(&b, &v, &out, err));
    assert_non_null(strstr(err, "nope"));
    conform_buf_free(&out);
    conform_bytes_free(&b);
}

static void
test_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("", "quoted string");
    expect_parse_error("   ", "quoted string");
    expect_parse_error("abc", "quoted string");
    expect_parse_error("\"abc", "unterminated");
    expect_parse_error("\"a\\qb\"", "unknown escape");
    expect_parse_error("\"a\\x4\"", "two hex digits");
    expect_parse_error("\"a\\xg0\"", "two hex digits");
    expect_parse_error("\"a\\", "backslash");
    expect_parse_error("\"a\"b", "space after");
    expect_parse_error("\"a\"* 3", "count");
    expect_parse_error("\"a\"*x", "count");
    expect_parse_error("\"${abc\"", "unterminated ${");
    expect_parse_error("\"${1a}\"", "bad variable name");
    expect_parse_error("\"${}\"", "bad variable name");
    expect_parse_error("\"a\" \"b", "unterminated");
    expect_parse_error("\"a\"*99999999999", "repeat too large");
    expect_parse_error("\"ab\"*40000000", "more than");
}

static void
test_parse_error_column(void **state)
{
    (void)state;
    struct conform_bytes b;
    char err[CONFORM_ERR_LEN] = "";
    assert_false(conform_bytes_parse("\"ok\" \"a\\q\"", 10, &b, err));
    /* The bad escape's backslash is column 8. */
    assert_non_null(strstr(err, "column 8"));
}

static void
test_parse_respects_length(void **state)
{
    (void)state;
    /* Only the first 5 bytes are the text; the rest must not be read. */
    const char text[] = "\"abc\"\"garbage";
    struct conform_vars v;
    conform_vars_init(&v);
    struct conform_bytes b;
    char err[CONFORM_ERR_LEN];
    assert_true(conform_bytes_parse(text, 5, &b, err));
    struct conform_buf out = {0};
    assert_true(conform_bytes_expand(&b, &v, &out, err));
    assert_int_equal(out.len, 3);
    conform_buf_free(&out);
    conform_bytes_free(&b);
}

static void
test_var_names(void **state)
{
    (void)state;
    assert_true(conform_var_name_valid("k", 1));
    assert_true(conform_var_name_valid("_a9", 3));
    assert_false(conform_var_name_valid("9a", 2));
    assert_false(conform_var_name_valid("a-b", 3));
    assert_false(conform_var_name_valid("", 0));
    char long_name[CONFORM_VAR_NAME_LEN_MAX + 2];
    memset(long_name, 'a', sizeof(long_name));
    assert_true(conform_var_name_valid(long_name, CONFORM_VAR_NAME_LEN_MAX));
    assert_false(
        conform_var_name_valid(long_name, CONFORM_VAR_NAME_LEN_MAX + 1));
}

static void
test_vars_table_bounds(void **state)
{
    (void)state;
    struct conform_vars v;
    conform_vars_init(&v);
    char name[16];
    for (unsigned i = 0; i < CONFORM_VARS_MAX; i++) {
        snprintf(name, sizeof(name), "v%u", i);
        assert_true(conform_vars_set(&v, name, (const uint8_t *)"x", 1));
    }
    assert_false(conform_vars_set(&v, "one_more", (const uint8_t *)"x", 1));
    /* Existing names can still be replaced. */
    assert_true(conform_vars_set(&v, "v0", (const uint8_t *)"yy", 2));
    const struct conform_var *var = conform_vars_get(&v, "v0", 2);
    assert_non_null(var);
    assert_int_equal(var->value_len, 2);
    assert_null(conform_vars_get(&v, "v", 1));
    static uint8_t big[CONFORM_VAR_VALUE_LEN_MAX + 1];
    assert_false(conform_vars_set(&v, "v1", big, sizeof(big)));
    assert_false(conform_vars_set(&v, "bad-name", big, 1));
}

static void
test_text_expand(void **state)
{
    (void)state;
    struct conform_vars v;
    conform_vars_init(&v);
    conform_vars_set(&v, "now", (const uint8_t *)"1000", 4);
    struct conform_buf out = {0};
    char err[CONFORM_ERR_LEN];
    const char *t = "${now}+5 $x ${now}";
    assert_true(conform_text_expand(t, strlen(t), &v, &out, 100, err));
    assert_string_equal((const char *)out.data, "1000+5 $x 1000");
    conform_buf_reset(&out);
    assert_false(conform_text_expand("${later}", 8, &v, &out, 100, err));
    assert_non_null(strstr(err, "later"));
    conform_buf_reset(&out);
    assert_false(conform_text_expand("${now", 5, &v, &out, 100, err));
    conform_buf_reset(&out);
    /* Bounded by max. */
    assert_false(conform_text_expand("${now}${now}", 12, &v, &out, 7, err));
    conform_buf_free(&out);
}

static void
test_buf_append_bound(void **state)
{
    (void)state;
    struct conform_buf b = {0};
    assert_true(conform_buf_append(&b, "abc", 3, 5));
    assert_true(conform_buf_append(&b, "de", 2, 5));
    assert_false(conform_buf_append(&b, "f", 1, 5));
    assert_int_equal(b.len, 5);
    /* Always NUL-terminated past len. */
    assert_int_equal(b.data[5], '\0');
    conform_buf_reset(&b);
    assert_int_equal(b.len, 0);
    conform_buf_free(&b);
    assert_null(b.data);
}

static void
expect_escape(const void *data, size_t len, size_t cap, const char *want)
{
    char out[512];
    assert_true(cap <= sizeof(out));
    size_t n = conform_escape(data, len, out, cap);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
    assert_true(n < cap);
}

static void
test_escape_forms(void **state)
{
    (void)state;
    expect_escape("", 0, 100, "\"\"");
    expect_escape("STORED\r\n", 8, 100, "\"STORED\\r\\n\"");
    expect_escape("a\"b\\c$", 6, 100, "\"a\\\"b\\\\c\\$\"");
    expect_escape("\0\t\x01\xff", 4, 100, "\"\\0\\t\\x01\\xff\"");
}

static void
test_escape_runs(void **state)
{
    (void)state;
    char data[300];
    memcpy(data, "get ", 4);
    memset(data + 4, 'a', 251);
    memcpy(data + 255, "\r\n", 2);
    expect_escape(data, 257, 200, "\"get \" \"a\"*251 \"\\r\\n\"");
    /* Seven equal bytes stay inline. */
    expect_escape("xxxxxxx", 7, 100, "\"xxxxxxx\"");
    expect_escape("\r\n\r\n\r\n\r\n", 8, 100, "\"\\r\\n\\r\\n\\r\\n\\r\\n\"");
    memset(data, 0, 20);
    expect_escape(data, 20, 100, "\"\\0\"*20");
}

static void
test_escape_truncates(void **state)
{
    (void)state;
    char data[400];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (char)('a' + i % 7);
    }
    char out[100];
    size_t n = conform_escape((const uint8_t *)data, sizeof(data), out,
                              sizeof(out));
    assert_true(n < sizeof(out));
    assert_int_equal(out[0], '"');
    assert_non_null(strstr(out, "\" ...(+"));
    assert_non_null(strstr(out, " bytes)"));
    /* What is shown plus what is counted is the whole input. */
    const char *plus = strstr(out, "(+");
    size_t left = 0;
    assert_int_equal(sscanf(plus, "(+%zu", &left), 1);
    size_t shown = (size_t)(plus - out) - 6; /* 2 quotes, " ..." */
    assert_int_equal(shown + left, sizeof(data));
    /* Too small a buffer gives an empty string, never an overflow. */
    char tiny[10];
    assert_int_equal(conform_escape((const uint8_t *)data, 10, tiny,
                                    sizeof(tiny)),
                     0);
    assert_string_equal(tiny, "");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_string),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_concatenation_and_repeat),
        cmocka_unit_test(test_variables),
        cmocka_unit_test(test_static_len_and_has_vars),
        cmocka_unit_test(test_undefined_variable_fails_at_expand),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_error_column),
        cmocka_unit_test(test_parse_respects_length),
        cmocka_unit_test(test_var_names),
        cmocka_unit_test(test_vars_table_bounds),
        cmocka_unit_test(test_text_expand),
        cmocka_unit_test(test_buf_append_bound),
        cmocka_unit_test(test_escape_forms),
        cmocka_unit_test(test_escape_runs),
        cmocka_unit_test(test_escape_truncates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
