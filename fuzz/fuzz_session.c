/*
 * fuzz_session.c - the whole session (parser, engine, store, composer) under
 * fuzzing, with a fake clock and network splits the fuzzer chooses.
 *
 * Input: byte 0 picks the configuration (bit 0: -M, bit 1: -C, bit 2: test
 * clock, bit 3: -F, bit 4: -A, bits 5-7: memory size). The rest is the client
 * stream, in which 0xFF starts a control pair: 0xFF 0xFF is a literal 0xFF;
 * 0xFF c with c < 0x7E delivers what was gathered as one read; 0xFF 0x7E
 * toggles whether the client reads replies; 0xFF c with c >= 0x7F advances
 * the clock by c - 0x7E seconds.
 *
 * Oracles: the output is a well-formed reply stream (output_check);
 * store_check() holds; the stash and the output stay within their bounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/common/check.h"
#include "../src/common/limits.h"
#include "../src/engine/session.h"
#include "output_check.h"

#define START_S 1700000000u

struct fuzz_run {
    struct engine *e;
    struct session s;
    uint8_t *out;
    size_t out_len;
    size_t out_cap;
    bool reading;
    uint32_t now;
};

static void
take_output(struct fuzz_run *r)
{
    struct outq_segment seg[16];
    size_t n;
    while (r->reading && (n = session_output(&r->s, seg, 16)) > 0) {
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

static void
deliver(struct fuzz_run *r, const uint8_t *chunk, size_t len)
{
    if (len == 0) {
        return;
    }
    /* An exact-size copy, so that ASan sees any read past its end. */
    uint8_t *copy = malloc(len);
    CHECK(copy != NULL);
    memcpy(copy, chunk, len);
    session_input(&r->s, copy, len, r->now);
    free(copy);
    CHECK(session_stashed(&r->s) <= (8u << 20));
    take_output(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    static const uint64_t mems[] = {2048, 4096, 16384, 65536,
                                    1u << 20, 4u << 20, 8u << 20, 64u << 20};
    uint8_t conf = data[0];
    struct engine_config cfg = {
        .store = {.mem_limit = mems[conf >> 5],
                  .value_len_max = conf >> 5 < 4 ? 512 : 65536,
                  .evict = (conf & 1) == 0,
                  .cas_enabled = (conf & 2) == 0,
                  .hash_seed = 1},
        .test_clock = (conf & 4) != 0,
        .flush_enabled = (conf & 8) == 0,
        .shutdown_enabled = (conf & 16) != 0,
        .version = "1.6.18-mcref",
    };
    struct fuzz_run r = {.reading = true, .now = START_S};
    r.e = engine_create(&cfg, NULL);
    CHECK(r.e != NULL);
    session_init(&r.s, r.e);

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
            deliver(&r, gathered, n);
            n = 0;
        } else if (c == 0x7E) {
            r.reading = !r.reading;
            take_output(&r);
        } else {
            r.now += (uint32_t)(c - 0x7E);
        }
    }
    deliver(&r, gathered, n);
    free(gathered);
    r.reading = true;
    take_output(&r);

    size_t bad_at;
    const char *why;
    if (!output_check(r.out, r.out_len, &bad_at, &why)) {
        fprintf(stderr, "fuzz_session: %s at output byte %zu\n", why, bad_at);
        CHECK(false);
    }
    store_check(r.e->store);
    session_deinit(&r.s);
    engine_destroy(&r.e);
    free(r.out);
    return 0;
}
