/*
 * fuzz_case.h - writes a finding as a case of the conformance language
 * (spec/cases/README.md), so that `mcref-conform --case FILE` replays it on
 * any server. The case sends the minimised stream batch by batch, under
 * the case's own ${k}, and expects what mcref (the oracle) answered: exact
 * bytes, or `expect-line` patterns where an allowance of fuzz_compare.h
 * applies (VERSION, padded counters, l/cls/size/exp, CAS numbers when
 * loose). A case whose oracle closed the connection ends in expect-close.
 */
#ifndef FUZZ_CASE_H
#define FUZZ_CASE_H
#include <stdbool.h>

#include "fuzz_buf.h"
#include "fuzz_exec.h"

struct fuzz_case_info {
    const char *name;       /* case name ([A-Za-z0-9_.-], <= 96) */
    uint64_t run_seed;
    uint64_t stream;        /* stream number in the run */
    const char *target;     /* the address, for the comment */
    bool cas_loose;
};

/* Appends the case text to out; false if the oracle cannot be created. */
bool fuzz_case_write(const struct fuzz_stream *s,
                     const struct fuzz_result *finding,
                     const struct fuzz_case_info *info, struct fuzz_buf *out);

/* Appends bytes as one conformance-language string: "..." with escapes;
 * `${k}` is kept as the case variable, other `$` are escaped. */
void fuzz_case_quote(const uint8_t *p, size_t len, struct fuzz_buf *out);

#endif
