/*
 * fuzz_min.h - shrinks a stream that gives a finding to a small one that
 * gives the same finding (fuzz_result_same): first the requests after the
 * one judged are dropped, then delta debugging removes sets of requests,
 * then chunks of bytes inside each request that is left (never a line end
 * or a ${k}/${cas} variable, nor a line's first word).
 */
#ifndef FUZZ_MIN_H
#define FUZZ_MIN_H
#include <stddef.h>

#include "fuzz_exec.h"

struct fuzz_min_stats {
    size_t executions;
    size_t requests_before;
    size_t requests_after;
    size_t bytes_before;
    size_t bytes_after;
    bool reproduced;      /* the first re-run gave the same finding */
};

/*
 * Shrinks s in place with at most budget executions against t. want is
 * the finding to keep; *final receives the result of the last execution
 * that still gave it (the caller frees it).
 */
void fuzz_minimise(struct fuzz_stream *s, const struct fuzz_target *t,
                   struct fuzz_exec_opts *o, const struct fuzz_result *want,
                   size_t budget, struct fuzz_result *final,
                   struct fuzz_min_stats *stats);

#endif
