/*
 * session_collect.h - takes every reply byte a session has queued into a
 * fixed buffer, as a client that reads everything, and tells the session it
 * was sent. The test fails if the replies would not fit in cap.
 */
#ifndef MCREF_TESTS_UNIT_SESSION_COLLECT_H
#define MCREF_TESTS_UNIT_SESSION_COLLECT_H

#include "clause.h"

#include <stdint.h>
#include <string.h>

#include "../../src/engine/session.h"

static inline void
session_collect(struct session *s, void *out, size_t cap, size_t *out_len,
                uint32_t now)
{
    uint8_t *dst = out;
    for (;;) {
        struct outq_segment seg[8];
        size_t n = session_output(s, seg, 8);
        if (n == 0) {
            return;
        }
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
            assert_true(*out_len + seg[i].len <= cap);
            memcpy(dst + *out_len, seg[i].base, seg[i].len);
            *out_len += seg[i].len;
            total += seg[i].len;
        }
        session_sent(s, total, now);
    }
}

#endif
