/*
 * test_proto_meta_compose.c - the meta composer and the line composer:
 * response values in, bytes out (spec/protocol.md §19, and the text
 * protocol's replies through the same interface).
 */
#include "clause.h"

#include <stdio.h>
#include <string.h>

#include "../../src/proto/meta.h"
#include "../../src/proto/text.h"

/* A request parsed from `line` (which must hold one whole request). */
static struct request
parse(const char *line)
{
    struct proto_text_parser p;
    proto_text_init(&p, 1024);
    struct request req;
    size_t consumed;
    size_t needed;
    assert_int_equal(proto_text_parse(&p, (const uint8_t *)line, strlen(line),
                                      &req, &consumed, &needed),
                     PROTO_REQUEST);
    return req;
}

/* What a composer makes of resp, head, value and tail joined. */
struct composed {
    char bytes[2048];
    size_t len;
    char trace[PROTO_TRACE_MAX + 1];
};

static struct composed
compose_with(proto_compose_fn fn, const char *line,
             const struct response *resp)
{
    struct request req = parse(line);
    uint8_t head[LIMIT_REPLY_HEAD_LEN];
    struct proto_out out;
    fn(&req, (const uint8_t *)line, resp, head, &out, true);
    struct composed c = {.len = 0};
    memcpy(c.bytes, head, out.head_len);
    c.len = out.head_len;
    if (out.value_len > 0) {
        memcpy(c.bytes + c.len, out.value, out.value_len);
        c.len += out.value_len;
    }
    if (out.tail_len > 0) {
        memcpy(c.bytes + c.len, out.tail, out.tail_len);
        c.len += out.tail_len;
    }
    c.bytes[c.len] = '\0';
    memcpy(c.trace, out.trace, out.trace_len);
    c.trace[out.trace_len] = '\0';
    return c;
}

static struct composed
compose(const char *line, const struct response *resp)
{
    return compose_with(proto_line_compose, line, resp);
}

static struct response
item_response(enum response_status status, const char *key,
              const char *value)
{
    struct response r;
    memset(&r, 0, sizeof r);
    r.status = status;
    r.has_item = true;
    r.item.key = (const uint8_t *)key;
    r.item.key_len = strlen(key);
    r.item.value = (const uint8_t *)value;
    r.item.value_len = strlen(value);
    r.item.flags = 77;
    r.item.cas = 158;
    r.ttl_before = -1;
    r.ttl = 100;
    return r;
}

/* ---- base64 ----------------------------------------------------------------- */

static void
test_base64_encode(void **state)
{
    (void)state;
    static const struct {
        const char *raw;
        const char *b64;
    } vectors[] = {{"f", "Zg=="},         {"fo", "Zm8="},
                   {"foo", "Zm9v"},       {"foob", "Zm9vYg=="},
                   {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
                   {"a b\r\n", "YSBiDQo="}};
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        uint8_t out[16];
        size_t n = proto_meta_base64_encode((const uint8_t *)vectors[i].raw,
                                            strlen(vectors[i].raw), out);
        assert_int_equal(n, strlen(vectors[i].b64));
        assert_memory_equal(out, vectors[i].b64, n);
        uint8_t back[16];
        assert_int_equal(proto_meta_base64_decode(out, n, back),
                         strlen(vectors[i].raw));
        assert_memory_equal(back, vectors[i].raw, strlen(vectors[i].raw));
    }
    /* Every byte value round-trips. */
    uint8_t all[256];
    for (int i = 0; i < 256; i++) {
        all[i] = (uint8_t)i;
    }
    uint8_t enc[344];
    uint8_t dec[258];
    size_t n = proto_meta_base64_encode(all, 256, enc);
    assert_int_equal(n, 344);
    assert_int_equal(proto_meta_base64_decode(enc, n, dec), 256);
    assert_memory_equal(dec, all, 256);
}

/* ---- mg ---------------------------------------------------------------------- */

static void
test_mg_flags_in_request_order(void **state)
{
    (void)state;
    struct response r = item_response(RESP_VALUE, "mk", "hello");
    r.fetched_before = true;
    r.idle_s = 7;
    struct composed c = compose("mg mk s v t f c k O99 h l q u\r\n", &r);
    assert_string_equal(c.bytes,
                        "VA 5 s5 t-1 f77 c158 kmk O99 h1 l7\r\nhello\r\n");
    assert_string_equal(c.trace, "VA 5 s5 t-1 f77 c158 kmk O99 h1 l7");
    c = compose("mg mk O1 c k\r\n", &r);
    assert_string_equal(c.bytes, "HD O1 c158 kmk\r\n");
    /* t after T shows the TTL after the touch. */
    r.ttl_changed = true;
    c = compose("mg mk T100 t\r\n", &r);
    assert_string_equal(c.bytes, "HD t100\r\n");
    c = compose("mg mk t T100\r\n", &r);
    assert_string_equal(c.bytes, "HD t-1\r\n");
}

static void
test_mg_win_stale_token_order(void **state)
{
    (void)state;
    struct response r = item_response(RESP_VALUE, "k", "abc");
    r.ttl = 30;
    r.ttl_before = 30;
    r.stale = true;
    r.win = true;
    struct composed c = compose("mg k v t c\r\n", &r);
    assert_string_equal(c.bytes, "VA 3 t30 c158 X W\r\nabc\r\n");
    r.win = false;
    r.token_sent = true;
    c = compose("mg k v t\r\n", &r);
    assert_string_equal(c.bytes, "VA 3 t30 Z X\r\nabc\r\n");
    r.stale = false;
    c = compose("mg k\r\n", &r);
    assert_string_equal(c.bytes, "HD Z\r\n");
}

static void
test_mg_miss_and_cas_check(void **state)
{
    (void)state;
    struct response r;
    memset(&r, 0, sizeof r);
    r.status = RESP_MISS;
    r.item.key = (const uint8_t *)"missing";
    r.item.key_len = 7;
    struct composed c = compose("mg missing v k Oab s t c\r\n", &r);
    assert_string_equal(c.bytes, "EN kmissing Oab\r\n");
    assert_string_equal(c.trace, "EN kmissing Oab");
    /* The engine decides whether the value is left out (C equal to the
     * item's CAS, [meta.mg-cas-check]); the composer only words it. */
    r = item_response(RESP_VALUE, "k", "abc");
    r.omit_value = true;
    c = compose("mg k v C157\r\n", &r);
    assert_string_equal(c.bytes, "HD\r\n");
    r.omit_value = false;
    c = compose("mg k v C158\r\n", &r);
    assert_string_equal(c.bytes, "VA 3\r\nabc\r\n");
}

static void
test_base64_key_output(void **state)
{
    (void)state;
    struct response r = item_response(RESP_VALUE, "a b\r\n", "");
    r.key_binary = true;
    struct composed c = compose("mg YSBiDQo= b k v\r\n", &r);
    assert_string_equal(c.bytes, "VA 0 kYSBiDQo= b\r\n\r\n");
    r.status = RESP_STORED;
    c = compose("ms YSBiDQo= 0 b k c\r\n\r\n", &r);
    assert_string_equal(c.bytes, "HD kYSBiDQo= b c158\r\n");
    r.status = RESP_DEBUG;
    r.ttl = -1;
    r.item.size = 40;
    c = compose("me YSBiDQo= b\r\n", &r);
    assert_string_equal(c.bytes, "ME YSBiDQo= exp=-1 la=0 cas=158 fetch=no "
                                 "cls=1 size=40\r\n");
}

/* ---- ms md ma mn me ------------------------------------------------------------ */

static void
test_ms_md_codes(void **state)
{
    (void)state;
    static const struct {
        enum response_status status;
        const char *code;
    } codes[] = {{RESP_STORED, "HD"},
                 {RESP_NOT_STORED, "NS"},
                 {RESP_EXISTS, "EX"},
                 {RESP_NOT_FOUND, "NF"}};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        struct response r = item_response(codes[i].status, "k", "xy");
        struct composed c = compose("ms k 2 O5 s k c T9 F1 q\r\nxy\r\n", &r);
        char want[64];
        snprintf(want, sizeof want, "%s O5 s2 kk c158\r\n", codes[i].code);
        assert_string_equal(c.bytes, want);
    }
    struct response r = item_response(RESP_DELETED, "k", "");
    struct composed c = compose("md k k O1 c t\r\n", &r);
    assert_string_equal(c.bytes, "HD kk O1\r\n");
    r.status = RESP_NOT_FOUND;
    c = compose("md k O1\r\n", &r);
    assert_string_equal(c.bytes, "NF O1\r\n");
    r.status = RESP_EXISTS;
    c = compose("md k\r\n", &r);
    assert_string_equal(c.bytes, "EX\r\n");
}

static void
test_ma_number(void **state)
{
    (void)state;
    struct response r = item_response(RESP_NUMBER, "cnt", "");
    r.number = 16;
    r.ttl = -1;
    struct composed c = compose("ma cnt D5 v t c k O2\r\n", &r);
    assert_string_equal(c.bytes, "VA 2 t-1 c158 kcnt O2\r\n16\r\n");
    assert_string_equal(c.trace, "VA 2 t-1 c158 kcnt O2");
    c = compose("ma cnt\r\n", &r);
    assert_string_equal(c.bytes, "HD\r\n");
    r.status = RESP_NOT_FOUND;
    c = compose("ma cnt k t\r\n", &r);
    assert_string_equal(c.bytes, "NF kcnt\r\n");
    r.status = RESP_NON_NUMERIC;
    c = compose("ma cnt\r\n", &r);
    assert_string_equal(
        c.bytes,
        "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
}

static void
test_mn_me(void **state)
{
    (void)state;
    struct response r;
    memset(&r, 0, sizeof r);
    r.status = RESP_NOOP;
    assert_string_equal(compose("mn\r\n", &r).bytes, "MN\r\n");
    r.status = RESP_MISS;
    assert_string_equal(compose("me k\r\n", &r).bytes, "EN\r\n");
    r = item_response(RESP_DEBUG, "k", "hello");
    r.ttl = 97;
    r.idle_s = 3;
    r.fetched_before = true;
    r.item.size = 25;
    assert_string_equal(compose("me k\r\n", &r).bytes,
                        "ME k exp=97 la=3 cas=158 fetch=yes cls=1 size=25\r\n");
}

/* ---- errors ------------------------------------------------------------------ */

static void
test_meta_error_lines(void **state)
{
    (void)state;
    static const struct {
        enum meta_error error;
        const char *line;
    } rows[] = {
#define ROW(name, text) {META_ERR_##name, text "\r\n"},
        META_ERRORS(ROW)
#undef ROW
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct response r;
        memset(&r, 0, sizeof r);
        r.status = RESP_REQUEST_ERROR;
        r.error = REQERR_META;
        r.meta_error = rows[i].error;
        struct composed c = compose("mg k\r\n", &r);
        assert_string_equal(c.bytes, rows[i].line);
        assert_int_equal(strlen(c.trace), strlen(rows[i].line) - 2);
    }
    /* The errors meta shares with text come from the text table. */
    struct response r;
    memset(&r, 0, sizeof r);
    r.status = RESP_REQUEST_ERROR;
    r.error = REQERR_BAD_CHUNK;
    assert_string_equal(compose("ms k 1\r\nz\r\n", &r).bytes,
                        "CLIENT_ERROR bad data chunk\r\n");
    r.status = RESP_TOO_LARGE;
    assert_string_equal(compose("ms k 1\r\nz\r\n", &r).bytes,
                        "SERVER_ERROR object too large for cache\r\n");
    r.status = RESP_NO_MEMORY;
    assert_string_equal(compose("md k\r\n", &r).bytes,
                        "SERVER_ERROR out of memory\r\n");
}

/* ---- the text protocol through the same interface ------------------------------ */

static void
test_text_responses(void **state)
{
    (void)state;
    struct response r = item_response(RESP_VALUE, "foo", "bar");
    r.item.flags = 5;
    struct composed c = compose("get foo\r\n", &r);
    assert_string_equal(c.bytes, "VALUE foo 5 3\r\nbar\r\n");
    assert_string_equal(c.trace, "sending key foo");
    r.with_cas = true;
    c = compose("gets foo\r\n", &r);
    assert_string_equal(c.bytes, "VALUE foo 5 3 158\r\nbar\r\n");
    r.status = RESP_MISS;
    c = compose("get foo\r\n", &r);
    assert_int_equal(c.len, 0);
    memset(&r, 0, sizeof r);
    r.status = RESP_NUMBER;
    r.number = 42;
    c = compose("incr k 1\r\n", &r);
    assert_string_equal(c.bytes, "42\r\n");
    assert_string_equal(c.trace, "42");
    r.status = RESP_VERSION;
    r.text = "1.6.18-mcref";
    assert_string_equal(compose("version\r\n", &r).bytes,
                        "VERSION 1.6.18-mcref\r\n");
    r.status = RESP_STAT;
    r.name = "pid";
    r.text = NULL;
    r.number = 7;
    assert_string_equal(compose("stats\r\n", &r).bytes, "STAT pid 7\r\n");
    r.text = "disabled";
    r.name = "sizes_status";
    assert_string_equal(compose("stats\r\n", &r).bytes,
                        "STAT sizes_status disabled\r\n");
    static const struct {
        enum response_status status;
        const char *line;
    } lines[] = {{RESP_STORED, "STORED"},
                 {RESP_NOT_STORED, "NOT_STORED"},
                 {RESP_EXISTS, "EXISTS"},
                 {RESP_NOT_FOUND, "NOT_FOUND"},
                 {RESP_DELETED, "DELETED"},
                 {RESP_TOUCHED, "TOUCHED"},
                 {RESP_END, "END"},
                 {RESP_OK, "OK"},
                 {RESP_RESET, "RESET"},
                 {RESP_NOOP, "ERROR"},
                 {RESP_DEBUG, "ERROR"},
                 {RESP_NO_MEMORY_STORE,
                  "SERVER_ERROR out of memory storing object"},
                 {RESP_FLUSH_DISABLED, "CLIENT_ERROR flush_all not allowed"},
                 {RESP_SHUTDOWN_DISABLED, "ERROR: shutdown not enabled"},
                 {RESP_SHUTDOWN_MODE, "CLIENT_ERROR invalid shutdown mode"}};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        memset(&r, 0, sizeof r);
        r.status = lines[i].status;
        c = compose("set k 0 0 1\r\nz\r\n", &r);
        char want[80];
        snprintf(want, sizeof want, "%s\r\n", lines[i].line);
        assert_string_equal(c.bytes, want);
        assert_string_equal(c.trace, lines[i].line);
    }
    memset(&r, 0, sizeof r);
    r.status = RESP_REQUEST_ERROR;
    r.error = REQERR_FORMAT;
    assert_string_equal(compose("get k\r\n", &r).bytes,
                        "CLIENT_ERROR bad command line format\r\n");
    r.error = REQERR_META; /* never from a text command: ERROR */
    assert_string_equal(compose_with(proto_text_compose, "get k\r\n", &r).bytes,
                        "ERROR\r\n");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("meta.base64-key", test_base64_encode),
        CLAUSE_TEST("meta.mg-flags", test_mg_flags_in_request_order),
        CLAUSE_TEST("meta.stale", test_mg_win_stale_token_order),
        CLAUSE_TEST("meta.mg-miss", test_mg_miss_and_cas_check),
        CLAUSE_TEST("meta.base64-mark", test_base64_key_output),
        CLAUSE_TEST("meta.ms-store", test_ms_md_codes),
        CLAUSE_TEST("meta.ma", test_ma_number),
        CLAUSE_TEST("meta.me", test_mn_me),
        CLAUSE_TEST("meta.errors", test_meta_error_lines),
        CLAUSE_TEST("get.reply", test_text_responses),
    };
    return cmocka_run_group_tests_name("proto_meta_compose", tests, NULL,
                                       NULL);
}
