/*
 * conform_report.h - prints a run: one line per case (text), TAP 13, or a
 * JSON document; the conversation under -v; the per-clause tally and the
 * summary ending in "N passed, N failed" alone on the last line.
 *
 * The only module that prints results. Holds the clause tally.
 */
#ifndef CONFORM_REPORT_H
#define CONFORM_REPORT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conform_case.h"
#include "conform_run.h"

enum conform_format {
    CONFORM_FORMAT_TEXT = 0,
    CONFORM_FORMAT_TAP,
    CONFORM_FORMAT_JSON,
};

struct conform_tally {
    char id[CONFORM_CLAUSE_LEN_MAX + 1];
    unsigned passed, failed, skipped;
};

struct conform_report {
    enum conform_format format;
    FILE *out;
    size_t planned;
    size_t index;                /* cases reported so far */
    size_t passed, failed, skipped;
    struct conform_tally *tally; /* one per clause ID cited */
    size_t tally_count;
};

/* Sets up r and prints the header (TAP plan, JSON opening, text banner). */
void conform_report_begin(struct conform_report *r, enum conform_format fmt,
                          FILE *out, const char *target,
                          const struct conform_server_info *info,
                          size_t planned);
/* Prints one case's result and adds it to the tally. */
void conform_report_case(struct conform_report *r,
                         const struct conform_case *c,
                         const struct conform_result *res);
/* Prints the clause tally and the summary; frees the tally. */
void conform_report_end(struct conform_report *r);

/* --list: one line per case (name, clauses, tags, file:line). */
void conform_report_list(FILE *out, const struct conform_case *c);

/* A conform_trace_fn: prints the conversation (ctx is the report). */
void conform_report_trace(void *ctx, const char *conn, char dir,
                          const uint8_t *data, size_t len);

#endif
