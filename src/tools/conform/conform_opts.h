/*
 * conform_opts.h - mcref-conform's command line, and which cases it selects.
 *
 * Parsing reports problems through err, never by exiting.
 */
#ifndef CONFORM_OPTS_H
#define CONFORM_OPTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conform_case.h"
#include "conform_limits.h"
#include "conform_report.h"
#include "conform_run.h"

#define CONFORM_PATTERNS_MAX 64u
#define CONFORM_CASES_ENV "MCREF_CONFORM_CASES"

struct conform_opts {
    const char *target;          /* HOST:PORT, [V6]:PORT or a path */
    const char *cases_dir; /* NULL: look for them (conform_locate.h) */
    const char *case_patterns[CONFORM_PATTERNS_MAX];
    size_t case_pattern_count;
    const char *clause_patterns[CONFORM_PATTERNS_MAX];
    size_t clause_pattern_count;
    bool list;
    bool help;
    bool fail_fast;
    bool verbose;
    bool allow_destructive;
    bool skip_slow;
    bool nonce_set;
    uint32_t key_nonce;
    uint32_t timeout_ms;
    uint32_t case_ms;
    enum conform_time_mode time_mode;
    enum conform_server_kind server;
    enum conform_auth auth;
    enum conform_format format;
};

/* The usage text. */
extern const char conform_usage[];

/*
 * Parses argv into o (defaults first; the cases directory from
 * MCREF_CONFORM_CASES when set). False with err set on a bad option or a
 * missing target (unless --list or --help).
 */
bool conform_opts_parse(struct conform_opts *o, int argc, char **argv,
                        char err[CONFORM_ERR_LEN]);

/*
 * Whether c is selected: it matches one of the --case patterns (if any)
 * and one of the --clause patterns (if any). A --case pattern with * ? or
 * [ is a glob on the name, otherwise a substring of it. A --clause pattern
 * is a glob, an exact ID, or a prefix ending a dotted family ("store"
 * selects store.set and store.add).
 */
bool conform_opts_selects(const struct conform_opts *o,
                          const struct conform_case *c);

#endif
