/*
 * bench_work.h - what a phase of the run sends and how its replies count.
 *
 * A phase is the measured load (random gets and sets), the warm-up (every
 * key set once) or the fill (new keys until the server evicts). The driver
 * asks for the next request of a connection and hands back each reply; the
 * work composes requests, checks replies against what was asked, and keeps
 * the counts and the latency histogram. No sockets, no clock: the driver
 * passes the time in. The one outside read is the fill's: the server's RSS
 * from /proc each time a `stats` reply still shows no eviction.
 */
#ifndef BENCH_WORK_H
#define BENCH_WORK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench_conn.h"
#include "bench_hist.h"
#include "bench_opts.h"
#include "bench_reply.h"

enum bench_phase {
    BENCH_PHASE_LOAD = 0,
    BENCH_PHASE_WARMUP,
    BENCH_PHASE_FILL,
};

struct bench_counts {
    uint64_t gets, sets;        /* requests answered as expected */
    uint64_t get_keys, hits;    /* keys asked for by those gets, found */
    uint64_t stats;
    uint64_t aside_sets;        /* --cache-aside: sets of missed keys (also
                                   in sets) */
    uint64_t server_errors;     /* ERROR / CLIENT_ERROR / SERVER_ERROR */
    uint64_t unexpected;        /* e.g. NOT_STORED for a set */
    uint64_t broken;            /* replies that broke the stream */
    uint64_t lost;              /* in flight when a connection died or the
                                   drain timed out */
    uint64_t last_reply_ns;
};

struct bench_fill {
    bool have_items;          /* a stats reply without evictions was seen */
    uint64_t items;           /* its curr_items: held before 1st eviction */
    uint64_t rss_bytes;       /* server VmRSS read when it arrived */
    bool have_rss;
    bool evicted;             /* a later stats reply showed evictions > 0 */
    uint64_t evictions;
    bool stats_bad;           /* a stats reply lacked the two fields */
};

struct bench_work {
    /* Set by bench_work_init, read-only after. */
    enum bench_phase phase;
    const struct bench_opts *opts;
    const struct bench_keyspace *ks;
    const uint8_t *value;     /* opts->value_len bytes */
    uint64_t seq_limit;       /* warm-up / fill: ids [0, seq_limit) */

    /* --cache-aside: ids that missed, to be set next (a ring). At most
       one per request in flight, so conns * pipeline ids always fit. */
    uint64_t *pending;
    size_t pending_cap, pending_head, pending_count;

    /* State. */
    uint64_t issued;          /* requests composed */
    uint64_t gets_issued;     /* --cache-aside: -n bounds the gets */
    uint64_t seq_next;        /* next id for warm-up and fill */
    uint64_t sets_since_stats;
    bool exhausted;           /* nothing more to send in this phase */

    /* Results. */
    struct bench_counts counts;
    struct bench_hist *hist;  /* caller-owned; replies' latency in ns */
    struct bench_fill fill;
};

/*
 * Prepares a phase. opts, ks, value and hist must outlive w; hist is
 * emptied. For the fill, seq_limit bounds the new keys.
 */
void bench_work_init(struct bench_work *w, enum bench_phase phase,
                     const struct bench_opts *opts,
                     const struct bench_keyspace *ks, const uint8_t *value,
                     struct bench_hist *hist);

/*
 * --cache-aside: gives w the ring for missed ids (cap >= the requests that
 * can be in flight at once); caller-owned, must outlive w.
 */
void bench_work_set_pending(struct bench_work *w, uint64_t *ids, size_t cap);

/* Whether the load's meta requests are quiet, each batch ending in mn. */
bool bench_work_meta_quiet(const struct bench_opts *opts);

/* Longest request any phase composes with these options (with the mn that
   may follow it). */
size_t bench_work_req_len_max(const struct bench_opts *opts);
/* Longest reply with the values this run stores (the usual case). */
size_t bench_work_reply_len_typical(const struct bench_opts *opts);
/* Longest reply accepted: values up to BENCH_VALUE_LEN_MAX, which a
   server holding other data (an earlier run's) may return. */
size_t bench_work_reply_len_max(const struct bench_opts *opts);

/*
 * Composes the next request into out (cap >= bench_work_req_len_max) and
 * describes it in slot (all but start_ns). Returns false, composing
 * nothing, once the phase has nothing more to send.
 */
bool bench_work_next(struct bench_work *w, struct bench_prng *r,
                     struct bench_slot *slot, uint8_t *out, size_t cap,
                     size_t *len);

/* The reply a slot's request must get. */
void bench_work_expect(const struct bench_work *w,
                       const struct bench_slot *slot,
                       struct bench_reply_expect *exp);

/*
 * Accounts one parsed reply (status not AGAIN) to slot's request, which
 * completed at now_ns; data is what the reply was parsed from.
 */
void bench_work_reply(struct bench_work *w, const struct bench_slot *slot,
                      enum bench_reply_status status,
                      const struct bench_reply *rep, const uint8_t *data,
                      uint64_t now_ns);

/* Accounts a request that never got its reply. */
void bench_work_lost(struct bench_work *w, const struct bench_slot *slot);

/* Errors of every kind counted so far. */
uint64_t bench_work_errors(const struct bench_work *w);

#endif
