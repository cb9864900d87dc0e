/*
 * test_engine_session.c - bytes in, bytes out: every command and error path
 * through parser, engine and store, compared byte for byte.
 */
#include "engine_config.h"
#include "session_harness.h"

#include "../../src/common/limits.h"
#include "alloc_fail.h"

/* ---- harness -------------------------------------------------------------- */

static struct engine_config
config(void)
{
    struct engine_config cfg = test_engine_config();
    cfg.settings = (struct engine_settings){
        .maxconns = 1024, .tcpport = 11211, .reqs_per_event = 20,
        .tcp_backlog = 1024, .umask = 0700};
    return cfg;
}

static struct harness *
open_default(void)
{
    struct engine_config cfg = config();
    return open_with(&cfg);
}

/* ---- storage -------------------------------------------------------------- */

static void
test_set_get(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set foo 5 0 3\r\nbar\r\nget foo\r\n",
                 "STORED\r\nVALUE foo 5 3\r\nbar\r\nEND\r\n");
    expect_reply(h, "set e 0 0 0\r\n\r\nget e\r\n",
                 "STORED\r\nVALUE e 0 0\r\n\r\nEND\r\n");
    close_harness(h);
}

static void
test_add_replace_append_prepend(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set foo 5 0 3\r\nbar\r\nadd foo 0 0 1\r\nx\r\n"
                    "add newk 7 0 2\r\nyy\r\nreplace nokey 0 0 1\r\nx\r\n"
                    "append foo 99 0 3\r\nAPP\r\nprepend foo 99 0 3\r\nPRE\r\n"
                    "get foo\r\nappend nokey 0 0 1\r\nx\r\n",
                 "STORED\r\nNOT_STORED\r\nSTORED\r\nNOT_STORED\r\nSTORED\r\n"
                 "STORED\r\nVALUE foo 5 9\r\nPREbarAPP\r\nEND\r\nNOT_STORED\r\n");
    close_harness(h);
}

static void
test_cas_flow(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set foo 0 0 3\r\nbar\r\ngets foo\r\n",
                 "STORED\r\nVALUE foo 0 3 1\r\nbar\r\nEND\r\n");
    expect_reply(h, "cas foo 0 0 1 999\r\nz\r\ncas nokey 0 0 1 1\r\nz\r\n"
                    "cas foo 0 0 1 0\r\nz\r\ncas foo 0 0 1 1\r\nz\r\n"
                    "gets foo\r\n",
                 "EXISTS\r\nNOT_FOUND\r\nEXISTS\r\nSTORED\r\n"
                 "VALUE foo 0 1 2\r\nz\r\nEND\r\n");
    close_harness(h);
}

static void
test_bad_line_data_parsed(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set k abc 0 1\r\nx\r\n",
                 "CLIENT_ERROR bad command line format\r\nERROR\r\n");
    /* With noreply the error is silent; the data line still answers. */
    expect_reply(h, "set k abc 0 1 noreply\r\nx\r\n", "ERROR\r\n");
    /* A data line that is a command runs. */
    expect_reply(h, "set k 0 0\r\nversion\r\n",
                 "ERROR\r\nVERSION 1.6.18-mcref\r\n");
    close_harness(h);
}

static void
test_too_large_swallow_and_failed_set(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set k 0 0 1\r\nv\r\n", "STORED\r\n");
    size_t n = 2000002;
    char *big = malloc(n + 64);
    assert_non_null(big);
    int head = sprintf(big, "set k 0 0 2000000\r\n");
    memset(big + head, 'g', n); /* whatever it holds, even "get" */
    memcpy(big + head + n, "get k\r\n", 7);
    h->out_len = 0;
    feed_at(h, big, (size_t)head + n + 7, NOW);
    const char *want = "SERVER_ERROR object too large for cache\r\nEND\r\n";
    assert_int_equal(h->out_len, strlen(want));
    assert_memory_equal(h->out, want, h->out_len);
    /* add leaves the old value; only set removes it. */
    expect_reply(h, "set a 0 0 1\r\nv\r\n", "STORED\r\n");
    head = sprintf(big, "add a 0 0 1048577\r\n");
    memset(big + head, 'x', 1048579);
    h->out_len = 0;
    feed_at(h, big, (size_t)head + 1048579, NOW);
    expect_reply(h, "get a\r\n", "VALUE a 0 1\r\nv\r\nEND\r\n");
    free(big);
    close_harness(h);
}

static void
test_bad_chunk(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set foo 0 0 3\r\nbar\r\n", "STORED\r\n");
    expect_reply(h, "set foo 0 0 1\r\nold\r\n",
                 "CLIENT_ERROR bad data chunk\r\nERROR\r\n");
    expect_reply(h, "set foo 0 0 3\r\nabcXYget foo\r\n",
                 "CLIENT_ERROR bad data chunk\r\nVALUE foo 0 3\r\nbar\r\nEND\r\n");
    expect_reply(h, "set foo 0 0 1 noreply\r\nxyz\r\n", "ERROR\r\n");
    close_harness(h);
}

static void
test_wait_for_data(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set k 0 0 5\r\nab", "");
    expect_reply(h, "cde\r", "");
    expect_reply(h, "\nget k\r\n", "STORED\r\nVALUE k 0 5\r\nabcde\r\nEND\r\n");
    assert_true(session_idle(&h->s));
    close_harness(h);
}

static void
test_no_memory(void **state)
{
    (void)state;
    struct engine_config cfg = config();
    cfg.store.mem_limit = 4096;
    cfg.store.value_len_max = 1024;
    cfg.store.evict = false;
    struct harness *h = open_with(&cfg);
    char cmd[1200];
    int n = sprintf(cmd, "set k0 0 0 1000\r\n");
    memset(cmd + n, 'v', 1000);
    memcpy(cmd + n + 1000, "\r\n", 3);
    /* Four records of 1017 bytes fill the 4096-byte log. */
    for (int i = 0; i < 4; i++) {
        cmd[5] = (char)('0' + i);
        expect_reply(h, cmd, "STORED\r\n");
    }
    cmd[5] = '9';
    expect_reply(h, cmd, "SERVER_ERROR out of memory storing object\r\n");
    /* The first item is whole: its header, its 1000 bytes, END. */
    char want[1100];
    int w = sprintf(want, "VALUE k0 0 1000\r\n");
    memset(want + w, 'v', 1000);
    memcpy(want + w + 1000, "\r\nEND\r\n", 8);
    expect_reply(h, "get k0\r\n", want);
    feed(h, "stats\r\n");
    assert_true(output_has(h, "STAT store_no_memory 1\r\n"));
    close_harness(h);
}

/* ---- retrieval ------------------------------------------------------------ */

static void
test_get_many_and_repeats(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set foo 5 0 3\r\nbar\r\nget foo foo nokey foo\r\n",
                 "STORED\r\nVALUE foo 5 3\r\nbar\r\nVALUE foo 5 3\r\nbar\r\n"
                 "VALUE foo 5 3\r\nbar\r\nEND\r\n");
    expect_reply(h, "get\r\ngets\r\ngat\r\ngat 100\r\nbget foo\r\n",
                 "ERROR\r\nERROR\r\nERROR\r\nEND\r\nVALUE foo 5 3\r\nbar\r\nEND\r\n");
    expect_reply(h, "get noreply\r\n", "END\r\n");
    close_harness(h);
}

static void
test_get_long_key_voids(void **state)
{
    (void)state;
    struct harness *h = open_default();
    char in[400];
    int n = sprintf(in, "set a 0 0 1\r\nz\r\nget a ");
    memset(in + n, 'k', 251);
    memcpy(in + n + 251, " a\r\n", 5);
    expect_reply(h, in, "STORED\r\nCLIENT_ERROR bad command line format\r\n");
    /* The key before the long one was looked up, as memcached does. */
    feed(h, "stats\r\n");
    assert_true(output_has(h, "STAT cmd_get 1\r\n"));
    assert_true(output_has(h, "STAT get_hits 1\r\n"));
    close_harness(h);
}

static void
test_gat(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set newk 7 0 2\r\nyy\r\ngat 100 newk nokey\r\n"
                    "gats 100 newk\r\n",
                 "STORED\r\nVALUE newk 7 2\r\nyy\r\nEND\r\n"
                 "VALUE newk 7 2 1\r\nyy\r\nEND\r\n");
    expect_reply(h, "gat abc newk\r\ngat newk\r\n",
                 "CLIENT_ERROR invalid exptime argument\r\n"
                 "CLIENT_ERROR invalid exptime argument\r\n");
    /* gat -1 returns the value once, then it is gone. */
    expect_reply(h, "gat -1 newk\r\nget newk\r\n",
                 "VALUE newk 7 2\r\nyy\r\nEND\r\nEND\r\n");
    feed(h, "stats\r\n");
    assert_true(output_has(h, "STAT cmd_touch 4\r\n"));
    assert_true(output_has(h, "STAT touch_hits 3\r\n"));
    assert_true(output_has(h, "STAT cmd_get 1\r\n"));
    close_harness(h);
}

static void
test_expiry_through_session(void **state)
{
    (void)state;
    struct harness *h = open_default();
    feed_at(h, "set k 0 2 1\r\nv\r\n", 16, NOW);
    h->out_len = 0;
    feed_at(h, "get k\r\n", 7, NOW + 1);
    assert_int_equal(h->out_len, strlen("VALUE k 0 1\r\nv\r\nEND\r\n"));
    h->out_len = 0;
    feed_at(h, "get k\r\n", 7, NOW + 2);
    assert_memory_equal(h->out, "END\r\n", 5);
    close_harness(h);
}

/* ---- the other commands --------------------------------------------------- */

static void
test_delete(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set foo 0 0 1\r\nx\r\ndelete foo\r\ndelete foo\r\n"
                    "delete foo 0\r\ndelete foo 1\r\ndelete foo 0 0\r\n"
                    "delete foo noreply\r\ndelete foo 0 noreply\r\ndelete\r\n",
                 "STORED\r\nDELETED\r\nNOT_FOUND\r\nNOT_FOUND\r\n"
                 "CLIENT_ERROR bad command line format.  Usage: delete <key> "
                 "[noreply]\r\n"
                 "CLIENT_ERROR bad command line format.  Usage: delete <key> "
                 "[noreply]\r\nERROR\r\n");
    close_harness(h);
}

static void
test_touch(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set t 0 0 1\r\nx\r\ntouch t 10\r\ntouch none 10\r\n"
                    "touch t abc\r\ntouch t\r\ntouch t 10 xyz\r\n"
                    "touch t -1\r\nget t\r\n",
                 "STORED\r\nTOUCHED\r\nNOT_FOUND\r\n"
                 "CLIENT_ERROR invalid exptime argument\r\nERROR\r\nTOUCHED\r\n"
                 "TOUCHED\r\nEND\r\n");
    close_harness(h);
}

static void
test_incr_decr(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set n 0 0 2\r\n10\r\nincr n 5\r\ndecr n 100\r\n"
                    "incr nokey 1\r\nincr n abc\r\nincr n -1\r\n"
                    "set s 0 0 3\r\nabc\r\nincr s 1\r\nincr n\r\n",
                 "STORED\r\n15\r\n0\r\nNOT_FOUND\r\n"
                 "CLIENT_ERROR invalid numeric delta argument\r\n"
                 "CLIENT_ERROR invalid numeric delta argument\r\nSTORED\r\n"
                 "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
                 "ERROR\r\n");
    expect_reply(h, "set n 0 0 20\r\n18446744073709551615\r\nincr n 1\r\n"
                    "get n\r\n",
                 "STORED\r\n0\r\nVALUE n 0 1\r\n0\r\nEND\r\n");
    expect_reply(h, "set n 0 0 2\r\n10\r\ndecr n 1\r\nget n\r\n",
                 "STORED\r\n9\r\nVALUE n 0 1\r\n9\r\nEND\r\n");
    close_harness(h);
}

static void
test_noreply_everywhere(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set k 0 0 1 noreply\r\n1\r\nadd k 0 0 1 noreply\r\nx\r\n"
                    "replace k 0 0 1 noreply\r\n2\r\nappend k 0 0 1 noreply\r\n"
                    "3\r\nprepend k 0 0 1 noreply\r\n4\r\n"
                    "cas k 0 0 1 1 noreply\r\n5\r\nincr k 1 noreply\r\n"
                    "decr k 1 noreply\r\nincr k abc noreply\r\n"
                    "touch k 10 noreply\r\ndelete k noreply\r\n"
                    "delete k noreply\r\nflush_all noreply\r\n"
                    "verbosity 1 noreply\r\nverbosity x noreply\r\n"
                    "flush_all noreply junk\r\n",
                 "CLIENT_ERROR invalid exptime argument\r\n");
    /* A wrong token count still answers ERROR, and the data line too. */
    expect_reply(h, "set k 0 0 1 noreply extra\r\nx\r\n", "ERROR\r\nERROR\r\n");
    close_harness(h);
}

static void
test_flush_all(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set a 0 0 1\r\n1\r\nflush_all\r\nget a\r\nset a 0 0 1\r\nb\r\n"
                    "get a\r\n",
                 "STORED\r\nOK\r\nEND\r\nSTORED\r\nVALUE a 0 1\r\nb\r\nEND\r\n");
    expect_reply(h, "flush_all 10 20\r\nflush_all 0 0 0\r\nflush_all abc\r\n",
                 "OK\r\nERROR\r\nCLIENT_ERROR invalid exptime argument\r\n");
    close_harness(h);
    struct engine_config cfg = config();
    cfg.flush_enabled = false;
    h = open_with(&cfg);
    expect_reply(h, "flush_all\r\nflush_all abc\r\nflush_all noreply\r\n",
                 "CLIENT_ERROR flush_all not allowed\r\n"
                 "CLIENT_ERROR flush_all not allowed\r\n");
    feed(h, "stats\r\n");
    assert_true(output_has(h, "STAT cmd_flush 3\r\n"));
    close_harness(h);
}

static void
test_version_verbosity_quit(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "version x y z\r\nverbosity 1\r\nverbosity abc\r\n"
                    "verbosity\r\nverbosity 1 2 3\r\nverbosity 0 extra\r\n",
                 "VERSION 1.6.18-mcref\r\nOK\r\n"
                 "CLIENT_ERROR bad command line format\r\nERROR\r\nERROR\r\nOK\r\n");
    expect_reply(h, "set foo 0 0 3\r\nabc\r\nget foo\r\nquit\r\nget foo\r\n",
                 "STORED\r\nVALUE foo 0 3\r\nabc\r\nEND\r\n");
    assert_int_equal(h->s.state, SESSION_CLOSING);
    expect_reply(h, "version\r\n", ""); /* nothing after quit runs */
    close_harness(h);
}

static void
test_shutdown(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "shutdown\r\nshutdown noreply\r\nshutdown graceful\r\n",
                 "ERROR: shutdown not enabled\r\nERROR: shutdown not enabled\r\n"
                 "ERROR: shutdown not enabled\r\n");
    close_harness(h);
    struct engine_config cfg = config();
    cfg.shutdown_enabled = true;
    h = open_with(&cfg);
    expect_reply(h, "shutdown foo\r\nshutdown graceful extra\r\n",
                 "CLIENT_ERROR invalid shutdown mode\r\n"
                 "CLIENT_ERROR invalid shutdown mode\r\n");
    expect_reply(h, "shutdown graceful\r\nversion\r\n", "");
    assert_int_equal(h->s.state, SESSION_SHUTDOWN);
    close_harness(h);
}

static void
test_debugtime(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "debugtime 5\r\n", "ERROR\r\n");
    close_harness(h);
    struct engine_config cfg = config();
    cfg.test_clock = true;
    h = open_with(&cfg);
    expect_reply(h, "set k 0 10 1\r\nx\r\ndebugtime 9\r\nget k\r\n",
                 "STORED\r\nOK\r\nVALUE k 0 1\r\nx\r\nEND\r\n");
    expect_reply(h, "debugtime 1\r\nget k\r\n", "OK\r\nEND\r\n");
    /* Paused, real time does not move the clock; steps still do. */
    expect_reply(h, "debugtime p\r\nset p 0 2 1\r\nx\r\n", "OK\r\nSTORED\r\n");
    h->out_len = 0;
    feed_at(h, "get p\r\n", 7, NOW + 100);
    assert_int_equal(h->out_len, strlen("VALUE p 0 1\r\nx\r\nEND\r\n"));
    assert_memory_equal(h->out, "VALUE p 0 1\r\nx\r\nEND\r\n", h->out_len);
    expect_reply(h, "debugtime 2\r\nget p\r\n", "OK\r\nEND\r\n");
    /* Resumed, it continues from where it stood. */
    expect_reply(h, "debugtime r\r\nset r 0 3 1\r\nx\r\nget r\r\n",
                 "OK\r\nSTORED\r\nVALUE r 0 1\r\nx\r\nEND\r\n");
    expect_reply(h, "debugtime x\r\ndebugtime\r\ndebugtime -5\r\nget r\r\n",
                 "ERROR\r\nERROR\r\nOK\r\nVALUE r 0 1\r\nx\r\nEND\r\n");
    close_harness(h);
}

/* Steps at the ends of the 64-bit range saturate the clock rather than
 * overflow (found by fuzz_session; fuzz/regress/fuzz_session/
 * regress-debugtime-step-overflows-*). */
static void
test_debugtime_extreme_steps(void **state)
{
    (void)state;
    struct engine_config cfg = config();
    cfg.test_clock = true;
    struct harness *h = open_with(&cfg);
    expect_reply(h, "set a 0 100 1\r\nx\r\ndebugtime -9223372036854775808\r\n"
                    "get a\r\n",
                 "STORED\r\nOK\r\nVALUE a 0 1\r\nx\r\nEND\r\n");
    expect_reply(h, "debugtime 1\r\ndebugtime 9223372036854775807\r\nget a\r\n",
                 "OK\r\nOK\r\nEND\r\n");
    close_harness(h);

    h = open_with(&cfg);
    expect_reply(h, "set a 0 100 1\r\nx\r\ndebugtime p\r\ndebugtime 1\r\n"
                    "debugtime 9223372036854775807\r\nget a\r\n",
                 "STORED\r\nOK\r\nOK\r\nOK\r\nEND\r\n");
    close_harness(h);
}

/* Feeds input, then `stats`, and checks one whole stat line is in the
 * reply. */
static void
expect_stat(struct harness *h, const char *input, const char *sub,
            const char *line)
{
    feed(h, input);
    h->out_len = 0;
    feed(h, sub);
    if (!output_has(h, line)) {
        fprintf(stderr, "after %s%s: no line %s in %.*s\n", input, sub, line,
                (int)h->out_len, (const char *)h->out);
        fail();
    }
    h->out_len = 0;
}

/* [expiry.clock]: the item clock ends at the last second 32 bits hold;
 * steps past it, running or paused, stop there, and it never runs back. */
static void
test_debugtime_clock_end(void **state)
{
    (void)state;
    struct engine_config cfg = config();
    cfg.test_clock = true;
    struct harness *h = open_with(&cfg);
    expect_stat(h, "", "stats\r\n", "STAT time 1700000000\r\n");
    expect_stat(h, "debugtime 2594967294\r\n", "stats\r\n",
                "STAT time 4294967294\r\n");
    expect_stat(h, "debugtime 1\r\n", "stats\r\n", "STAT time 4294967295\r\n");
    expect_stat(h, "debugtime 1\r\n", "stats\r\n", "STAT time 4294967295\r\n");
    expect_stat(h, "debugtime -9223372036854775808\r\n", "stats\r\n",
                "STAT time 4294967295\r\n");
    close_harness(h);

    h = open_with(&cfg);
    expect_stat(h, "debugtime p\r\ndebugtime 2594967295\r\n", "stats\r\n",
                "STAT time 4294967295\r\n");
    expect_stat(h, "debugtime 9999999999\r\n", "stats\r\n",
                "STAT time 4294967295\r\n");
    close_harness(h);

    /* Paused, real time does not move the clock; resumed, it does. */
    h = open_with(&cfg);
    expect_stat(h, "debugtime p\r\n", "stats\r\n", "STAT time 1700000000\r\n");
    h->out_len = 0;
    feed_at(h, "stats\r\n", 7, NOW + 30);
    assert_true(output_has(h, "STAT time 1700000000\r\n"));
    h->out_len = 0;
    feed_at(h, "debugtime r\r\n", 13, NOW + 30);
    feed_at(h, "stats\r\n", 7, NOW + 40);
    assert_true(output_has(h, "STAT time 1700000010\r\n"));
    close_harness(h);

    /* A relative exptime near the end: the deadline is the clock's end. */
    h = open_with(&cfg);
    expect_reply(h, "debugtime 2594967290\r\nset k 0 100 1\r\nx\r\n"
                    "debugtime 4\r\nget k\r\n",
                 "OK\r\nSTORED\r\nOK\r\nVALUE k 0 1\r\nx\r\nEND\r\n");
    expect_reply(h, "debugtime 1\r\nget k\r\n", "OK\r\nEND\r\n");
    close_harness(h);
}

/* [misc.verbosity]: the level is capped at 2, as memcached does. */
static void
test_verbosity_cap(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_stat(h, "verbosity 1\r\n", "stats settings\r\n",
                "STAT verbosity 1\r\n");
    expect_stat(h, "verbosity 3\r\n", "stats settings\r\n",
                "STAT verbosity 2\r\n");
    expect_stat(h, "verbosity 5 noreply\r\n", "stats settings\r\n",
                "STAT verbosity 2\r\n");
    expect_stat(h, "verbosity 0\r\n", "stats settings\r\n",
                "STAT verbosity 0\r\n");
    close_harness(h);
}

/* [stats.general]: a set whose data chunk is bad still counts in cmd_set,
 * as memcached counts it before reading the data. */
static void
test_bad_chunk_counts_as_set(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set k 0 0 1\r\nxyz", "CLIENT_ERROR bad data chunk\r\n");
    expect_stat(h, "", "stats\r\n", "STAT cmd_set 1\r\n");
    expect_reply(h, "set k 0 0 1\r\nx\r\n", "STORED\r\n");
    expect_stat(h, "", "stats\r\n", "STAT cmd_set 2\r\n");
    close_harness(h);
}

static void
test_stats_shapes(void **state)
{
    (void)state;
    struct harness *h = open_default();
    feed(h, "set a 0 0 1\r\n1\r\nget a b\r\n");
    h->out_len = 0;
    feed(h, "stats\r\n");
    assert_memory_equal(h->out, "STAT pid ", 9);
    assert_true(output_has(h, "STAT curr_items 1\r\n"));
    assert_true(output_has(h, "STAT total_items 1\r\n"));
    assert_true(output_has(h, "STAT cmd_get 2\r\n"));
    assert_true(output_has(h, "STAT get_hits 1\r\n"));
    assert_true(output_has(h, "STAT get_misses 1\r\n"));
    assert_true(output_has(h, "STAT cmd_set 1\r\n"));
    assert_true(output_has(h, "STAT limit_maxbytes 4194304\r\n"));
    assert_true(output_has(h, "STAT bytes 17\r\n"));
    /* [stats.general]: bytes read are the requests' (16 + 9), written the
     * replies' (8 + 21), before this stats request. */
    assert_true(output_has(h, "STAT bytes_read 25\r\n"));
    assert_true(output_has(h, "STAT bytes_written 29\r\n"));
    assert_memory_equal(h->out + h->out_len - 5, "END\r\n", 5);
    h->out_len = 0;
    feed(h, "stats settings\r\n");
    assert_true(output_has(h, "STAT evictions on\r\n"));
    assert_true(output_has(h, "STAT cas_enabled yes\r\n"));
    assert_true(output_has(h, "STAT item_size_max 1048576\r\n"));
    assert_true(output_has(h, "STAT inter NULL\r\n"));
    /* Each setting the configuration gives is the one reported. */
    assert_true(output_has(h, "STAT maxconns 1024\r\n"));
    assert_true(output_has(h, "STAT tcpport 11211\r\n"));
    assert_true(output_has(h, "STAT reqs_per_event 20\r\n"));
    assert_true(output_has(h, "STAT tcp_backlog 1024\r\n"));
    assert_true(output_has(h, "STAT umask 700\r\n"));
    assert_true(output_has(h, "STAT maxbytes 4194304\r\n"));
    expect_reply(h, "stats items\r\n",
                 "STAT items:1:number 1\r\n"
                 "STAT items:1:age 0\r\n"
                 "STAT items:1:mem_requested 17\r\n"
                 "STAT items:1:evicted 0\r\n"
                 "STAT items:1:evicted_nonzero 0\r\n"
                 "STAT items:1:outofmemory 0\r\n"
                 "STAT items:1:reclaimed 0\r\n"
                 "STAT items:1:expired_unfetched 0\r\n"
                 "STAT items:1:evicted_unfetched 0\r\n"
                 "STAT items:1:moves_within_lru 0\r\n"
                 "END\r\n");
    expect_reply(h, "stats sizes\r\n", "STAT sizes_status disabled\r\nEND\r\n");
    expect_reply(h, "stats conns\r\n", "END\r\n");
    expect_reply(h, "stats bogus\r\nstats detail dump\r\n",
                 "ERROR\r\nERROR\r\n");
    expect_reply(h, "stats slabs\r\n",
                 "STAT 1:used_chunks 1\r\nSTAT 1:get_hits 1\r\n"
                 "STAT 1:cmd_set 1\r\nSTAT 1:delete_hits 0\r\n"
                 "STAT 1:incr_hits 0\r\nSTAT 1:decr_hits 0\r\n"
                 "STAT 1:cas_hits 0\r\nSTAT 1:cas_badval 0\r\n"
                 "STAT 1:touch_hits 0\r\n"
                 "STAT active_slabs 1\r\nSTAT total_malloced 17\r\nEND\r\n");
    expect_reply(h, "stats reset noreply\r\n", "RESET\r\n");
    feed(h, "stats\r\n");
    assert_true(output_has(h, "STAT cmd_get 0\r\n"));
    assert_true(output_has(h, "STAT curr_items 1\r\n"));
    close_harness(h);
}

/* ---- admin: key dumps, lru_crawler, cache_memlimit ------------------------- */

static void
test_cachedump(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set a 1 0 3\r\nabc\r\nset bb 0 100 1\r\nx\r\n",
                 "STORED\r\nSTORED\r\n");
    /* The log's order, oldest first; the deadline is absolute. */
    char want[256];
    snprintf(want, sizeof want,
             "ITEM a [3 b; 0 s]\r\nITEM bb [1 b; %u s]\r\nEND\r\n", NOW + 100);
    expect_reply(h, "stats cachedump 1 0\r\n", want);
    expect_reply(h, "stats cachedump 1 1\r\n", "ITEM a [3 b; 0 s]\r\nEND\r\n");
    expect_reply(h, "stats cachedump 1 2 extra\r\n", want);
    expect_reply(h, "stats cachedump 0 0\r\nstats cachedump 2 0\r\n"
                    "stats cachedump 63 5\r\n",
                 "END\r\nEND\r\nEND\r\n");
    expect_reply(h, "stats cachedump 64 0\r\nstats cachedump\r\n"
                    "stats cachedump 1\r\nstats cachedump x 1\r\n"
                    "stats cachedump 1 -1\r\n",
                 "CLIENT_ERROR Illegal slab id\r\n"
                 "CLIENT_ERROR bad command line\r\n"
                 "CLIENT_ERROR bad command line\r\n"
                 "CLIENT_ERROR bad command line format\r\n"
                 "CLIENT_ERROR bad command line format\r\n");
    /* A key that is not text (set through meta's base64) is left out; a
     * deleted one is gone. */
    expect_reply(h, "ms YSBi 1 b\r\nz\r\ndelete a\r\n", "HD\r\nDELETED\r\n");
    snprintf(want, sizeof want, "ITEM bb [1 b; %u s]\r\nEND\r\n", NOW + 100);
    expect_reply(h, "stats cachedump 1 0\r\n", want);
    /* An expired item is not listed. */
    feed_at(h, "stats cachedump 1 0\r\n", 21, NOW + 101);
    assert_int_equal(h->out_len, 5);
    assert_memory_equal(h->out, "END\r\n", 5);
    close_harness(h);
}

static void
test_metadump_and_mgdump(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set a/b 1 0 3\r\nabc\r\nset c 0 100 1\r\nx\r\nget c\r\n",
                 "STORED\r\nSTORED\r\nVALUE c 0 1\r\nx\r\nEND\r\n");
    expect_reply(h, "ms YSBi 1 b\r\nz\r\n", "HD\r\n");
    char want[512];
    snprintf(want, sizeof want,
             "key=a%%2Fb exp=-1 la=%u cas=1 fetch=no cls=1 size=%u\n"
             "key=c exp=%u la=%u cas=2 fetch=yes cls=1 size=%u\n"
             "key=a%%20b exp=-1 la=%u cas=3 fetch=no cls=1 size=%u\n"
             "END\r\n",
             NOW, 6 + 8 + 1 + 4 + 3 + 3, NOW + 100, NOW, 6 + 8 + 1 + 4 + 1 + 1,
             NOW, 6 + 8 + 1 + 3 + 1);
    expect_reply(h, "lru_crawler metadump all\r\n", want);
    expect_reply(h, "lru_crawler metadump hash\r\n", want);
    expect_reply(h, "lru_crawler metadump 1,2\r\n", want);
    expect_reply(h, "lru_crawler metadump 2\r\n", "END\r\n");
    /* A text key stored through base64 keeps its mark ([meta.base64-mark]):
     * mgdump shows it base64, cachedump leaves it out. */
    expect_reply(h, "ms Zm9v 1 b\r\nz\r\n", "HD\r\n");
    expect_reply(h, "lru_crawler mgdump 1\r\n",
                 "mg a/b\r\nmg c\r\nmg YSBi b\r\nmg Zm9v b\r\nEN\r\n");
    char dump[256];
    snprintf(dump, sizeof dump,
             "ITEM a/b [3 b; 0 s]\r\nITEM c [1 b; %u s]\r\nEND\r\n",
             NOW + 100);
    expect_reply(h, "stats cachedump 1 0\r\n", dump);
    expect_reply(h, "lru_crawler mgdump 3\r\n", "EN\r\n");
    expect_reply(h, "lru_crawler metadump 64\r\nlru_crawler metadump 0\r\n"
                    "lru_crawler mgdump x\r\nlru_crawler metadump all x\r\n",
                 "BADCLASS invalid class id\r\nBADCLASS invalid class id\r\n"
                 "BADCLASS invalid class id\r\nERROR\r\n");
    close_harness(h);
}

static size_t
count_lines(const uint8_t *p, size_t n, const char *prefix)
{
    size_t count = 0;
    size_t plen = strlen(prefix);
    for (size_t i = 0; i + plen <= n; i++) {
        if ((i == 0 || p[i - 1] == '\n') && memcmp(p + i, prefix, plen) == 0) {
            count++;
        }
    }
    return count;
}

/* [admin.dump-walk]: a dump of many items is many steps; between them the
 * session yields (not counted as a -R yield) and resumes where it stood. */
static void
test_dump_walks_in_steps(void **state)
{
    (void)state;
    struct harness *h = open_default();
    enum { ITEMS = 3 * LIMIT_DUMP_RECORDS + 17 };
    for (unsigned i = 0; i < ITEMS; i++) {
        char line[64];
        int n = snprintf(line, sizeof line, "set k%u 0 0 1 noreply\r\nv\r\n", i);
        feed_at(h, line, (size_t)n, NOW);
    }
    assert_int_equal(h->out_len, 0);
    feed(h, "lru_crawler metadump all\r\nversion\r\n");
    /* The first step only, then a yield with the request kept. */
    assert_true(session_yielded(&h->s));
    assert_false(session_turn_cut(&h->s));
    assert_int_equal(count_lines(h->out, h->out_len, "key="),
                     LIMIT_DUMP_RECORDS);
    unsigned steps = 1;
    while (session_yielded(&h->s)) {
        session_resume(&h->s, NOW);
        drain(h, NOW);
        steps++;
        assert_true(steps <= 5);
    }
    assert_int_equal(steps, 4);
    assert_int_equal(count_lines(h->out, h->out_len, "key="), ITEMS);
    assert_int_equal(count_lines(h->out, h->out_len, "key=k0 "), 1);
    assert_int_equal(count_lines(h->out, h->out_len, "END\r\n"), 1);
    /* The request after the dump ran once, after it. */
    assert_memory_equal(h->out + h->out_len - 27, "END\r\nVERSION 1.6.18-mcref\r\n",
                        27);
    h->out_len = 0;
    /* cachedump's limit ends its walk early. */
    feed(h, "stats cachedump 1 5\r\n");
    assert_false(session_yielded(&h->s));
    assert_int_equal(count_lines(h->out, h->out_len, "ITEM "), 5);
    close_harness(h);
}

static void
test_lru_crawler_other_subcommands(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "lru_crawler tocrawl 5\r\nlru_crawler sleep 100\r\n"
                    "lru_crawler tocrawl x\r\nlru_crawler sleep 1000001\r\n",
                 "OK\r\nOK\r\nCLIENT_ERROR bad command line format\r\n"
                 "CLIENT_ERROR sleep must be one second or less\r\n");
    expect_reply(h, "lru_crawler crawl all\r\nlru_crawler enable\r\n"
                    "lru_crawler disable\r\n",
                 "CLIENT_ERROR lru crawler disabled\r\n"
                 "CLIENT_ERROR lru crawler disabled\r\n"
                 "CLIENT_ERROR lru crawler disabled\r\n");
    expect_reply(h, "lru_crawler\r\nlru_crawler foo\r\nlru_crawler foo 1\r\n"
                    "lru_crawler a b c\r\n",
                 "ERROR\r\nERROR\r\nERROR\r\nERROR\r\n");
    close_harness(h);
}

static void
test_cache_memlimit(void **state)
{
    (void)state;
    struct engine_config cfg = config();
    cfg.store.mem_limit = 64u << 20;
    struct harness *h = open_with(&cfg);
    expect_reply(h, "cache_memlimit 7\r\ncache_memlimit 0\r\n"
                    "cache_memlimit 1000000001\r\ncache_memlimit x\r\n"
                    "cache_memlimit -1\r\ncache_memlimit\r\n",
                 "MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m\r\n"
                 "MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m\r\n"
                 "MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes\r\n"
                 "ERROR\r\nERROR\r\nERROR\r\n");
    /* Shrink, then grow back within what -m reserved; not past it. */
    expect_reply(h, "cache_memlimit 16\r\n", "OK\r\n");
    feed(h, "stats\r\n");
    assert_true(output_has(h, "STAT limit_maxbytes 16777216\r\n"));
    h->out_len = 0;
    expect_reply(h, "cache_memlimit 64 noreply\r\ncache_memlimit 65\r\n",
                 "MEMLIMIT_ADJUST_FAILED out of bounds or unable to adjust\r\n");
    feed(h, "stats settings\r\n");
    assert_true(output_has(h, "STAT maxbytes 67108864\r\n"));
    h->out_len = 0;
    /* Items stored reach past 8 MB of log: no shrink below them. */
    static char big[512 * 1024 + 64];
    for (unsigned i = 0; i < 20; i++) {
        int n = snprintf(big, sizeof big, "set big%u 0 0 %u noreply\r\n", i,
                         512u * 1024u);
        memset(big + n, 'v', 512 * 1024);
        memcpy(big + n + 512 * 1024, "\r\n", 2);
        feed_at(h, big, (size_t)n + 512 * 1024 + 2, NOW);
    }
    expect_reply(h, "cache_memlimit 8\r\n",
                 "MEMLIMIT_ADJUST_FAILED out of bounds or unable to adjust\r\n");
    expect_reply(h, "cache_memlimit 32\r\n", "OK\r\n");
    close_harness(h);
}

static void
test_dumps_disabled(void **state)
{
    (void)state;
    struct engine_config cfg = config();
    cfg.dump_disabled = true;
    struct harness *h = open_with(&cfg);
    expect_reply(h, "set a 0 0 1\r\nx\r\n", "STORED\r\n");
    expect_reply(h, "stats cachedump 1 0\r\nstats cachedump\r\n"
                    "stats cachedump 99 0\r\n",
                 "CLIENT_ERROR stats cachedump not allowed\r\n"
                 "CLIENT_ERROR stats cachedump not allowed\r\n"
                 "CLIENT_ERROR stats cachedump not allowed\r\n");
    expect_reply(h, "lru_crawler metadump all\r\nlru_crawler metadump 99\r\n"
                    "lru_crawler mgdump 1\r\nlru_crawler foo 1\r\n"
                    "lru_crawler sleep 100\r\n",
                 "ERROR metadump not allowed\r\nERROR metadump not allowed\r\n"
                 "ERROR key dump not allowed\r\nERROR\r\nOK\r\n");
    feed(h, "stats settings\r\n");
    assert_true(output_has(h, "STAT dump_enabled no\r\n"));
    close_harness(h);
}

/* [stats.cachedump]: at most 2 MiB of reply, as memcached; past the output
 * bound the dump pauses until the client reads, and resumes. */
static void
test_cachedump_reply_bound(void **state)
{
    (void)state;
    struct harness *h = open_default();
    static char line[400];
    char key[251];
    memset(key, 'x', 250);
    key[250] = '\0';
    enum { ITEMS = 9000 };
    for (unsigned i = 0; i < ITEMS; i++) {
        snprintf(key, sizeof key, "%05u", i);
        key[5] = 'x';
        int n = snprintf(line, sizeof line, "set %s 0 0 1 noreply\r\nv\r\n", key);
        feed_at(h, line, (size_t)n, NOW);
    }
    assert_int_equal(h->out_len, 0);
    struct store_stats st;
    store_stats(h->e->store, &st);
    assert_int_equal(st.curr_items, ITEMS);
    feed(h, "stats cachedump 1 0\r\n");
    while (session_yielded(&h->s)) {
        session_resume(&h->s, NOW);
        drain(h, NOW);
    }
    assert_true(h->out_len <= LIMIT_CACHEDUMP_BYTES);
    assert_true(h->out_len > LIMIT_CACHEDUMP_BYTES - 1024);
    size_t items = count_lines(h->out, h->out_len, "ITEM ");
    assert_true(items < ITEMS);
    /* "ITEM " key " [1 b; 0 s]\r\n" */
    assert_int_equal(items * (5 + 250 + 13) + 5, h->out_len);
    assert_memory_equal(h->out + h->out_len - 5, "END\r\n", 5);
    close_harness(h);
}

/* [stats.items]: age counts from the oldest live record's write stamp (the
 * latest write into its 4 KiB of log, [meta.mg-access]). */
static void
test_items_age(void **state)
{
    (void)state;
    struct harness *h = open_default();
    feed_at(h, "set a 0 0 1\r\nx\r\n", 16, NOW);
    h->out_len = 0;
    feed_at(h, "stats items\r\n", 13, NOW + 30);
    assert_true(output_has(h, "STAT items:1:age 30\r\n"));
    /* A write into the same 4 KiB refreshes the stamp a shows. */
    feed_at(h, "set b 0 0 1\r\nx\r\n", 16, NOW + 40);
    h->out_len = 0;
    feed_at(h, "stats items\r\n", 13, NOW + 45);
    assert_true(output_has(h, "STAT items:1:age 5\r\n"));
    close_harness(h);
}

/* ---- framing, connection ---------------------------------------------------- */

static void
test_unknown_empty_http(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "xyzzy\r\n\r\n\n   \r\nGET foo\r\nm\r\nmn\r\n",
                 "ERROR\r\nERROR\r\nERROR\r\nERROR\r\nERROR\r\nERROR\r\nMN\r\n");
    /* Earlier replies go out, then the connection closes. */
    expect_reply(h, "version\r\nGET / HTTP/1.1\r\nversion\r\n",
                 "VERSION 1.6.18-mcref\r\n");
    assert_int_equal(h->s.state, SESSION_CLOSING);
    close_harness(h);
}

static void
test_line_too_long_closes(void **state)
{
    (void)state;
    struct harness *h = open_default();
    char in[3000];
    memset(in, 'x', sizeof in);
    feed_at(h, in, sizeof in, NOW);
    assert_int_equal(h->s.state, SESSION_CLOSING);
    assert_int_equal(h->out_len, 0);
    close_harness(h);
}

static void
test_split_byte_by_byte(void **state)
{
    (void)state;
    const char *in = "set foo 5 0 3\r\nbar\r\nget foo nokey\r\nincr foo 1\r\n"
                     "set n 0 0 1\r\n7\r\nincr n 3\r\nset x 0 0 2\r\nabcd\r\n"
                     "delete foo\r\nbogus\r\ngets n\r\n";
    struct harness *whole = open_default();
    feed(whole, in);
    struct harness *split = open_default();
    for (size_t i = 0; in[i] != '\0'; i++) {
        feed_at(split, in + i, 1, NOW);
    }
    assert_int_equal(whole->out_len, split->out_len);
    assert_memory_equal(whole->out, split->out, whole->out_len);
    assert_true(session_idle(&split->s));
    close_harness(whole);
    close_harness(split);
}

static void
test_output_bound_pauses(void **state)
{
    (void)state;
    struct harness *h = open_default();
    /* Ten 100 KiB values: a get of all ten passes the 256 KiB bound. */
    size_t vlen = 100 * 1024;
    char *cmd = malloc(vlen + 64);
    assert_non_null(cmd);
    for (int i = 0; i < 10; i++) {
        int n = sprintf(cmd, "set k%d 0 0 %zu\r\n", i, vlen);
        memset(cmd + n, 'a' + i, vlen);
        memcpy(cmd + n + vlen, "\r\n", 2);
        feed_at(h, cmd, (size_t)n + vlen + 2, NOW);
    }
    free(cmd);
    h->out_len = 0;
    const char *get = "get k0 k1 k2 k3 k4 k5 k6 k7 k8 k9\r\nversion\r\n";
    /* A client that does not read: the session stops, bounded. */
    session_input(&h->s, (const uint8_t *)get, strlen(get), NOW);
    assert_false(session_wants_input(&h->s));
    uint64_t pending = session_pending(&h->s);
    assert_true(pending >= LIMIT_OUTPUT_PAUSE);
    assert_true(pending < LIMIT_OUTPUT_PAUSE + vlen + 512);
    /* More input is only stashed. */
    session_input(&h->s, (const uint8_t *)"version\r\n", 9, NOW);
    assert_int_equal(session_pending(&h->s), pending);
    /* Reading resumes it to the end. */
    drain(h, NOW);
    assert_true(session_wants_input(&h->s));
    assert_true(session_idle(&h->s));
    size_t want = 10 * (strlen("VALUE k0 0 102400\r\n") + vlen + 2) + 5 +
                  2 * strlen("VERSION 1.6.18-mcref\r\n");
    assert_int_equal(h->out_len, want);
    const char *tail = "END\r\nVERSION 1.6.18-mcref\r\nVERSION 1.6.18-mcref\r\n";
    assert_memory_equal(h->out + h->out_len - strlen(tail), tail, strlen(tail));
    close_harness(h);
}

/* ---- without memory ---------------------------------------------------- */

static void
test_engine_create_without_memory(void **state)
{
    (void)state;
    struct engine_config cfg = config();
    for (unsigned n = 0;; n++) {
        alloc_fail_arm(n);
        struct engine *e = engine_create(&cfg, NULL);
        bool fired = alloc_fail_fired();
        alloc_fail_disarm();
        if (!fired) {
            assert_non_null(e);
            engine_destroy(&e);
            return;
        }
        assert_null(e);
    }
}

/* Each allocation a session makes (reply blocks, the stash) may fail: the
 * session then aborts the connection; nothing leaks, the store stays sound. */
static void
test_session_without_memory(void **state)
{
    (void)state;
    char value[40000];
    memset(value, 'v', sizeof value);
    char set_big[64];
    int head = snprintf(set_big, sizeof set_big, "set big 0 0 %zu\r\n",
                        sizeof value);
    for (unsigned n = 0;; n++) {
        struct harness *h = open_default();
        feed_at(h, set_big, (size_t)head, NOW);
        feed_at(h, value, sizeof value, NOW);
        feed(h, "\r\n");
        h->out_len = 0;
        alloc_fail_arm(n);
        const char *in = "get big big\r\nset x 0 0 5\r\nab";
        session_input(&h->s, (const uint8_t *)in, strlen(in), NOW);
        bool fired = alloc_fail_fired();
        alloc_fail_disarm();
        drain(h, NOW);
        store_check(h->e->store);
        if (!fired) {
            assert_int_equal(h->s.state, SESSION_OPEN);
            assert_int_equal(session_stashed(&h->s), strlen("set x 0 0 5\r\nab"));
            close_harness(h);
            assert_true(n > 2);
            return;
        }
        assert_int_equal(h->s.state, SESSION_ABORT);
        close_harness(h);
    }
}

/* ---- large values, sent from the item --------------------------------- */

/* Stores key with vlen bytes of a pattern that depends on seed. */
static void
set_patterned(struct session *s, const char *key, size_t vlen, unsigned seed)
{
    char line[64];
    int n = snprintf(line, sizeof line, "set %s 0 0 %zu\r\n", key, vlen);
    uint8_t *cmd = malloc((size_t)n + vlen + 2);
    assert_non_null(cmd);
    memcpy(cmd, line, (size_t)n);
    for (size_t i = 0; i < vlen; i++) {
        cmd[n + i] = (uint8_t)('a' + (i * 7 + seed) % 26);
    }
    memcpy(cmd + n + vlen, "\r\n", 2);
    session_input(s, cmd, (size_t)n + vlen + 2, NOW);
    free(cmd);
}

/* The reply "get key" gives for set_patterned(key, vlen, seed). */
static uint8_t *
patterned_reply(const char *key, size_t vlen, unsigned seed, size_t *len)
{
    char head[64];
    int n = snprintf(head, sizeof head, "VALUE %s 0 %zu\r\n", key, vlen);
    uint8_t *want = malloc((size_t)n + vlen + 7);
    assert_non_null(want);
    memcpy(want, head, (size_t)n);
    for (size_t i = 0; i < vlen; i++) {
        want[n + i] = (uint8_t)('a' + (i * 7 + seed) % 26);
    }
    memcpy(want + n + vlen, "\r\nEND\r\n", 7);
    *len = (size_t)n + vlen + 7;
    return want;
}

/* Throws away what a session queued, as a client that reads everything. */
static void
discard_output(struct session *s)
{
    struct outq_segment seg[8];
    size_t n;
    while ((n = session_output(s, seg, 8)) > 0) {
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
            total += seg[i].len;
        }
        session_sent(s, total, NOW);
    }
}

/* Whether a queued run of output starts at p. */
static bool
queued_from(const struct session *s, const uint8_t *p)
{
    struct outq_segment seg[16];
    size_t n = session_output(s, seg, 16);
    for (size_t i = 0; i < n; i++) {
        if (seg[i].base == p) {
            return true;
        }
    }
    return false;
}

static void
expect_output(const struct harness *h, const uint8_t *want, size_t len)
{
    assert_int_equal(h->out_len, len);
    assert_memory_equal(h->out, want, len);
}

/* A value of OUTQ_REF_MIN bytes or more is sent from the item itself; a
 * smaller one is copied. The reply bytes are the same either way. */
static void
test_large_value_sent_from_item(void **state)
{
    (void)state;
    struct harness *h = open_default();
    size_t sizes[] = {OUTQ_REF_MIN - 1, OUTQ_REF_MIN, 100000};
    for (size_t i = 0; i < 3; i++) {
        set_patterned(&h->s, "big", sizes[i], (unsigned)i);
        discard_output(&h->s);
        session_input(&h->s, (const uint8_t *)"get big\r\n", 9, NOW);
        struct store_item it;
        assert_int_equal(store_get(h->e->store, NOW, (const uint8_t *)"big",
                                   3, &it),
                         STORE_OK);
        assert_int_equal(queued_from(&h->s, it.value),
                         sizes[i] >= OUTQ_REF_MIN);
        h->out_len = 0;
        drain(h, NOW);
        size_t len;
        uint8_t *want = patterned_reply("big", sizes[i], (unsigned)i, &len);
        expect_output(h, want, len);
        free(want);
    }
    close_harness(h);
}

/* A reply that refers to an item is not changed by later writes from any
 * connection, even when they overwrite the item's memory: every write first
 * copies what queues still refer to. */
static void
test_referenced_value_outlives_writes(void **state)
{
    (void)state;
    struct engine_config cfg = config();
    cfg.store.mem_limit = 1u << 20;
    cfg.store.value_len_max = 64 * 1024;
    struct harness *h = open_with(&cfg);
    struct session other;
    session_init(&other, h->e);
    const size_t vlen = 40000;
    set_patterned(&h->s, "big", vlen, 1);
    discard_output(&h->s);
    /* Two replies wait, one of them read half-way. */
    session_input(&h->s, (const uint8_t *)"get big\r\nget big\r\n", 18, NOW);
    struct outq_segment seg[1];
    assert_int_equal(session_output(&h->s, seg, 1), 1);
    session_sent(&h->s, seg[0].len + 5, NOW);
    /* Another connection replaces the item, then cycles the whole log. */
    set_patterned(&other, "big", vlen, 2);
    for (int i = 0; i < 100; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        set_patterned(&other, key, vlen, (unsigned)i + 3);
        discard_output(&other);
    }
    struct store_stats st;
    store_stats(h->e->store, &st);
    assert_true(st.evictions > 0);
    struct store_item it;
    assert_int_equal(store_get(h->e->store, NOW, (const uint8_t *)"big", 3,
                               &it),
                     STORE_MISS);
    h->out_len = 0;
    drain(h, NOW);
    size_t len;
    uint8_t *want = patterned_reply("big", vlen, 1, &len);
    size_t head = strlen("VALUE big 0 40000\r\n");
    /* The first reply from its 6th value byte on, then the second whole. */
    assert_int_equal(h->out_len, len - head - 5 + len);
    assert_memory_equal(h->out, want + head + 5, len - head - 5);
    assert_memory_equal(h->out + len - head - 5, want, len);
    free(want);
    /* The same within one connection's input. */
    set_patterned(&h->s, "big", vlen, 4);
    discard_output(&h->s);
    h->out_len = 0;
    session_input(&h->s, (const uint8_t *)"get big\r\n", 9, NOW);
    for (int i = 0; i < 30; i++) {
        set_patterned(&h->s, "k", vlen, (unsigned)i);
    }
    drain(h, NOW);
    want = patterned_reply("big", vlen, 4, &len);
    assert_true(h->out_len == len + 30 * strlen("STORED\r\n"));
    assert_memory_equal(h->out, want, len);
    free(want);
    store_check(h->e->store);
    session_deinit(&other);
    close_harness(h);
}

/* Copying a referenced value needs memory; when it fails, that connection
 * (and only it) closes, and the write goes ahead. */
static void
test_reference_copy_without_memory(void **state)
{
    (void)state;
    bool held_failed = false;
    for (unsigned n = 0;; n++) {
        struct harness *h = open_default();
        struct session other;
        session_init(&other, h->e);
        set_patterned(&h->s, "big", 60000, 1);
        discard_output(&h->s);
        session_input(&h->s, (const uint8_t *)"get big\r\n", 9, NOW);
        alloc_fail_arm(n);
        session_input(&other, (const uint8_t *)"set x 0 0 1\r\nx\r\n", 16, NOW);
        bool fired = alloc_fail_fired();
        alloc_fail_disarm();
        store_check(h->e->store);
        if (session_state(&h->s) == SESSION_ABORT) {
            held_failed = true;
            assert_int_equal(session_pending(&h->s), 0);
            assert_int_equal(session_state(&other), SESSION_OPEN);
        }
        if (session_state(&other) == SESSION_OPEN) {
            struct store_item it;
            assert_int_equal(store_get(h->e->store, NOW,
                                       (const uint8_t *)"x", 1, &it),
                             STORE_OK);
        }
        if (!fired) {
            assert_int_equal(session_state(&h->s), SESSION_OPEN);
            h->out_len = 0;
            drain(h, NOW);
            size_t len;
            uint8_t *want = patterned_reply("big", 60000, 1, &len);
            expect_output(h, want, len);
            free(want);
        }
        discard_output(&other);
        session_deinit(&other);
        close_harness(h);
        if (!fired) {
            break;
        }
    }
    assert_true(held_failed);
    /* The same when the connection holding the reference writes. */
    held_failed = false;
    for (unsigned n = 0;; n++) {
        struct harness *h = open_default();
        set_patterned(&h->s, "big", 60000, 1);
        discard_output(&h->s);
        session_input(&h->s, (const uint8_t *)"get big\r\n", 9, NOW);
        alloc_fail_arm(n);
        session_input(&h->s, (const uint8_t *)"set x 0 0 1\r\nx\r\n", 16, NOW);
        bool fired = alloc_fail_fired();
        alloc_fail_disarm();
        store_check(h->e->store);
        if (session_state(&h->s) == SESSION_ABORT) {
            held_failed = held_failed || session_pending(&h->s) == 0;
        } else {
            h->out_len = 0;
            drain(h, NOW);
            size_t len;
            uint8_t *want = patterned_reply("big", 60000, 1, &len);
            assert_int_equal(h->out_len, len + 8);
            assert_memory_equal(h->out, want, len);
            assert_memory_equal(h->out + len, "STORED\r\n", 8);
            free(want);
        }
        close_harness(h);
        if (!fired) {
            break;
        }
    }
    assert_true(held_failed);
}

/* ---- traces, the host, the hard bounds --------------------------------- */

struct traced {
    char lines[64][96];
    size_t count;
};

static void
collect_trace(void *ctx, char direction, const uint8_t *text, size_t len)
{
    struct traced *t = ctx;
    if (t->count < 64) {
        snprintf(t->lines[t->count++], 96, "%c%.*s", direction, (int)len,
                 (const char *)text);
    }
}

static bool
traced_has(const struct traced *t, const char *line)
{
    for (size_t i = 0; i < t->count; i++) {
        if (strcmp(t->lines[i], line) == 0) {
            return true;
        }
    }
    return false;
}

static void
test_trace_levels(void **state)
{
    (void)state;
    struct engine_config cfg = config();
    cfg.verbosity = 2;
    struct harness *h = open_with(&cfg);
    struct traced t = {.count = 0};
    session_set_trace(&h->s, collect_trace, &t);
    feed(h, "set k 0 0 1\r\nv\r\nget k nokey\r\nincr k 1\r\nbogus\r\n");
    assert_true(traced_has(&t, "<set k 0 0 1"));
    assert_true(traced_has(&t, ">STORED"));
    assert_true(traced_has(&t, ">sending key k"));
    assert_true(traced_has(&t, ">END"));
    assert_true(traced_has(&t, ">CLIENT_ERROR cannot increment or decrement "
                               "non-numeric value"));
    assert_true(traced_has(&t, ">ERROR"));
    /* A number reply is traced as its digits, without the terminator. */
    feed(h, "set n 0 0 2\r\n41\r\nincr n 1\r\nincr n 958\r\n");
    assert_true(traced_has(&t, ">42"));
    assert_true(traced_has(&t, ">1000"));
    size_t at_two = t.count;
    /* -vv has no internal events: a closing HTTP line traces nothing. */
    struct harness *v2 = open_with(&cfg);
    struct traced t2 = {.count = 0};
    session_set_trace(&v2->s, collect_trace, &t2);
    feed(v2, "GET / HTTP/1.1\r\n");
    assert_int_equal(t2.count, 0);
    close_harness(v2);
    /* -vvv adds internal events: a close for an HTTP request line. */
    h->e->verbosity = 3;
    feed(h, "incr n 1\r\nGET / HTTP/1.1\r\n");
    assert_true(t.count > at_two);
    assert_int_equal(t.lines[t.count - 1][0], '-');
    /* At 1, nothing is traced. */
    h->e->verbosity = 1;
    size_t at_one = t.count;
    struct harness *g = open_with(&cfg);
    session_set_trace(&g->s, collect_trace, &t);
    g->e->verbosity = 1;
    feed(g, "version\r\n");
    assert_int_equal(t.count, at_one);
    close_harness(g);
    close_harness(h);
}

struct fake_host {
    bool reset;
    uint32_t conns;
};

static void
fake_info(void *ctx, struct host_info *out)
{
    (void)ctx;
    out->pid = 42;
    out->started_s = NOW - 100;
    out->rusage_user_us = 1500000;
    out->curr_connections = 3;
    out->idle_timeout_on = true;
    out->idle_kicks = 7;
    out->accepting_conns = true;
}

static void
fake_each_conn(void *ctx, uint32_t now_s,
               void (*emit)(void *arg, const struct host_conn *c), void *arg)
{
    const struct fake_host *f = ctx;
    (void)now_s;
    for (uint32_t i = 0; i < f->conns; i++) {
        struct host_conn c = {(int)(5 + i), "tcp:1.2.3.4:5", "tcp:0.0.0.0:1",
                              "conn_waiting", 9};
        emit(arg, &c);
    }
}

static void
fake_reset(void *ctx)
{
    ((struct fake_host *)ctx)->reset = true;
}

static void
test_stats_from_host(void **state)
{
    (void)state;
    struct fake_host f = {.conns = 2};
    struct engine_host host = {&f, fake_info, fake_each_conn, fake_reset};
    struct harness *h = open_default();
    engine_set_host(h->e, &host);
    feed(h, "stats\r\n");
    assert_true(output_has(h, "STAT pid 42\r\n"));
    assert_true(output_has(h, "STAT uptime 100\r\n"));
    assert_true(output_has(h, "STAT rusage_user 1.500000\r\n"));
    assert_true(output_has(h, "STAT curr_connections 3\r\n"));
    assert_true(output_has(h, "STAT idle_kicks 7\r\n"));
    assert_true(output_has(h, "STAT accepting_conns 1\r\n"));
    /* What the host leaves unset reads as 0. */
    assert_true(output_has(h, "STAT max_connections 0\r\n"));
    assert_true(output_has(h, "STAT rusage_system 0.000000\r\n"));
    expect_reply(h, "stats conns\r\n",
                 "STAT 5:addr tcp:1.2.3.4:5\r\nSTAT 5:listen_addr tcp:0.0.0.0:1\r\n"
                 "STAT 5:state conn_waiting\r\nSTAT 5:secs_since_last_cmd 9\r\n"
                 "STAT 6:addr tcp:1.2.3.4:5\r\nSTAT 6:listen_addr tcp:0.0.0.0:1\r\n"
                 "STAT 6:state conn_waiting\r\nSTAT 6:secs_since_last_cmd 9\r\n"
                 "END\r\n");
    expect_reply(h, "stats reset\r\n", "RESET\r\n");
    assert_true(f.reset);
    engine_set_host(h->e, NULL);
    close_harness(h);
}

/* [conn.output-bound]: one reply past the hard bound closes the session. */
static void
test_hard_output_bound(void **state)
{
    (void)state;
    struct fake_host f = {.conns = 60000};
    struct engine_host host = {&f, fake_info, fake_each_conn, fake_reset};
    struct harness *h = open_default();
    engine_set_host(h->e, &host);
    session_input(&h->s, (const uint8_t *)"stats conns\r\n", 13, NOW);
    assert_int_equal(h->s.state, SESSION_ABORT);
    close_harness(h);
}

/* [conn.output-budget]: two sessions that do not read, each with a 300 KiB
 * reply queued, pass a 512 KiB budget of all sessions together: the one
 * whose backlog passes it is closed; the first keeps its backlog, and a
 * session that reads, with less queued, is served. Without the budget both stay. */
static void
run_output_budget(uint64_t budget, enum session_state want_second)
{
    struct engine_config cfg = config();
    cfg.output_budget = budget;
    struct harness *h = open_with(&cfg);
    size_t vlen = 300 * 1024;
    char *cmd = malloc(vlen + 64);
    assert_non_null(cmd);
    int n = sprintf(cmd, "set k 0 0 %zu\r\n", vlen);
    memset(cmd + n, 'a', vlen);
    memcpy(cmd + n + vlen, "\r\n", 2);
    feed_at(h, cmd, (size_t)n + vlen + 2, NOW);
    free(cmd);
    struct session slow1, slow2;
    session_init(&slow1, h->e);
    session_init(&slow2, h->e);
    session_input(&slow1, (const uint8_t *)"get k\r\n", 7, NOW);
    assert_int_equal(session_state(&slow1), SESSION_OPEN);
    assert_false(session_wants_input(&slow1));
    session_input(&slow2, (const uint8_t *)"get k\r\n", 7, NOW);
    assert_int_equal(session_state(&slow2), want_second);
    assert_int_equal(session_state(&slow1), SESSION_OPEN);
    h->out_len = 0;
    const char *reads = "set s 0 0 1\r\nx\r\nget s\r\n";
    feed_at(h, reads, strlen(reads), NOW);
    assert_int_equal(session_state(&h->s), SESSION_OPEN);
    const char *want = "STORED\r\nVALUE s 0 1\r\nx\r\nEND\r\n";
    assert_int_equal(h->out_len, strlen(want));
    assert_memory_equal(h->out, want, strlen(want));
    session_deinit(&slow2);
    session_deinit(&slow1);
    assert_true(h->e->pool.pending_all == 0);
    close_harness(h);
}

static void
test_output_budget_closes_the_largest(void **state)
{
    (void)state;
    run_output_budget(512 * 1024, SESSION_ABORT);
    run_output_budget(0, SESSION_OPEN);
}

/* A session that stopped reading cannot be made to hold unbounded input. */
static void
test_stash_bound_while_paused(void **state)
{
    (void)state;
    struct engine_config cfg = config();
    cfg.store.value_len_max = 300 * 1024;
    struct harness *h = open_with(&cfg);
    size_t vlen = 300 * 1024;
    char *cmd = malloc(vlen + 64);
    assert_non_null(cmd);
    int n = sprintf(cmd, "set k 0 0 %zu\r\n", vlen);
    memset(cmd + n, 'a', vlen);
    memcpy(cmd + n + vlen, "\r\n", 2);
    feed_at(h, cmd, (size_t)n + vlen + 2, NOW);
    free(cmd);
    session_input(&h->s, (const uint8_t *)"get k\r\n", 7, NOW);
    assert_false(session_wants_input(&h->s));
    char chunk[65536];
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < 200 && h->s.state == SESSION_OPEN; i++) {
        session_input(&h->s, (const uint8_t *)chunk, sizeof chunk, NOW);
    }
    assert_int_equal(h->s.state, SESSION_ABORT);
    close_harness(h);
}

/* [conn.output-bound]: a multi-key get pauses once 256 KiB are pending,
 * not a byte later or sooner: the first reply of exactly 262144 bytes
 * pauses it; one of 262143 lets the next key through. */
static void
test_output_pause_at_exactly_256k(void **state)
{
    (void)state;
    for (size_t vlen = 262123; vlen >= 262122; vlen--) {
        struct harness *h = open_default();
        set_patterned(&h->s, "k0", vlen, 1);
        set_patterned(&h->s, "k1", 10, 2);
        discard_output(&h->s);
        session_input(&h->s, (const uint8_t *)"get k0 k1\r\n", 11, NOW);
        uint64_t first = strlen("VALUE k0 0 262123\r\n") + vlen + 2;
        if (vlen == 262123) {
            assert_int_equal(first, LIMIT_OUTPUT_PAUSE);
            assert_int_equal(session_pending(&h->s), first);
            assert_false(session_wants_input(&h->s));
        } else {
            assert_int_equal(session_pending(&h->s),
                             first + strlen("VALUE k1 0 10\r\n") + 12 +
                                 strlen("END\r\n"));
        }
        /* Paused or not, the get's bytes are read once. */
        drain(h, NOW);
        h->out_len = 0;
        uint64_t input = strlen("set k0 0 0 262123\r\n") + vlen + 2 +
                         strlen("set k1 0 0 10\r\n") + 12 + 11;
        char line[64];
        snprintf(line, sizeof line, "STAT bytes_read %llu\r\n",
                 (unsigned long long)input);
        feed(h, "stats\r\n");
        assert_true(output_has(h, line));
        close_harness(h);
    }
}

/* A host whose every figure differs, so a stat shown from the wrong field,
 * or bent on the way, is seen ([stats.general], spec/stats.md). */
static struct host_info distinct_host;

static void
distinct_info(void *ctx, struct host_info *out)
{
    (void)ctx;
    *out = distinct_host;
}

static void
test_stats_each_host_figure(void **state)
{
    (void)state;
    distinct_host = (struct host_info){
        .pid = 4242, .started_s = NOW - 77, .rusage_user_us = 2000003,
        .rusage_system_us = 250, .max_connections = 11,
        .curr_connections = 12, .total_connections = 13,
        .rejected_connections = 14, .connection_structures = 15,
        .idle_kicks = 16, .conn_yields = 17, .listen_disabled_num = 18,
        .accepting_conns = false, .idle_timeout_on = false};
    struct fake_host f = {.conns = 0};
    struct engine_host host = {&f, distinct_info, fake_each_conn, fake_reset};
    struct harness *h = open_default();
    engine_set_host(h->e, &host);
    static const char *const want[] = {
        "STAT pid 4242\r\n", "STAT uptime 77\r\n", "STAT time 1700000000\r\n",
        "STAT version 1.6.18-mcref\r\n", "STAT pointer_size 64\r\n",
        "STAT rusage_user 2.000003\r\n", "STAT rusage_system 0.000250\r\n",
        "STAT max_connections 11\r\n", "STAT curr_connections 12\r\n",
        "STAT total_connections 13\r\n", "STAT rejected_connections 14\r\n",
        "STAT connection_structures 15\r\n", "STAT accepting_conns 0\r\n",
        "STAT listen_disabled_num 18\r\n", "STAT threads 1\r\n",
        "STAT conn_yields 17\r\n", "STAT hash_power_level 16\r\n",
        "STAT hash_is_expanding 0\r\n"};
    feed(h, "stats\r\n");
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (!output_has(h, want[i])) {
            fprintf(stderr, "missing %s", want[i]);
            fail();
        }
    }
    /* idle_kicks only with an idle timeout. */
    assert_false(output_has(h, "STAT idle_kicks"));
    h->out_len = 0;
    /* No start time, or one after now: uptime 0. */
    distinct_host.started_s = 0;
    expect_stat(h, "", "stats\r\n", "STAT uptime 0\r\n");
    distinct_host.started_s = NOW + 5;
    expect_stat(h, "", "stats\r\n", "STAT uptime 0\r\n");
    distinct_host.started_s = NOW - 1;
    expect_stat(h, "", "stats\r\n", "STAT uptime 1\r\n");
    /* Without a host every host figure is 0. */
    engine_set_host(h->e, NULL);
    expect_stat(h, "", "stats\r\n", "STAT pid 0\r\n");
    expect_stat(h, "", "stats\r\n", "STAT curr_connections 0\r\n");
    expect_stat(h, "", "stats\r\n", "STAT rusage_user 0.000000\r\n");
    close_harness(h);
}

/* [stats.settings]: the whole reply, from a configuration whose every
 * setting differs from the defaults; names and order from spec/stats.md. */
static void
test_stats_settings_whole(void **state)
{
    (void)state;
    struct engine_config cfg = config();
    cfg.store.mem_limit = 3u << 20;
    cfg.store.value_len_max = 2048;
    cfg.store.evict = false;
    cfg.store.cas_enabled = false;
    cfg.flush_enabled = false;
    cfg.shutdown_enabled = true;
    cfg.test_clock = true;
    cfg.verbosity = 1;
    cfg.settings = (struct engine_settings){
        .maxconns = 77, .tcpport = 11311, .udpport = 0, .inter = "127.0.0.1",
        .domain_socket = "/tmp/x.sock", .umask = 0755, .reqs_per_event = 33,
        .tcp_backlog = 99, .idle_timeout = 9, .hashpower_init = 12};
    struct harness *h = open_with(&cfg);
    expect_reply(h, "stats settings\r\n",
                 "STAT maxbytes 3145728\r\n"
                 "STAT maxconns 77\r\n"
                 "STAT tcpport 11311\r\n"
                 "STAT udpport 0\r\n"
                 "STAT inter 127.0.0.1\r\n"
                 "STAT verbosity 1\r\n"
                 "STAT evictions off\r\n"
                 "STAT domain_socket /tmp/x.sock\r\n"
                 "STAT umask 755\r\n"
                 "STAT shutdown_command yes\r\n"
                 "STAT num_threads 1\r\n"
                 "STAT detail_enabled no\r\n"
                 "STAT reqs_per_event 33\r\n"
                 "STAT cas_enabled no\r\n"
                 "STAT tcp_backlog 99\r\n"
                 "STAT binding_protocol auto-negotiate\r\n" /* [bin.negotiation] */
                 "STAT auth_enabled_sasl no\r\n"
                 "STAT auth_enabled_ascii no\r\n"
                 "STAT item_size_max 2048\r\n"
                 "STAT maxconns_fast yes\r\n"
                 "STAT hashpower_init 12\r\n"
                 "STAT flush_enabled no\r\n"
                 "STAT dump_enabled yes\r\n"
                 "STAT idle_timeout 9\r\n"
                 "STAT test_clock yes\r\n"
                 "END\r\n");
    close_harness(h);
}

/* [conn.output-bound]: after any command, 262144 bytes pending stop the
 * session reading; 262143 do not. Reading resumes only below 262144. */
static void
test_session_pause_at_exactly_256k(void **state)
{
    (void)state;
    for (size_t vlen = 262118; vlen >= 262117; vlen--) {
        struct harness *h = open_default();
        set_patterned(&h->s, "k0", vlen, 1);
        discard_output(&h->s);
        session_input(&h->s, (const uint8_t *)"get k0\r\n", 8, NOW);
        uint64_t reply = strlen("VALUE k0 0 262118\r\n") + vlen + 2 + 5;
        assert_int_equal(session_pending(&h->s), reply);
        assert_int_equal(session_wants_input(&h->s), reply < LIMIT_OUTPUT_PAUSE);
        close_harness(h);
    }
    /* Paused with 262144 + 10 pending: 10 bytes taken leave it paused, one
     * more resumes it. */
    struct harness *h = open_default();
    set_patterned(&h->s, "k0", 262128, 1);
    discard_output(&h->s);
    session_input(&h->s, (const uint8_t *)"get k0\r\n", 8, NOW);
    assert_int_equal(session_pending(&h->s), LIMIT_OUTPUT_PAUSE + 10);
    assert_false(session_wants_input(&h->s));
    session_sent(&h->s, 10, NOW);
    assert_false(session_wants_input(&h->s));
    session_sent(&h->s, 1, NOW);
    assert_true(session_wants_input(&h->s));
    close_harness(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("store.set", test_set_get),
        CLAUSE_TEST("store.append", test_add_replace_append_prepend),
        CLAUSE_TEST("store.cas", test_cas_flow),
        CLAUSE_TEST("store.bad-line", test_bad_line_data_parsed),
        CLAUSE_TEST("store.too-large", test_too_large_swallow_and_failed_set),
        CLAUSE_TEST("store.bad-chunk", test_bad_chunk),
        CLAUSE_TEST("store.wait-data", test_wait_for_data),
        CLAUSE_TEST("store.no-memory", test_no_memory),
        CLAUSE_TEST("get.reply", test_get_many_and_repeats),
        CLAUSE_TEST("get.long-key", test_get_long_key_voids),
        CLAUSE_TEST("get.gat", test_gat),
        CLAUSE_TEST("expiry.relative", test_expiry_through_session),
        CLAUSE_TEST("delete.hold", test_delete),
        CLAUSE_TEST("touch.reply", test_touch),
        CLAUSE_TEST("incr.reply", test_incr_decr),
        CLAUSE_TEST("cmd.noreply", test_noreply_everywhere),
        CLAUSE_TEST("flush.disabled", test_flush_all),
        CLAUSE_TEST("misc.quit", test_version_verbosity_quit),
        CLAUSE_TEST("misc.shutdown", test_shutdown),
        CLAUSE_TEST("misc.debugtime", test_debugtime),
        CLAUSE_TEST("misc.debugtime", test_debugtime_extreme_steps),
        CLAUSE_TEST("expiry.clock", test_debugtime_clock_end),
        CLAUSE_TEST("misc.verbosity", test_verbosity_cap),
        CLAUSE_TEST("stats.general", test_bad_chunk_counts_as_set),
        CLAUSE_TEST("stats.general", test_stats_shapes),
        CLAUSE_TEST("frame.http", test_unknown_empty_http),
        CLAUSE_TEST("frame.line-limit", test_line_too_long_closes),
        CLAUSE_TEST("frame.split", test_split_byte_by_byte),
        CLAUSE_TEST("conn.output-bound", test_output_bound_pauses),
        CLAUSE_TEST("conn.output-bound", test_output_pause_at_exactly_256k),
        CLAUSE_TEST("conn.output-bound", test_session_pause_at_exactly_256k),
        CLAUSE_TEST("mem.bounded", test_engine_create_without_memory),
        CLAUSE_TEST("mem.bounded", test_session_without_memory),
        CLAUSE_TEST("misc.verbosity", test_trace_levels),
        CLAUSE_TEST("stats.conns", test_stats_from_host),
        CLAUSE_TEST("stats.general", test_stats_each_host_figure),
        CLAUSE_TEST("stats.settings", test_stats_settings_whole),
        CLAUSE_TEST("conn.output-bound", test_hard_output_bound),
        CLAUSE_TEST("conn.output-bound", test_stash_bound_while_paused),
        CLAUSE_TEST("conn.output-budget", test_output_budget_closes_the_largest),
        CLAUSE_TEST("get.reply", test_large_value_sent_from_item),
        CLAUSE_TEST("get.reply", test_referenced_value_outlives_writes),
        CLAUSE_TEST("mem.bounded", test_reference_copy_without_memory),
        CLAUSE_TEST("stats.cachedump", test_cachedump),
        CLAUSE_TEST("admin.metadump", test_metadump_and_mgdump),
        CLAUSE_TEST("admin.dump-walk", test_dump_walks_in_steps),
        CLAUSE_TEST("admin.lru-crawler", test_lru_crawler_other_subcommands),
        CLAUSE_TEST("admin.cache-memlimit", test_cache_memlimit),
        CLAUSE_TEST("admin.dump-disabled", test_dumps_disabled),
        CLAUSE_TEST("stats.cachedump", test_cachedump_reply_bound),
        CLAUSE_TEST("stats.items", test_items_age),
    };
    return cmocka_run_group_tests_name("engine_session", tests, NULL, NULL);
}
