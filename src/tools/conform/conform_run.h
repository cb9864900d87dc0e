/*
 * conform_run.h - runs cases against a server: probes the server once
 * (version, `stats settings`, debugtime), decides whether a case is skipped,
 * and executes a case's steps on fresh connections, producing a result.
 *
 * Prints nothing: conversation tracing goes through a callback, results
 * through struct conform_result (see conform_report.h).
 */
#ifndef CONFORM_RUN_H
#define CONFORM_RUN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conform_bytes.h"
#include "conform_case.h"
#include "conform_net.h"
#include "conform_stat.h"

enum conform_time_mode {
    CONFORM_TIME_AUTO = 0,   /* debugtime when the server has it */
    CONFORM_TIME_DEBUGTIME,  /* debugtime; an error if the server lacks it */
    CONFORM_TIME_REAL,       /* always sleep */
};

/* --auth: the server asks for authentication (ci/conform.sh's auth
 * profiles); only cases that `require` that mode run. */
enum conform_auth {
    CONFORM_AUTH_NONE = 0,
    CONFORM_AUTH_ASCII, /* -Y: text commands refused until a `set` */
    CONFORM_AUTH_SASL,  /* -S: binary only, SASL */
};

enum conform_server_kind {
    CONFORM_SERVER_AUTO = 0, /* mcref when `version` contains "mcref" */
    CONFORM_SERVER_MCREF,
    CONFORM_SERVER_OTHER,
};

/* Called for every byte string sent ('>') or matched ('<'), and notes ('#'). */
typedef void (*conform_trace_fn)(void *ctx, const char *conn, char dir,
                                 const uint8_t *data, size_t len);

struct conform_run_config {
    struct tool_addr addr;
    uint32_t timeout_ms;         /* connect, each expectation, each write */
    uint32_t case_ms;            /* a whole case */
    enum conform_time_mode time_mode;
    enum conform_server_kind server;
    bool allow_destructive;
    bool skip_slow;              /* skip `slow` cases when time is real */
    enum conform_auth auth;      /* --auth */
    uint32_t key_nonce;          /* the run's part of ${k} (16 bits used) */
    conform_trace_fn trace;      /* NULL: no tracing */
    void *trace_ctx;
};

/* What the probe learnt about the server, and what the run did to it. */
struct conform_server_info {
    char version[128];           /* the text after "VERSION " */
    bool mcref;                  /* server: mcref cases run */
    bool has_debugtime;          /* `debugtime 0` answered OK */
    bool use_debugtime;          /* wait steps use debugtime */
    bool has_meta;               /* `mn` answered MN: `requires: meta` */
    char meta_reply[64];         /* what `mn` was answered, for reasons */
    struct conform_stats *settings; /* `stats settings` (allocated) */
    bool shut_down;              /* a final case has run */
    char shut_down_by[CONFORM_NAME_LEN_MAX + 1];
};

/*
 * Connects, asks `version`, `stats settings`, `mn` and `debugtime 0`, and
 * resumes a clock a killed run may have left paused. False with err set
 * when the server cannot be reached or does not answer like memcached, or
 * when debugtime was demanded and is missing. Free info with
 * conform_server_info_free.
 */
bool conform_server_probe(const struct conform_run_config *cfg,
                          struct conform_server_info *info,
                          char err[CONFORM_ERR_LEN]);
void conform_server_info_free(struct conform_server_info *info);

enum conform_status {
    CONFORM_PASS = 0,
    CONFORM_FAIL,
    CONFORM_SKIP,
};

/* The outcome of one case. Owns its buffers (conform_result_free). */
struct conform_result {
    enum conform_status status;
    char reason[CONFORM_ERR_LEN];  /* SKIP: why; FAIL: what went wrong */
    unsigned line;                 /* FAIL: the step's line, 0 if none */
    const char *step_text;         /* FAIL: the step (owned by the case) */
    char conn[CONFORM_CONN_NAME_LEN_MAX + 1]; /* FAIL: its connection */
    bool has_bytes;                /* sent/expected/received are set */
    struct conform_buf sent;       /* the last bytes sent on conn */
    struct conform_buf expected;   /* bytes, or the /pattern/ as text */
    bool expected_is_text;         /* expected is a pattern, not bytes */
    struct conform_buf received;   /* what arrived (bounded copy) */
    size_t diff_at;                /* first byte that differs */
    uint64_t elapsed_ms;
};

void conform_result_init(struct conform_result *r);
void conform_result_free(struct conform_result *r);

/*
 * Why c must be skipped on this server with these options, written to
 * reason; false when it runs. A `since:` case runs when the release number
 * that starts the server's version is at least the case's, an `until:` case
 * when it is below; both run when the server is mcref (info->mcref), whose
 * spec picks the newer behaviour for `since` clauses and keeps the older
 * one for `until` cases (spec/protocol.md, section Meta protocol).
 */
bool conform_case_skipped(const struct conform_run_config *cfg,
                          const struct conform_server_info *info,
                          const struct conform_case *c,
                          char reason[CONFORM_ERR_LEN]);

/*
 * Runs c (or skips it) and fills r, which must be initialised. seq makes
 * ${k} unique within the run. Never blocks past the case deadline.
 */
enum conform_status conform_run_case(const struct conform_run_config *cfg,
                                     struct conform_server_info *info,
                                     const struct conform_case *c,
                                     uint32_t seq, struct conform_result *r);

#endif
