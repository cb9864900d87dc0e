/*
 * fuzz_gen.h - request streams and the generator that writes them from the
 * protocol's grammar, biased toward the spec's boundaries.
 *
 * A stream is a list of requests. Each request is the bytes a client sends
 * (command line and data block), where the 4 bytes `${k}` stand for the key
 * prefix of one execution (FUZZ_KEY_PREFIX_LEN bytes, the same shape as the
 * conformance language's ${k}, so a request is a .case `send` as it is).
 * Requests with the same batch number are sent together (a pipeline); a
 * batch's split size, when not 0, cuts it into pieces of that many bytes.
 *
 * The generator avoids what spec/differences.md says it must (rows 3-14,
 * M1-M12, D1-D4), so that the only differences left are the normalised ones
 * (fuzz_compare.h): counters live on the keys n0-n2 and hold small numbers;
 * values are at most 400 bytes; lines stay under 2048 bytes; exptimes keep a
 * margin (0, negative, absolute in the past, 100000 or 30 days); no delayed
 * flush; a get of an over-long key goes alone in its batch.
 *
 * Same seed and options, same stream: the generator reads no clock and
 * no global state.
 */
#ifndef FUZZ_GEN_H
#define FUZZ_GEN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FUZZ_KEY_VAR "${k}"
#define FUZZ_KEY_VAR_LEN 4u
#define FUZZ_KEY_PREFIX_LEN 10u
/* The last CAS unique the same side showed before this batch (FUZZ_CAS_NONE if
 * none): each server numbers its own items. A .case captures it. */
#define FUZZ_CAS_VAR "${cas}"
#define FUZZ_CAS_VAR_LEN 6u
/* ${cas} before any unique was shown: one no item has. */
#define FUZZ_CAS_NONE "99999999999"

enum fuzz_protocol {
    FUZZ_PROTO_TEXT = 0,
    FUZZ_PROTO_META,
    FUZZ_PROTO_MIXED,
    /* Binary packets (fuzz_bin.h): each request is packets, a stream's
     * last may have a bad magic; the exec's sentinel is a NOOP. */
    FUZZ_PROTO_BINARY,
};

struct fuzz_req {
    uint8_t *bytes;
    size_t len;
    uint32_t batch;
    uint8_t split;        /* of its batch: 0 whole, else piece size */
    const char *clause;   /* the clause of spec/protocol.md it exercises */
    bool meta;            /* a meta command */
    bool destructive;     /* flush_all */
    bool binary;          /* binary packets (no byte shrinking) */
};

struct fuzz_stream {
    struct fuzz_req *reqs;
    size_t count;
    size_t cap;
};

/* What the generator may produce. */
struct fuzz_gen_opts {
    enum fuzz_protocol protocol;
    uint32_t max_requests;   /* per stream (>= 1) */
    bool allow_flush;        /* flush_all (changes the whole target) */
    /* Command names allowed (NULL: all). A proxy such as twemproxy passes
     * the ones it forwards. Matched as whole words of this list. */
    const char *commands;
};

/* Appends a copy of bytes as a new request. */
void fuzz_stream_add(struct fuzz_stream *s, const void *bytes, size_t len,
                     uint32_t batch, const char *clause);
/* A deep copy of the requests whose keep[i] is true (keep NULL: all). */
void fuzz_stream_copy(struct fuzz_stream *dst, const struct fuzz_stream *src,
                      const bool *keep);
void fuzz_stream_free(struct fuzz_stream *s);
/* The number of bytes of all requests together. */
size_t fuzz_stream_bytes(const struct fuzz_stream *s);

/* Generates one stream from seed into s (which must be empty). */
void fuzz_gen_stream(struct fuzz_stream *s, uint64_t seed,
                     const struct fuzz_gen_opts *o);

/* The seed of stream number i of a run with seed run_seed. */
uint64_t fuzz_gen_stream_seed(uint64_t run_seed, uint64_t i);

#endif
