/*
 * fuzz_parse.c - the text parser alone (src/proto/text_parse.c, with the
 * meta lines it hands to src/proto/meta_parse.c) under
 * fuzzing: any split of a stream gives the same requests ([frame.split]).
 *
 * Input: byte 0 configures: bits 0-1 pick the value limit (1, 100, 2048 or
 * 1048576 bytes), bits 2-7 seed the random split. Byte 1 is a count n of
 * explicit split points, kept as 16-bit little-endian offsets (modulo the
 * stream's length) in the input's last 2n bytes (fewer if it is short). The
 * stream is what lies between; a seed is "\x03\x00" followed by the stream.
 *
 * The stream is parsed whole, then fed again in pieces: at the explicit
 * points, at random points, and (when short) one byte at a time, as a
 * connection feeds it: unused bytes are kept and presented again with the
 * next piece. In split runs every call sees an exact-size heap copy of what
 * it is given, so AddressSanitizer catches a read outside the input.
 *
 * Oracles: every split gives the same requests (every field, and a hash of
 * the bytes each slice names), the same swallowed bytes and the same outcome
 * at the end (close, or incomplete with the same leftover, `needed` and
 * swallow count) as the whole stream; every answer passes parse_check
 * (consumed <= len, slices inside the request, line and data framing); an
 * incomplete answer's `needed` is exactly what the request then uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/common/check.h"
#include "parse_check.h"
#include "../tests/support/rng.h"

/* Longer streams are cut here: bounds the time one input takes. */
#define FUZZ_PARSE_STREAM_MAX (64u << 10)
/* Streams up to this long are also fed one byte at a time. */
#define FUZZ_PARSE_BYTEWISE_MAX 1024u
/* Random pieces are 1 to this many bytes, or sometimes up to LONG. */
#define FUZZ_PARSE_PIECE_MAX 16u
#define FUZZ_PARSE_PIECE_LONG_MAX 512u

struct parse_event {
    enum proto_status status; /* PROTO_INCOMPLETE marks the end */
    size_t at;                /* stream offset of the request or leftover */
    size_t consumed;          /* a request's bytes; the leftover at the end */
    size_t needed;            /* at the end */
    uint64_t swallow_left;    /* at the end */
    uint64_t slice_hash;      /* of the bytes the request's slices name */
    struct request req;
};

struct feed {
    const uint8_t *stream;
    size_t stream_len;
    uint32_t value_len_max;
    bool exact_copies;  /* false: the whole run reads the stream in place */
    size_t fed;         /* stream bytes given so far */
    size_t base;        /* stream offset of the first unused byte */
    struct proto_text_parser p;
    bool closed;
    size_t last_needed;
    size_t need_at;     /* a promise: the request at need_at uses need_n */
    size_t need_n;
    struct parse_event *ev;
    size_t count;
};

static uint64_t
hash_bytes(uint64_t h, const uint8_t *base, struct slice s)
{
    for (uint32_t i = 0; i < s.len; i++) {
        h = (h ^ base[s.off + i]) * 0x100000001b3u;
    }
    return (h ^ s.len) * 0x100000001b3u;
}

static uint64_t
slice_hash(const uint8_t *base, const struct request *req)
{
    uint64_t h = 0xcbf29ce484222325u;
    h = hash_bytes(h, base, req->line);
    h = hash_bytes(h, base, req->key);
    h = hash_bytes(h, base, req->keys);
    h = hash_bytes(h, base, req->value);
    if (req->cmd >= REQ_META_GET) {
        h = hash_bytes(h, base, req->meta.opaque);
        h = hash_bytes(h, base, req->meta.key_token);
    }
    return hash_bytes(h, base, req->arg);
}

static void
record(struct feed *f, enum proto_status st, size_t consumed,
       const struct request *req, uint64_t hash)
{
    CHECK(f->count < f->stream_len + 2);
    struct parse_event *e = &f->ev[f->count++];
    memset(e, 0, sizeof *e);
    e->status = st;
    e->at = f->base;
    e->consumed = consumed;
    if (req != NULL) {
        e->req = *req;
        e->slice_hash = hash;
    }
}

/* One call of the parser on everything not yet used; false to stop. */
static bool
parse_once(struct feed *f)
{
    size_t len = f->fed - f->base;
    uint8_t *copy = NULL;
    const uint8_t *data = f->stream + f->base;
    if (f->exact_copies) {
        copy = malloc(len);
        CHECK(copy != NULL);
        memcpy(copy, data, len);
        data = copy;
    }
    struct request req;
    size_t consumed;
    size_t needed;
    uint64_t swallow_before = f->p.swallow_left;
    enum proto_status st =
        proto_text_parse(&f->p, data, len, &req, &consumed, &needed);
    CHECK(consumed <= len);
    bool more = true;
    switch (st) {
    case PROTO_REQUEST:
        CHECK(swallow_before == 0);
        parse_check_request(data, len, f->value_len_max, &req, consumed,
                            &f->p);
        if (f->need_n != 0) {
            CHECK(f->need_at == f->base && f->need_n == consumed);
            f->need_n = 0;
        }
        record(f, st, consumed, &req, slice_hash(data, &req));
        f->base += consumed;
        break;
    case PROTO_INCOMPLETE:
        if (consumed > 0) {
            /* [store.too-large]: part of a refused block dropped. */
            CHECK(consumed == (len < swallow_before ? len : swallow_before));
            CHECK(f->p.swallow_left == swallow_before - consumed);
            f->base += consumed;
            break;
        }
        CHECK(swallow_before == 0);
        parse_check_incomplete(data, len, needed);
        if (needed != 0) {
            CHECK(f->need_n == 0 ||
                  (f->need_at == f->base && f->need_n == needed));
            f->need_at = f->base;
            f->need_n = needed;
        }
        f->last_needed = needed;
        more = false;
        break;
    case PROTO_CLOSE:
        parse_check_close(data, len);
        record(f, st, 0, NULL, 0);
        f->closed = true;
        more = false;
        break;
    }
    free(copy);
    return more;
}

static void
feed_piece(struct feed *f, size_t n)
{
    CHECK(f->fed + n <= f->stream_len);
    f->fed += n;
    f->last_needed = 0;
    while (!f->closed && f->base < f->fed && parse_once(f)) {
    }
}

static void
feed_init(struct feed *f, const uint8_t *stream, size_t len,
          uint32_t value_len_max, bool exact_copies)
{
    memset(f, 0, sizeof *f);
    f->stream = stream;
    f->stream_len = len;
    f->value_len_max = value_len_max;
    f->exact_copies = exact_copies;
    proto_text_init(&f->p, value_len_max);
    f->ev = malloc((len + 2) * sizeof *f->ev);
    CHECK(f->ev != NULL);
}

static void
feed_finish(struct feed *f)
{
    if (!f->closed) {
        size_t leftover = f->fed - f->base;
        record(f, PROTO_INCOMPLETE, leftover, NULL, 0);
        f->ev[f->count - 1].needed = leftover > 0 ? f->last_needed : 0;
        f->ev[f->count - 1].swallow_left = f->p.swallow_left;
    }
}

static bool
same_slice(struct slice a, struct slice b)
{
    return a.off == b.off && a.len == b.len;
}

/* The meta part is set for meta requests only ([meta.*]). */
static bool
same_meta(const struct meta_request *a, const struct meta_request *b)
{
    return a->seen == b->seen && a->count == b->count &&
           memcmp(a->order, b->order, a->count) == 0 && a->error == b->error &&
           same_slice(a->opaque, b->opaque) &&
           same_slice(a->key_token, b->key_token) && a->ttl == b->ttl &&
           a->vivify_ttl == b->vivify_ttl && a->recache_ttl == b->recache_ttl &&
           a->compare_cas == b->compare_cas &&
           a->explicit_cas == b->explicit_cas && a->delta == b->delta &&
           a->initial == b->initial && a->client_flags == b->client_flags &&
           a->mode == b->mode && a->key_decoded == b->key_decoded &&
           a->key_len == b->key_len &&
           memcmp(a->key_buf, b->key_buf, a->key_len) == 0;
}

static bool
same_request(const struct request *a, const struct request *b)
{
    if (a->cmd >= REQ_META_GET && a->cmd == b->cmd &&
        !same_meta(&a->meta, &b->meta)) {
        return false;
    }
    return a->cmd == b->cmd && a->error == b->error &&
           a->noreply == b->noreply && a->mode == b->mode &&
           same_slice(a->line, b->line) && same_slice(a->key, b->key) &&
           same_slice(a->keys, b->keys) && a->key_count == b->key_count &&
           a->bad_key_index == b->bad_key_index && a->flags == b->flags &&
           a->exptime == b->exptime && a->value_len == b->value_len &&
           same_slice(a->value, b->value) && a->cas_unique == b->cas_unique &&
           a->delta == b->delta && a->time_step == b->time_step &&
           a->level == b->level && same_slice(a->arg, b->arg);
}

static const char *
status_name(enum proto_status st)
{
    return st == PROTO_REQUEST ? "request"
           : st == PROTO_CLOSE ? "close"
                               : "end (incomplete)";
}

/* [frame.split]: the split run must tell the whole run's story. */
static void
compare(const struct feed *whole, const struct feed *split, const char *how)
{
    for (size_t i = 0; i < whole->count || i < split->count; i++) {
        if (i >= whole->count || i >= split->count) {
            fprintf(stderr, "fuzz_parse: %s split gives %zu events, whole "
                    "%zu\n", how, split->count, whole->count);
            CHECK(false);
        }
        const struct parse_event *a = &whole->ev[i];
        const struct parse_event *b = &split->ev[i];
        if (a->status != b->status || a->at != b->at ||
            a->consumed != b->consumed || a->needed != b->needed ||
            a->swallow_left != b->swallow_left ||
            a->slice_hash != b->slice_hash || !same_request(&a->req, &b->req)) {
            fprintf(stderr,
                    "fuzz_parse: %s split differs at event %zu: whole %s at "
                    "%zu (%zu bytes, cmd %d error %d), split %s at %zu (%zu "
                    "bytes, cmd %d error %d)\n",
                    how, i, status_name(a->status), a->at, a->consumed,
                    a->req.cmd, a->req.error, status_name(b->status), b->at,
                    b->consumed, b->req.cmd, b->req.error);
            CHECK(false);
        }
    }
}

static int
compare_offsets(const void *a, const void *b)
{
    size_t x = *(const size_t *)a;
    size_t y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static void
run_explicit(const struct feed *whole, const uint8_t *points, size_t n)
{
    struct feed f;
    feed_init(&f, whole->stream, whole->stream_len, whole->value_len_max,
              true);
    size_t *at = malloc((n + 1) * sizeof *at);
    CHECK(at != NULL);
    for (size_t i = 0; i < n; i++) {
        at[i] = (points[2 * i] | (size_t)points[2 * i + 1] << 8) %
                (f.stream_len + 1);
    }
    qsort(at, n, sizeof *at, compare_offsets);
    for (size_t i = 0; i < n; i++) {
        feed_piece(&f, at[i] - f.fed);
    }
    feed_piece(&f, f.stream_len - f.fed);
    feed_finish(&f);
    compare(whole, &f, "explicit");
    free(at);
    free(f.ev);
}

static void
run_random(const struct feed *whole, uint64_t seed)
{
    struct feed f;
    feed_init(&f, whole->stream, whole->stream_len, whole->value_len_max,
              true);
    uint64_t rng = seed;
    while (f.fed < f.stream_len) {
        uint64_t r = rng_next(&rng);
        size_t piece = 1 + (r % 8 == 0 ? (r >> 8) % FUZZ_PARSE_PIECE_LONG_MAX
                                        : (r >> 8) % FUZZ_PARSE_PIECE_MAX);
        size_t left = f.stream_len - f.fed;
        feed_piece(&f, piece < left ? piece : left);
    }
    feed_finish(&f);
    compare(whole, &f, "random");
    free(f.ev);
}

static void
run_bytewise(const struct feed *whole)
{
    struct feed f;
    feed_init(&f, whole->stream, whole->stream_len, whole->value_len_max,
              true);
    while (f.fed < f.stream_len) {
        feed_piece(&f, 1);
    }
    feed_finish(&f);
    compare(whole, &f, "byte-by-byte");
    free(f.ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t value_limits[] = {1, 100, 2048, 1u << 20};
    if (size < 2) {
        return 0;
    }
    uint8_t conf = data[0];
    size_t points = data[1];
    if (points > (size - 2) / 2) {
        points = (size - 2) / 2;
    }
    size_t stream_len = size - 2 - 2 * points;
    const uint8_t *trailer = data + 2 + stream_len;
    if (stream_len > FUZZ_PARSE_STREAM_MAX) {
        stream_len = FUZZ_PARSE_STREAM_MAX;
    }
    /* An exact-size copy: the whole run reads it in place. */
    uint8_t *stream = malloc(stream_len > 0 ? stream_len : 1);
    CHECK(stream != NULL);
    memcpy(stream, data + 2, stream_len);

    struct feed whole;
    feed_init(&whole, stream, stream_len, value_limits[conf & 3], false);
    feed_piece(&whole, stream_len);
    feed_finish(&whole);

    run_explicit(&whole, trailer, points);
    run_random(&whole, (uint64_t)(conf >> 2) * 0x9e3779b97f4a7c15u ^
                           stream_len);
    if (stream_len <= FUZZ_PARSE_BYTEWISE_MAX) {
        run_bytewise(&whole);
    }
    free(whole.ev);
    free(stream);
    return 0;
}
