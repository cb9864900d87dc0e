/*
 * fuzz_faults.c - the fault plan parser and the fault scheduler
 * (src/engine/faults.h) under fuzzing.
 *
 * Input: 24 bytes of numbers (seed, connection, request: little-endian
 * 64-bit words, missing bytes zero), then a profile or list text for
 * faults_parse() (the rest, NUL-ended by the harness).
 *
 * Oracles: parsing never reads past the text and, when it fails, leaves an
 * empty plan and a message; parsing again gives the same plan. The
 * scheduler is a pure function: the same (plan, seed, connection, request)
 * gives the same fault and parameter every time, whatever was decided in
 * between; a fault only hits where its kind applies (accept faults at
 * request 0, storage faults on storage requests), only with a rate above
 * zero, and its parameter is within its bound; a parsed plan's rates fit
 * in one draw, and a request kind's draw does not depend on `storage`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/common/check.h"
#include "../src/engine/faults.h"

static uint64_t
word(const uint8_t *data, size_t size, size_t at)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8; i++) {
        if (at + i < size) {
            v |= (uint64_t)data[at + i] << (8 * i);
        }
    }
    return v;
}

static void
check_decision(const struct fault_plan *p, uint64_t seed, uint64_t conn,
               uint64_t req, bool storage)
{
    uint32_t a;
    uint32_t b;
    enum fault_kind k = faults_decide(p, seed, conn, req, storage, &a);
    /* Something else in between must not change the answer. */
    (void)faults_decide(p, seed ^ 1, conn + 1, req + 1, !storage, &b);
    CHECK(faults_decide(p, seed, conn, req, storage, &b) == k);
    CHECK(a == b);
    if (k == FAULT_NONE) {
        CHECK(a == 0);
        return;
    }
    CHECK(p->permille[k] > 0);
    enum fault_point point = fault_kind_point(k);
    if (req == 0) {
        CHECK(point == FAULT_AT_CONNECT);
    } else {
        CHECK(point != FAULT_AT_CONNECT);
        CHECK(point != FAULT_AT_STORE || storage);
    }
    switch (k) {
    case FAULT_CUT:
        CHECK(a >= 1 && a <= LIMIT_FAULT_CUT_MAX);
        break;
    case FAULT_DELAY:
        CHECK(a >= 1 && a <= LIMIT_FAULT_DELAY_MAX_MS);
        break;
    case FAULT_SLOW_ACCEPT:
        CHECK(a >= 1 && a <= LIMIT_FAULT_ACCEPT_MAX_MS);
        break;
    default:
        CHECK(a == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t seed = word(data, size, 0);
    uint64_t conn = word(data, size, 8);
    uint64_t req = word(data, size, 16);
    size_t text_len = size > 24 ? size - 24 : 0;
    char *text = malloc(text_len + 1);
    CHECK(text != NULL);
    if (text_len > 0) {
        memcpy(text, data + 24, text_len);
    }
    text[text_len] = '\0';
    struct fault_plan p;
    struct fault_plan again;
    char err[512];
    char err2[512];
    bool ok = faults_parse(text, &p, err, sizeof err);
    CHECK(faults_parse(text, &again, err2, sizeof err2) == ok);
    CHECK(memcmp(&p, &again, sizeof p) == 0);
    if (!ok) {
        struct fault_plan empty;
        memset(&empty, 0, sizeof empty);
        CHECK(memcmp(&p, &empty, sizeof p) == 0);
        CHECK(err[0] != '\0');
        /* A failed parse still schedules (nothing); use every rate. */
        for (unsigned k = 0; k < FAULT_COUNT; k++) {
            p.permille[k] = (uint16_t)((seed >> (k * 3)) % 1001);
        }
    }
    unsigned sums[3] = {0, 0, 0}; /* by enum fault_point */
    for (unsigned k = 0; k < FAULT_COUNT; k++) {
        CHECK(p.permille[k] <= 1000);
        sums[fault_kind_point((enum fault_kind)k)] += p.permille[k];
    }
    if (ok) {
        /* One draw serves every kind that can hit a request: their rates
         * fit in it, so each kind fires at its own rate. */
        CHECK(sums[FAULT_AT_REQUEST] + sums[FAULT_AT_STORE] <= 1000);
        CHECK(sums[FAULT_AT_CONNECT] <= 1000);
    }
    if (req != 0) {
        /* A request kind's range does not move with `storage`. */
        uint32_t a;
        uint32_t b;
        enum fault_kind k = faults_decide(&p, seed, conn, req, true, &a);
        if (k == FAULT_NONE || fault_kind_point(k) == FAULT_AT_REQUEST) {
            CHECK(faults_decide(&p, seed, conn, req, false, &b) == k);
        }
    }
    check_decision(&p, seed, conn, req, true);
    check_decision(&p, seed, conn, req, false);
    check_decision(&p, seed, conn, 0, false);
    free(text);
    return 0;
}
