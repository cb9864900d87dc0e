/* check_report.c - findings and faults to the log and the JSON-lines report. */
#include "check_report.h"

#include <inttypes.h>

#include "log.h"

bool
check_report_open(struct check_report *r, const char *path,
                  unsigned verbosity)
{
    r->file = NULL;
    r->verbosity = verbosity;
    if (path == NULL || *path == '\0') {
        return true;
    }
    r->file = fopen(path, "a");
    return r->file != NULL;
}

void
check_report_close(struct check_report *r)
{
    if (r->file != NULL) {
        fclose(r->file);
        r->file = NULL;
    }
}

void
check_report_finding(void *ctx, const struct client_finding *f)
{
    struct check_report *r = ctx;
    const char *clause = client_rule_clause(f->rule);
    if (r->verbosity > 0) {
        app_log("clientcheck: [%s] conn %" PRIu64 " request %" PRIu64 ": %s",
                clause, f->conn, f->request, f->excerpt);
    }
    if (r->file != NULL) {
        fprintf(r->file,
                "{\"clause\":\"%s\",\"conn\":%" PRIu64 ",\"request\":%" PRIu64
                ",\"excerpt\":\"%s\"}\n",
                clause, f->conn, f->request, f->excerpt);
        fflush(r->file);
    }
}

void
check_report_fault(void *ctx, const struct fault_event *ev)
{
    struct check_report *r = ctx;
    const char *name = fault_kind_name(ev->kind);
    if (r->verbosity > 0) {
        app_log("fault: %s conn %" PRIu64 " request %" PRIu64 " param %u",
                name, ev->conn, ev->request, ev->param);
    }
    if (r->file != NULL) {
        fprintf(r->file,
                "{\"fault\":\"%s\",\"conn\":%" PRIu64 ",\"request\":%" PRIu64
                ",\"param\":%u}\n",
                name, ev->conn, ev->request, ev->param);
        fflush(r->file);
    }
}
