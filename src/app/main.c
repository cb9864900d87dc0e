/*
 * main.c - mcref: flags to settings, settings to a running server.
 *
 * The order matters: listeners are opened before detaching (so that a port
 * in use is reported on the terminal) and before root is given up (so that
 * a low port can be taken); the pid file and the ports file are written
 * after root is given up, as memcached writes them, so that the server can
 * remove its pid file at exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../engine/engine.h"
#include "../common/limits.h"
#include "memfile.h"
#include "memory.h"
#include "../net/listen.h"
#include "../net/server.h"
#include "authfile.h"
#include "../engine/client_check.h"
#include "../engine/faults.h"
#include "check_report.h"
#include "clock.h"
#include "daemon.h"
#include "log.h"
#include "portfile.h"
#include "settings.h"
#include "version.h"

/* memcached's exit code for operating-system failures (EX_OSERR). */
enum { EXIT_OS = 71, EXIT_USAGE = 64 };

/* A fixed seed: the store stays deterministic across runs ([det.store]). */
#define MCREF_HASH_SEED 0x6d63726566u

/* [conn.input-budget]: -o read_buf_mem_limit MB (0: none), else -m but
 * at least 64 MiB, so that a few 4 MiB get lines always fit. */
static uint64_t
input_budget_of(const struct settings *st)
{
    if (st->read_buf_mem_limit_mb >= 0) {
        return (uint64_t)st->read_buf_mem_limit_mb << 20;
    }
    uint64_t floor = (uint64_t)64 << 20;
    return st->mem_limit > floor ? st->mem_limit : floor;
}

/* A seed for faults when none is given: the clock and the pid. */
static uint64_t
app_seed(void)
{
    struct app_clock clock;
    app_clock_init(&clock);
    return (app_clock_now_ms(&clock) * 1000003u) ^ (uint64_t)getpid();
}

static struct engine_config
engine_config_of(const struct settings *st)
{
    struct engine_config ec = {
        .store =
            {
                .mem_limit = st->mem_limit,
                .value_len_max = st->item_size_max,
                .evict = !st->no_evict,
                .cas_enabled = !st->cas_disabled,
                .hash_seed = MCREF_HASH_SEED,
                .index_size_log2 = st->hashpower,
                /* [mem.elastic]: under -k every page is locked in, so a
                 * log that gave pages back would only report it; fixed. */
                .log_cap_min = st->lock_memory ? st->mem_limit : 0,
                .memory = app_memory(),
            },
        .flush_enabled = !st->flush_disabled,
        .input_budget = input_budget_of(st),
        /* [conn.output-budget]: the same figure bounds queued replies. */
        .output_budget = input_budget_of(st),
        .dump_disabled = st->dump_disabled,
        .shutdown_enabled = st->shutdown_enabled,
        .test_clock = st->test_clock,
        .verbosity = st->verbosity,
        .version = MCREF_VERSION_REPLY,
        /* [bin.negotiation]: -S speaks binary only, -Y ascii only. */
        .binding = st->sasl                ? ENGINE_BIND_BINARY
                   : st->auth_file != NULL ? ENGINE_BIND_ASCII
                   : st->binding == SETTINGS_BIND_BINARY ? ENGINE_BIND_BINARY
                   : st->binding == SETTINGS_BIND_ASCII  ? ENGINE_BIND_ASCII
                                                         : ENGINE_BIND_AUTO,
        .settings =
            {
                .maxconns = st->maxconns,
                .tcpport = st->unix_path != NULL ? 0 : st->port,
                .udpport = st->udp_port,
                .inter = st->listen[0] != '\0' ? st->listen : NULL,
                .domain_socket = st->unix_path,
                .umask = st->unix_mask,
                .reqs_per_event = st->reqs_per_event,
                .tcp_backlog = (uint32_t)st->backlog,
                .idle_timeout = st->idle_timeout,
                .hashpower_init = st->hashpower,
            },
    };
    return ec;
}

/* -s, or each -l item (all interfaces when none), on -p. */
static bool
open_listeners(const struct settings *st, struct listeners *ls,
               char err[LISTEN_ERR_MAX])
{
    if (st->unix_path != NULL) {
        return listen_unix(ls, st->unix_path, st->unix_mask, st->backlog, err);
    }
    uint16_t port = (uint16_t)st->port; /* 0 with -p -1: any free port */
    if (st->listen[0] == '\0') {
        return listen_tcp(ls, NULL, port, st->backlog, err);
    }
    char list[LIMIT_SETTINGS_LISTEN_LEN];
    memcpy(list, st->listen, sizeof list);
    char *save = NULL;
    for (char *item = strtok_r(list, ",;", &save); item != NULL;
         item = strtok_r(NULL, ",;", &save)) {
        if (!listen_tcp(ls, item, port, st->backlog, err)) {
            return false;
        }
    }
    return true;
}

/* At -v: the flags that were accepted without effect, and nothing else
 * (memcached says nothing at start either). */
static void
announce(const struct settings *st)
{
    if (st->verbosity == 0) {
        return;
    }
    for (unsigned i = 0; i < st->note_count; i++) {
        app_log("mcref: %s", st->notes[i]);
    }
}

/* [restart.restore]: the engine over the store FILE's image describes, or
 * over an empty one, saying why at start (as memcached does). */
static struct engine *
create_from_memory_file(const struct engine_config *ec, struct memfile *mf,
                        const char *path, unsigned verbosity)
{
    struct store_image img;
    char why[MEMFILE_MSG_MAX];
    struct store *store = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (memfile_take_image(mf, &img, why)) {
        enum store_restore_status rs;
        store = store_restore(&ec->store, &img, (uint32_t)time(NULL), &rs);
        if (store == NULL) {
            snprintf(why, sizeof why, "%s", store_restore_reason(rs));
        }
    }
    if (store != NULL) {
        if (verbosity > 0) {
            struct store_stats ss;
            store_stats(store, &ss);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            app_log("mcref: -e %s: restored %llu items in %.3f s", path,
                    (unsigned long long)ss.curr_items,
                    (double)(t1.tv_sec - t0.tv_sec) +
                        (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        }
    } else {
        app_log("mcref: -e %s: %s; starting with an empty cache", path, why);
        memfile_reset(mf);
        store = store_create(&ec->store);
        if (store == NULL) {
            return NULL;
        }
    }
    return engine_create_with_store(ec, NULL, store);
}

/* [restart.graceful]: SIGUSR1 and `shutdown graceful` save FILE.meta;
 * other stops leave none, so the next start is empty. */
static void
save_memory_file(const struct settings *st, struct memfile *mf,
                 struct engine *engine, const char *reason)
{
    bool graceful = reason != NULL &&
                    (strcmp(reason, "SIGUSR1") == 0 ||
                     (strcmp(reason, "shutdown command") == 0 &&
                      engine->shutdown_graceful));
    if (!graceful) {
        if (st->verbosity > 0) {
            app_log("mcref: -e %s: stopped by %s, not saved (SIGUSR1 or "
                    "`shutdown graceful` save)", st->memory_file,
                    reason != NULL ? reason : "an error");
        }
        return;
    }
    struct store_image img;
    store_image_of(engine->store, &img);
    char err[MEMFILE_MSG_MAX];
    if (!memfile_save_image(mf, &img, (uint64_t)time(NULL), err)) {
        app_log("mcref: -e %s: cannot save: %s", st->memory_file, err);
    } else if (st->verbosity > 0) {
        app_log("mcref: -e %s: saved for a restart", st->memory_file);
    }
}

/* Everything after the engine exists: listen, detach, serve. Returns the
 * exit status; the caller frees the engine and the listeners. */
static int
serve(const struct settings *st, struct engine *engine, struct listeners *ls,
      int signal_fd, struct memfile *mf)
{
    char err[LISTEN_ERR_MAX];
    if (!open_listeners(st, ls, err)) {
        fprintf(stderr, "%s\n", err);
        return EXIT_OS;
    }
    if (st->daemonize && !daemon_detach(st->verbosity > 0, err)) {
        fprintf(stderr, "%s\n", err);
        return EXIT_OS;
    }
    if (st->user != NULL && daemon_is_root() && !daemon_become(st->user, err)) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    if (st->pidfile != NULL && !daemon_write_pidfile(st->pidfile, err)) {
        fprintf(stderr, "%s\n", err); /* a warning, as in memcached */
    }
    const char *ports = getenv(PORTFILE_ENV);
    if (ports != NULL && *ports != '\0' && st->unix_path == NULL &&
        !portfile_write(ports, ls, err)) {
        fprintf(stderr, "%s\n", err);
        return EXIT_OS;
    }
    if (st->lock_memory && !daemon_lock_memory(err)) {
        fprintf(stderr, "%s\n", err);
    }
    announce(st);
    struct app_clock clock;
    app_clock_init(&clock);
    struct server_config sc = {
        .maxconns = st->maxconns,
        .idle_timeout_s = st->idle_timeout,
        .signal_fd = signal_fd,
        .clock = {app_clock_now_s, app_clock_now_ms, &clock},
        .log = {app_log_write, NULL},
    };
    struct server *server = server_create(&sc, engine, ls, err);
    if (server == NULL) {
        fprintf(stderr, "%s\n", err);
        return EXIT_OS;
    }
    daemon_ready();
    int rc = server_run(server);
    if (mf != NULL) {
        save_memory_file(st, mf, engine, server_stop_reason(server));
    }
    server_destroy(&server);
    return rc;
}

int
main(int argc, char **argv)
{
    struct settings st;
    int code;
    switch (settings_parse(&st, argc, argv, stdout, stderr, &code)) {
    case SETTINGS_DONE:
        return 0;
    case SETTINGS_FAIL:
        return code;
    case SETTINGS_RUN:
        break;
    }
    if (daemon_is_root() && st.user == NULL) {
        fprintf(stderr, "can't run as root without the -u switch\n");
        return EXIT_USAGE;
    }
    char err[LISTEN_ERR_MAX];
    if (!daemon_fit_files(st.maxconns, err)) {
        fprintf(stderr, "%s\n", err);
        return EXIT_OS;
    }
    if (st.coredumps) {
        daemon_enable_cores();
    }
    int signal_fd = daemon_signal_pipe(err);
    if (signal_fd < 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_OS;
    }
    struct engine_config ec = engine_config_of(&st);
    /* [auth.file]: credentials are read here, once, and handed over. */
    static struct authfile auth;
    const char *auth_path = st.sasl ? getenv("MEMCACHED_SASL_PWDB")
                                    : st.auth_file;
    if (st.sasl && (auth_path == NULL || auth_path[0] == '\0')) {
        fprintf(stderr, "mcref: -S needs MEMCACHED_SASL_PWDB naming a "
                        "password file (lines user:password)\n");
        return EXIT_USAGE;
    }
    if (auth_path != NULL) {
        char auth_err[AUTHFILE_ERR_MAX];
        if (!authfile_load(auth_path, &auth, auth_err)) {
            fprintf(stderr, "%s\n", auth_err);
            return EXIT_USAGE;
        }
        if (st.sasl) {
            ec.sasl = &auth.table;
        } else {
            ec.ascii_auth = &auth.table;
        }
    }
    struct memfile *mf = NULL;
    struct engine *engine;
    if (st.memory_file != NULL) {
        char merr[MEMFILE_MSG_MAX];
        mf = memfile_open(st.memory_file, st.mem_limit, merr);
        if (mf == NULL) {
            fprintf(stderr, "mcref: %s\n", merr);
            return EXIT_OS;
        }
        ec.store.memory = memfile_memory(mf);
        engine = create_from_memory_file(&ec, mf, st.memory_file,
                                         st.verbosity);
    } else {
        engine = engine_create(&ec, NULL);
    }
    if (engine == NULL) {
        fprintf(stderr, "mcref: cannot allocate %llu bytes of item memory\n",
                (unsigned long long)st.mem_limit);
        memfile_close(&mf);
        return EXIT_OS;
    }
    /* Client conformance testing: strict mode, faults, their report. */
    static struct check_report report;
    static struct client_check check;
    static struct faults faults;
    if (!check_report_open(&report, st.client_check_report, st.verbosity)) {
        fprintf(stderr, "mcref: cannot open %s for the client check report\n",
                st.client_check_report);
        engine_destroy(&engine);
        return EXIT_OS;
    }
    if (st.client_check) {
        client_check_init(&check, st.client_check_reject);
        check.sink = check_report_finding;
        check.sink_ctx = &report;
        engine->check = &check;
    }
    if (st.faults[0] != '\0') {
        char why[512];
        if (!faults_parse(st.faults, &faults.plan, why, sizeof why)) {
            fprintf(stderr, "mcref: %s\n", why); /* settings checked it */
            engine_destroy(&engine);
            return EXIT_USAGE;
        }
        faults.seed = st.fault_seed_set ? st.fault_seed : app_seed();
        faults.sink = check_report_fault;
        faults.sink_ctx = &report;
        engine->faults = &faults;
        /* Printed always: the seed replays the run ([faults.seed]). */
        fprintf(stderr, "mcref: faults %s seed %llu\n", st.faults,
                (unsigned long long)faults.seed);
    }
    static struct listeners ls;
    int rc = serve(&st, engine, &ls, signal_fd, mf);
    check_report_close(&report);
    listen_close_all(&ls, true);
    engine_destroy(&engine);
    memfile_close(&mf);
    authfile_free(&auth);
    daemon_remove_pidfile(st.pidfile);
    return rc;
}
