/*
 * fuzz_opts.h - the command line of mcref-fuzz (man/mcref-fuzz.1).
 */
#ifndef FUZZ_OPTS_H
#define FUZZ_OPTS_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz_gen.h"

struct fuzz_opts {
    const char *target;        /* HOST:PORT, [V6]:PORT or a socket path */
    uint64_t seed;
    bool seed_given;
    uint32_t seconds;          /* 0: no time bound */
    uint64_t runs;             /* streams; 0: no bound */
    uint32_t max_requests;     /* per stream */
    enum fuzz_protocol protocol;
    bool protocol_given;
    const char *out_dir;
    bool json;
    bool allow_flush;
    bool cas_exact;            /* compare CAS uniques by value */
    const char *commands;      /* allowed command names, or NULL */
    const char *known_clauses; /* findings under these clauses are known
                                  differences (a proxy's list), or NULL */
    uint32_t timeout_ms;
    uint32_t min_budget;       /* executions per minimisation */
    bool quiet;                /* no progress line */
    bool help;
};

/* Parses argv. False with a message on stderr for a usage error. */
bool fuzz_opts_parse(struct fuzz_opts *o, int argc, char **argv);
void fuzz_opts_usage(FILE *f);

#endif
