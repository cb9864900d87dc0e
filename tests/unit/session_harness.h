/*
 * session_harness.h - one session over one engine, driven as a client: bytes
 * in, every reply byte collected, compared byte for byte. Shared by the
 * engine unit tests (test_engine_meta.c, test_engine_session.c); each test
 * file keeps its own engine config.
 */
#ifndef MCREF_TESTS_UNIT_SESSION_HARNESS_H
#define MCREF_TESTS_UNIT_SESSION_HARNESS_H

#include "clause.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/engine/session.h"

#define NOW 1700000000u

struct harness {
    struct engine *e;
    struct session s;
    uint8_t *out;
    size_t out_len;
    size_t out_cap;
};

static inline struct harness *
open_with(const struct engine_config *cfg)
{
    struct harness *h = calloc(1, sizeof *h);
    assert_non_null(h);
    h->e = engine_create(cfg, NULL);
    assert_non_null(h->e);
    session_init(&h->s, h->e);
    return h;
}

static inline void
close_harness(struct harness *h)
{
    session_deinit(&h->s);
    engine_destroy(&h->e);
    free(h->out);
    free(h);
}

/* Takes every queued reply byte, as a client that reads everything. */
static inline void
drain(struct harness *h, uint32_t now)
{
    for (;;) {
        struct outq_segment seg[8];
        size_t n = session_output(&h->s, seg, 8);
        if (n == 0) {
            return;
        }
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
            if (h->out_len + seg[i].len > h->out_cap) {
                h->out_cap = (h->out_len + seg[i].len) * 2;
                h->out = realloc(h->out, h->out_cap);
                assert_non_null(h->out);
            }
            memcpy(h->out + h->out_len, seg[i].base, seg[i].len);
            h->out_len += seg[i].len;
            total += seg[i].len;
        }
        session_sent(&h->s, total, now);
    }
}

static inline void
feed_at(struct harness *h, const void *data, size_t len, uint32_t now)
{
    session_input(&h->s, data, len, now);
    drain(h, now);
}

static inline void
feed(struct harness *h, const char *input)
{
    feed_at(h, input, strlen(input), NOW);
}

/* Feeds input and checks that exactly `want` came back (then forgets it). */
static inline void
expect_reply(struct harness *h, const char *input, const char *want)
{
    h->out_len = 0;
    feed(h, input);
    if (h->out_len != strlen(want) ||
        (h->out_len > 0 && memcmp(h->out, want, h->out_len) != 0)) {
        fprintf(stderr, "input: %s\nwanted: %s\ngot:    %.*s\n", input, want,
                (int)h->out_len, (const char *)h->out);
        fail();
    }
    h->out_len = 0;
}


/* As expect_reply, at item-clock time now. */
static inline void
expect_at(struct harness *h, uint32_t now, const char *input, const char *want)
{
    h->out_len = 0;
    feed_at(h, input, strlen(input), now);
    if (h->out_len != strlen(want) ||
        (h->out_len > 0 && memcmp(h->out, want, h->out_len) != 0)) {
        fprintf(stderr, "input: %s\nwanted: %s\ngot:    %.*s\n", input, want,
                (int)h->out_len, (const char *)h->out);
        fail();
    }
    h->out_len = 0;
}

static inline uint64_t
stat_of(struct harness *h, const char *name)
{
    h->out_len = 0;
    feed(h, "stats\r\n");
    char pattern[80];
    snprintf(pattern, sizeof pattern, "STAT %s ", name);
    size_t n = strlen(pattern);
    for (size_t i = 0; i + n <= h->out_len; i++) {
        if (memcmp(h->out + i, pattern, n) == 0) {
            uint64_t v = strtoull((const char *)h->out + i + n, NULL, 10);
            h->out_len = 0;
            return v;
        }
    }
    fail_msg("no stat %s", name);
    return 0;
}

/* Whether the output holds `text` starting at the beginning of a line (so
 * "STAT cmd_get 1\r\n" is not found inside "STAT xcmd_get 1\r\n"). */
static inline bool
output_has(const struct harness *h, const char *text)
{
    size_t n = strlen(text);
    for (size_t i = 0; i + n <= h->out_len; i++) {
        if ((i == 0 || h->out[i - 1] == '\n') &&
            memcmp(h->out + i, text, n) == 0) {
            return true;
        }
    }
    return false;
}

#endif
