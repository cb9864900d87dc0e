/*
 * engine.h - what every connection of a server shares: the store, the
 * settings, the command counters and the clock used for items.
 *
 * No sockets and no clock reads here: the network layer passes the real time
 * in, and answers questions about connections and the process through the
 * host callbacks (which may be absent, as in tests and fuzzers). Commands are
 * executed by commands.h; connections are sessions (session.h).
 */
#ifndef MCREF_ENGINE_H
#define MCREF_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "../store/store.h"
#include "outq.h"

/* What `stats settings` reports about the command line ([stats.settings]).
 * Filled by the application; the engine only prints it. */
struct engine_settings {
    uint32_t maxconns;
    uint32_t tcpport;
    uint32_t udpport;
    const char *inter;         /* listen addresses, NULL when all */
    const char *domain_socket; /* NULL when none */
    uint32_t umask;
    uint32_t reqs_per_event;
    uint32_t tcp_backlog;
    uint32_t idle_timeout;
    uint32_t hashpower_init;
};

/* -B: the protocols a connection may speak ([bin.negotiation]). */
enum engine_binding {
    ENGINE_BIND_AUTO = 0, /* by the first byte */
    ENGINE_BIND_ASCII,    /* text and meta only */
    ENGINE_BIND_BINARY,   /* binary only (also under -S) */
};

struct auth_table;

struct engine_config {
    struct store_config store;
    bool flush_enabled;    /* false with -F ([flush.disabled]) */
    bool shutdown_enabled; /* -A ([misc.shutdown]) */
    bool dump_disabled;    /* -X: no key dumps ([admin.dump-disabled]) */
    bool test_clock;       /* -o test_clock ([misc.debugtime]) */
    uint32_t verbosity;    /* -v count */
    const char *version;   /* answered by `version` */
    enum engine_binding binding; /* -B */
    /* [auth.*]: credentials the application read; NULL when off. The
     * tables outlive the engine. */
    const struct auth_table *sasl;       /* -S */
    const struct auth_table *ascii_auth; /* -Y */
    /* Values of at least this many bytes are sent from the item instead of
     * copied (outq.h); 0 means OUTQ_REF_MIN. Tests lower it to 1. */
    uint32_t value_ref_min;
    /* [conn.input-budget]: bytes of unparsed input held over all sessions
     * (-o read_buf_mem_limit); 0 = no bound. */
    uint64_t input_budget;
    /* [conn.output-budget]: bytes of reply blocks held over all sessions
     * past which a session with a paused backlog is closed; 0 = no bound. */
    uint64_t output_budget;
    struct engine_settings settings;
};

/* Facts about the process and its connections, for `stats`. */
struct host_info {
    uint32_t pid;
    uint32_t started_s;       /* unix time the process started */
    uint64_t rusage_user_us;
    uint64_t rusage_system_us;
    uint64_t max_connections;
    uint64_t curr_connections;
    uint64_t total_connections;
    uint64_t rejected_connections;
    uint64_t connection_structures;
    uint64_t idle_kicks;
    uint64_t conn_yields;
    uint64_t listen_disabled_num;
    bool accepting_conns;
    bool idle_timeout_on;     /* idle_kicks is shown only then */
};

/* One connection, for `stats conns`. Strings are the host's, valid during
 * the callback. */
struct host_conn {
    int fd;
    const char *addr;
    const char *listen_addr; /* NULL for a listening socket */
    const char *state;
    uint32_t secs_since_last_cmd;
};

struct engine_host {
    void *ctx;
    void (*info)(void *ctx, struct host_info *out);
    void (*each_conn)(void *ctx, uint32_t now_s,
                      void (*emit)(void *arg, const struct host_conn *c),
                      void *arg);
    void (*stats_reset)(void *ctx);
};

/* Command counters kept by the engine (the store keeps item counters). */
#define ENGINE_STATS_FIELDS(X) \
    X(cmd_get)                 \
    X(cmd_set)                 \
    X(cmd_flush)               \
    X(cmd_touch)               \
    X(cmd_meta)                \
    X(store_too_large)         \
    X(store_no_memory)         \
    X(auth_cmds)               \
    X(auth_errors)             \
    X(bytes_read)              \
    X(bytes_written)

struct engine_stats {
#define ENGINE_STAT_FIELD(name) uint64_t name;
    ENGINE_STATS_FIELDS(ENGINE_STAT_FIELD)
#undef ENGINE_STAT_FIELD
};

struct client_check; /* client_check.h */
struct faults;       /* faults.h */

struct engine {
    struct engine_config cfg;
    struct engine_host host;
    struct store *store;
    struct outq_pool pool;
    struct engine_stats stats;
    uint32_t verbosity;
    /* [misc.debugtime]: the item clock is real time plus offset_s, or
     * paused_s while paused, and never runs backwards (last_s). */
    int64_t offset_s;
    bool paused;
    uint32_t paused_s;
    uint32_t last_s;
    /* `shutdown graceful` was accepted: with -e, save for a restart
     * ([restart.graceful]). */
    bool shutdown_graceful;
    /* [conn.input-budget]: bytes of input buffers all sessions hold. */
    uint64_t input_held;
    /* Client conformance testing (issue 15), owned by the application:
     * strict mode and fault injection, each NULL when off. */
    struct client_check *check;
    struct faults *faults;
};

/* Creates the engine and its store; NULL when the store cannot be created.
 * host may be NULL. */
struct engine *engine_create(const struct engine_config *cfg,
                             const struct engine_host *host);
void engine_destroy(struct engine **e);

/* As engine_create, over a store the caller made (a restored one,
 * [restart.restore]); the engine owns it from then on, also when this
 * fails (NULL). */
struct engine *engine_create_with_store(const struct engine_config *cfg,
                                        const struct engine_host *host,
                                        struct store *store);

/* The item clock at real time real_s (>= 1): the test clock's offset or
 * pause applied, never below an earlier answer. */
uint32_t engine_now(struct engine *e, uint32_t real_s);

/* [misc.debugtime]: moves or pauses the item clock, at real time real_s. */
void engine_clock_step(struct engine *e, uint32_t real_s, int64_t step_s);
void engine_clock_pause(struct engine *e, uint32_t real_s);
void engine_clock_resume(struct engine *e, uint32_t real_s);

/* [mem.elastic]: the store's reclamation between requests, at real time
 * real_s (queued value references are copied out through the store's write
 * hook if it moves or drops records). Returns true when more work remains:
 * call again soon. */
bool engine_tick(struct engine *e, uint32_t real_s);

/* Installs (or with NULL removes) the host callbacks. */
void engine_set_host(struct engine *e, const struct engine_host *host);

/* The host's facts, or zeros when there is no host. */
void engine_host_info(const struct engine *e, struct host_info *out);

/* [stats.reset]: zeroes engine, store and host counters. */
void engine_stats_reset(struct engine *e);

#endif
