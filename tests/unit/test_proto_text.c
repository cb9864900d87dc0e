/* test_proto_text.c - the text protocol parser and composer, clause by clause. */
#include "clause.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/proto/text.h"

/* ---- driver -------------------------------------------------------------- */

#define MAX_REQS 16

struct parsed {
    struct request req[MAX_REQS];
    size_t start[MAX_REQS]; /* offset of each request in the input */
    size_t count;
    bool closed;
    size_t left;            /* bytes left unconsumed at the end */
    size_t needed;          /* the last *needed hint */
};

/*
 * Parses all of input (len bytes, copied to an exact-size heap block so ASan
 * sees any read past its end), as a connection would.
 */
static struct parsed
parse_all(const void *input, size_t len, uint32_t value_max)
{
    uint8_t *data = malloc(len == 0 ? 1 : len);
    assert_non_null(data);
    memcpy(data, input, len);
    struct proto_text_parser p;
    proto_text_init(&p, value_max);
    struct parsed out = {0};
    size_t at = 0;
    for (;;) {
        size_t consumed;
        size_t needed;
        struct request req;
        enum proto_status st =
            proto_text_parse(&p, data + at, len - at, &req, &consumed, &needed);
        assert_true(consumed <= len - at);
        if (st == PROTO_CLOSE) {
            out.closed = true;
            break;
        }
        if (st == PROTO_INCOMPLETE) {
            at += consumed;
            out.needed = needed;
            if (consumed == 0) {
                break;
            }
            continue;
        }
        assert_true(consumed > 0);
        assert_true(out.count < MAX_REQS);
        out.start[out.count] = at;
        out.req[out.count++] = req;
        at += consumed;
    }
    out.left = len - at;
    free(data);
    return out;
}

static struct parsed
parse_str(const char *s)
{
    return parse_all(s, strlen(s), 1024 * 1024);
}

static void
assert_slice(const char *input, const struct parsed *p, size_t i,
             struct slice s, const char *want)
{
    assert_int_equal(s.len, strlen(want));
    assert_memory_equal(input + p->start[i] + s.off, want, s.len);
}

/* ---- framing -------------------------------------------------------------- */

static void
test_line_terminators(void **state)
{
    (void)state;
    const char *in = "get foo\nget bar\r\nget baz\r\r\n";
    struct parsed p = parse_str(in);
    assert_int_equal(p.count, 3);
    assert_int_equal(p.req[0].cmd, REQ_GET);
    assert_slice(in, &p, 0, p.req[0].keys, "foo");
    assert_slice(in, &p, 1, p.req[1].keys, "bar");
    assert_slice(in, &p, 2, p.req[2].keys, "baz\r"); /* one \r removed */
    assert_int_equal(p.left, 0);
}

static void
test_tokens_spaces_only(void **state)
{
    (void)state;
    const char *in = "   get    a\tb   c  \r\n";
    struct parsed p = parse_str(in);
    assert_int_equal(p.count, 1);
    assert_int_equal(p.req[0].key_count, 2);
    struct slice rest = p.req[0].keys;
    struct slice key;
    const uint8_t *base = (const uint8_t *)in + p.start[0];
    assert_true(proto_text_next_key(base, &rest, &key));
    assert_slice(in, &p, 0, key, "a\tb");
    assert_true(proto_text_next_key(base, &rest, &key));
    assert_slice(in, &p, 0, key, "c");
    assert_false(proto_text_next_key(base, &rest, &key));
}

static void
test_nul_ends_line(void **state)
{
    (void)state;
    const char in[] = "get foo\0bar\r\nversion\r\n";
    struct parsed p = parse_all(in, sizeof in - 1, 1024);
    assert_int_equal(p.count, 2);
    assert_int_equal(p.req[0].key_count, 1);
    assert_slice(in, &p, 0, p.req[0].keys, "foo");
    assert_int_equal(p.req[1].cmd, REQ_VERSION);
}

static void
test_line_limit(void **state)
{
    (void)state;
    char buf[4200];
    /* 2048 bytes with no newline: wait. */
    memset(buf, ' ', 2048);
    struct parsed p = parse_all(buf, 2048, 1024);
    assert_false(p.closed);
    assert_int_equal(p.left, 2048);
    /* ... and a \r after them may still be the terminator. */
    buf[2048] = '\r';
    p = parse_all(buf, 2049, 1024);
    assert_false(p.closed);
    /* 2048 bytes then \r\n: a line of spaces, answered ERROR. */
    memcpy(buf + 2048, "\r\n", 2);
    p = parse_all(buf, 2050, 1024);
    assert_int_equal(p.count, 1);
    assert_int_equal(p.req[0].error, REQERR_UNKNOWN);
    /* 2049 bytes of content: closed, with or without the newline. */
    memset(buf, 'a', 2049);
    p = parse_all(buf, 2049, 1024);
    assert_true(p.closed);
    memcpy(buf + 2049, "\r\n", 2);
    p = parse_all(buf, 2051, 1024);
    assert_true(p.closed);
    /* A set line of 3000 bytes is closed even when whole. */
    memset(buf, ' ', 3000);
    memcpy(buf, "set k 0 0 1", 11);
    memcpy(buf + 3000, "\r\nx\r\n", 5);
    p = parse_all(buf, 3005, 1024);
    assert_true(p.closed);
}

static void
test_get_line_limit(void **state)
{
    (void)state;
    /* 20,000 keys, well past 2048 bytes, is one get. */
    size_t cap = 4 + 20000 * 7 + 2;
    char *in = malloc(cap);
    assert_non_null(in);
    size_t n = (size_t)sprintf(in, "get");
    for (int i = 0; i < 20000; i++) {
        n += (size_t)sprintf(in + n, " k%05d", i);
    }
    memcpy(in + n, "\r\n", 2);
    n += 2;
    struct parsed p = parse_all(in, n, 1024);
    assert_int_equal(p.count, 1);
    assert_int_equal(p.req[0].key_count, 20000);
    /* Without its newline it waits rather than closing. */
    p = parse_all(in, n - 2, 1024);
    assert_false(p.closed);
    assert_int_equal(p.count, 0);
    free(in);
    /* Over LIMIT_GET_LINE_LEN it is closed. */
    size_t big = (4u << 20) + 10;
    in = malloc(big);
    assert_non_null(in);
    memset(in, 'k', big);
    memcpy(in, "get ", 4);
    p = parse_all(in, big, 1024);
    assert_true(p.closed);
    free(in);
}

/* A fuzz finding (regress-get-after-2kib-spaces-closes-when-split, kept in
 * fuzz/regress): whether a long line is a get is decided on its first 2049
 * bytes, so whole or split it parses the same. */
static void
test_get_line_window(void **state)
{
    (void)state;
    char in[2200];
    size_t spaces = 2044; /* "get " ends at byte 2048: a get line */
    memset(in, ' ', spaces);
    size_t n = spaces + (size_t)sprintf(in + spaces, "get k%s\r\n",
                                         "                    ");
    assert_true(n > 2051);
    struct parsed whole = parse_all(in, n, 1024);
    assert_false(whole.closed);
    assert_int_equal(whole.req[0].cmd, REQ_GET);
    struct proto_text_parser p;
    proto_text_init(&p, 1024);
    struct request req;
    size_t consumed;
    size_t needed;
    /* The first 2050 bytes, then all of it: the same request. */
    assert_int_equal(proto_text_parse(&p, (const uint8_t *)in, 2050, &req,
                                      &consumed, &needed),
                     PROTO_INCOMPLETE);
    assert_int_equal(proto_text_parse(&p, (const uint8_t *)in, n, &req,
                                      &consumed, &needed),
                     PROTO_REQUEST);
    assert_int_equal(req.cmd, REQ_GET);
    /* The window's edge, for get and gets: the space after the name is the
     * 2049th byte (a get line), or the 2050th (not one: closed). */
    static const char *const names[] = {"get", "gets"};
    for (size_t k = 0; k < 2; k++) {
        size_t name_len = strlen(names[k]);
        for (size_t lead = 2048 - name_len; lead <= 2049 - name_len; lead++) {
            char line[2400];
            memset(line, ' ', lead);
            size_t m = lead + (size_t)sprintf(line + lead, "%s k", names[k]);
            memset(line + m, 'k', 200); /* a long key: past 2048 bytes */
            memcpy(line + m + 200, "\r\n", 2);
            struct parsed q = parse_all(line, m + 202, 1024);
            bool get_line = lead + name_len == 2048;
            assert_int_equal(q.closed, !get_line);
            if (get_line) {
                assert_int_equal(q.req[0].cmd, k == 0 ? REQ_GET : REQ_GETS);
            }
        }
    }
    /* A name that only starts like get or gets is no get. */
    static const char *const near[] = {"getx ", "getsx "};
    for (size_t k = 0; k < 2; k++) {
        char other[2200];
        n = (size_t)sprintf(other, "%s", near[k]);
        memset(other + n, 'k', 2100);
        memcpy(other + n + 2100, "\r\n", 2);
        assert_true(parse_all(other, n + 2102, 1024).closed);
    }
    /* 2100 spaces first: not a get within the window, closed either way. */
    memset(in, ' ', 2100);
    n = 2100 + (size_t)sprintf(in + 2100, "get k\r\n");
    assert_true(parse_all(in, n, 1024).closed);
    assert_true(parse_all(in, 2050, 1024).closed);
}

static void
test_empty_lines(void **state)
{
    (void)state;
    struct parsed p = parse_str("\r\n\n   \r\n");
    assert_int_equal(p.count, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(p.req[i].cmd, REQ_INVALID);
        assert_int_equal(p.req[i].error, REQERR_UNKNOWN);
    }
}

static void
test_unknown_and_case(void **state)
{
    (void)state;
    struct parsed p = parse_str("GET foo\r\nxyzzy\r\nStats\r\nmz foo\r\n");
    assert_int_equal(p.count, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(p.req[i].error, REQERR_UNKNOWN);
    }
}

static void
test_http_guard(void **state)
{
    (void)state;
    assert_true(parse_str("GET / HTTP/1.1\r\nHost: x\r\n").closed);
    assert_true(parse_str("PUT /x HTTP/1.0\r\n").closed);
    assert_true(parse_str("foo bar HTTP/1.0\r\n").closed);
    /* Letter branches and known names answer ERROR instead. */
    struct parsed p = parse_str("gx / HTTP/1.1\r\nwatch HTTP/1.1\r\n"
                                "mg HTTP/1.1\r\n");
    assert_false(p.closed);
    assert_int_equal(p.count, 3);
    /* The names outside the letter branches that [frame.http] lists are
     * known, so they never close. */
    static const char *const known[] = {
        "replace", "prepend", "bget", "flush_all", "version", "verbosity",
        "lru", "lru_crawler", "watch", "extstore", "refresh_certs",
        "cache_memlimit", "slabs"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        char line[64];
        snprintf(line, sizeof line, "%s HTTP/1.1\r\n", known[i]);
        p = parse_str(line);
        assert_false(p.closed);
        assert_int_equal(p.count, 1);
    }
    /* [frame.short-command]: a one-byte name is ERROR, never an HTTP close. */
    p = parse_str("X HTTP/1.1\r\n");
    assert_false(p.closed);
    assert_int_equal(p.req[0].error, REQERR_UNKNOWN);
    /* "HTTP/" alone is an HTTP version too. */
    assert_true(parse_str("foo HTTP/\r\n").closed);
    /* Only the last token counts. */
    p = parse_str("foo HTTP/1.1 x\r\n");
    assert_false(p.closed);
    assert_int_equal(p.req[0].error, REQERR_UNKNOWN);
    /* [cmd.token-count]: 23 tokens are examined; with more, the 23rd is
     * the last one that counts. */
    char line[256] = "foo";
    for (int i = 2; i <= 22; i++) {
        strcat(line, " t");
    }
    char closes[300];
    snprintf(closes, sizeof closes, "%s HTTP/1.1 x y\r\n", line);
    assert_true(parse_str(closes).closed);
    char stays[300];
    snprintf(stays, sizeof stays, "%s x HTTP/1.1\r\n", line);
    p = parse_str(stays);
    assert_false(p.closed);
    assert_int_equal(p.req[0].error, REQERR_UNKNOWN);
    snprintf(stays, sizeof stays, "%s HTTP/1.1\r\n", line);
    assert_true(parse_str(stays).closed); /* exactly 23: the last */
}

static void
test_short_command(void **state)
{
    (void)state;
    struct parsed p = parse_str("m\r\ng\r\n");
    assert_int_equal(p.count, 2);
    assert_int_equal(p.req[0].error, REQERR_UNKNOWN);
}

/* ---- command shape -------------------------------------------------------- */

static void
test_token_count_data_not_read(void **state)
{
    (void)state;
    const char *in = "set k 0 0\r\nabc\r\nincr a 1 2 3\r\nget\r\n";
    struct parsed p = parse_str(in);
    assert_int_equal(p.count, 4);
    assert_int_equal(p.req[0].error, REQERR_UNKNOWN);
    assert_int_equal(p.req[1].error, REQERR_UNKNOWN); /* "abc" is a line */
    assert_int_equal(p.req[2].error, REQERR_UNKNOWN);
    assert_int_equal(p.req[3].error, REQERR_UNKNOWN);
}

static void
test_noreply_last_token_only(void **state)
{
    (void)state;
    struct parsed p = parse_str("set k 0 0 1 noreply\r\nx\r\n"
                                "set k 0 0 1 NOREPLY\r\nx\r\n"
                                "set k 0 0 1 norepl\r\nx\r\n"
                                "get noreply\r\n");
    assert_int_equal(p.count, 4);
    assert_true(p.req[0].noreply);
    assert_false(p.req[1].noreply);
    assert_int_equal(p.req[1].error, REQERR_NONE);
    assert_false(p.req[2].noreply); /* [cmd.extra-token]: ignored */
    assert_int_equal(p.req[2].error, REQERR_NONE);
    assert_false(p.req[3].noreply);
    assert_int_equal(p.req[3].key_count, 1);
}

/* ---- numbers -------------------------------------------------------------- */

static void
test_truncate32(void **state)
{
    (void)state;
    struct parsed p = parse_str("set k 4294967296 4294967295 4294967297\r\n"
                                "x\r\n"
                                "set k 4294967297 4294967296 +1\r\ny\r\n");
    assert_int_equal(p.count, 2);
    assert_int_equal(p.req[0].flags, 0);
    assert_int_equal(p.req[0].exptime, -1);
    assert_int_equal(p.req[0].value_len, 1);
    assert_int_equal(p.req[1].flags, 1);
    assert_int_equal(p.req[1].exptime, 0);
}

static void
test_storage_bad_numbers(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "set k abc 0 1\r\n",        "set k -1 0 1\r\n",
        "set k 0 x 1\r\n",          "set k 0 0 -1\r\n",
        "set k 0 0 4294967295\r\n", "set k 0 0 2147483646\r\n",
        "set k 0 0 0x10\r\n",       "cas k 0 0 1 -1\r\n",
        "cas k 0 0 1 abc\r\n",      "set k 18446744073709551616 0 1\r\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct parsed p = parse_str(lines[i]);
        assert_int_equal(p.count, 1);
        assert_int_equal(p.req[0].error, REQERR_FORMAT);
        assert_int_equal(p.left, 0); /* no data block was read */
    }
    /* 2147483645 is still a length (too large for the value limit). */
    struct parsed p = parse_str("set k 0 0 2147483645\r\n");
    assert_int_equal(p.req[0].error, REQERR_TOO_LARGE);
}

/* ---- keys ----------------------------------------------------------------- */

static void
test_key_length(void **state)
{
    (void)state;
    char in[600];
    memset(in, 'a', sizeof in);
    memcpy(in, "get ", 4);
    memcpy(in + 4 + 250, "\r\n", 2);
    struct parsed p = parse_all(in, 4 + 250 + 2, 1024);
    assert_int_equal(p.req[0].bad_key_index, 1); /* == key_count: fine */
    memcpy(in, "get x ", 6);
    memset(in + 6, 'a', 251);
    memcpy(in + 6 + 251, " y\r\n", 4);
    p = parse_all(in, 6 + 251 + 4, 1024);
    assert_int_equal(p.req[0].key_count, 3);
    assert_int_equal(p.req[0].bad_key_index, 1);
    memcpy(in, "set ", 4);
    memset(in + 4, 'a', 251);
    memcpy(in + 4 + 251, " 0 0 1\r\nx\r\n", 11);
    p = parse_all(in, 4 + 251 + 11, 1024);
    assert_int_equal(p.count, 2); /* the data line is parsed as a command */
    assert_int_equal(p.req[0].error, REQERR_FORMAT);
    assert_int_equal(p.req[1].error, REQERR_UNKNOWN);
    /* 250 bytes is a key, 251 is not, for every command that takes one. */
    static const char *const heads[] = {"set ", "delete ", "incr ", "touch "};
    static const char *const tails[] = {" 0 0 1\r\nx\r\n", "\r\n", " 1\r\n",
                                        " 1\r\n"};
    for (size_t f = 0; f < 4; f++) {
        for (size_t len = 250; len <= 251; len++) {
            char key[252];
            memset(key, 'k', len);
            key[len] = '\0';
            char line[300];
            snprintf(line, sizeof line, "%s%s%s", heads[f], key, tails[f]);
            p = parse_str(line);
            assert_int_equal(p.req[0].error,
                             len == 250 ? REQERR_NONE : REQERR_FORMAT);
        }
    }
}

static void
test_key_bytes(void **state)
{
    (void)state;
    const char *in = "set a\x01\x7f\xff 0 0 1\r\nx\r\n";
    struct parsed p = parse_str(in);
    assert_int_equal(p.req[0].error, REQERR_NONE);
    assert_slice(in, &p, 0, p.req[0].key, "a\x01\x7f\xff");
}

/* ---- storage -------------------------------------------------------------- */

static void
test_storage_commands(void **state)
{
    (void)state;
    const char *in = "set a 1 2 3\r\nabc\r\nadd b 0 0 0\r\n\r\n"
                     "replace c 0 0 1\r\nx\r\nappend d 0 0 1\r\nx\r\n"
                     "prepend e 0 0 1\r\nx\r\ncas f 7 8 2 99 noreply\r\nhi\r\n";
    struct parsed p = parse_str(in);
    assert_int_equal(p.count, 6);
    static const enum request_cmd cmds[] = {REQ_SET,    REQ_ADD,     REQ_REPLACE,
                                            REQ_APPEND, REQ_PREPEND, REQ_CAS};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(p.req[i].cmd, cmds[i]);
        assert_int_equal(p.req[i].error, REQERR_NONE);
    }
    assert_slice(in, &p, 0, p.req[0].value, "abc");
    assert_int_equal(p.req[0].flags, 1);
    assert_int_equal(p.req[0].exptime, 2);
    assert_int_equal(p.req[1].value.len, 0);
    assert_int_equal(p.req[5].cas_unique, 99);
    assert_true(p.req[5].noreply);
    assert_slice(in, &p, 5, p.req[5].value, "hi");
}

static void
test_wait_data(void **state)
{
    (void)state;
    struct parsed p = parse_str("set k 0 0 10\r\n01234");
    assert_int_equal(p.count, 0);
    assert_int_equal(p.left, 19);
    assert_int_equal(p.needed, 14 + 10 + 2);
}

static void
test_bad_chunk_resync_by_length(void **state)
{
    (void)state;
    struct parsed p = parse_str("set foo 0 0 1\r\nold\r\n");
    assert_int_equal(p.count, 2);
    assert_int_equal(p.req[0].cmd, REQ_SET);
    assert_int_equal(p.req[0].error, REQERR_BAD_CHUNK);
    assert_int_equal(p.req[1].error, REQERR_UNKNOWN); /* the leftover "\r\n" */
    p = parse_str("set foo 0 0 3\r\nabcXYget foo\r\n");
    assert_int_equal(p.count, 2);
    assert_int_equal(p.req[0].error, REQERR_BAD_CHUNK);
    assert_int_equal(p.req[1].cmd, REQ_GET);
    p = parse_str("set foo 0 0 3\r\nabc\nget foo\r\n");
    assert_int_equal(p.req[0].error, REQERR_BAD_CHUNK);
    assert_int_equal(p.req[1].error, REQERR_UNKNOWN); /* "et foo" */
    /* Either byte of the "\r\n" wrong is a bad chunk (the other right). */
    p = parse_str("set foo 0 0 3\r\nabc\rXget foo\r\n");
    assert_int_equal(p.count, 2);
    assert_int_equal(p.req[0].error, REQERR_BAD_CHUNK);
    assert_int_equal(p.req[1].cmd, REQ_GET);
    p = parse_str("set foo 0 0 3\r\nabcX\nget foo\r\n");
    assert_int_equal(p.count, 2);
    assert_int_equal(p.req[0].error, REQERR_BAD_CHUNK);
    assert_int_equal(p.req[1].cmd, REQ_GET);
}

static void
test_too_large_swallows(void **state)
{
    (void)state;
    char in[200];
    int n = sprintf(in, "set k 0 0 100\r\n");
    memset(in + n, 'v', 102);
    n += 102;
    n += sprintf(in + n, "get k\r\n");
    struct parsed p = parse_all(in, (size_t)n, 99);
    assert_int_equal(p.count, 2);
    assert_int_equal(p.req[0].cmd, REQ_SET);
    assert_int_equal(p.req[0].error, REQERR_TOO_LARGE);
    assert_int_equal(p.req[0].value_len, 100);
    assert_int_equal(p.req[1].cmd, REQ_GET);
    /* The swallowed bytes are dropped however they arrive. */
    p = parse_all(in, 20, 99);
    assert_int_equal(p.count, 1);
    assert_int_equal(p.left, 0);
}

/* ---- retrieval -------------------------------------------------------------- */

static void
test_retrieval_shapes(void **state)
{
    (void)state;
    const char *in = "get a b a\r\ngets x\r\ngat 100 k1 k2\r\ngats -1 k\r\n"
                     "bget z\r\ngat 100\r\ngat newk\r\ngat\r\nget\r\n";
    struct parsed p = parse_str(in);
    assert_int_equal(p.count, 9);
    assert_int_equal(p.req[0].key_count, 3);
    assert_int_equal(p.req[1].cmd, REQ_GETS);
    assert_int_equal(p.req[2].cmd, REQ_GAT);
    assert_int_equal(p.req[2].exptime, 100);
    assert_int_equal(p.req[2].key_count, 2);
    assert_int_equal(p.req[3].cmd, REQ_GATS);
    assert_int_equal(p.req[3].exptime, -1);
    assert_int_equal(p.req[4].cmd, REQ_GET);
    assert_int_equal(p.req[5].key_count, 0);             /* END */
    assert_int_equal(p.req[5].error, REQERR_NONE);
    assert_int_equal(p.req[6].error, REQERR_EXPTIME);    /* [get.gat-exptime] */
    assert_int_equal(p.req[7].error, REQERR_UNKNOWN);    /* [get.no-key] */
    assert_int_equal(p.req[8].error, REQERR_UNKNOWN);
}

static void
test_many_keys_past_token_window(void **state)
{
    (void)state;
    char in[400];
    size_t n = (size_t)sprintf(in, "gat 5");
    for (int i = 0; i < 40; i++) {
        n += (size_t)sprintf(in + n, " k%d", i);
    }
    memcpy(in + n, "\r\n", 2);
    struct parsed p = parse_all(in, n + 2, 1024);
    assert_int_equal(p.req[0].key_count, 40);
}

/* ---- other commands ------------------------------------------------------- */

static void
test_delete_forms(void **state)
{
    (void)state;
    struct parsed p = parse_str("delete k\r\ndelete k 0\r\ndelete k noreply\r\n"
                                "delete k 0 noreply\r\ndelete k 1\r\n"
                                "delete k 0 0\r\ndelete k 1 noreply\r\n"
                                "delete\r\ndelete a b c d\r\n");
    assert_int_equal(p.count, 9);
    assert_int_equal(p.req[0].error, REQERR_NONE);
    assert_int_equal(p.req[1].error, REQERR_NONE);
    assert_true(p.req[2].noreply);
    assert_int_equal(p.req[2].error, REQERR_NONE);
    assert_true(p.req[3].noreply);
    assert_int_equal(p.req[3].error, REQERR_NONE);
    assert_int_equal(p.req[4].error, REQERR_DELETE_USAGE);
    assert_int_equal(p.req[5].error, REQERR_DELETE_USAGE);
    assert_int_equal(p.req[6].error, REQERR_DELETE_USAGE);
    assert_true(p.req[6].noreply); /* so its error is silent */
    assert_int_equal(p.req[7].error, REQERR_UNKNOWN);
    assert_int_equal(p.req[8].error, REQERR_UNKNOWN);
}

static void
test_arith_forms(void **state)
{
    (void)state;
    struct parsed p = parse_str("incr k 5\r\ndecr k +3 noreply\r\nincr k -1\r\n"
                                "incr k 18446744073709551616\r\nincr k 1 xyz\r\n"
                                "incr k\r\n");
    assert_int_equal(p.count, 6);
    assert_int_equal(p.req[0].cmd, REQ_INCR);
    assert_int_equal(p.req[0].delta, 5);
    assert_int_equal(p.req[1].cmd, REQ_DECR);
    assert_true(p.req[1].noreply);
    assert_int_equal(p.req[2].error, REQERR_DELTA);
    assert_int_equal(p.req[3].error, REQERR_DELTA);
    assert_int_equal(p.req[4].error, REQERR_NONE);
    assert_int_equal(p.req[5].error, REQERR_UNKNOWN);
}

static void
test_touch_forms(void **state)
{
    (void)state;
    struct parsed p = parse_str("touch k 10\r\ntouch k abc\r\ntouch k\r\n"
                                "touch k 10 xyz\r\n");
    assert_int_equal(p.req[0].exptime, 10);
    assert_int_equal(p.req[1].error, REQERR_EXPTIME);
    assert_int_equal(p.req[2].error, REQERR_UNKNOWN);
    assert_int_equal(p.req[3].error, REQERR_NONE);
}

static void
test_flush_all_forms(void **state)
{
    (void)state;
    struct parsed p = parse_str("flush_all\r\nflush_all 10\r\nflush_all noreply\r\n"
                                "flush_all 5 noreply\r\nflush_all noreply junk\r\n"
                                "flush_all 10 20\r\nflush_all 0 0 0\r\n"
                                "flush_all abc\r\n");
    assert_int_equal(p.count, 8);
    assert_int_equal(p.req[0].exptime, 0);
    assert_int_equal(p.req[1].exptime, 10);
    assert_true(p.req[2].noreply);
    assert_int_equal(p.req[3].exptime, 5);
    assert_int_equal(p.req[4].error, REQERR_EXPTIME);
    assert_int_equal(p.req[5].exptime, 10);
    assert_int_equal(p.req[6].error, REQERR_UNKNOWN);
    assert_int_equal(p.req[7].error, REQERR_EXPTIME);
}

static void
test_misc_commands(void **state)
{
    (void)state;
    const char *in = "version x y\r\nverbosity 1\r\nverbosity abc\r\n"
                     "verbosity 1 2 3\r\nquit now\r\nstats\r\nstats items x\r\n"
                     "shutdown\r\nshutdown graceful\r\nshutdown foo\r\n"
                     "debugtime 5\r\ndebugtime p\r\ndebugtime r\r\n"
                     "debugtime x\r\ndebugtime\r\ncache_memlimit 10\r\n";
    struct parsed p = parse_str(in);
    assert_int_equal(p.count, 16);
    assert_int_equal(p.req[0].cmd, REQ_VERSION);
    assert_int_equal(p.req[1].level, 1);
    assert_int_equal(p.req[2].error, REQERR_FORMAT);
    assert_int_equal(p.req[3].error, REQERR_UNKNOWN);
    assert_int_equal(p.req[4].cmd, REQ_QUIT);
    assert_int_equal(p.req[5].arg.len, 0);
    assert_slice(in, &p, 6, p.req[6].arg, "items");
    assert_int_equal(p.req[7].mode, SHUTDOWN_NOW);
    assert_int_equal(p.req[8].mode, SHUTDOWN_GRACEFUL);
    assert_int_equal(p.req[9].mode, SHUTDOWN_BAD_MODE);
    assert_int_equal(p.req[10].mode, DEBUGTIME_STEP);
    assert_int_equal(p.req[10].time_step, 5);
    assert_int_equal(p.req[11].mode, DEBUGTIME_PAUSE);
    assert_int_equal(p.req[12].mode, DEBUGTIME_RESUME);
    assert_int_equal(p.req[13].error, REQERR_UNKNOWN);
    assert_int_equal(p.req[14].error, REQERR_UNKNOWN);
    /* [admin.cache-memlimit] */
    assert_int_equal(p.req[15].cmd, REQ_CACHE_MEMLIMIT);
    assert_int_equal(p.req[15].error, REQERR_NONE);
    assert_int_equal(p.req[15].mem_mb, 10);
}

/* [cmd.token-count]: every command with every count from 1 to 9 tokens,
 * against the counts its syntax in the spec allows (a table written from
 * spec/protocol.md, not from the parser's). Tokens after the name are "1",
 * so numbers parse; only the count decides ERROR. */
static void
test_token_counts_per_command(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        unsigned min, max; /* tokens with the name; max 0: no bound */
    } spec[] = {
        {"get", 2, 0},    {"gets", 2, 0},   {"gat", 2, 0},    {"gats", 2, 0},
        {"bget", 2, 0},   {"set", 5, 6},    {"add", 5, 6},    {"replace", 5, 6},
        {"append", 5, 6}, {"prepend", 5, 6}, {"cas", 6, 7},   {"incr", 3, 4},
        {"decr", 3, 4},   {"touch", 3, 4},  {"delete", 2, 4}, {"flush_all", 1, 3},
        {"verbosity", 2, 3}, {"version", 1, 0}, {"quit", 1, 0}, {"stats", 1, 0},
    };
    for (size_t i = 0; i < sizeof spec / sizeof spec[0]; i++) {
        for (unsigned n = 1; n <= 9; n++) {
            char line[128];
            snprintf(line, sizeof line, "%s", spec[i].name);
            for (unsigned k = 1; k < n; k++) {
                strcat(line, k == 3 && strcmp(spec[i].name, "delete") == 0
                                 ? " 0" : " 1");
            }
            /* A storage line of the right count waits for its 1-byte
             * block; give it one (otherwise it is the next line). */
            strcat(line, spec[i].min >= 5 ? "\r\nx\r\n" : "\r\n");
            struct parsed p = parse_str(line);
            bool fits = n >= spec[i].min &&
                        (spec[i].max == 0 || n <= spec[i].max);
            if (p.count < 1 || (p.req[0].cmd == REQ_INVALID) == fits) {
                fprintf(stderr, "%s with %u tokens: %s\n", spec[i].name, n,
                        fits ? "refused" : "accepted");
                fail();
            }
        }
    }
}

/* ---- composer ------------------------------------------------------------- */

/* The composed bytes are exactly `text`: the length returned, then each
 * byte (a prefix of the right bytes is not enough). */
static void
assert_composed(const uint8_t *buf, size_t n, const char *text)
{
    assert_int_equal(n, strlen(text));
    assert_memory_equal(buf, text, n);
}

static void
test_compose(void **state)
{
    (void)state;
    uint8_t buf[PROTO_VALUE_HEADER_MAX];
    size_t n = proto_text_value_header(buf, (const uint8_t *)"foo", 3,
                                       4294967295u, 3, false, 0);
    assert_composed(buf, n, "VALUE foo 4294967295 3\r\n");
    n = proto_text_value_header(buf, (const uint8_t *)"k", 1, 0, 0, true,
                                UINT64_MAX);
    assert_composed(buf, n, "VALUE k 0 0 18446744073709551615\r\n");
    n = proto_text_number(buf, 15);
    assert_composed(buf, n, "15\r\n");
    n = proto_text_number(buf, 0);
    assert_composed(buf, n, "0\r\n");
    n = proto_text_number(buf, UINT64_MAX);
    assert_composed(buf, n, "18446744073709551615\r\n");
    size_t len;
    const uint8_t *r = proto_text_reply(PROTO_REPLY_DELETE_USAGE, &len);
    assert_composed(r, len, "CLIENT_ERROR bad command line format.  Usage: "
                            "delete <key> [noreply]\r\n");
    r = proto_text_reply(PROTO_REPLY_STORED, &len);
    assert_composed(r, len, "STORED\r\n");
    assert_int_equal(proto_text_error_reply(REQERR_BAD_CHUNK),
                     PROTO_REPLY_BAD_CHUNK);
    assert_string_equal(proto_text_reply_name(PROTO_REPLY_STORED), "STORED");
    uint8_t stat[PROTO_STAT_MAX];
    n = proto_text_stat_u64(stat, "curr_items", 42);
    assert_composed(stat, n, "STAT curr_items 42\r\n");
    n = proto_text_stat_str(stat, "version", "1.6.18");
    assert_composed(stat, n, "STAT version 1.6.18\r\n");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("frame.line", test_line_terminators),
        CLAUSE_TEST("frame.tokens", test_tokens_spaces_only),
        CLAUSE_TEST("frame.nul", test_nul_ends_line),
        CLAUSE_TEST("frame.line-limit", test_line_limit),
        CLAUSE_TEST("frame.get-line-limit", test_get_line_limit),
        CLAUSE_TEST("frame.get-line-limit", test_get_line_window),
        CLAUSE_TEST("frame.empty", test_empty_lines),
        CLAUSE_TEST("frame.unknown", test_unknown_and_case),
        CLAUSE_TEST("frame.http", test_http_guard),
        CLAUSE_TEST("cmd.token-count", test_token_counts_per_command),
        CLAUSE_TEST("frame.short-command", test_short_command),
        CLAUSE_TEST("cmd.token-count", test_token_count_data_not_read),
        CLAUSE_TEST("cmd.noreply", test_noreply_last_token_only),
        CLAUSE_TEST("num.truncate32", test_truncate32),
        CLAUSE_TEST("store.bad-line", test_storage_bad_numbers),
        CLAUSE_TEST("key.length", test_key_length),
        CLAUSE_TEST("key.bytes", test_key_bytes),
        CLAUSE_TEST("store.set", test_storage_commands),
        CLAUSE_TEST("store.wait-data", test_wait_data),
        CLAUSE_TEST("store.bad-chunk", test_bad_chunk_resync_by_length),
        CLAUSE_TEST("store.too-large", test_too_large_swallows),
        CLAUSE_TEST("get.no-key", test_retrieval_shapes),
        CLAUSE_TEST("get.many-keys", test_many_keys_past_token_window),
        CLAUSE_TEST("delete.hold", test_delete_forms),
        CLAUSE_TEST("incr.delta", test_arith_forms),
        CLAUSE_TEST("touch.exptime", test_touch_forms),
        CLAUSE_TEST("flush.reply", test_flush_all_forms),
        CLAUSE_TEST("misc.debugtime", test_misc_commands),
        CLAUSE_TEST("get.reply", test_compose),
    };
    return cmocka_run_group_tests_name("proto_text", tests, NULL, NULL);
}
