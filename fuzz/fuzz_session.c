/*
 * fuzz_session.c - the whole session (parser, engine, store, composer) under
 * fuzzing, with a fake clock and network splits the fuzzer chooses.
 *
 * Input: byte 0 picks the configuration (bit 0: -M, bit 1: -C, bit 2: test
 * clock, bit 3: -F, bit 4: -A, bits 5-7: the memory and value limits, from
 * 2 KiB/512 B to 4 MiB/1 MiB, see `limits` below). The rest is the client
 * stream, in which 0xFF starts a control pair: 0xFF 0xFF is a literal 0xFF;
 * 0xFF c with c < 0x7E delivers what was gathered as one read; 0xFF 0x7E
 * toggles whether the client reads replies; 0xFF c with c >= 0x7F advances
 * the clock by c - 0x7E seconds. A lone 0xFF at the end is a literal byte.
 *
 * The stream runs twice, in two fresh engines: once with the reads as the
 * input gives them, once with every read cut again into small pieces at
 * pseudo-random points (seeded from the input). The first run also sends
 * every value of FUZZ_REF_MIN bytes or more from the item instead of a copy
 * (outq.h), the second only the large ones, as the server does; the outputs
 * must not tell.
 *
 * Both runs have strict mode on (client_check.h, no sink): it exercises
 * the rule checkers (text, meta and binary) on every request. An input of
 * odd length runs both with =reject, so violating requests are answered
 * with the rejection (CLIENT_ERROR, binary 0x0004) and the stream must stay
 * well-formed and in step; an even one rejects nothing.
 *
 * Oracles: the output is a well-formed reply stream (output_check, or
 * binary_check when the stream's first byte made it binary); both runs
 * give the same output bytes, end in the same state and with the same
 * statistics ([frame.split]), strict-mode findings included (but
 * [client.after-quit], counted per read); store_check() holds; after every read the
 * queued output stays under the hard bound, a session with 256 KiB or more
 * queued takes no input ([conn.output-bound]), and the stash stays within
 * what one request and one read can need.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/common/check.h"
#include "../src/common/limits.h"
#include "../src/engine/client_check.h"
#include "../src/engine/session.h"
#include "binary_check.h"
#include "output_check.h"
#include "../tests/support/rng.h"

#define START_S 1700000000u
/* Segments taken from the output queue at once. */
#define FUZZ_SESSION_SEGMENTS 16u
/* Pieces of the second run are 1 to this many bytes. */
#define FUZZ_SESSION_PIECE_MAX 24u
/* Values referenced in the first run: small enough for fuzzed inputs to
 * reach, large enough that 16 KiB reference blocks stay few. */
#define FUZZ_REF_MIN 256u

struct fuzz_run {
    struct engine *e;
    struct session s;
    struct client_check check;
    uint8_t *out;
    size_t out_len;
    size_t out_cap;
    bool reading;
    uint32_t now;
    uint64_t rng; /* 0: deliver reads whole; else cut them at random */
};

static void
take_output(struct fuzz_run *r)
{
    struct outq_segment seg[FUZZ_SESSION_SEGMENTS];
    size_t n;
    while (r->reading &&
           (n = session_output(&r->s, seg, FUZZ_SESSION_SEGMENTS)) > 0) {
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
            if (r->out_len + seg[i].len > r->out_cap) {
                r->out_cap = (r->out_len + seg[i].len) * 2;
                r->out = realloc(r->out, r->out_cap);
                CHECK(r->out != NULL);
            }
            memcpy(r->out + r->out_len, seg[i].base, seg[i].len);
            r->out_len += seg[i].len;
            total += seg[i].len;
        }
        session_sent(&r->s, total, r->now);
    }
}

/* [conn.output-bound]: what a session may hold after any read. */
static void
check_bounds(const struct fuzz_run *r)
{
    uint64_t value_max = r->e->cfg.store.value_len_max;
    uint64_t hard = (uint64_t)LIMIT_OUTPUT_PAUSE + 2 * value_max +
                    LIMIT_OUTPUT_HARD_SLACK;
    uint64_t request = (uint64_t)LIMIT_LINE_LEN + 2 + value_max + 2;
    uint64_t line = (uint64_t)LIMIT_GET_LINE_LEN + 2;
    uint64_t stash = (request > line ? request : line) + LIMIT_READ_CHUNK;
    CHECK(r->s.state == SESSION_ABORT || session_pending(&r->s) <= hard);
    CHECK(session_stashed(&r->s) <= stash);
    CHECK(session_pending(&r->s) < LIMIT_OUTPUT_PAUSE ||
          !session_wants_input(&r->s));
}

/* One read of the socket; the network layer never reads more at once. */
static void
read_once(struct fuzz_run *r, const uint8_t *chunk, size_t len)
{
    /* An exact-size copy, so that ASan sees any read past its end. */
    uint8_t *copy = malloc(len);
    CHECK(copy != NULL);
    memcpy(copy, chunk, len);
    session_input(&r->s, copy, len, r->now);
    free(copy);
    check_bounds(r);
    take_output(r);
    /* [admin.dump-walk]: a dump between steps gets its next turn, as the
     * network layer gives it once others had theirs. */
    while (session_yielded(&r->s)) {
        session_resume(&r->s, r->now);
        check_bounds(r);
        take_output(r);
    }
}

static void
deliver(struct fuzz_run *r, const uint8_t *chunk, size_t len)
{
    while (len > 0) {
        size_t piece = len < LIMIT_READ_CHUNK ? len : LIMIT_READ_CHUNK;
        if (r->rng != 0) {
            size_t cut = 1 + rng_next(&r->rng) % FUZZ_SESSION_PIECE_MAX;
            piece = cut < piece ? cut : piece;
        }
        read_once(r, chunk, piece);
        chunk += piece;
        len -= piece;
    }
}

static void
run_stream(struct fuzz_run *r, const uint8_t *data, size_t size,
           const struct engine_config *cfg, uint64_t seed, bool reject)
{
    memset(r, 0, sizeof *r);
    r->reading = true;
    r->now = START_S;
    r->rng = seed;
    r->e = engine_create(cfg, NULL);
    CHECK(r->e != NULL);
    client_check_init(&r->check, reject);
    r->e->check = &r->check;
    session_init(&r->s, r->e);
    uint8_t *gathered = malloc(size);
    CHECK(gathered != NULL);
    size_t n = 0;
    for (size_t i = 1; i < size; i++) {
        if (data[i] != 0xFF || i + 1 == size) {
            gathered[n++] = data[i];
            continue;
        }
        uint8_t c = data[++i];
        if (c == 0xFF) {
            gathered[n++] = 0xFF;
        } else if (c < 0x7E) {
            deliver(r, gathered, n);
            n = 0;
        } else if (c == 0x7E) {
            r->reading = !r->reading;
            take_output(r);
        } else {
            r->now += (uint32_t)(c - 0x7E);
        }
    }
    deliver(r, gathered, n);
    free(gathered);
    r->reading = true;
    take_output(r);
    store_check(r->e->store);
}

static void
end_run(struct fuzz_run *r)
{
    session_deinit(&r->s);
    engine_destroy(&r->e);
    free(r->out);
}

/* [frame.split]: the re-cut run must be indistinguishable. */
static void
compare_runs(const struct fuzz_run *a, const struct fuzz_run *b)
{
    if (a->out_len != b->out_len ||
        (a->out_len > 0 && memcmp(a->out, b->out, a->out_len) != 0)) {
        size_t at = 0;
        while (at < a->out_len && at < b->out_len && a->out[at] == b->out[at]) {
            at++;
        }
        fprintf(stderr, "fuzz_session: output differs when reads are cut "
                "again: %zu and %zu bytes, first difference at byte %zu\n",
                a->out_len, b->out_len, at);
        CHECK(false);
    }
    CHECK(a->s.state == b->s.state);
    struct store_stats sa;
    struct store_stats sb;
    store_stats(a->e->store, &sa);
    store_stats(b->e->store, &sb);
    CHECK(memcmp(&sa, &sb, sizeof sa) == 0);
    CHECK(memcmp(&a->e->stats, &b->e->stats, sizeof a->e->stats) == 0);
    for (unsigned rule = 0; rule < CLIENT_RULE_COUNT; rule++) {
        CHECK(rule == CLIENT_AFTER_QUIT ||
              a->check.counts[rule] == b->check.counts[rule]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    /* Small logs keep one input fast; the larger ones allow -I of 1 MiB. */
    static const struct {
        uint64_t mem;
        uint32_t value_max;
    } limits[] = {{2048, 512},        {4096, 1024},     {16384, 1024},
                  {65536, 4096},      {262144, 65536},  {1u << 20, 65536},
                  {2u << 20, 1u << 20}, {4u << 20, 1u << 20}};
    uint8_t conf = data[0];
    struct engine_config cfg = {
        .store = {.mem_limit = limits[conf >> 5].mem,
                  .value_len_max = limits[conf >> 5].value_max,
                  .evict = (conf & 1) == 0,
                  .cas_enabled = (conf & 2) == 0,
                  .hash_seed = 1,
                  .index_size_log2 = 4},
        .test_clock = (conf & 4) != 0,
        .flush_enabled = (conf & 8) == 0,
        .shutdown_enabled = (conf & 16) != 0,
        .version = "1.6.18-mcref",
        .value_ref_min = FUZZ_REF_MIN,
    };
    struct fuzz_run whole;
    bool reject = size % 2 == 1;
    run_stream(&whole, data, size, &cfg, 0, reject);
    size_t bad_at;
    const char *why;
    bool binary = whole.s.protocol == SESSION_PROTO_BINARY;
    if (!(binary ? binary_check(whole.out, whole.out_len, &bad_at, &why)
                 : output_check(whole.out, whole.out_len, &bad_at, &why))) {
        fprintf(stderr, "fuzz_session: %s at output byte %zu: \"", why,
                bad_at);
        for (size_t i = bad_at; i < whole.out_len && i < bad_at + 80; i++) {
            uint8_t c = whole.out[i];
            fprintf(stderr, c >= 0x20 && c < 0x7f ? "%c" : "\\x%02x", c);
        }
        fprintf(stderr, "\"\n");
        CHECK(false);
    }
    struct fuzz_run cut;
    cfg.value_ref_min = 0; /* the server's threshold */
    run_stream(&cut, data, size, &cfg, 0x5eed0000u + size, reject);
    compare_runs(&whole, &cut);
    end_run(&whole);
    end_run(&cut);
    return 0;
}
