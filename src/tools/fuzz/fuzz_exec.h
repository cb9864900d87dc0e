/*
 * fuzz_exec.h - runs one stream against a target and against the oracle
 * (a fresh mcref session), batch by batch, and judges the first batch whose
 * normalised replies differ.
 *
 * Each execution draws a fresh key prefix (`k` + 8 hex digits + `_`), so
 * executions never see each other's items on a target that keeps running.
 * After each batch a sentinel request is sent (`mn` where the target speaks
 * meta, else a `get` of a key never stored), whose reply marks the end of
 * the batch's replies; the sentinel's reply is not compared.
 *
 * The target is an interface, so that tests plant divergences in a second
 * in-process session, and the tool talks to a socket (fuzz_net.h).
 */
#ifndef FUZZ_EXEC_H
#define FUZZ_EXEC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_buf.h"
#include "fuzz_compare.h"
#include "fuzz_gen.h"

enum fuzz_io {
    FUZZ_IO_OK = 0,     /* replies up to the sentinel's, or quiet */
    FUZZ_IO_CLOSED,     /* the target closed the connection (EOF, reset) */
    FUZZ_IO_TIMEOUT,    /* the expected bytes did not come in time */
    FUZZ_IO_GONE,       /* no connection could be made */
};

struct fuzz_target {
    void *ctx;
    /* A new connection; false (err set) when none can be made. */
    bool (*open)(void *ctx, char *err, size_t err_len);
    /*
     * Sends data (in pieces of split bytes when split > 0) and appends to
     * reply what comes back. The target reads until the reply ends with
     * end[0..end_len) (the sentinel's reply) and holds it end_count times
     * (as many as mcref's: a batch may hold the sentinel's command too),
     * or, with end_len 0, until it has expect_len bytes and a short quiet
     * period passes; or the connection closes, or its time limit passes.
     */
    enum fuzz_io (*exchange)(void *ctx, const uint8_t *data, size_t len,
                             size_t split, size_t expect_len,
                             const uint8_t *end, size_t end_len,
                             size_t end_count, struct fuzz_buf *reply);
    void (*close)(void *ctx);
};

enum fuzz_kind {
    FUZZ_SAME = 0,      /* no difference */
    FUZZ_DIVERGE,       /* different reply bytes */
    FUZZ_CLOSE,         /* one side closed the connection, the other not */
    FUZZ_HANG,          /* the target did not answer in time (desync) */
    FUZZ_GONE,          /* the target cannot be reached any more (crash) */
    FUZZ_SETUP,         /* the oracle could not be created */
};

struct fuzz_exec_opts {
    bool sentinel_meta;  /* the target answers `mn` */
    bool binary;         /* binary streams: a NOOP ends each batch */
    bool cas_loose;
    /* The key prefixes of a run are k<base + n>_ for execution n, base
     * drawn from nonce_seed: consecutive, so no two executions of a run
     * share one (random 32-bit prefixes met after ~100,000 streams and
     * read the items an earlier stream left on a long-running target). */
    uint64_t nonce_seed;
    uint64_t executions; /* advanced by every execution */
};

struct fuzz_result {
    enum fuzz_kind kind;
    size_t request;      /* the request whose reply differs first */
    uint32_t batch;
    const char *clause;  /* that request's clause */
    char shape_oracle[FUZZ_SHAPE_LEN];
    char shape_target[FUZZ_SHAPE_LEN];
    char prefix[FUZZ_KEY_PREFIX_LEN + 1]; /* the execution's key prefix */
    struct fuzz_buf oracle;  /* normalised replies of the judged batch */
    struct fuzz_buf target;
    uint64_t requests_sent;
};

const char *fuzz_kind_name(enum fuzz_kind k);

/* How many times needle occurs in hay (not overlapping). */
size_t fuzz_count(const uint8_t *hay, size_t len, const uint8_t *needle,
                  size_t nlen);

/* Executes s; result must be zeroed or freed before. */
void fuzz_exec(const struct fuzz_stream *s, const struct fuzz_target *t,
               struct fuzz_exec_opts *o, struct fuzz_result *result);

void fuzz_result_free(struct fuzz_result *r);

/* Same finding for the minimiser: the kind, the clause and the shape of
 * the oracle's line (the target's may shift while a case shrinks). */
bool fuzz_result_same(const struct fuzz_result *a,
                      const struct fuzz_result *b);

/* request bytes with ${k} replaced by prefix and ${cas} by cas, appended
 * to out. */
void fuzz_expand(const uint8_t *bytes, size_t len, const char *prefix,
                 const char *cas, struct fuzz_buf *out);

/* The last CAS unique shown in reply bytes (a `VALUE` line's fifth token,
 * a meta reply's c flag) into cas; unchanged if none. */
void fuzz_last_cas(const uint8_t *p, size_t len, char cas[24]);

/* What the oracle answers, request by request, for a stream (key prefix
 * prefix): replies[i] (allocated array of count buffers) and whether the
 * oracle closed after request i (closed_at = index, or SIZE_MAX). Used by
 * the case writer. */
bool fuzz_oracle_replies(const struct fuzz_stream *s, const char *prefix,
                         struct fuzz_buf **replies, size_t *closed_at);

#endif
