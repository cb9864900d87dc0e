/*
 * bench_driver.h - the event loop: opens the connections, then runs a phase
 * (a bench_work) over them with epoll, one thread, non-blocking sockets.
 *
 * Each connection keeps up to its slot capacity (the -P depth) of requests
 * in flight. Closed loop by default: a reply makes room for the next
 * request. With a rate, each active connection sends on a fixed schedule
 * and latency counts from the scheduled time, so a slow server cannot hide
 * the requests it delayed. Connections that break are closed and counted;
 * the run goes on with the others.
 */
#ifndef BENCH_DRIVER_H
#define BENCH_DRIVER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/tool_addr.h"
#include "bench_conn.h"
#include "bench_opts.h"
#include "bench_rss.h"
#include "bench_work.h"

struct bench_driver_config {
    const struct tool_addr *addr;
    size_t conn_count;
    size_t active_count;                /* conns [0, active_count) send */
    struct bench_conn_sizes active_sizes;
    struct bench_conn_sizes idle_sizes; /* room for the version handshake */
    uint64_t seed;                      /* connection i uses stream i */
    uint64_t rate;                      /* requests/s per conn; 0 = none */
    size_t req_len_max;                 /* see bench_work_req_len_max */
    bool meta;                          /* handshake with mn, not version */
    bool binary;                        /* handshake with a binary NOOP */
    bool meta_quiet;                    /* end each batch of requests with
                                           mn (bench_work_meta_quiet) */
};

struct bench_driver {
    /* private */
    int epfd;
    bool have_pwait2;            /* epoll_pwait2: ns timeouts */
    struct bench_conn *conns;
    size_t conn_count;
    size_t active_count;
    size_t req_len_max;
    uint64_t rate_interval_ns;   /* 0 = closed loop */
    struct bench_work *work;     /* the running phase; NULL while opening */
    bool stopping;               /* the phase sends nothing more */
    uint64_t deadline_ns;        /* 0 = none */
    uint64_t last_reply_ns;      /* any reply, for the stall timeout */
    size_t handshakes_left;
    size_t inflight;             /* requests in flight, all connections */
    bool meta, meta_quiet, binary;
    struct bench_rss_series *rss; /* sampled during runs; NULL = none */
    long rss_pid;

    /* read-only */
    size_t active_live;          /* active connections still open */
    uint64_t open_failures;      /* connections that never became ready */
    uint64_t conns_lost;         /* ready connections closed by errors */
    char err[BENCH_ERR_LEN];     /* the first error seen, for messages */
};

/*
 * Opens cfg->conn_count connections and completes a `version` round trip
 * on each. False (err says why) if any of them fails; d must then still be
 * closed. Raise RLIMIT_NOFILE before.
 */
bool bench_driver_open(struct bench_driver *d,
                       const struct bench_driver_config *cfg);

/*
 * Runs phase w on the active connections until w has nothing more to send
 * or duration_ns (0 = no limit) has passed, then waits for the replies in
 * flight (giving up after BENCH_REPLY_TIMEOUT_MS without any). *elapsed_ns
 * runs from the start to the last reply. False if no active connection is
 * left at the start.
 */
bool bench_driver_run(struct bench_driver *d, struct bench_work *w,
                      uint64_t duration_ns, uint64_t *elapsed_ns);

/*
 * Samples pid's RSS into series (when due) during the runs that follow;
 * series NULL stops it. The series must outlive those runs.
 */
void bench_driver_sample_rss(struct bench_driver *d,
                             struct bench_rss_series *series, long pid);

/* Takes one RSS reading into d's series if it is due at now_ns. */
void bench_driver_rss_tick(struct bench_driver *d, uint64_t now_ns);

/* Closes every connection and frees d's memory; safe after a failed open. */
void bench_driver_close(struct bench_driver *d);

#endif
