/*
 * conform_main.c - mcref-conform: options -> cases -> probe -> run ->
 * report, and the exit status (0 passed, 1 failed, 2 usage or setup).
 */
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conform_case.h"
#include "conform_locate.h"
#include "conform_net.h"
#include "conform_opts.h"
#include "conform_report.h"
#include "conform_run.h"

enum conform_exit {
    CONFORM_EXIT_PASSED = 0,
    CONFORM_EXIT_FAILED = 1,
    CONFORM_EXIT_SETUP = 2,
};

static int
setup_error(const char *why)
{
    fprintf(stderr, "mcref-conform: %s\n", why);
    return CONFORM_EXIT_SETUP;
}

/*
 * The selected cases in run order: every case not tagged final, then the
 * final ones (they end the server), each group in file order.
 */
static size_t
select_cases(const struct conform_opts *o, const struct conform_set *set,
             const struct conform_case **order)
{
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < set->count; i++) {
            const struct conform_case *c = &set->cases[i];
            if (c->final == (pass == 1) && conform_opts_selects(o, c)) {
                order[n++] = c;
            }
        }
    }
    return n;
}

static uint32_t
random_nonce(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((uint32_t)ts.tv_nsec ^ (uint32_t)getpid() * 2654435761u) >> 8;
}

static int
run(const struct conform_opts *o, const struct conform_case **order,
    size_t count)
{
    struct conform_run_config cfg = {
        .timeout_ms = o->timeout_ms,
        .case_ms = o->case_ms,
        .time_mode = o->time_mode,
        .server = o->server,
        .allow_destructive = o->allow_destructive,
        .skip_slow = o->skip_slow,
        .auth = o->auth,
        .key_nonce = o->nonce_set ? o->key_nonce : random_nonce(),
    };
    char err[CONFORM_ERR_LEN];
    if (!tool_addr_parse(&cfg.addr, o->target, err, CONFORM_ERR_LEN)) {
        return setup_error(err);
    }
    struct conform_server_info info;
    if (!conform_server_probe(&cfg, &info, err)) {
        conform_server_info_free(&info);
        char msg[CONFORM_ERR_LEN + 128];
        snprintf(msg, sizeof(msg), "%s: %s", o->target, err);
        return setup_error(msg);
    }
    struct conform_report report;
    if (o->verbose) {
        cfg.trace = conform_report_trace;
        cfg.trace_ctx = &report;
    }
    conform_report_begin(&report, o->format, stdout, o->target, &info, count);
    for (size_t i = 0; i < count; i++) {
        struct conform_result res;
        conform_result_init(&res);
        conform_run_case(&cfg, &info, order[i], (uint32_t)i, &res);
        conform_report_case(&report, order[i], &res);
        bool failed = res.status == CONFORM_FAIL;
        conform_result_free(&res);
        if (failed && o->fail_fast) {
            break;
        }
    }
    size_t failed = report.failed;
    conform_report_end(&report);
    conform_server_info_free(&info);
    return failed > 0 ? CONFORM_EXIT_FAILED : CONFORM_EXIT_PASSED;
}

int
main(int argc, char **argv)
{
    struct conform_opts o;
    char err[CONFORM_ERR_LEN];
    if (!conform_opts_parse(&o, argc, argv, err)) {
        fprintf(stderr, "mcref-conform: %s\n", err);
        return CONFORM_EXIT_SETUP;
    }
    if (o.help) {
        fputs(conform_usage, stdout);
        return CONFORM_EXIT_PASSED;
    }
    signal(SIGPIPE, SIG_IGN);
    struct conform_set set = {0};
    /* `--case FILE`: a --case that names a file runs that file's cases
     * (all of them) instead of the case directory's. */
    size_t files = 0;
    for (size_t i = 0; i < o.case_pattern_count;) {
        struct stat st;
        const char *p = o.case_patterns[i];
        if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
            i++;
            continue;
        }
        if (!conform_set_load_file(&set, p, err)) {
            conform_set_free(&set);
            return setup_error(err);
        }
        files++;
        memmove(&o.case_patterns[i], &o.case_patterns[i + 1],
                (o.case_pattern_count - i - 1) * sizeof o.case_patterns[0]);
        o.case_pattern_count--;
    }
    static char found[CONFORM_PATH_MAX];
    if (files == 0 && o.cases_dir == NULL) {
        char exe[CONFORM_PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = '\0';
        char tried[4 * CONFORM_PATH_MAX];
        if (!conform_locate_cases(n > 0 ? exe : NULL, found, tried,
                                  sizeof tried)) {
            fprintf(stderr,
                    "mcref-conform: cannot find the conformance cases; "
                    "looked in:\n%s"
                    "point at them with --cases DIR or $%s (they are "
                    "spec/cases in mcref's source, share/mcref/cases "
                    "where it is installed)\n",
                    tried, CONFORM_CASES_ENV);
            return CONFORM_EXIT_SETUP;
        }
        o.cases_dir = found;
    }
    if (files == 0 && !conform_set_load_dir(&set, o.cases_dir, err)) {
        conform_set_free(&set);
        return setup_error(err);
    }
    const struct conform_case **order = calloc(set.count, sizeof(*order));
    if (order == NULL) {
        conform_set_free(&set);
        return setup_error("out of memory");
    }
    size_t count = select_cases(&o, &set, order);
    int status = CONFORM_EXIT_PASSED;
    if (count == 0) {
        status = setup_error("no case matches the selection");
    } else if (o.list) {
        for (size_t i = 0; i < count; i++) {
            conform_report_list(stdout, order[i]);
        }
    } else {
        status = run(&o, order, count);
    }
    free(order);
    conform_set_free(&set);
    return status;
}
