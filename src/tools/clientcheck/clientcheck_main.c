/*
 * clientcheck_main.c - mcref-clientcheck: for each profile, a fresh mcref,
 * the user's command against it, and what it broke or did not survive.
 *
 * Prints only here. Exit status: 0 when the command passed under every
 * profile and broke no client rule, 1 otherwise, 2 on usage or setup errors.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cc_opts.h"
#include "cc_run.h"

enum { EXIT_OK = 0, EXIT_PROBLEMS = 1, EXIT_SETUP = 2 };

static const char *
outcome_name(enum cc_outcome o)
{
    switch (o) {
    case CC_PASSED:
        return "passed";
    case CC_FAILED:
        return "failed";
    case CC_TIMED_OUT:
        return "timed out";
    case CC_SETUP:
        return "not run";
    }
    return "?";
}

/* mcref beside this program, else mcref on PATH. */
static void
find_server(char *out, size_t len)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash != NULL) {
            *slash = '\0';
            size_t dir = strlen(self);
            if (dir + sizeof "/mcref" <= len) {
                memcpy(out, self, dir);
                memcpy(out + dir, "/mcref", sizeof "/mcref");
                if (access(out, X_OK) == 0) {
                    return;
                }
            }
        }
    }
    snprintf(out, len, "mcref");
}

static bool
profile_ok(const struct cc_opts *o, const struct cc_run_result *r)
{
    return r->outcome == CC_PASSED &&
           (o->allow_violations || r->tally.violations == 0);
}

static void
print_text(const struct cc_opts *o, const char *profile,
           const struct cc_run_result *r)
{
    printf("== profile %s: %s", profile, outcome_name(r->outcome));
    if (r->outcome == CC_FAILED) {
        printf(" (status %d)", r->status);
    } else if (r->outcome == CC_SETUP) {
        printf(" (%s)", r->why);
    }
    printf(", %.1f s, %llu violations, %llu faults%s\n", r->seconds,
           (unsigned long long)r->tally.violations,
           (unsigned long long)r->tally.fault_total,
           profile_ok(o, r) ? "" : "  <-- FAIL");
    for (unsigned i = 0; i < r->tally.clause_count; i++) {
        const struct cc_count *c = &r->tally.clauses[i];
        printf("   violation [%s] x%llu, first: conn %llu request %llu: %s\n",
               c->name, (unsigned long long)c->count,
               (unsigned long long)c->conn, (unsigned long long)c->request,
               c->excerpt);
    }
    for (unsigned i = 0; i < r->tally.fault_count; i++) {
        const struct cc_count *c = &r->tally.faults[i];
        printf("   fault %s x%llu\n", c->name, (unsigned long long)c->count);
    }
}

static void
print_tap(const struct cc_opts *o, unsigned n, const char *profile,
          const struct cc_run_result *r)
{
    printf("%s %u - profile %s: command %s, %llu violations, %llu faults\n",
           profile_ok(o, r) ? "ok" : "not ok", n, profile,
           outcome_name(r->outcome), (unsigned long long)r->tally.violations,
           (unsigned long long)r->tally.fault_total);
    for (unsigned i = 0; i < r->tally.clause_count; i++) {
        const struct cc_count *c = &r->tally.clauses[i];
        printf("# violation [%s] x%llu: %s\n", c->name,
               (unsigned long long)c->count, c->excerpt);
    }
    for (unsigned i = 0; i < r->tally.fault_count; i++) {
        printf("# fault %s x%llu\n", r->tally.faults[i].name,
               (unsigned long long)r->tally.faults[i].count);
    }
}

/* JSON strings here are ours or already JSON-escaped by mcref. */
static void
print_json(const struct cc_opts *o, const char *profile,
           const struct cc_run_result *r, bool last)
{
    printf("  {\"profile\":\"%s\",\"command\":\"%s\",\"status\":%d,"
           "\"ok\":%s,\"seconds\":%.1f,\"violations\":{",
           profile, outcome_name(r->outcome), r->status,
           profile_ok(o, r) ? "true" : "false", r->seconds);
    for (unsigned i = 0; i < r->tally.clause_count; i++) {
        const struct cc_count *c = &r->tally.clauses[i];
        printf("%s\"%s\":{\"count\":%llu,\"conn\":%llu,\"request\":%llu,"
               "\"excerpt\":\"%s\"}",
               i > 0 ? "," : "", c->name, (unsigned long long)c->count,
               (unsigned long long)c->conn, (unsigned long long)c->request,
               c->excerpt);
    }
    printf("},\"faults\":{");
    for (unsigned i = 0; i < r->tally.fault_count; i++) {
        printf("%s\"%s\":%llu", i > 0 ? "," : "", r->tally.faults[i].name,
               (unsigned long long)r->tally.faults[i].count);
    }
    printf("}}%s\n", last ? "" : ",");
}

int
main(int argc, char **argv)
{
    static struct cc_opts o;
    char err[CC_ERR_LEN];
    if (!cc_opts_parse(&o, argc, argv, err)) {
        fprintf(stderr, "mcref-clientcheck: %s\n%s", err, cc_opts_usage());
        return EXIT_SETUP;
    }
    if (o.help) {
        fputs(cc_opts_usage(), stdout);
        return EXIT_OK;
    }
    char server[PATH_MAX];
    if (o.server != NULL) {
        snprintf(server, sizeof server, "%s", o.server);
    } else {
        find_server(server, sizeof server);
    }
    char workdir[] = "/tmp/mcref-clientcheck.XXXXXX";
    if (mkdtemp(workdir) == NULL) {
        perror("mcref-clientcheck: mkdtemp");
        return EXIT_SETUP;
    }
    fprintf(stderr, "mcref-clientcheck: server %s, seed %llu, work in %s\n",
            server, (unsigned long long)o.seed, workdir);
    if (o.format == CC_FORMAT_TAP) {
        printf("TAP version 13\n1..%u\n", o.profile_count);
    } else if (o.format == CC_FORMAT_JSON) {
        printf("{\"seed\":%llu,\"profiles\":[\n", (unsigned long long)o.seed);
    }
    fflush(stdout);
    bool all_ok = true;
    bool setup_failed = false;
    static struct cc_run_result r;
    for (unsigned i = 0; i < o.profile_count; i++) {
        struct cc_run_config cfg = {
            .server = server,
            .profile = o.profiles[i],
            .seed = o.seed,
            .reject = o.reject,
            .timeout_s = o.timeout_s,
            .command = o.command,
            .workdir = workdir,
        };
        fprintf(stderr, "mcref-clientcheck: profile %s\n", o.profiles[i]);
        cc_run(&cfg, &r);
        all_ok = all_ok && profile_ok(&o, &r);
        setup_failed = setup_failed || r.outcome == CC_SETUP;
        switch (o.format) {
        case CC_FORMAT_TEXT:
            print_text(&o, o.profiles[i], &r);
            break;
        case CC_FORMAT_TAP:
            print_tap(&o, i + 1, o.profiles[i], &r);
            break;
        case CC_FORMAT_JSON:
            print_json(&o, o.profiles[i], &r, i + 1 == o.profile_count);
            break;
        }
        fflush(stdout);
    }
    if (o.format == CC_FORMAT_JSON) {
        printf("]}\n");
    } else if (o.format == CC_FORMAT_TEXT) {
        printf("%s\n", all_ok ? "PASS: passed under every profile, no rule "
                                "broken"
                              : "FAIL");
    }
    char path[PATH_MAX];
    const char *files[] = {"server.ports", "report.jsonl", "server.log"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", workdir, files[i]);
        unlink(path);
    }
    rmdir(workdir);
    if (setup_failed) {
        return EXIT_SETUP;
    }
    return all_ok ? EXIT_OK : EXIT_PROBLEMS;
}
