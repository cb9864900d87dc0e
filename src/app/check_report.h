/*
 * check_report.h - where strict-mode findings and injected faults go: a log
 * line at -v, and a JSON line each in the report file (-o
 * client_check_report=FILE), flushed at once so a runner can read it while
 * the server still runs.
 *
 * JSON lines: {"clause":"client.key-length","conn":1,"request":3,
 * "excerpt":"set k..."} and {"fault":"cut","conn":1,"request":2,"param":3}.
 */
#ifndef MCREF_APP_CHECK_REPORT_H
#define MCREF_APP_CHECK_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "../engine/client_check.h"
#include "../engine/faults.h"

struct check_report {
    FILE *file;         /* NULL: no report file */
    unsigned verbosity; /* -v count: log each at 1 and above */
};

/* Opens path for appending (path may be NULL); false when it cannot. */
bool check_report_open(struct check_report *r, const char *path,
                       unsigned verbosity);
void check_report_close(struct check_report *r);

/* Sinks for client_check.sink and faults.sink; ctx is the report. */
void check_report_finding(void *ctx, const struct client_finding *f);
void check_report_fault(void *ctx, const struct fault_event *ev);

#endif
