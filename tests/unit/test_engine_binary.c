/*
 * test_engine_binary.c - binary packets and authentication through a whole
 * session (parser, engine, store, composer): bytes in, packets out.
 */
#include "clause.h"
#include "session_collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/common/limits.h"
#include "../../src/engine/auth.h"
#include "../../src/engine/session.h"

#define NOW 1700000000u

struct harness {
    struct engine *e;
    struct session s;
    uint8_t out[8 << 20];
    size_t out_len;
    char trace[4096];
    size_t trace_len;
};

static const struct auth_user users[] = {
    {(const uint8_t *)"alice", 5, (const uint8_t *)"secret", 6},
    {(const uint8_t *)"bob", 3, (const uint8_t *)"pw two", 6},
};
static const struct auth_table table = {users, 2};

static void
on_trace(void *ctx, char dir, const uint8_t *text, size_t len)
{
    struct harness *h = ctx;
    int n = snprintf(h->trace + h->trace_len, sizeof h->trace - h->trace_len,
                     "%c%.*s\n", dir, (int)len, (const char *)text);
    if (n > 0 && (size_t)n < sizeof h->trace - h->trace_len) {
        h->trace_len += (size_t)n;
    }
}

static struct harness *
open_cfg(enum engine_binding binding, const struct auth_table *sasl,
         const struct auth_table *ascii, bool flush, bool cas);

static struct harness *
open_with(enum engine_binding binding, const struct auth_table *sasl,
          const struct auth_table *ascii)
{
    return open_cfg(binding, sasl, ascii, true, true);
}

static struct harness *
open_cfg(enum engine_binding binding, const struct auth_table *sasl,
         const struct auth_table *ascii, bool flush, bool cas)
{
    struct engine_config cfg = {
        .store = {.mem_limit = 4u << 20,
                  .value_len_max = 1u << 20,
                  .evict = true,
                  .cas_enabled = cas,
                  .hash_seed = 7},
        .flush_enabled = flush,
        .version = "1.6.18-mcref",
        .binding = binding,
        .sasl = sasl,
        .ascii_auth = ascii,
        .verbosity = 2,
    };
    struct harness *h = calloc(1, sizeof *h);
    assert_non_null(h);
    h->e = engine_create(&cfg, NULL);
    assert_non_null(h->e);
    h->e->verbosity = 2;
    session_init(&h->s, h->e);
    session_set_trace(&h->s, on_trace, h);
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
feed(struct harness *h, const void *data, size_t len)
{
    session_input(&h->s, data, len, NOW);
    session_collect(&h->s, h->out, sizeof h->out, &h->out_len, NOW);
}

static size_t
packet(uint8_t *b, uint8_t op, const void *ext, size_t ext_len,
       const char *key, const void *val, size_t val_len, uint32_t opaque,
       uint64_t cas)
{
    size_t key_len = key != NULL ? strlen(key) : 0;
    uint32_t body = (uint32_t)(ext_len + key_len + val_len);
    memset(b, 0, 24);
    b[0] = 0x80;
    b[1] = op;
    b[2] = (uint8_t)(key_len >> 8);
    b[3] = (uint8_t)key_len;
    b[4] = (uint8_t)ext_len;
    for (int i = 0; i < 4; i++) {
        b[8 + i] = (uint8_t)(body >> (24 - 8 * i));
        b[12 + i] = (uint8_t)(opaque >> (24 - 8 * i));
    }
    for (int i = 0; i < 8; i++) {
        b[16 + i] = (uint8_t)(cas >> (56 - 8 * i));
    }
    size_t at = 24;
    if (ext_len > 0) {
        memcpy(b + at, ext, ext_len);
    }
    at += ext_len;
    if (key_len > 0) {
        memcpy(b + at, key, key_len);
    }
    at += key_len;
    if (val_len > 0) {
        memcpy(b + at, val, val_len);
    }
    return at + val_len;
}

static void
send_pkt(struct harness *h, uint8_t op, const void *ext, size_t ext_len,
         const char *key, const char *val, uint32_t opaque, uint64_t cas)
{
    uint8_t b[2048];
    size_t n = packet(b, op, ext, ext_len, key, val,
                      val != NULL ? strlen(val) : 0, opaque, cas);
    feed(h, b, n);
}

struct reply {
    uint8_t op;
    uint16_t status;
    uint32_t opaque;
    uint64_t cas;
    size_t ext_len, key_len, val_len;
    const uint8_t *ext, *key, *val;
};

static size_t
be(const uint8_t *p, unsigned n)
{
    size_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

/* Takes the next response packet from the output. */
static struct reply
next(struct harness *h, size_t *at)
{
    struct reply r = {0};
    assert_true(*at + 24 <= h->out_len);
    const uint8_t *p = h->out + *at;
    assert_int_equal(p[0], 0x81);
    r.op = p[1];
    r.key_len = be(p + 2, 2);
    r.ext_len = p[4];
    r.status = (uint16_t)be(p + 6, 2);
    size_t body = be(p + 8, 4);
    r.opaque = (uint32_t)be(p + 12, 4);
    r.cas = (uint64_t)be(p + 16, 8);
    assert_true(*at + 24 + body <= h->out_len);
    r.ext = p + 24;
    r.key = r.ext + r.ext_len;
    r.val = r.key + r.key_len;
    r.val_len = body - r.ext_len - r.key_len;
    *at += 24 + body;
    return r;
}

static void
val_is(const struct reply *r, const char *want)
{
    assert_int_equal(r->val_len, strlen(want));
    assert_memory_equal(r->val, want, r->val_len);
}

static const uint8_t set_ext[8] = {0, 0, 0, 5, 0, 0, 0, 0};

static void
test_first_byte_picks_binary(void **state)
{
    (void)state;
    struct harness *h = open_with(ENGINE_BIND_AUTO, NULL, NULL);
    send_pkt(h, 0x01, set_ext, 8, "k", "v", 7, 0);
    send_pkt(h, 0x0c, NULL, 0, "k", NULL, 8, 0);
    size_t at = 0;
    struct reply r = next(h, &at);
    assert_int_equal(r.op, 0x01);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.opaque, 7);
    assert_true(r.cas != 0);
    uint64_t cas = r.cas;
    r = next(h, &at);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.cas, cas);
    assert_int_equal(r.ext_len, 4);
    assert_int_equal(be(r.ext, 4), 5);
    assert_int_equal(r.key_len, 1);
    val_is(&r, "v");
    assert_int_equal(at, h->out_len);
    /* [bin.vv] */
    assert_non_null(strstr(h->trace, "<Read binary protocol data:\n"
                                     "<   0x80 0x01 0x00 0x01\n"
                                     "<   0x08 0x00 0x00 0x00\n"));
    assert_non_null(strstr(h->trace, "<SET k\n"));
    assert_non_null(strstr(h->trace, ">Writing bin response: 0x81 0x01"));
    close_harness(h);
}

static void
test_ascii_binding_reads_text(void **state)
{
    (void)state;
    struct harness *h = open_with(ENGINE_BIND_ASCII, NULL, NULL);
    feed(h, "\x80\r\n", 3);
    assert_int_equal(h->out_len, 7);
    assert_memory_equal(h->out, "ERROR\r\n", 7);
    close_harness(h);
    h = open_with(ENGINE_BIND_BINARY, NULL, NULL);
    feed(h, "version\r\nversion\r\nversion\r\n", 27);
    assert_int_equal(h->out_len, 0);
    assert_int_equal(session_state(&h->s), SESSION_CLOSING);
    close_harness(h);
}

/* [bin.quiet] through the engine: only errors and hits of getq answer. */
static void
test_quiet(void **state)
{
    (void)state;
    struct harness *h = open_with(ENGINE_BIND_AUTO, NULL, NULL);
    send_pkt(h, 0x11, set_ext, 8, "k", "v", 1, 0);     /* setq */
    send_pkt(h, 0x12, set_ext, 8, "k", "v", 2, 0);     /* addq exists */
    send_pkt(h, 0x09, NULL, 0, "none", NULL, 3, 0);    /* getq miss */
    send_pkt(h, 0x09, NULL, 0, "k", NULL, 4, 0);       /* getq hit */
    send_pkt(h, 0x14, NULL, 0, "k", NULL, 5, 0);       /* deleteq */
    send_pkt(h, 0x14, NULL, 0, "k", NULL, 6, 0);       /* deleteq miss */
    send_pkt(h, 0x0a, NULL, 0, NULL, NULL, 7, 0);      /* noop */
    size_t at = 0;
    struct reply r = next(h, &at);
    assert_int_equal(r.opaque, 2);
    assert_int_equal(r.status, 2);
    r = next(h, &at);
    assert_int_equal(r.opaque, 4);
    val_is(&r, "v");
    r = next(h, &at);
    assert_int_equal(r.opaque, 6);
    assert_int_equal(r.status, 1);
    r = next(h, &at);
    assert_int_equal(r.opaque, 7);
    assert_int_equal(at, h->out_len);
    close_harness(h);
}

static void
test_incr_create_and_no_create(void **state)
{
    (void)state;
    struct harness *h = open_with(ENGINE_BIND_AUTO, NULL, NULL);
    uint8_t ext[20] = {0};
    ext[7] = 3;                  /* delta 3 */
    ext[15] = 10;                /* initial 10 */
    send_pkt(h, 0x05, ext, 20, "n", NULL, 0, 0);
    send_pkt(h, 0x05, ext, 20, "n", NULL, 0, 0);
    memset(ext + 16, 0xff, 4);   /* do not create */
    send_pkt(h, 0x06, ext, 20, "m", NULL, 0, 0);
    size_t at = 0;
    struct reply r = next(h, &at);
    assert_int_equal(r.status, 0);
    assert_int_equal(be(r.val, 8), 10);
    r = next(h, &at);
    assert_int_equal(be(r.val, 8), 13);
    assert_true(r.cas != 0);
    r = next(h, &at);
    assert_int_equal(r.status, 1);
    close_harness(h);
}

static void
test_too_large_then_in_sync(void **state)
{
    (void)state;
    struct harness *h = open_with(ENGINE_BIND_AUTO, NULL, NULL);
    size_t big = (1u << 20) + 1;
    uint8_t *b = malloc(24 + 8 + 1 + big + 32);
    assert_non_null(b);
    send_pkt(h, 0x01, set_ext, 8, "k", "old", 0, 0);
    size_t n = packet(b, 0x01, set_ext, 8, "k", NULL, 0, 9, 0);
    uint32_t body = (uint32_t)(8 + 1 + big);
    for (int i = 0; i < 4; i++) {
        b[8 + i] = (uint8_t)(body >> (24 - 8 * i));
    }
    memset(b + n, 'x', big);
    n += big;
    n += packet(b + n, 0x00, NULL, 0, "k", NULL, 0, 10, 0);
    for (size_t at = 0; at < n; at += 4096) { /* in pieces */
        feed(h, b + at, n - at < 4096 ? n - at : 4096);
    }
    free(b);
    size_t at = 0;
    struct reply r = next(h, &at);  /* the first set */
    r = next(h, &at);
    assert_int_equal(r.status, 3);
    assert_int_equal(r.opaque, 9);
    r = next(h, &at);
    assert_int_equal(r.status, 1); /* [bin.too-large]: the set removed it */
    assert_int_equal(r.opaque, 10);
    assert_int_equal(session_stashed(&h->s), 0);
    close_harness(h);
}

static void
test_unknown_and_invalid(void **state)
{
    (void)state;
    struct harness *h = open_with(ENGINE_BIND_AUTO, NULL, NULL);
    send_pkt(h, 0x1b, "xy", 2, "ab", "zz", 1, 0);
    send_pkt(h, 0x0a, NULL, 0, NULL, NULL, 2, 0);
    send_pkt(h, 0x00, "abcd", 4, "k", NULL, 3, 0);
    send_pkt(h, 0x0a, NULL, 0, NULL, NULL, 4, 0);
    size_t at = 0;
    struct reply r = next(h, &at);
    assert_int_equal(r.status, 0x81);
    val_is(&r, "Unknown command");
    r = next(h, &at);
    assert_int_equal(r.opaque, 2);
    r = next(h, &at);
    assert_int_equal(r.status, 4);
    assert_int_equal(r.opaque, 3);
    assert_int_equal(at, h->out_len); /* closed: the last noop unanswered */
    assert_int_equal(session_state(&h->s), SESSION_CLOSING);
    close_harness(h);
}

static void
test_stat_packets(void **state)
{
    (void)state;
    struct harness *h = open_with(ENGINE_BIND_AUTO, NULL, NULL);
    send_pkt(h, 0x10, NULL, 0, "settings", NULL, 0, 0);
    size_t at = 0;
    bool saw_binding = false;
    for (;;) {
        struct reply r = next(h, &at);
        assert_int_equal(r.status, 0);
        if (r.key_len == 0) {
            assert_int_equal(r.val_len, 0);
            break;
        }
        if (r.key_len == 16 && memcmp(r.key, "binding_protocol", 16) == 0) {
            val_is(&r, "auto-negotiate");
            saw_binding = true;
        }
    }
    assert_true(saw_binding);
    assert_int_equal(at, h->out_len);
    close_harness(h);
}

/* [conn.output-bound]: a binary client that does not read stops being
 * read; once it reads, the rest is answered. */
static void
test_output_bound(void **state)
{
    (void)state;
    struct harness *h = open_with(ENGINE_BIND_AUTO, NULL, NULL);
    static char big[100001];
    memset(big, 'v', sizeof big - 1);
    uint8_t *set = malloc(24 + 8 + 1 + sizeof big);
    assert_non_null(set);
    feed(h, set, packet(set, 0x01, set_ext, 8, "k", big, sizeof big - 1, 1, 0));
    free(set);
    h->out_len = 0;
    uint8_t b[25 * 40];
    size_t n = 0;
    for (uint32_t i = 0; i < 40; i++) {
        n += packet(b + n, 0x09, NULL, 0, "k", NULL, 0, i, 0); /* getq */
    }
    session_input(&h->s, b, n, NOW);
    assert_true(session_pending(&h->s) >= LIMIT_OUTPUT_PAUSE);
    assert_true(session_pending(&h->s) < 40u * 100000u);
    assert_false(session_wants_input(&h->s));
    feed(h, "", 0); /* now the client reads everything */
    size_t at = 0;
    for (uint32_t i = 0; i < 40; i++) {
        struct reply r = next(h, &at);
        assert_int_equal(r.opaque, i);
        assert_int_equal(r.val_len, sizeof big - 1);
    }
    assert_int_equal(at, h->out_len);
    assert_true(session_wants_input(&h->s));
    close_harness(h);
}

/* [bin.flush], and -C: a storage packet's CAS is none. */
static void
test_flush_and_flags(void **state)
{
    (void)state;
    struct harness *h = open_cfg(ENGINE_BIND_AUTO, NULL, NULL, false, false);
    uint8_t delay[4] = {0, 0, 0, 10};
    send_pkt(h, 0x08, NULL, 0, NULL, NULL, 1, 0);
    send_pkt(h, 0x18, delay, 4, NULL, NULL, 2, 0);
    send_pkt(h, 0x01, set_ext, 8, "k", "v", 3, 77); /* cas ignored */
    size_t at = 0;
    struct reply r = next(h, &at);
    assert_int_equal(r.status, 0x20); /* -F */
    r = next(h, &at);
    assert_int_equal(r.status, 0x20);
    assert_int_equal(r.opaque, 2);
    r = next(h, &at);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.cas, 0);
    close_harness(h);
    h = open_with(ENGINE_BIND_AUTO, NULL, NULL);
    send_pkt(h, 0x01, set_ext, 8, "k", "v", 0, 0);
    send_pkt(h, 0x08, delay, 4, NULL, NULL, 1, 0);  /* in 10 s */
    send_pkt(h, 0x00, NULL, 0, "k", NULL, 2, 0);   /* still there */
    send_pkt(h, 0x18, NULL, 0, NULL, NULL, 3, 0);  /* now, quietly */
    send_pkt(h, 0x00, NULL, 0, "k", NULL, 4, 0);
    send_pkt(h, 0x10, NULL, 0, "reset", NULL, 5, 0);
    send_pkt(h, 0x07, NULL, 0, NULL, NULL, 6, 0);  /* quit */
    at = 0;
    r = next(h, &at);
    r = next(h, &at);
    assert_int_equal(r.opaque, 1);
    assert_int_equal(r.status, 0);
    r = next(h, &at);
    assert_int_equal(r.opaque, 2);
    assert_int_equal(r.status, 0);
    r = next(h, &at);
    assert_int_equal(r.opaque, 4);
    assert_int_equal(r.status, 1);
    r = next(h, &at);
    assert_int_equal(r.opaque, 5); /* stats reset: one empty packet */
    assert_int_equal(r.key_len + r.val_len, 0);
    r = next(h, &at);
    assert_int_equal(r.opaque, 6);
    assert_int_equal(at, h->out_len);
    assert_int_equal(session_state(&h->s), SESSION_CLOSING);
    close_harness(h);
}

/* [bin.append]: a result over -I is not stored. */
static void
test_append_too_large(void **state)
{
    (void)state;
    struct harness *h = open_with(ENGINE_BIND_AUTO, NULL, NULL);
    static char half[600001];
    memset(half, 'x', sizeof half - 1);
    uint8_t *b = malloc(24 + 8 + 1 + sizeof half);
    assert_non_null(b);
    feed(h, b, packet(b, 0x01, set_ext, 8, "k", half, sizeof half - 1, 1, 0));
    feed(h, b, packet(b, 0x0e, NULL, 0, "k", half, sizeof half - 1, 2, 0));
    free(b);
    size_t at = 0;
    struct reply r = next(h, &at);
    assert_int_equal(r.status, 0);
    r = next(h, &at);
    assert_int_equal(r.opaque, 2);
    assert_int_equal(r.status, 5);
    close_harness(h);
}

static size_t
sasl_packet(uint8_t *b, const char *mech, const char *user, const char *pw,
            uint32_t opaque)
{
    uint8_t data[128];
    size_t n = 0;
    data[n++] = 0;
    memcpy(data + n, user, strlen(user));
    n += strlen(user);
    data[n++] = 0;
    memcpy(data + n, pw, strlen(pw));
    n += strlen(pw);
    return packet(b, 0x21, NULL, 0, mech, data, n, opaque, 0);
}

static void
test_sasl(void **state)
{
    (void)state;
    struct harness *h = open_with(ENGINE_BIND_BINARY, &table, NULL);
    uint8_t b[256];
    send_pkt(h, 0x20, NULL, 0, NULL, NULL, 1, 0);
    send_pkt(h, 0x0b, NULL, 0, NULL, NULL, 2, 0); /* allowed before auth */
    feed(h, b, sasl_packet(b, "PLAIN", "alice", "wrong", 3));
    feed(h, b, sasl_packet(b, "CRAM-MD5", "alice", "secret", 4));
    feed(h, b, sasl_packet(b, "PLAIX", "alice", "secret", 4));
    feed(h, b, sasl_packet(b, "PLAIN", "bob", "pw two", 5));
    send_pkt(h, 0x01, set_ext, 8, "k", "v", 6, 0);
    size_t at = 0;
    struct reply r = next(h, &at);
    val_is(&r, "PLAIN");
    r = next(h, &at);
    assert_int_equal(r.status, 0);
    r = next(h, &at);
    assert_int_equal(r.status, 0x20);
    val_is(&r, "Auth failure.");
    r = next(h, &at);
    assert_int_equal(r.status, 0x20);
    r = next(h, &at);
    assert_int_equal(r.status, 0x20);
    r = next(h, &at);
    assert_int_equal(r.status, 0);
    val_is(&r, "Authenticated");
    r = next(h, &at);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.opaque, 6);
    assert_int_equal(h->e->stats.auth_cmds, 4);
    assert_int_equal(h->e->stats.auth_errors, 3);
    /* [auth.sasl]: credentials never reach the trace. */
    assert_null(strstr(h->trace, "secret"));
    assert_null(strstr(h->trace, "pw two"));
    close_harness(h);
}

static void
test_before_sasl_closes(void **state)
{
    (void)state;
    struct harness *h = open_with(ENGINE_BIND_BINARY, &table, NULL);
    send_pkt(h, 0x00, NULL, 0, "k", NULL, 9, 0);
    send_pkt(h, 0x0a, NULL, 0, NULL, NULL, 10, 0);
    size_t at = 0;
    struct reply r = next(h, &at);
    assert_int_equal(r.status, 0x20);
    assert_int_equal(r.opaque, 9);
    assert_int_equal(at, h->out_len);
    assert_int_equal(session_state(&h->s), SESSION_CLOSING);
    close_harness(h);
}

static void
test_sasl_off(void **state)
{
    (void)state;
    struct harness *h = open_with(ENGINE_BIND_AUTO, NULL, NULL);
    send_pkt(h, 0x20, NULL, 0, NULL, NULL, 1, 0);
    size_t at = 0;
    struct reply r = next(h, &at);
    assert_int_equal(r.status, 0x81);
    close_harness(h);
}

static void
expect_text(struct harness *h, const char *in, const char *want)
{
    h->out_len = 0;
    feed(h, in, strlen(in));
    if (h->out_len != strlen(want) || memcmp(h->out, want, h->out_len) != 0) {
        fprintf(stderr, "in %s: got %.*s", in, (int)h->out_len, h->out);
        fail();
    }
}

static void
test_ascii_auth(void **state)
{
    (void)state;
    struct harness *h = open_with(ENGINE_BIND_ASCII, NULL, &table);
    expect_text(h, "get k\r\nmn\r\n",
                "CLIENT_ERROR unauthenticated\r\n"
                "CLIENT_ERROR unauthenticated\r\n");
    expect_text(h, "set a 0 0 12\r\nalice wrong!\r\n",
                "CLIENT_ERROR authentication failure\r\n");
    expect_text(h, "set a 0 0 5\r\nalice\r\n",
                "CLIENT_ERROR bad authentication token format\r\n");
    expect_text(h, "set a 0 0 16\r\nalice secret xyz\r\n", "STORED\r\n");
    expect_text(h, "get a\r\n", "END\r\n"); /* nothing was stored */
    expect_text(h, "set k 0 0 1\r\nv\r\nget k\r\n",
                "STORED\r\nVALUE k 0 1\r\nv\r\nEND\r\n");
    assert_int_equal(h->e->stats.auth_errors, 2);
    assert_null(strstr(h->trace, "secret"));
    close_harness(h);
}

/* [conn.output-bound] under -Y: refusals to a client that does not read
 * stop being produced. */
static void
test_ascii_auth_output_bound(void **state)
{
    (void)state;
    struct harness *h = open_with(ENGINE_BIND_ASCII, NULL, &table);
    static const char line[] = "get k\r\n";
    size_t n = 0;
    size_t chunk = 4000 * (sizeof line - 1);
    char *many = malloc(chunk);
    assert_non_null(many);
    for (size_t i = 0; i < 4000; i++) {
        memcpy(many + i * (sizeof line - 1), line, sizeof line - 1);
    }
    for (int round = 0; round < 200 && session_wants_input(&h->s); round++) {
        session_input(&h->s, (const uint8_t *)many, chunk, NOW);
        n++;
    }
    free(many);
    assert_false(session_wants_input(&h->s));
    assert_true(session_pending(&h->s) < 2u * LIMIT_OUTPUT_PAUSE);
    assert_true(n < 200);
    close_harness(h);
}

static void
test_auth_check(void **state)
{
    (void)state;
    assert_true(auth_check(&table, (const uint8_t *)"alice", 5,
                           (const uint8_t *)"secret", 6));
    assert_false(auth_check(&table, (const uint8_t *)"alice", 5,
                            (const uint8_t *)"secre", 5));
    assert_false(auth_check(&table, (const uint8_t *)"alice", 5,
                            (const uint8_t *)"secrets", 7));
    assert_false(auth_check(&table, (const uint8_t *)"bob", 3,
                            (const uint8_t *)"secret", 6));
    assert_true(auth_plain(&table, (const uint8_t *)"alice\0alice\0secret",
                           18));
    assert_false(auth_plain(&table, (const uint8_t *)"eve\0alice\0secret",
                            16));
    assert_false(auth_plain(&table, (const uint8_t *)"\0alice", 6));
    assert_int_equal(auth_ascii(&table, (const uint8_t *)"  bob pw two", 12),
                     AUTH_FAILED); /* tokens: "bob", "pw" */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("bin.negotiation", test_first_byte_picks_binary),
        CLAUSE_TEST("bin.negotiation", test_ascii_binding_reads_text),
        CLAUSE_TEST("bin.quiet", test_quiet),
        CLAUSE_TEST("bin.incr", test_incr_create_and_no_create),
        CLAUSE_TEST("bin.too-large", test_too_large_then_in_sync),
        CLAUSE_TEST("bin.unknown", test_unknown_and_invalid),
        CLAUSE_TEST("bin.stat", test_stat_packets),
        CLAUSE_TEST("conn.output-bound", test_output_bound),
        CLAUSE_TEST("bin.flush", test_flush_and_flags),
        CLAUSE_TEST("bin.append", test_append_too_large),
        CLAUSE_TEST("auth.sasl", test_sasl),
        CLAUSE_TEST("auth.before", test_before_sasl_closes),
        CLAUSE_TEST("auth.sasl-off", test_sasl_off),
        CLAUSE_TEST("auth.ascii", test_ascii_auth),
        CLAUSE_TEST("auth.sasl", test_auth_check),
        CLAUSE_TEST("conn.output-bound", test_ascii_auth_output_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
