/*
 * test_engine_clientbin.c - strict mode and faults for binary connections:
 * [client.quiet-noop] for the binary quiet opcodes, no text rule read into
 * a packet, the binary rules (proto_binary_client_lint) recorded with a hex
 * excerpt and, under =reject, answered 0x04 in step; the session-level faults (oom, evict, closes, cut) applied
 * to binary requests as to text ones.
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
#include "../../src/proto/binary.h"

#define NOW 1700000000u

struct harness {
    struct engine *e;
    struct session s;
    struct client_check check;
    struct faults faults;
    struct client_finding last;
    uint8_t in[4096];
    size_t in_len;
    uint8_t out[65536];
    size_t out_len;
};

static void
on_finding(void *ctx, const struct client_finding *f)
{
    struct harness *h = ctx;
    h->last = *f;
}

static void
on_fault(void *ctx, const struct fault_event *ev)
{
    (void)ctx;
    (void)ev;
}

static struct harness *
open_harness(const char *faults)
{
    struct harness *h = calloc(1, sizeof *h);
    assert_non_null(h);
    struct engine_config cfg = test_engine_config();
    h->e = engine_create(&cfg, NULL);
    assert_non_null(h->e);
    client_check_init(&h->check, false);
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
    h->s.conn_id = 3;
    return h;
}

static void
close_harness(struct harness *h)
{
    session_deinit(&h->s);
    engine_destroy(&h->e);
    free(h);
}

/* Appends one request packet to h->in. */
static void
packet(struct harness *h, uint8_t opcode, const char *key, size_t extlen,
       const char *value)
{
    size_t kl = strlen(key), vl = strlen(value);
    size_t body = extlen + kl + vl;
    assert_true(h->in_len + 24 + body <= sizeof h->in);
    uint8_t *p = h->in + h->in_len;
    memset(p, 0, 24 + body);
    p[0] = BIN_MAGIC_REQUEST;
    p[1] = opcode;
    p[2] = (uint8_t)(kl >> 8);
    p[3] = (uint8_t)kl;
    p[4] = (uint8_t)extlen;
    p[11] = (uint8_t)body;
    p[10] = (uint8_t)(body >> 8);
    /* extras (flags, exptime) stay zero */
    memcpy(p + 24 + extlen, key, kl);
    memcpy(p + 24 + extlen + kl, value, vl);
    h->in_len += 24 + body;
}

static void
store_packet(struct harness *h, uint8_t opcode, const char *key,
             const char *value)
{
    packet(h, opcode, key, 8, value);
}

/* Feeds h->in to the session and collects every reply byte. */
static void
feed(struct harness *h)
{
    h->out_len = 0;
    session_input(&h->s, h->in, h->in_len, NOW);
    h->in_len = 0;
    session_collect(&h->s, h->out, sizeof h->out, &h->out_len, NOW);
}

/* The status of response number i (from 0) in h->out; -1 if none. */
static int
status_of(const struct harness *h, unsigned i)
{
    size_t pos = 0;
    for (;;) {
        if (pos + 24 > h->out_len) {
            return -1;
        }
        const uint8_t *p = h->out + pos;
        assert_int_equal(p[0], 0x81);
        if (i-- == 0) {
            return (p[6] << 8) | p[7];
        }
        pos += 24 + (((size_t)p[8] << 24) | ((size_t)p[9] << 16) |
                     ((size_t)p[10] << 8) | p[11]);
    }
}

static unsigned
responses(const struct harness *h)
{
    unsigned n = 0;
    while (status_of(h, n) >= 0) {
        n++;
    }
    return n;
}

static void
test_binary_quiet_without_noop(void **state)
{
    (void)state;
    /* setq, getq, getq: nothing answers them, and the client leaves. */
    struct harness *h = open_harness(NULL);
    packet(h, BIN_OP_GET, "a", 0, "");
    store_packet(h, BIN_OP_SETQ, "k", "v");
    packet(h, BIN_OP_GETQ, "k", 0, "");
    packet(h, BIN_OP_GETKQ, "m", 0, "");
    feed(h);
    assert_int_equal(responses(h), 2); /* get's miss, getq's hit */
    assert_int_equal(h->check.total, 0);
    session_peer_closed(&h->s);
    assert_int_equal(h->check.counts[CLIENT_QUIET_NOOP], 1);
    assert_int_equal(h->check.total, 1);
    assert_int_equal(h->last.request, 2); /* the first quiet one left open */
    assert_int_equal(h->last.conn, 3);
    close_harness(h);
}

static void
test_binary_quiet_closed_by_noop_or_loud(void **state)
{
    (void)state;
    struct harness *h = open_harness(NULL);
    store_packet(h, BIN_OP_SETQ, "k", "v");
    packet(h, BIN_OP_GETQ, "k", 0, "");
    packet(h, BIN_OP_NOOP, "", 0, "");
    feed(h);
    assert_int_equal(responses(h), 2);
    assert_int_equal(status_of(h, 1), 0);
    session_peer_closed(&h->s);
    assert_int_equal(h->check.total, 0);
    close_harness(h);
    /* A loud request after the quiet ones answers too. */
    h = open_harness(NULL);
    packet(h, BIN_OP_DELETEQ, "k", 0, "");
    packet(h, BIN_OP_GETK, "k", 0, "");
    feed(h);
    session_peer_closed(&h->s);
    assert_int_equal(h->check.total, 0);
    close_harness(h);
    /* quitq closes the connection itself: nothing is left open. */
    h = open_harness(NULL);
    packet(h, BIN_OP_QUITQ, "", 0, "");
    feed(h);
    session_peer_closed(&h->s);
    assert_int_equal(h->check.total, 0);
    close_harness(h);
}

/* No text rule is read into a packet: a clean binary session with keys,
 * values and extras that would break text rules breaks none. */
static void
test_binary_breaks_no_text_rule(void **state)
{
    (void)state;
    struct harness *h = open_harness(NULL);
    store_packet(h, BIN_OP_SET, "a key\r\n", "x\ny");
    packet(h, BIN_OP_GET, "a key\r\n", 0, "");
    packet(h, BIN_OP_VERSION, "", 0, "");
    packet(h, BIN_OP_NOOP, "", 0, "");
    feed(h);
    assert_int_equal(responses(h), 4);
    assert_int_equal(status_of(h, 1), 0);
    session_peer_closed(&h->s);
    assert_int_equal(h->check.total, 0);
    close_harness(h);
}

static void
test_binary_fault_oom_and_evict(void **state)
{
    (void)state;
    struct harness *h = open_harness("oom:100");
    store_packet(h, BIN_OP_SET, "k", "v");
    packet(h, BIN_OP_GET, "k", 0, "");
    feed(h);
    assert_int_equal(responses(h), 2);
    assert_int_equal(status_of(h, 0), 0x82); /* Out of memory */
    assert_int_equal(status_of(h, 1), 0x01); /* never stored */
    assert_int_equal(h->faults.counts[FAULT_OOM], 1);
    close_harness(h);
    /* A quiet store that runs out of memory still answers (errors do). */
    h = open_harness("oom:100");
    store_packet(h, BIN_OP_SETQ, "k", "v");
    feed(h);
    assert_int_equal(responses(h), 1);
    assert_int_equal(status_of(h, 0), 0x82);
    close_harness(h);
    h = open_harness("evict:100");
    store_packet(h, BIN_OP_SET, "k", "v");
    packet(h, BIN_OP_GET, "k", 0, "");
    feed(h);
    assert_int_equal(status_of(h, 0), 0);    /* stored ... */
    assert_int_equal(status_of(h, 1), 0x01); /* ... and gone */
    assert_int_equal(h->faults.counts[FAULT_EVICT], 1);
    close_harness(h);
}

static void
test_binary_fault_closes_and_cut(void **state)
{
    (void)state;
    struct harness *h = open_harness("close_before:100");
    packet(h, BIN_OP_GET, "k", 0, "");
    packet(h, BIN_OP_GET, "k", 0, "");
    feed(h);
    assert_int_equal(h->out_len, 0);
    assert_int_equal(session_state(&h->s), SESSION_CLOSING);
    close_harness(h);
    h = open_harness("idle_close:100");
    packet(h, BIN_OP_GET, "k", 0, "");
    packet(h, BIN_OP_GET, "k", 0, "");
    feed(h);
    assert_int_equal(responses(h), 1); /* the first answered, then closed */
    assert_int_equal(session_state(&h->s), SESSION_CLOSING);
    close_harness(h);
    h = open_harness("cut:100");
    packet(h, BIN_OP_GET, "k", 0, "");
    session_input(&h->s, h->in, h->in_len, NOW);
    assert_true(h->s.fault_piece >= 1 &&
                h->s.fault_piece <= LIMIT_FAULT_CUT_MAX);
    assert_int_equal(h->s.fault_piece_left, 24 + 9); /* "Not found" */
    close_harness(h);
}

static void
test_binary_after_quit(void **state)
{
    (void)state;
    struct harness *h = open_harness(NULL);
    packet(h, BIN_OP_QUIT, "", 0, "");
    packet(h, BIN_OP_GET, "k", 0, "");
    feed(h);
    assert_int_equal(responses(h), 1); /* quit's answer only */
    assert_int_equal(h->check.counts[CLIENT_AFTER_QUIT], 1);
    /* more bytes on the closing connection are reported too */
    packet(h, BIN_OP_NOOP, "", 0, "");
    feed(h);
    assert_int_equal(h->check.counts[CLIENT_AFTER_QUIT], 2);
    close_harness(h);
    /* a lone quitq breaks nothing */
    h = open_harness(NULL);
    packet(h, BIN_OP_QUITQ, "", 0, "");
    feed(h);
    assert_int_equal(h->check.total, 0);
    close_harness(h);
}

/* Sets n bytes of the packet that starts at h->in[start], at offset at,
 * to v (big-endian). */
static void
poke(struct harness *h, size_t start, size_t at, uint64_t v, unsigned n)
{
    assert_true(start + at + n <= h->in_len);
    for (unsigned i = 0; i < n; i++) {
        h->in[start + at + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    }
}

static void
test_binary_rules_recorded(void **state)
{
    (void)state;
    struct harness *h = open_harness(NULL);
    packet(h, BIN_OP_NOOP, "", 0, "");
    size_t set = h->in_len;
    store_packet(h, BIN_OP_SET, "k", "v");
    poke(h, set, 24 + 4, 2678400, 4); /* 31 days: a 1970 unix time */
    size_t get = h->in_len;
    packet(h, BIN_OP_GET, "k", 0, "");
    poke(h, get, 16, 99, 8); /* a CAS get ignores */
    feed(h);
    /* Answered as memcached does: stored, already expired, CAS ignored. */
    assert_int_equal(responses(h), 3);
    assert_int_equal(status_of(h, 1), 0);
    assert_int_equal(status_of(h, 2), 0x01);
    assert_int_equal(h->check.counts[CLIENT_EXPTIME_RANGE], 1);
    assert_int_equal(h->check.counts[CLIENT_BINARY_CAS], 1);
    assert_int_equal(h->check.total, 2);
    assert_string_equal(client_rule_clause(h->last.rule), "client.binary-cas");
    assert_int_equal(h->last.conn, 3);
    assert_int_equal(h->last.request, 3);
    assert_string_equal(h->last.excerpt, "80000001 00000000 00000001 00000000 "
                                         "00000000 00000063 6b");
    close_harness(h);
}

static void
test_binary_refused_packets_recorded(void **state)
{
    (void)state;
    struct harness *h = open_harness(NULL);
    packet(h, BIN_OP_GET, "", 0, ""); /* no key */
    feed(h);
    assert_int_equal(status_of(h, 0), 0x04);
    assert_int_equal(session_state(&h->s), SESSION_CLOSING);
    assert_int_equal(h->check.counts[CLIENT_BINARY_LENGTHS], 1);
    close_harness(h);
    h = open_harness(NULL);
    char key[252];
    memset(key, 'k', 251);
    key[251] = '\0';
    packet(h, BIN_OP_GET, key, 0, "");
    feed(h);
    assert_int_equal(status_of(h, 0), 0x04);
    assert_int_equal(h->check.counts[CLIENT_KEY_LENGTH], 1);
    assert_int_equal(h->check.total, 1);
    close_harness(h);
    h = open_harness(NULL);
    packet(h, 0x40, "k", 0, "body");
    packet(h, BIN_OP_NOOP, "", 0, "");
    feed(h);
    assert_int_equal(status_of(h, 0), 0x81);
    assert_int_equal(status_of(h, 1), 0); /* in step after the body */
    assert_int_equal(h->check.counts[CLIENT_UNKNOWN_COMMAND], 1);
    assert_int_equal(h->check.total, 1);
    close_harness(h);
}

static void
test_binary_bad_magic_recorded(void **state)
{
    (void)state;
    struct harness *h = open_harness(NULL);
    packet(h, BIN_OP_NOOP, "", 0, "");
    size_t bad = h->in_len;
    packet(h, BIN_OP_NOOP, "", 0, "");
    h->in[bad] = BIN_MAGIC_RESPONSE;
    feed(h);
    assert_int_equal(responses(h), 1);
    assert_int_equal(session_state(&h->s), SESSION_CLOSING);
    assert_int_equal(h->check.counts[CLIENT_BINARY_MAGIC], 1);
    assert_int_equal(h->last.request, 2);
    assert_string_equal(h->last.excerpt, "810a0000 00000000 00000000 00000000 "
                                         "00000000 00000000");
    close_harness(h);
}

static void
test_binary_reject_answers_invalid_in_step(void **state)
{
    (void)state;
    struct harness *h = open_harness(NULL);
    h->check.reject = true;
    store_packet(h, BIN_OP_SET, "k", "v");
    size_t get = h->in_len;
    packet(h, BIN_OP_GET, "k", 0, "");
    h->in[get + 5] = 1; /* data type */
    packet(h, BIN_OP_GET, "k", 0, "");
    size_t setq = h->in_len;
    store_packet(h, BIN_OP_SETQ, "k", "new");
    poke(h, setq, 24 + 4, 2678400, 4);
    packet(h, BIN_OP_GET, "k", 0, "");
    feed(h);
    assert_int_equal(responses(h), 5);
    assert_int_equal(status_of(h, 0), 0);
    assert_int_equal(status_of(h, 1), 0x04); /* rejected, not closed */
    assert_int_equal(status_of(h, 2), 0);    /* the next one in step */
    assert_int_equal(status_of(h, 3), 0x04); /* a quiet one answers too */
    assert_int_equal(status_of(h, 4), 0);    /* "v": setq stored nothing */
    assert_int_equal(session_state(&h->s), SESSION_OPEN);
    assert_int_equal(h->check.counts[CLIENT_BINARY_HEADER], 1);
    assert_int_equal(h->check.counts[CLIENT_EXPTIME_RANGE], 1);
    /* The body after the last header is "v" (flags 0), not "new". */
    assert_memory_equal(h->out + h->out_len - 1, "v", 1);
    close_harness(h);
    /* A rejected quiet request was answered: nothing is left open. */
    h = open_harness(NULL);
    h->check.reject = true;
    setq = h->in_len;
    store_packet(h, BIN_OP_SETQ, "k", "v");
    poke(h, setq, 24 + 4, 2678400, 4);
    feed(h);
    assert_int_equal(status_of(h, 0), 0x04);
    session_peer_closed(&h->s);
    assert_int_equal(h->check.counts[CLIENT_QUIET_NOOP], 0);
    close_harness(h);
    /* Without =reject the same packets are carried out. */
    h = open_harness(NULL);
    get = h->in_len;
    packet(h, BIN_OP_GET, "k", 0, "");
    h->in[get + 5] = 1;
    feed(h);
    assert_int_equal(status_of(h, 0), 0x01);
    assert_int_equal(h->check.counts[CLIENT_BINARY_HEADER], 1);
    close_harness(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("client.quiet-noop", test_binary_quiet_without_noop),
        CLAUSE_TEST("client.quiet-noop",
                    test_binary_quiet_closed_by_noop_or_loud),
        CLAUSE_TEST("client.quiet-noop", test_binary_breaks_no_text_rule),
        CLAUSE_TEST("client.after-quit", test_binary_after_quit),
        CLAUSE_TEST("client.binary-cas", test_binary_rules_recorded),
        CLAUSE_TEST("client.exptime-range", test_binary_rules_recorded),
        CLAUSE_TEST("client.binary-lengths",
                    test_binary_refused_packets_recorded),
        CLAUSE_TEST("client.binary-magic", test_binary_bad_magic_recorded),
        CLAUSE_TEST("client.binary-header",
                    test_binary_reject_answers_invalid_in_step),
        cmocka_unit_test(test_binary_fault_oom_and_evict),
        cmocka_unit_test(test_binary_fault_closes_and_cut),
    };
    return cmocka_run_group_tests_name("engine_clientbin", tests, NULL, NULL);
}
