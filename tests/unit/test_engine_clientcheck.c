/*
 * test_engine_clientcheck.c - strict mode ([client.*]) and the fault
 * scheduler (spec §21.1), through a session and directly.
 */
#include "clause.h"
#include "engine_config.h"
#include "session_collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/engine/client_check.h"
#include "../../src/engine/faults.h"
#include "../../src/engine/session.h"

#define NOW 1700000000u

struct harness {
    struct engine *e;
    struct session s;
    struct client_check check;
    struct faults faults;
    struct client_finding last;
    unsigned findings;
    struct fault_event last_fault;
    char out[65536];
    size_t out_len;
};

static void
on_finding(void *ctx, const struct client_finding *f)
{
    struct harness *h = ctx;
    h->last = *f;
    h->findings++;
}

static void
on_fault(void *ctx, const struct fault_event *ev)
{
    struct harness *h = ctx;
    h->last_fault = *ev;
}

static struct harness *
open_harness(bool reject, const char *faults)
{
    struct harness *h = calloc(1, sizeof *h);
    assert_non_null(h);
    struct engine_config cfg = test_engine_config();
    h->e = engine_create(&cfg, NULL);
    assert_non_null(h->e);
    client_check_init(&h->check, reject);
    h->check.sink = on_finding;
    h->check.sink_ctx = h;
    h->e->check = &h->check;
    if (faults != NULL) {
        char err[256];
        assert_true(faults_parse(faults, &h->faults.plan, err, sizeof err));
        h->faults.seed = 42;
        h->faults.sink = on_fault;
        h->faults.sink_ctx = h;
        h->e->faults = &h->faults;
    }
    session_init(&h->s, h->e);
    h->s.conn_id = 7;
    return h;
}

static void
close_harness(struct harness *h)
{
    session_deinit(&h->s);
    engine_destroy(&h->e);
    free(h);
}

static void
feed(struct harness *h, const char *input)
{
    h->out_len = 0;
    session_input(&h->s, (const uint8_t *)input, strlen(input), NOW);
    session_collect(&h->s, h->out, sizeof h->out - 1, &h->out_len, NOW);
    h->out[h->out_len] = '\0';
}

/* Feeds input; checks the reply and the one rule it must break (or none,
 * with CLIENT_RULE_COUNT). */
static void
expect(const char *input, const char *reply, enum client_rule rule)
{
    struct harness *h = open_harness(false, NULL);
    feed(h, input);
    if (strcmp(h->out, reply) != 0) {
        fprintf(stderr, "input %s\nwanted %s\ngot    %s\n", input, reply,
                h->out);
        fail();
    }
    if (rule == CLIENT_RULE_COUNT) {
        assert_int_equal(h->check.total, 0);
    } else {
        if (h->check.counts[rule] != 1 || h->check.total != 1) {
            fprintf(stderr, "input %s: wanted [%s] once, total %llu\n", input,
                    client_rule_clause(rule),
                    (unsigned long long)h->check.total);
            fail();
        }
        assert_int_equal(h->last.rule, rule);
        assert_int_equal(h->last.conn, 7);
    }
    close_harness(h);
}

static void
test_clean_requests_break_nothing(void **state)
{
    (void)state;
    expect("set k 5 0 1\r\nz\r\nget k\r\ndelete k\r\nincr n 1\r\n"
           "touch k 10\r\nmn\r\nmg k v\r\nset t 0 -1 1 noreply\r\nz\r\n"
           "gat 100 k\r\nset u 0 1700000100 1\r\nz\r\n",
           "STORED\r\nVALUE k 5 1\r\nz\r\nEND\r\nDELETED\r\nNOT_FOUND\r\n"
           "NOT_FOUND\r\nMN\r\nEN\r\nEND\r\nSTORED\r\n",
           CLIENT_RULE_COUNT);
}

static void
test_key_length(void **state)
{
    (void)state;
    char line[400];
    snprintf(line, sizeof line, "get %0251d\r\n", 0);
    expect(line, "CLIENT_ERROR bad command line format\r\n",
           CLIENT_KEY_LENGTH);
}

/* Every key of a long multi-key get is checked, not only the first ones,
 * and noreply is found as the last word however many keys come first. */
static void
test_many_keys_all_checked(void **state)
{
    (void)state;
    char line[1200];
    size_t n = (size_t)snprintf(line, sizeof line, "get");
    for (int i = 0; i < 30; i++) {
        n += (size_t)snprintf(line + n, sizeof line - n, " k%d", i);
    }
    snprintf(line + n, sizeof line - n, " %0251d\r\n", 0);
    expect(line, "CLIENT_ERROR bad command line format\r\n",
           CLIENT_KEY_LENGTH);
    snprintf(line + n, sizeof line - n, " noreply\r\n");
    expect(line, "END\r\n", CLIENT_NOREPLY);
    snprintf(line + n, sizeof line - n, " a\177b\r\n");
    expect(line, "END\r\n", CLIENT_KEY_BYTES);
}

static void
test_key_bytes(void **state)
{
    (void)state;
    expect("set a\tb 0 0 1\r\nz\r\n", "STORED\r\n", CLIENT_KEY_BYTES);
}

static void
test_line_end(void **state)
{
    (void)state;
    expect("get k\n", "END\r\n", CLIENT_LINE_END);
}

static void
test_data_length(void **state)
{
    (void)state;
    expect("set k 0 0 3\r\nabcXY", "CLIENT_ERROR bad data chunk\r\n",
           CLIENT_DATA_LENGTH);
}

static void
test_noreply(void **state)
{
    (void)state;
    expect("get k noreply\r\n", "END\r\n", CLIENT_NOREPLY);
    expect("version noreply\r\n", "VERSION 1.6.18-mcref\r\n", CLIENT_NOREPLY);
}

static void
test_flags_range(void **state)
{
    (void)state;
    expect("set k 4294967296 0 1\r\nz\r\n", "STORED\r\n", CLIENT_FLAGS_RANGE);
}

static void
test_exptime_range(void **state)
{
    (void)state;
    expect("set k 0 2592001 1\r\nz\r\n", "STORED\r\n", CLIENT_EXPTIME_RANGE);
    expect("touch k 9999999\r\n", "NOT_FOUND\r\n", CLIENT_EXPTIME_RANGE);
}

/* [client.exptime-range] and [client.flags-range] at their bounds: the last
 * value in range is clean, the first past it is a finding. */
static void
test_range_bounds(void **state)
{
    (void)state;
    expect("set k 0 2592000 1\r\nz\r\n", "STORED\r\n", CLIENT_RULE_COUNT);
    expect("set k 0 946684800 1\r\nz\r\n", "STORED\r\n",
           CLIENT_RULE_COUNT);
    expect("set k 0 946684799 1\r\nz\r\n", "STORED\r\n",
           CLIENT_EXPTIME_RANGE);
    expect("set k 0 2147483647 1\r\nz\r\n", "STORED\r\n",
           CLIENT_RULE_COUNT);
    expect("set k 0 -2147483648 1\r\nz\r\n", "STORED\r\n",
           CLIENT_RULE_COUNT);
    expect("touch k -2147483649\r\n", "NOT_FOUND\r\n", CLIENT_EXPTIME_RANGE);
    expect("touch k 2147483648\r\n", "NOT_FOUND\r\n", CLIENT_EXPTIME_RANGE);
    expect("set k 4294967295 0 1\r\nz\r\n", "STORED\r\n",
           CLIENT_RULE_COUNT);
    /* A sign without digits is no decimal; leading zeros still make one
     * (the server reads 1, as [num.parse] does). */
    expect("touch k -\r\n", "CLIENT_ERROR invalid exptime argument\r\n",
           CLIENT_EXPTIME_RANGE);
    expect("touch k 000000000000000000001\r\n", "NOT_FOUND\r\n",
           CLIENT_RULE_COUNT);
    /* Not a decimal at all. */
    expect("touch k 1x\r\n", "CLIENT_ERROR invalid exptime argument\r\n",
           CLIENT_EXPTIME_RANGE);
}

/* [client.key-bytes]: 0x7f is a control byte; bytes from 0x80 are not. The
 * keys of gat and gats start after the exptime. */
static void
test_key_byte_bounds(void **state)
{
    (void)state;
    expect("get k\x7f\r\n", "END\r\n", CLIENT_KEY_BYTES);
    expect("get k\x80\r\n", "END\r\n", CLIENT_RULE_COUNT);
    expect("get k\x21\r\n", "END\r\n", CLIENT_RULE_COUNT);
    expect("gat 0 k\x7f\r\n", "END\r\n", CLIENT_KEY_BYTES);
    expect("gats 0 a k\x01\r\n", "END\r\n", CLIENT_KEY_BYTES);
}

/* More tokens than the checker splits (it stops at 24): clean keys are
 * no finding, and the line is answered whole. */
static void
test_many_keys(void **state)
{
    (void)state;
    char line[512] = "get";
    for (int i = 0; i < 40; i++) {
        char k[8];
        snprintf(k, sizeof k, " k%d", i);
        strcat(line, k);
    }
    strcat(line, "\r\n");
    expect(line, "END\r\n", CLIENT_RULE_COUNT);
}

static void
test_unknown_command(void **state)
{
    (void)state;
    expect("frob k\r\n", "ERROR\r\n", CLIENT_UNKNOWN_COMMAND);
    expect("get\r\n", "ERROR\r\n", CLIENT_UNKNOWN_COMMAND);
}

static void
test_meta_flags(void **state)
{
    (void)state;
    expect("mg k !\r\n", "CLIENT_ERROR invalid flag\r\n", CLIENT_META_FLAGS);
}

static void
test_after_quit(void **state)
{
    (void)state;
    expect("quit\r\nget k\r\n", "", CLIENT_AFTER_QUIT);
    /* Bytes in a later read count too. */
    struct harness *h = open_harness(false, NULL);
    feed(h, "quit\r\n");
    assert_int_equal(h->check.total, 0);
    feed(h, "get k\r\n");
    assert_int_equal(h->check.counts[CLIENT_AFTER_QUIT], 1);
    assert_string_equal(h->last.excerpt, "get k\\r\\n");
    close_harness(h);
}

static void
test_unanswered(void **state)
{
    (void)state;
    struct harness *h = open_harness(false, NULL);
    feed(h, "get k\r\nget k");
    session_peer_closed(&h->s);
    assert_int_equal(h->check.counts[CLIENT_UNANSWERED], 1);
    assert_int_equal(h->last.request, 2);
    close_harness(h);
    h = open_harness(false, NULL);
    feed(h, "get k\r\n");
    session_peer_closed(&h->s); /* everything answered and read */
    assert_int_equal(h->check.total, 0);
    close_harness(h);
}

static void
test_quiet_noop(void **state)
{
    (void)state;
    struct harness *h = open_harness(false, NULL);
    feed(h, "mg a v q\r\nmg b v q\r\nmn\r\nmg c v q\r\nmg d v q\r\n");
    assert_string_equal(h->out, "MN\r\n");
    session_peer_closed(&h->s);
    assert_int_equal(h->check.counts[CLIENT_QUIET_NOOP], 1);
    assert_int_equal(h->last.request, 4); /* the first quiet one left open */
    close_harness(h);
    h = open_harness(false, NULL);
    feed(h, "mg a v q\r\nmn\r\nmg b v q\r\nget b\r\n");
    session_peer_closed(&h->s);
    assert_int_equal(h->check.total, 0);
    close_harness(h);
}

static void
test_reject_answers_an_error_in_sync(void **state)
{
    (void)state;
    struct harness *h = open_harness(true, NULL);
    feed(h, "set a\tb 0 0 1\r\nz\r\nget a\tb noreply\r\nset k 0 0 1\r\nz\r\n");
    assert_string_equal(h->out, "CLIENT_ERROR bad command line format\r\n"
                                "CLIENT_ERROR bad command line format\r\n"
                                "STORED\r\n");
    feed(h, "get a\tb\r\n");
    assert_string_equal(h->out, "CLIENT_ERROR bad command line format\r\n");
    close_harness(h);
    /* A rejected quiet request is answered: it leaves nothing open
     * ([client.quiet-noop]). */
    h = open_harness(true, NULL);
    feed(h, "mg a\tb v q\r\n");
    assert_string_equal(h->out, "CLIENT_ERROR bad command line format\r\n");
    session_peer_closed(&h->s);
    assert_int_equal(h->check.counts[CLIENT_QUIET_NOOP], 0);
    assert_int_equal(h->check.counts[CLIENT_KEY_BYTES], 1);
    close_harness(h);
}

static void
test_excerpt_escaped_and_bounded(void **state)
{
    (void)state;
    char out[LIMIT_CLIENT_EXCERPT];
    client_check_escape(out, sizeof out, (const uint8_t *)"a\"\\\x01\r\n", 6);
    assert_string_equal(out, "a\\\"\\\\\\u0001\\r\\n");
    uint8_t big[1000];
    memset(big, 'x', sizeof big);
    client_check_escape(out, sizeof out, big, sizeof big);
    assert_true(strlen(out) < sizeof out);
    assert_memory_equal(out + strlen(out) - 3, "...", 3);
}

static void
test_stats_group(void **state)
{
    (void)state;
    struct harness *h = open_harness(false, NULL);
    feed(h, "frob\r\nstats clientcheck\r\n");
    assert_non_null(strstr(h->out, "STAT client_check yes\r\n"));
    assert_non_null(strstr(h->out, "STAT violations 1\r\n"));
    assert_non_null(strstr(h->out, "STAT client.unknown-command 1\r\n"));
    assert_non_null(strstr(h->out, "STAT faults_on no\r\n"));
    feed(h, "stats reset\r\nstats clientcheck\r\n");
    assert_non_null(strstr(h->out, "STAT violations 0\r\n"));
    assert_non_null(strstr(h->out, "STAT client.unknown-command 0\r\n"));
    close_harness(h);
}

/* [stats.clientcheck] without strict mode: every counter is 0. */
static void
test_stats_group_when_off(void **state)
{
    (void)state;
    struct harness *h = open_harness(false, NULL);
    h->e->check = NULL;
    feed(h, "frob\r\nstats clientcheck\r\n");
    assert_non_null(strstr(h->out, "STAT client_check no\r\n"));
    assert_non_null(strstr(h->out, "STAT violations 0\r\n"));
    for (unsigned r = 0; r < CLIENT_RULE_COUNT; r++) {
        char line[96];
        snprintf(line, sizeof line, "STAT %s 0\r\n",
                 client_rule_clause((enum client_rule)r));
        if (strstr(h->out, line) == NULL) {
            fail_msg("no \"%s\" in %s", line, h->out);
        }
    }
    close_harness(h);
}

/* ---- faults ---------------------------------------------------------------- */

static void
test_faults_parse(void **state)
{
    (void)state;
    struct fault_plan p;
    char err[512];
    assert_true(faults_parse("segments", &p, err, sizeof err));
    assert_int_equal(p.permille[FAULT_CUT], 1000);
    assert_true(faults_parse("oom:2.5+cut:97.5", &p, err, sizeof err));
    assert_int_equal(p.permille[FAULT_OOM], 25);
    assert_int_equal(p.permille[FAULT_CUT], 975);
    /* Different points each reach 100%. */
    assert_true(faults_parse("cut:100+reject_conn:100", &p, err, sizeof err));
    assert_int_equal(p.permille[FAULT_DELAY], 0);
    const char *bad[] = {"", "bogus", "cut", "cut:", "cut:101", "cut:1.55",
                         "cut:5+", "+cut:5", "cut:-1", "cut:.5", "cut:5x",
                         /* over 100% on one request or accept */
                         "oom:2.5+cut:100", "cut:60+delay:40.1",
                         "cut:60+oom:50", "reject_conn:60+slow_accept:41"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (faults_parse(bad[i], &p, err, sizeof err)) {
            fprintf(stderr, "accepted %s\n", bad[i]);
            fail();
        }
        assert_true(strlen(err) > 0);
    }
}

/* Spec 21.1: each profile's rates, in parts per thousand, as listed. */
static void
test_fault_profiles(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint16_t rates[FAULT_COUNT];
    } want[] = {
        {"none", {0}},
        {"segments", {[FAULT_CUT] = 1000}},
        {"delays", {[FAULT_DELAY] = 200}},
        {"disconnects",
         {[FAULT_CLOSE_BEFORE] = 20, [FAULT_CLOSE_INSIDE] = 20,
          [FAULT_IDLE_CLOSE] = 20}},
        {"oom", {[FAULT_OOM] = 100, [FAULT_EVICT] = 100}},
        {"connect", {[FAULT_REJECT_CONN] = 200, [FAULT_SLOW_ACCEPT] = 200}},
        {"all",
         {[FAULT_CUT] = 300, [FAULT_DELAY] = 50, [FAULT_CLOSE_BEFORE] = 10,
          [FAULT_CLOSE_INSIDE] = 10, [FAULT_IDLE_CLOSE] = 10,
          [FAULT_OOM] = 30, [FAULT_EVICT] = 30, [FAULT_REJECT_CONN] = 50,
          [FAULT_SLOW_ACCEPT] = 50}},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct fault_plan p;
        char err[512];
        memset(&p, 0xff, sizeof p);
        if (!faults_parse(want[i].name, &p, err, sizeof err)) {
            fail_msg("profile %s refused: %s", want[i].name, err);
        }
        for (unsigned k = 0; k < FAULT_COUNT; k++) {
            if (p.permille[k] != want[i].rates[k]) {
                fail_msg("profile %s: %s is %u, wanted %u", want[i].name,
                         fault_kind_name((enum fault_kind)k), p.permille[k],
                         want[i].rates[k]);
            }
        }
    }
}

/* faults.h: a profile or list text is at most LIMIT_FAULT_LIST_LEN bytes. */
static void
test_fault_list_length(void **state)
{
    (void)state;
    /* 37 "cut:1" and 5 "cut:10", joined by '+': 6 * 37 + 7 * 5 - 1 bytes. */
    char list[LIMIT_FAULT_LIST_LEN + 8] = "";
    for (int i = 0; i < 42; i++) {
        strcat(list, i == 0 ? "" : "+");
        strcat(list, i < 37 ? "cut:1" : "cut:10");
    }
    assert_int_equal(strlen(list), LIMIT_FAULT_LIST_LEN);
    struct fault_plan p;
    char err[512];
    assert_true(faults_parse(list, &p, err, sizeof err));
    assert_int_equal(p.permille[FAULT_CUT], 100);
    strcat(list, "0"); /* one byte more (cut:100) */
    assert_false(faults_parse(list, &p, err, sizeof err));
}

/* Spec 21.1's parameters: cuts write 1-8 bytes, delays 1-100 ms, slow
 * accepts 1-300 ms; every value in the range occurs. */
static void
test_fault_parameters(void **state)
{
    (void)state;
    struct fault_plan p;
    char err[512];
    assert_true(faults_parse("cut:100", &p, err, sizeof err));
    struct {
        const char *plan;
        enum fault_kind kind;
        uint32_t max;
        bool at_accept;
    } cases[] = {
        {"cut:100", FAULT_CUT, LIMIT_FAULT_CUT_MAX, false},
        {"delay:100", FAULT_DELAY, LIMIT_FAULT_DELAY_MAX_MS, false},
        {"slow_accept:100", FAULT_SLOW_ACCEPT, LIMIT_FAULT_ACCEPT_MAX_MS, true},
    };
    assert_int_equal(LIMIT_FAULT_CUT_MAX, 8);
    assert_int_equal(LIMIT_FAULT_DELAY_MAX_MS, 100);
    assert_int_equal(LIMIT_FAULT_ACCEPT_MAX_MS, 300);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        assert_true(faults_parse(cases[c].plan, &p, err, sizeof err));
        bool seen[LIMIT_FAULT_ACCEPT_MAX_MS + 2] = {false};
        for (uint64_t conn = 1; conn <= 20000; conn++) {
            uint32_t param = 12345;
            enum fault_kind k = faults_decide(&p, 3, conn,
                                              cases[c].at_accept ? 0 : 1,
                                              false, &param);
            assert_int_equal(k, cases[c].kind);
            if (param < 1 || param > cases[c].max) {
                fail_msg("%s: parameter %u", cases[c].plan, param);
            }
            seen[param] = true;
        }
        for (uint32_t v = 1; v <= cases[c].max; v++) {
            if (!seen[v]) {
                fail_msg("%s: parameter %u never drawn", cases[c].plan, v);
            }
        }
    }
}

static void
test_faults_pure_and_at_rate(void **state)
{
    (void)state;
    struct fault_plan p;
    char err[256];
    assert_true(faults_parse("cut:10+oom:20+reject_conn:30", &p, err,
                             sizeof err));
    unsigned cut = 0, oom = 0, reject = 0;
    for (uint64_t c = 1; c <= 100; c++) {
        uint32_t a, b;
        assert_int_equal(faults_decide(&p, 9, c, 0, false, &a),
                         faults_decide(&p, 9, c, 0, false, &b));
        reject += faults_decide(&p, 9, c, 0, false, &a) == FAULT_REJECT_CONN;
        for (uint64_t r = 1; r <= 100; r++) {
            enum fault_kind k = faults_decide(&p, 9, c, r, true, &a);
            assert_int_equal(k, faults_decide(&p, 9, c, r, true, &b));
            assert_int_equal(a, b);
            assert_true(k != FAULT_REJECT_CONN);
            cut += k == FAULT_CUT;
            oom += k == FAULT_OOM;
            if (k == FAULT_CUT) {
                assert_true(a >= 1 && a <= LIMIT_FAULT_CUT_MAX);
            }
            /* Storage-only kinds never hit other requests. */
            assert_true(faults_decide(&p, 9, c, r, false, &a) != FAULT_OOM);
        }
    }
    /* 10000 draws: 10% and 20%, each kind at its own rate. */
    assert_in_range(cut, 850, 1150);
    assert_in_range(oom, 1800, 2200);
    assert_in_range(reject, 15, 50);
    /* Another seed gives other faults. */
    unsigned same = 0;
    for (uint64_t r = 1; r <= 1000; r++) {
        uint32_t a;
        same += faults_decide(&p, 9, 1, r, true, &a) ==
                faults_decide(&p, 10, 1, r, true, &a);
    }
    assert_true(same < 1000);
}

/* In `all`, a later kind is not thinned by the ones before
 * it: delay (after cut at 30%) hits 5% of requests, not 3.5%. */
static void
test_faults_each_kind_at_its_rate(void **state)
{
    (void)state;
    struct fault_plan p;
    char err[256];
    assert_true(faults_parse("all", &p, err, sizeof err));
    unsigned counts[FAULT_COUNT + 1] = {0};
    const unsigned n = 40000;
    for (uint64_t r = 1; r <= n; r++) {
        uint32_t a;
        counts[faults_decide(&p, 3, 1 + r / 100, r, true, &a)]++;
    }
    for (unsigned k = 0; k < FAULT_COUNT; k++) {
        if (fault_kind_point((enum fault_kind)k) == FAULT_AT_CONNECT) {
            continue;
        }
        double want = (double)p.permille[k] * n / 1000.0;
        double slack = 5 * __builtin_sqrt(want) + 5; /* five sigmas */
        if (counts[k] < want - slack || counts[k] > want + slack) {
            fprintf(stderr, "%s: %u hits, wanted about %.0f\n",
                    fault_kind_name((enum fault_kind)k), counts[k], want);
            fail();
        }
    }
}

static void
test_fault_oom_and_evict(void **state)
{
    (void)state;
    struct harness *h = open_harness(false, "oom:100");
    feed(h, "set k 0 0 1\r\nz\r\nget k\r\n");
    assert_string_equal(h->out,
                        "SERVER_ERROR out of memory storing object\r\nEND\r\n");
    assert_int_equal(h->faults.counts[FAULT_OOM], 1);
    assert_int_equal(h->last_fault.request, 1);
    close_harness(h);
    h = open_harness(false, "evict:100");
    feed(h, "set k 0 0 1\r\nz\r\nget k\r\n");
    assert_string_equal(h->out, "STORED\r\nEND\r\n");
    assert_int_equal(h->faults.counts[FAULT_EVICT], 1);
    close_harness(h);
}

static void
test_fault_closes(void **state)
{
    (void)state;
    struct harness *h = open_harness(false, "close_before:100");
    feed(h, "get k\r\nget k\r\n");
    assert_string_equal(h->out, "");
    assert_int_equal(session_state(&h->s), SESSION_CLOSING);
    close_harness(h);
    h = open_harness(false, "idle_close:100");
    feed(h, "get k\r\nget k\r\n");
    assert_string_equal(h->out, "END\r\n");
    assert_int_equal(session_state(&h->s), SESSION_CLOSING);
    close_harness(h);
    h = open_harness(false, "close_inside:100");
    session_input(&h->s, (const uint8_t *)"get k\r\n", 7, NOW);
    assert_true(h->s.fault_close);
    assert_int_equal(h->s.fault_close_left, 2); /* half of "END\r\n" */
    close_harness(h);
}

static void
test_fault_cut_and_delay_marks(void **state)
{
    (void)state;
    struct harness *h = open_harness(false, "cut:100");
    session_input(&h->s, (const uint8_t *)"get k\r\n", 7, NOW);
    assert_true(h->s.fault_piece >= 1 &&
                h->s.fault_piece <= LIMIT_FAULT_CUT_MAX);
    assert_int_equal(h->s.fault_piece_left, 5);
    close_harness(h);
    h = open_harness(false, "delay:100");
    session_input(&h->s, (const uint8_t *)"get k\r\n", 7, NOW);
    assert_true(h->s.fault_delay_ms >= 1 &&
                h->s.fault_delay_ms <= LIMIT_FAULT_DELAY_MAX_MS);
    close_harness(h);
}

/* What the connection asks before and after each write (session.h): the
 * cut's pieces until its span is sent, the close point, the delay once. */
static void
test_fault_write_api(void **state)
{
    (void)state;
    struct harness *h = open_harness(false, "cut:100");
    assert_true(session_faults_on(&h->s));
    session_input(&h->s, (const uint8_t *)"get k\r\n", 7, NOW);
    assert_int_equal(session_fault_delay(&h->s), 0);
    size_t piece = session_write_cap(&h->s);
    assert_true(piece >= 1 && piece <= LIMIT_FAULT_CUT_MAX);
    size_t sent = 0;
    while (sent < 5) { /* "END\r\n", cut throughout */
        assert_int_equal(session_write_cap(&h->s), piece);
        size_t n = 5 - sent < piece ? 5 - sent : piece;
        session_wrote(&h->s, n);
        sent += n;
    }
    assert_int_equal(session_write_cap(&h->s), SIZE_MAX);
    close_harness(h);

    h = open_harness(false, "close_inside:100");
    session_input(&h->s, (const uint8_t *)"get k\r\n", 7, NOW);
    assert_int_equal(session_write_cap(&h->s), 2); /* half of "END\r\n" */
    session_wrote(&h->s, 1);
    assert_int_equal(session_write_cap(&h->s), 1);
    session_wrote(&h->s, 1);
    assert_int_equal(session_write_cap(&h->s), 0); /* close now */
    close_harness(h);

    h = open_harness(false, "delay:100");
    session_input(&h->s, (const uint8_t *)"get k\r\n", 7, NOW);
    uint32_t ms = session_fault_delay(&h->s);
    assert_true(ms >= 1 && ms <= LIMIT_FAULT_DELAY_MAX_MS);
    assert_int_equal(session_fault_delay(&h->s), 0); /* taken */
    assert_int_equal(session_write_cap(&h->s), SIZE_MAX);
    close_harness(h);

    h = open_harness(false, NULL);
    assert_false(session_faults_on(&h->s));
    session_input(&h->s, (const uint8_t *)"get k\r\n", 7, NOW);
    assert_int_equal(session_fault_delay(&h->s), 0);
    assert_int_equal(session_write_cap(&h->s), SIZE_MAX);
    close_harness(h);
}

/* [faults.connect] as the server asks it for each accepted connection. */
static void
test_fault_accept_api(void **state)
{
    (void)state;
    uint32_t hold = 99;
    struct harness *h = open_harness(false, NULL);
    assert_false(session_accept_fault(h->e, 1, &hold));
    assert_int_equal(hold, 0);
    close_harness(h);
    h = open_harness(false, "reject_conn:100");
    assert_true(session_accept_fault(h->e, 1, &hold));
    assert_int_equal(hold, 0);
    assert_int_equal(h->faults.counts[FAULT_REJECT_CONN], 1);
    assert_int_equal(h->last_fault.conn, 1);
    close_harness(h);
    h = open_harness(false, "slow_accept:100");
    assert_false(session_accept_fault(h->e, 3, &hold));
    assert_true(hold >= 1 && hold <= LIMIT_FAULT_ACCEPT_MAX_MS);
    assert_int_equal(h->faults.counts[FAULT_SLOW_ACCEPT], 1);
    close_harness(h);
    h = open_harness(false, "cut:100"); /* no connect kind: nothing */
    assert_false(session_accept_fault(h->e, 1, &hold));
    assert_int_equal(hold, 0);
    assert_int_equal(h->faults.total, 0);
    close_harness(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("client.unknown-command",
                    test_clean_requests_break_nothing),
        CLAUSE_TEST("client.key-length", test_key_length),
        CLAUSE_TEST("client.key-bytes", test_key_bytes),
        CLAUSE_TEST("client.key-length", test_many_keys_all_checked),
        CLAUSE_TEST("client.line-end", test_line_end),
        CLAUSE_TEST("client.data-length", test_data_length),
        CLAUSE_TEST("client.noreply", test_noreply),
        CLAUSE_TEST("client.flags-range", test_flags_range),
        CLAUSE_TEST("client.exptime-range", test_exptime_range),
        CLAUSE_TEST("client.exptime-range", test_range_bounds),
        CLAUSE_TEST("client.key-bytes", test_key_byte_bounds),
        CLAUSE_TEST("client.key-bytes", test_many_keys),
        CLAUSE_TEST("client.unknown-command", test_unknown_command),
        CLAUSE_TEST("client.meta-flags", test_meta_flags),
        CLAUSE_TEST("client.after-quit", test_after_quit),
        CLAUSE_TEST("client.unanswered", test_unanswered),
        CLAUSE_TEST("client.quiet-noop", test_quiet_noop),
        CLAUSE_TEST("client.key-bytes", test_reject_answers_an_error_in_sync),
        CLAUSE_TEST("client.key-bytes", test_excerpt_escaped_and_bounded),
        CLAUSE_TEST("stats.clientcheck", test_stats_group),
        CLAUSE_TEST("stats.clientcheck", test_stats_group_when_off),
        cmocka_unit_test(test_faults_parse),
        cmocka_unit_test(test_faults_each_kind_at_its_rate),
        cmocka_unit_test(test_faults_pure_and_at_rate),
        cmocka_unit_test(test_fault_profiles),
        cmocka_unit_test(test_fault_list_length),
        cmocka_unit_test(test_fault_parameters),
        cmocka_unit_test(test_fault_oom_and_evict),
        cmocka_unit_test(test_fault_closes),
        cmocka_unit_test(test_fault_cut_and_delay_marks),
        cmocka_unit_test(test_fault_write_api),
        cmocka_unit_test(test_fault_accept_api),
    };
    return cmocka_run_group_tests_name("engine_clientcheck", tests, NULL,
                                       NULL);
}
