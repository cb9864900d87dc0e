/*
 * store.h - the deterministic item store behind every command.
 *
 * Items live in a circular log of at most the memory limit, found through a
 * hash index (spec/protocol.md §14). The log's memory comes through struct
 * store_memory: the store reserves the limit once, touches it as records need
 * it, and reports the ranges it stops needing (so that the caller can give
 * them back to the system) without making a system call ([mem.elastic]).
 * Every operation takes `now_s`, the current
 * unix time in whole seconds (>= 1, never decreasing between calls); the store
 * reads no clock, does no I/O and uses no randomness, so the same calls with
 * the same times give the same results, evictions and statistics ([det.store]).
 * It allocates only at creation and when its index doubles.
 *
 * Views (struct store_item) point into the store's memory. They stay valid
 * until the next call that writes an item (put, arith, touch, gat, or any call
 * after which an eviction may have run); read-only calls (get, delete, flush)
 * never move bytes. Copy what you need before the next write: the write hook
 * (store_set_write_hook) says exactly when that is.
 */
#ifndef MCREF_STORE_H
#define MCREF_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/limits.h"

/* Where the log's memory comes from. reserve returns len zeroed bytes (NULL
 * on failure) whose untouched pages should cost nothing; release says that
 * the store needs [p, p + len) no more until it writes there again (the
 * bytes may then read as anything); unreserve returns the whole range. */
struct store_memory {
    void *ctx;
    void *(*reserve)(void *ctx, uint64_t len);
    void (*release)(void *ctx, void *p, uint64_t len);
    void (*unreserve)(void *ctx, void *p, uint64_t len);
};

struct store_config {
    uint64_t mem_limit;      /* -m, bytes of item memory */
    uint32_t value_len_max;  /* -I: the largest value, bytes ([item.value-max]) */
    bool evict;              /* false with -M ([mem.no-evict]) */
    bool cas_enabled;        /* false with -C ([cas.disabled]) */
    uint64_t hash_seed;
    unsigned index_size_log2; /* initial buckets (0: default 16) */
    /* [mem.elastic]: the log's smallest cap (0: LIMIT_LOG_CAP_MIN; at or
     * above mem_limit, or with evict false, the log is fixed at the limit). */
    uint64_t log_cap_min;
    /* NULL: calloc and free, nothing released. Must outlive the store. */
    const struct store_memory *memory;
};

enum store_status {
    STORE_OK = 0,        /* stored, found, deleted, touched, counted */
    STORE_MISS,          /* no live item: NOT_FOUND */
    STORE_NOT_STORED,    /* add on a live key; replace/append/prepend on none */
    STORE_EXISTS,        /* cas unique differs */
    STORE_TOO_LARGE,     /* value above value_len_max */
    STORE_NO_MEMORY,     /* no room and eviction not allowed */
    STORE_NON_NUMERIC,   /* incr/decr on a value that is not a number */
};

enum store_mode {
    STORE_SET,
    STORE_ADD,
    STORE_REPLACE,
    STORE_APPEND,
    STORE_PREPEND,
    STORE_CAS,
};

/* A read-only view of one item; see the validity rule above. */
struct store_item {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *value;
    size_t value_len;
    uint32_t flags;
    uint64_t cas;
    uint32_t deadline_s; /* 0 = never */
    /* The item's marks as the view was taken ([meta.mg-flags]). */
    bool fetched;        /* read since stored */
    bool stale;          /* invalidated by md I / ms I ([meta.stale]) */
    bool win_sent;       /* a win token went out ([meta.win]) */
    bool key_binary;     /* stored by a request with a base64 key */
    /* [meta.mg-access]: when its record was last written or moved, as the
     * latest write into its LIMIT_STAMP_CHUNK bytes of the log. */
    uint32_t stamp_s;
    uint32_t size;       /* bytes of its record ([mem.item-size]) */
};

/* Counters, in the names memcached's stats use. curr_items and bytes are
 * gauges; the rest count events since creation or the last reset. */
#define STORE_STATS_FIELDS(X) \
    X(curr_items)        \
    X(bytes)             \
    X(total_items)       \
    X(get_hits)          \
    X(get_misses)        \
    X(get_expired)       \
    X(get_flushed)       \
    X(delete_hits)       \
    X(delete_misses)     \
    X(incr_hits)         \
    X(incr_misses)       \
    X(decr_hits)         \
    X(decr_misses)       \
    X(cas_hits)          \
    X(cas_misses)        \
    X(cas_badval)        \
    X(touch_hits)        \
    X(touch_misses)      \
    X(evictions)         \
    X(evicted_unfetched) \
    X(evicted_nonzero)   \
    X(reclaimed)         \
    X(expired_unfetched) \
    X(moves)             \
    X(no_memory)

struct store_stats {
#define STORE_STAT_FIELD(name) uint64_t name;
    STORE_STATS_FIELDS(STORE_STAT_FIELD)
#undef STORE_STAT_FIELD
};

/* Sizes for `stats`: the log, the index and the limits. */
struct store_info {
    uint64_t mem_limit;       /* bytes of log at most (-m) */
    uint64_t log_used;        /* bytes between tail and head, dead ones too */
    uint64_t log_cap;         /* where the head wraps now ([mem.elastic]) */
    uint64_t log_held;        /* bytes of log touched and not released */
    uint64_t index_buckets;
    uint64_t index_bytes;
    bool index_resizing;
    uint32_t value_len_max;
    bool evict;
    bool cas_enabled;
};

/* Creates a store, or returns NULL when the configuration is impossible
 * (memory limit below 64 bytes, or a value limit that cannot fit twice in it,
 * [mem.item-fits], or a log_cap_min below the log's alignment, which is over
 * 64 bytes only for limits of 256 GiB and more) or memory cannot be
 * allocated. */
struct store *store_create(const struct store_config *cfg);

/*
 * Installs hook (NULL: none), called with ctx just before the store changes
 * bytes a view may show: before any record is written or moved, and before
 * an in-place increment. Whoever still reads views copies them then. It is
 * not called by operations that write nothing, so a caller learns from it,
 * not from the operation's name, whether the store was written.
 */
void store_set_write_hook(struct store *s, void (*hook)(void *ctx), void *ctx);

/* Frees the store and sets *s to NULL; NULL is a no-op. */
void store_destroy(struct store **s);

/* [get.reply]: looks up a live item and marks it accessed. STORE_OK with *out
 * filled, or STORE_MISS. Expired and flushed items found are removed. */
enum store_status store_get(struct store *s, uint32_t now_s,
                            const uint8_t *key, size_t key_len,
                            struct store_item *out);

/* [touch.reply], [get.gat]: sets a live item's expiry from exptime (wire
 * value, §6). STORE_OK (with *out filled if out is not NULL, showing the item
 * as it is after the touch), STORE_MISS, or STORE_NO_MEMORY when the item must
 * grow a deadline field and there is no room under -M. */
enum store_status store_touch(struct store *s, uint32_t now_s,
                              const uint8_t *key, size_t key_len,
                              int32_t exptime, struct store_item *out);

/* [store.*]: stores value under key in the given mode. value may be NULL only
 * when value_len exceeds the value limit (a request rejected before its data
 * was read). cas_unique is used by STORE_CAS only. On STORE_OK, *cas_out (if
 * not NULL) receives the new item's unique. A failed STORE_SET (too large, no
 * memory) removes any item under the key ([store.failed-set]). */
enum store_status store_put(struct store *s, uint32_t now_s,
                            enum store_mode mode, const uint8_t *key,
                            size_t key_len, uint32_t flags, int32_t exptime,
                            const uint8_t *value, size_t value_len,
                            uint64_t cas_unique, uint64_t *cas_out);

/* [delete.reply]: STORE_OK if a live item was removed, else STORE_MISS. */
enum store_status store_delete(struct store *s, uint32_t now_s,
                               const uint8_t *key, size_t key_len);

/* [incr.*]: adds delta (incr) or subtracts it down to 0 (decr). STORE_OK with
 * *result set, STORE_MISS, STORE_NON_NUMERIC or STORE_NO_MEMORY. */
enum store_status store_arith(struct store *s, uint32_t now_s,
                              const uint8_t *key, size_t key_len, bool incr,
                              uint64_t delta, uint64_t *result);

/* ---- the meta protocol's operations ([meta.*]) ------------------------
 *
 * Each takes an options struct (zeroed: the plain behaviour) and reports the
 * item's state before and after. A new_cas of 0 means "none". A
 * caller-given CAS (new_cas, meta E) becomes the item's unique without
 * advancing the store's counter, as in memcached. */

struct store_fetch_opts {
    bool no_bump;           /* u: leave the fetched and active marks */
    bool peek;              /* me: as no_bump, and count nothing */
    bool touch;             /* T: set the deadline from exptime */
    int32_t exptime;
    bool vivify;            /* N: a miss creates an empty item and wins */
    int32_t vivify_exptime;
    bool recache;           /* R: win when fewer than recache_s seconds
                               remain before the deadline */
    uint32_t recache_s;
    bool recache_first;     /* R was sent before T: it sees the deadline
                               the item had before the touch */
    uint64_t new_cas;       /* E: the CAS of a vivified item */
    bool key_binary;        /* b: a vivified item's key came in base64 */
};

struct store_fetch_result {
    struct store_item item;  /* the item after the request */
    uint32_t deadline_before_s;
    uint32_t stamp_before_s; /* l: the item's stamp before the request */
    bool fetched_before;     /* h */
    bool win_sent_before;    /* Z: a token had gone out before */
    bool stale;              /* X */
    bool won;                /* W: this request got the token */
    bool vivified;           /* the miss created the item */
};

/* [meta.mg-flags], [meta.win], [meta.stale]: looks up a live item (counted
 * as a get, or with touch as a touch only, as memcached counts mg),
 * optionally creating it on a miss (then counted as a hit and, unless
 * no_bump, fetched; N's deadline wins over T's).
 * STORE_OK with *out filled, STORE_MISS, or STORE_NO_MEMORY (a touch or
 * vivify that found no room; the miss is counted). */
enum store_status store_fetch(struct store *s, uint32_t now_s,
                              const uint8_t *key, size_t key_len,
                              const struct store_fetch_opts *o,
                              struct store_fetch_result *out);

struct store_put_opts {
    bool compare;           /* C given: append/prepend compare compare_cas
                               (STORE_CAS uses the cas_unique argument) */
    uint64_t compare_cas;
    uint64_t new_cas;       /* E */
    bool invalidate;        /* I: a STORE_CAS below the item's CAS stores
                               the value marked stale ([meta.ms-invalidate]) */
    bool vivify;            /* N: append/prepend on a miss store the value
                               as a new item with vivify_exptime */
    int32_t vivify_exptime;
    bool key_binary;        /* b: mark the item's key as base64 (an append
                               keeps an earlier mark) */
};

/* store_put with the meta options; store_put(...) is this with zeroed
 * options. */
enum store_status store_put_opts(struct store *s, uint32_t now_s,
                                 enum store_mode mode, const uint8_t *key,
                                 size_t key_len, uint32_t flags,
                                 int32_t exptime, const uint8_t *value,
                                 size_t value_len, uint64_t cas_unique,
                                 const struct store_put_opts *o,
                                 uint64_t *cas_out);

struct store_delete_opts {
    bool compare;           /* C given: a CAS other than compare_cas (any,
                               without CAS uniques) answers STORE_EXISTS */
    uint64_t compare_cas;
    uint64_t new_cas;       /* E: with invalidate or clear_value */
    bool invalidate;        /* I: mark stale, new CAS, win token cleared,
                               instead of removing ([meta.md-invalidate]) */
    bool clear_value;       /* x: an empty item (flags 0, CAS kept or E's,
                               deadline T's or none) takes its place */
    bool touch;             /* T (with I or x): new deadline from exptime */
    int32_t exptime;
};

/* [meta.md-flags]: STORE_OK, STORE_MISS, STORE_EXISTS (counted as a delete
 * miss), or STORE_NO_MEMORY when a rewrite (x, or T growing a deadline
 * field) found no room. An invalidation is not counted as a delete. */
enum store_status store_delete_opts(struct store *s, uint32_t now_s,
                                    const uint8_t *key, size_t key_len,
                                    const struct store_delete_opts *o);

struct store_arith_opts {
    bool compare;           /* C given, as for delete */
    uint64_t compare_cas;
    uint64_t new_cas;       /* E */
    bool vivify;            /* N: a miss creates the item holding initial,
                               the delta not applied ([meta.ma-vivify]) */
    int32_t vivify_exptime;
    uint64_t initial;       /* J */
    bool touch;             /* T: on success, new deadline from exptime */
    int32_t exptime;
    bool key_binary;        /* b: a created item's key came in base64 */
};

/* store_arith with the meta options. *out (if not NULL) shows the item
 * after the request; *created tells a vivified item. STORE_EXISTS on a CAS
 * mismatch; other results as store_arith. */
enum store_status store_arith_opts(struct store *s, uint32_t now_s,
                                   const uint8_t *key, size_t key_len,
                                   bool incr, uint64_t delta,
                                   const struct store_arith_opts *o,
                                   uint64_t *result, struct store_item *out,
                                   bool *created);

/* [flush.*]: delay <= 0 flushes now; otherwise at the deadline the delay
 * names (relative or absolute as an exptime). */
void store_flush(struct store *s, uint32_t now_s, int32_t delay);

/* [mem.elastic]: reclamation between requests, for a timer to call: drops
 * up to LIMIT_TICK_RECORDS dead, expired or flushed records from the tail,
 * and compacts live ones while that lets memory go. Returns true when more
 * such work remains (call again soon), false when there is none for now. */
bool store_tick(struct store *s, uint32_t now_s);

/* [admin.cache-memlimit]: moves the memory limit to bytes (rounded down to
 * the log's alignment) within what was reserved at creation, and not below
 * the log's extent nor what the largest item needs. False, changing
 * nothing, otherwise. */
bool store_set_mem_limit(struct store *s, uint64_t bytes);

void store_stats(const struct store *s, struct store_stats *out);

/* [stats.reset]: zeroes the counters, keeping the gauges. */
void store_stats_reset(struct store *s);

void store_info(const struct store *s, struct store_info *out);

/*
 * [admin.dump-walk]: a bounded, resumable walk over the live items, for the
 * key dumps (stats cachedump, lru_crawler metadump/mgdump). A scan covers the
 * records written before it began, oldest first; each call examines at most
 * a given number of records, so a dump of any size is many short steps with
 * other work between them. It writes nothing and counts nothing. An item live
 * for the whole scan and not rewritten is shown exactly once, unless the log
 * turned over past the scan's position meanwhile (reclamation then moved it
 * ahead of the scan's end); items written during the scan are not shown.
 */
struct store_scan {
    uint64_t pos; /* the next record's absolute position */
    uint64_t end; /* the head when the scan began */
};

void store_scan_begin(const struct store *s, struct store_scan *c);

/* Calls visit for each live, unexpired, unflushed item from the cursor on,
 * examining at most max_records records; visit returning false stops before
 * that item (the next call shows it again). The view is valid during the
 * call only. Returns true when records remain. */
bool store_scan(const struct store *s, uint32_t now_s, struct store_scan *c,
                uint32_t max_records,
                bool (*visit)(void *ctx, const struct store_item *it),
                void *ctx);

/* One record of the log, as store_walk shows it (for tests and fuzzers). */
struct store_walk_entry {
    uint64_t pos;      /* absolute log position (record bytes before it) */
    uint64_t phys;     /* offset in the log's memory */
    uint64_t size;     /* bytes it occupies (0 for a gap) */
    bool gap;          /* the end of the tail's lap; the rest is then unset */
    bool live;         /* still an item (not removed or replaced) */
    bool fetched;      /* read since stored */
    bool active;       /* accessed since written or moved */
    const uint8_t *key;
    size_t key_len;
};

/* Calls visit for every record and gap from the log's tail to its head,
 * without changing anything. O(n); for tests and fuzzers. */
void store_walk(const struct store *s,
                void (*visit)(void *ctx, const struct store_walk_entry *e),
                void *ctx);

/* Walks every structure and CHECKs every invariant: the log parses from tail
 * to head; the index holds exactly the live records, each findable by its
 * key; counters match. O(n); for tests and fuzzers. */
void store_check(const struct store *s);

#endif
