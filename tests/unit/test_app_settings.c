/*
 * test_app_settings.c - memcached's command line as mcref takes it: defaults,
 * every flag, validation messages and exit codes, and the daemon helpers.
 */
#include "clause.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/app/daemon.h"
#include "../../src/app/settings.h"

struct parsed {
    struct settings s;
    enum settings_outcome outcome;
    int code;
    char out[8192];
    char err[1024];
};

/* Parses a NULL-terminated argv (argv[0] included), capturing both streams. */
static struct parsed *
parse(const char *const *args)
{
    struct parsed *p = calloc(1, sizeof *p);
    assert_non_null(p);
    char *argv[32];
    int argc = 0;
    while (args[argc] != NULL) {
        assert_true(argc < 31);
        argv[argc] = (char *)args[argc];
        argc++;
    }
    argv[argc] = NULL;
    FILE *out = fmemopen(p->out, sizeof p->out - 1, "w");
    FILE *err = fmemopen(p->err, sizeof p->err - 1, "w");
    assert_non_null(out);
    assert_non_null(err);
    p->outcome = settings_parse(&p->s, argc, argv, out, err, &p->code);
    fclose(out);
    fclose(err);
    return p;
}

#define PARSE(...) parse((const char *const[]){"mcref", __VA_ARGS__, NULL})

static void
expect_fail(struct parsed *p, int code, const char *message)
{
    assert_int_equal(p->outcome, SETTINGS_FAIL);
    assert_int_equal(p->code, code);
    if (strstr(p->err, message) == NULL) {
        fprintf(stderr, "wanted \"%s\" in \"%s\"\n", message, p->err);
        fail();
    }
    free(p);
}

/* A parse that stopped inside a cluster of flags leaves nothing behind for
 * the next one (found by fuzz_settings). */
static void
test_parse_again_after_stopping_mid_cluster(void **state)
{
    (void)state;
    struct parsed *p = PARSE("-hv");
    assert_int_equal(p->outcome, SETTINGS_DONE);
    free(p);
    p = PARSE("-p", "11");
    assert_int_equal(p->outcome, SETTINGS_RUN);
    assert_int_equal(p->s.port, 11);
    assert_int_equal(p->s.verbosity, 0);
    free(p);
}

static void
test_defaults(void **state)
{
    (void)state;
    struct parsed *p = parse((const char *const[]){"mcref", NULL});
    assert_int_equal(p->outcome, SETTINGS_RUN);
    assert_int_equal(p->s.port, 11211);
    assert_int_equal(p->s.udp_port, 0);
    assert_int_equal(p->s.mem_limit, 64 * 1048576);
    assert_int_equal(p->s.maxconns, 1024);
    assert_int_equal(p->s.item_size_max, 1048576);
    assert_int_equal(p->s.backlog, 1024);
    assert_int_equal(p->s.unix_mask, 0700);
    assert_string_equal(p->s.listen, "");
    assert_false(p->s.daemonize);
    free(p);
}

static void
test_supported_flags(void **state)
{
    (void)state;
    struct parsed *p = PARSE("-p", "12345", "-l", "127.0.0.1", "-l", "[::1]:9",
                             "-m", "1024", "-M", "-c", "4096", "-vvv", "-I",
                             "2m", "-C", "-A", "-F", "-k", "-r", "-b", "64",
                             "-P", "/tmp/x.pid", "-u", "nobody", "-d", "-o",
                             "idle_timeout=5,hashpower=20,test_clock");
    assert_int_equal(p->outcome, SETTINGS_RUN);
    assert_int_equal(p->s.port, 12345);
    assert_string_equal(p->s.listen, "127.0.0.1,[::1]:9");
    assert_int_equal(p->s.mem_limit, 1024 * 1048576ull);
    assert_true(p->s.no_evict);
    assert_int_equal(p->s.maxconns, 4096);
    assert_int_equal(p->s.verbosity, 3);
    assert_int_equal(p->s.item_size_max, 2 * 1048576);
    assert_true(p->s.cas_disabled && p->s.shutdown_enabled);
    assert_true(p->s.flush_disabled && p->s.lock_memory && p->s.coredumps);
    assert_int_equal(p->s.backlog, 64);
    assert_string_equal(p->s.pidfile, "/tmp/x.pid");
    assert_string_equal(p->s.user, "nobody");
    assert_true(p->s.daemonize);
    assert_int_equal(p->s.idle_timeout, 5);
    assert_int_equal(p->s.hashpower, 20);
    assert_true(p->s.test_clock);
    free(p);
}

/* -o client_check[=reject], client_check_report=, faults=, fault_seed=. */
static void
test_client_check_options(void **state)
{
    (void)state;
    struct parsed *p = PARSE("-o", "client_check=reject,client_check_report="
                                   "/tmp/r.jsonl,faults=cut:5+oom:1.5,"
                                   "fault_seed=18446744073709551615");
    assert_int_equal(p->outcome, SETTINGS_RUN);
    assert_true(p->s.client_check && p->s.client_check_reject);
    assert_string_equal(p->s.client_check_report, "/tmp/r.jsonl");
    assert_string_equal(p->s.faults, "cut:5+oom:1.5");
    assert_true(p->s.fault_seed_set);
    assert_true(p->s.fault_seed == UINT64_MAX);
    free(p);
    p = PARSE("-o", "client_check", "-o", "faults=all");
    assert_int_equal(p->outcome, SETTINGS_RUN);
    assert_true(p->s.client_check && !p->s.client_check_reject);
    assert_string_equal(p->s.faults, "all");
    assert_false(p->s.fault_seed_set);
    free(p);
    p = PARSE("-p", "1");
    assert_false(p->s.client_check);
    assert_string_equal(p->s.faults, "");
    free(p);
    expect_fail(PARSE("-o", "client_check=lenient"), 64, "=reject");
    expect_fail(PARSE("-o", "client_check_report="), 64, "file name");
    expect_fail(PARSE("-o", "faults=bogus"), 64, "neither a profile");
    expect_fail(PARSE("-o", "faults"), 64, "give a profile");
    expect_fail(PARSE("-o", "fault_seed=-1"), 64, "fault_seed");
    expect_fail(PARSE("-o", "fault_seed"), 64, "fault_seed");
}

static void
test_long_forms(void **state)
{
    (void)state;
    struct parsed *p = PARSE("--port=7", "--listen=::1", "--memory-limit=8",
                             "--disable-evictions", "--conn-limit=9",
                             "--max-item-size=1k", "--disable-cas",
                             "--enable-shutdown", "--disable-flush-all",
                             "--unix-socket=/tmp/s", "--unix-mask=755",
                             "--extended=idle_timeout=2", "--threads=2",
                             "--max-reqs-per-event=5", "--listen-backlog=3");
    assert_int_equal(p->outcome, SETTINGS_RUN);
    assert_int_equal(p->s.port, 7);
    assert_int_equal(p->s.mem_limit, 8 * 1048576);
    assert_int_equal(p->s.maxconns, 9);
    assert_int_equal(p->s.item_size_max, 1024);
    assert_string_equal(p->s.unix_path, "/tmp/s");
    assert_int_equal(p->s.unix_mask, 0755);
    assert_int_equal(p->s.threads, 2);
    assert_int_equal(p->s.reqs_per_event, 5);
    free(p);
}

static void
test_harmless_flags_noted(void **state)
{
    (void)state;
    struct parsed *p = PARSE("-t", "8", "-R", "50", "-f", "1.5", "-n", "64",
                             "-L", "-X", "-W", "-B", "ascii", "-o",
                             "maxconns_fast,hash_algorithm=xxh3,modern");
    assert_int_equal(p->outcome, SETTINGS_RUN);
    assert_int_equal(p->s.threads, 8);
    assert_int_equal(p->s.reqs_per_event, 50); /* honoured, not a note */
    assert_int_equal(p->s.note_count, 8); /* -t -f -n -L -W, 3 -o */
    assert_true(p->s.dump_disabled); /* -X [admin.dump-disabled] */
    free(p);
}

/* -v mentions -t only when -t was given (it said "-t 4" without one). */
static void
test_threads_noted_only_when_given(void **state)
{
    (void)state;
    struct parsed *p = PARSE("-v");
    assert_int_equal(p->outcome, SETTINGS_RUN);
    assert_int_equal(p->s.note_count, 0);
    free(p);
    p = PARSE("-t", "4");
    assert_int_equal(p->s.note_count, 1);
    assert_non_null(strstr(p->s.notes[0], "-t"));
    free(p);
}

static void
expect_mem_limit(const char *arg, uint64_t bytes)
{
    struct parsed *p = PARSE("-m", arg, "-I", "1k");
    if (p->outcome != SETTINGS_RUN || p->s.mem_limit != bytes) {
        fprintf(stderr, "-m %s: outcome %d, %llu bytes, wanted %llu (%s)\n",
                arg, p->outcome, (unsigned long long)p->s.mem_limit,
                (unsigned long long)bytes, p->err);
        fail();
    }
    free(p);
}

/* memcached's atoi reads "1g" as 1 MB and "512k" as 512 MB; mcref gives
 * each suffix its meaning and refuses the rest. */
static void
test_memory_sizes(void **state)
{
    (void)state;
    expect_mem_limit("64", 64ull << 20);
    expect_mem_limit("64m", 64ull << 20);
    expect_mem_limit("64M", 64ull << 20);
    expect_mem_limit("65536k", 64ull << 20);
    expect_mem_limit("512K", 512ull << 10);
    expect_mem_limit("1g", 1ull << 30);
    expect_mem_limit("2G", 2ull << 30);
    expect_mem_limit("16384g", 16384ull << 30);
    const char *bad[] = {"", "m", "1x", "64mb", "-1", "-1m", "1.5g", " 64",
                         "64 ", "0x40", "16385g", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_fail(PARSE("-m", bad[i]), 64,
                    "or one with a k, m or g suffix");
    }
    /* Tiny limits reach memcached's own check of -I against -m. */
    expect_fail(PARSE("-m", "512k"), 64, "1/2 of memory max");
}

/* memcached's -p -1: any free port, announced in the ports file. */
static void
test_ephemeral_port(void **state)
{
    (void)state;
    struct parsed *p = PARSE("-p", "-1");
    assert_int_equal(p->outcome, SETTINGS_RUN);
    assert_int_equal(p->s.port, 0);
    assert_true(p->s.port_ephemeral);
    free(p);
    p = PARSE("-p", "-1", "-p", "7");
    assert_int_equal(p->s.port, 7);
    assert_false(p->s.port_ephemeral);
    free(p);
    expect_fail(PARSE("-p", "-2"), 64, "Invalid port number -2");
}

static void
test_help_version_license(void **state)
{
    (void)state;
    struct parsed *p = PARSE("-h");
    assert_int_equal(p->outcome, SETTINGS_DONE);
    assert_non_null(strstr(p->out, "--max-item-size"));
    assert_non_null(strstr(p->out, "Refused"));
    free(p);
    p = PARSE("-V");
    assert_int_equal(p->outcome, SETTINGS_DONE);
    assert_non_null(strstr(p->out, "mcref "));
    assert_non_null(strstr(p->out, "1.6.18"));
    free(p);
    p = PARSE("--license");
    assert_int_equal(p->outcome, SETTINGS_DONE);
    free(p);
}

static void
test_memcached_validation_messages(void **state)
{
    (void)state;
    expect_fail(PARSE("-p", "70000"), 64, "ERROR: Invalid port number 70000.");
    expect_fail(PARSE("-U", "x"), 64, "Invalid port number");
    expect_fail(PARSE("-c", "0"), 1,
                "Maximum connections must be greater than 0");
    expect_fail(PARSE("-t", "0"), 1, "Number of threads must be greater than 0");
    expect_fail(PARSE("-f", "1.0"), 1, "Factor must be greater than 1");
    expect_fail(PARSE("-n", "0"), 1, "Chunk size must be greater than 0");
    expect_fail(PARSE("-R", "0"), 1,
                "Number of requests per event must be greater than 0");
    expect_fail(PARSE("-I", "512"), 64,
                "Item max size cannot be less than 1024 bytes.");
    expect_fail(PARSE("-I", "2g"), 64,
                "Cannot set item size limit higher than 1 GB.");
    expect_fail(PARSE("-I", "x"), 64, "higher than 1 GB");
    expect_fail(PARSE("-I", "40m"), 64,
                "Cannot set item size limit higher than 1/2 of memory max.");
    expect_fail(PARSE("-m", "1x"), 64, "-m 1x: the memory limit is a whole");
    expect_fail(PARSE("-B", "foo"), 64,
                "Invalid value for binding protocol: foo");
    expect_fail(PARSE("-o", "bogus"), 1, "Illegal suboption \"bogus\"");
    expect_fail(PARSE("-o", "idle_timeout=abc"), 64, "idle_timeout");
    expect_fail(PARSE("-o", "hashpower=40"), 64, "out of range");
    expect_fail(PARSE("-a", "999"), 64, "octal");
    expect_fail(PARSE("-b", "-3"), 64, "-b");
    expect_fail(PARSE("-Q"), 1, "unknown or incomplete option");
    expect_fail(PARSE("stray"), 1, "unexpected argument");
}

static void
test_refused_flags(void **state)
{
    (void)state;
    expect_fail(PARSE("-U", "11211"), 64, "UDP is not supported");
    expect_fail(PARSE("-Z"), 64, "-Z (TLS)");
    expect_fail(PARSE("-e", ""), 64, "-e needs a file name");
    expect_fail(PARSE("-N", "2"), 64, "-N");
    expect_fail(PARSE("-D", ":"), 64, "-D");
    expect_fail(PARSE("-o", "ext_path=/x"), 64, "ext_path");
    expect_fail(PARSE("-o", "track_sizes"), 64, "track_sizes");
    expect_fail(PARSE("-p", "0"), 64, "nothing to listen on");
}

/* [bin.negotiation], [auth.file]: -B, -S and -Y are taken. */
static void
test_protocol_and_auth_flags(void **state)
{
    (void)state;
    struct parsed *p = PARSE("-B", "binary");
    assert_int_equal(p->outcome, SETTINGS_RUN);
    assert_int_equal(p->s.binding, SETTINGS_BIND_BINARY);
    free(p);
    p = PARSE("-B", "ascii");
    assert_int_equal(p->s.binding, SETTINGS_BIND_ASCII);
    free(p);
    p = PARSE("-S");
    assert_int_equal(p->outcome, SETTINGS_RUN);
    assert_true(p->s.sasl);
    free(p);
    p = PARSE("-Y", "/some/file");
    assert_int_equal(p->outcome, SETTINGS_RUN);
    assert_string_equal(p->s.auth_file, "/some/file");
    free(p);
    expect_fail(PARSE("-B", "bin"), 64, "Invalid value for binding protocol");
    expect_fail(PARSE("-S", "-Y", "f"), 64, "-S and -Y");
}

static void
test_many_listen_items(void **state)
{
    (void)state;
    char item[200];
    memset(item, 'h', sizeof item - 1);
    item[sizeof item - 1] = '\0';
    const char *args[24] = {"mcref"};
    int n = 1;
    for (int i = 0; i < 11; i++) {
        args[n++] = "-l";
        args[n++] = item;
    }
    args[n] = NULL;
    expect_fail(parse(args), 64, "too many listen addresses");
}

/* ---- the daemon helpers ------------------------------------------------------ */

static void
test_pidfile(void **state)
{
    (void)state;
    char path[] = "/tmp/mcref-test-pidXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[DAEMON_ERR_MAX];
    assert_true(daemon_write_pidfile(path, err));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    long pid = 0;
    assert_int_equal(fscanf(f, "%ld", &pid), 1);
    fclose(f);
    assert_int_equal(pid, (long)getpid());
    daemon_remove_pidfile(path);
    assert_int_equal(access(path, F_OK), -1);
    daemon_remove_pidfile(path); /* gone already: quiet */
    daemon_remove_pidfile(NULL);
    assert_false(daemon_write_pidfile("/nonexistent-dir/x.pid", err));
    assert_non_null(strstr(err, "Could not open the pid file"));
}

static void
test_open_files_limit(void **state)
{
    (void)state;
    struct rlimit before;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &before), 0);
    char err[DAEMON_ERR_MAX];
    assert_true(daemon_fit_files(16, err)); /* already enough */
    (void)before;
}

/* Runs fn in a child (limits changed there stay there); true when it
 * exited 0. */
static bool
in_child(int (*fn)(void))
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        _exit(fn());
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Whether this process may raise a hard limit (root with CAP_SYS_RESOURCE),
 * probed in a child with a lowered limit rather than assumed from the uid. */
static int
probe_raise_hard(void)
{
    struct rlimit rl = {64, 64};
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        return 2;
    }
    rl.rlim_max = 128;
    return setrlimit(RLIMIT_NOFILE, &rl) == 0 ? 0 : 1;
}

static bool may_raise_hard;

/* Open files: a soft limit below the need is raised; past the hard limit
 * only a process that may raise it succeeds, and then the limit fits. */
static int
child_fit_files(void)
{
    struct rlimit rl = {64, 512};
    char err[DAEMON_ERR_MAX];
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || !daemon_fit_files(16, err)) {
        return 10;
    }
    if (!daemon_fit_files(200, err) || getrlimit(RLIMIT_NOFILE, &rl) != 0 ||
        rl.rlim_cur < 200 || rl.rlim_max != 512) {
        return 11;
    }
    bool ok = daemon_fit_files(1000, err);
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        return 12;
    }
    if (may_raise_hard) {
        return ok && rl.rlim_cur >= 1000 && rl.rlim_max >= 1000 ? 0 : 13;
    }
    return !ok && strstr(err, "failed to set rlimit for open files") != NULL &&
                   rl.rlim_max == 512 && rl.rlim_cur < 1000
               ? 0
               : 14;
}

static void
test_open_files_raised(void **state)
{
    (void)state;
    may_raise_hard = in_child(probe_raise_hard);
    assert_true(in_child(child_fit_files));
}

/* -r: the core limit goes up to the hard limit, whoever runs the test. */
static int
child_enable_cores(void)
{
    struct rlimit rl = {0, 4096 * 1024};
    if (setrlimit(RLIMIT_CORE, &rl) != 0) {
        return 10;
    }
    daemon_enable_cores();
    if (getrlimit(RLIMIT_CORE, &rl) != 0) {
        return 11;
    }
    return rl.rlim_cur == 4096 * 1024 && rl.rlim_max == 4096 * 1024 ? 0 : 12;
}

static void
test_enable_cores(void **state)
{
    (void)state;
    assert_true(in_child(child_enable_cores));
}

static void
test_signal_pipe(void **state)
{
    (void)state;
    char err[DAEMON_ERR_MAX];
    int fd = daemon_signal_pipe(err);
    assert_true(fd >= 0);
    raise(SIGUSR1);
    raise(SIGTERM);
    unsigned char got[2];
    assert_int_equal(read(fd, got, 2), 2);
    assert_int_equal(got[0], SIGUSR1);
    assert_int_equal(got[1], SIGTERM);
    assert_int_equal(read(fd, got, 1), -1); /* non-blocking, empty */
    raise(SIGPIPE);                         /* ignored */
    close(fd);
}

static void
test_become_unknown_user(void **state)
{
    (void)state;
    char err[DAEMON_ERR_MAX];
    assert_false(daemon_become("no-such-user-mcref", err));
    assert_non_null(strstr(err, "can't find the user no-such-user-mcref"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_parse_again_after_stopping_mid_cluster),
        cmocka_unit_test(test_supported_flags),
        cmocka_unit_test(test_long_forms),
        cmocka_unit_test(test_harmless_flags_noted),
        cmocka_unit_test(test_threads_noted_only_when_given),
        CLAUSE_TEST("cli.memory-size", test_memory_sizes),
        cmocka_unit_test(test_ephemeral_port),
        cmocka_unit_test(test_help_version_license),
        cmocka_unit_test(test_memcached_validation_messages),
        cmocka_unit_test(test_refused_flags),
        cmocka_unit_test(test_protocol_and_auth_flags),
        cmocka_unit_test(test_many_listen_items),
        cmocka_unit_test(test_pidfile),
        cmocka_unit_test(test_open_files_limit),
        cmocka_unit_test(test_open_files_raised),
        cmocka_unit_test(test_client_check_options),
        cmocka_unit_test(test_enable_cores),
        cmocka_unit_test(test_signal_pipe),
        cmocka_unit_test(test_become_unknown_user),
    };
    return cmocka_run_group_tests_name("app_settings", tests, NULL, NULL);
}
