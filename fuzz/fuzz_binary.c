/*
 * fuzz_binary.c - the binary packet parser alone ([bin.*]), split at points
 * the fuzzer chooses.
 *
 * Input: byte 0 picks the value limit (64 << (b & 7) bytes) and the seed of
 * the second run's cuts; the rest is the client stream. The stream is parsed
 * twice: as one block, and cut into pieces of 1 to 32 bytes, as a session
 * would receive it (keeping what the parser left). Oracles: both give the
 * same requests at the same offsets ([bin.frame]); every slice lies inside
 * the bytes the request consumed; a request the parser returns is composed
 * back without tripping a CHECK; strict mode's lint of it
 * (proto_binary_client_lint) names only known rules, the same however the
 * stream was cut; no read outside the input (ASan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/common/check.h"
#include "../src/proto/binary.h"
#include "../src/proto/client_lint.h"
#include "../tests/support/rng.h"

#define FUZZ_BINARY_REQS 512u

struct seen {
    size_t start;
    size_t consumed;
    struct request req;
    uint32_t rules; /* proto_binary_client_lint */
};

struct parse_run {
    struct seen *reqs;
    size_t count;
    bool closed;
};

static void
check_request(const struct request *req, size_t consumed, const uint8_t *base)
{
    CHECK(req->cmd == REQ_BINARY);
    CHECK(req->key.off + (uint64_t)req->key.len <= consumed);
    CHECK(req->value.off + (uint64_t)req->value.len <= consumed);
    CHECK(req->key.len <= 250);
    /* Every response the engine may give composes within bounds. */
    static const enum response_status some[] = {
        RESP_NOT_FOUND, RESP_EXISTS, RESP_REQUEST_ERROR, RESP_OK, RESP_END};
    for (size_t i = 0; i < sizeof some / sizeof some[0]; i++) {
        uint8_t dst[LIMIT_REPLY_HEAD_LEN];
        struct proto_out out;
        struct response resp = {.status = some[i]};
        proto_binary_compose(req, base, &resp, dst, &out, true);
        CHECK(out.head_len <= LIMIT_REPLY_HEAD_LEN);
    }
}

static void
run(const uint8_t *data, size_t len, uint32_t value_max, uint64_t seed,
    struct parse_run *out)
{
    memset(out, 0, sizeof *out);
    out->reqs = calloc(FUZZ_BINARY_REQS, sizeof *out->reqs);
    CHECK(out->reqs != NULL);
    struct proto_bin_parser p;
    proto_binary_init(&p, value_max);
    uint64_t rng = seed;
    size_t at = 0;     /* parsed up to here */
    size_t avail = 0;  /* received up to here */
    while (out->count < FUZZ_BINARY_REQS) {
        size_t consumed;
        size_t needed;
        struct request req;
        /* An exact-size copy of what has arrived and is not yet used. */
        size_t n = avail - at;
        uint8_t *copy = malloc(n == 0 ? 1 : n);
        CHECK(copy != NULL);
        memcpy(copy, data + at, n);
        enum proto_status st =
            proto_binary_parse(&p, copy, n, &req, &consumed, &needed);
        CHECK(consumed <= n);
        if (st == PROTO_REQUEST) {
            check_request(&req, consumed, copy);
            out->reqs[out->count].start = at;
            out->reqs[out->count].consumed = consumed;
            out->reqs[out->count].req = req;
            uint32_t rules = proto_binary_client_lint(&req);
            CHECK(rules >> CLIENT_RULE_COUNT == 0);
            out->reqs[out->count].rules = rules;
            out->count++;
        }
        free(copy);
        if (st == PROTO_CLOSE) {
            out->closed = true;
            return;
        }
        if (st == PROTO_REQUEST &&
            proto_binary_error_closes(req.bin.error)) {
            return;
        }
        at += consumed;
        if (st == PROTO_INCOMPLETE && consumed == 0) {
            if (avail == len) {
                return;
            }
            size_t piece = seed == 0 ? len - avail
                                     : 1 + rng_next(&rng) % 32;
            avail += piece < len - avail ? piece : len - avail;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint32_t value_max = 64u << (data[0] & 7);
    struct parse_run whole;
    struct parse_run cut;
    run(data + 1, size - 1, value_max, 0, &whole);
    run(data + 1, size - 1, value_max, 0x5eed0000u + data[0], &cut);
    CHECK(whole.count == cut.count);
    CHECK(whole.closed == cut.closed);
    for (size_t i = 0; i < whole.count; i++) {
        const struct seen *a = &whole.reqs[i];
        const struct seen *b = &cut.reqs[i];
        CHECK(a->start == b->start);
        CHECK(a->consumed == b->consumed);
        CHECK(a->req.bin.opcode == b->req.bin.opcode);
        CHECK(a->req.bin.error == b->req.bin.error);
        CHECK(a->req.bin.opaque == b->req.bin.opaque);
        CHECK(a->req.key.off == b->req.key.off);
        CHECK(a->req.key.len == b->req.key.len);
        CHECK(a->req.value.len == b->req.value.len);
        CHECK(a->req.value_len == b->req.value_len);
        CHECK(a->req.exptime == b->req.exptime);
        CHECK(a->req.delta == b->req.delta);
        CHECK(a->rules == b->rules);
    }
    free(whole.reqs);
    free(cut.reqs);
    return 0;
}
