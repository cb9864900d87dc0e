/*
 * test_bench_reply.c - mcref-bench's reply parser: complete, partial and
 * split replies, VALUE blocks split at every byte, error lines, streams
 * that do not match the requests, and the stats lookup. Every input is
 * placed flush against a PROT_NONE page, so a read past it crashes.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "bench_limits.h"
#include "bench_reply.h"

#define KEY_LEN 8
#define K1 "key:0001"
#define K2 "key:0002"
#define K3 "key:0003"

/* A copy of some bytes whose last byte is followed by a PROT_NONE page. */
struct guarded {
    uint8_t *map;
    size_t map_len;
    const uint8_t *data;
    size_t len;
};

static struct guarded
guard(const void *bytes, size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data_pages = (len + page - 1) / page;
    struct guarded g = {.map_len = (data_pages + 1) * page, .len = len};
    g.map = mmap(NULL, g.map_len, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(g.map != MAP_FAILED);
    assert_int_equal(mprotect(g.map + data_pages * page, page, PROT_NONE), 0);
    uint8_t *start = g.map + data_pages * page - len;
    memcpy(start, bytes, len);
    g.data = start;
    return g;
}

static void
unguard(struct guarded *g)
{
    munmap(g->map, g->map_len);
}

static struct bench_reply_expect
expect_get(const char *keys, size_t key_count)
{
    return (struct bench_reply_expect){
        .kind = BENCH_REPLY_GET,
        .keys = (const uint8_t *)keys,
        .key_len = KEY_LEN,
        .key_count = key_count,
        .value_len_max = 64,
    };
}

static struct bench_reply_expect
expect_kind(enum bench_reply_kind kind)
{
    return (struct bench_reply_expect){.kind = kind};
}

/* Parses the first len bytes of text, guarded; returns status. */
static enum bench_reply_status
parse_n(const struct bench_reply_expect *exp, const char *text, size_t len,
        struct bench_reply *rep, size_t *consumed)
{
    struct guarded g = guard(text, len);
    enum bench_reply_status st =
        bench_reply_parse(exp, g.data, g.len, rep, consumed);
    unguard(&g);
    return st;
}

static enum bench_reply_status
parse(const struct bench_reply_expect *exp, const char *text,
      struct bench_reply *rep, size_t *consumed)
{
    return parse_n(exp, text, strlen(text), rep, consumed);
}

/*
 * Every strict prefix of reply is AGAIN with nothing consumed, and the
 * whole of it gives want_status, consuming all of it.
 */
static void
check_every_split(const struct bench_reply_expect *exp, const char *reply,
                  enum bench_reply_status want_status,
                  struct bench_reply *rep)
{
    size_t len = strlen(reply);
    size_t consumed;
    for (size_t cut = 0; cut < len; cut++) {
        enum bench_reply_status st = parse_n(exp, reply, cut, rep, &consumed);
        if (st != BENCH_REPLY_AGAIN || consumed != 0) {
            fail_msg("prefix of %zu/%zu bytes gave %s, consumed %zu", cut,
                     len, bench_reply_status_name(st), consumed);
        }
    }
    assert_int_equal(parse_n(exp, reply, len, rep, &consumed), want_status);
    assert_int_equal(consumed, len);
}

static void
test_get_hit(void **state)
{
    (void)state;
    struct bench_reply_expect exp = expect_get(K1, 1);
    struct bench_reply rep;
    size_t consumed;
    const char *r = "VALUE " K1 " 0 5\r\nhello\r\nEND\r\n";
    assert_int_equal(parse(&exp, r, &rep, &consumed), BENCH_REPLY_OK);
    assert_int_equal(rep.hit_count, 1);
    assert_int_equal(consumed, strlen(r));
}

static void
test_get_miss(void **state)
{
    (void)state;
    struct bench_reply_expect exp = expect_get(K1, 1);
    struct bench_reply rep;
    size_t consumed;
    assert_int_equal(parse(&exp, "END\r\n", &rep, &consumed),
                     BENCH_REPLY_OK);
    assert_int_equal(rep.hit_count, 0);
    assert_int_equal(consumed, 5);
}

/* Misses are left out; the hits keep the request's order. */
static void
test_mget_partial_hits(void **state)
{
    (void)state;
    struct bench_reply_expect exp = expect_get(K1 K2 K3, 3);
    struct bench_reply rep;
    size_t consumed;
    const char *r = "VALUE " K1 " 7 3\r\nabc\r\nVALUE " K3
                    " 0 0\r\n\r\nEND\r\n";
    assert_int_equal(parse(&exp, r, &rep, &consumed), BENCH_REPLY_OK);
    assert_int_equal(rep.hit_count, 2);
    assert_int_equal(consumed, strlen(r));
}

static void
test_mget_duplicate_keys(void **state)
{
    (void)state;
    struct bench_reply_expect exp = expect_get(K1 K1, 2);
    struct bench_reply rep;
    size_t consumed;
    const char *r = "VALUE " K1 " 0 1\r\na\r\nVALUE " K1 " 0 1\r\na\r\nEND\r\n";
    assert_int_equal(parse(&exp, r, &rep, &consumed), BENCH_REPLY_OK);
    assert_int_equal(rep.hit_count, 2);
}

/* A VALUE block split at every byte, including inside its data. */
static void
test_value_split_every_byte(void **state)
{
    (void)state;
    struct bench_reply_expect exp = expect_get(K1 K2, 2);
    struct bench_reply rep;
    check_every_split(&exp,
                      "VALUE " K1 " 0 10\r\n0123\r\n6789\r\nVALUE " K2
                      " 4294967295 2\r\nxy\r\nEND\r\n",
                      BENCH_REPLY_OK, &rep);
    assert_int_equal(rep.hit_count, 2);
}

/* Two replies back to back: only the first is consumed. */
static void
test_back_to_back(void **state)
{
    (void)state;
    struct bench_reply_expect exp = expect_get(K1, 1);
    struct bench_reply rep;
    size_t consumed;
    const char *first = "VALUE " K1 " 0 2\r\nok\r\nEND\r\n";
    char both[128];
    snprintf(both, sizeof(both), "%s%s", first, "END\r\n");
    assert_int_equal(parse(&exp, both, &rep, &consumed), BENCH_REPLY_OK);
    assert_int_equal(consumed, strlen(first));
    assert_int_equal(parse(&exp, both + consumed, &rep, &consumed),
                     BENCH_REPLY_OK);
    assert_int_equal(consumed, 5);
}

/* Replies that cannot belong to the request: the stream is broken. */
static void
test_get_mismatch(void **state)
{
    (void)state;
    struct bench_reply_expect exp = expect_get(K1 K2, 2);
    struct bench_reply rep;
    size_t consumed = 99;
    const char *broken[] = {
        "VALUE " K2 " 0 1\r\nb\r\nVALUE " K1 " 0 1\r\na\r\nEND\r\n",
        "VALUE " K3 " 0 1\r\nc\r\nEND\r\n",          /* not requested */
        "VALUE key:01 0 1\r\nc\r\nEND\r\n",         /* wrong length */
        "VALUE " K1 " 0 3\r\nabcd\r\nEND\r\n",      /* data longer */
        "VALUE " K1 " 0 3\r\nab\r\n\r\nEND\r\n",    /* data shorter */
        "VALUE " K1 " 0 3\r\nabcXYEND\r\n",        /* data not + CRLF */
        "VALUE " K1 " 0 65\r\n",                    /* above the max */
        "VALUE " K1 " 0 1 77\r\na\r\nEND\r\n",      /* a cas: not a get */
        "VALUE " K1 " x 1\r\na\r\nEND\r\n",         /* bad flags */
        "VALUE " K1 " 4294967296 1\r\na\r\nEND\r\n", /* flags > u32 */
        "VALUE " K1 "  0 1\r\na\r\nEND\r\n",        /* empty token */
        "VALUE " K1 " 0\r\n",                       /* missing bytes */
        "STORED\r\n",                               /* a set's reply */
        "END\n",                                    /* bare LF */
        "\r\n",
        "ERRORS\r\n",
        "VALUE " K1 " 0 1\r\na\r\nERROR\r\n",       /* error mid-reply */
    };
    for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
        enum bench_reply_status st = parse(&exp, broken[i], &rep, &consumed);
        if (st != BENCH_REPLY_BROKEN || consumed != 0) {
            fail_msg("case %zu gave %s", i, bench_reply_status_name(st));
        }
    }
    /* More VALUE blocks than keys, with the key check off. */
    exp.keys = NULL;
    exp.key_count = 1;
    assert_int_equal(parse(&exp,
                           "VALUE a 0 1\r\na\r\nVALUE b 0 1\r\nb\r\nEND\r\n",
                           &rep, &consumed),
                     BENCH_REPLY_BROKEN);
    assert_int_equal(parse(&exp, "VALUE a 0 1\r\na\r\nEND\r\n", &rep,
                           &consumed),
                     BENCH_REPLY_OK);
}

/* Error lines replace any reply and keep the stream in step. */
static void
test_error_lines(void **state)
{
    (void)state;
    const char *errors[] = {
        "ERROR\r\n",
        "ERROR Too many open connections\r\n",
        "CLIENT_ERROR bad data chunk\r\n",
        "SERVER_ERROR out of memory storing object\r\n",
    };
    const enum bench_reply_kind kinds[] = {
        BENCH_REPLY_GET, BENCH_REPLY_STORE, BENCH_REPLY_VERSION,
        BENCH_REPLY_STATS,
    };
    struct bench_reply rep;
    size_t consumed;
    for (size_t k = 0; k < 4; k++) {
        struct bench_reply_expect exp = kinds[k] == BENCH_REPLY_GET
                                            ? expect_get(K1, 1)
                                            : expect_kind(kinds[k]);
        for (size_t i = 0; i < 4; i++) {
            check_every_split(&exp, errors[i], BENCH_REPLY_SERVER_ERROR,
                              &rep);
        }
        assert_int_equal(parse(&exp, "ERROR\r\nEND\r\n", &rep, &consumed),
                         BENCH_REPLY_SERVER_ERROR);
        assert_int_equal(consumed, 7);
    }
}

static void
test_store(void **state)
{
    (void)state;
    struct bench_reply_expect exp = expect_kind(BENCH_REPLY_STORE);
    struct bench_reply rep;
    size_t consumed;
    check_every_split(&exp, "STORED\r\n", BENCH_REPLY_OK, &rep);
    check_every_split(&exp, "NOT_STORED\r\n", BENCH_REPLY_UNEXPECTED, &rep);
    assert_int_equal(parse(&exp, "EXISTS\r\n", &rep, &consumed),
                     BENCH_REPLY_UNEXPECTED);
    assert_int_equal(parse(&exp, "NOT_FOUND\r\n", &rep, &consumed),
                     BENCH_REPLY_UNEXPECTED);
    assert_int_equal(consumed, 11);
    const char *broken[] = {"STORED \r\n", "stored\r\n", "END\r\n",
                            "VALUE " K1 " 0 1\r\n", "STORED\n", "DELETED\r\n"};
    for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
        assert_int_equal(parse(&exp, broken[i], &rep, &consumed),
                         BENCH_REPLY_BROKEN);
        assert_int_equal(consumed, 0);
    }
    assert_int_equal(parse(&exp, "STORED\r\nSTORED\r\n", &rep, &consumed),
                     BENCH_REPLY_OK);
    assert_int_equal(consumed, 8);
}

static void
test_version(void **state)
{
    (void)state;
    struct bench_reply_expect exp = expect_kind(BENCH_REPLY_VERSION);
    struct bench_reply rep;
    size_t consumed;
    check_every_split(&exp, "VERSION 1.6.18\r\n", BENCH_REPLY_OK, &rep);
    assert_int_equal(parse(&exp, "VERSION\r\n", &rep, &consumed),
                     BENCH_REPLY_BROKEN);
    assert_int_equal(parse(&exp, "STORED\r\n", &rep, &consumed),
                     BENCH_REPLY_BROKEN);
}

/* An unterminated line waits up to the line bound, then is broken. */
static void
test_line_bound(void **state)
{
    (void)state;
    static char line[BENCH_REPLY_LINE_MAX + 8];
    memcpy(line, "VERSION ", 8);
    memset(line + 8, 'x', sizeof(line) - 8);
    struct bench_reply_expect exp = expect_kind(BENCH_REPLY_VERSION);
    struct bench_reply rep;
    size_t consumed;
    assert_int_equal(parse_n(&exp, line, BENCH_REPLY_LINE_MAX - 1, &rep,
                             &consumed),
                     BENCH_REPLY_AGAIN);
    assert_int_equal(parse_n(&exp, line, BENCH_REPLY_LINE_MAX, &rep,
                             &consumed),
                     BENCH_REPLY_BROKEN);
    /* The longest line allowed still parses. */
    line[BENCH_REPLY_LINE_MAX - 2] = '\r';
    line[BENCH_REPLY_LINE_MAX - 1] = '\n';
    assert_int_equal(parse_n(&exp, line, BENCH_REPLY_LINE_MAX, &rep,
                             &consumed),
                     BENCH_REPLY_OK);
    assert_int_equal(consumed, BENCH_REPLY_LINE_MAX);
}

static void
test_stats(void **state)
{
    (void)state;
    struct bench_reply_expect exp = expect_kind(BENCH_REPLY_STATS);
    struct bench_reply rep;
    const char *r = "STAT pid 42\r\nSTAT curr_items_x 7\r\nSTAT curr_items "
                    "1234\r\nSTAT version 1.6.18\r\nSTAT evictions 0\r\n"
                    "END\r\n";
    check_every_split(&exp, r, BENCH_REPLY_OK, &rep);
    const uint8_t *body = (const uint8_t *)r + rep.body_off;
    assert_int_equal(rep.body_len, strlen(r) - 5);
    uint64_t v = 99;
    assert_true(bench_reply_stat_u64(body, rep.body_len, "curr_items", &v));
    assert_int_equal(v, 1234);
    assert_true(bench_reply_stat_u64(body, rep.body_len, "evictions", &v));
    assert_int_equal(v, 0);
    assert_true(bench_reply_stat_u64(body, rep.body_len, "pid", &v));
    assert_int_equal(v, 42);
    assert_false(bench_reply_stat_u64(body, rep.body_len, "curr", &v));
    assert_false(bench_reply_stat_u64(body, rep.body_len, "version", &v));
    assert_false(bench_reply_stat_u64(body, rep.body_len, "total_items", &v));
    size_t consumed;
    assert_int_equal(parse(&exp, "END\r\n", &rep, &consumed), BENCH_REPLY_OK);
    assert_int_equal(rep.body_len, 0);
    assert_int_equal(parse(&exp, "STAT a 1\r\nVALUE x 0 1\r\n", &rep,
                           &consumed),
                     BENCH_REPLY_BROKEN);
    assert_int_equal(parse(&exp, "STAT a 1\r\nSERVER_ERROR x\r\n", &rep,
                           &consumed),
                     BENCH_REPLY_BROKEN);
}

static void
test_empty_input(void **state)
{
    (void)state;
    struct bench_reply_expect exp = expect_get(K1, 1);
    struct bench_reply rep;
    size_t consumed = 5;
    assert_int_equal(bench_reply_parse(&exp, NULL, 0, &rep, &consumed),
                     BENCH_REPLY_AGAIN);
    assert_int_equal(consumed, 0);
}

/* ---- meta ---------------------------------------------------------------- */

static struct bench_reply_expect
expect_meta(enum bench_reply_kind kind, const char *key, bool quiet,
            bool noop_after)
{
    return (struct bench_reply_expect){
        .kind = kind,
        .keys = (const uint8_t *)key,
        .key_len = KEY_LEN,
        .key_count = 1,
        .value_len_max = 64,
        .quiet = quiet,
        .noop_after = noop_after,
    };
}

/* Parses text whole; checks status, consumed bytes and hits. */
static void
check_meta(const struct bench_reply_expect *exp, const char *text,
           enum bench_reply_status want, size_t want_consumed,
           size_t want_hits)
{
    struct bench_reply rep;
    size_t consumed;
    enum bench_reply_status st = parse(exp, text, &rep, &consumed);
    if (st != want || consumed != want_consumed
        || rep.hit_count != want_hits) {
        fail_msg("'%s': got %s consumed %zu hits %zu, want %s %zu %zu", text,
                 bench_reply_status_name(st), consumed, rep.hit_count,
                 bench_reply_status_name(want), want_consumed, want_hits);
    }
}

static void
test_meta_get_loud(void **state)
{
    (void)state;
    struct bench_reply_expect exp =
        expect_meta(BENCH_REPLY_META_GET, K1, false, false);
    struct bench_reply rep;
    check_every_split(&exp, "VA 5\r\nhello\r\n", BENCH_REPLY_OK, &rep);
    assert_int_equal(rep.hit_count, 1);
    check_every_split(&exp, "VA 5 s5 f0 t-1 k" K1 "\r\nhe\r\nl\r\n",
                      BENCH_REPLY_OK, &rep);
    assert_int_equal(rep.hit_count, 1);
    check_every_split(&exp, "VA 0\r\n\r\n", BENCH_REPLY_OK, &rep);
    check_every_split(&exp, "EN\r\n", BENCH_REPLY_OK, &rep);
    assert_int_equal(rep.hit_count, 0);
    /* Only the first reply is consumed. */
    check_meta(&exp, "EN\r\nEN\r\n", BENCH_REPLY_OK, 4, 0);
    check_meta(&exp, "CLIENT_ERROR bad command line format\r\nEN\r\n",
               BENCH_REPLY_SERVER_ERROR, 38, 0);
    check_meta(&exp, "ERROR\r\n", BENCH_REPLY_SERVER_ERROR, 7, 0);
    /* What an mg with v cannot be answered with. */
    check_meta(&exp, "HD\r\n", BENCH_REPLY_BROKEN, 0, 0);
    check_meta(&exp, "MN\r\n", BENCH_REPLY_BROKEN, 0, 0);
    check_meta(&exp, "VALUE " K1 " 0 1\r\na\r\nEND\r\n", BENCH_REPLY_BROKEN,
               0, 0);
    check_meta(&exp, "VA 65\r\n", BENCH_REPLY_BROKEN, 0, 0); /* > max */
    check_meta(&exp, "VA x\r\n", BENCH_REPLY_BROKEN, 0, 0);
    check_meta(&exp, "VA \r\n", BENCH_REPLY_BROKEN, 0, 0);
    check_meta(&exp, "VA 1  f0\r\na\r\n", BENCH_REPLY_BROKEN, 0, 0);
    check_meta(&exp, "VA 1 \r\na\r\n", BENCH_REPLY_BROKEN, 0, 0);
    check_meta(&exp, "VA 1\r\nab\r\n", BENCH_REPLY_BROKEN, 0, 0);
}

static void
test_meta_set_loud(void **state)
{
    (void)state;
    struct bench_reply_expect exp =
        expect_meta(BENCH_REPLY_META_SET, K1, false, false);
    struct bench_reply rep;
    check_every_split(&exp, "HD\r\n", BENCH_REPLY_OK, &rep);
    check_meta(&exp, "NS\r\n", BENCH_REPLY_UNEXPECTED, 4, 0);
    check_meta(&exp, "EX\r\n", BENCH_REPLY_UNEXPECTED, 4, 0);
    check_meta(&exp, "NF\r\n", BENCH_REPLY_UNEXPECTED, 4, 0);
    check_meta(&exp, "SERVER_ERROR out of memory storing object\r\n",
               BENCH_REPLY_SERVER_ERROR, 43, 0);
    check_meta(&exp, "CLIENT_ERROR bad data chunk\r\n",
               BENCH_REPLY_SERVER_ERROR, 29, 0);
    check_meta(&exp, "STORED\r\n", BENCH_REPLY_BROKEN, 0, 0);
    check_meta(&exp, "VA 1\r\na\r\n", BENCH_REPLY_BROKEN, 0, 0);
    check_meta(&exp, "HD", BENCH_REPLY_AGAIN, 0, 0);
}

/*
 * A quiet mg owns a hit only with its own key in the k flag; anything it
 * cannot be answered with means it missed silently (nothing consumed).
 */
static void
test_meta_get_quiet(void **state)
{
    (void)state;
    struct bench_reply_expect exp =
        expect_meta(BENCH_REPLY_META_GET, K1, true, false);
    struct bench_reply rep;
    check_every_split(&exp, "VA 5 k" K1 "\r\nhello\r\n", BENCH_REPLY_OK,
                      &rep);
    assert_int_equal(rep.hit_count, 1);
    check_meta(&exp, "VA 5 f0 k" K1 " s5\r\nhello\r\nMN\r\n", BENCH_REPLY_OK,
               strlen("VA 5 f0 k" K1 " s5\r\nhello\r\n"), 1);
    /* A later request's hit, a set's failure, the batch's end: missed. */
    check_meta(&exp, "VA 5 k" K2 "\r\nhello\r\n", BENCH_REPLY_OK, 0, 0);
    check_meta(&exp, "VA 5\r\nhello\r\n", BENCH_REPLY_OK, 0, 0);
    check_meta(&exp, "NS\r\n", BENCH_REPLY_OK, 0, 0);
    check_meta(&exp, "MN\r\n", BENCH_REPLY_OK, 0, 0);
    /* Undecided until the head line is whole. */
    check_meta(&exp, "", BENCH_REPLY_AGAIN, 0, 0);
    check_meta(&exp, "MN\r", BENCH_REPLY_AGAIN, 0, 0);
    check_meta(&exp, "VA 5 k" K1 "\r\nhel", BENCH_REPLY_AGAIN, 0, 0);
    /* Errors are always sent: claimed by the oldest quiet request. */
    check_meta(&exp, "CLIENT_ERROR bad command line format\r\nMN\r\n",
               BENCH_REPLY_SERVER_ERROR, 38, 0);
    /* A server that does not hide the miss: still a miss. */
    check_meta(&exp, "EN\r\n", BENCH_REPLY_OK, 4, 0);
}

static void
test_meta_set_quiet(void **state)
{
    (void)state;
    struct bench_reply_expect exp =
        expect_meta(BENCH_REPLY_META_SET, K1, true, false);
    check_meta(&exp, "NS\r\n", BENCH_REPLY_UNEXPECTED, 4, 0);
    check_meta(&exp, "MN\r\n", BENCH_REPLY_OK, 0, 0);
    check_meta(&exp, "VA 5 k" K1 "\r\nhello\r\n", BENCH_REPLY_OK, 0, 0);
    check_meta(&exp, "HD\r\n", BENCH_REPLY_OK, 4, 0); /* q not honoured */
}

/* The last request of a batch also takes the MN of the mn after it. */
static void
test_meta_noop_after(void **state)
{
    (void)state;
    struct bench_reply_expect get =
        expect_meta(BENCH_REPLY_META_GET, K1, true, true);
    struct bench_reply rep;
    check_every_split(&get, "MN\r\n", BENCH_REPLY_OK, &rep);
    assert_int_equal(rep.hit_count, 0);
    check_every_split(&get, "VA 2 k" K1 "\r\nab\r\nMN\r\n", BENCH_REPLY_OK,
                      &rep);
    assert_int_equal(rep.hit_count, 1);
    /* After the last request of the batch only MN may come. */
    check_meta(&get, "VA 2 k" K2 "\r\nab\r\nMN\r\n", BENCH_REPLY_BROKEN, 0,
               0);
    check_meta(&get, "VA 2 k" K1 "\r\nab\r\nEN\r\n", BENCH_REPLY_BROKEN, 0,
               0);
    check_meta(&get, "VA 2 k" K1 "\r\nab\r\n", BENCH_REPLY_AGAIN, 0, 0);
    struct bench_reply_expect set =
        expect_meta(BENCH_REPLY_META_SET, K1, true, true);
    check_meta(&set, "NS\r\nMN\r\n", BENCH_REPLY_UNEXPECTED, 8, 0);
    check_meta(&set, "MN\r\n", BENCH_REPLY_OK, 4, 0);
    check_meta(&set, "NS\r\n", BENCH_REPLY_AGAIN, 0, 0);
    /* A server without meta: its ERROR for mn is not an MN. */
    check_meta(&set, "ERROR\r\nERROR\r\n", BENCH_REPLY_BROKEN, 0, 0);
}

static void
test_meta_noop(void **state)
{
    (void)state;
    struct bench_reply_expect exp = expect_kind(BENCH_REPLY_META_NOOP);
    struct bench_reply rep;
    check_every_split(&exp, "MN\r\n", BENCH_REPLY_OK, &rep);
    check_meta(&exp, "ERROR\r\n", BENCH_REPLY_SERVER_ERROR, 7, 0);
    check_meta(&exp, "HD\r\n", BENCH_REPLY_BROKEN, 0, 0);
    check_meta(&exp, "VERSION 1.6.18\r\n", BENCH_REPLY_BROKEN, 0, 0);
}

/*
 * A whole quiet batch as the driver parses it, oldest request first:
 * mg K1, ms K2, mg K3 (+ mn). Hits and failures land on their requests.
 */
static void
test_meta_batch(void **state)
{
    (void)state;
    struct bench_reply_expect exps[3] = {
        expect_meta(BENCH_REPLY_META_GET, K1, true, false),
        expect_meta(BENCH_REPLY_META_SET, K2, true, false),
        expect_meta(BENCH_REPLY_META_GET, K3, true, true),
    };
    struct {
        const char *stream;
        enum bench_reply_status st[3];
        size_t hits[3];
    } cases[] = {
        {"MN\r\n",
         {BENCH_REPLY_OK, BENCH_REPLY_OK, BENCH_REPLY_OK},
         {0, 0, 0}},
        {"VA 1 k" K3 "\r\nc\r\nMN\r\n",
         {BENCH_REPLY_OK, BENCH_REPLY_OK, BENCH_REPLY_OK},
         {0, 0, 1}},
        {"VA 1 k" K1 "\r\na\r\nNS\r\nVA 1 k" K3 "\r\nc\r\nMN\r\n",
         {BENCH_REPLY_OK, BENCH_REPLY_UNEXPECTED, BENCH_REPLY_OK},
         {1, 0, 1}},
        {"NS\r\nMN\r\n",
         {BENCH_REPLY_OK, BENCH_REPLY_UNEXPECTED, BENCH_REPLY_OK},
         {0, 0, 0}},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct guarded g = guard(cases[c].stream, strlen(cases[c].stream));
        size_t off = 0;
        for (size_t i = 0; i < 3; i++) {
            struct bench_reply rep;
            size_t used;
            enum bench_reply_status st = bench_reply_parse(
                &exps[i], g.data + off, g.len - off, &rep, &used);
            if (st != cases[c].st[i] || rep.hit_count != cases[c].hits[i]) {
                fail_msg("case %zu request %zu: %s with %zu hits", c, i,
                         bench_reply_status_name(st), rep.hit_count);
            }
            off += used;
        }
        assert_int_equal(off, g.len);
        unguard(&g);
    }
}

/* --protocol binary: one response packet per request, split anywhere. */
static void
test_binary_replies(void **state)
{
    (void)state;
    static const uint8_t hit[] = {
        0x81, 0x00, 0, 0, 4, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0,
        0,    0,    0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 'v', 'a', 'l'};
    static const uint8_t miss[] = {
        0x81, 0x00, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0,
        0,    0,    0, 0, 0, 0, 0, 0, 'N', 'o', 't', ' ', 'f', 'o', 'u', 'n', 'd'};
    static const uint8_t stored[24] = {0x81, 0x01};
    static const uint8_t exists[] = {
        0x81, 0x01, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0,
        0,    0,    0, 0, 0, 0, 0, 0, 'x'};
    static const uint8_t wrong_op[24] = {0x81, 0x0a};
    struct bench_reply_expect get = {.kind = BENCH_REPLY_BIN_GET,
                                     .value_len_max = 1024};
    struct bench_reply_expect set = {.kind = BENCH_REPLY_BIN_SET,
                                     .value_len_max = 1024};
    struct bench_reply out;
    size_t used;
    for (size_t cut = 0; cut <= sizeof hit; cut++) {
        struct guarded g = guard(hit, cut);
        enum bench_reply_status st =
            bench_reply_parse(&get, g.data, g.len, &out, &used);
        if (cut < sizeof hit) {
            assert_int_equal(st, BENCH_REPLY_AGAIN);
            assert_int_equal(used, 0);
        } else {
            assert_int_equal(st, BENCH_REPLY_OK);
            assert_int_equal(used, sizeof hit);
            assert_int_equal(out.hit_count, 1);
        }
        unguard(&g);
    }
    struct guarded g = guard(miss, sizeof miss);
    assert_int_equal(bench_reply_parse(&get, g.data, g.len, &out, &used),
                     BENCH_REPLY_OK);
    assert_int_equal(out.hit_count, 0);
    assert_int_equal(used, sizeof miss);
    unguard(&g);
    g = guard(stored, sizeof stored);
    assert_int_equal(bench_reply_parse(&set, g.data, g.len, &out, &used),
                     BENCH_REPLY_OK);
    unguard(&g);
    g = guard(exists, sizeof exists);
    assert_int_equal(bench_reply_parse(&set, g.data, g.len, &out, &used),
                     BENCH_REPLY_UNEXPECTED);
    assert_int_equal(used, sizeof exists);
    unguard(&g);
    g = guard(wrong_op, sizeof wrong_op);
    assert_int_equal(bench_reply_parse(&set, g.data, g.len, &out, &used),
                     BENCH_REPLY_BROKEN);
    unguard(&g);
    g = guard("END\r\n", 5);
    assert_int_equal(bench_reply_parse(&get, g.data, g.len, &out, &used),
                     BENCH_REPLY_BROKEN);
    unguard(&g);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_hit),
        cmocka_unit_test(test_get_miss),
        cmocka_unit_test(test_mget_partial_hits),
        cmocka_unit_test(test_mget_duplicate_keys),
        cmocka_unit_test(test_value_split_every_byte),
        cmocka_unit_test(test_back_to_back),
        cmocka_unit_test(test_get_mismatch),
        cmocka_unit_test(test_error_lines),
        cmocka_unit_test(test_store),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_line_bound),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_meta_get_loud),
        cmocka_unit_test(test_meta_set_loud),
        cmocka_unit_test(test_meta_get_quiet),
        cmocka_unit_test(test_meta_set_quiet),
        cmocka_unit_test(test_meta_noop_after),
        cmocka_unit_test(test_meta_noop),
        cmocka_unit_test(test_meta_batch),
        cmocka_unit_test(test_binary_replies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
