/*
 * prop_store.c - the store against its oracle (spec/model/), on random
 * operation sequences.
 *
 * Each run draws a configuration and a sequence of operations from one seed:
 * small and large key spaces; values of 0, 1, typical and maximum size (and
 * one byte over); time steps that cross expiry boundaries and the 30-day rule;
 * delayed flushes; incr/decr near 0 and 2^64; memory pressure in tiny logs,
 * with and without eviction and CAS; logs whose cap grows and shrinks with
 * the live data ([mem.elastic]), driven also by store_tick. After every step
 * it compares statuses, views, CAS uniques, statistics, the whole log layout
 * (positions and offsets, so every eviction and compaction), the cap and the
 * memory held, and runs store_check(). Released memory is poisoned, so a
 * record read after its memory was released shows as a difference.
 *
 *   prop_store [--seed S] [--runs N] [--ops N] [--seconds T] [--verbose]
 *
 * Prints each failing seed with the command that replays it, then
 * "N passed, N failed". With --seconds, runs fresh seeds until time is up.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../fuzz/store_compare.h"
#include "../../spec/model/model.h"
#include "../../src/store/store.h"
#include "../support/rng.h"

/* ---- randomness ---------------------------------------------------------- */

static bool
chance(uint64_t *state, unsigned percent)
{
    return rng_below(state, 100) < percent;
}

/* ---- one run ----------------------------------------------------------- */

struct run {
    uint64_t rng;
    struct store_config cfg;
    struct store *store;
    struct model *model;
    uint32_t now;
    unsigned key_space;
    unsigned long_keys; /* percent of 250-byte keys */
    uint64_t step;
    char op[256];       /* the current operation, for failure reports */
    bool failed;
    uint64_t last_cas[64];
    struct store_stats total; /* counters summed across stats resets */
    unsigned hot_keys;          /* big runs: the hot set, after the cold */
    unsigned new_keys;          /* big runs: keys made after the cold run */
    uint64_t steps;             /* big runs: how many */
    unsigned burst;             /* big runs: new keys in a burst */
    uint64_t cycle;             /* big runs: steps in a cycle */
    uint64_t guarded;           /* steps under the [mem.elastic] oracle */
    uint64_t guarded_bytes_max; /* the most live bytes such a step found */
};

static void
add_counters(struct store_stats *total, const struct store *s)
{
    struct store_stats now;
    store_stats(s, &now);
    total->evictions += now.evictions;
    total->moves += now.moves;
    total->reclaimed += now.reclaimed;
    total->no_memory += now.no_memory;
}

#define FAIL(r, ...)                                                          \
    do {                                                                      \
        if (!(r)->failed) {                                                   \
            fprintf(stderr, "  step %" PRIu64 " (%s): ", (r)->step, (r)->op); \
            fprintf(stderr, __VA_ARGS__);                                     \
            fputc('\n', stderr);                                              \
        }                                                                     \
        (r)->failed = true;                                                   \
    } while (0)

static void
draw_config(struct run *r)
{
    static const uint64_t mems[] = {700,   1000,  1500,   3000,
                                    8192,  16384, 65536,  1 << 20};
    static const uint32_t value_maxes[] = {64, 100, 200, 1024, 4096};
    for (;;) {
        r->cfg.mem_limit = mems[rng_below(&r->rng, 8)];
        r->cfg.value_len_max = value_maxes[rng_below(&r->rng, 5)];
        /* The store needs room for the largest item ([mem.item-fits]). */
        if (14 + 5 + 8 + 250 + (uint64_t)r->cfg.value_len_max <=
            r->cfg.mem_limit) {
            break;
        }
    }
    r->cfg.evict = chance(&r->rng, 75);
    /* [mem.elastic]: mostly a cap that can move (0: the default minimum,
     * above these limits, so a fixed log). */
    static const uint64_t cap_mins[] = {0, 256, 700, 2048, 4096};
    r->cfg.log_cap_min = cap_mins[rng_below(&r->rng, 5)];
    r->cfg.memory = &store_compare_poison_memory;
    r->cfg.cas_enabled = chance(&r->rng, 80);
    r->cfg.hash_seed = rng_next(&r->rng);
    r->cfg.index_size_log2 = 1 + (unsigned)rng_below(&r->rng, 8);
    static const unsigned spaces[] = {1, 3, 8, 40, 500};
    r->key_space = spaces[rng_below(&r->rng, 5)];
    r->long_keys = chance(&r->rng, 20) ? 10 : 0;
    r->now = 1 + (uint32_t)rng_below(&r->rng, 2000000000u);
}

static size_t
draw_key(struct run *r, uint8_t *key, unsigned *slot)
{
    unsigned k = (unsigned)rng_below(&r->rng, r->key_space);
    *slot = k % 64;
    if (chance(&r->rng, r->long_keys)) {
        memset(key, 'L', 250);
        int n = snprintf((char *)key, 250, "%u", k);
        key[n] = 'L';
        return 250;
    }
    return (size_t)snprintf((char *)key, 32, "key%u", k);
}

static size_t
draw_value(struct run *r, uint8_t *value)
{
    uint32_t max = r->cfg.value_len_max;
    size_t len;
    switch (rng_below(&r->rng, 10)) {
    case 0:
        len = 0;
        break;
    case 1:
        len = 1;
        break;
    case 2:
        len = max;
        break;
    case 3:
        len = max + 1u; /* one over: too large */
        break;
    case 4: {
        /* a number near 0 or near 2^64, for incr/decr */
        static const char *const numbers[] = {
            "0", "1", "9", "10", "99", "18446744073709551615",
            "18446744073709551614", "  42", "42abc", "-1", "+7", "007"};
        const char *n = numbers[rng_below(&r->rng, 12)];
        len = strlen(n);
        memcpy(value, n, len);
        return len;
    }
    default:
        len = (size_t)rng_below(&r->rng, max < 60 ? max : 60);
        break;
    }
    for (size_t i = 0; i < len; i++) {
        value[i] = (uint8_t)('a' + rng_below(&r->rng, 26));
    }
    return len;
}

static int32_t
draw_exptime(struct run *r)
{
    switch (rng_below(&r->rng, 20)) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 10:
    case 11:
    case 12:
    case 13:
    case 14:
    case 15:
    case 16:
    case 17:
        return 0;
    case 4:
        return (int32_t)(1 + rng_below(&r->rng, 5));
    case 5:
        return -1 - (int32_t)rng_below(&r->rng, 3);
    case 6:
        return 2592000;
    case 7:
        return 2592001;
    case 8:
        return (int32_t)(r->now + rng_below(&r->rng, 6)); /* absolute, near now */
    case 9:
        return (int32_t)(r->now - rng_below(&r->rng, 3)); /* absolute, past */
    default:
        return (int32_t)(1 + rng_below(&r->rng, 60));
    }
}

static void
advance_time(struct run *r)
{
    switch (rng_below(&r->rng, 20)) {
    case 0:
    case 1:
    case 2:
        r->now += 1;
        break;
    case 3:
        r->now += (uint32_t)rng_below(&r->rng, 8);
        break;
    case 4:
        if (chance(&r->rng, 10)) {
            r->now += 2592000; /* crosses every relative expiry */
        }
        break;
    default:
        break; /* most steps happen in the same second */
    }
}

/* ---- comparing ------------------------------------------------------------ */

static void
compare_views(struct run *r, const struct store_item *a,
              const struct store_item *b)
{
    if (a->key_len != b->key_len || memcmp(a->key, b->key, a->key_len) != 0) {
        FAIL(r, "view keys differ");
    }
    if (a->value_len != b->value_len ||
        (a->value_len > 0 && memcmp(a->value, b->value, a->value_len) != 0)) {
        FAIL(r, "values differ: store %zu bytes, model %zu bytes", a->value_len,
             b->value_len);
    }
    if (a->flags != b->flags || a->cas != b->cas ||
        a->deadline_s != b->deadline_s) {
        FAIL(r,
             "item fields differ: flags %u/%u cas %" PRIu64 "/%" PRIu64
             " deadline %u/%u",
             a->flags, b->flags, a->cas, b->cas, a->deadline_s, b->deadline_s);
    }
    if (a->stale != b->stale || a->win_sent != b->win_sent ||
        a->key_binary != b->key_binary || a->size != b->size ||
        a->stamp_s != b->stamp_s) {
        FAIL(r, "item marks differ: stale %d/%d win %d/%d size %u/%u "
                "stamp %u/%u",
             a->stale, b->stale, a->win_sent, b->win_sent, a->size, b->size,
             a->stamp_s, b->stamp_s);
    }
}

static void
compare_fetches(struct run *r, const struct store_fetch_result *a,
                const struct store_fetch_result *b)
{
    compare_views(r, &a->item, &b->item);
    if (a->item.fetched != b->item.fetched ||
        a->deadline_before_s != b->deadline_before_s ||
        a->stamp_before_s != b->stamp_before_s ||
        a->fetched_before != b->fetched_before ||
        a->win_sent_before != b->win_sent_before || a->stale != b->stale ||
        a->won != b->won || a->vivified != b->vivified) {
        FAIL(r, "fetch results differ: fetched %d/%d before %d/%d token "
                "%d/%d stale %d/%d won %d/%d vivified %d/%d",
             a->item.fetched, b->item.fetched, a->fetched_before,
             b->fetched_before, a->win_sent_before, b->win_sent_before,
             a->stale, b->stale, a->won, b->won, a->vivified, b->vivified);
    }
}

/* A CAS for meta's C and E options: none, the slot's last, or small. */
static uint64_t
draw_meta_cas(struct run *r, unsigned slot)
{
    switch (rng_below(&r->rng, 4)) {
    case 0:
    case 1:
        return 0;
    case 2:
        return r->last_cas[slot];
    default:
        return rng_below(&r->rng, 5) + (chance(&r->rng, 50) ? 0 : 1000);
    }
}

#define WALK_MAX 4096

struct walk {
    struct store_walk_entry e[WALK_MAX];
    uint8_t keys[WALK_MAX][8];
    size_t count;
};

static void
collect(void *ctx, const struct store_walk_entry *e)
{
    struct walk *w = ctx;
    if (w->count < WALK_MAX) {
        w->e[w->count] = *e;
        /* Keep a prefix of the key: the pointer dies with the next call. */
        memset(w->keys[w->count], 0, 8);
        if (!e->gap) {
            memcpy(w->keys[w->count], e->key, e->key_len < 8 ? e->key_len : 8);
        }
    }
    w->count++;
}

static struct walk walk_store;
static struct walk walk_model;

static bool dump_on_failure;

/* With --verbose, both layouts when they differ. */
static void
dump_walks(void)
{
    for (size_t i = 0; dump_on_failure && i < walk_store.count &&
                       i < WALK_MAX;
         i++) {
        const struct store_walk_entry *x = &walk_store.e[i];
        const struct store_walk_entry *y = &walk_model.e[i];
        fprintf(stderr,
                "  %3zu store %6" PRIu64 "@%-6" PRIu64 " %4" PRIu64
                " g%d l%d | model %6" PRIu64 "@%-6" PRIu64 " %4" PRIu64
                " g%d l%d\n",
                i, x->pos, x->phys, x->size, x->gap, x->live, y->pos, y->phys,
                y->size, y->gap, y->live);
    }
}

static void
compare_state(struct run *r)
{
    store_check(r->store);
    struct store_stats a;
    struct store_stats b;
    store_stats(r->store, &a);
    model_stats(r->model, &b);
#define COMPARE_STAT(name)                                                    \
    if (a.name != b.name) {                                                   \
        FAIL(r, "stat %s: store %" PRIu64 ", model %" PRIu64, #name, a.name,   \
             b.name);                                                         \
    }
    STORE_STATS_FIELDS(COMPARE_STAT)
#undef COMPARE_STAT
    struct store_info info;
    store_info(r->store, &info);
    uint64_t cap;
    uint64_t held;
    model_memory(r->model, &cap, &held);
    if (info.log_cap != cap || info.log_held != held) {
        FAIL(r, "memory: store cap %" PRIu64 " held %" PRIu64 ", model cap %"
             PRIu64 " held %" PRIu64, info.log_cap, info.log_held, cap, held);
    }
    walk_store.count = 0;
    walk_model.count = 0;
    store_walk(r->store, collect, &walk_store);
    model_walk(r->model, collect, &walk_model);
    if (walk_store.count != walk_model.count) {
        FAIL(r, "log holds %zu records in the store, %zu in the model",
             walk_store.count, walk_model.count);
        return;
    }
    for (size_t i = 0; i < walk_store.count && i < WALK_MAX; i++) {
        const struct store_walk_entry *x = &walk_store.e[i];
        const struct store_walk_entry *y = &walk_model.e[i];
        if (x->pos != y->pos || x->phys != y->phys || x->size != y->size ||
            x->gap != y->gap ||
            x->live != y->live || x->fetched != y->fetched ||
            x->active != y->active || x->key_len != y->key_len ||
            memcmp(walk_store.keys[i], walk_model.keys[i], 8) != 0) {
            FAIL(r,
                 "record %zu differs: store pos %" PRIu64 " at %" PRIu64
                 " size %" PRIu64 " gap %d live %d fetched %d active %d; "
                 "model pos %" PRIu64 " at %" PRIu64 " size %" PRIu64
                 " gap %d live %d fetched %d active %d",
                 i, x->pos, x->phys, x->size, x->gap, x->live, x->fetched,
                 x->active, y->pos, y->phys, y->size, y->gap, y->live,
                 y->fetched, y->active);
            dump_walks();
            return;
        }
    }
}

/* ---- operations ---------------------------------------------------------- */

static const char *const mode_names[] = {"set", "add", "replace",
                                         "append", "prepend", "cas"};

/*
 * [mem.elastic]'s guarantee, checked apart from the model (which follows the
 * same heuristics and would evict alike): with eviction on and every item
 * at most a 64th of -m, a write that finds the live bytes and itself at
 * most half of -m evicts nothing. The write's size is bounded by the
 * largest record the configuration allows.
 */
static bool
guarantee_holds(const struct run *r, uint64_t bytes)
{
    uint64_t record_max = 64 + 250 + (uint64_t)r->cfg.value_len_max;
    return r->cfg.evict && record_max <= r->cfg.mem_limit / 64 &&
           2 * (bytes + record_max) <= r->cfg.mem_limit;
}

static void
check_no_eviction(struct run *r, const struct store_stats *before)
{
    struct store_stats after;
    store_stats(r->store, &after);
    if (!guarantee_holds(r, before->bytes)) {
        return;
    }
    r->guarded++;
    if (before->bytes > r->guarded_bytes_max) {
        r->guarded_bytes_max = before->bytes;
    }
    if (after.evictions > before->evictions) {
        FAIL(r, "[mem.elastic] evicted with %" PRIu64 " live bytes of %" PRIu64
                " (-m)", before->bytes, r->cfg.mem_limit);
    }
}

static void step_body(struct run *r);

static void
step(struct run *r)
{
    struct store_stats before;
    store_stats(r->store, &before);
    step_body(r);
    check_no_eviction(r, &before);
    compare_state(r);
}

static void
step_body(struct run *r)
{
    static uint8_t key[256];
    static uint8_t value[8192];
    unsigned slot;
    size_t key_len = draw_key(r, key, &slot);
    advance_time(r);
    unsigned pick = (unsigned)rng_below(&r->rng, 100);
    enum store_status sa;
    enum store_status sb;
    if (pick < 30 || pick == 99) {
        struct store_item a;
        struct store_item b;
        if (chance(&r->rng, 40)) {
            /* [meta.mg-flags]: a fetch with random meta options. */
            struct store_fetch_opts o = {
                .no_bump = chance(&r->rng, 20),
                .peek = chance(&r->rng, 10),
                .touch = chance(&r->rng, 20),
                .exptime = draw_exptime(r),
                .vivify = chance(&r->rng, 25),
                .vivify_exptime = draw_exptime(r),
                .recache = chance(&r->rng, 25),
                .recache_s = (uint32_t)rng_below(&r->rng, 40),
                .recache_first = chance(&r->rng, 50),
                .new_cas = chance(&r->rng, 10) ? draw_meta_cas(r, slot) : 0,
                .key_binary = chance(&r->rng, 20),
            };
            struct store_fetch_result fa;
            struct store_fetch_result fb;
            snprintf(r->op, sizeof r->op,
                     "fetch key%u u%d p%d T%d:%d N%d:%d R%d:%u at %u", slot,
                     o.no_bump, o.peek, o.touch, o.exptime, o.vivify,
                     o.vivify_exptime, o.recache, o.recache_s, r->now);
            sa = store_fetch(r->store, r->now, key, key_len, &o, &fa);
            sb = model_fetch(r->model, r->now, key, key_len, &o, &fb);
            if (sa == sb && sa == STORE_OK) {
                compare_fetches(r, &fa, &fb);
                r->last_cas[slot] = fa.item.cas;
            }
        } else {
            snprintf(r->op, sizeof r->op, "get key%u at %u", slot, r->now);
            sa = store_get(r->store, r->now, key, key_len, &a);
            sb = model_get(r->model, r->now, key, key_len, &b);
            if (sa == sb && sa == STORE_OK) {
                compare_views(r, &a, &b);
                r->last_cas[slot] = a.cas;
            }
        }
    } else if (pick < 65) {
        enum store_mode mode = (enum store_mode)rng_below(&r->rng, 6);
        size_t value_len = draw_value(r, value);
        uint32_t flags = chance(&r->rng, 70) ? 0 : (uint32_t)rng_next(&r->rng);
        int32_t exptime = draw_exptime(r);
        uint64_t unique = chance(&r->rng, 60) ? r->last_cas[slot]
                                              : rng_below(&r->rng, 5);
        const uint8_t *v = value_len > r->cfg.value_len_max &&
                                   chance(&r->rng, 50)
                               ? NULL
                               : value;
        snprintf(r->op, sizeof r->op,
                 "%s key%u len %zu flags %u exptime %d cas %" PRIu64 " at %u",
                 mode_names[mode], slot, value_len, flags, exptime, unique,
                 r->now);
        uint64_t ca = 0;
        uint64_t cb = 0;
        struct store_put_opts o = {0};
        if (chance(&r->rng, 40)) {
            o.compare = chance(&r->rng, 50);
            o.compare_cas = draw_meta_cas(r, slot);
            o.new_cas = chance(&r->rng, 15) ? draw_meta_cas(r, slot) : 0;
            o.invalidate = chance(&r->rng, 30);
            o.vivify = chance(&r->rng, 30);
            o.vivify_exptime = draw_exptime(r);
            o.key_binary = chance(&r->rng, 20);
            size_t at = strlen(r->op);
            snprintf(r->op + at, sizeof r->op - at,
                     " C%" PRIu64 " E%" PRIu64 " I%d N%d:%d", o.compare_cas,
                     o.new_cas, o.invalidate, o.vivify, o.vivify_exptime);
        }
        sa = store_put_opts(r->store, r->now, mode, key, key_len, flags,
                            exptime, v, value_len, unique, &o, &ca);
        sb = model_put_opts(r->model, r->now, mode, key, key_len, flags,
                            exptime, v, value_len, unique, &o, &cb);
        if (sa == sb && sa == STORE_OK && ca != cb) {
            FAIL(r, "new cas differs: %" PRIu64 " / %" PRIu64, ca, cb);
        }
    } else if (pick < 72) {
        int32_t exptime = draw_exptime(r);
        struct store_item a;
        struct store_item b;
        bool want_view = chance(&r->rng, 50);
        snprintf(r->op, sizeof r->op, "touch key%u %d at %u", slot, exptime,
                 r->now);
        sa = store_touch(r->store, r->now, key, key_len, exptime,
                         want_view ? &a : NULL);
        sb = model_touch(r->model, r->now, key, key_len, exptime,
                         want_view ? &b : NULL);
        if (sa == sb && sa == STORE_OK && want_view) {
            compare_views(r, &a, &b);
        }
    } else if (pick < 79) {
        if (chance(&r->rng, 50)) {
            struct store_delete_opts o = {
                .compare = chance(&r->rng, 50),
                .compare_cas = draw_meta_cas(r, slot),
                .new_cas = chance(&r->rng, 15) ? draw_meta_cas(r, slot) : 0,
                .invalidate = chance(&r->rng, 50),
                .clear_value = chance(&r->rng, 25),
                .touch = chance(&r->rng, 30),
                .exptime = draw_exptime(r),
            };
            snprintf(r->op, sizeof r->op,
                     "delete key%u C%" PRIu64 " E%" PRIu64
                     " I%d x%d T%d:%d at %u",
                     slot, o.compare_cas, o.new_cas, o.invalidate,
                     o.clear_value, o.touch, o.exptime, r->now);
            sa = store_delete_opts(r->store, r->now, key, key_len, &o);
            sb = model_delete_opts(r->model, r->now, key, key_len, &o);
        } else {
            snprintf(r->op, sizeof r->op, "delete key%u at %u", slot, r->now);
            sa = store_delete(r->store, r->now, key, key_len);
            sb = model_delete(r->model, r->now, key, key_len);
        }
    } else if (pick < 97) {
        bool incr = chance(&r->rng, 50);
        static const uint64_t deltas[] = {0, 1, 2, 9, 10, 100, UINT64_MAX,
                                          UINT64_MAX - 1};
        uint64_t delta = deltas[rng_below(&r->rng, 8)];
        snprintf(r->op, sizeof r->op, "%s key%u %" PRIu64 " at %u",
                 incr ? "incr" : "decr", slot, delta, r->now);
        uint64_t va = 0;
        uint64_t vb = 0;
        struct store_arith_opts o = {0};
        if (chance(&r->rng, 40)) {
            o.compare = chance(&r->rng, 50);
            o.compare_cas = draw_meta_cas(r, slot);
            o.new_cas = chance(&r->rng, 15) ? draw_meta_cas(r, slot) : 0;
            o.vivify = chance(&r->rng, 40);
            o.vivify_exptime = draw_exptime(r);
            o.initial = deltas[rng_below(&r->rng, 8)];
            o.touch = chance(&r->rng, 30);
            o.exptime = draw_exptime(r);
            o.key_binary = chance(&r->rng, 20);
            size_t at = strlen(r->op);
            snprintf(r->op + at, sizeof r->op - at,
                     " C%" PRIu64 " E%" PRIu64 " N%d:%d J%" PRIu64 " T%d:%d",
                     o.compare_cas, o.new_cas, o.vivify, o.vivify_exptime,
                     o.initial, o.touch, o.exptime);
        }
        struct store_item ia;
        struct store_item ib;
        bool ca = false;
        bool cb = false;
        sa = store_arith_opts(r->store, r->now, key, key_len, incr, delta, &o,
                              &va, &ia, &ca);
        sb = model_arith_opts(r->model, r->now, key, key_len, incr, delta, &o,
                              &vb, &ib, &cb);
        if (sa == sb && sa == STORE_OK) {
            if (va != vb || ca != cb) {
                FAIL(r, "arith results differ: %" PRIu64 " / %" PRIu64, va,
                     vb);
            }
            compare_views(r, &ia, &ib);
        }
    } else if (pick < 98 && chance(&r->rng, 50)) {
        snprintf(r->op, sizeof r->op, "tick at %u", r->now);
        bool ta = store_tick(r->store, r->now);
        bool tb = model_tick(r->model, r->now);
        if (ta != tb) {
            FAIL(r, "tick: store %d, model %d", ta, tb);
        }
        sa = sb = STORE_OK;
    } else if (pick < 98) {
        int32_t delay = chance(&r->rng, 40) ? 0 : draw_exptime(r);
        snprintf(r->op, sizeof r->op, "flush_all %d at %u", delay, r->now);
        store_flush(r->store, r->now, delay);
        model_flush(r->model, r->now, delay);
        sa = sb = STORE_OK;
    } else {
        snprintf(r->op, sizeof r->op, "stats reset");
        add_counters(&r->total, r->store);
        store_stats_reset(r->store);
        model_stats_reset(r->model);
        sa = sb = STORE_OK;
    }
    if (sa != sb) {
        FAIL(r, "status: store %d, model %d", sa, sb);
    }
}

/* The share of runs drawn large (big_config), and their operations per
 * --ops operation and per 16 MiB of -m. */
#define BIG_RUNS_PERCENT 3
#define BIG_OPS_PER_OP 12

/*
 * A share of runs at -m 16-64 MiB with values up to 2 KiB, where the
 * guarantee above is met often (its precondition is rare in the small logs
 * above), in the shape that breaks a store without it (scaled from
 * test_store's test_elastic_no_eviction_below_half_limit): a cold run of
 * new keys written first (14-28% of -m, more than the credit saved), then
 * cycles of a hot set rewritten over it (the sparse laps behind the cold
 * run, some items expiring), a burst of new keys, the newest half of them
 * deleted, the hot set again; one tick and one second per 1000 steps. Near
 * half of -m the newest keys are deleted instead of writing. The model is
 * left out (its log is an array, too slow at this size); the store is
 * checked by store_check and by the oracle after every step.
 */
static void
big_config(struct run *r)
{
    static const uint64_t mems[] = {16u << 20, 16u << 20, 32u << 20, 64u << 20};
    r->cfg.mem_limit = mems[rng_below(&r->rng, 4)];
    r->cfg.value_len_max = 2048;
    r->cfg.evict = true;
    unsigned scale = (unsigned)(r->cfg.mem_limit >> 24); /* per 16 MiB */
    r->key_space = scale * (2250 + (unsigned)rng_below(&r->rng, 2250));
    r->hot_keys = 500 + (unsigned)rng_below(&r->rng, 2000);
    r->burst = scale * (1250 + (unsigned)rng_below(&r->rng, 3750));
    r->cycle = scale * 15000 + r->burst + r->burst / 2;
}

static void
big_step(struct run *r)
{
    static uint8_t value[2048];
    char key[32];
    struct store_stats before;
    store_stats(r->store, &before);
    uint64_t at = r->step < r->key_space ? 0 : (r->step - r->key_space) %
                                                   r->cycle;
    uint64_t hot_a = (r->cycle - r->burst - r->burst / 2) * 2 / 3;
    size_t len = 500 + (size_t)rng_below(&r->rng, 1001);
    int32_t exptime = 0;
    bool set = true;
    unsigned k;
    if (before.bytes + len + 64 > r->cfg.mem_limit / 2) {
        /* Stay under half of -m: the newest key goes instead. */
        k = r->new_keys > 0 ? r->key_space + r->hot_keys + --r->new_keys
                            : (unsigned)rng_below(&r->rng, r->key_space);
        set = false;
    } else if (r->step < r->key_space) {
        k = (unsigned)r->step; /* the cold run */
    } else if (at >= hot_a && at < hot_a + r->burst) {
        k = r->key_space + r->hot_keys + r->new_keys++; /* the burst */
        len = 100 + (size_t)rng_below(&r->rng, 1901);
    } else if (at >= hot_a + r->burst && at < hot_a + r->burst + r->burst / 2 &&
               r->new_keys > 0) {
        k = r->key_space + r->hot_keys + --r->new_keys; /* the newest go */
        set = false;
    } else {
        k = r->key_space + (unsigned)rng_below(&r->rng, r->hot_keys);
        exptime = chance(&r->rng, 5) ? 3 : 0;
    }
    size_t key_len = (size_t)snprintf(key, sizeof key, "key%u", k);
    if (set) {
        memset(value, 'a' + (int)(k % 26), len);
        snprintf(r->op, sizeof r->op, "set key%u len %zu exptime %d at %u",
                 k, len, exptime, r->now);
        if (store_put(r->store, r->now, STORE_SET, (const uint8_t *)key,
                      key_len, 0, exptime, value, len, 0, NULL) != STORE_OK) {
            FAIL(r, "set refused");
        }
    } else {
        snprintf(r->op, sizeof r->op, "delete key%u at %u", k, r->now);
        (void)store_delete(r->store, r->now, (const uint8_t *)key, key_len);
    }
    check_no_eviction(r, &before);
    if (r->step % 1000 == 999) {
        r->now++;
        snprintf(r->op, sizeof r->op, "tick at %u", r->now);
        store_stats(r->store, &before);
        (void)store_tick(r->store, r->now);
        check_no_eviction(r, &before);
    }
    if (r->step % 8192 == 0) {
        store_check(r->store);
    }
}

static struct store_stats grand_total;


static bool
run_seed(uint64_t seed, uint64_t ops, bool verbose)
{
    struct run r = {.rng = seed};
    draw_config(&r);
    /* Drawn apart from the run's stream, so other seeds keep their runs. */
    uint64_t big_pick = seed ^ 0x5bd1e995u;
    bool big = rng_below(&big_pick, 100) < BIG_RUNS_PERCENT;
    if (big) {
        big_config(&r);
    }
    uint64_t steps = big ? ops * BIG_OPS_PER_OP * (r.cfg.mem_limit >> 24)
                         : ops;
    r.store = store_create(&r.cfg);
    r.model = big ? NULL : model_create(&r.cfg);
    if (r.store == NULL || (!big && r.model == NULL)) {
        fprintf(stderr, "seed %" PRIu64 ": cannot create (mem %" PRIu64 ")\n",
                seed, r.cfg.mem_limit);
        return false;
    }
    r.steps = steps;
    for (r.step = 0; r.step < steps && !r.failed; r.step++) {
        if (big) {
            big_step(&r);
        } else {
            step(&r);
        }
    }
    store_check(r.store);
    add_counters(&r.total, r.store);
    const struct store_stats *st = &r.total;
    grand_total.evictions += st->evictions;
    grand_total.moves += st->moves;
    grand_total.reclaimed += st->reclaimed;
    grand_total.no_memory += st->no_memory;
    if (verbose || r.failed) {
        fprintf(stderr,
                "seed %" PRIu64 ": %s%s (mem %" PRIu64 " value max %u evict %d "
                "cas %d keys %u) evictions %" PRIu64 " moves %" PRIu64
                " reclaimed %" PRIu64 " no-memory %" PRIu64 "\n",
                seed, r.failed ? "FAILED" : "ok", big ? " big" : "",
                r.cfg.mem_limit,
                r.cfg.value_len_max, r.cfg.evict, r.cfg.cas_enabled,
                r.key_space, st->evictions, st->moves, st->reclaimed,
                st->no_memory);
        fprintf(stderr, "  guarded steps %" PRIu64 ", live bytes up to %"
                        PRIu64 "\n", r.guarded, r.guarded_bytes_max);
    }
    if (r.failed) {
        fprintf(stderr, "  replay: prop_store --seed %" PRIu64 " --ops %" PRIu64
                        "\n",
                seed, ops);
    }
    store_destroy(&r.store);
    model_destroy(&r.model);
    return !r.failed;
}

int
main(int argc, char **argv)
{
    uint64_t seed = (uint64_t)time(NULL);
    uint64_t runs = 200;
    uint64_t ops = 2000;
    double seconds = 0;
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 10);
            runs = 1;
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--ops") == 0 && i + 1 < argc) {
            ops = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            seconds = strtod(argv[++i], NULL);
        } else if (strcmp(argv[i], "--verbose") == 0) {
            verbose = true;
            dump_on_failure = true;
        } else {
            fprintf(stderr,
                    "usage: prop_store [--seed S] [--runs N] [--ops N] "
                    "[--seconds T] [--verbose]\n");
            return 2;
        }
    }
    printf("prop_store: first seed %" PRIu64 ", %" PRIu64 " ops per run\n",
           seed, ops);
    uint64_t passed = 0;
    uint64_t failed = 0;
    clock_t start = clock();
    for (uint64_t i = 0;; i++) {
        if (seconds > 0) {
            if ((double)(clock() - start) / CLOCKS_PER_SEC >= seconds) {
                break;
            }
        } else if (i >= runs) {
            break;
        }
        if (run_seed(seed + i, ops, verbose)) {
            passed++;
        } else {
            failed++;
        }
    }
    printf("prop_store: %" PRIu64 " runs; evictions %" PRIu64 ", moves %" PRIu64
           ", reclaimed %" PRIu64 ", no-memory %" PRIu64 "\n",
           passed + failed, grand_total.evictions, grand_total.moves,
           grand_total.reclaimed, grand_total.no_memory);
    printf("%" PRIu64 " passed, %" PRIu64 " failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
