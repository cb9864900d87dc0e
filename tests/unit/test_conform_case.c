/*
 * test_conform_case.c - mcref-conform's case-file parser: headers, every
 * step, repeat blocks, variables defined before use, the slow-tag check,
 * error messages with file and line, and loading a directory; `since:` and
 * `requires: meta`, and how the runner skips by them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conform_case.h"
#include "conform_run.h"

/* Parses text as one file; fails the test on an error. */
static void
parse_ok(struct conform_set *set, const char *text)
{
    char err[CONFORM_ERR_LEN] = "";
    if (!conform_set_parse(set, "t.case", text, strlen(text), err)) {
        fail_msg("unexpected parse error: %s", err);
    }
}

/* Parsing text must fail with "t.case:LINE: ..." containing needle. */
static void
parse_fails(const char *text, unsigned line, const char *needle)
{
    struct conform_set set = {0};
    char err[CONFORM_ERR_LEN] = "";
    bool ok = conform_set_parse(&set, "t.case", text, strlen(text), err);
    conform_set_free(&set);
    if (ok) {
        fail_msg("expected an error containing '%s'", needle);
    }
    char where[32];
    snprintf(where, sizeof(where), "t.case:%u: ", line);
    if (strncmp(err, where, strlen(where)) != 0 ||
        strstr(err, needle) == NULL) {
        fail_msg("error is '%s'; want '%s...%s'", err, where, needle);
    }
}

static const char full_case[] =
    "# a comment\n"
    "\n"
    "case get-returns-stored-value\n"
    "clauses: store.set get.reply\n"
    "clauses: frame.line\n"
    "requires: evictions=off maxbytes>=1024 debugtime item_size_max!=5\n"
    "tags: destructive slow\n"
    "server: mcref\n"
    "timeout: 5000\n"
    "  send \"set ${k}a 5 0 3\\r\\nbar\\r\\n\"\n"
    "\texpect \"STORED\\r\\n\"   \n"
    "send \"gets ${k}a\\r\\n\"\n"
    "expect-line /VALUE ${k}a 5 3 ([0-9]+)/ -> cas\n"
    "expect \"bar\\r\\nEND\\r\\n\"\n"
    "send \"cas ${k}a 0 0 1 ${cas}\\r\\nx\\r\\n\"\n"
    "end\n";

static void
test_full_case(void **state)
{
    (void)state;
    struct conform_set set = {0};
    parse_ok(&set, full_case);
    assert_int_equal(set.count, 1);
    const struct conform_case *c = &set.cases[0];
    assert_string_equal(c->name, "get-returns-stored-value");
    assert_string_equal(c->file, "t.case");
    assert_int_equal(c->line, 3);
    assert_int_equal(c->clause_count, 3);
    assert_string_equal(c->clauses[0], "store.set");
    assert_string_equal(c->clauses[2], "frame.line");
    assert_int_equal(c->require_count, 4);
    assert_string_equal(c->requires[0].name, "evictions");
    assert_int_equal(c->requires[0].cmp, CONFORM_CMP_EQ);
    assert_string_equal(c->requires[0].value, "off");
    assert_string_equal(c->requires[1].name, "maxbytes");
    assert_int_equal(c->requires[1].cmp, CONFORM_CMP_GE);
    assert_string_equal(c->requires[1].value, "1024");
    assert_true(c->requires[2].debugtime);
    assert_int_equal(c->requires[3].cmp, CONFORM_CMP_NE);
    assert_true(c->destructive);
    assert_true(c->slow);
    assert_false(c->final);
    assert_true(c->mcref_only);
    assert_int_equal(c->timeout_ms, 5000);
    assert_int_equal(c->step_count, 6);
    assert_int_equal(c->steps[0].kind, CONFORM_STEP_SEND);
    assert_int_equal(c->steps[0].line, 10);
    assert_string_equal(c->steps[0].text, "send \"set ${k}a 5 0 3\\r\\nbar\\r\\n\"");
    assert_int_equal(c->steps[1].kind, CONFORM_STEP_EXPECT);
    assert_int_equal(c->steps[3].kind, CONFORM_STEP_EXPECT_LINE);
    assert_string_equal(c->steps[3].arg, "VALUE ${k}a 5 3 ([0-9]+)");
    assert_int_equal(c->steps[3].capture_count, 1);
    assert_string_equal(c->steps[3].captures[0], "cas");
    assert_true(c->steps[4].bytes.str_count == 1);
    assert_false(c->has_wait);
    conform_set_free(&set);
    assert_int_equal(set.count, 0);
}

static void
test_every_step_kind(void **state)
{
    (void)state;
    static const char text[] =
        "case all-steps\n"
        "clauses: frame.line\n"
        "send \"a\"\n"
        "send-chunks 3 1 \"abcdef\"\n"
        "expect \"b\"\n"
        "expect-line /x\\/y (a|b)/ -> v\n"
        "expect-close\n"
        "expect-silence 100\n"
        "wait 0.5\n"
        "sleep 1\n"
        "conn other-1\n"
        "conn c${v}\n"
        "reconnect\n"
        "close\n"
        "half-close\n"
        "reset\n"
        "stat cmd_get -> g\n"
        "stat settings evictions = on\n"
        "stat cmd_get = ${g}+2\n"
        "stat version ~ 1\\.6.*\n"
        "repeat 3\n"
        "repeat 2 j\n"
        "send \"${i}${j}\"\n"
        "done\n"
        "done\n"
        "let t = ${g}+100\n"
        "check ${t} > ${g}\n"
        "expect-until \"END\\r\\n\"\n"
        "expect-lines /STAT .*/\n"
        "end\n";
    static const enum conform_step_kind kinds[] = {
        CONFORM_STEP_SEND, CONFORM_STEP_SEND_CHUNKS, CONFORM_STEP_EXPECT,
        CONFORM_STEP_EXPECT_LINE, CONFORM_STEP_EXPECT_CLOSE,
        CONFORM_STEP_EXPECT_SILENCE, CONFORM_STEP_WAIT, CONFORM_STEP_SLEEP,
        CONFORM_STEP_CONN, CONFORM_STEP_CONN, CONFORM_STEP_RECONNECT,
        CONFORM_STEP_CLOSE, CONFORM_STEP_HALF_CLOSE, CONFORM_STEP_RESET,
        CONFORM_STEP_STAT, CONFORM_STEP_STAT, CONFORM_STEP_STAT,
        CONFORM_STEP_STAT, CONFORM_STEP_REPEAT, CONFORM_STEP_REPEAT,
        CONFORM_STEP_SEND, CONFORM_STEP_DONE, CONFORM_STEP_DONE,
        CONFORM_STEP_LET, CONFORM_STEP_CHECK, CONFORM_STEP_EXPECT_UNTIL,
        CONFORM_STEP_EXPECT_LINES,
    };
    struct conform_set set = {0};
    parse_ok(&set, text);
    const struct conform_case *c = &set.cases[0];
    size_t n = sizeof(kinds) / sizeof(kinds[0]);
    assert_int_equal(c->step_count, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(c->steps[i].kind, kinds[i]);
        assert_int_equal(c->steps[i].line, i + 3);
    }
    const struct conform_step *st = c->steps;
    assert_int_equal(st[1].count, 3);
    assert_int_equal(st[1].ms, 1);
    /* \/ in a pattern is a plain slash. */
    assert_string_equal(st[3].arg, "x/y (a|b)");
    assert_int_equal(st[5].ms, 100);
    assert_true(st[6].seconds > 0.49 && st[6].seconds < 0.51);
    assert_true(c->has_wait);
    assert_string_equal(st[8].arg, "other-1");
    assert_int_equal(st[14].cmp, CONFORM_CMP_CAPTURE);
    assert_string_equal(st[14].captures[0], "g");
    assert_null(st[14].group);
    assert_string_equal(st[15].group, "settings");
    assert_string_equal(st[15].arg, "evictions");
    assert_string_equal(st[15].value, "on");
    assert_int_equal(st[16].cmp, CONFORM_CMP_EQ);
    assert_string_equal(st[16].value, "${g}+2");
    assert_int_equal(st[17].cmp, CONFORM_CMP_MATCH);
    /* Repeat blocks know their ends, and the default variable is i. */
    assert_int_equal(st[18].count, 3);
    assert_string_equal(st[18].arg, "i");
    assert_int_equal(st[18].match, 22);
    assert_int_equal(st[22].match, 18);
    assert_int_equal(st[19].match, 21);
    assert_string_equal(st[19].arg, "j");
    assert_string_equal(st[23].arg, "t");
    assert_string_equal(st[23].value, "${g}+100");
    assert_int_equal(st[24].cmp, CONFORM_CMP_GT);
    /* Real waiting: wait 0.5 + sleep 1 + silence 0.1 + one 1 ms pause. */
    assert_true(c->real_s > 1.600 && c->real_s < 1.602);
    conform_set_free(&set);
}

static void
test_real_time_counts_repeats(void **state)
{
    (void)state;
    struct conform_set set = {0};
    parse_ok(&set, "case r\nclauses: a.b\ntags: slow\nrepeat 10\n"
                   "repeat 3\nsleep 0.5\ndone\ndone\nend\n");
    assert_true(set.cases[0].real_s > 14.99 && set.cases[0].real_s < 15.01);
    conform_set_free(&set);
    parse_fails("case r\nclauses: a.b\nrepeat 3\nsleep 1\ndone\nend\n", 6,
                "add 'tags: slow'");
}

static void
test_several_cases_and_crlf(void **state)
{
    (void)state;
    struct conform_set set = {0};
    parse_ok(&set, "case one\r\nclauses: a.b\r\nsend \"x\"\r\nend\r\n"
                   "case two\nclauses: c.d\ntags: final\nexpect-close\nend");
    assert_int_equal(set.count, 2);
    assert_string_equal(set.cases[0].name, "one");
    assert_string_equal(set.cases[1].name, "two");
    assert_true(set.cases[1].final);
    assert_int_equal(set.cases[1].line, 5);
    /* A second file appends; names must stay unique across files. */
    char err[CONFORM_ERR_LEN];
    const char more[] = "case three\nclauses: e\nsend \"y\"\nend\n";
    assert_true(conform_set_parse(&set, "u.case", more, strlen(more), err));
    assert_int_equal(set.count, 3);
    assert_string_equal(set.cases[2].file, "u.case");
    const char dup[] = "\ncase one\nclauses: e\nsend \"y\"\nend\n";
    assert_false(conform_set_parse(&set, "v.case", dup, strlen(dup), err));
    assert_non_null(strstr(err, "v.case:2: case 'one' already defined at t.case:1"));
    /* The failed file added nothing. */
    assert_int_equal(set.count, 3);
    conform_set_free(&set);
}

static void
test_structure_errors(void **state)
{
    (void)state;
    parse_fails("send \"x\"\n", 1, "outside a case");
    parse_fails("case a\nclauses: x\nsend \"x\"\n", 3, "missing end");
    parse_fails("case a\nclauses: x\ncase b\n", 3, "case inside case");
    parse_fails("case a\nsend \"x\"\nend\n", 3, "cites no clause");
    parse_fails("case a\nclauses: x\nend\n", 3, "has no steps");
    parse_fails("case bad/name\n", 1, "usage: case NAME");
    parse_fails("case a b\n", 1, "usage: case NAME");
    parse_fails("case a\nclauses: x\nfrobnicate\nend\n", 3, "unknown step");
    parse_fails("case a\nclauses: x\nend extra\n", 3, "takes no arguments");
    /* A raw NUL byte in a file (strlen would stop at it). */
    static const char nul[] = "case a\nclauses: x\nsend \"a\0b\"\nend\n";
    struct conform_set set = {0};
    char err[CONFORM_ERR_LEN] = "";
    assert_false(conform_set_parse(&set, "t.case", nul, sizeof(nul) - 1, err));
    assert_non_null(strstr(err, "t.case:3: NUL byte"));
    conform_set_free(&set);
}

static void
test_header_errors(void **state)
{
    (void)state;
    parse_fails("case a\nclauses:\n", 2, "at least one clause");
    parse_fails("case a\nclauses: Store.set\n", 2, "bad clause ID");
    parse_fails("case a\nclauses: .x\n", 2, "bad clause ID");
    parse_fails("case a\nclauses: x\nrequires: evictions\n", 3,
                "bad requirement");
    parse_fails("case a\nclauses: x\nrequires: =on\n", 3, "bad requirement");
    parse_fails("case a\nclauses: x\nrequires: a=\n", 3, "bad requirement");
    parse_fails("case a\nclauses: x\ntags: fast\n", 3, "unknown tag");
    parse_fails("case a\nclauses: x\nserver: memcached\n", 3, "mcref");
    parse_fails("case a\nclauses: x\ntimeout: 0\n", 3, "milliseconds");
    parse_fails("case a\nclauses: x\ntimeout: 5s\n", 3, "milliseconds");
}

static void
test_step_errors(void **state)
{
    (void)state;
    const char *head = "case a\nclauses: x\n";
    static const struct {
        const char *step;
        const char *needle;
    } bad[] = {
        {"send", "quoted string"},
        {"send abc", "quoted string"},
        {"expect \"a\\q\"", "unknown escape"},
        {"send-chunks 0 1 \"a\"", "SIZE"},
        {"send-chunks 1 \"a\"", "MS must be"},
        {"send-chunks 1", "usage: send-chunks"},
        {"expect-line VALUE", "needs /regex/"},
        {"expect-line /abc", "unterminated"},
        {"expect-line /a(/", "bad regex"},
        {"expect-line /a/ b", "'-> VAR"},
        {"expect-line /(a)/ -> x y", "2 captures but the regex has 1"},
        {"expect-line /a/ -> 9x", "bad variable name"},
        {"expect-silence", "usage: expect-silence"},
        {"expect-silence 1.5", "usage: expect-silence"},
        {"wait", "usage: wait"},
        {"wait -1", "usage: wait"},
        {"wait 0", "usage: wait"},
        {"wait 1.", "usage: wait"},
        {"sleep 99999", "usage: sleep"},
        {"conn", "usage: conn"},
        {"conn a/b", "usage: conn"},
        {"stat", "usage: stat"},
        {"stat a b", "usage: stat"},
        {"stat cmd_get == 1", "bad operator"},
        {"stat cmd_get ~ (", "bad regex"},
        {"repeat", "usage: repeat"},
        {"repeat x", "usage: repeat"},
        {"repeat 2000000", "usage: repeat"},
        {"done", "done without repeat"},
        {"let x 5", "usage: let"},
        {"let x = ${nope}", "${nope} used before"},
        {"check 1 <> 2", "bad operator"},
        {"check 1 =", "usage: check"},
        {"expect-lines /a/ extra", "usage: expect-lines"},
        {"reconnect now", "takes no arguments"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "%s%s\nend\n", head, bad[i].step);
        parse_fails(text, 3, bad[i].needle);
    }
}

static void
test_variables_defined_before_use(void **state)
{
    (void)state;
    /* ${k} is always defined. */
    struct conform_set set = {0};
    parse_ok(&set, "case a\nclauses: x\nsend \"${k}\"\nend\n");
    conform_set_free(&set);
    parse_fails("case a\nclauses: x\nsend \"${cas}\"\nend\n", 3,
                "${cas} used before it is defined");
    parse_fails("case a\nclauses: x\nsend \"x\"\nexpect-line /(a)/ -> c\n"
                "end\ncase b\nclauses: x\nsend \"${c}\"\nend\n",
                8, "${c} used before");
    parse_fails("case a\nclauses: x\nstat x = ${v}\nend\n", 3, "${v}");
    parse_fails("case a\nclauses: x\nconn c${i}\nend\n", 3, "${i}");
    parse_fails("case a\nclauses: x\nexpect-line /${z}/\nend\n", 3, "${z}");
    /* A pattern with variables is compiled at run time only. */
    parse_ok(&set, "case a\nclauses: x\nstat n -> z\nexpect-line /${z}(/\n"
                   "end\n");
    conform_set_free(&set);
}

static void
test_repeat_errors(void **state)
{
    (void)state;
    parse_fails("case a\nclauses: x\nrepeat 2\nsend \"x\"\nend\n", 5,
                "repeat without done");
    parse_fails("case a\nclauses: x\nrepeat 1\nrepeat 1\nrepeat 1\nrepeat 1\n"
                "repeat 1\n",
                7, "nested more than 4");
}

static void
test_cmp_names(void **state)
{
    (void)state;
    static const char *const ops[] = {"=", "!=", "<", "<=", ">", ">=", "~"};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        enum conform_cmp cmp;
        size_t n = conform_cmp_parse(ops[i], &cmp);
        assert_int_equal(n, strlen(ops[i]));
        assert_string_equal(conform_cmp_name(cmp), ops[i]);
    }
    enum conform_cmp cmp;
    assert_int_equal(conform_cmp_parse("x", &cmp), 0);
    assert_int_equal(conform_cmp_parse("", &cmp), 0);
}

static void
test_regex_anchored(void **state)
{
    (void)state;
    regex_t re;
    size_t nsub;
    char err[CONFORM_ERR_LEN];
    assert_true(conform_regex_compile(&re, "a|b([0-9]+)", &nsub, err));
    assert_int_equal(nsub, 1);
    assert_int_equal(regexec(&re, "a", 0, NULL, 0), 0);
    assert_int_equal(regexec(&re, "b12", 0, NULL, 0), 0);
    /* Anchored at both ends, around the whole alternation. */
    assert_int_not_equal(regexec(&re, "xa", 0, NULL, 0), 0);
    assert_int_not_equal(regexec(&re, "b12x", 0, NULL, 0), 0);
    regfree(&re);
    assert_false(conform_regex_compile(&re, "a[", &nsub, err));
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void
test_load_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/conform-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/b.case", dir);
    write_file(path, "case from-b\nclauses: x\nsend \"b\"\nend\n");
    snprintf(path, sizeof(path), "%s/a.case", dir);
    write_file(path, "case from-a\nclauses: x\nsend \"a\"\nend\n");
    snprintf(path, sizeof(path), "%s/README.md", dir);
    write_file(path, "case not-a-case-file\n");
    snprintf(path, sizeof(path), "%s/.hidden.case", dir);
    write_file(path, "garbage\n");
    struct conform_set set = {0};
    char err[CONFORM_ERR_LEN] = "";
    if (!conform_set_load_dir(&set, dir, err)) {
        fail_msg("load: %s", err);
    }
    /* Files in name order; only *.case. */
    assert_int_equal(set.count, 2);
    assert_string_equal(set.cases[0].name, "from-a");
    assert_string_equal(set.cases[1].name, "from-b");
    conform_set_free(&set);
    snprintf(path, sizeof(path), "%s/c.case", dir);
    write_file(path, "case from-a\nclauses: x\nsend \"c\"\nend\n");
    assert_false(conform_set_load_dir(&set, dir, err));
    assert_non_null(strstr(err, "c.case:1: case 'from-a' already defined"));
    conform_set_free(&set);
    const char *names[] = {"a.case", "b.case", "c.case", "README.md",
                           ".hidden.case"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    assert_false(conform_set_load_dir(&set, dir, err));
    assert_non_null(strstr(err, "no .case files"));
    rmdir(dir);
    assert_false(conform_set_load_dir(&set, dir, err));
    conform_set_free(&set);
}

static bool skipped(const char *text, const char *version, bool has_meta,
                    bool mcref, char reason[CONFORM_ERR_LEN]);

static void
test_version_parse_and_compare(void **state)
{
    (void)state;
    uint32_t a[CONFORM_VERSION_PARTS];
    uint32_t b[CONFORM_VERSION_PARTS];
    size_t used = 0;
    assert_true(conform_version_parse("1.6.18", a, &used));
    assert_int_equal(used, 6);
    assert_int_equal(a[0], 1);
    assert_int_equal(a[1], 6);
    assert_int_equal(a[2], 18);
    assert_int_equal(a[3], 0);
    /* mcref's reply: the release number is the prefix. */
    assert_true(conform_version_parse("1.6.18-mcref-0.1.0", b, &used));
    assert_int_equal(used, 6);
    assert_int_equal(conform_version_cmp(a, b), 0);
    /* Numeric, not textual: 1.6.9 < 1.6.18 < 1.6.27 < 1.7 */
    assert_true(conform_version_parse("1.6.9", b, NULL));
    assert_true(conform_version_cmp(b, a) < 0);
    assert_true(conform_version_parse("1.6.27", b, NULL));
    assert_true(conform_version_cmp(a, b) < 0);
    assert_true(conform_version_cmp(b, a) > 0);
    assert_true(conform_version_parse("1.7", b, &used));
    assert_int_equal(used, 3);
    assert_true(conform_version_cmp(a, b) < 0);
    /* A trailing dot is not part of the number. */
    assert_true(conform_version_parse("1.6.", b, &used));
    assert_int_equal(used, 3);
    assert_false(conform_version_parse("v1.6", b, NULL));
    assert_false(conform_version_parse("", b, NULL));
    assert_false(conform_version_parse("99999999999.1", b, NULL));
}

static void
test_since_and_requires_meta_parse(void **state)
{
    (void)state;
    struct conform_set set = {0};
    parse_ok(&set, "case a\nclauses: x\nsince: 1.6.27\nrequires: meta "
                   "cas_enabled=yes no-meta\nsend \"mn\\r\\n\"\nend\n"
                   "case b\nclauses: x\nsend \"mn\\r\\n\"\nend\n");
    assert_string_equal(set.cases[0].since, "1.6.27");
    assert_int_equal(set.cases[0].require_count, 3);
    assert_true(set.cases[0].requires[0].meta);
    assert_false(set.cases[0].requires[0].no_meta);
    assert_false(set.cases[0].requires[1].meta);
    assert_true(set.cases[0].requires[2].no_meta);
    assert_false(set.cases[0].requires[2].meta);
    assert_string_equal(set.cases[1].since, "");
    conform_set_free(&set);
    parse_fails("case a\nclauses: x\nsince:\n", 3, "release number");
    parse_fails("case a\nclauses: x\nsince: 1.6.x\n", 3, "release number");
    parse_fails("case a\nclauses: x\nsince: 1.6.\n", 3, "release number");
    parse_fails("case a\nclauses: x\nsince: 1.6 1.7\n", 3,
                "release number");
    parse_fails("case a\nclauses: x\nsince: 1.6\nsince: 1.7\n", 4,
                "twice");
    parse_fails("case a\nclauses: x\nrequires: metaa\n", 3,
                "bad requirement");
    parse_fails("case a\nclauses: x\nuntil: 1.6.x\n", 3, "release number");
    parse_fails("case a\nclauses: x\nuntil: 1.6\nuntil: 1.7\n", 4,
                "twice");
    parse_fails("case a\nclauses: x\nsince: 1.6.40\nuntil: 1.6.40\n", 4,
                "not before");
    parse_fails("case a\nclauses: x\nuntil: 1.6.20\nsince: 1.6.40\n", 4,
                "not before");
    parse_ok(&set, "case u\nclauses: x\nuntil: 1.6.40\nsince: 1.6.20\n"
                   "send \"mn\\r\\n\"\nend\n");
    assert_string_equal(set.cases[0].until, "1.6.40");
    assert_string_equal(set.cases[0].since, "1.6.20");
    conform_set_free(&set);
}

static void
test_runner_skips_by_until(void **state)
{
    (void)state;
    static const char until40[] =
        "case a\nclauses: x\nuntil: 1.6.40\nsend \"mn\\r\\n\"\nend\n";
    static const char window[] =
        "case a\nclauses: x\nsince: 1.6.20\nuntil: 1.6.40\n"
        "send \"mn\\r\\n\"\nend\n";
    char reason[CONFORM_ERR_LEN];
    assert_false(skipped(until40, "1.6.18", true, false, reason));
    assert_false(skipped(until40, "1.6.39", true, false, reason));
    assert_true(skipped(until40, "1.6.40", true, false, reason));
    assert_non_null(strstr(reason, "until 1.6.40"));
    assert_true(skipped(until40, "1.6.45", true, false, reason));
    assert_non_null(strstr(reason, "1.6.45"));
    assert_true(skipped(until40, "next", true, false, reason));
    assert_non_null(strstr(reason, "not a release number"));
    /* mcref keeps the behaviour an until case checks. */
    assert_false(skipped(until40, "1.6.18-mcref-0.1.0", true, true, reason));
    assert_true(skipped(window, "1.6.18", true, false, reason));
    assert_non_null(strstr(reason, "since 1.6.20"));
    assert_false(skipped(window, "1.6.20", true, false, reason));
    assert_true(skipped(window, "1.6.40", true, false, reason));
    assert_false(skipped(window, "1.6.18-mcref-0.1.0", true, true, reason));
}

/* Whether the runner skips the case parsed from text on a server with
 * this version, meta answer and mcref rules; the reason when it does. */
static bool
skipped(const char *text, const char *version, bool has_meta, bool mcref,
        char reason[CONFORM_ERR_LEN])
{
    struct conform_set set = {0};
    parse_ok(&set, text);
    struct conform_run_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    struct conform_server_info info;
    memset(&info, 0, sizeof(info));
    snprintf(info.version, sizeof(info.version), "%s", version);
    info.has_meta = has_meta;
    snprintf(info.meta_reply, sizeof(info.meta_reply), "%s",
             has_meta ? "MN" : "ERROR");
    info.mcref = mcref;
    reason[0] = '\0';
    bool skip = conform_case_skipped(&cfg, &info, &set.cases[0], reason);
    conform_set_free(&set);
    return skip;
}

static void
test_runner_skips_by_since(void **state)
{
    (void)state;
    static const char since27[] =
        "case a\nclauses: x\nsince: 1.6.27\nsend \"mn\\r\\n\"\nend\n";
    char reason[CONFORM_ERR_LEN];
    assert_true(skipped(since27, "1.6.18", true, false, reason));
    assert_non_null(strstr(reason, "since 1.6.27"));
    assert_non_null(strstr(reason, "1.6.18"));
    assert_false(skipped(since27, "1.6.27", true, false, reason));
    assert_false(skipped(since27, "1.6.45", true, false, reason));
    assert_false(skipped(since27, "1.10.0", true, false, reason));
    assert_true(skipped(since27, "1.6.9", true, false, reason));
    /* A version that is no release number: skipped, and said so. */
    assert_true(skipped(since27, "unknown", true, false, reason));
    assert_non_null(strstr(reason, "not a release number"));
    /* mcref follows the newest protocol whatever its version says. */
    assert_false(skipped(since27, "1.6.18-mcref-0.1.0", true, true, reason));
    /* The same server without mcref rules is judged by its number. */
    assert_true(skipped(since27, "1.6.18-mcref-0.1.0", true, false, reason));
    /* No since: runs on any version. */
    assert_false(skipped("case a\nclauses: x\nsend \"mn\\r\\n\"\nend\n",
                         "0.1", true, false, reason));
}

static void
test_runner_skips_without_meta(void **state)
{
    (void)state;
    static const char meta[] =
        "case a\nclauses: x\nrequires: meta\nsend \"mn\\r\\n\"\nend\n";
    char reason[CONFORM_ERR_LEN];
    assert_true(skipped(meta, "1.6.18", false, false, reason));
    assert_non_null(strstr(reason, "requires meta"));
    assert_non_null(strstr(reason, "'ERROR'"));
    assert_true(skipped(meta, "1.6.18-mcref-0.1.0", false, true, reason));
    assert_false(skipped(meta, "1.6.18", true, false, reason));
    assert_false(skipped(meta, "1.6.18-mcref-0.1.0", true, true, reason));
    static const char no_meta[] =
        "case a\nclauses: x\nrequires: no-meta\nsend \"mn\\r\\n\"\nend\n";
    assert_false(skipped(no_meta, "1.6.18", false, false, reason));
    assert_true(skipped(no_meta, "1.6.18", true, false, reason));
    assert_non_null(strstr(reason, "without the meta protocol"));
}

/* send-bin / expect-bin: header fields, shorthands, errors. */
static void
test_binary_steps(void **state)
{
    (void)state;
    struct conform_set set = {0};
    parse_ok(&set,
             "case b\nclauses: x\n"
             "send-bin op=set key=\"${k}\" \"a\"*2 flags=5 exptime=0x10 "
             "value=\"v v\" opaque=7 cas=9\n"
             "expect-bin op=getk status=not-found key=\"${k}a\" cas=nonzero\n"
             "send-bin op=0x40 extras=\"xy\" bodylen=100 keylen=3 magic=0x81\n"
             "expect-bin op=incr number=10\n"
             "send-bin op=incr key=\"n\" delta=1 initial=2 exptime=0xffffffff\n"
             "end\n");
    assert_int_equal(set.cases[0].step_count, 5);
    const struct conform_step *st = set.cases[0].steps;
    assert_int_equal(st[0].kind, CONFORM_STEP_SEND_BIN);
    const struct conform_bin *b = st[0].bin;
    assert_int_equal(b->magic, 0x80);
    assert_int_equal(b->opcode, 0x01);
    assert_int_equal(b->opaque, 7);
    assert_int_equal(b->cas, 9);
    assert_true(b->has_key && b->has_value && b->has_flags);
    uint8_t ext[20];
    assert_int_equal(conform_bin_shorthand_extras(b, ext), 8);
    assert_memory_equal(ext, "\0\0\0\x05\0\0\0\x10", 8);
    struct conform_buf out = {0};
    assert_true(conform_bin_build(b, ext, 8, (const uint8_t *)"kk", 2,
                                  (const uint8_t *)"v v", 3, &out));
    assert_int_equal(out.len, 24 + 8 + 2 + 3);
    assert_int_equal(out.data[3], 2);           /* key length */
    assert_int_equal(out.data[4], 8);           /* extras length */
    assert_int_equal(out.data[11], 13);         /* body length */
    assert_int_equal(out.data[15], 7);          /* opaque */
    assert_int_equal(out.data[23], 9);          /* cas */
    /* expect-bin: magic 0x81; a packet matches field by field */
    b = st[1].bin;
    assert_int_equal(st[1].kind, CONFORM_STEP_EXPECT_BIN);
    assert_int_equal(b->magic, 0x81);
    assert_int_equal(b->status, 1);
    assert_int_equal(b->cas_mode, CONFORM_BIN_CAS_NONZERO);
    uint8_t pkt[27] = {0x81, 0x0c, 0, 3, 0, 0, 0, 1, 0, 0, 0, 3};
    pkt[23] = 1; /* cas 1 */
    memcpy(pkt + 24, "abc", 3);
    char why[CONFORM_ERR_LEN];
    assert_true(conform_bin_match(b, pkt, 27, (const uint8_t *)"", 0,
                                  (const uint8_t *)"abc", 3,
                                  (const uint8_t *)"", 0, why));
    assert_false(conform_bin_match(b, pkt, 27, (const uint8_t *)"", 0,
                                   (const uint8_t *)"abd", 3,
                                   (const uint8_t *)"", 0, why));
    assert_non_null(strstr(why, "key"));
    pkt[23] = 0; /* cas 0, but nonzero wanted */
    assert_false(conform_bin_match(b, pkt, 27, (const uint8_t *)"", 0,
                                   (const uint8_t *)"abc", 3,
                                   (const uint8_t *)"", 0, why));
    pkt[23] = 1;
    pkt[7] = 0; /* status 0, not-found wanted */
    assert_false(conform_bin_match(b, pkt, 27, (const uint8_t *)"", 0,
                                   (const uint8_t *)"abc", 3,
                                   (const uint8_t *)"", 0, why));
    assert_non_null(strstr(why, "status"));
    /* overrides for malformed packets */
    b = st[2].bin;
    assert_int_equal(b->opcode, 0x40);
    assert_int_equal(b->bodylen, 100);
    assert_int_equal(b->keylen, 3);
    assert_int_equal(b->magic, 0x81);
    assert_true(st[3].bin->has_number);
    b = st[4].bin;
    assert_int_equal(conform_bin_shorthand_extras(b, ext), 20);
    assert_int_equal(ext[7], 1);
    assert_int_equal(ext[15], 2);
    assert_memory_equal(ext + 16, "\xff\xff\xff\xff", 4);
    conform_buf_free(&out);
    conform_set_free(&set);
    parse_fails("case b\nclauses: x\nsend-bin key=\"a\"\nend\n", 3,
                "op=NAME is required");
    parse_fails("case b\nclauses: x\nsend-bin op=nope\nend\n", 3,
                "unknown op");
    parse_fails("case b\nclauses: x\nsend-bin op=get color=red\nend\n", 3,
                "unknown field");
    parse_fails("case b\nclauses: x\nsend-bin op=get keylen=70000\nend\n",
                3, "bad number");
    parse_fails("case b\nclauses: x\nsend-bin op=set flags=1 extras=\"x\""
                "\nend\n", 3, "exclude");
    parse_fails("case b\nclauses: x\nsend-bin op=get key=abc\nend\n", 3,
                "quoted");
    parse_fails("case b\nclauses: x\nsend-bin op=get key=\"${zz}\"\nend\n",
                3, "zz");
    /* cas=${var}: kept as text, a number once expanded. */
    struct conform_set cs = {0};
    parse_ok(&cs, "case b\nclauses: x\nsend-bin op=add key=\"a\" cas=${c}\n"
                  "end\n");
    struct conform_bin copy = *cs.cases[0].steps[0].bin;
    assert_string_equal(copy.cas_text, "${c}");
    assert_int_equal(copy.cas_mode, CONFORM_BIN_CAS_VALUE);
    assert_true(conform_bin_set_cas(&copy, "123", 3, why));
    assert_int_equal(copy.cas, 123);
    assert_false(conform_bin_set_cas(&copy, "12x", 3, why));
    assert_non_null(strstr(why, "bad number"));
    conform_set_free(&cs);
    parse_fails("case b\nclauses: x\nsend-bin op=get cas=${c}"
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                "\nend\n", 3, "too long");
}

/* --auth: auth cases run only in their mode, the others only without. */
static void
test_runner_skips_by_auth(void **state)
{
    (void)state;
    struct conform_set set = {0};
    parse_ok(&set, "case a\nclauses: x\nrequires: sasl\nsend \"x\"\nend\n"
                   "case b\nclauses: x\nsend \"x\"\nend\n"
                   "case c\nclauses: x\nrequires: ascii-auth\nsend \"x\"\nend\n");
    struct conform_run_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    struct conform_server_info info;
    memset(&info, 0, sizeof(info));
    char reason[CONFORM_ERR_LEN];
    assert_true(conform_case_skipped(&cfg, &info, &set.cases[0], reason));
    assert_false(conform_case_skipped(&cfg, &info, &set.cases[1], reason));
    assert_true(conform_case_skipped(&cfg, &info, &set.cases[2], reason));
    cfg.auth = CONFORM_AUTH_SASL;
    assert_false(conform_case_skipped(&cfg, &info, &set.cases[0], reason));
    assert_true(conform_case_skipped(&cfg, &info, &set.cases[1], reason));
    assert_non_null(strstr(reason, "asks for authentication"));
    assert_true(conform_case_skipped(&cfg, &info, &set.cases[2], reason));
    cfg.auth = CONFORM_AUTH_ASCII;
    assert_false(conform_case_skipped(&cfg, &info, &set.cases[2], reason));
    conform_set_free(&set);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_case),
        cmocka_unit_test(test_every_step_kind),
        cmocka_unit_test(test_real_time_counts_repeats),
        cmocka_unit_test(test_several_cases_and_crlf),
        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_step_errors),
        cmocka_unit_test(test_variables_defined_before_use),
        cmocka_unit_test(test_repeat_errors),
        cmocka_unit_test(test_cmp_names),
        cmocka_unit_test(test_regex_anchored),
        cmocka_unit_test(test_load_dir),
        cmocka_unit_test(test_version_parse_and_compare),
        cmocka_unit_test(test_since_and_requires_meta_parse),
        cmocka_unit_test(test_runner_skips_by_since),
        cmocka_unit_test(test_runner_skips_without_meta),
        cmocka_unit_test(test_runner_skips_by_until),
        cmocka_unit_test(test_binary_steps),
        cmocka_unit_test(test_runner_skips_by_auth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
