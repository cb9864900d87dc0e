/*
 * fuzz_planted.h - an in-process target for mcref-fuzz's unit tests: a
 * second mcref session whose replies pass through a planted defect (every
 * `DELETED` line reads `NOT_FOUND`), so that a divergence is known.
 */
#ifndef TEST_FUZZ_PLANTED_H
#define TEST_FUZZ_PLANTED_H
#include <string.h>

#include "fuzz_exec.h"
#include "fuzz_oracle.h"

struct planted {
    struct fuzz_oracle *o;
    bool defect;
    unsigned opens;
};

static inline bool
planted_open(void *ctx, char *err, size_t err_len)
{
    (void)err;
    (void)err_len;
    struct planted *p = ctx;
    fuzz_oracle_destroy(&p->o);
    p->o = fuzz_oracle_create();
    p->opens++;
    return p->o != NULL;
}

static inline void
planted_close(void *ctx)
{
    struct planted *p = ctx;
    fuzz_oracle_destroy(&p->o);
}

static inline enum fuzz_io
planted_exchange(void *ctx, const uint8_t *data, size_t len, size_t split,
                 size_t expect_len, const uint8_t *end, size_t end_len,
                 size_t end_count, struct fuzz_buf *reply)
{
    (void)expect_len;
    (void)end_count;
    (void)end;
    (void)end_len;
    struct planted *p = ctx;
    struct fuzz_buf raw = {0};
    bool open = fuzz_oracle_input(p->o, data, len, split, 1700000000u, &raw);
    for (size_t i = 0; i < raw.len;) {
        if (p->defect && raw.len - i >= 9 &&
            memcmp(raw.p + i, "DELETED\r\n", 9) == 0) {
            fuzz_buf_add(reply, "NOT_FOUND\r\n", 11);
            i += 9;
        } else {
            fuzz_buf_add(reply, raw.p + i, 1);
            i++;
        }
    }
    fuzz_buf_free(&raw);
    return open ? FUZZ_IO_OK : FUZZ_IO_CLOSED;
}

static inline struct fuzz_target
planted_target(struct planted *p)
{
    struct fuzz_target t = {.ctx = p, .open = planted_open,
                            .exchange = planted_exchange,
                            .close = planted_close};
    return t;
}

static inline void
add_req(struct fuzz_stream *s, const char *text, uint32_t batch,
        const char *clause)
{
    fuzz_stream_add(s, text, strlen(text), batch, clause);
}

#endif
