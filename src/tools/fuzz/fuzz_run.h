/*
 * fuzz_run.h - a whole campaign against one target: streams until the
 * time or run bound, each finding minimised once per signature (kind,
 * clause, the two reply shapes) and written to the findings folder as
 * <name>.case; a progress line on stderr and a summary at the end.
 */
#ifndef FUZZ_RUN_H
#define FUZZ_RUN_H
#include <stdio.h>

#include "fuzz_exec.h"
#include "fuzz_opts.h"

#define FUZZ_FINDINGS_MAX 64u

struct fuzz_finding {
    char signature[4 * FUZZ_SHAPE_LEN];
    char name[64];
    enum fuzz_kind kind;
    const char *clause;
    char shape_oracle[FUZZ_SHAPE_LEN];
    char shape_target[FUZZ_SHAPE_LEN];
    uint64_t hits;
    uint64_t stream;
    size_t requests;        /* of the minimised case */
    char file[512];         /* "" when it could not be written */
};

struct fuzz_summary {
    uint64_t seed;
    uint64_t streams;
    uint64_t requests;
    uint64_t min_executions;
    double seconds;
    bool gone;              /* the target went away: the run stopped */
    uint64_t known;         /* findings under --known-clauses */
    uint64_t flaky;         /* divergences that a re-run did not give */
    struct fuzz_finding findings[FUZZ_FINDINGS_MAX];
    size_t finding_count;
};

/* Runs the campaign of o against t; exec options carry the sentinel
 * choice. */
void fuzz_run(const struct fuzz_opts *o, const struct fuzz_target *t,
              struct fuzz_exec_opts *eo, struct fuzz_summary *sum);

void fuzz_summary_print(const struct fuzz_summary *sum,
                        const struct fuzz_opts *o, FILE *f);

#endif
