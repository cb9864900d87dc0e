/*
 * bench_work.c - requests and reply accounting of each phase; see
 * bench_work.h.
 */
#include "bench_work.h"

#include <assert.h>
#include <string.h>

#include "bench_limits.h"
#include "bench_req.h"
#include "bench_sys.h"

/* "VALUE " key " " flags(u32) " " bytes(u64) "\r\n" ... "\r\n" */
#define VALUE_HEAD_EXTRA (6 + 1 + 10 + 1 + BENCH_KEY_DIGITS_MAX + 2)

/* Ids that key_len bytes can spell, capped so the count fits anywhere. */
static uint64_t
seq_capacity(size_t key_len)
{
    uint64_t cap = 1;
    for (size_t d = BENCH_KEY_PREFIX_LEN; d < key_len; d++) {
        if (cap >= BENCH_REQUESTS_MAX / 10) {
            return BENCH_REQUESTS_MAX;
        }
        cap *= 10;
    }
    return cap;
}

void
bench_work_init(struct bench_work *w, enum bench_phase phase,
                const struct bench_opts *opts,
                const struct bench_keyspace *ks, const uint8_t *value,
                struct bench_hist *hist)
{
    memset(w, 0, sizeof(*w));
    w->phase = phase;
    w->opts = opts;
    w->ks = ks;
    w->value = value;
    w->hist = hist;
    bench_hist_init(hist);
    w->seq_limit = phase == BENCH_PHASE_FILL ? seq_capacity(ks->key_len)
                                             : ks->key_count;
}

void
bench_work_set_pending(struct bench_work *w, uint64_t *ids, size_t cap)
{
    w->pending = ids;
    w->pending_cap = cap;
    w->pending_head = 0;
    w->pending_count = 0;
}

bool
bench_work_meta_quiet(const struct bench_opts *o)
{
    return o->protocol == BENCH_PROTO_META && o->pipeline > 1;
}

size_t
bench_work_req_len_max(const struct bench_opts *o)
{
    size_t get = bench_req_get_len(o->key_len, o->mget);
    size_t set = bench_req_set_len_max(o->key_len, o->value_len);
    size_t len = get > set ? get : set;
    if (o->protocol == BENCH_PROTO_META) {
        /* The warm-up still sends text sets: the longest of both. */
        bool quiet = bench_work_meta_quiet(o);
        size_t noop = quiet ? strlen(BENCH_REQ_META_NOOP) : 0;
        size_t mg = bench_req_mg_len(o->key_len, quiet) + noop;
        size_t ms = bench_req_ms_len_max(o->key_len, o->value_len) + noop;
        len = len > mg ? len : mg;
        len = len > ms ? len : ms;
    }
    if (o->protocol == BENCH_PROTO_BINARY) {
        size_t bin_get = bench_req_bin_get_len(o->key_len);
        size_t bin_set = bench_req_bin_set_len(o->key_len, o->value_len);
        len = len > bin_get ? len : bin_get;
        len = len > bin_set ? len : bin_set;
    }
    size_t fixed = sizeof(BENCH_REQ_VERSION) > sizeof(BENCH_REQ_STATS)
                       ? sizeof(BENCH_REQ_VERSION)
                       : sizeof(BENCH_REQ_STATS);
    return len > fixed ? len : fixed;
}

static size_t
reply_len(const struct bench_opts *o, size_t value_len)
{
    size_t get = o->mget * (VALUE_HEAD_EXTRA + o->key_len + value_len + 2)
                 + 5;
    size_t len = get > BENCH_REPLY_LINE_MAX ? get : BENCH_REPLY_LINE_MAX;
    if (o->mode == BENCH_MODE_FILL && len < BENCH_STATS_REPLY_MAX) {
        len = BENCH_STATS_REPLY_MAX;
    }
    return len;
}

size_t
bench_work_reply_len_typical(const struct bench_opts *o)
{
    return reply_len(o, o->value_len);
}

size_t
bench_work_reply_len_max(const struct bench_opts *o)
{
    return reply_len(o, BENCH_VALUE_LEN_MAX);
}

static size_t
compose_set(struct bench_work *w, uint64_t id, struct bench_slot *slot,
            uint8_t *out, size_t cap)
{
    size_t key_len = w->ks->key_len;
    bench_key_format(id, key_len, slot->keys);
    slot->op = BENCH_OP_SET;
    slot->key_count = 1;
    slot->key_id = id;
    if (w->opts->protocol == BENCH_PROTO_BINARY) {
        /* Warm-up too: the connection speaks binary from its first byte. */
        return bench_req_bin_set(out, cap, slot->keys, key_len, w->value,
                                 w->opts->value_len);
    }
    if (w->phase == BENCH_PHASE_LOAD && w->opts->protocol == BENCH_PROTO_META) {
        return bench_req_ms(out, cap, slot->keys, key_len, w->value,
                            w->opts->value_len,
                            bench_work_meta_quiet(w->opts));
    }
    return bench_req_set(out, cap, slot->keys, key_len, w->value,
                         w->opts->value_len);
}

static size_t
compose_get(struct bench_work *w, struct bench_prng *r,
            struct bench_slot *slot, uint8_t *out, size_t cap)
{
    size_t key_len = w->ks->key_len;
    size_t key_count = w->opts->mget;
    for (size_t i = 0; i < key_count; i++) {
        uint64_t id = bench_keyspace_pick(w->ks, r);
        bench_key_format(id, key_len, slot->keys + i * key_len);
        slot->key_id = id;
    }
    slot->op = BENCH_OP_GET;
    slot->key_count = (uint32_t)key_count;
    w->gets_issued++;
    if (w->opts->protocol == BENCH_PROTO_BINARY) {
        assert(key_count == 1);
        return bench_req_bin_get(out, cap, slot->keys, key_len);
    }
    if (w->opts->protocol == BENCH_PROTO_META) {
        assert(key_count == 1);
        return bench_req_mg(out, cap, slot->keys, key_len,
                            bench_work_meta_quiet(w->opts));
    }
    return bench_req_get(out, cap, slot->keys, key_len, key_count);
}

/* The measured mix: a get with probability G / (G + S), else a set. */
static size_t
compose_load(struct bench_work *w, struct bench_prng *r,
             struct bench_slot *slot, uint8_t *out, size_t cap)
{
    const struct bench_opts *o = w->opts;
    if (o->cache_aside) {
        if (w->pending_count > 0) {
            uint64_t id = w->pending[w->pending_head];
            w->pending_head = (w->pending_head + 1) % w->pending_cap;
            w->pending_count--;
            return compose_set(w, id, slot, out, cap);
        }
        return compose_get(w, r, slot, out, cap);
    }
    uint64_t draw = bench_prng_below(r, o->get_part + o->set_part);
    if (draw < o->get_part) {
        return compose_get(w, r, slot, out, cap);
    }
    return compose_set(w, bench_keyspace_pick(w->ks, r), slot, out, cap);
}

/* New keys in order, with a `stats` every BENCH_FILL_CHECK_EVERY sets. */
static size_t
compose_fill(struct bench_work *w, struct bench_slot *slot, uint8_t *out,
             size_t cap)
{
    if (w->sets_since_stats >= BENCH_FILL_CHECK_EVERY) {
        w->sets_since_stats = 0;
        slot->op = BENCH_OP_STATS;
        slot->key_count = 0;
        return bench_req_literal(out, cap, BENCH_REQ_STATS);
    }
    w->sets_since_stats++;
    return compose_set(w, w->seq_next++, slot, out, cap);
}

static bool
phase_exhausted(const struct bench_work *w)
{
    switch (w->phase) {
    case BENCH_PHASE_LOAD:
        if (w->opts->cache_aside) {
            /* -n counts the gets; the sets of their misses still go. */
            return w->opts->requests != 0
                   && w->gets_issued >= w->opts->requests
                   && w->pending_count == 0;
        }
        return w->opts->requests != 0 && w->issued >= w->opts->requests;
    case BENCH_PHASE_WARMUP:
        return w->seq_next >= w->seq_limit;
    case BENCH_PHASE_FILL:
        /* A refused set (e.g. memcached -M: out of memory, no eviction)
           ends the fill: evictions will not come. */
        return w->fill.evicted || w->fill.stats_bad
               || w->seq_next >= w->seq_limit || bench_work_errors(w) > 0;
    }
    return true;
}

bool
bench_work_next(struct bench_work *w, struct bench_prng *r,
                struct bench_slot *slot, uint8_t *out, size_t cap,
                size_t *len)
{
    assert(cap >= bench_work_req_len_max(w->opts));
    if (w->exhausted || phase_exhausted(w)) {
        w->exhausted = true;
        return false;
    }
    switch (w->phase) {
    case BENCH_PHASE_LOAD:
        *len = compose_load(w, r, slot, out, cap);
        break;
    case BENCH_PHASE_WARMUP:
        *len = compose_set(w, w->seq_next++, slot, out, cap);
        break;
    case BENCH_PHASE_FILL:
        *len = compose_fill(w, slot, out, cap);
        break;
    }
    assert(*len > 0 && *len <= cap);
    w->issued++;
    return true;
}

void
bench_work_expect(const struct bench_work *w, const struct bench_slot *slot,
                  struct bench_reply_expect *exp)
{
    memset(exp, 0, sizeof(*exp));
    if (w->opts->protocol == BENCH_PROTO_BINARY
        && (slot->op == BENCH_OP_GET || slot->op == BENCH_OP_SET)) {
        exp->kind = slot->op == BENCH_OP_GET ? BENCH_REPLY_BIN_GET
                                             : BENCH_REPLY_BIN_SET;
        exp->keys = slot->keys;
        exp->key_len = w->ks->key_len;
        exp->key_count = 1;
        exp->value_len_max = BENCH_VALUE_LEN_MAX;
        return;
    }
    if (w->phase == BENCH_PHASE_LOAD && w->opts->protocol == BENCH_PROTO_META
        && (slot->op == BENCH_OP_GET || slot->op == BENCH_OP_SET)) {
        exp->kind = slot->op == BENCH_OP_GET ? BENCH_REPLY_META_GET
                                             : BENCH_REPLY_META_SET;
        exp->keys = slot->keys;
        exp->key_len = w->ks->key_len;
        exp->key_count = 1;
        exp->value_len_max = BENCH_VALUE_LEN_MAX;
        exp->quiet = bench_work_meta_quiet(w->opts);
        exp->noop_after = slot->noop_after;
        return;
    }
    switch (slot->op) {
    case BENCH_OP_GET:
        exp->kind = BENCH_REPLY_GET;
        exp->keys = slot->keys;
        exp->key_len = w->ks->key_len;
        exp->key_count = slot->key_count;
        exp->value_len_max = BENCH_VALUE_LEN_MAX;
        break;
    case BENCH_OP_SET:
        exp->kind = BENCH_REPLY_STORE;
        break;
    case BENCH_OP_STATS:
        exp->kind = BENCH_REPLY_STATS;
        break;
    case BENCH_OP_VERSION:
        exp->kind = BENCH_REPLY_VERSION;
        break;
    }
}

/* The fill's check: remember the last figures taken before any eviction. */
static void
account_stats(struct bench_work *w, const struct bench_reply *rep,
              const uint8_t *data)
{
    const uint8_t *body = data + rep->body_off;
    uint64_t items, evictions;
    if (!bench_reply_stat_u64(body, rep->body_len, "curr_items", &items)
        || !bench_reply_stat_u64(body, rep->body_len, "evictions",
                                 &evictions)) {
        w->fill.stats_bad = true;
        w->counts.unexpected++;
        return;
    }
    w->counts.stats++;
    if (w->fill.evicted) {
        return;
    }
    if (evictions > 0) {
        w->fill.evicted = true;
        w->fill.evictions = evictions;
        return;
    }
    w->fill.have_items = true;
    w->fill.items = items;
    w->fill.have_rss = w->opts->server_pid > 0
                       && bench_sys_rss_bytes(w->opts->server_pid,
                                              &w->fill.rss_bytes);
}

void
bench_work_reply(struct bench_work *w, const struct bench_slot *slot,
                 enum bench_reply_status status,
                 const struct bench_reply *rep, const uint8_t *data,
                 uint64_t now_ns)
{
    assert(status != BENCH_REPLY_AGAIN);
    w->counts.last_reply_ns = now_ns;
    if (status == BENCH_REPLY_SERVER_ERROR) {
        w->counts.server_errors++;
        return;
    }
    if (status == BENCH_REPLY_UNEXPECTED) {
        w->counts.unexpected++;
        return;
    }
    if (status == BENCH_REPLY_BROKEN) {
        w->counts.broken++;
        return;
    }
    switch (slot->op) {
    case BENCH_OP_GET:
        w->counts.gets++;
        w->counts.get_keys += slot->key_count;
        w->counts.hits += rep->hit_count;
        if (w->opts->cache_aside && w->phase == BENCH_PHASE_LOAD
            && rep->hit_count == 0) {
            /* Each pending id came from a reply, which freed its
               request's place: pending + in flight <= their bound. */
            assert(w->pending_count < w->pending_cap);
            size_t tail = (w->pending_head + w->pending_count)
                          % w->pending_cap;
            w->pending[tail] = slot->key_id;
            w->pending_count++;
        }
        break;
    case BENCH_OP_SET:
        w->counts.sets++;
        if (w->opts->cache_aside && w->phase == BENCH_PHASE_LOAD) {
            w->counts.aside_sets++;
        }
        break;
    case BENCH_OP_STATS:
        account_stats(w, rep, data);
        return;
    case BENCH_OP_VERSION:
        assert(0 && "the driver answers version itself");
        return;
    }
    /* The clamp only guards against a caller passing an older now_ns. */
    uint64_t start = slot->start_ns;
    bench_hist_record(w->hist, now_ns > start ? now_ns - start : 0);
}

void
bench_work_lost(struct bench_work *w, const struct bench_slot *slot)
{
    (void)slot;
    w->counts.lost++;
}

uint64_t
bench_work_errors(const struct bench_work *w)
{
    const struct bench_counts *c = &w->counts;
    return c->server_errors + c->unexpected + c->broken + c->lost;
}
