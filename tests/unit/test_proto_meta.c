/* test_proto_meta.c - the meta protocol's line parser, clause by clause. */
#include "clause.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/proto/meta.h"
#include "../../src/proto/text.h"

/* ---- driver -------------------------------------------------------------- */

#define MAX_REQS 16
#define VALUE_MAX 1024u

struct parsed {
    struct request req[MAX_REQS];
    size_t start[MAX_REQS]; /* offset of each request in the input */
    size_t count;
    bool closed;
    size_t left; /* bytes left unconsumed at the end */
};

/*
 * Parses input as a connection would, the first `split` bytes first and
 * the rest once the parser asks for more. Input goes into an exact-size
 * heap block so ASan sees any read past what has arrived.
 */
static struct parsed
parse_split(const void *input, size_t len, size_t split)
{
    uint8_t *data = malloc(len == 0 ? 1 : len);
    assert_non_null(data);
    memcpy(data, input, len);
    struct proto_text_parser p;
    proto_text_init(&p, VALUE_MAX);
    struct parsed out = {0};
    size_t at = 0;
    size_t avail = split < len ? split : len;
    for (;;) {
        size_t consumed;
        size_t needed;
        struct request req;
        enum proto_status st = proto_text_parse(&p, data + at, avail - at, &req,
                                                &consumed, &needed);
        assert_true(consumed <= avail - at);
        if (st == PROTO_CLOSE) {
            out.closed = true;
            break;
        }
        if (st == PROTO_INCOMPLETE) {
            at += consumed;
            if (consumed == 0) {
                if (avail == len) {
                    break;
                }
                avail = len;
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
    return parse_split(s, strlen(s), strlen(s));
}

/* The single request a line gives. */
static struct request
one(const char *s)
{
    struct parsed p = parse_str(s);
    assert_false(p.closed);
    assert_int_equal(p.count, 1);
    assert_int_equal(p.left, 0);
    return p.req[0];
}

static void
assert_slice_is(const char *input, size_t start, struct slice s,
                const char *want)
{
    assert_int_equal(s.len, strlen(want));
    assert_memory_equal(input + start + s.off, want, s.len);
}

/* The line gives cmd with the meta error e (META_ERR_NONE: no error). */
static void
assert_meta(const char *line, enum request_cmd cmd, enum meta_error e)
{
    struct request r = one(line);
    if (r.cmd != cmd || (e == META_ERR_NONE) != (r.error == REQERR_NONE) ||
        (e != META_ERR_NONE &&
         (r.error != REQERR_META || r.meta.error != e))) {
        fail_msg("%s: cmd %d error %d meta %d, wanted cmd %d meta %d", line,
                 r.cmd, r.error, r.meta.error, cmd, e);
    }
}

/* The line (with the data block after it) gives an ms error with e and
 * swallows the block: the following mn is the next request. */
static void
assert_ms_swallows(const char *line_and_data, enum meta_error e)
{
    char in[4096];
    snprintf(in, sizeof in, "%smn\r\n", line_and_data);
    struct parsed p = parse_str(in);
    assert_int_equal(p.count, 2);
    assert_int_equal(p.req[0].cmd, REQ_META_SET);
    assert_int_equal(p.req[0].error, REQERR_META);
    assert_int_equal(p.req[0].meta.error, e);
    assert_int_equal(p.req[1].cmd, REQ_META_NOOP);
    assert_int_equal(p.left, 0);
}

/* The line is refused with e and its data block is read as the next line. */
static void
assert_ms_keeps_data(const char *line_and_data, enum meta_error e)
{
    struct parsed p = parse_str(line_and_data);
    assert_int_equal(p.count, 2);
    assert_int_equal(p.req[0].cmd, REQ_META_SET);
    assert_int_equal(p.req[0].error, REQERR_META);
    assert_int_equal(p.req[0].meta.error, e);
    assert_int_equal(p.req[1].error, REQERR_UNKNOWN);
}

/* pattern with its one `@` replaced by arg (format strings must be literal). */
static void
fill(char *out, size_t n, const char *pattern, const char *arg)
{
    const char *at = strchr(pattern, '@');
    assert_non_null(at);
    int w = snprintf(out, n, "%.*s%s%s", (int)(at - pattern), pattern, arg,
                     at + 1);
    assert_true(w > 0 && (size_t)w < n);
}

/* ---- commands and keys -------------------------------------------------- */

static void
test_mn(void **state)
{
    (void)state;
    assert_meta("mn\r\n", REQ_META_NOOP, META_ERR_NONE);
    assert_meta("mn foo bar\r\n", REQ_META_NOOP, META_ERR_NONE);
    assert_meta("mn v v v\r\n", REQ_META_NOOP, META_ERR_NONE);
}

static void
test_no_key(void **state)
{
    (void)state;
    const char *lines[] = {"mg\r\n", "ms\r\n", "md\r\n", "ma\r\n", "mg  \r\n"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct request r = one(lines[i]);
        assert_int_equal(r.cmd, REQ_INVALID);
        assert_int_equal(r.error, REQERR_UNKNOWN);
    }
    assert_meta("me\r\n", REQ_META_DEBUG, META_ERR_FORMAT);
    /* ms without a datalen: its error, and nothing swallowed. */
    assert_meta("ms k\r\n", REQ_META_SET, META_ERR_FORMAT);
    /* Other two-letter m names stay unknown. */
    assert_int_equal(one("mx k\r\n").error, REQERR_UNKNOWN);
}

static void
test_key_length(void **state)
{
    (void)state;
    char line[400];
    char key[260];
    memset(key, 'k', 251);
    key[251] = '\0';
    const char *fmt[] = {"mg @ v\r\n", "md @\r\n", "ma @\r\n", "me @\r\n",
                         "ms @ 2\r\nhi\r\n"};
    enum request_cmd cmds[] = {REQ_META_GET, REQ_META_DELETE, REQ_META_ARITH,
                               REQ_META_DEBUG, REQ_META_SET};
    for (size_t i = 0; i < 5; i++) {
        fill(line, sizeof line, fmt[i], key);
        if (cmds[i] == REQ_META_SET) {
            /* With a valid datalen, as 1.6.40 ([meta.ms-swallow-all]). */
            assert_ms_swallows(line, META_ERR_FORMAT);
        } else {
            assert_meta(line, cmds[i], META_ERR_FORMAT);
        }
        key[250] = '\0'; /* 250 bytes: fine */
        fill(line, sizeof line, fmt[i], key);
        struct parsed p = parse_str(line);
        assert_int_equal(p.count, 1);
        assert_int_equal(p.req[0].error, REQERR_NONE);
        assert_int_equal(p.req[0].key.len, 250);
        assert_int_equal(p.req[0].meta.key_token.len, 250);
        assert_false(p.req[0].meta.key_decoded);
        key[250] = 'k';
    }
}

/* ---- flags --------------------------------------------------------------- */

static void
test_mg_every_flag(void **state)
{
    (void)state;
    const char *in = "mg key s v t f c k Oab h l q u T30 N-40 R50 E7 C9\r\n";
    struct request r = one(in);
    assert_int_equal(r.cmd, REQ_META_GET);
    assert_int_equal(r.error, REQERR_NONE);
    assert_false(r.noreply); /* q lives in seen: errors are never hidden */
    assert_slice_is(in, 0, r.key, "key");
    const char *order = "svtfckOhlquTNREC";
    assert_int_equal(r.meta.count, strlen(order));
    uint64_t seen = 0;
    for (size_t i = 0; order[i] != '\0'; i++) {
        assert_int_equal(r.meta.order[i], (uint8_t)order[i]);
        seen |= META_BIT(order[i]);
    }
    assert_true(r.meta.seen == seen);
    assert_slice_is(in, 0, r.meta.opaque, "ab");
    assert_int_equal(r.meta.ttl, 30);
    assert_int_equal(r.meta.vivify_ttl, -40);
    assert_int_equal(r.meta.recache_ttl, 50);
    assert_int_equal(r.meta.explicit_cas, 7);
    assert_int_equal(r.meta.compare_cas, 9);
    assert_int_equal(r.meta.delta, 1); /* the default */
    assert_int_equal(r.meta.initial, 0);
}

static void
test_ms_md_ma_flags(void **state)
{
    (void)state;
    const char *in = "ms k 2 b c C5 E6 F77 I k Oxy q T9 MA s N3\r\nhi\r\n";
    /* "k" is not base64: use a key that is. */
    in = "ms YWJj 2 b c C5 E6 F77 I k Oxy q T9 MA s N3\r\nhi\r\n";
    struct request r = one(in);
    assert_int_equal(r.cmd, REQ_META_SET);
    assert_int_equal(r.error, REQERR_NONE);
    assert_int_equal(r.value_len, 2);
    assert_slice_is(in, 0, r.value, "hi");
    assert_true(r.meta.key_decoded);
    assert_int_equal(r.meta.key_len, 3);
    assert_memory_equal(r.meta.key_buf, "abc", 3);
    assert_slice_is(in, 0, r.meta.key_token, "YWJj");
    assert_int_equal(r.meta.compare_cas, 5);
    assert_int_equal(r.meta.explicit_cas, 6);
    assert_int_equal(r.meta.client_flags, 77);
    assert_int_equal(r.meta.ttl, 9);
    assert_int_equal(r.meta.vivify_ttl, 3);
    assert_int_equal(r.meta.mode, 'A');
    assert_true(r.meta.seen & META_BIT('I'));
    assert_slice_is(in, 0, r.meta.opaque, "xy");

    r = one("md k C5 E6 I k O1 q T9 x b0\r\n");
    assert_int_equal(r.cmd, REQ_META_DELETE);
    assert_int_equal(r.error, REQERR_META); /* b on a key that is not base64 */
    assert_int_equal(r.meta.error, META_ERR_INVALID_OR_DUP);
    r = one("md k C5 E6 I k O1 q T9 x\r\n");
    assert_int_equal(r.error, REQERR_NONE);
    assert_true(r.meta.seen & META_BIT('x'));

    r = one("ma k N0 J10 D5 T7 MD q t c v k O1 C3 E4\r\n");
    assert_int_equal(r.cmd, REQ_META_ARITH);
    assert_int_equal(r.error, REQERR_NONE);
    assert_int_equal(r.meta.initial, 10);
    assert_int_equal(r.meta.delta, 5);
    assert_int_equal(r.meta.mode, 'D');
    assert_int_equal(r.meta.vivify_ttl, 0);
}

/* [meta.flags]: the flag parser is shared: every known letter is accepted
 * by every keyed command, whatever it means there. */
static void
test_shared_flag_letters(void **state)
{
    (void)state;
    const char *flags[] = {"b", "c", "C1", "D1", "E1", "f", "F1", "h", "I",
                           "J1", "k", "l", "L", "MS", "N1", "O1", "P", "q",
                           "R1", "s", "t", "T1", "u", "v", "x"};
    const char *fmt[] = {"mg YWJj @\r\n", "md YWJj @\r\n", "ma YWJj @\r\n",
                         "ms YWJj 1 @\r\nz\r\n"};
    for (size_t c = 0; c < 4; c++) {
        for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
            if (c >= 2 && flags[i][0] == 'M') {
                continue; /* ma and ms check the mode: test_ma_modes, ... */
            }
            char line[64];
            fill(line, sizeof line, fmt[c], flags[i]);
            struct request r = one(line);
            if (r.error != REQERR_NONE) {
                fail_msg("%s refused: %d/%d", line, r.error, r.meta.error);
            }
            assert_true(r.meta.seen == META_BIT(flags[i][0]));
        }
    }
    /* Any byte after a flag letter without a token is ignored. */
    assert_meta("mg k vxyz kk q9\r\n", REQ_META_GET, META_ERR_NONE);
}

static void
test_invalid_flag(void **state)
{
    (void)state;
    const char *bad[] = {"a", "d", "e", "g", "i", "j", "m", "n", "o", "p",
                         "r", "w", "y", "z", "A", "B", "G", "H", "K", "Q",
                         "S3", "U", "V", "W", "X", "Y", "Z", "0", "9", "!",
                         "-", "=", "\t", "~"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char line[64];
        snprintf(line, sizeof line, "mg k v %s\r\n", bad[i]);
        assert_meta(line, REQ_META_GET, META_ERR_INVALID_FLAG);
        snprintf(line, sizeof line, "md k %s\r\n", bad[i]);
        assert_meta(line, REQ_META_DELETE, META_ERR_INVALID_OR_DUP);
        snprintf(line, sizeof line, "ma k %s\r\n", bad[i]);
        assert_meta(line, REQ_META_ARITH, META_ERR_INVALID_OR_DUP);
        snprintf(line, sizeof line, "ms k 2 %s\r\nhi\r\n", bad[i]);
        assert_ms_swallows(line, META_ERR_INVALID_FLAG);
    }
}

static void
test_duplicate_flag(void **state)
{
    (void)state;
    assert_meta("mg k v v\r\n", REQ_META_GET, META_ERR_DUPLICATE_FLAG);
    assert_meta("mg k T1 T2\r\n", REQ_META_GET, META_ERR_DUPLICATE_FLAG);
    assert_meta("md k q q\r\n", REQ_META_DELETE, META_ERR_INVALID_OR_DUP);
    assert_meta("ma k D1 D1\r\n", REQ_META_ARITH, META_ERR_INVALID_OR_DUP);
    assert_ms_swallows("ms k 2 T5 T6\r\nhi\r\n", META_ERR_DUPLICATE_FLAG);
    /* Upper and lower case are different flags. */
    assert_meta("mg k c C1 t T1\r\n", REQ_META_GET, META_ERR_NONE);
    /* 1.6.18 calls a first byte of 127 or more a duplicate. */
    assert_meta("mg k \x7f\r\n", REQ_META_GET, META_ERR_DUPLICATE_FLAG);
    assert_meta("mg k \x80v\r\n", REQ_META_GET, META_ERR_DUPLICATE_FLAG);
    assert_meta("mg k \xff\r\n", REQ_META_GET, META_ERR_DUPLICATE_FLAG);
    assert_meta("md k \xff\r\n", REQ_META_DELETE, META_ERR_INVALID_OR_DUP);
}

/* [meta.errors]: an invalid or repeated flag stops the walk; a bad
 * token does not, and the last one names the error. */
static void
test_error_precedence(void **state)
{
    (void)state;
    assert_meta("mg k Tx v v\r\n", REQ_META_GET, META_ERR_DUPLICATE_FLAG);
    assert_meta("mg k Tx zz\r\n", REQ_META_GET, META_ERR_INVALID_FLAG);
    assert_meta("mg k Tx Jy\r\n", REQ_META_GET, META_ERR_BAD_INITIAL);
    assert_meta("mg k Jy Tx\r\n", REQ_META_GET, META_ERR_BAD_TOKEN);
    assert_meta("mg k Dy\r\n", REQ_META_GET, META_ERR_BAD_DELTA);
    assert_meta("mg k Fx\r\n", REQ_META_GET, META_ERR_FORMAT);
    assert_meta("mg k Tx Fx\r\n", REQ_META_GET, META_ERR_BAD_TOKEN);
    assert_meta("mg k Fx Tx\r\n", REQ_META_GET, META_ERR_BAD_TOKEN);
    assert_meta("mg k MSS\r\n", REQ_META_GET, META_ERR_MS_MODE_LEN);
    assert_meta("mg k M\r\n", REQ_META_GET, META_ERR_MS_MODE_LEN);
    assert_meta("mg k b\r\n", REQ_META_GET, META_ERR_KEY_DECODE);
    assert_meta("mg k b Tx\r\n", REQ_META_GET, META_ERR_BAD_TOKEN);
    assert_meta("mg k Tx b\r\n", REQ_META_GET, META_ERR_KEY_DECODE);
    /* mg takes any mode letter and ignores it. */
    assert_meta("mg k Mz s\r\n", REQ_META_GET, META_ERR_NONE);
    /* A flag error comes before the opaque check. */
    assert_meta("mg k O123456789012345678901234567890123 Tx\r\n", REQ_META_GET,
                META_ERR_BAD_TOKEN);
    /* md and ma name none of these. */
    const char *lines[] = {"@ k Tx\r\n", "@ k Jx\r\n", "@ k Dx\r\n",
                           "@ k Fx\r\n", "@ k MII\r\n", "@ k b\r\n",
                           "@ k Cx\r\n", "@ k Ex\r\n", "@ k Nx\r\n",
                           "@ k Rx\r\n"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char line[64];
        fill(line, sizeof line, lines[i], "md");
        assert_meta(line, REQ_META_DELETE, META_ERR_INVALID_OR_DUP);
        fill(line, sizeof line, lines[i], "ma");
        assert_meta(line, REQ_META_ARITH, META_ERR_INVALID_OR_DUP);
    }
}

/* [meta.errors] */
static void
test_numeric_tokens(void **state)
{
    (void)state;
    struct request r = one("mg k T+5 N-1 R\t7\r\n");
    assert_int_equal(r.error, REQERR_NONE);
    assert_int_equal(r.meta.ttl, 5);
    assert_int_equal(r.meta.vivify_ttl, -1);
    assert_int_equal(r.meta.recache_ttl, 7);
    /* TTLs are cut to 32 bits, as 1.6.18's safe_strtol does. */
    r = one("mg k T4294967396\r\n");
    assert_int_equal(r.meta.ttl, 100);
    r = one("mg k T-2147483649\r\n");
    assert_int_equal(r.meta.ttl, 2147483647);
    assert_meta("mg k T\r\n", REQ_META_GET, META_ERR_BAD_TOKEN);
    assert_meta("mg k T5x\r\n", REQ_META_GET, META_ERR_BAD_TOKEN);
    assert_meta("mg k T99999999999999999999\r\n", REQ_META_GET,
                META_ERR_BAD_TOKEN);
    assert_meta("mg k N\r\n", REQ_META_GET, META_ERR_BAD_TOKEN);
    assert_meta("mg k R-\r\n", REQ_META_GET, META_ERR_BAD_TOKEN);
    r = one("ma k C18446744073709551615 E0 J18446744073709551615 D0\r\n");
    assert_int_equal(r.error, REQERR_NONE);
    assert_true(r.meta.compare_cas == UINT64_MAX);
    assert_int_equal(r.meta.explicit_cas, 0);
    assert_true(r.meta.initial == UINT64_MAX);
    assert_int_equal(r.meta.delta, 0);
    assert_meta("mg k C18446744073709551616\r\n", REQ_META_GET,
                META_ERR_BAD_TOKEN);
    assert_meta("mg k C-1\r\n", REQ_META_GET, META_ERR_BAD_TOKEN);
    assert_meta("mg k E\r\n", REQ_META_GET, META_ERR_BAD_TOKEN);
    assert_meta("mg k J-1\r\n", REQ_META_GET, META_ERR_BAD_INITIAL);
    assert_meta("mg k D1.5\r\n", REQ_META_GET, META_ERR_BAD_DELTA);
}

/* [meta.ms-flags-range]: 32 bits; larger values are refused (1.6.18 cut
 * them to 32 bits silently). */
static void
test_client_flags(void **state)
{
    (void)state;
    struct request r = one("ms k 1 F4294967295\r\nz\r\n");
    assert_int_equal(r.error, REQERR_NONE);
    assert_true(r.meta.client_flags == UINT32_MAX);
    assert_ms_swallows("ms k 1 F4294967296\r\nz\r\n", META_ERR_FORMAT);
    assert_ms_swallows("ms k 1 F-1\r\nz\r\n", META_ERR_FORMAT);
    assert_ms_swallows("ms k 1 F\r\nz\r\n", META_ERR_FORMAT);
    assert_ms_swallows("ms k 1 Fabc\r\nz\r\n", META_ERR_FORMAT);
    /* A named error after a bad F wins. */
    assert_ms_swallows("ms k 1 Fabc Tx\r\nz\r\n", META_ERR_BAD_TOKEN);
}

/* [meta.opaque]: up to 32 bytes after the O. */
static void
test_opaque(void **state)
{
    (void)state;
    char o32[40];
    memset(o32, 'o', 32);
    o32[32] = '\0';
    char line[128];
    snprintf(line, sizeof line, "mg k O%s v\r\n", o32);
    struct request r = one(line);
    assert_int_equal(r.error, REQERR_NONE);
    assert_int_equal(r.meta.opaque.len, 32);
    assert_memory_equal(line + r.meta.opaque.off, o32, 32);
    r = one("mg k O\r\n");
    assert_int_equal(r.error, REQERR_NONE);
    assert_int_equal(r.meta.opaque.len, 0);
    assert_true(r.meta.seen & META_BIT('O'));
    const char *fmt[] = {"mg k O@x\r\n", "md k O@x q\r\n", "ma k O@x\r\n"};
    enum request_cmd cmds[] = {REQ_META_GET, REQ_META_DELETE, REQ_META_ARITH};
    for (size_t i = 0; i < 3; i++) {
        fill(line, sizeof line, fmt[i], o32);
        assert_meta(line, cmds[i], META_ERR_OPAQUE_TOO_LONG);
    }
    snprintf(line, sizeof line, "ms k 2 O%sx\r\nhi\r\n", o32);
    assert_ms_swallows(line, META_ERR_OPAQUE_TOO_LONG);
    /* The mode is checked before the opaque. */
    snprintf(line, sizeof line, "ms k 2 O%sx MX\r\nhi\r\n", o32);
    assert_ms_swallows(line, META_ERR_MS_MODE);
    snprintf(line, sizeof line, "ma k O%sx Mx\r\n", o32);
    assert_meta(line, REQ_META_ARITH, META_ERR_MA_MODE);
}

/* [meta.token-limit]: 20 tokens at most, the line's end counted as one. */
static void
test_token_limit(void **state)
{
    (void)state;
    /* 17 flags after mg, md, ma (16 after ms's datalen) are allowed. */
    const char *f17 = "b c f h k l L O P q s t u v x I";
    char line[256];
    snprintf(line, sizeof line, "mg YWJj %s T1\r\n", f17);
    assert_meta(line, REQ_META_GET, META_ERR_NONE);
    assert_int_equal(one(line).meta.count, 17);
    snprintf(line, sizeof line, "mg YWJj %s T1 N1\r\n", f17);
    assert_meta(line, REQ_META_GET, META_ERR_TOO_MANY_FLAGS_MG);
    snprintf(line, sizeof line, "md YWJj %s T1 N1\r\n", f17);
    assert_meta(line, REQ_META_DELETE, META_ERR_TOO_MANY_FLAGS);
    snprintf(line, sizeof line, "ma YWJj %s T1 N1\r\n", f17);
    assert_meta(line, REQ_META_ARITH, META_ERR_TOO_MANY_FLAGS);
    snprintf(line, sizeof line, "ms YWJj 2 %s\r\nhi\r\n", f17);
    assert_int_equal(one(line).error, REQERR_NONE);
    /* ms after a valid datalen: 1.6.40's text, and the block swallowed
     * ([meta.ms-swallow-all]); with a bad datalen, that error first. */
    snprintf(line, sizeof line, "ms YWJj 2 %s T1\r\nhi\r\n", f17);
    assert_ms_swallows(line, META_ERR_TOO_MANY_FLAGS_MG);
    snprintf(line, sizeof line, "ms YWJj x %s T1\r\nhi\r\n", f17);
    assert_ms_keeps_data(line, META_ERR_FORMAT);
    /* Past the tokenizer's 23 tokens: still the count error. */
    assert_meta("mg k a b c d e f g h i j k l m n o p q r s t u v w x y z\r\n",
                REQ_META_GET, META_ERR_TOO_MANY_FLAGS_MG);
    /* The key length is checked first. */
    char key[252];
    memset(key, 'k', 251);
    key[251] = '\0';
    char long_line[600];
    snprintf(long_line, sizeof long_line, "mg %s %s T1 N1\r\n", key, f17);
    assert_meta(long_line, REQ_META_GET, META_ERR_FORMAT);
}

/* ---- base64 keys --------------------------------------------------------- */

static size_t
encode64(const uint8_t *in, size_t n, char *out)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n) {
            v |= (uint32_t)in[i + 1] << 8;
        }
        if (i + 2 < n) {
            v |= in[i + 2];
        }
        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? abc[v & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

/* [meta.base64-key] */
static void
test_base64_decoder(void **state)
{
    (void)state;
    uint8_t bytes[256];
    for (size_t i = 0; i < 256; i++) {
        bytes[i] = (uint8_t)(i * 7 + 3);
    }
    uint8_t out[256];
    char enc[400];
    for (size_t n = 1; n <= 187; n++) {
        size_t len = encode64(bytes, n, enc);
        assert_int_equal(proto_meta_base64_decode((const uint8_t *)enc, len,
                                                  out),
                         n);
        assert_memory_equal(out, bytes, n);
    }
    const char *refused[] = {"", "Y", "YQ", "YQ=", "YWJ", "a$zE=", "a$zE",
                             "YQ==YWJj", "A=BC", "====", "A===", "Y===",
                             "YW=j", "YWJj YWJj", "YW\nj", "YWJ-", "YWJ_", "YWJ~", "YWJ{", "YWJ@", "YWJ[", "YWJ`",
                             "=YWJ", "YWJj=", "YWJjZ"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        size_t len = strlen(refused[i]);
        if (proto_meta_base64_decode((const uint8_t *)refused[i], len, out) !=
            0) {
            fail_msg("accepted \"%s\"", refused[i]);
        }
    }
    /* The length alone decides: a length that is not whole quads is refused
     * even when the bytes past it would complete a quad (a key token is
     * followed by more of the line, not by a NUL). */
    static const uint8_t quads[] = "YWJjYWJj";
    for (size_t len = 1; len < 8; len++) {
        if (len % 4 != 0 &&
            proto_meta_base64_decode(quads, len, out) != 0) {
            fail_msg("accepted %zu bytes of \"YWJjYWJj\"", len);
        }
    }
    assert_int_equal(proto_meta_base64_decode(quads, 0, out), 0);
    /* Leftover bits in the last digit are not checked (as memcached). */
    assert_int_equal(proto_meta_base64_decode((const uint8_t *)"YR==", 4, out),
                     1);
    assert_int_equal(out[0], 'a');
    assert_int_equal(proto_meta_base64_decode((const uint8_t *)"+/+/", 4, out),
                     3);
    assert_int_equal(out[0], 0xfb);
    assert_int_equal(out[1], 0xff);
    assert_int_equal(out[2], 0xbf);
}

static void
test_base64_keys(void **state)
{
    (void)state;
    struct request r = one("mg AA== b k v\r\n");
    assert_int_equal(r.error, REQERR_NONE);
    assert_true(r.meta.key_decoded);
    assert_int_equal(r.meta.key_len, 1);
    assert_int_equal(r.meta.key_buf[0], 0);
    assert_int_equal(r.key.len, 4); /* req->key stays the token as sent */
    /* 250 characters of base64 (248 + padding): 186 bytes. */
    uint8_t bytes[187];
    memset(bytes, 0xab, sizeof bytes);
    char enc[260];
    encode64(bytes, 186, enc);
    assert_int_equal(strlen(enc), 248);
    char line[300];
    snprintf(line, sizeof line, "ms %s 1 b\r\nz\r\n", enc);
    r = one(line);
    assert_int_equal(r.error, REQERR_NONE);
    assert_int_equal(r.meta.key_len, 186);
    assert_memory_equal(r.meta.key_buf, bytes, 186);
    /* Over 250 characters before decoding: a format error. */
    encode64(bytes, 187, enc);
    assert_int_equal(strlen(enc), 252);
    snprintf(line, sizeof line, "mg %s b\r\n", enc);
    assert_meta(line, REQ_META_GET, META_ERR_FORMAT);
    /* 1.6.18 skipped invalid characters; mcref refuses them. */
    assert_meta("mg a$zE= b k\r\n", REQ_META_GET, META_ERR_KEY_DECODE);
    assert_meta("mg YQ==YWJj b k\r\n", REQ_META_GET, META_ERR_KEY_DECODE);
    assert_meta("md a$zE= b\r\n", REQ_META_DELETE, META_ERR_INVALID_OR_DUP);
    assert_meta("ma a$zE= b\r\n", REQ_META_ARITH, META_ERR_INVALID_OR_DUP);
    assert_ms_swallows("ms a$zE= 2 b\r\nhi\r\n", META_ERR_KEY_DECODE);
    /* Without b the key is taken as it is. */
    r = one("mg YWJj v\r\n");
    assert_false(r.meta.key_decoded);
}

/* [meta.me] */
static void
test_me(void **state)
{
    (void)state;
    const char *in = "me key\r\n";
    struct request r = one(in);
    assert_int_equal(r.cmd, REQ_META_DEBUG);
    assert_int_equal(r.error, REQERR_NONE);
    assert_slice_is(in, 0, r.key, "key");
    r = one("me YWJj b\r\n");
    assert_int_equal(r.error, REQERR_NONE);
    assert_true(r.meta.key_decoded);
    assert_memory_equal(r.meta.key_buf, "abc", 3);
    assert_meta("me k b\r\n", REQ_META_DEBUG, META_ERR_FORMAT);
    assert_meta("me a$zE= b\r\n", REQ_META_DEBUG, META_ERR_FORMAT);
    /* Only a third token that is exactly b counts; the rest is ignored. */
    assert_meta("me k x\r\n", REQ_META_DEBUG, META_ERR_NONE);
    r = one("me k bx v v zz\r\n");
    assert_int_equal(r.error, REQERR_NONE);
    assert_false(r.meta.key_decoded);
}

/* ---- ms and its data block ---------------------------------------------- */

static void
test_ms_data(void **state)
{
    (void)state;
    const char *in = "ms k 5 T0\r\nhello\r\nms k 0\r\n\r\n";
    struct parsed p = parse_str(in);
    assert_int_equal(p.count, 2);
    assert_int_equal(p.req[0].value_len, 5);
    assert_slice_is(in, p.start[0], p.req[0].value, "hello");
    assert_int_equal(p.req[1].value_len, 0);
    assert_int_equal(p.req[1].error, REQERR_NONE);
    assert_int_equal(p.left, 0);
    /* Incomplete: nothing consumed until the whole block is in. */
    p = parse_str("ms k 5\r\nhel");
    assert_int_equal(p.count, 0);
    assert_int_equal(p.left, 11);
    /* A block not ended by \r\n: bad chunk, block length + 2 used. */
    p = parse_str("ms k 2\r\nhixxmn\r\n");
    assert_int_equal(p.count, 2);
    assert_int_equal(p.req[0].error, REQERR_BAD_CHUNK);
    assert_int_equal(p.req[1].cmd, REQ_META_NOOP);
    /* Over -I: too large, the block swallowed, the flags still parsed. */
    char big[1200 + 64];
    int n = snprintf(big, sizeof big, "ms k %u b0 T5\r\n", VALUE_MAX + 1);
    memset(big + n, 'v', VALUE_MAX + 1);
    memcpy(big + n + VALUE_MAX + 1, "\r\nmn\r\n", 6);
    p = parse_split(big, (size_t)n + VALUE_MAX + 7, (size_t)n + VALUE_MAX + 7);
    assert_int_equal(p.count, 2);
    assert_int_equal(p.req[0].cmd, REQ_META_SET);
    assert_int_equal(p.req[0].error, REQERR_META); /* b0 on "k" */
    n = snprintf(big, sizeof big, "ms k %u T5\r\n", VALUE_MAX + 1);
    memset(big + n, 'v', VALUE_MAX + 1);
    memcpy(big + n + VALUE_MAX + 1, "\r\nmn\r\n", 6);
    p = parse_split(big, (size_t)n + VALUE_MAX + 7, (size_t)n + VALUE_MAX + 7);
    assert_int_equal(p.count, 2);
    assert_int_equal(p.req[0].error, REQERR_TOO_LARGE);
    assert_int_equal(p.req[0].value_len, VALUE_MAX + 1);
    assert_int_equal(p.req[0].meta.ttl, 5);
    assert_int_equal(p.req[1].cmd, REQ_META_NOOP);
    /* Exactly -I is fine. */
    n = snprintf(big, sizeof big, "ms k %u\r\n", VALUE_MAX);
    memset(big + n, 'v', VALUE_MAX);
    memcpy(big + n + VALUE_MAX, "\r\n", 2);
    p = parse_split(big, (size_t)n + VALUE_MAX + 2, (size_t)n + VALUE_MAX + 2);
    assert_int_equal(p.count, 1);
    assert_int_equal(p.req[0].error, REQERR_NONE);
}

/* [meta.ms-datalen]: a bad or missing datalen reads the block as a line. */
static void
test_ms_bad_datalen(void **state)
{
    (void)state;
    assert_ms_keeps_data("ms k abc\r\nhi\r\n", META_ERR_FORMAT);
    assert_ms_keeps_data("ms k -1\r\nhi\r\n", META_ERR_FORMAT);
    assert_ms_keeps_data("ms k 2147483646\r\nhi\r\n", META_ERR_FORMAT);
    assert_ms_keeps_data("ms k 2x T1\r\nhi\r\n", META_ERR_FORMAT);
    assert_ms_keeps_data("ms k 99999999999999999999\r\nhi\r\n",
                         META_ERR_FORMAT);
    /* A bad datalen is found before a long key: nothing swallowed. */
    char line[300];
    memset(line, 'k', sizeof line);
    memcpy(line, "ms ", 3);
    snprintf(line + 254, sizeof line - 254, " x\r\nhi\r\n");
    assert_ms_keeps_data(line, META_ERR_FORMAT);
    /* Cut to 32 bits as set's length: 4294967298 is 2. */
    struct request r = one("ms k 4294967298\r\nhi\r\n");
    assert_int_equal(r.error, REQERR_NONE);
    assert_int_equal(r.value_len, 2);
    /* The largest datalen, with a flag error: swallowed, not waited for. */
    struct parsed p = parse_str("ms k 2147483645 Zz\r\n");
    assert_int_equal(p.count, 1);
    assert_int_equal(p.req[0].meta.error, META_ERR_INVALID_FLAG);
    assert_int_equal(p.req[0].value_len, 2147483645u);
}

/* [meta.ms-swallow]: after a valid datalen every line error drops the
 * block; [meta.ms-modes]. */
static void
test_ms_errors_swallow(void **state)
{
    (void)state;
    assert_ms_swallows("ms k 2 zz\r\nhi\r\n", META_ERR_INVALID_FLAG);
    assert_ms_swallows("ms k 2 Tx\r\nhi\r\n", META_ERR_BAD_TOKEN);
    assert_ms_swallows("ms k 2 Cx\r\nhi\r\n", META_ERR_BAD_TOKEN);
    assert_ms_swallows("ms k 2 Jx\r\nhi\r\n", META_ERR_BAD_INITIAL);
    assert_ms_swallows("ms k 2 Dx\r\nhi\r\n", META_ERR_BAD_DELTA);
    assert_ms_swallows("ms k 2 MX\r\nhi\r\n", META_ERR_MS_MODE);
    assert_ms_swallows("ms k 2 Ms\r\nhi\r\n", META_ERR_MS_MODE);
    assert_ms_swallows("ms k 2 MSS\r\nhi\r\n", META_ERR_MS_MODE_LEN);
    assert_ms_swallows("ms k 2 b\r\nhi\r\n", META_ERR_KEY_DECODE);
    /* The block is swallowed whatever it holds, \r\n included. */
    assert_ms_swallows("ms k 4 zz\r\n\r\n\r\n\r\n", META_ERR_INVALID_FLAG);
    const char modes[] = "EAPRS";
    for (size_t i = 0; i < 5; i++) {
        char line[32];
        snprintf(line, sizeof line, "ms k 1 M%c\r\nz\r\n", modes[i]);
        struct request r = one(line);
        assert_int_equal(r.error, REQERR_NONE);
        assert_int_equal(r.meta.mode, modes[i]);
    }
}

/* [meta.ma] */
static void
test_ma_modes(void **state)
{
    (void)state;
    const char modes[] = "I+D-";
    for (size_t i = 0; i < 4; i++) {
        char line[32];
        snprintf(line, sizeof line, "ma k M%c\r\n", modes[i]);
        struct request r = one(line);
        assert_int_equal(r.error, REQERR_NONE);
        assert_int_equal(r.meta.mode, modes[i]);
    }
    assert_meta("ma k Mx\r\n", REQ_META_ARITH, META_ERR_MA_MODE);
    assert_meta("ma k Mi\r\n", REQ_META_ARITH, META_ERR_MA_MODE);
    assert_meta("ma k MII\r\n", REQ_META_ARITH, META_ERR_INVALID_OR_DUP);
    /* md keeps a mode letter it does not use. */
    assert_meta("md k Mx\r\n", REQ_META_DELETE, META_ERR_NONE);
}

/* [frame.split]: the same bytes give the same requests however split. */
static void
assert_same(const struct parsed *a, const struct parsed *b, size_t split)
{
    if (a->count != b->count || a->left != b->left || a->closed != b->closed) {
        fail_msg("split %zu: %zu requests, %zu left; whole: %zu, %zu", split,
                 b->count, b->left, a->count, a->left);
    }
    for (size_t i = 0; i < a->count; i++) {
        const struct request *x = &a->req[i];
        const struct request *y = &b->req[i];
        assert_int_equal(a->start[i], b->start[i]);
        assert_int_equal(x->cmd, y->cmd);
        assert_int_equal(x->error, y->error);
        assert_int_equal(x->key.off, y->key.off);
        assert_int_equal(x->key.len, y->key.len);
        assert_int_equal(x->value.off, y->value.off);
        assert_int_equal(x->value.len, y->value.len);
        assert_int_equal(x->value_len, y->value_len);
        if (x->cmd >= REQ_META_GET) {
            assert_int_equal(x->meta.error, y->meta.error);
            assert_true(x->meta.seen == y->meta.seen);
            assert_int_equal(x->meta.count, y->meta.count);
            assert_memory_equal(x->meta.order, y->meta.order, x->meta.count);
            assert_int_equal(x->meta.key_len, y->meta.key_len);
            assert_memory_equal(x->meta.key_buf, y->meta.key_buf,
                                x->meta.key_len);
        }
    }
}

static void
test_split_every_byte(void **state)
{
    (void)state;
    char in[3000];
    size_t n = (size_t)snprintf(
        in, sizeof in,
        "mg k v t\r\nms YWJj 5 b T0 F3 c\r\nhello\r\nms k 3 Zz\r\nabc\r\n"
        "mn\r\nms k 2 MX Oab\r\nxy\r\nms k abc\r\nget k\r\nms k 3\r\nabcde\r\n"
        "md k q\r\nma k MD D2 v\r\nms k 2 T1\r\n\r\n\r\nme YWJj b\r\n"
        "ms k %u\r\n",
        VALUE_MAX + 5);
    memset(in + n, 'x', VALUE_MAX + 5);
    n += VALUE_MAX + 5;
    n += (size_t)snprintf(in + n, sizeof in - n, "\r\nmg k\r\nms k 4\r\nab");
    struct parsed whole = parse_split(in, n, n);
    assert_int_equal(whole.count, 15);
    assert_int_equal(whole.req[14].cmd, REQ_META_GET);
    assert_int_equal(whole.left, 10); /* the last ms waits for its block */
    for (size_t split = 0; split <= n; split++) {
        struct parsed p = parse_split(in, n, split);
        assert_same(&whole, &p, split);
    }
}

/* ---- error texts --------------------------------------------------------- */

struct error_row {
    enum meta_error error;
    const char *text;
};

static const struct error_row error_rows[] = {
#define META_ERROR_ROW(name, text) {META_ERR_##name, text},
    META_ERRORS(META_ERROR_ROW)
#undef META_ERROR_ROW
};

/* [meta.errors]: one row per error, each a distinct CLIENT_ERROR line. */
static void
test_error_table(void **state)
{
    (void)state;
    size_t rows = sizeof error_rows / sizeof error_rows[0];
    assert_int_equal(rows, META_ERR_BAD_DELTA); /* every error but NONE */
    bool have[64] = {false};
    for (size_t i = 0; i < rows; i++) {
        assert_true(error_rows[i].error != META_ERR_NONE);
        assert_false(have[error_rows[i].error]);
        have[error_rows[i].error] = true;
        assert_memory_equal(error_rows[i].text, "CLIENT_ERROR ", 13);
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(error_rows[i].text, error_rows[j].text);
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("meta.mn", test_mn),
        CLAUSE_TEST("meta.no-key", test_no_key),
        CLAUSE_TEST("meta.key", test_key_length),
        CLAUSE_TEST("meta.mg-flags", test_mg_every_flag),
        CLAUSE_TEST("meta.flags", test_ms_md_ma_flags),
        CLAUSE_TEST("meta.flags", test_shared_flag_letters),
        CLAUSE_TEST("meta.flags", test_invalid_flag),
        CLAUSE_TEST("meta.duplicate", test_duplicate_flag),
        CLAUSE_TEST("meta.errors", test_error_precedence),
        CLAUSE_TEST("meta.errors", test_numeric_tokens),
        CLAUSE_TEST("meta.ms-flags-range", test_client_flags),
        CLAUSE_TEST("meta.opaque", test_opaque),
        CLAUSE_TEST("meta.token-limit", test_token_limit),
        CLAUSE_TEST("meta.base64-strict", test_base64_decoder),
        CLAUSE_TEST("meta.base64-key", test_base64_keys),
        CLAUSE_TEST("meta.me", test_me),
        CLAUSE_TEST("meta.ms-store", test_ms_data),
        CLAUSE_TEST("meta.ms-datalen", test_ms_bad_datalen),
        CLAUSE_TEST("meta.ms-swallow", test_ms_errors_swallow),
        CLAUSE_TEST("meta.ma", test_ma_modes),
        CLAUSE_TEST("frame.split", test_split_every_byte),
        CLAUSE_TEST("meta.errors", test_error_table),
    };
    return cmocka_run_group_tests_name("proto_meta", tests, NULL, NULL);
}
