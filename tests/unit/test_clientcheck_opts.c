/*
 * test_clientcheck_opts.c - mcref-clientcheck's command line and the
 * counting of mcref's report lines.
 */
#include "clause.h"

#include <string.h>

#include "cc_opts.h"
#include "cc_tally.h"

#define ARGV(...) ((char *[]){"mcref-clientcheck", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof ARGV(__VA_ARGS__) / sizeof(char *)) - 1)
#define PARSE(o, err, ...) cc_opts_parse(o, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), err)

static void
test_defaults_and_command(void **state)
{
    (void)state;
    static struct cc_opts o;
    char err[CC_ERR_LEN];
    assert_true(PARSE(&o, err, "--", "prove", "-v"));
    assert_int_equal(o.profile_count, 7);
    assert_string_equal(o.profiles[0], "strict");
    assert_string_equal(o.profiles[6], "all");
    assert_int_equal(o.format, CC_FORMAT_TEXT);
    assert_int_equal(o.timeout_s, 120);
    assert_true(o.seed == 1);
    assert_false(o.reject);
    assert_string_equal(o.command[0], "prove");
    assert_string_equal(o.command[1], "-v");
    assert_null(o.command[2]);
}

static void
test_every_option(void **state)
{
    (void)state;
    static struct cc_opts o;
    char err[CC_ERR_LEN];
    assert_true(PARSE(&o, err, "--profiles", "strict,cut:5+oom:1", "--format=tap",
                      "--timeout", "30", "--seed=99", "--reject",
                      "--allow-violations", "--server", "/x/mcref", "--",
                      "true"));
    assert_int_equal(o.profile_count, 2);
    assert_string_equal(o.profiles[1], "cut:5+oom:1");
    assert_int_equal(o.format, CC_FORMAT_TAP);
    assert_int_equal(o.timeout_s, 30);
    assert_true(o.seed == 99);
    assert_true(o.reject && o.allow_violations);
    assert_string_equal(o.server, "/x/mcref");
    assert_true(PARSE(&o, err, "--format", "json", "--", "x"));
    assert_int_equal(o.format, CC_FORMAT_JSON);
    assert_true(PARSE(&o, err, "--help"));
    assert_true(o.help);
}

static void
test_refusals(void **state)
{
    (void)state;
    static struct cc_opts o;
    char err[CC_ERR_LEN];
    assert_false(PARSE(&o, err, "--profiles", "strict"));
    assert_non_null(strstr(err, "no command"));
    assert_false(PARSE(&o, err, "--"));
    assert_false(PARSE(&o, err, "--format", "xml", "--", "x"));
    assert_false(PARSE(&o, err, "--timeout", "0", "--", "x"));
    assert_false(PARSE(&o, err, "--timeout", "5s", "--", "x"));
    assert_false(PARSE(&o, err, "--seed", "-1", "--", "x"));
    assert_false(PARSE(&o, err, "--profiles", "a b", "--", "x"));
    assert_false(PARSE(&o, err, "--profiles", ",", "--", "x"));
    assert_false(PARSE(&o, err, "--bogus", "--", "x"));
    assert_non_null(strstr(err, "--bogus"));
    assert_false(PARSE(&o, err, "--profiles",
                       "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", "--", "x"));
}

static void
tally(struct cc_tally *t, const char *line)
{
    cc_tally_line(t, line, strlen(line));
}

static void
test_tally(void **state)
{
    (void)state;
    static struct cc_tally t;
    cc_tally_init(&t);
    tally(&t, "{\"clause\":\"client.noreply\",\"conn\":3,\"request\":7,"
              "\"excerpt\":\"get a noreply\\r\\n\"}");
    tally(&t, "{\"clause\":\"client.noreply\",\"conn\":4,\"request\":1,"
              "\"excerpt\":\"x\"}");
    tally(&t, "{\"clause\":\"client.line-end\",\"conn\":1,\"request\":1,"
              "\"excerpt\":\"a \\\"q\\\"\"}");
    tally(&t, "{\"fault\":\"cut\",\"conn\":1,\"request\":2,\"param\":3}");
    tally(&t, "not json");
    tally(&t, "");
    assert_int_equal(t.violations, 3);
    assert_int_equal(t.clause_count, 2);
    assert_string_equal(t.clauses[0].name, "client.noreply");
    assert_int_equal(t.clauses[0].count, 2);
    assert_int_equal(t.clauses[0].conn, 3);
    assert_int_equal(t.clauses[0].request, 7);
    assert_string_equal(t.clauses[0].excerpt, "get a noreply\\r\\n");
    assert_string_equal(t.clauses[1].excerpt, "a \\\"q\\\"");
    assert_int_equal(t.fault_total, 1);
    assert_string_equal(t.faults[0].name, "cut");
    assert_int_equal(t.unreadable, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_command),
        cmocka_unit_test(test_every_option),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_tally),
    };
    return cmocka_run_group_tests_name("clientcheck_opts", tests, NULL, NULL);
}
