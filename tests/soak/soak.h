/*
 * soak.h - the soak client's model, shared by its text side (soak.c) and
 * its binary side (soak_binary.c).
 *
 * A connection owns a key space (SLOTS keys, a counter, a big value) and a
 * model of it; a batch writes requests into `out` and the exact reply bytes
 * they must get into `exp`. A reply that a cache may turn into a miss (an
 * eviction) is a `rec` with its miss form in `alts`; a CAS the client learns
 * from a reply is a `hole` of exp filled by a `cell`.
 */
#ifndef MCREF_TESTS_SOAK_H
#define MCREF_TESTS_SOAK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SLOTS 8           /* ordinary keys per connection */
#define VALUE_MAX 700     /* their largest value */
#define BIG_VALUE 65536   /* the slow readers' value */
#define MAX_PIPELINE 64
#define MAX_ERRORS_SHOWN 10
#define RSS_MAX_SAMPLES 4096
#define CONNECTS_PER_TICK 400
#define TICK_MS 10
#define CAS_LEN 8

enum role { ROLE_ACTIVE, ROLE_SLOW, ROLE_IDLE, ROLE_CHURN };

enum cstate { C_DOWN, C_CONNECTING, C_READY, C_BUSY, C_FAILED };

struct buf {
    char *p;
    size_t len, off, cap;
};

/* What the model learns when a reply comes in its miss form: the item was
 * gone (evicted), or (a quiet add on a live key) it was gone and the add
 * stored it again, with the same value and flags and a CAS unseen. */
enum evict_effect { EFFECT_GONE, EFFECT_REVIVED };

/* A reply that may also come as a miss, because the cache evicted the
 * item (a cache may); or a store, which makes the slot live again. */
struct rec {
    size_t start, len;  /* the hit's bytes in exp */
    int slot;           /* -1 the big value, -2 the counter */
    bool is_store;
    bool taken;         /* the miss form was received */
    enum evict_effect effect;
    size_t alt_off, alt_len; /* the miss form, in the connection's alts */
};

/* A slot's CAS as the model knows it (binary connections only). */
#define CAS_KNOWN (-2)   /* in slot.cas */
#define CAS_UNKNOWN (-1) /* a quiet store set it: the next hit captures it */

struct slot {
    bool exists;
    uint32_t version;
    uint32_t flags;
    int cas_cell; /* CAS_KNOWN, CAS_UNKNOWN, or a cell of this batch */
    uint64_t cas;
};

/* A CAS the batch learns from a reply: `fresh` ones (a store's or an
 * incr's new CAS) must exceed every fresh CAS seen before on the
 * connection. */
struct cell {
    uint64_t value;
    bool filled, fresh;
};

/* Eight bytes of exp that hold a CAS: a capture accepts any (then checks
 * it and fills its cell); the others wait for their cell's value. */
struct hole {
    size_t off;
    int cell;
    bool capture;
};

struct conn {
    uint32_t id;
    enum role role;
    enum cstate state;
    int fd;
    uint64_t rng;
    struct slot slots[SLOTS];
    struct slot big;
    bool counter_exists;
    uint64_t counter;
    bool binary;             /* speaks the binary protocol */
    uint32_t opaque;         /* binary: the next request's opaque */
    uint64_t cas_high;       /* binary: the largest fresh CAS seen */
    uint32_t fenced;         /* binary: slots this batch must not touch */
    const char *why;         /* why the last reply was refused, if not bytes */
    struct buf out, exp, alts;
    struct buf carry; /* received bytes not yet compared (EV_WAIT) */
    struct rec *recs;
    size_t nrecs, caprecs;
    struct hole *holes;
    size_t nholes, capholes;
    struct cell *cells;
    size_t ncells, capcells;
    uint64_t next_at_ms;     /* next batch (READY) or reconnect (DOWN) */
    uint64_t batch_start_ms;
    uint64_t read_budget;    /* slow readers: bytes they may read now */
    uint32_t batches_left;   /* churn: batches before the next close */
    bool want_out;           /* EPOLLOUT registered */
};

struct opts {
    const char *host;
    int port;
    uint32_t conns;
    uint32_t seconds;
    uint32_t warmup;
    uint64_t seed;
    uint32_t slow_pct, idle_pct, churn_pct;
    uint32_t pipeline;
    uint32_t think_ms;
    uint32_t slow_bps;
    uint32_t timeout_ms;
    int server_pid;
    uint64_t rss_growth_kb;
    uint32_t binary_pct;
    uint32_t max_read; /* 0, or the most bytes one read() may take */
    bool quiet;
};

struct stats {
    uint64_t batches, requests, bytes_in, connects, reconnects;
    uint64_t errors, mismatches, stalls, conn_failures;
    uint64_t bin_conns, bin_requests, bin_batches, bin_mismatches;
    uint64_t cas_captured; /* CAS values learnt from replies and checked */
    uint64_t evicted_misses; /* hits expected, misses received */
    uint64_t by_role_batches[4];
    uint64_t rss_kb[RSS_MAX_SAMPLES];
    uint32_t rss_n;
};

struct soak {
    struct opts o;
    struct stats st;
    struct conn *conns;
    int ep;
    struct sockaddr_in addr;
    char *big_cache; /* scratch for generated values */
};

/* Helpers (soak.c). */
uint64_t mix64(uint64_t x);
uint64_t rnd(uint64_t *s);
uint32_t rnd_below(uint64_t *s, uint32_t n);
void buf_reserve(struct buf *b, size_t more);
void buf_add(struct buf *b, const void *data, size_t n); /* data may be NULL if n is 0 */
void buf_clear(struct buf *b);
/* Grows an array of `size`-byte elements to hold one more. */
void *grow(void *p, size_t *cap, size_t n, size_t size);

/* The model (soak.c): a slot's key, its value for a version, its state;
 * slot -1 is the big value, -2 the counter. */
size_t key_of(const struct conn *c, int slot, char *out, size_t cap);
size_t value_len(const struct conn *c, int slot, uint32_t version);
void value_fill(const struct conn *c, int slot, uint32_t version, char *out,
                size_t n);
struct slot *slot_of(struct conn *c, int slot);

/* The reply from exp's `start` to its end, which may instead come as the
 * alts[alt_off..+alt_len) miss form (unless is_store) (soak.c). */
void rec_push(struct conn *c, int slot, size_t start, bool is_store,
              size_t alt_off, size_t alt_len, enum evict_effect effect);

/* One pipelined batch of binary packets for c; returns how many
 * (soak_binary.c). */
uint32_t build_batch_binary(struct soak *s, struct conn *c);

#endif
