/*
 * test_proto_binary_lint.c - the client rules of spec §21 over binary
 * packets (proto_binary_client_lint): each packet is parsed as a session
 * would, then linted, and the rules it breaks are compared with the rules
 * the test names.
 */
#include "clause.h"

#include <stdlib.h>
#include <string.h>

#include "../../src/common/limits.h"
#include "../../src/proto/binary.h"
#include "../../src/proto/client_lint.h"

#define VALUE_MAX 1024u
#define BIT(rule) (1u << CLIENT_##rule)

struct pkt {
    uint8_t b[2048];
    size_t len;
};

static void
put_be(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    }
}

/* A packet: opcode, extras, key (key_len bytes of 'k' when key is NULL),
 * value; the header's body length from the parts unless body_len is given
 * (UINT32_MAX: from the parts). */
static struct pkt
packet(uint8_t op, const uint8_t *ext, size_t ext_len, const char *key,
       size_t key_len, const char *val, uint64_t cas, uint32_t body_len)
{
    struct pkt p;
    memset(&p, 0, sizeof p);
    if (key != NULL) {
        key_len = strlen(key);
    }
    size_t val_len = val != NULL ? strlen(val) : 0;
    size_t body = ext_len + key_len + val_len;
    assert_true(24 + body <= sizeof p.b);
    p.b[0] = BIN_MAGIC_REQUEST;
    p.b[1] = op;
    put_be(p.b + 2, key_len, 2);
    p.b[4] = (uint8_t)ext_len;
    put_be(p.b + 8, body_len != UINT32_MAX ? body_len : body, 4);
    put_be(p.b + 16, cas, 8);
    if (ext_len > 0) {
        memcpy(p.b + 24, ext, ext_len);
    }
    if (key != NULL) {
        memcpy(p.b + 24 + ext_len, key, key_len);
    } else {
        memset(p.b + 24 + ext_len, 'k', key_len);
    }
    if (val_len > 0) {
        memcpy(p.b + 24 + ext_len + key_len, val, val_len);
    }
    p.len = 24 + body;
    return p;
}

static struct pkt
store(uint8_t op, const char *key, uint32_t exptime, const char *val,
      uint64_t cas)
{
    uint8_t ext[8] = {0};
    put_be(ext + 4, exptime, 4);
    return packet(op, ext, 8, key, 0, val, cas, UINT32_MAX);
}

static struct pkt
simple(uint8_t op, const char *key, uint64_t cas)
{
    return packet(op, NULL, 0, key, 0, NULL, cas, UINT32_MAX);
}

static struct pkt
arith(const char *key, uint32_t exptime, uint64_t cas)
{
    uint8_t ext[20] = {0};
    put_be(ext + 7, 1, 1); /* delta 1 */
    put_be(ext + 16, exptime, 4);
    return packet(BIN_OP_INCREMENT, ext, 20, key, 0, NULL, cas, UINT32_MAX);
}

static struct pkt
touch(uint8_t op, const char *key, uint32_t exptime, uint64_t cas)
{
    uint8_t ext[4];
    put_be(ext, exptime, 4);
    return packet(op, ext, 4, key, 0, NULL, cas, UINT32_MAX);
}

/* Parses the packet whole, lints the request it gives. */
static uint32_t
lint(const struct pkt *p)
{
    struct proto_bin_parser parser;
    proto_binary_init(&parser, VALUE_MAX);
    struct request req;
    size_t consumed;
    size_t needed;
    /* An exact-size copy, so ASan sees any read past the packet. */
    uint8_t *copy = malloc(p->len);
    assert_non_null(copy);
    memcpy(copy, p->b, p->len);
    enum proto_status st =
        proto_binary_parse(&parser, copy, p->len, &req, &consumed, &needed);
    free(copy);
    assert_int_equal(st, PROTO_REQUEST);
    return proto_binary_client_lint(&req);
}

static void
test_well_formed_breaks_nothing(void **state)
{
    (void)state;
    struct pkt p = store(BIN_OP_SET, "a b\r\n", 0, "v", 0);
    assert_int_equal(lint(&p), 0); /* binary keys are length-delimited */
    p = store(BIN_OP_SETQ, "a", 2592000, "v", 0);
    assert_int_equal(lint(&p), 0);
    p = store(BIN_OP_ADD, "a", LIMIT_CLIENT_ABSOLUTE_EXPTIME_MIN, "v", 7);
    assert_int_equal(lint(&p), 0);
    p = simple(BIN_OP_GET, "a", 0);
    assert_int_equal(lint(&p), 0);
    p = simple(BIN_OP_NOOP, NULL, 0);
    assert_int_equal(lint(&p), 0);
    p = arith("n", BIN_NO_CREATE, 0); /* "do not create" */
    assert_int_equal(lint(&p), 0);
    p = packet(BIN_OP_APPEND, NULL, 0, "a", 0, "x", 5, UINT32_MAX);
    assert_int_equal(lint(&p), 0);
}

static void
test_exptime_range(void **state)
{
    (void)state;
    /* 31 days: read as a unix time in 1970, the item expires at once. */
    struct pkt p = store(BIN_OP_SET, "a", 2678400, "v", 0);
    assert_int_equal(lint(&p), BIT(EXPTIME_RANGE));
    p = store(BIN_OP_REPLACEQ, "a", 2592001, "v", 0);
    assert_int_equal(lint(&p), BIT(EXPTIME_RANGE));
    p = store(BIN_OP_SET, "a", LIMIT_CLIENT_ABSOLUTE_EXPTIME_MIN - 1, "v", 0);
    assert_int_equal(lint(&p), BIT(EXPTIME_RANGE));
    /* A client's -1: 0xffffffff, never rather than now. */
    p = store(BIN_OP_SET, "a", 0xffffffffu, "v", 0);
    assert_int_equal(lint(&p), BIT(EXPTIME_RANGE));
    p = store(BIN_OP_SET, "a", 0x7fffffffu, "v", 0);
    assert_int_equal(lint(&p), 0);
    p = touch(BIN_OP_TOUCH, "a", 2678400, 0);
    assert_int_equal(lint(&p), BIT(EXPTIME_RANGE));
    p = touch(BIN_OP_GATKQ, "a", 2678400, 0);
    assert_int_equal(lint(&p), BIT(EXPTIME_RANGE));
    p = arith("n", 2678400, 0);
    assert_int_equal(lint(&p), BIT(EXPTIME_RANGE));
    p = arith("n", 0xfffffffeu, 0);
    assert_int_equal(lint(&p), BIT(EXPTIME_RANGE));
    /* flush's delay is not an item's exptime. */
    uint8_t delay[4];
    put_be(delay, 2678400, 4);
    p = packet(BIN_OP_FLUSH, delay, 4, "", 0, NULL, 0, UINT32_MAX);
    assert_int_equal(lint(&p), 0);
}

static void
test_key_length(void **state)
{
    (void)state;
    struct pkt p = packet(BIN_OP_GET, NULL, 0, NULL, 251, NULL, 0, UINT32_MAX);
    assert_int_equal(lint(&p), BIT(KEY_LENGTH));
    p = packet(BIN_OP_GET, NULL, 0, NULL, 250, NULL, 0, UINT32_MAX);
    assert_int_equal(lint(&p), 0);
    /* Even where the lengths are wrong too: the key is named. */
    uint8_t ext[8] = {0};
    p = packet(BIN_OP_GET, ext, 8, NULL, 300, NULL, 0, UINT32_MAX);
    assert_int_equal(lint(&p), BIT(KEY_LENGTH));
}

static void
test_lengths(void **state)
{
    (void)state;
    uint8_t ext[20] = {0};
    /* No key where one is needed. */
    struct pkt p = simple(BIN_OP_GET, "", 0);
    assert_int_equal(lint(&p), BIT(BINARY_LENGTHS));
    /* A key where none is taken. */
    p = simple(BIN_OP_NOOP, "a", 0);
    assert_int_equal(lint(&p), BIT(BINARY_LENGTHS));
    p = packet(BIN_OP_FLUSH, NULL, 0, "a", 0, NULL, 0, UINT32_MAX);
    assert_int_equal(lint(&p), BIT(BINARY_LENGTHS));
    /* Extras of the wrong length. */
    p = packet(BIN_OP_SET, ext, 4, "a", 0, "v", 0, UINT32_MAX);
    assert_int_equal(lint(&p), BIT(BINARY_LENGTHS));
    p = packet(BIN_OP_GET, ext, 4, "a", 0, NULL, 0, UINT32_MAX);
    assert_int_equal(lint(&p), BIT(BINARY_LENGTHS));
    /* A value on an opcode without one. */
    p = packet(BIN_OP_DELETE, NULL, 0, "a", 0, "v", 0, UINT32_MAX);
    assert_int_equal(lint(&p), BIT(BINARY_LENGTHS));
    /* A body shorter than key and extras. */
    p = packet(BIN_OP_SET, ext, 8, "abc", 0, NULL, 0, 9);
    assert_int_equal(lint(&p), BIT(BINARY_LENGTHS));
}

static void
test_unknown_and_value_size(void **state)
{
    (void)state;
    struct pkt p = simple(0x1b, NULL, 0); /* verbosity: not in 1.6.18 */
    assert_int_equal(lint(&p), BIT(UNKNOWN_COMMAND));
    p = simple(0x40, "a", 0);
    assert_int_equal(lint(&p), BIT(UNKNOWN_COMMAND));
    struct pkt q;
    /* The value is not sent: the header, extras and key are all the
     * parser needs to refuse it. */
    uint8_t ext[8] = {0};
    q = packet(BIN_OP_SET, ext, 8, "a", 0, NULL, 0, 8 + 1 + VALUE_MAX + 1);
    q.len = 24 + 8 + 1;
    assert_int_equal(lint(&q), BIT(VALUE_SIZE));
    /* Its exptime is still read. */
    put_be(ext + 4, 2678400, 4);
    q = packet(BIN_OP_SET, ext, 8, "a", 0, NULL, 0, 8 + 1 + VALUE_MAX + 1);
    q.len = 24 + 8 + 1;
    assert_int_equal(lint(&q), BIT(VALUE_SIZE) | BIT(EXPTIME_RANGE));
}

static void
test_header_fields(void **state)
{
    (void)state;
    struct pkt p = simple(BIN_OP_GET, "a", 0);
    p.b[5] = 1; /* data type */
    assert_int_equal(lint(&p), BIT(BINARY_HEADER));
    p = simple(BIN_OP_GET, "a", 0);
    p.b[7] = 5; /* vbucket */
    assert_int_equal(lint(&p), BIT(BINARY_HEADER));
    p = simple(BIN_OP_GET, "a", 0);
    p.b[6] = 0x80;
    assert_int_equal(lint(&p), BIT(BINARY_HEADER));
    /* Named with the packet's other faults. */
    p = simple(BIN_OP_GET, "", 0);
    p.b[5] = 2;
    assert_int_equal(lint(&p), BIT(BINARY_HEADER) | BIT(BINARY_LENGTHS));
}

static void
test_cas_without_effect(void **state)
{
    (void)state;
    static const uint8_t ignored[] = {BIN_OP_GET, BIN_OP_GETKQ,
                                      BIN_OP_NOOP, BIN_OP_VERSION,
                                      BIN_OP_STAT, BIN_OP_QUIT};
    for (size_t i = 0; i < sizeof ignored; i++) {
        bool keyed = ignored[i] == BIN_OP_GET || ignored[i] == BIN_OP_GETKQ;
        struct pkt p = simple(ignored[i], keyed ? "a" : NULL, 99);
        assert_int_equal(lint(&p), BIT(BINARY_CAS));
    }
    struct pkt p = touch(BIN_OP_TOUCH, "a", 0, 99);
    assert_int_equal(lint(&p), BIT(BINARY_CAS));
    p = touch(BIN_OP_GAT, "a", 0, 99);
    assert_int_equal(lint(&p), BIT(BINARY_CAS));
    p = packet(BIN_OP_FLUSH, NULL, 0, "", 0, NULL, 99, UINT32_MAX);
    assert_int_equal(lint(&p), BIT(BINARY_CAS));
    /* Where it has an effect. */
    p = store(BIN_OP_SET, "a", 0, "v", 99);
    assert_int_equal(lint(&p), 0);
    p = store(BIN_OP_ADDQ, "a", 0, "v", 99);
    assert_int_equal(lint(&p), 0);
    p = simple(BIN_OP_DELETEQ, "a", 99);
    assert_int_equal(lint(&p), 0);
    p = arith("n", 0, 99);
    assert_int_equal(lint(&p), 0);
}

/* SASL data over LIMIT_SASL_DATA_LEN is refused by mcref's own bound
 * ([auth.sasl]): answered 0x04 and closed as a bad shape is, but no client
 * rule is named for it; a bad SASL shape still is one. */
static void
test_sasl_data_bound(void **state)
{
    (void)state;
    static char data[LIMIT_SASL_DATA_LEN + 2];
    memset(data, 'x', LIMIT_SASL_DATA_LEN);
    struct pkt p = packet(BIN_OP_SASL_AUTH, NULL, 0, "PLAIN", 0, data, 0,
                          UINT32_MAX);
    assert_int_equal(lint(&p), 0);
    data[LIMIT_SASL_DATA_LEN] = 'x'; /* one byte over */
    p = packet(BIN_OP_SASL_AUTH, NULL, 0, "PLAIN", 0, data, 0, UINT32_MAX);
    assert_int_equal(lint(&p), 0);
    struct proto_bin_parser parser;
    proto_binary_init(&parser, VALUE_MAX);
    struct request req;
    size_t consumed;
    size_t needed;
    assert_int_equal(proto_binary_parse(&parser, p.b, p.len, &req, &consumed,
                                        &needed),
                     PROTO_REQUEST);
    assert_int_equal(req.bin.error, BIN_ERR_SASL_TOO_LONG);
    assert_true(proto_binary_error_closes(req.bin.error));
    p = packet(BIN_OP_SASL_STEP, NULL, 0, "PLAIN", 0, data, 0, UINT32_MAX);
    assert_int_equal(lint(&p), 0);
    /* Shape faults of a SASL packet are the client's. */
    uint8_t ext[4] = {0};
    p = packet(BIN_OP_SASL_AUTH, ext, 4, "PLAIN", 0, "d", 0, UINT32_MAX);
    assert_int_equal(lint(&p), BIT(BINARY_LENGTHS));
    p = packet(BIN_OP_SASL_AUTH, NULL, 0, "", 0, "d", 0, UINT32_MAX);
    assert_int_equal(lint(&p), BIT(BINARY_LENGTHS));
}

/* Every header a fuzzer could send, over a bounded body: the lint never
 * trips a CHECK and names only known rules. */
static void
test_any_header_is_safe(void **state)
{
    (void)state;
    for (unsigned op = 0; op < 256; op++) {
        for (unsigned ext = 0; ext <= 24; ext += 4) {
            for (unsigned key = 0; key <= 2; key++) {
                uint8_t e[24] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
                struct pkt p = packet((uint8_t)op, e, ext, NULL, key, "zz",
                                      (uint64_t)op, UINT32_MAX);
                p.b[5] = (uint8_t)(op & 1);
                uint32_t rules = lint(&p);
                assert_int_equal(rules >> CLIENT_RULE_COUNT, 0);
            }
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("client.exptime-range", test_well_formed_breaks_nothing),
        CLAUSE_TEST("client.exptime-range", test_exptime_range),
        CLAUSE_TEST("client.key-length", test_key_length),
        CLAUSE_TEST("client.binary-lengths", test_lengths),
        CLAUSE_TEST("client.unknown-command", test_unknown_and_value_size),
        CLAUSE_TEST("client.value-size", test_unknown_and_value_size),
        CLAUSE_TEST("client.binary-header", test_header_fields),
        CLAUSE_TEST("client.binary-cas", test_cas_without_effect),
        CLAUSE_TEST("auth.sasl", test_sasl_data_bound),
        CLAUSE_TEST("client.binary-lengths", test_any_header_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
