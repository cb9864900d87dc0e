/*
 * settings.h - memcached 1.6.18's command line, as mcref takes it.
 *
 * Every memcached flag is either supported, accepted without effect because
 * it tunes machinery mcref does not have (said so in -h and at -v), or refused
 * with a message naming it. Validation messages and exit codes follow
 * memcached where it has them.
 */
#ifndef MCREF_SETTINGS_H
#define MCREF_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/limits.h"

/* A faults text and its terminator. */
enum { SETTINGS_FAULTS_MAX = LIMIT_FAULT_LIST_LEN + 1 };

struct settings {
    uint32_t port;              /* -p; 0 = no TCP (unless port_ephemeral) */
    bool port_ephemeral;        /* -p -1: any free port, as memcached */
    uint32_t udp_port;          /* -U; only 0 is supported */
    /* -l items joined by ',', "" = all */
    char listen[LIMIT_SETTINGS_LISTEN_LEN];
    const char *unix_path;      /* -s */
    unsigned unix_mask;         /* -a */
    bool daemonize;             /* -d */
    const char *user;           /* -u */
    const char *pidfile;        /* -P */
    const char *memory_file;    /* -e: the log in a shared file ([restart.flag]) */
    uint64_t mem_limit;         /* -m, in bytes ([cli.memory-size]) */
    bool no_evict;              /* -M */
    uint32_t maxconns;          /* -c */
    unsigned verbosity;         /* -v count */
    uint32_t item_size_max;     /* -I */
    bool cas_disabled;          /* -C */
    bool shutdown_enabled;      /* -A */
    bool flush_disabled;        /* -F */
    bool dump_disabled;         /* -X */
    bool lock_memory;           /* -k */
    bool coredumps;             /* -r */
    uint32_t threads;           /* -t: accepted (noted); one thread serves */
    uint32_t reqs_per_event;    /* -R */
    int backlog;                /* -b */
    uint32_t idle_timeout;      /* -o idle_timeout */
    bool test_clock;            /* -o test_clock */
    uint32_t hashpower;         /* -o hashpower: initial index size, log2 */
    /* -o read_buf_mem_limit=MB: input buffered over all connections
     * ([conn.input-budget]); -1 = not given (from -m), 0 = no bound. */
    int64_t read_buf_mem_limit_mb;
    enum settings_binding {
        SETTINGS_BIND_AUTO,
        SETTINGS_BIND_ASCII,
        SETTINGS_BIND_BINARY,
    } binding;                  /* -B; -S makes it binary, -Y ascii */
    bool sasl;                  /* -S: credentials from $MEMCACHED_SASL_PWDB */
    const char *auth_file;      /* -Y */
    /* Client conformance testing (spec §21, README "Testing clients"). */
    bool client_check;          /* -o client_check */
    bool client_check_reject;   /* -o client_check=reject */
    /* -o client_check_report= */
    char client_check_report[LIMIT_SETTINGS_PATH_LEN];
    char faults[SETTINGS_FAULTS_MAX]; /* -o faults=PROFILE|LIST, "" = off */
    bool fault_seed_set;        /* -o fault_seed=N given */
    uint64_t fault_seed;
    /* Options accepted without effect, to mention at -v. */
    const char *notes[LIMIT_SETTINGS_NOTES];
    unsigned note_count;
};

enum settings_outcome {
    SETTINGS_RUN,  /* start the server */
    SETTINGS_DONE, /* -h, -V or -i answered: exit 0 */
    SETTINGS_FAIL, /* a message was printed: exit with *exit_code */
};

/* Parses argv into *s (defaults first). Messages go to out (-h, -V) or err. */
enum settings_outcome settings_parse(struct settings *s, int argc,
                                     char **argv, FILE *out, FILE *err,
                                     int *exit_code);

#endif
