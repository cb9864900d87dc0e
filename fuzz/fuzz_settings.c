/*
 * fuzz_settings.c - the command-line parser (src/app/settings.c) under
 * fuzzing: argument vectors decoded from bytes.
 *
 * Input: the arguments after argv[0] ("mcref"), each ended by a NUL byte
 * (the last one may be unterminated); at most FUZZ_SETTINGS_ARGS_MAX of
 * them. Every argument is an exact-size heap copy, so AddressSanitizer sees
 * any read past its terminator. A seed is e.g. "-m\0" "64\0" "-o\0"
 * "idle_timeout=5\0".
 *
 * Oracles: the parser never crashes or exits and returns one of its three
 * outcomes with a consistent exit code and messages (RUN: exit 0, silent;
 * DONE: exit 0, text on `out` only; FAIL: exit 1 or 64, a message on `err`
 * only); a RUN outcome satisfies every rule between flags ([item.value-max],
 * [mem.item-fits], -U 0 only, something to listen on); parsing the same
 * vector again gives the same outcome, messages and settings.
 *
 * settings_parse() restarts getopt by setting optind to 1, which glibc takes
 * as "go on" rather than "start again" when an earlier scan stopped inside
 * a cluster of short options (as -hv does). A process parses once, so the
 * harness resets getopt fully (optind 0) before each call.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/app/settings.h"
#include "../src/common/check.h"
#include "../src/common/limits.h"

/* Arguments decoded from one input at most. */
#define FUZZ_SETTINGS_ARGS_MAX 64u
/* memcached's exit codes for usage errors and other failures. */
#define FUZZ_SETTINGS_EXIT_USAGE 64
#define FUZZ_SETTINGS_EXIT_OTHER 1

/* What a stream was given: a byte count and a hash, no storage. */
struct sink {
    size_t len;
    uint64_t hash;
};

static ssize_t
sink_write(void *cookie, const char *buf, size_t size)
{
    struct sink *s = cookie;
    for (size_t i = 0; i < size; i++) {
        s->hash = (s->hash ^ (uint8_t)buf[i]) * 0x100000001b3u;
    }
    s->len += size;
    return (ssize_t)size;
}

static FILE *
sink_open(struct sink *s)
{
    s->len = 0;
    s->hash = 0xcbf29ce484222325u;
    cookie_io_functions_t io = {.write = sink_write};
    FILE *f = fopencookie(s, "w", io);
    CHECK(f != NULL);
    return f;
}

struct parse_result {
    struct settings s;
    enum settings_outcome outcome;
    int exit_code;
    struct sink out;
    struct sink err;
};

/* Builds argv from the input: exact-size copies, NULL-terminated. */
static int
build_argv(const uint8_t *data, size_t size, char **argv)
{
    int argc = 0;
    argv[argc] = strdup("mcref");
    CHECK(argv[argc] != NULL);
    argc++;
    size_t at = 0;
    while (at < size && (size_t)argc < FUZZ_SETTINGS_ARGS_MAX + 1) {
        const uint8_t *nul = memchr(data + at, '\0', size - at);
        size_t len = nul != NULL ? (size_t)(nul - (data + at)) : size - at;
        char *arg = malloc(len + 1);
        CHECK(arg != NULL);
        memcpy(arg, data + at, len);
        arg[len] = '\0';
        argv[argc++] = arg;
        at += len + 1;
    }
    argv[argc] = NULL;
    return argc;
}

static void
free_argv(char **argv)
{
    for (size_t i = 0; argv[i] != NULL; i++) {
        free(argv[i]);
    }
}

static void
reset_getopt(void)
{
    static char name[] = "mcref";
    char *argv[] = {name, NULL};
    optind = 0; /* glibc: a full restart */
    CHECK(getopt(1, argv, "") == -1);
}

static void
parse(const uint8_t *data, size_t size, struct parse_result *r, char **argv)
{
    int argc = build_argv(data, size, argv);
    FILE *out = sink_open(&r->out);
    FILE *err = sink_open(&r->err);
    reset_getopt();
    r->exit_code = -1;
    r->outcome = settings_parse(&r->s, argc, argv, out, err, &r->exit_code);
    fclose(out);
    fclose(err);
}

/* What a RUN outcome promises about the settings. */
static void
check_run(const struct settings *s)
{
    CHECK(s->item_size_max >= LIMIT_VALUE_LEN_MIN);
    CHECK(s->item_size_max <= LIMIT_VALUE_LEN_MAX);
    CHECK((uint64_t)s->item_size_max <= s->mem_limit / 2);
    CHECK(s->udp_port == 0);
    CHECK(s->port <= 65535);
    CHECK(s->port != 0 || s->port_ephemeral || s->unix_path != NULL);
    CHECK(s->maxconns >= 1);
    CHECK(s->threads >= 1);
    CHECK(s->reqs_per_event >= 1);
    CHECK(s->backlog >= 0);
    CHECK(s->unix_mask <= 0777);
    CHECK(s->hashpower == 0 || (s->hashpower >= 12 && s->hashpower <= 32));
    CHECK(memchr(s->listen, '\0', sizeof s->listen) != NULL);
    CHECK(s->note_count <= LIMIT_SETTINGS_NOTES);
}

static bool
same_string(const char *a, const char *b)
{
    return (a == NULL && b == NULL) ||
           (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
compare_settings(const struct settings *a, const struct settings *b)
{
    CHECK(a->port == b->port && a->udp_port == b->udp_port);
    CHECK(a->port_ephemeral == b->port_ephemeral);
    CHECK(strcmp(a->listen, b->listen) == 0);
    CHECK(same_string(a->unix_path, b->unix_path));
    CHECK(same_string(a->user, b->user));
    CHECK(same_string(a->pidfile, b->pidfile));
    CHECK(a->unix_mask == b->unix_mask && a->daemonize == b->daemonize);
    CHECK(a->mem_limit == b->mem_limit && a->no_evict == b->no_evict);
    CHECK(a->maxconns == b->maxconns && a->verbosity == b->verbosity);
    CHECK(a->item_size_max == b->item_size_max);
    CHECK(a->cas_disabled == b->cas_disabled);
    CHECK(a->shutdown_enabled == b->shutdown_enabled);
    CHECK(a->flush_disabled == b->flush_disabled);
    CHECK(a->lock_memory == b->lock_memory && a->coredumps == b->coredumps);
    CHECK(a->threads == b->threads);
    CHECK(a->reqs_per_event == b->reqs_per_event);
    CHECK(a->backlog == b->backlog && a->idle_timeout == b->idle_timeout);
    CHECK(a->test_clock == b->test_clock && a->hashpower == b->hashpower);
    CHECK(a->note_count == b->note_count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *argv_a[FUZZ_SETTINGS_ARGS_MAX + 2];
    char *argv_b[FUZZ_SETTINGS_ARGS_MAX + 2];
    struct parse_result a;
    struct parse_result b;
    parse(data, size, &a, argv_a);
    switch (a.outcome) {
    case SETTINGS_RUN:
        CHECK(a.exit_code == 0 && a.out.len == 0 && a.err.len == 0);
        check_run(&a.s);
        break;
    case SETTINGS_DONE:
        CHECK(a.exit_code == 0 && a.out.len > 0 && a.err.len == 0);
        break;
    case SETTINGS_FAIL:
        CHECK(a.exit_code == FUZZ_SETTINGS_EXIT_USAGE ||
              a.exit_code == FUZZ_SETTINGS_EXIT_OTHER);
        CHECK(a.err.len > 0 && a.out.len == 0);
        break;
    default:
        CHECK(false);
    }
    /* The same vector again: the same answer, whatever getopt left. */
    parse(data, size, &b, argv_b);
    CHECK(a.outcome == b.outcome && a.exit_code == b.exit_code);
    CHECK(a.out.len == b.out.len && a.out.hash == b.out.hash);
    CHECK(a.err.len == b.err.len && a.err.hash == b.err.hash);
    if (a.outcome == SETTINGS_RUN) {
        compare_settings(&a.s, &b.s);
    }
    free_argv(argv_a);
    free_argv(argv_b);
    return 0;
}
