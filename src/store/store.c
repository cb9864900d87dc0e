/*
 * store.c - item operations over the log and the index.
 *
 * Every public operation begins with begin_op(): it checks the time, fires a
 * delayed flush that is due, and moves a few buckets of a pending index
 * resize. Writes go through make_room(), which with store_tick() is the only
 * place records are dropped, reclaimed, moved or evicted ([mem.make-room]);
 * every append goes through append(). The log's cap follows the live bytes
 * ([mem.elastic]): grown when a lap ends densely filled or on a live run,
 * shrunk when a lap ends mostly empty; writes compact ahead of need to keep
 * a reserve, so that no live run at the tail is evicted below -m.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "../common/decimal.h"
#include "../common/limits.h"
#include "exptime.h"
#include "index.h"
#include "log.h"
#include "record.h"
#include "store_private.h"

enum { INDEX_SIZE_LOG2_DEFAULT = 16 };

/* The marks a rewrite of the same item (touch, incr) carries over. */
#define KEEP_MARKS \
    (REC_FETCHED | REC_ACTIVE | REC_STALE | REC_WIN_SENT | REC_KEY_BINARY)

/* ---- records ----------------------------------------------------------- */

static uint8_t *
rec_at(const struct store *s, uint32_t ref)
{
    return log_ptr(&s->log, ref);
}

static void
decode(const struct store *s, uint32_t ref, struct record *r)
{
    record_decode(rec_at(s, ref), s->cfg.cas_enabled, s->log.align, r);
}

static uint64_t
rec_cas(const struct store *s, uint32_t ref)
{
    return s->cfg.cas_enabled ? rec_load64(rec_at(s, ref) + REC_OFF_CAS) : 0;
}

static uint64_t
next_cas(struct store *s)
{
    return s->cfg.cas_enabled ? ++s->cas_last : 0;
}

static uint64_t
hash_of(const struct store *s, const uint8_t *key, size_t key_len)
{
    return index_hash(&s->index, key, key_len);
}

static uint64_t
hash_of_record(const struct store *s, uint32_t ref, const struct record *r)
{
    return hash_of(s, rec_at(s, ref) + r->key_off, r->key_len);
}

static bool
is_flushed(const struct store *s, uint32_t ref)
{
    /* Fast path: nothing left in the log predates the last flush. */
    if (s->flush_abs <= s->log.tail_abs) {
        return false;
    }
    return log_abs_of(&s->log, ref) < s->flush_abs;
}

/* ---- the log's cap ([mem.elastic]) --------------------------------------- */

static bool
elastic(const struct store *s)
{
    return s->cap_min < s->log.limit;
}

static uint64_t
cap_round(const struct store *s, uint64_t n)
{
    uint64_t c = (n + s->cap_step - 1) / s->cap_step * s->cap_step;
    if (c < s->cap_min) {
        c = s->cap_min;
    }
    return c > s->log.limit ? s->log.limit : c / s->log.align * s->log.align;
}

/* Whether live bytes (n more to come) are above three fifths of the cap.
 * (Below two thirds so that fewer live records meet the tail: [mem.elastic]
 * compaction cost against the cap's size.) */
static bool
dense(const struct store *s, uint64_t n)
{
    return 5 * (s->st.bytes + n) > 3 * s->log.cap;
}

/* The cap grows by an eighth (or n) from the head or the cap. */
static void
grow(struct store *s, uint64_t n)
{
    struct log *l = &s->log;
    uint64_t step = l->cap / 8 > n ? l->cap / 8 : n;
    uint64_t from = l->head > l->cap ? l->head : l->cap;
    uint64_t old = l->cap;
    log_set_cap(l, cap_round(s, from + step));
    CHECK(l->cap > old || l->cap == l->limit); /* callers loop on growth */
}

/* A lap that ends with live bytes (n more to come) above three fifths of cap
 * grows the cap instead of wrapping. */
static void
maybe_grow(struct store *s, uint64_t n)
{
    struct log *l = &s->log;
    if (l->wrapped || l->head + n <= l->cap || l->cap >= l->limit ||
        !dense(s, n)) {
        return;
    }
    grow(s, n);
}

/* A lap that ends with live bytes (n more to come) at most a quarter of cap
 * shrinks the cap to twice them (never below cap_min). */
static void
maybe_shrink(struct store *s, uint64_t n)
{
    struct log *l = &s->log;
    if (!elastic(s) || 4 * (s->st.bytes + n) > l->cap) {
        return;
    }
    uint64_t want = cap_round(s, 2 * (s->st.bytes + n));
    if (want < l->cap) {
        log_set_cap(l, want);
    }
}

static void
restart_if_empty(struct store *s)
{
    if (log_empty(&s->log)) {
        log_restart_if_empty(&s->log);
        maybe_shrink(s, 0);
    }
}

/* Every append: one that starts a new lap may shrink the cap first. */
static uint32_t
append(struct store *s, uint64_t n)
{
    log_restart_if_empty(&s->log);
    if (log_append_wraps(&s->log, n)) {
        maybe_shrink(s, n);
    }
    return log_append(&s->log, n);
}

static void
fill_view(const struct store *s, uint32_t ref, const struct record *r,
          struct store_item *out)
{
    const uint8_t *p = rec_at(s, ref);
    out->key = p + r->key_off;
    out->key_len = r->key_len;
    out->value = p + r->value_off;
    out->value_len = r->value_len;
    out->flags = r->flags;
    out->cas = rec_cas(s, ref);
    out->deadline_s = r->deadline_s;
    out->fetched = (r->bits & REC_FETCHED) != 0;
    out->stale = (r->bits & REC_STALE) != 0;
    out->win_sent = (r->bits & REC_WIN_SENT) != 0;
    out->key_binary = (r->bits & REC_KEY_BINARY) != 0;
    out->size = (uint32_t)r->size;
    out->stamp_s = s->stamps[(uint64_t)(ref - 1) * s->log.align /
                             LIMIT_STAMP_CHUNK];
}

/* [meta.mg-access]: n bytes at ref were written now. */
static void
stamp(struct store *s, uint32_t ref, uint64_t n)
{
    uint64_t phys = (uint64_t)(ref - 1) * s->log.align;
    for (uint64_t c = phys / LIMIT_STAMP_CHUNK;
         c <= (phys + n - 1) / LIMIT_STAMP_CHUNK; c++) {
        s->stamps[c] = s->last_now_s;
    }
}

/* [meta.cas-disabled]: whether a meta C fails on the record at ref. */
static bool
cas_differs(const struct store *s, bool compare, uint64_t want, uint32_t ref)
{
    return compare && (!s->cfg.cas_enabled || want != rec_cas(s, ref));
}

/* The CAS the next write gives: the caller's (meta E), or the counter's
 * next. commit_cas takes it once the write succeeded; a caller-given CAS
 * leaves the counter as it is, as in memcached. */
static uint64_t
upcoming_cas(const struct store *s, uint64_t given)
{
    if (!s->cfg.cas_enabled) {
        return 0;
    }
    return given != 0 ? given : s->cas_last + 1;
}

static void
commit_cas(struct store *s, uint64_t given)
{
    if (!s->cfg.cas_enabled) {
        return;
    }
    if (given == 0) {
        s->cas_last++;
    } else if (given > s->cas_given_max) {
        s->cas_given_max = given;
    }
}

/* ---- index membership -------------------------------------------------- */

/* Removes a live record from the index; its bytes stay until the tail. */
static void
unlink_record(struct store *s, uint64_t hash, uint32_t ref,
              const struct record *r)
{
    uint8_t *p = rec_at(s, ref);
    CHECK(p[REC_OFF_BITS] & REC_LIVE);
    index_remove(&s->index, hash, ref);
    if (ref == s->replaced) {
        s->replaced = 0;
    }
    /* A dead record keeps no base64 mark: it must not read as a gap. */
    p[REC_OFF_BITS] &= (uint8_t)~(REC_LIVE | REC_KEY_BINARY);
    CHECK(s->st.curr_items > 0);
    CHECK(s->st.bytes >= r->size);
    s->st.curr_items--;
    s->st.bytes -= r->size;
}

#ifdef MCREF_SLOW_CHECKS
/* The indexed record with the key of the one at ref (for CHECK_SLOW). */
static uint32_t
indexed_same_key(const struct store *s, uint64_t hash, uint32_t ref)
{
    struct record r;
    decode(s, ref, &r);
    return index_find(&s->index, hash, rec_at(s, ref) + r.key_off, r.key_len);
}
#endif

/* Indexes a freshly written record of n bytes in place of old, the live
 * record its key had (0: none). */
static void
link_record(struct store *s, uint64_t hash, uint32_t ref, uint64_t n,
            uint32_t old)
{
    CHECK_SLOW(old == indexed_same_key(s, hash, ref));
    if (old != 0) {
        struct record old_r;
        decode(s, old, &old_r);
        unlink_record(s, hash, old, &old_r);
    }
    index_insert(&s->index, hash, ref);
    s->st.curr_items++;
    s->st.bytes += n;
}

/*
 * The live record under key, or 0. An expired or flushed record found is
 * removed here ([expiry.lazy]) and counted in get_expired / get_flushed.
 */
static uint32_t
lookup_live(struct store *s, uint32_t now_s, uint64_t hash,
            const uint8_t *key, size_t key_len, struct record *r)
{
    uint32_t ref = index_find(&s->index, hash, key, key_len);
    if (ref == 0) {
        return 0;
    }
    decode(s, ref, r);
    if (is_flushed(s, ref)) {
        unlink_record(s, hash, ref, r);
        s->st.get_flushed++;
        return 0;
    }
    if (!exptime_alive(r->deadline_s, now_s)) {
        unlink_record(s, hash, ref, r);
        s->st.get_expired++;
        return 0;
    }
    return ref;
}

static void
mark_accessed(struct store *s, uint32_t ref)
{
    rec_at(s, ref)[REC_OFF_BITS] |= REC_FETCHED | REC_ACTIVE;
}

/* ---- making room ------------------------------------------------------- */

/* [mem.second-chance]: moves the tail record to the head, unchanged except
 * for its accessed mark. Returns its new ref. */
static uint32_t
move_tail_record(struct store *s, uint32_t ref, const struct record *r)
{
    uint64_t hash = hash_of_record(s, ref, r);
    const uint8_t *from = rec_at(s, ref);
    log_pop(&s->log, r->size);
    uint32_t to_ref = append(s, r->size);
    stamp(s, to_ref, r->size);
    uint8_t *to = rec_at(s, to_ref);
    /* Source and destination may overlap when the log is nearly full. */
    memmove(to, from, (size_t)r->size);
    to[REC_OFF_BITS] &= (uint8_t)~REC_ACTIVE;
    index_relink(&s->index, hash, ref, to_ref);
    if (ref == s->replaced) {
        s->replaced = to_ref;
    }
    s->st.moves++;
    return to_ref;
}

/* Drops a live tail record that is flushed or expired; false if it is not. */
static bool
reclaim_tail(struct store *s, uint32_t now_s, uint32_t ref,
             const struct record *r)
{
    if (!is_flushed(s, ref) && exptime_alive(r->deadline_s, now_s)) {
        return false;
    }
    unlink_record(s, hash_of_record(s, ref, r), ref, r);
    s->st.reclaimed++;
    if ((r->bits & REC_FETCHED) == 0) {
        s->st.expired_unfetched++;
    }
    log_pop(&s->log, r->size);
    return true;
}

/* [mem.elastic]: the room the head keeps before the tail when it can: the
 * live bytes the tail may have to move in one lap, over the credit a written
 * byte earns, so the tail ends its lap before the head meets it. */
static uint64_t
reserve(const struct store *s)
{
    return s->st.bytes / LIMIT_COMPACT_CREDIT_PER_BYTE;
}

/* [mem.elastic]: whether live records met at the tail are compacted rather
 * than evicted: while the cap is below the limit, or at it while live bytes
 * and the write are at most half of it. */
static bool
compacting(const struct store *s, uint64_t n)
{
    return s->log.cap < s->log.limit ||
           (elastic(s) && 2 * (s->st.bytes + n) <= s->log.limit);
}

/*
 * [mem.elastic]: whether a write that has its room goes on cleaning the tail
 * ahead of need, so that the head keeps its reserve() before the tail: not
 * while the lap will grow anyway (dense, not wrapped), nor while records lie
 * past the cap (store_tick compacts those).
 */
static bool
clean_ahead(const struct store *s, uint64_t n)
{
    const struct log *l = &s->log;
    if (log_empty(l) || log_extent(l) > l->cap || !compacting(s, n) ||
        (!l->wrapped && dense(s, n))) {
        return false;
    }
    if (l->wrapped) {
        return l->tail - l->head < n + reserve(s);
    }
    /* Not wrapped: twice the reserve, counting the room before the cap, so
     * that the tail has left about one reserve at offset 0 when the moves
     * have used the room before the cap. */
    uint64_t room = (l->cap > l->head ? l->cap - l->head : 0) + l->tail;
    return room < n + 2 * reserve(s);
}

/*
 * [mem.elastic]: cleans the tail record ahead of need, when the credit
 * covers it (every byte passed costs one) and it is not the protected one;
 * a live record moves only where the write keeps its room. Returns false
 * when it stopped.
 */
static bool
clean_tail_ahead(struct store *s, uint32_t now_s, uint64_t n,
                 const uint32_t *protect)
{
    struct log *l = &s->log;
    uint32_t ref = log_tail_ref(l);
    struct record r;
    decode(s, ref, &r);
    if (s->credit < r.size || (protect != NULL && *protect == ref)) {
        return false;
    }
    if ((r.bits & REC_LIVE) == 0) {
        log_pop(l, r.size);
    } else if (!reclaim_tail(s, now_s, ref, &r)) {
        if (!l->wrapped && l->head + r.size + n > l->cap) {
            return false;
        }
        move_tail_record(s, ref, &r);
    }
    s->credit -= r.size;
    return true;
}

/* [mem.elastic]: whether live bytes (n more to come) are at most a quarter
 * of the cap (maybe_shrink's test): such a lap compacts its live tail record
 * rather than grow, so the cap stays within about four times the live bytes. */
static bool
sparse(const struct store *s, uint64_t n)
{
    return 4 * (s->st.bytes + n) <= s->log.cap;
}

/*
 * [mem.elastic]: whether a lap that ends below the limit grows rather than
 * wrap: when the tail has not left the write and half the reserve() at
 * offset 0 and a live record lies there, whose run the head would otherwise
 * have to move in one write or lap.
 */
static bool
lap_end_grows(const struct store *s, uint32_t now_s, uint64_t n,
              const uint32_t *protect)
{
    const struct log *l = &s->log;
    if (l->wrapped || l->head + n <= l->cap || l->cap >= l->limit ||
        log_empty(l) || l->tail >= n + reserve(s) / 2 || sparse(s, n)) {
        return false;
    }
    uint32_t ref = log_tail_ref(l);
    struct record r;
    decode(s, ref, &r);
    return (r.bits & REC_LIVE) != 0 && !is_flushed(s, ref) &&
           exptime_alive(r.deadline_s, now_s) &&
           (protect == NULL || *protect != ref);
}

/*
 * [mem.make-room]: frees the tail until n bytes can be appended. *protect,
 * when not 0, is a record the caller still reads: it is moved, never dropped,
 * and *protect follows it. Returns false when room cannot be made ([mem.no-
 * evict], or n plus the protected record exceed the log).
 */
static bool
make_room(struct store *s, uint32_t now_s, uint64_t n, uint32_t *protect)
{
    CHECK(n <= s->log.limit);
    s->credit += LIMIT_COMPACT_CREDIT_PER_BYTE * n;
    if (s->credit > LIMIT_COMPACT_CREDIT_MAX) {
        s->credit = LIMIT_COMPACT_CREDIT_MAX;
    }
    unsigned moves = 0;
    uint64_t compacted = 0;
    bool protect_moved = false;
    for (;;) {
        restart_if_empty(s);
        maybe_grow(s, n);
        if (lap_end_grows(s, now_s, n, protect)) {
            grow(s, n);
        }
        if (log_fits(&s->log, n)) {
            if (clean_ahead(s, n) && clean_tail_ahead(s, now_s, n, protect)) {
                continue;
            }
            return true;
        }
        uint32_t ref = log_tail_ref(&s->log);
        struct record r;
        decode(s, ref, &r);
        if ((r.bits & REC_LIVE) == 0) {
            log_pop(&s->log, r.size); /* removed or replaced earlier */
            continue;
        }
        if (protect != NULL && *protect == ref) {
            if (protect_moved) {
                return false; /* a whole lap, and still no room */
            }
            *protect = move_tail_record(s, ref, &r);
            protect_moved = true;
            continue;
        }
        if (reclaim_tail(s, now_s, ref, &r)) {
            continue;
        }
        if (!s->log.wrapped && s->log.cap < s->log.limit && !sparse(s, n)) {
            grow(s, n); /* [mem.elastic]: see lap_end_grows */
            continue;
        }
        if (compacting(s, n)) {
            /* [mem.elastic]: below the limit (or at it, at most half
             * live), live records are compacted to the head while the
             * credit writes earn lasts (the first one of a write whatever
             * its size). */
            if (compacted == 0 || s->credit >= r.size) {
                s->credit = s->credit > r.size ? s->credit - r.size : 0;
                compacted += r.size;
                move_tail_record(s, ref, &r);
                continue;
            }
        } else {
            bool chance = s->cfg.evict ? (r.bits & REC_ACTIVE) != 0 : true;
            if (chance && moves < LIMIT_MOVES_PER_WRITE) {
                move_tail_record(s, ref, &r);
                moves++;
                continue;
            }
        }
        if (!s->cfg.evict) {
            return false;
        }
        uint64_t hash = hash_of_record(s, ref, &r);
        unlink_record(s, hash, ref, &r);
        s->st.evictions++;
        s->st.evicted_nonzero += r.deadline_s != 0; /* [stats.items] */
        if ((r.bits & REC_FETCHED) == 0) {
            s->st.evicted_unfetched++;
        }
        log_pop(&s->log, r.size);
    }
}

/* ---- operations -------------------------------------------------------- */

static void
begin_op(struct store *s, uint32_t now_s)
{
    CHECK(now_s >= 1);
    CHECK(now_s >= s->last_now_s);
    s->last_now_s = now_s;
    /* [mem.elastic]: what the last operation left unneeded goes back now,
     * when nothing can point into it any more. */
    (void)log_release_unused(&s->log);
    if (s->flush_pending_s != 0 && now_s >= s->flush_pending_s) {
        s->flush_abs = s->log.head_abs; /* [flush.delayed] */
        s->flush_pending_s = 0;
    }
    index_step(&s->index);
}

static void
check_key(const uint8_t *key, size_t key_len)
{
    CHECK(key != NULL);
    CHECK(key_len >= 1);
    CHECK(key_len <= LIMIT_KEY_LEN);
}

struct store *
store_create(const struct store_config *cfg)
{
    CHECK(cfg != NULL);
    struct store *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return NULL;
    }
    s->cfg = *cfg;
    if (s->cfg.index_size_log2 == 0) {
        s->cfg.index_size_log2 = INDEX_SIZE_LOG2_DEFAULT;
    }
    /* [mem.elastic]: with -M the log is fixed at the limit. */
    uint64_t cap_min = cfg->log_cap_min != 0 ? cfg->log_cap_min
                                             : LIMIT_LOG_CAP_MIN;
    if (!cfg->evict) {
        cap_min = cfg->mem_limit;
    }
    if (!log_init(&s->log, cfg->memory, cfg->mem_limit, cap_min)) {
        free(s);
        return NULL;
    }
    s->cap_min = s->log.cap;
    s->cap_step = s->cap_min < LIMIT_LOG_CAP_STEP ? s->cap_min
                                                  : LIMIT_LOG_CAP_STEP;
    if (s->cap_step % s->log.align != 0) {
        /* A smallest cap below the alignment (LIMIT_LOG_MIN under a huge
         * limit): cap_round could not grow the cap. */
        log_deinit(&s->log);
        free(s);
        return NULL;
    }
    uint64_t biggest = record_size(cfg->cas_enabled, s->log.align,
                                   LIMIT_KEY_LEN, cfg->value_len_max, true,
                                   true);
    s->stamps = calloc((size_t)((s->log.limit + LIMIT_STAMP_CHUNK - 1) /
                                LIMIT_STAMP_CHUNK),
                       sizeof *s->stamps);
    if (biggest > s->log.limit || s->stamps == NULL ||
        !index_init(&s->index, &s->log, cfg->cas_enabled, cfg->hash_seed,
                    s->cfg.index_size_log2)) {
        free(s->stamps);
        log_deinit(&s->log);
        free(s);
        return NULL;
    }
    return s;
}

void
store_set_write_hook(struct store *s, void (*hook)(void *ctx), void *ctx)
{
    CHECK(s != NULL);
    s->write_hook = hook;
    s->write_hook_ctx = ctx;
}

void
store_destroy(struct store **s)
{
    if (s == NULL || *s == NULL) {
        return;
    }
    index_deinit(&(*s)->index);
    log_deinit(&(*s)->log);
    free((*s)->stamps);
    free(*s);
    *s = NULL;
}

enum store_status
store_get(struct store *s, uint32_t now_s, const uint8_t *key,
          size_t key_len, struct store_item *out)
{
    CHECK(s != NULL);
    CHECK(out != NULL);
    check_key(key, key_len);
    begin_op(s, now_s);
    struct record r;
    uint32_t ref = lookup_live(s, now_s, hash_of(s, key, key_len), key,
                               key_len, &r);
    if (ref == 0) {
        s->st.get_misses++;
        return STORE_MISS;
    }
    mark_accessed(s, ref);
    s->st.get_hits++;
    fill_view(s, ref, &r, out);
    return STORE_OK;
}

/*
 * Writes a copy of the record at *ref with new contents at the head and
 * indexes it in place of the old one. The value is old_value with `insert`
 * placed at byte `at` (append: at = old length; prepend: 0; none: len 0), or
 * `replace` entirely when it is not NULL. Returns the new ref, or 0 when there
 * is no room.
 */
struct rewrite {
    uint64_t cas;
    uint32_t deadline_s;
    bool has_deadline;
    uint32_t flags;
    uint8_t keep_bits;        /* REC_FETCHED / REC_ACTIVE to carry over */
    const uint8_t *insert;
    size_t insert_len;
    size_t insert_at;
    const uint8_t *replace;   /* new value instead of old + insert */
    size_t replace_len;
};

/* Tells the caller that view bytes are about to change. */
static void
before_write(struct store *s)
{
    if (s->write_hook != NULL) {
        s->write_hook(s->write_hook_ctx);
    }
}

static uint32_t
write_record(struct store *s, uint32_t now_s, uint64_t hash,
             const uint8_t *key, size_t key_len, uint32_t replaced,
             uint32_t *source, const struct rewrite *w)
{
    before_write(s);
    struct record old;
    size_t old_len = 0;
    if (source != NULL) {
        CHECK(*source != 0);
        decode(s, *source, &old);
        old_len = old.value_len;
    } else {
        CHECK(w->replace != NULL); /* a new item: its value is given whole */
    }
    uint64_t value_len =
        w->replace != NULL ? w->replace_len : old_len + w->insert_len;
    bool has_flags = w->flags != 0;
    uint64_t n = record_size(s->cfg.cas_enabled, s->log.align, key_len,
                             value_len, w->has_deadline, has_flags);
    s->replaced = replaced;
    bool room = make_room(s, now_s, n, source);
    replaced = s->replaced;
    s->replaced = 0;
    if (!room) {
        return 0;
    }
    uint32_t ref = append(s, n);
    stamp(s, ref, n);
    uint8_t *p = rec_at(s, ref);
    uint8_t bits = (uint8_t)(REC_LIVE | w->keep_bits |
                             (w->has_deadline ? REC_HAS_DEADLINE : 0) |
                             (has_flags ? REC_HAS_FLAGS : 0));
    uint32_t at = record_encode_header(p, s->cfg.cas_enabled, bits, key_len,
                                       w->cas, value_len, w->deadline_s,
                                       w->flags);
    if (source != NULL) {
        /* The source may have moved while room was made: decode it again.
         * Its key is ours (same key), and it lies outside the new record. */
        decode(s, *source, &old);
        const uint8_t *src = rec_at(s, *source);
        memcpy(p + at, src + old.key_off, key_len);
        uint8_t *v = p + at + key_len;
        if (w->replace != NULL) {
            memcpy(v, w->replace, w->replace_len);
        } else {
            const uint8_t *ov = src + old.value_off;
            memcpy(v, ov, w->insert_at);
            if (w->insert_len > 0) {
                memcpy(v + w->insert_at, w->insert, w->insert_len);
            }
            memcpy(v + w->insert_at + w->insert_len, ov + w->insert_at,
                   old.value_len - w->insert_at);
        }
    } else {
        memcpy(p + at, key, key_len);
        memcpy(p + at + key_len, w->replace, w->replace_len);
    }
    link_record(s, hash, ref, n, replaced);
    return ref;
}

/*
 * Gives the live record *ref (decoded in *r) a new deadline: in place, or by
 * rewriting it when it must grow a deadline field (*ref and *r then follow
 * the copy). False when there is no room for that.
 */
static bool
set_deadline(struct store *s, uint32_t now_s, uint64_t hash,
             const uint8_t *key, size_t key_len, uint32_t *ref,
             struct record *r, uint32_t deadline)
{
    if (r->bits & REC_HAS_DEADLINE) {
        uint8_t *p = rec_at(s, *ref);
        rec_store32(p + record_deadline_off(p, s->cfg.cas_enabled), deadline);
    } else if (deadline != 0) {
        struct rewrite w = {
            .cas = rec_cas(s, *ref),
            .deadline_s = deadline,
            .has_deadline = true,
            .flags = r->flags,
            .keep_bits = (uint8_t)(rec_at(s, *ref)[REC_OFF_BITS] & KEEP_MARKS),
        };
        uint32_t moved =
            write_record(s, now_s, hash, key, key_len, *ref, ref, &w);
        if (moved == 0) {
            return false;
        }
        *ref = moved;
    }
    decode(s, *ref, r);
    return true;
}

enum store_status
store_touch(struct store *s, uint32_t now_s, const uint8_t *key,
            size_t key_len, int32_t exptime, struct store_item *out)
{
    CHECK(s != NULL);
    check_key(key, key_len);
    begin_op(s, now_s);
    uint64_t hash = hash_of(s, key, key_len);
    struct record r;
    uint32_t ref = lookup_live(s, now_s, hash, key, key_len, &r);
    if (ref == 0) {
        s->st.touch_misses++;
        return STORE_MISS;
    }
    uint32_t deadline = exptime_deadline(exptime, now_s);
    if (!exptime_alive(deadline, now_s)) {
        /* [touch.reply]: touched into the past, the item goes; the view
         * stays readable until the next write. */
        if (out != NULL) {
            fill_view(s, ref, &r, out);
        }
        unlink_record(s, hash, ref, &r);
        s->st.touch_hits++;
        return STORE_OK;
    }
    if (!set_deadline(s, now_s, hash, key, key_len, &ref, &r, deadline)) {
        s->st.no_memory++;
        return STORE_NO_MEMORY;
    }
    mark_accessed(s, ref);
    s->st.touch_hits++;
    if (out != NULL) {
        decode(s, ref, &r);
        fill_view(s, ref, &r, out);
    }
    return STORE_OK;
}

static bool
mode_needs_item(enum store_mode mode)
{
    return mode == STORE_REPLACE || mode == STORE_APPEND ||
           mode == STORE_PREPEND;
}

/* Removes the live record under key, if any, without counting a delete. */
static void
drop_key(struct store *s, uint64_t hash, const uint8_t *key, size_t key_len)
{
    uint32_t ref = index_find(&s->index, hash, key, key_len);
    if (ref != 0) {
        struct record r;
        decode(s, ref, &r);
        unlink_record(s, hash, ref, &r);
    }
}

enum store_status
store_put(struct store *s, uint32_t now_s, enum store_mode mode,
          const uint8_t *key, size_t key_len, uint32_t flags, int32_t exptime,
          const uint8_t *value, size_t value_len, uint64_t cas_unique,
          uint64_t *cas_out)
{
    static const struct store_put_opts plain;
    return store_put_opts(s, now_s, mode, key, key_len, flags, exptime, value,
                          value_len, cas_unique, &plain, cas_out);
}

enum store_status
store_put_opts(struct store *s, uint32_t now_s, enum store_mode mode,
               const uint8_t *key, size_t key_len, uint32_t flags,
               int32_t exptime, const uint8_t *value, size_t value_len,
               uint64_t cas_unique, const struct store_put_opts *o,
               uint64_t *cas_out)
{
    CHECK(s != NULL);
    CHECK(o != NULL);
    check_key(key, key_len);
    begin_op(s, now_s);
    uint64_t hash = hash_of(s, key, key_len);
    BOUNDARY(value_len == s->cfg.value_len_max);
    BOUNDARY(value_len == (size_t)s->cfg.value_len_max + 1);
    if (value_len > s->cfg.value_len_max) {
        if (mode == STORE_SET) {
            drop_key(s, hash, key, key_len); /* [store.failed-set] */
        }
        return STORE_TOO_LARGE;
    }
    CHECK(value != NULL);
    struct record old;
    uint32_t old_ref = lookup_live(s, now_s, hash, key, key_len, &old);
    if (mode == STORE_ADD && old_ref != 0) {
        /* [store.add]: an access (a second chance), not a fetch. */
        rec_at(s, old_ref)[REC_OFF_BITS] |= REC_ACTIVE;
        return STORE_NOT_STORED;
    }
    bool vivify = false;
    if (mode_needs_item(mode) && old_ref == 0) {
        /* [meta.ms-vivify]: append/prepend with N create the item. */
        if (!o->vivify || mode == STORE_REPLACE) {
            return STORE_NOT_STORED;
        }
        vivify = true;
    }
    bool stale = false;
    if (mode == STORE_CAS) {
        if (old_ref == 0) {
            s->st.cas_misses++;
            return STORE_MISS;
        }
        uint64_t have = rec_cas(s, old_ref);
        if (s->cfg.cas_enabled && o->invalidate && cas_unique != 0 &&
            cas_unique < have) {
            stale = true; /* [meta.ms-invalidate]: stored, marked stale */
        } else if (!s->cfg.cas_enabled || cas_unique == 0 ||
                   cas_unique != have) {
            s->st.cas_badval++;
            return STORE_EXISTS;
        }
    }
    if ((mode == STORE_APPEND || mode == STORE_PREPEND) && old_ref != 0 &&
        cas_differs(s, o->compare, o->compare_cas, old_ref)) {
        return STORE_EXISTS; /* [meta.ms-cas] */
    }
    struct rewrite w = {
        .deadline_s = exptime_deadline(vivify ? o->vivify_exptime : exptime,
                                       now_s),
        .flags = flags,
        .replace = value,
        .replace_len = value_len,
    };
    w.has_deadline = w.deadline_s != 0;
    if (stale) {
        /* [meta.ms-invalidate]: the stale value keeps the item's deadline
         * and its win token, as memcached's does. */
        w.deadline_s = old.deadline_s;
        w.has_deadline = (old.bits & REC_HAS_DEADLINE) != 0;
        w.keep_bits = (uint8_t)(REC_STALE | (old.bits & REC_WIN_SENT));
    }
    if (o->key_binary) {
        w.keep_bits |= REC_KEY_BINARY; /* [meta.base64-mark] */
    }
    uint32_t *source = NULL;
    if ((mode == STORE_APPEND || mode == STORE_PREPEND) && !vivify) {
        /* [store.append]: the item keeps its flags and deadline. */
        if ((uint64_t)old.value_len + value_len > s->cfg.value_len_max) {
            return STORE_NOT_STORED; /* [store.append-too-large] */
        }
        w.deadline_s = old.deadline_s;
        w.has_deadline = (old.bits & REC_HAS_DEADLINE) != 0;
        w.flags = old.flags;
        w.replace = NULL;
        w.replace_len = 0;
        w.insert = value;
        w.insert_len = value_len;
        w.insert_at = mode == STORE_APPEND ? old.value_len : 0;
        w.keep_bits |= old.bits & REC_KEY_BINARY;
        source = &old_ref;
    }
    w.cas = upcoming_cas(s, o->new_cas);
    uint32_t ref = write_record(s, now_s, hash, key, key_len, old_ref,
                                source, &w);
    if (ref == 0) {
        s->st.no_memory++;
        if (mode == STORE_SET) {
            drop_key(s, hash, key, key_len); /* [store.failed-set] */
        }
        return STORE_NO_MEMORY;
    }
    commit_cas(s, o->new_cas);
    s->st.total_items++;
    if (mode == STORE_CAS) {
        s->st.cas_hits++;
    }
    if (cas_out != NULL) {
        *cas_out = w.cas;
    }
    return STORE_OK;
}

enum store_status
store_delete(struct store *s, uint32_t now_s, const uint8_t *key,
             size_t key_len)
{
    static const struct store_delete_opts plain;
    return store_delete_opts(s, now_s, key, key_len, &plain);
}

enum store_status
store_delete_opts(struct store *s, uint32_t now_s, const uint8_t *key,
                  size_t key_len, const struct store_delete_opts *o)
{
    CHECK(s != NULL);
    CHECK(o != NULL);
    check_key(key, key_len);
    begin_op(s, now_s);
    uint64_t hash = hash_of(s, key, key_len);
    struct record r;
    uint32_t ref = lookup_live(s, now_s, hash, key, key_len, &r);
    if (ref == 0) {
        s->st.delete_misses++;
        return STORE_MISS;
    }
    if (cas_differs(s, o->compare, o->compare_cas, ref)) {
        s->st.delete_misses++; /* as memcached counts it */
        return STORE_EXISTS;   /* [meta.md] */
    }
    if (!o->invalidate && !o->clear_value) {
        unlink_record(s, hash, ref, &r);
        s->st.delete_hits++;
        return STORE_OK;
    }
    uint32_t deadline = o->touch ? exptime_deadline(o->exptime, now_s) : 0;
    if (o->clear_value) {
        /* [meta.md-clear]: a fresh item with no value and no flags takes
         * its place, keeping its CAS (or E's), its deadline that of T or
         * none, as memcached's tombstone. */
        struct rewrite w = {
            .cas = o->new_cas != 0 ? o->new_cas : rec_cas(s, ref),
            .deadline_s = deadline,
            .has_deadline = deadline != 0,
            .keep_bits = r.bits & REC_KEY_BINARY,
            .replace = (const uint8_t *)"",
            .replace_len = 0,
        };
        ref = write_record(s, now_s, hash, key, key_len, ref, &ref, &w);
        if (ref == 0) {
            s->st.no_memory++;
            return STORE_NO_MEMORY;
        }
        if (o->new_cas != 0) {
            commit_cas(s, o->new_cas);
        }
        decode(s, ref, &r);
    }
    if (!o->invalidate) {
        s->st.delete_hits++;
        return STORE_OK;
    }
    /* [meta.md-invalidate]: stale, a new CAS, and the next fetch may win
     * again; T sets the deadline (first: out of room, nothing changes).
     * Not counted as a delete. */
    if (o->touch &&
        !set_deadline(s, now_s, hash, key, key_len, &ref, &r, deadline)) {
        s->st.no_memory++;
        return STORE_NO_MEMORY;
    }
    uint8_t *p = rec_at(s, ref);
    p[REC_OFF_BITS] = (uint8_t)((p[REC_OFF_BITS] | REC_STALE) & ~REC_WIN_SENT);
    if (s->cfg.cas_enabled) {
        rec_store64(p + REC_OFF_CAS, upcoming_cas(s, o->new_cas));
    }
    commit_cas(s, o->new_cas);
    return STORE_OK;
}

enum store_status
store_arith(struct store *s, uint32_t now_s, const uint8_t *key,
            size_t key_len, bool incr, uint64_t delta, uint64_t *result)
{
    static const struct store_arith_opts plain;
    return store_arith_opts(s, now_s, key, key_len, incr, delta, &plain,
                            result, NULL, NULL);
}

/* [meta.ma-vivify]: a new item holding the initial value's digits. */
static uint32_t
arith_create(struct store *s, uint32_t now_s, uint64_t hash,
             const uint8_t *key, size_t key_len,
             const struct store_arith_opts *o)
{
    uint8_t digits[LIMIT_U64_DIGITS];
    struct rewrite w = {
        .cas = upcoming_cas(s, o->new_cas),
        .deadline_s = exptime_deadline(o->vivify_exptime, now_s),
        .keep_bits = o->key_binary ? REC_KEY_BINARY : 0,
        .replace = digits,
        .replace_len = decimal_format_u64(o->initial, digits),
    };
    w.has_deadline = w.deadline_s != 0;
    uint32_t ref = write_record(s, now_s, hash, key, key_len, 0, NULL, &w);
    if (ref == 0) {
        s->st.no_memory++;
        return 0;
    }
    commit_cas(s, o->new_cas);
    s->st.total_items++;
    return ref;
}

enum store_status
store_arith_opts(struct store *s, uint32_t now_s, const uint8_t *key,
                 size_t key_len, bool incr, uint64_t delta,
                 const struct store_arith_opts *o, uint64_t *result,
                 struct store_item *out, bool *created)
{
    CHECK(s != NULL);
    CHECK(o != NULL);
    CHECK(result != NULL);
    check_key(key, key_len);
    begin_op(s, now_s);
    uint64_t hash = hash_of(s, key, key_len);
    struct record r;
    uint32_t ref = lookup_live(s, now_s, hash, key, key_len, &r);
    if (created != NULL) {
        *created = false;
    }
    if (ref == 0) {
        if (!o->vivify) {
            if (incr) {
                s->st.incr_misses++;
            } else {
                s->st.decr_misses++;
            }
            return STORE_MISS;
        }
        ref = arith_create(s, now_s, hash, key, key_len, o);
        if (ref == 0) {
            return STORE_NO_MEMORY;
        }
        if (created != NULL) {
            *created = true;
        }
        *result = o->initial;
        if (out != NULL) {
            decode(s, ref, &r);
            fill_view(s, ref, &r, out);
        }
        return STORE_OK;
    }
    /* [incr.cas-order]: an empty value is no number whatever the CAS;
     * any other value is compared first. */
    if (r.value_len == 0) {
        return STORE_NON_NUMERIC;
    }
    if (cas_differs(s, o->compare, o->compare_cas, ref)) {
        return STORE_EXISTS; /* [meta.ma] */
    }
    uint64_t value;
    if (!decimal_parse_u64(rec_at(s, ref) + r.value_off, r.value_len,
                           &value)) {
        return STORE_NON_NUMERIC; /* [incr.value] */
    }
    if (incr) {
        BOUNDARY(delta > UINT64_MAX - value); /* wraps */
        value += delta; /* [incr.wrap]: modulo 2^64 */
        BOUNDARY(value == UINT64_MAX);
    } else {
        BOUNDARY(delta >= value); /* reaches 0 */
        value = delta > value ? 0 : value - delta; /* [incr.decr-floor] */
    }
    uint8_t digits[LIMIT_U64_DIGITS];
    size_t digits_len = decimal_format_u64(value, digits);
    /* [meta.mg-access]: an increment is an access, not a fetch (h stays). */
    rec_at(s, ref)[REC_OFF_BITS] |= REC_ACTIVE;
    uint64_t cas = upcoming_cas(s, o->new_cas);
    /* T's deadline goes in with the digits, so that the request either
     * happens whole or, out of room, not at all. */
    uint32_t deadline =
        o->touch ? exptime_deadline(o->exptime, now_s) : r.deadline_s;
    bool had_field = (r.bits & REC_HAS_DEADLINE) != 0;
    bool field = had_field || deadline != 0;
    if (digits_len == r.value_len && field == had_field) {
        /* Same length: rewrite the digits and the unique in place. */
        before_write(s);
        uint8_t *p = rec_at(s, ref);
        memcpy(p + r.value_off, digits, digits_len);
        if (s->cfg.cas_enabled) {
            rec_store64(p + REC_OFF_CAS, cas);
        }
        if (field) {
            rec_store32(p + record_deadline_off(p, s->cfg.cas_enabled),
                        deadline);
        }
    } else {
        /* [incr.no-padding]: a new record of exactly the digits. */
        struct rewrite w = {
            .cas = cas,
            .deadline_s = deadline,
            .has_deadline = field,
            .flags = r.flags,
            .keep_bits = (uint8_t)(rec_at(s, ref)[REC_OFF_BITS] & KEEP_MARKS),
            .replace = digits,
            .replace_len = digits_len,
        };
        ref = write_record(s, now_s, hash, key, key_len, ref, &ref, &w);
        if (ref == 0) {
            s->st.no_memory++;
            return STORE_NO_MEMORY; /* [incr.no-memory] */
        }
    }
    commit_cas(s, o->new_cas);
    decode(s, ref, &r);
    if (incr) {
        s->st.incr_hits++;
    } else {
        s->st.decr_hits++;
    }
    *result = value;
    if (out != NULL) {
        fill_view(s, ref, &r, out);
    }
    return STORE_OK;
}

enum store_status
store_fetch(struct store *s, uint32_t now_s, const uint8_t *key,
            size_t key_len, const struct store_fetch_opts *o,
            struct store_fetch_result *out)
{
    CHECK(s != NULL);
    CHECK(o != NULL);
    CHECK(out != NULL);
    check_key(key, key_len);
    begin_op(s, now_s);
    memset(out, 0, sizeof *out);
    uint64_t hash = hash_of(s, key, key_len);
    struct record r;
    uint32_t ref = lookup_live(s, now_s, hash, key, key_len, &r);
    if (ref == 0) {
        if (!o->vivify) {
            if (!o->peek) {
                /* [meta.mg-stats]: with T, a touch; else a get. */
                s->st.touch_misses += o->touch;
                s->st.get_misses += !o->touch;
            }
            return STORE_MISS;
        }
        /* [meta.mg-vivify]: an empty item whose token this request wins. */
        struct rewrite w = {
            .cas = upcoming_cas(s, o->new_cas),
            .deadline_s = exptime_deadline(o->vivify_exptime, now_s),
            .keep_bits = (uint8_t)(REC_WIN_SENT |
                                   (o->key_binary ? REC_KEY_BINARY : 0)),
            .replace = (const uint8_t *)"",
            .replace_len = 0,
        };
        w.has_deadline = w.deadline_s != 0;
        ref = write_record(s, now_s, hash, key, key_len, 0, NULL, &w);
        if (ref == 0) {
            s->st.no_memory++;
            return STORE_NO_MEMORY;
        }
        commit_cas(s, o->new_cas);
        s->st.total_items++;
        /* memcached counts a vivified miss as a hit, and a fetch. */
        s->st.touch_hits += o->touch;
        s->st.get_hits += !o->touch;
        if (!o->no_bump) {
            mark_accessed(s, ref);
        }
        decode(s, ref, &r);
        fill_view(s, ref, &r, &out->item);
        out->deadline_before_s = r.deadline_s;
        out->stamp_before_s = out->item.stamp_s;
        out->won = true;
        out->vivified = true;
        return STORE_OK;
    }
    out->deadline_before_s = r.deadline_s;
    out->stamp_before_s =
        s->stamps[(uint64_t)(ref - 1) * s->log.align / LIMIT_STAMP_CHUNK];
    out->fetched_before = (r.bits & REC_FETCHED) != 0;
    out->win_sent_before = (r.bits & REC_WIN_SENT) != 0;
    out->stale = (r.bits & REC_STALE) != 0;
    if (o->touch) {
        uint32_t deadline = exptime_deadline(o->exptime, now_s);
        if (!exptime_alive(deadline, now_s)) {
            /* Touched into the past, as [touch.reply]: answered (showing
             * the deadline it got), then gone. */
            fill_view(s, ref, &r, &out->item);
            out->item.deadline_s = deadline;
            unlink_record(s, hash, ref, &r);
            s->st.touch_hits++;
            return STORE_OK;
        }
        if (!set_deadline(s, now_s, hash, key, key_len, &ref, &r, deadline)) {
            s->st.no_memory++;
            return STORE_NO_MEMORY;
        }
    }
    /* [meta.win]: a stale item, or one within R of its deadline, hands out
     * one token until it is written again. */
    uint32_t seen = o->recache_first ? out->deadline_before_s : r.deadline_s;
    bool wants = out->stale ||
                 (o->recache && seen > now_s && seen - now_s < o->recache_s);
    uint8_t *p = rec_at(s, ref);
    if (wants && !out->win_sent_before) {
        p[REC_OFF_BITS] |= REC_WIN_SENT;
        out->won = true;
    }
    if (!o->peek) {
        if (!o->no_bump) {
            mark_accessed(s, ref);
        }
        s->st.touch_hits += o->touch;
        s->st.get_hits += !o->touch;
    }
    decode(s, ref, &r);
    fill_view(s, ref, &r, &out->item);
    return STORE_OK;
}

void
store_flush(struct store *s, uint32_t now_s, int32_t delay)
{
    CHECK(s != NULL);
    begin_op(s, now_s);
    uint32_t deadline = delay > 0 ? exptime_deadline(delay, now_s) : now_s;
    if (deadline <= now_s) {
        s->flush_abs = s->log.head_abs; /* [flush.immediate] */
        s->flush_pending_s = 0;
        next_cas(s); /* [cas.counter]: an immediate flush uses a unique */
    } else {
        s->flush_pending_s = deadline; /* [flush.replace] */
    }
}

void
store_stats(const struct store *s, struct store_stats *out)
{
    CHECK(s != NULL);
    CHECK(out != NULL);
    *out = s->st;
}

void
store_stats_reset(struct store *s)
{
    CHECK(s != NULL);
    struct store_stats kept = {
        .curr_items = s->st.curr_items,
        .bytes = s->st.bytes,
    };
    s->st = kept;
}

/*
 * [mem.elastic]: whether compacting the live tail record gives memory back:
 * while the cap is due to shrink or records lie past it.
 */
static bool
tick_wants(const struct store *s)
{
    const struct log *l = &s->log;
    return elastic(s) && ((4 * s->st.bytes <= l->cap && l->cap > s->cap_min) ||
                          log_extent(l) > l->cap);
}

/* The offset of the record at absolute position abs (in use). */
static uint64_t
phys_of_abs(const struct log *l, uint64_t abs)
{
    uint64_t off = abs - l->tail_abs;
    if (l->wrapped && off >= l->lap_end - l->tail) {
        return off - (l->lap_end - l->tail);
    }
    return l->tail + off;
}

/*
 * [mem.elastic]: looks at up to `budget` records from the crawl position on,
 * removing the expired and flushed ones the tail has not reached, so that
 * their bytes stop counting and the log can shrink. Moves nothing. Returns
 * whether it removed any.
 */
static bool
crawl(struct store *s, uint32_t now_s, unsigned budget)
{
    struct log *l = &s->log;
    bool removed = false;
    if (s->crawl_abs < l->tail_abs) {
        s->crawl_abs = l->tail_abs;
    }
    for (; budget > 0; budget--) {
        if (s->crawl_abs >= l->head_abs) {
            s->crawl_abs = 0; /* a whole pass: from the tail next time */
            break;
        }
        uint32_t ref = log_ref(l, phys_of_abs(l, s->crawl_abs));
        struct record r;
        decode(s, ref, &r);
        if ((r.bits & REC_LIVE) &&
            (is_flushed(s, ref) || !exptime_alive(r.deadline_s, now_s))) {
            unlink_record(s, hash_of_record(s, ref, &r), ref, &r);
            s->st.reclaimed++;
            if ((r.bits & REC_FETCHED) == 0) {
                s->st.expired_unfetched++;
            }
            removed = true;
        }
        s->crawl_abs += r.size;
    }
    return removed;
}

static bool
tick(struct store *s, uint32_t now_s)
{
    CHECK(s != NULL);
    begin_op(s, now_s);
    /* A sparse log need not wait for its lap to end to shrink. */
    maybe_shrink(s, 0);
    unsigned used = 0;
    /* The hook (which copies queued views) is called only before the first
     * record is dropped or moved: most ticks find a live tail and stop. */
    bool hooked = false;
    for (; used < LIMIT_TICK_RECORDS; used++) {
        restart_if_empty(s);
        if (log_empty(&s->log)) {
            break;
        }
        uint32_t ref = log_tail_ref(&s->log);
        struct record r;
        decode(s, ref, &r);
        bool reclaim = (r.bits & REC_LIVE) == 0 || is_flushed(s, ref) ||
                       !exptime_alive(r.deadline_s, now_s);
        if (!reclaim && !tick_wants(s)) {
            break;
        }
        if (!hooked) {
            before_write(s);
            hooked = true;
        }
        if ((r.bits & REC_LIVE) == 0) {
            log_pop(&s->log, r.size);
            continue;
        }
        if (reclaim_tail(s, now_s, ref, &r)) {
            continue;
        }
        move_tail_record(s, ref, &r);
    }
    bool removed = crawl(s, now_s, LIMIT_TICK_RECORDS - used);
    return used == LIMIT_TICK_RECORDS || removed;
}

bool
store_tick(struct store *s, uint32_t now_s)
{
    bool more = tick(s, now_s);
    bool more_release = log_release_unused(&s->log); /* [mem.elastic] */
    return more || more_release;
}

void
store_info(const struct store *s, struct store_info *out)
{
    CHECK(s != NULL);
    CHECK(out != NULL);
    out->mem_limit = s->log.limit;
    out->log_used = log_used(&s->log);
    out->log_cap = s->log.cap;
    out->log_held = s->log.held;
    out->index_buckets = s->index.size;
    out->index_bytes = index_bytes(&s->index);
    out->index_resizing = s->index.old != NULL;
    out->value_len_max = s->cfg.value_len_max;
    out->evict = s->cfg.evict;
    out->cas_enabled = s->cfg.cas_enabled;
}

/* Calls visit for each record from `from` to `to` (offsets), at abs *pos. */
static void
walk_range(const struct store *s, uint64_t from, uint64_t to, uint64_t *pos,
           void (*visit)(void *ctx, const struct store_walk_entry *e),
           void *ctx)
{
    const struct log *l = &s->log;
    uint64_t at = from;
    while (at < to) {
        const uint8_t *p = l->base + at;
        struct record r;
        record_decode(p, s->cfg.cas_enabled, l->align, &r);
        struct store_walk_entry e = {
            .pos = *pos,
            .phys = at,
            .size = r.size,
            .live = (r.bits & REC_LIVE) != 0,
            .fetched = (r.bits & REC_FETCHED) != 0,
            .active = (r.bits & REC_ACTIVE) != 0,
            .key = p + r.key_off,
            .key_len = r.key_len,
        };
        visit(ctx, &e);
        at += r.size;
        *pos += r.size;
    }
    CHECK(at == to);
}

void
store_walk(const struct store *s,
           void (*visit)(void *ctx, const struct store_walk_entry *e),
           void *ctx)
{
    CHECK(s != NULL);
    CHECK(visit != NULL);
    const struct log *l = &s->log;
    uint64_t pos = l->tail_abs;
    if (l->wrapped) {
        walk_range(s, l->tail, l->lap_end, &pos, visit, ctx);
        struct store_walk_entry gap = {.pos = pos, .phys = l->lap_end,
                                       .gap = true};
        visit(ctx, &gap);
        walk_range(s, 0, l->head, &pos, visit, ctx);
    } else {
        walk_range(s, l->tail, l->head, &pos, visit, ctx);
    }
    CHECK(pos == l->head_abs);
}

/* ---- cache_memlimit ([admin.cache-memlimit]) ---------------------------- */

bool
store_set_mem_limit(struct store *s, uint64_t bytes)
{
    CHECK(s != NULL);
    struct log *l = &s->log;
    uint64_t limit = bytes / l->align * l->align;
    uint64_t biggest = record_size(s->cfg.cas_enabled, l->align,
                                   LIMIT_KEY_LEN, s->cfg.value_len_max, true,
                                   true);
    if (limit > l->reserved || limit < log_extent(l) || limit < biggest) {
        return false;
    }
    bool was_elastic = elastic(s);
    l->limit = limit;
    if (!was_elastic || s->cap_min > limit) {
        s->cap_min = limit; /* a fixed log (-M) stays fixed at the limit */
    }
    log_set_cap(l, was_elastic && l->cap < limit ? l->cap : limit);
    s->cfg.mem_limit = limit;
    return true;
}

/* ---- the dumps' walk ([admin.dump-walk]) -------------------------------- */

void
store_scan_begin(const struct store *s, struct store_scan *c)
{
    CHECK(s != NULL);
    CHECK(c != NULL);
    c->pos = s->log.tail_abs;
    c->end = s->log.head_abs;
}

bool
store_scan(const struct store *s, uint32_t now_s, struct store_scan *c,
           uint32_t max_records,
           bool (*visit)(void *ctx, const struct store_item *it), void *ctx)
{
    CHECK(s != NULL);
    CHECK(c != NULL);
    CHECK(visit != NULL);
    const struct log *l = &s->log;
    /* Records behind the tail are gone; the walk resumes at the oldest. */
    if (c->pos < l->tail_abs) {
        c->pos = l->tail_abs;
    }
    for (uint32_t seen = 0; seen < max_records && c->pos < c->end; seen++) {
        uint64_t phys = log_phys_at(l, c->pos);
        uint32_t ref = log_ref(l, phys);
        struct record r;
        record_decode(l->base + phys, s->cfg.cas_enabled, l->align, &r);
        if ((r.bits & REC_LIVE) != 0 && !is_flushed(s, ref) &&
            exptime_alive(r.deadline_s, now_s)) {
            struct store_item it;
            fill_view(s, ref, &r, &it);
            if (!visit(ctx, &it)) {
                return true;
            }
        }
        c->pos += r.size;
    }
    return c->pos < c->end;
}

/* ---- invariants -------------------------------------------------------- */

struct check_walk {
    const struct store *s;
    uint64_t live;
    uint64_t live_bytes;
    uint64_t indexed;
};

static void
check_record(void *ctx, const struct store_walk_entry *e)
{
    struct check_walk *w = ctx;
    const struct store *s = w->s;
    const struct log *l = &s->log;
    if (e->gap) {
        return;
    }
    CHECK(e->phys % l->align == 0);
    CHECK(e->phys + e->size <= l->held);
    struct record r;
    record_decode(l->base + e->phys, s->cfg.cas_enabled, l->align, &r);
    CHECK(r.key_len >= 1);
    CHECK(r.key_len <= LIMIT_KEY_LEN);
    CHECK(r.value_len <= s->cfg.value_len_max);
    CHECK(((r.bits & REC_HAS_FLAGS) != 0) == (r.flags != 0));
    if (r.bits & REC_LIVE) {
        uint32_t ref = log_ref(l, e->phys);
        CHECK(index_find(&s->index, hash_of(s, e->key, e->key_len), e->key,
                         e->key_len) == ref);
        CHECK(rec_cas(s, ref) <= s->cas_last ||
              rec_cas(s, ref) <= s->cas_given_max);
        w->live++;
        w->live_bytes += r.size;
    }
}

static void
check_indexed(void *ctx, uint32_t ref)
{
    struct check_walk *w = ctx;
    const struct store *s = w->s;
    struct record r;
    decode(s, ref, &r);
    CHECK(r.bits & REC_LIVE);
    (void)log_abs_of(&s->log, ref); /* CHECKs that it is in use */
    w->indexed++;
}

void
store_check(const struct store *s)
{
    CHECK(s != NULL);
    const struct log *l = &s->log;
    CHECK(l->tail_abs <= l->head_abs);
    CHECK(l->cap <= l->limit);
    CHECK(l->cap >= s->cap_min);
    CHECK(l->held <= l->limit);
    CHECK(log_extent(l) <= l->held);
    if (l->wrapped) {
        CHECK(l->head <= l->tail);
        CHECK(l->tail < l->lap_end);
        CHECK(l->head > 0);
    } else {
        CHECK(l->tail <= l->head);
        CHECK(log_used(l) == l->head - l->tail);
    }
    CHECK(s->flush_abs <= l->head_abs);
    if (!s->cfg.cas_enabled) {
        CHECK(s->cas_last == 0);
    }

    struct check_walk w = {.s = s};
    store_walk(s, check_record, &w);
    CHECK(w.live == s->st.curr_items);
    CHECK(w.live_bytes == s->st.bytes);
    CHECK(w.live == s->index.count);

    index_visit(&s->index, check_indexed, &w);
    CHECK(w.indexed == w.live);
}
