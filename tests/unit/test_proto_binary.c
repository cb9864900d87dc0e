/* test_proto_binary.c - the binary protocol's packet parser and composer. */
#include "clause.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/proto/binary.h"

#define VALUE_MAX 1024u
#define MAX_REQS 16

/* ---- packets ------------------------------------------------------------- */

struct pkt {
    uint8_t b[4096];
    size_t len;
};

static void
put_be(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    }
}

/* Appends a request packet; body_len (UINT64_MAX: from the parts). */
static void
add(struct pkt *p, uint8_t op, const void *ext, size_t ext_len,
    const char *key, const void *val, size_t val_len, uint32_t opaque,
    uint64_t cas, uint64_t body_len)
{
    size_t key_len = key != NULL ? strlen(key) : 0;
    uint8_t *h = p->b + p->len;
    assert_true(p->len + 24 + ext_len + key_len + val_len <= sizeof p->b);
    h[0] = 0x80;
    h[1] = op;
    put_be(h + 2, key_len, 2);
    h[4] = (uint8_t)ext_len;
    h[5] = 0;
    put_be(h + 6, 0, 2);
    put_be(h + 8,
           body_len != UINT64_MAX ? body_len : ext_len + key_len + val_len, 4);
    put_be(h + 12, opaque, 4);
    put_be(h + 16, cas, 8);
    p->len += 24;
    if (ext_len > 0) {
        memcpy(p->b + p->len, ext, ext_len);
    }
    p->len += ext_len;
    if (key_len > 0) {
        memcpy(p->b + p->len, key, key_len);
    }
    p->len += key_len;
    if (val_len > 0) {
        memcpy(p->b + p->len, val, val_len);
    }
    p->len += val_len;
}

static void
add_simple(struct pkt *p, uint8_t op, const char *key, uint32_t opaque)
{
    add(p, op, NULL, 0, key, NULL, 0, opaque, 0, UINT64_MAX);
}

static void
add_set(struct pkt *p, uint8_t op, const char *key, uint32_t flags,
        uint32_t exptime, const char *val, uint64_t cas)
{
    uint8_t ext[8];
    put_be(ext, flags, 4);
    put_be(ext + 4, exptime, 4);
    add(p, op, ext, 8, key, val, strlen(val), 0, cas, UINT64_MAX);
}

/* ---- driver -------------------------------------------------------------- */

struct parsed {
    struct request req[MAX_REQS];
    size_t start[MAX_REQS];
    size_t count;
    bool closed;
    size_t left;
    uint8_t *data;
};

/* Parses input as a connection would: `split` bytes first, then the rest;
 * the input lives in an exact-size heap block so ASan sees overreads. */
static struct parsed
parse_split(const void *input, size_t len, size_t split)
{
    struct parsed out = {0};
    out.data = malloc(len == 0 ? 1 : len);
    assert_non_null(out.data);
    memcpy(out.data, input, len);
    struct proto_bin_parser p;
    proto_binary_init(&p, VALUE_MAX);
    size_t at = 0;
    size_t avail = split < len ? split : len;
    for (;;) {
        size_t consumed;
        size_t needed;
        struct request req;
        enum proto_status st = proto_binary_parse(
            &p, out.data + at, avail - at, &req, &consumed, &needed);
        assert_true(consumed <= avail - at);
        if (st == PROTO_CLOSE) {
            out.closed = true;
            break;
        }
        if (st == PROTO_INCOMPLETE) {
            at += consumed;
            if (consumed == 0) {
                assert_true(needed == 0 || needed > avail - at);
                if (avail == len) {
                    break;
                }
                avail = len;
            }
            continue;
        }
        assert_true(out.count < MAX_REQS);
        out.start[out.count] = at;
        out.req[out.count++] = req;
        at += consumed;
        if (proto_binary_error_closes(req.bin.error)) {
            break; /* the session closes here */
        }
    }
    out.left = avail - at;
    return out;
}

static struct parsed
parse(const struct pkt *p)
{
    return parse_split(p->b, p->len, p->len);
}

static void
done(struct parsed *p)
{
    free(p->data);
}

static bool
key_is(const struct parsed *p, size_t i, const char *key)
{
    const struct request *r = &p->req[i];
    return r->key.len == strlen(key) &&
           memcmp(p->data + p->start[i] + r->key.off, key, r->key.len) == 0;
}

static bool
value_is(const struct parsed *p, size_t i, const char *val)
{
    const struct request *r = &p->req[i];
    return r->value.len == strlen(val) &&
           memcmp(p->data + p->start[i] + r->value.off, val, r->value.len) ==
               0;
}

/* ---- requests ------------------------------------------------------------ */

static void
test_get_family(void **state)
{
    (void)state;
    struct pkt p = {0};
    add_simple(&p, BIN_OP_GET, "a", 1);
    add_simple(&p, BIN_OP_GETQ, "bb", 2);
    add_simple(&p, BIN_OP_GETK, "ccc", 3);
    add_simple(&p, BIN_OP_GETKQ, "d", 4);
    struct parsed r = parse(&p);
    assert_int_equal(r.count, 4);
    assert_int_equal(r.left, 0);
    static const bool quiet[] = {false, true, false, true};
    static const bool with_key[] = {false, false, true, true};
    static const char *keys[] = {"a", "bb", "ccc", "d"};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(r.req[i].cmd, REQ_BINARY);
        assert_int_equal(r.req[i].bin.error, BIN_ERR_NONE);
        assert_int_equal(r.req[i].bin.opaque, i + 1);
        assert_int_equal(r.req[i].bin.quiet, quiet[i]);
        assert_int_equal(r.req[i].bin.with_key, with_key[i]);
        assert_true(key_is(&r, i, keys[i]));
    }
    done(&r);
}

static void
test_set_fields(void **state)
{
    (void)state;
    struct pkt p = {0};
    add_set(&p, BIN_OP_SET, "key", 0xdeadbeef, 100, "value", 77);
    add_set(&p, BIN_OP_ADDQ, "k2", 1, 0xffffffffu, "", 0);
    struct parsed r = parse(&p);
    assert_int_equal(r.count, 2);
    assert_int_equal(r.req[0].bin.opcode, BIN_OP_SET);
    assert_int_equal(r.req[0].flags, 0xdeadbeef);
    assert_int_equal(r.req[0].exptime, 100);
    assert_int_equal(r.req[0].cas_unique, 77);
    assert_true(key_is(&r, 0, "key"));
    assert_true(value_is(&r, 0, "value"));
    assert_true(r.req[1].bin.quiet);
    assert_int_equal(r.req[1].bin.raw_exptime, 0xffffffffu);
    assert_int_equal(r.req[1].exptime, INT32_MAX); /* [bin.exptime] */
    assert_true(value_is(&r, 1, ""));
    done(&r);
}

static void
test_incr_extras(void **state)
{
    (void)state;
    uint8_t ext[20];
    put_be(ext, 5, 8);
    put_be(ext + 8, 42, 8);
    put_be(ext + 16, BIN_NO_CREATE, 4);
    struct pkt p = {0};
    add(&p, BIN_OP_DECREMENTQ, ext, 20, "n", NULL, 0, 9, 0, UINT64_MAX);
    struct parsed r = parse(&p);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.req[0].delta, 5);
    assert_int_equal(r.req[0].bin.initial, 42);
    assert_int_equal(r.req[0].bin.raw_exptime, BIN_NO_CREATE);
    assert_true(r.req[0].bin.quiet);
    done(&r);
}

static void
test_flush_touch_stat(void **state)
{
    (void)state;
    uint8_t ext[4];
    put_be(ext, 30, 4);
    struct pkt p = {0};
    add_simple(&p, BIN_OP_FLUSH, NULL, 0);
    add(&p, BIN_OP_FLUSHQ, ext, 4, NULL, NULL, 0, 0, 0, UINT64_MAX);
    add(&p, BIN_OP_TOUCH, ext, 4, "t", NULL, 0, 0, 0, UINT64_MAX);
    add(&p, BIN_OP_GATKQ, ext, 4, "t", NULL, 0, 0, 0, UINT64_MAX);
    add_simple(&p, BIN_OP_STAT, "settings", 0);
    add_simple(&p, BIN_OP_STAT, NULL, 0);
    struct parsed r = parse(&p);
    assert_int_equal(r.count, 6);
    assert_false(r.req[0].bin.has_delay);
    assert_true(r.req[1].bin.has_delay);
    assert_int_equal(r.req[1].exptime, 30);
    assert_int_equal(r.req[2].exptime, 30);
    assert_true(r.req[3].bin.with_key && r.req[3].bin.quiet);
    assert_int_equal(r.req[4].arg.len, 8);
    assert_int_equal(r.req[5].arg.len, 0);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(r.req[i].bin.error, BIN_ERR_NONE);
    }
    done(&r);
}

/* [bin.lengths]: each shape's refusals, decided from the header. */
static void
test_lengths(void **state)
{
    (void)state;
    struct {
        uint8_t op;
        size_t ext;
        const char *key;
        size_t val;
    } bad[] = {
        {BIN_OP_GET, 4, "a", 0},     {BIN_OP_GET, 0, NULL, 0},
        {BIN_OP_GET, 0, "a", 1},     {BIN_OP_SET, 0, "a", 1},
        {BIN_OP_SET, 8, NULL, 1},    {BIN_OP_APPEND, 4, "a", 1},
        {BIN_OP_DELETE, 0, "a", 2},  {BIN_OP_INCREMENT, 8, "a", 0},
        {BIN_OP_NOOP, 0, "k", 0},    {BIN_OP_VERSION, 0, NULL, 1},
        {BIN_OP_FLUSH, 2, NULL, 0},  {BIN_OP_FLUSH, 4, "k", 0},
        {BIN_OP_STAT, 4, NULL, 0},   {BIN_OP_TOUCH, 0, "k", 0},
        {BIN_OP_GAT, 4, NULL, 0},    {BIN_OP_QUIT, 1, NULL, 0},
        {BIN_OP_SASL_LIST_MECHS, 0, "x", 0},
        {BIN_OP_SASL_AUTH, 0, NULL, 3},
        {BIN_OP_SASL_AUTH, 4, "PLAIN", 3},
        {BIN_OP_APPEND, 0, NULL, 1},     {BIN_OP_INCREMENT, 20, NULL, 0},
        {BIN_OP_INCREMENT, 20, "a", 1},  {BIN_OP_FLUSH, 4, NULL, 1},
        {BIN_OP_FLUSH, 0, NULL, 1},      {BIN_OP_STAT, 0, "k", 1},
        {BIN_OP_TOUCH, 4, NULL, 0},      {BIN_OP_TOUCH, 4, "k", 1},
        {BIN_OP_SET, 4, "k", 1},         {BIN_OP_NOOP, 4, NULL, 0},
    };
    static const uint8_t zeros[32];
    /* SASL data over its bound */
    {
        static uint8_t big[1100];
        struct pkt p = {0};
        add(&p, BIN_OP_SASL_AUTH, NULL, 0, "PLAIN", big, sizeof big, 0, 0,
            UINT64_MAX);
        struct parsed r = parse(&p);
        assert_int_equal(r.count, 1);
        assert_int_equal(r.req[0].bin.error, BIN_ERR_SASL_TOO_LONG);
        assert_true(proto_binary_error_closes(BIN_ERR_SASL_TOO_LONG));
        done(&r);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct pkt p = {0};
        add(&p, bad[i].op, zeros, bad[i].ext, bad[i].key, zeros, bad[i].val,
            5, 0, UINT64_MAX);
        add_simple(&p, BIN_OP_NOOP, NULL, 0);
        struct parsed r = parse(&p);
        if (r.count != 1 || r.req[0].bin.error != BIN_ERR_INVALID) {
            fprintf(stderr, "case %zu: op 0x%02x\n", i, bad[i].op);
            fail();
        }
        assert_int_equal(r.req[0].bin.opaque, 5);
        done(&r);
    }
    /* A key and extras longer than the body. */
    struct pkt p = {0};
    add(&p, BIN_OP_SET, zeros, 8, "abc", NULL, 0, 0, 0, 5);
    struct parsed r = parse_split(p.b, 24, 24);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.req[0].bin.error, BIN_ERR_LENGTHS);
    assert_true(proto_binary_error_closes(BIN_ERR_LENGTHS));
    done(&r);
    /* A huge body is refused from the header alone. */
    memset(&p, 0, sizeof p);
    add(&p, BIN_OP_GET, NULL, 0, "abc", NULL, 0, 0, 0, 0xffffffffu);
    r = parse_split(p.b, 24, 24);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.req[0].bin.error, BIN_ERR_INVALID);
    done(&r);
}

static void
test_key_length(void **state)
{
    (void)state;
    char key[252];
    memset(key, 'k', 251);
    key[251] = '\0';
    struct pkt p = {0};
    add_simple(&p, BIN_OP_GET, key, 0);
    struct parsed r = parse(&p);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.req[0].bin.error, BIN_ERR_INVALID);
    done(&r);
    key[250] = '\0';
    memset(&p, 0, sizeof p);
    add_simple(&p, BIN_OP_GET, key, 0);
    r = parse(&p);
    assert_int_equal(r.req[0].bin.error, BIN_ERR_NONE);
    assert_int_equal(r.req[0].key.len, 250);
    done(&r);
    /* [bin.lengths] comes first: a 251-byte key in an empty body. */
    key[250] = 'k';
    memset(&p, 0, sizeof p);
    add(&p, BIN_OP_GET, NULL, 0, key, NULL, 0, 0, 0, 0);
    r = parse_split(p.b, 24, 24);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.req[0].bin.error, BIN_ERR_LENGTHS);
    done(&r);
}

/* [bin.unknown]: the body is dropped whole; the next packet is read. */
static void
test_unknown_keeps_sync(void **state)
{
    (void)state;
    struct pkt p = {0};
    add(&p, 0x1b, "xy", 2, "ab", "zz", 2, 1, 0, UINT64_MAX);
    add_simple(&p, 0x50, NULL, 2);
    add_simple(&p, BIN_OP_NOOP, NULL, 3);
    for (size_t split = 0; split <= p.len; split++) {
        struct parsed r = parse_split(p.b, p.len, split);
        assert_int_equal(r.count, 3);
        assert_int_equal(r.req[0].bin.error, BIN_ERR_UNKNOWN);
        assert_int_equal(r.req[1].bin.error, BIN_ERR_UNKNOWN);
        assert_int_equal(r.req[2].bin.opcode, BIN_OP_NOOP);
        assert_int_equal(r.req[2].bin.opaque, 3);
        assert_int_equal(r.left, 0);
        done(&r);
    }
    assert_null(proto_binary_opcode_name(0x1b));
    assert_string_equal(proto_binary_opcode_name(BIN_OP_GATKQ), "GATKQ");
}

/* [bin.too-large]: answered once the key is in; the value is dropped. */
static void
test_too_large(void **state)
{
    (void)state;
    static char big[VALUE_MAX + 2];
    memset(big, 'x', VALUE_MAX + 1);
    struct pkt p = {0};
    add_set(&p, BIN_OP_SET, "big", 0, 0, big, 0);
    add_simple(&p, BIN_OP_NOOP, NULL, 7);
    struct parsed r = parse_split(p.b, p.len, 24 + 8 + 3);
    assert_int_equal(r.count, 2);
    assert_int_equal(r.req[0].bin.error, BIN_ERR_TOO_LARGE);
    assert_int_equal(r.req[0].value_len, VALUE_MAX + 1);
    assert_true(key_is(&r, 0, "big"));
    assert_int_equal(r.req[1].bin.opaque, 7);
    done(&r);
    /* exactly the limit is fine */
    big[VALUE_MAX] = '\0';
    memset(&p, 0, sizeof p);
    add_set(&p, BIN_OP_SET, "big", 0, 0, big, 0);
    r = parse(&p);
    assert_int_equal(r.req[0].bin.error, BIN_ERR_NONE);
    assert_int_equal(r.req[0].value.len, VALUE_MAX);
    done(&r);
}

static void
test_bad_magic(void **state)
{
    (void)state;
    struct pkt p = {0};
    add_simple(&p, BIN_OP_NOOP, NULL, 0);
    p.b[0] = 0x81;
    struct parsed r = parse_split(p.b, 23, 23);
    assert_false(r.closed); /* fewer than 24 bytes wait */
    done(&r);
    r = parse(&p);
    assert_true(r.closed);
    assert_int_equal(r.count, 0);
    done(&r);
}

/* [bin.frame]: the same requests however the bytes are split. */
static void
test_split_every_byte(void **state)
{
    (void)state;
    struct pkt p = {0};
    add_set(&p, BIN_OP_SET, "key", 1, 2, "some value", 3);
    add_simple(&p, BIN_OP_GETK, "key", 4);
    uint8_t ext[20] = {0};
    ext[7] = 1;
    add(&p, BIN_OP_INCREMENT, ext, 20, "n", NULL, 0, 5, 0, UINT64_MAX);
    add(&p, BIN_OP_APPENDQ, NULL, 0, "key", "!", 1, 6, 0, UINT64_MAX);
    add_simple(&p, BIN_OP_NOOP, NULL, 7);
    struct parsed whole = parse(&p);
    assert_int_equal(whole.count, 5);
    for (size_t split = 0; split <= p.len; split++) {
        struct parsed r = parse_split(p.b, p.len, split);
        assert_int_equal(r.count, whole.count);
        for (size_t i = 0; i < r.count; i++) {
            assert_int_equal(r.start[i], whole.start[i]);
            assert_int_equal(r.req[i].bin.opcode, whole.req[i].bin.opcode);
            assert_int_equal(r.req[i].bin.opaque, whole.req[i].bin.opaque);
            assert_int_equal(r.req[i].key.off, whole.req[i].key.off);
            assert_int_equal(r.req[i].value.len, whole.req[i].value.len);
            assert_int_equal(r.req[i].delta, whole.req[i].delta);
        }
        done(&r);
    }
    done(&whole);
}

/* ---- responses ----------------------------------------------------------- */

struct composed {
    uint8_t bytes[LIMIT_REPLY_HEAD_LEN + 2048];
    size_t len;
};

static struct composed
compose(const struct request *req, const uint8_t *base,
        const struct response *resp)
{
    struct composed c = {0};
    struct proto_out out;
    proto_binary_compose(req, base, resp, c.bytes, &out, true);
    c.len = out.head_len;
    if (out.value_len > 0) {
        memcpy(c.bytes + c.len, out.value, out.value_len);
    }
    c.len += out.value_len;
    if (out.tail_len > 0) {
        memcpy(c.bytes + c.len, out.tail, out.tail_len);
    }
    c.len += out.tail_len;
    assert_true(out.trace_len > 0);
    return c;
}

static uint64_t
be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static void
check_header(const struct composed *c, uint8_t op, uint16_t status,
             size_t key_len, size_t ext_len, uint32_t opaque, uint64_t cas)
{
    assert_true(c->len >= 24);
    assert_int_equal(c->bytes[0], 0x81);
    assert_int_equal(c->bytes[1], op);
    assert_int_equal(be(c->bytes + 2, 2), key_len);
    assert_int_equal(c->bytes[4], ext_len);
    assert_int_equal(c->bytes[5], 0);
    assert_int_equal(be(c->bytes + 6, 2), status);
    assert_int_equal(be(c->bytes + 8, 4), c->len - 24);
    assert_int_equal(be(c->bytes + 12, 4), opaque);
    assert_int_equal(be(c->bytes + 16, 8), cas);
}

static struct request
req_of(uint8_t op, bool with_key, uint32_t opaque)
{
    struct request r;
    memset(&r, 0, sizeof r);
    r.cmd = REQ_BINARY;
    r.bin.opcode = op;
    r.bin.with_key = with_key;
    r.bin.opaque = opaque;
    return r;
}

static void
test_compose_hit(void **state)
{
    (void)state;
    struct request req = req_of(BIN_OP_GETK, true, 99);
    struct response resp = {.status = RESP_VALUE, .has_item = true};
    resp.item.key = (const uint8_t *)"kk";
    resp.item.key_len = 2;
    resp.item.value = (const uint8_t *)"value";
    resp.item.value_len = 5;
    resp.item.flags = 0x01020304;
    resp.item.cas = 1234;
    struct composed c = compose(&req, NULL, &resp);
    check_header(&c, BIN_OP_GETK, 0, 2, 4, 99, 1234);
    assert_memory_equal(c.bytes + 24, "\x01\x02\x03\x04kkvalue", 11);
    req = req_of(BIN_OP_GET, false, 1);
    c = compose(&req, NULL, &resp);
    check_header(&c, BIN_OP_GET, 0, 0, 4, 1, 1234);
    assert_memory_equal(c.bytes + 28, "value", 5);
    /* [bin.touch]: flags, no value */
    req = req_of(BIN_OP_TOUCH, false, 2);
    resp.status = RESP_TOUCHED;
    c = compose(&req, NULL, &resp);
    check_header(&c, BIN_OP_TOUCH, 0, 0, 4, 2, 1234);
    assert_int_equal(c.len, 28);
}

static void
test_compose_statuses(void **state)
{
    (void)state;
    struct {
        enum response_status st;
        uint16_t code;
        const char *text;
    } rows[] = {
        {RESP_NOT_FOUND, 1, "Not found"},
        {RESP_EXISTS, 2, "Data exists for key."},
        {RESP_NOT_STORED, 5, "Not stored."},
        {RESP_NON_NUMERIC, 6, "Non-numeric server-side value for incr or decr"},
        {RESP_NO_MEMORY, 0x82, "Out of memory"},
        {RESP_FLUSH_DISABLED, 0x20, "Auth failure."},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct request req = req_of(BIN_OP_SET, false, 3);
        struct response resp = {.status = rows[i].st};
        resp.item.cas = 55; /* never shown on a failure */
        struct composed c = compose(&req, NULL, &resp);
        check_header(&c, BIN_OP_SET, rows[i].code, 0, 0, 3, 0);
        assert_int_equal(c.len - 24, strlen(rows[i].text));
        assert_memory_equal(c.bytes + 24, rows[i].text, c.len - 24);
    }
    /* Parse errors. */
    struct request req = req_of(BIN_OP_GET, false, 4);
    struct response resp = {.status = RESP_REQUEST_ERROR};
    req.bin.error = BIN_ERR_INVALID;
    struct composed c = compose(&req, NULL, &resp);
    check_header(&c, BIN_OP_GET, 4, 0, 0, 4, 0);
    assert_memory_equal(c.bytes + 24, "Invalid arguments", 17);
    req.bin.error = BIN_ERR_UNKNOWN;
    c = compose(&req, NULL, &resp);
    check_header(&c, BIN_OP_GET, 0x81, 0, 0, 4, 0);
    req.bin.error = BIN_ERR_TOO_LARGE;
    c = compose(&req, NULL, &resp);
    check_header(&c, BIN_OP_GET, 3, 0, 0, 4, 0);
    assert_memory_equal(c.bytes + 24, "Too large.", 10);
    /* An explicit status (auth). */
    struct response auth = {.status = RESP_REQUEST_ERROR,
                            .bin_status = BIN_STATUS_AUTH_ERROR};
    req = req_of(BIN_OP_SASL_AUTH, false, 0);
    c = compose(&req, NULL, &auth);
    check_header(&c, BIN_OP_SASL_AUTH, 0x20, 0, 0, 0, 0);
}

/* [bin.get]: getk's miss echoes the key, with no text. */
static void
test_compose_getk_miss(void **state)
{
    (void)state;
    const uint8_t base[] = "....key";
    struct request req = req_of(BIN_OP_GETK, true, 8);
    req.key = (struct slice){4, 3};
    struct response resp = {.status = RESP_NOT_FOUND};
    struct composed c = compose(&req, base, &resp);
    check_header(&c, BIN_OP_GETK, 1, 3, 0, 8, 0);
    assert_memory_equal(c.bytes + 24, "key", 3);
}

static void
test_compose_number_stat_version(void **state)
{
    (void)state;
    struct request req = req_of(BIN_OP_INCREMENT, false, 0);
    struct response resp = {.status = RESP_NUMBER, .number = 0x0102030405060708};
    resp.item.cas = 9;
    struct composed c = compose(&req, NULL, &resp);
    check_header(&c, BIN_OP_INCREMENT, 0, 0, 0, 0, 9);
    assert_int_equal(be(c.bytes + 24, 8), 0x0102030405060708);
    req = req_of(BIN_OP_STAT, false, 0);
    struct response stat = {.status = RESP_STAT, .name = "pid", .number = 42};
    c = compose(&req, NULL, &stat);
    check_header(&c, BIN_OP_STAT, 0, 3, 0, 0, 0);
    assert_memory_equal(c.bytes + 24, "pid42", 5);
    struct response end = {.status = RESP_END};
    c = compose(&req, NULL, &end);
    check_header(&c, BIN_OP_STAT, 0, 0, 0, 0, 0);
    struct response unknown = {.status = RESP_REQUEST_ERROR};
    c = compose(&req, NULL, &unknown);
    check_header(&c, BIN_OP_STAT, 1, 0, 0, 0, 0);
    req = req_of(BIN_OP_VERSION, false, 0);
    struct response v = {.status = RESP_VERSION, .text = "1.6.18"};
    c = compose(&req, NULL, &v);
    check_header(&c, BIN_OP_VERSION, 0, 0, 0, 0, 0);
    assert_memory_equal(c.bytes + 24, "1.6.18", 6);
}

static void
test_status_table(void **state)
{
    (void)state;
    size_t len;
    assert_int_equal(proto_binary_status_code(BIN_STATUS_UNKNOWN), 0x81);
    assert_string_equal(proto_binary_status_text(BIN_STATUS_UNKNOWN, &len),
                        "Unknown command");
    assert_int_equal(len, 15);
    proto_binary_status_text(BIN_STATUS_SUCCESS, &len);
    assert_int_equal(len, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("bin.get", test_get_family),
        CLAUSE_TEST("bin.store", test_set_fields),
        CLAUSE_TEST("bin.incr", test_incr_extras),
        CLAUSE_TEST("bin.flush", test_flush_touch_stat),
        CLAUSE_TEST("bin.lengths", test_lengths),
        CLAUSE_TEST("bin.key-length", test_key_length),
        CLAUSE_TEST("bin.unknown", test_unknown_keeps_sync),
        CLAUSE_TEST("bin.too-large", test_too_large),
        CLAUSE_TEST("bin.magic", test_bad_magic),
        CLAUSE_TEST("bin.frame", test_split_every_byte),
        CLAUSE_TEST("bin.get", test_compose_hit),
        CLAUSE_TEST("bin.status", test_compose_statuses),
        CLAUSE_TEST("bin.get", test_compose_getk_miss),
        CLAUSE_TEST("bin.stat", test_compose_number_stat_version),
        CLAUSE_TEST("bin.status", test_status_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
