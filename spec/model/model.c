/*
 * model.c - the store's semantics as an array of log records.
 *
 * Read this beside spec/protocol.md: each function names the clauses it
 * implements. Positions are absolute byte counts, as in [mem.log].
 */
#include "model.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/common/check.h"

#define KEY_MAX 250
#define RELATIVE_MAX 2592000
#define SECOND_CHANCES_MAX 16
#define CREDIT_PER_BYTE 8             /* compaction credit a written byte earns */
#define CREDIT_MAX (8u << 20)         /* the most credit kept */
#define TICK_MAX 512                 /* records looked at per tick */
#define CAP_MIN (1u << 20)           /* the smallest cap by default */
#define CAP_STEP (64u << 10)         /* the unit the cap changes by */
#define RELEASE_MAX (2u << 20)       /* bytes released per write or tick */

struct entry {
    bool gap;          /* the end of the oldest lap (size 0) */
    uint64_t pos;      /* record bytes appended before it */
    uint64_t phys;     /* where it sits in the log's memory */
    uint64_t size;
    bool live;
    bool fetched;
    bool active;
    bool stale;    /* [meta.stale] */
    bool win_sent; /* [meta.win] */
    bool key_binary; /* [meta.base64-mark] */
    uint8_t key[KEY_MAX];
    size_t key_len;
    uint8_t *value;
    size_t value_len;
    uint32_t flags;
    uint64_t cas;
    bool has_deadline_field;
    uint32_t deadline; /* 0 = never */
};

struct model {
    struct store_config cfg;
    uint64_t limit;    /* -m */
    uint64_t cap;      /* [mem.elastic]: where the head wraps */
    uint64_t cap_min;
    uint64_t cap_step;
    uint64_t held;     /* memory touched and not released */
    struct entry *log; /* records from tail (index 0) to head */
    size_t count;
    size_t room;
    uint64_t head;     /* position after the last record */
    uint64_t head_phys; /* where the next record goes */
    uint64_t crawl_pos; /* where tick's crawl goes on */
    uint64_t credit;    /* bytes writes may still compact */
    uint64_t cas_last;
    uint64_t flush_pos;
    uint32_t flush_due;
    uint32_t last_now;
    struct store_stats st;
    /* [meta.mg-access]: the time of the latest write into each
     * LIMIT_STAMP_CHUNK bytes of the log, by physical offset. */
    uint32_t *stamps;
};

/* ---- [mem.item-size] --------------------------------------------------- */

static uint64_t
length_field_bytes(uint64_t n)
{
    if (n < (1u << 7)) {
        return 1;
    }
    if (n < (1u << 14)) {
        return 2;
    }
    if (n < (1u << 21)) {
        return 3;
    }
    if (n < (1u << 28)) {
        return 4;
    }
    return 5;
}

static uint64_t
item_size(const struct model *m, size_t key_len, size_t value_len,
          bool deadline_field, uint32_t flags)
{
    return 6 + (m->cfg.cas_enabled ? 8 : 0) + length_field_bytes(value_len) +
           (deadline_field ? 4 : 0) + (flags != 0 ? 4 : 0) + key_len +
           value_len;
}

/* ---- [expiry.*] -------------------------------------------------------- */

/*
 * The second from which an item given this exptime at `now` is invisible
 * (0: never), read off the clauses one by one:
 *   [expiry.never]        0 never expires;
 *   [expiry.negative]     below 0 it is already expired: invisible from now;
 *   [expiry.relative]     1..2592000 ([expiry.relative-max]) are seconds from
 *                         now; the 32-bit clock ends at 4294967295
 *                         ([expiry.clock]), so a later second is that one;
 *   [expiry.absolute]     above 2592000 it is that unix time, and a time not
 *                         after now is already past.
 */
static uint32_t
deadline_for(int32_t exptime, uint32_t now)
{
    const int64_t clock_end = 4294967295;
    int64_t t = exptime;
    int64_t invisible_from;
    if (t == 0) {
        return 0;
    } else if (t < 0) {
        invisible_from = now;
    } else if (t <= RELATIVE_MAX) {
        invisible_from = (int64_t)now + t;
    } else {
        invisible_from = t;
    }
    if (invisible_from < (int64_t)now) {
        invisible_from = now;
    }
    return (uint32_t)(invisible_from > clock_end ? clock_end : invisible_from);
}

static bool
expired(const struct entry *e, uint32_t now)
{
    return e->deadline != 0 && now >= e->deadline;
}

static bool
flushed(const struct model *m, const struct entry *e)
{
    return e->pos < m->flush_pos;
}

/* ---- the log as an array ----------------------------------------------- */

static struct entry *
push_entry(struct model *m)
{
    if (m->count == m->room) {
        m->room = m->room == 0 ? 64 : m->room * 2;
        m->log = realloc(m->log, m->room * sizeof *m->log);
        CHECK(m->log != NULL);
    }
    struct entry *e = &m->log[m->count++];
    memset(e, 0, sizeof *e);
    return e;
}

/* The oldest lap's end, or NULL when the log has one lap. */
static const struct entry *
lap_end(const struct model *m)
{
    for (size_t i = 0; i < m->count; i++) {
        if (m->log[i].gap) {
            return &m->log[i];
        }
    }
    return NULL;
}

static uint64_t
tail_phys(const struct model *m)
{
    return m->count > 0 ? m->log[0].phys : m->head_phys;
}

/* [mem.elastic]: memory past both the cap and the last record is released
 * when a write is over, RELEASE_MAX bytes at most, from the top. Returns
 * whether more is left to release. */
static bool
release(struct model *m)
{
    const struct entry *g = lap_end(m);
    uint64_t extent = g != NULL ? g->phys : m->head_phys;
    uint64_t keep = extent > m->cap ? extent : m->cap;
    if (m->held > keep) {
        m->held = m->held - keep > RELEASE_MAX ? m->held - RELEASE_MAX : keep;
    }
    return m->held > keep;
}

/* Drops the oldest record, and the end of its lap if it was the last one
 * there. Returns how many entries went. */
static size_t
pop_front(struct model *m)
{
    CHECK(m->count > 0);
    CHECK(!m->log[0].gap);
    free(m->log[0].value);
    memmove(&m->log[0], &m->log[1], (m->count - 1) * sizeof *m->log);
    m->count--;
    size_t popped = 1;
    if (m->count > 0 && m->log[0].gap) {
        memmove(&m->log[0], &m->log[1], (m->count - 1) * sizeof *m->log);
        m->count--;
        popped++;
    }
    return popped;
}

/* A cap of at least n: whole steps, within [cap_min, limit]. */
static uint64_t
cap_for(const struct model *m, uint64_t n)
{
    uint64_t c = (n + m->cap_step - 1) / m->cap_step * m->cap_step;
    c = c < m->cap_min ? m->cap_min : c;
    return c > m->limit ? m->limit : c;
}

/* Live bytes (n more to come) above three fifths of the cap. */
static bool
dense(const struct model *m, uint64_t n)
{
    return 5 * (m->st.bytes + n) > 3 * m->cap;
}

/* The cap grows by an eighth (at least n) from the head or the cap. */
static void
grow_cap(struct model *m, uint64_t n)
{
    uint64_t from = m->head_phys > m->cap ? m->head_phys : m->cap;
    m->cap = cap_for(m, from + (m->cap / 8 > n ? m->cap / 8 : n));
}

/* [mem.elastic]: a lap that would end with live bytes above three fifths of
 * the cap makes the cap grow instead. */
static void
grow(struct model *m, uint64_t n)
{
    if (lap_end(m) == NULL && m->head_phys + n > m->cap &&
        m->cap < m->limit && dense(m, n)) {
        grow_cap(m, n);
    }
}

/* [mem.elastic]: a lap that ends with live bytes at most a quarter of the
 * cap makes the cap twice them. */
static void
shrink(struct model *m, uint64_t n)
{
    if (m->cap_min < m->limit && 4 * (m->st.bytes + n) <= m->cap &&
        cap_for(m, 2 * (m->st.bytes + n)) < m->cap) {
        m->cap = cap_for(m, 2 * (m->st.bytes + n));
    }
}

/* [mem.log]: an empty log starts again at offset 0. */
static void
restart_if_empty(struct model *m)
{
    if (m->count == 0) {
        m->head_phys = 0;
        shrink(m, 0);
    }
}

static bool
wraps(const struct model *m, uint64_t n)
{
    return lap_end(m) == NULL && m->head_phys + n > m->cap &&
           n <= tail_phys(m);
}

/* Whether n bytes go in without passing the cap or the tail. */
static bool
fits(const struct model *m, uint64_t n)
{
    if (lap_end(m) != NULL) {
        return m->head_phys + n <= tail_phys(m) && m->head_phys + n <= m->cap;
    }
    return m->head_phys + n <= m->cap || n <= tail_phys(m);
}

/* Appends an entry of n bytes at the head, starting a lap at offset 0 when
 * the cap would be passed and the tail has left room there. */
static struct entry *
append(struct model *m, uint64_t n)
{
    if (m->count == 0) {
        m->head_phys = 0; /* [mem.log] */
    }
    if (wraps(m, n)) {
        shrink(m, n);
        struct entry *g = push_entry(m);
        g->gap = true;
        g->pos = m->head;
        g->phys = m->head_phys;
        m->head_phys = 0;
    }
    struct entry *e = push_entry(m);
    e->pos = m->head;
    e->phys = m->head_phys;
    e->size = n;
    m->head += n;
    m->head_phys += n;
    CHECK(m->head_phys <= m->limit);
    for (uint64_t b = e->phys; b < e->phys + n; b++) {
        m->stamps[b / LIMIT_STAMP_CHUNK] = m->last_now;
    }
    if (m->head_phys > m->held) {
        m->held = m->head_phys;
    }
    return e;
}

static struct entry *
find_live(struct model *m, const uint8_t *key, size_t key_len)
{
    for (size_t i = 0; i < m->count; i++) {
        struct entry *e = &m->log[i];
        if (!e->gap && e->live && e->key_len == key_len &&
            memcmp(e->key, key, key_len) == 0) {
            return e;
        }
    }
    return NULL;
}

static void
remove_item(struct model *m, struct entry *e)
{
    CHECK(e->live);
    e->live = false;
    m->st.curr_items--;
    m->st.bytes -= e->size;
}

/* [expiry.lazy]: the visible item under key; a flushed or expired one is
 * removed on the way. */
static struct entry *
lookup(struct model *m, uint32_t now, const uint8_t *key, size_t key_len)
{
    struct entry *e = find_live(m, key, key_len);
    if (e == NULL) {
        return NULL;
    }
    if (flushed(m, e)) {
        remove_item(m, e);
        m->st.get_flushed++;
        return NULL;
    }
    if (expired(e, now)) {
        remove_item(m, e);
        m->st.get_expired++;
        return NULL;
    }
    return e;
}

static void
forget(size_t *keep, size_t popped)
{
    if (keep != NULL && *keep != SIZE_MAX) {
        *keep -= popped;
    }
}

/* [mem.second-chance]: the record at the tail goes to the head, unchanged
 * but for its accessed mark. Returns its index in the array; *keep (if not
 * NULL) follows the record it names, which must not be the one moved. */
static size_t
move_front_to_head(struct model *m, size_t *keep)
{
    struct entry moved = m->log[0];
    m->log[0].value = NULL;
    forget(keep, pop_front(m));
    struct entry *e = append(m, moved.size);
    uint64_t pos = e->pos;
    uint64_t phys = e->phys;
    *e = moved;
    e->pos = pos;
    e->phys = phys;
    e->active = false;
    m->st.moves++;
    return (size_t)(e - m->log);
}

/* [mem.elastic]: a lap that ends below the limit with less than the write
 * and half the reserve (live bytes / CREDIT_PER_BYTE) left at offset 0 and a live record (not the kept
 * one) at the tail grows. */
static bool
lap_end_grows(const struct model *m, uint32_t now, uint64_t n, size_t keep)
{
    if (lap_end(m) != NULL || m->head_phys + n <= m->cap ||
        m->cap >= m->limit || m->count == 0 ||
        tail_phys(m) >= n + m->st.bytes / CREDIT_PER_BYTE / 2 ||
        4 * (m->st.bytes + n) <= m->cap) {
        return false; /* [mem.elastic]: a sparse lap compacts instead */
    }
    const struct entry *e = &m->log[0];
    return e->live && !flushed(m, e) && !expired(e, now) && keep != 0;
}

/* [mem.elastic]: live records are compacted, not evicted, below the limit,
 * or at it while the live bytes and the write are at most half of it. */
static bool
compacting(const struct model *m, uint64_t n)
{
    return m->cap < m->limit ||
           (m->cap_min < m->limit && 2 * (m->st.bytes + n) <= m->limit);
}

/* [mem.elastic]: a write that has its room cleans on while the free bytes
 * before the head (its own n aside) are under the reserve (twice it in one
 * lap, counting the room before the cap); not
 * in a dense unwrapped lap, nor with records past the cap. */
static bool
wants_clean_ahead(const struct model *m, uint64_t n)
{
    if (m->count == 0 || !compacting(m, n)) {
        return false;
    }
    const struct entry *g = lap_end(m);
    uint64_t extent = g != NULL ? g->phys : m->head_phys;
    if (extent > m->cap || (g == NULL && dense(m, n))) {
        return false;
    }
    uint64_t reserve = m->st.bytes / CREDIT_PER_BYTE;
    if (g != NULL) {
        return tail_phys(m) - m->head_phys < n + reserve;
    }
    /* One lap: twice the reserve, with the room before the cap. */
    uint64_t room = (m->cap > m->head_phys ? m->cap - m->head_phys : 0) +
                    tail_phys(m);
    return room < n + 2 * reserve;
}

/* Cleans the oldest record ahead of need if the credit covers its size and
 * it is not the kept one; a live record moves only when n still fits
 * after it. Returns false when it stopped. */
static bool
clean_ahead(struct model *m, uint32_t now, uint64_t n, size_t *keep)
{
    struct entry *e = &m->log[0];
    uint64_t size = e->size;
    if (m->credit < size || *keep == 0) {
        return false;
    }
    if (e->live && !flushed(m, e) && !expired(e, now)) {
        if (lap_end(m) == NULL && m->head_phys + size + n > m->cap) {
            return false;
        }
        move_front_to_head(m, keep);
    } else {
        if (e->live) {
            m->st.reclaimed++;
            if (!e->fetched) {
                m->st.expired_unfetched++;
            }
            remove_item(m, e);
        }
        forget(keep, pop_front(m));
    }
    m->credit -= size;
    return true;
}

/*
 * [mem.make-room]: examine the tail until n bytes fit. *keep is the array
 * index of a record the caller still needs (or SIZE_MAX): it is moved, not
 * dropped, and *keep follows it. Below the limit ([mem.elastic]) live
 * records are compacted while the writes' credit lasts (CREDIT_*), before
 * any is evicted.
 */
static bool
make_room(struct model *m, uint32_t now, uint64_t n, size_t *keep)
{
    m->credit += CREDIT_PER_BYTE * n;
    if (m->credit > CREDIT_MAX) {
        m->credit = CREDIT_MAX;
    }
    unsigned chances = 0;
    uint64_t compacted = 0;
    bool kept_moved = false;
    for (;;) {
        restart_if_empty(m);
        grow(m, n);
        if (lap_end_grows(m, now, n, *keep)) {
            grow_cap(m, n);
        }
        if (fits(m, n)) {
            if (wants_clean_ahead(m, n) && clean_ahead(m, now, n, keep)) {
                continue;
            }
            return true;
        }
        struct entry *e = &m->log[0];
        if (!e->live) {
            forget(keep, pop_front(m));
            continue;
        }
        if (*keep == 0) {
            if (kept_moved) {
                return false;
            }
            *keep = move_front_to_head(m, NULL);
            kept_moved = true;
            continue;
        }
        if (flushed(m, e) || expired(e, now)) {
            m->st.reclaimed++;
            if (!e->fetched) {
                m->st.expired_unfetched++;
            }
        } else if (lap_end(m) == NULL && m->cap < m->limit &&
                   4 * (m->st.bytes + n) > m->cap) {
            /* [mem.elastic]: a lap ending on a live record grows (unless
             * sparse: then it is compacted). */
            grow_cap(m, n);
            continue;
        } else {
            bool move;
            if (compacting(m, n)) {
                move = compacted == 0 || m->credit >= e->size;
                if (move) {
                    m->credit = m->credit > e->size ? m->credit - e->size : 0;
                    compacted += e->size;
                }
            } else {
                move = (m->cfg.evict ? e->active : true) &&
                       chances++ < SECOND_CHANCES_MAX;
            }
            if (move) {
                move_front_to_head(m, keep);
                continue;
            }
            if (!m->cfg.evict) {
                return false;
            }
            m->st.evictions++;
            m->st.evicted_nonzero += e->deadline != 0;
            if (!e->fetched) {
                m->st.evicted_unfetched++;
            }
        }
        remove_item(m, e);
        forget(keep, pop_front(m));
    }
}

/* Removes expired and flushed items from the crawl position on, looking at
 * `budget` records at most. Returns whether it removed any. */
static bool
crawl(struct model *m, uint32_t now, unsigned budget)
{
    bool removed = false;
    size_t i = 0;
    while (i < m->count && (m->log[i].gap || m->log[i].pos < m->crawl_pos)) {
        i++;
    }
    for (; budget > 0; budget--) {
        while (i < m->count && m->log[i].gap) {
            i++;
        }
        if (i == m->count) {
            m->crawl_pos = 0; /* from the tail next time */
            break;
        }
        struct entry *e = &m->log[i];
        if (e->live && (flushed(m, e) || expired(e, now))) {
            m->st.reclaimed++;
            if (!e->fetched) {
                m->st.expired_unfetched++;
            }
            remove_item(m, e);
            removed = true;
        }
        m->crawl_pos = e->pos + e->size;
        i++;
    }
    return removed;
}

/* Drops or compacts tail records while that gives memory back, then
 * crawls with what is left of the budget. */
static bool
tick(struct model *m, uint32_t now)
{
    shrink(m, 0);
    unsigned used = 0;
    for (; used < TICK_MAX; used++) {
        restart_if_empty(m);
        if (m->count == 0) {
            break;
        }
        struct entry *e = &m->log[0];
        if (!e->live) {
            pop_front(m);
            continue;
        }
        if (flushed(m, e) || expired(e, now)) {
            m->st.reclaimed++;
            if (!e->fetched) {
                m->st.expired_unfetched++;
            }
            remove_item(m, e);
            pop_front(m);
            continue;
        }
        const struct entry *g = lap_end(m);
        uint64_t extent = g != NULL ? g->phys : m->head_phys;
        bool shrinking = 4 * m->st.bytes <= m->cap && m->cap > m->cap_min;
        if (m->cap_min >= m->limit || (!shrinking && extent <= m->cap)) {
            break;
        }
        move_front_to_head(m, NULL);
    }
    bool removed = crawl(m, now, TICK_MAX - used);
    return used == TICK_MAX || removed;
}

/* Writes a new record for key and makes it the key's item. *keep as in
 * make_room; value is the whole new value. NULL when there is no room. */
static struct entry *
write_item(struct model *m, uint32_t now, const uint8_t *key, size_t key_len,
           const uint8_t *value, size_t value_len, uint32_t flags,
           bool deadline_field, uint32_t deadline, uint64_t cas, size_t *keep)
{
    uint64_t n = item_size(m, key_len, value_len, deadline_field, flags);
    /* The value may point into a record make_room could move: copy it. */
    uint8_t *copy = malloc(value_len + 1);
    CHECK(copy != NULL);
    if (value_len > 0) {
        memcpy(copy, value, value_len);
    }
    if (!make_room(m, now, n, keep)) {
        free(copy);
        return NULL;
    }
    /* The new record goes in while the old one still counts as live; then
     * it takes the old one's place. */
    struct entry *e = append(m, n);
    struct entry *old = find_live(m, key, key_len);
    if (old != NULL) {
        remove_item(m, old);
    }
    e->live = true;
    memcpy(e->key, key, key_len);
    e->key_len = key_len;
    e->value = copy;
    e->value_len = value_len;
    e->flags = flags;
    e->cas = cas;
    e->has_deadline_field = deadline_field;
    e->deadline = deadline;
    m->st.curr_items++;
    m->st.bytes += n;
    return e;
}

static void
view(const struct entry *e, struct store_item *out)
{
    out->key = e->key;
    out->key_len = e->key_len;
    out->value = e->value;
    out->value_len = e->value_len;
    out->flags = e->flags;
    out->cas = e->cas;
    out->deadline_s = e->deadline;
    out->fetched = e->fetched;
    out->stale = e->stale;
    out->win_sent = e->win_sent;
    out->key_binary = e->key_binary;
    out->size = (uint32_t)e->size;
}

/* The view of e, with its stamp. */
static void
view_of(const struct model *m, const struct entry *e, struct store_item *out)
{
    view(e, out);
    out->stamp_s = m->stamps[e->phys / LIMIT_STAMP_CHUNK];
}

static void
begin(struct model *m, uint32_t now)
{
    CHECK(now >= 1 && now >= m->last_now);
    m->last_now = now;
    (void)release(m); /* [mem.elastic]: what the last operation left */
    if (m->flush_due != 0 && now >= m->flush_due) {
        m->flush_pos = m->head; /* [flush.delayed] */
        m->flush_due = 0;
    }
}

/* ---- the operations ---------------------------------------------------- */

struct model *
model_create(const struct store_config *cfg)
{
    if (cfg->mem_limit < 64 || cfg->mem_limit >= ((uint64_t)1 << 32) - 1) {
        return NULL;
    }
    struct model *m = calloc(1, sizeof *m);
    CHECK(m != NULL);
    m->cfg = *cfg;
    m->limit = cfg->mem_limit;
    m->cap_min = cfg->log_cap_min != 0 ? cfg->log_cap_min : CAP_MIN;
    if (!cfg->evict || m->cap_min > m->limit) {
        m->cap_min = m->limit; /* [mem.elastic]: a fixed log */
    }
    if (m->cap_min < 64) {
        m->cap_min = 64;
    }
    m->cap_step = m->cap_min < CAP_STEP ? m->cap_min : CAP_STEP;
    m->cap = m->cap_min;
    if (item_size(m, KEY_MAX, cfg->value_len_max, true, 1) > m->limit) {
        free(m);
        return NULL;
    }
    m->stamps = calloc(m->limit / LIMIT_STAMP_CHUNK + 1, sizeof *m->stamps);
    CHECK(m->stamps != NULL);
    return m;
}

void
model_destroy(struct model **m)
{
    if (m == NULL || *m == NULL) {
        return;
    }
    for (size_t i = 0; i < (*m)->count; i++) {
        free((*m)->log[i].value);
    }
    free((*m)->log);
    free((*m)->stamps);
    free(*m);
    *m = NULL;
}

enum store_status
model_get(struct model *m, uint32_t now, const uint8_t *key, size_t key_len,
          struct store_item *out)
{
    begin(m, now);
    struct entry *e = lookup(m, now, key, key_len);
    if (e == NULL) {
        m->st.get_misses++;
        return STORE_MISS;
    }
    e->fetched = true;
    e->active = true;
    m->st.get_hits++;
    view_of(m, e, out);
    return STORE_OK;
}

enum store_status
model_touch(struct model *m, uint32_t now, const uint8_t *key,
            size_t key_len, int32_t exptime, struct store_item *out)
{
    begin(m, now);
    struct entry *e = lookup(m, now, key, key_len);
    if (e == NULL) {
        m->st.touch_misses++;
        return STORE_MISS;
    }
    uint32_t deadline = deadline_for(exptime, now);
    if (deadline != 0 && now >= deadline) {
        /* [touch.reply]: into the past: the item is returned, then gone. */
        if (out != NULL) {
            view_of(m, e, out);
        }
        remove_item(m, e);
        m->st.touch_hits++;
        return STORE_OK;
    }
    if (e->has_deadline_field) {
        e->deadline = deadline;
    } else if (deadline != 0) {
        /* [mem.item-size]: the item grows a deadline field: rewritten. */
        size_t keep = (size_t)(e - m->log);
        bool stale = e->stale;
        bool win_sent = e->win_sent;
        bool key_binary = e->key_binary;
        struct entry *n =
            write_item(m, now, key, key_len, e->value, e->value_len, e->flags,
                       true, deadline, e->cas, &keep);
        if (n == NULL) {
            m->st.no_memory++;
            return STORE_NO_MEMORY;
        }
        n->stale = stale;
        n->win_sent = win_sent;
        n->key_binary = key_binary;
        e = n;
    }
    e->fetched = true;
    e->active = true;
    m->st.touch_hits++;
    if (out != NULL) {
        view_of(m, e, out);
    }
    return STORE_OK;
}

/* The CAS a write gives: the caller's (meta E, the counter unmoved) or the
 * counter's next; taken by take_cas once the write is done. */
static uint64_t
cas_for(const struct model *m, uint64_t given)
{
    if (!m->cfg.cas_enabled) {
        return 0;
    }
    return given != 0 ? given : m->cas_last + 1;
}

static void
take_cas(struct model *m, uint64_t given)
{
    if (m->cfg.cas_enabled && given == 0) {
        m->cas_last++;
    }
}

enum store_status
model_put(struct model *m, uint32_t now, enum store_mode mode,
          const uint8_t *key, size_t key_len, uint32_t flags, int32_t exptime,
          const uint8_t *value, size_t value_len, uint64_t cas_unique,
          uint64_t *cas_out)
{
    struct store_put_opts none = {0};
    return model_put_opts(m, now, mode, key, key_len, flags, exptime, value,
                          value_len, cas_unique, &none, cas_out);
}

enum store_status
model_put_opts(struct model *m, uint32_t now, enum store_mode mode,
               const uint8_t *key, size_t key_len, uint32_t flags,
               int32_t exptime, const uint8_t *value, size_t value_len,
               uint64_t cas_unique, const struct store_put_opts *o,
               uint64_t *cas_out)
{
    begin(m, now);
    if (value_len > m->cfg.value_len_max) {
        /* [store.too-large]; [store.failed-set] drops the old item. */
        struct entry *old = find_live(m, key, key_len);
        if (mode == STORE_SET && old != NULL) {
            remove_item(m, old);
        }
        return STORE_TOO_LARGE;
    }
    struct entry *old = lookup(m, now, key, key_len);
    bool joining = mode == STORE_APPEND || mode == STORE_PREPEND;
    bool stale = false;
    switch (mode) {
    case STORE_ADD:
        if (old != NULL) {
            old->active = true; /* [store.add]: accessed, not fetched */
            return STORE_NOT_STORED;
        }
        break;
    case STORE_REPLACE:
    case STORE_APPEND:
    case STORE_PREPEND:
        if (old == NULL) {
            if (!joining || !o->vivify) {
                return STORE_NOT_STORED;
            }
            /* [meta.ms-vivify]: a new item of the value, with N's TTL. */
            joining = false;
            exptime = o->vivify_exptime;
        } else if (joining && o->compare &&
                   (!m->cfg.cas_enabled || o->compare_cas != old->cas)) {
            return STORE_EXISTS;
        }
        break;
    case STORE_CAS:
        if (old == NULL) {
            m->st.cas_misses++;
            return STORE_MISS;
        }
        if (m->cfg.cas_enabled && o->invalidate && cas_unique != 0 &&
            cas_unique < old->cas) {
            stale = true; /* [meta.ms-invalidate] */
        } else if (!m->cfg.cas_enabled || cas_unique == 0 ||
                   cas_unique != old->cas) {
            m->st.cas_badval++;
            return STORE_EXISTS;
        }
        break;
    case STORE_SET:
        break;
    }
    uint64_t cas = cas_for(m, o->new_cas);
    uint32_t deadline = deadline_for(exptime, now);
    bool deadline_field = deadline != 0;
    bool win_sent = false;
    bool key_binary = o->key_binary || (joining && old->key_binary);
    if (stale) {
        /* [meta.ms-invalidate]: the old deadline and token stay. */
        deadline = old->deadline;
        deadline_field = old->has_deadline_field;
        win_sent = old->win_sent;
    }
    size_t keep = SIZE_MAX;
    uint8_t *joined = NULL;
    const uint8_t *new_value = value;
    size_t new_len = value_len;
    if (joining) {
        if (old->value_len + value_len > m->cfg.value_len_max) {
            return STORE_NOT_STORED; /* [store.append-too-large] */
        }
        new_len = old->value_len + value_len;
        joined = malloc(new_len + 1);
        CHECK(joined != NULL);
        const uint8_t *first = mode == STORE_APPEND ? old->value : value;
        size_t first_len = mode == STORE_APPEND ? old->value_len : value_len;
        const uint8_t *second = mode == STORE_APPEND ? value : old->value;
        size_t second_len = mode == STORE_APPEND ? value_len : old->value_len;
        if (first_len > 0) {
            memcpy(joined, first, first_len);
        }
        if (second_len > 0) {
            memcpy(joined + first_len, second, second_len);
        }
        new_value = joined;
        flags = old->flags;
        deadline = old->deadline;
        deadline_field = old->has_deadline_field;
        keep = (size_t)(old - m->log);
    }
    struct entry *e = write_item(m, now, key, key_len, new_value, new_len,
                                 flags, deadline_field, deadline, cas, &keep);
    free(joined);
    if (e == NULL) {
        m->st.no_memory++;
        struct entry *still = find_live(m, key, key_len);
        if (mode == STORE_SET && still != NULL) {
            remove_item(m, still);
        }
        return STORE_NO_MEMORY;
    }
    e->stale = stale;
    e->win_sent = win_sent;
    e->key_binary = key_binary;
    take_cas(m, o->new_cas);
    m->st.total_items++;
    if (mode == STORE_CAS) {
        m->st.cas_hits++;
    }
    if (cas_out != NULL) {
        *cas_out = cas;
    }
    return STORE_OK;
}

enum store_status
model_delete(struct model *m, uint32_t now, const uint8_t *key,
             size_t key_len)
{
    struct store_delete_opts none = {0};
    return model_delete_opts(m, now, key, key_len, &none);
}

/* Gives e a new deadline; the record grows a deadline field when it needs
 * one (a rewrite). NULL when there is no room. */
static struct entry *
redeadline(struct model *m, uint32_t now, struct entry *e, uint32_t deadline)
{
    if (e->has_deadline_field || deadline == 0) {
        if (e->has_deadline_field) {
            e->deadline = deadline;
        }
        return e;
    }
    struct entry was = *e;
    size_t keep = (size_t)(e - m->log);
    struct entry *n = write_item(m, now, was.key, was.key_len, was.value,
                                 was.value_len, was.flags, true, deadline,
                                 was.cas, &keep);
    if (n == NULL) {
        return NULL;
    }
    n->fetched = was.fetched;
    n->active = was.active;
    n->stale = was.stale;
    n->win_sent = was.win_sent;
    n->key_binary = was.key_binary;
    return n;
}

enum store_status
model_delete_opts(struct model *m, uint32_t now, const uint8_t *key,
                  size_t key_len, const struct store_delete_opts *o)
{
    begin(m, now);
    struct entry *e = lookup(m, now, key, key_len);
    if (e == NULL) {
        m->st.delete_misses++;
        return STORE_MISS;
    }
    if (o->compare && (!m->cfg.cas_enabled || o->compare_cas != e->cas)) {
        m->st.delete_misses++;
        return STORE_EXISTS;
    }
    if (!o->invalidate && !o->clear_value) {
        remove_item(m, e);
        m->st.delete_hits++;
        return STORE_OK;
    }
    uint32_t deadline = o->touch ? deadline_for(o->exptime, now) : 0;
    if (o->clear_value) {
        /* [meta.md-clear]: a new empty item, CAS kept (or E's), deadline
         * T's or none. */
        uint64_t cas = o->new_cas != 0 ? o->new_cas : e->cas;
        bool key_binary = e->key_binary;
        size_t keep = (size_t)(e - m->log);
        e = write_item(m, now, key, key_len, NULL, 0, 0, deadline != 0,
                       deadline, m->cfg.cas_enabled ? cas : 0, &keep);
        if (e == NULL) {
            m->st.no_memory++;
            return STORE_NO_MEMORY;
        }
        e->key_binary = key_binary;
    }
    if (!o->invalidate) {
        m->st.delete_hits++;
        return STORE_OK;
    }
    /* [meta.md-invalidate]: T first, so that no room changes nothing. */
    if (o->touch) {
        e = redeadline(m, now, e, deadline);
        if (e == NULL) {
            m->st.no_memory++;
            return STORE_NO_MEMORY;
        }
    }
    e->cas = cas_for(m, o->new_cas);
    take_cas(m, o->new_cas);
    e->stale = true;
    e->win_sent = false;
    return STORE_OK;
}

/*
 * [incr.value], read with libc rather than src/common/decimal.c (which the
 * store uses, so it is what this checks): optional leading whitespace, an
 * optional sign, at least one digit, then the end, a whitespace byte or a
 * NUL byte (memcached reads the value as a C string); a
 * value out of 64 bits, or negative as [num.range] reads a '-', is not a
 * number.
 */
static bool
counter_value(const uint8_t *bytes, size_t len, uint64_t *out)
{
    char *text = malloc(len + 1);
    CHECK(text != NULL);
    memcpy(text, bytes, len);
    text[len] = '\0';
    const char *p = text;
    while (isspace((unsigned char)*p)) {
        p++;
    }
    bool minus = *p == '-';
    bool digit = isdigit((unsigned char)p[*p == '+' || *p == '-']) != 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    size_t at = (size_t)(end - text);
    bool ok = digit && errno == 0 &&
              (at == len || text[at] == '\0' ||
               isspace((unsigned char)text[at])) &&
              !(minus && (long long)v < 0);
    free(text);
    *out = v;
    return ok;
}

enum store_status
model_arith(struct model *m, uint32_t now, const uint8_t *key,
            size_t key_len, bool incr, uint64_t delta, uint64_t *result)
{
    struct store_arith_opts none = {0};
    return model_arith_opts(m, now, key, key_len, incr, delta, &none, result,
                            NULL, NULL);
}

enum store_status
model_arith_opts(struct model *m, uint32_t now, const uint8_t *key,
                 size_t key_len, bool incr, uint64_t delta,
                 const struct store_arith_opts *o, uint64_t *result,
                 struct store_item *out, bool *created)
{
    begin(m, now);
    if (created != NULL) {
        *created = false;
    }
    struct entry *e = lookup(m, now, key, key_len);
    char digits[24];
    if (e == NULL) {
        if (!o->vivify) {
            if (incr) {
                m->st.incr_misses++;
            } else {
                m->st.decr_misses++;
            }
            return STORE_MISS;
        }
        /* [meta.ma-vivify]: the initial value, no delta applied. */
        size_t len =
            (size_t)snprintf(digits, sizeof digits, "%" PRIu64, o->initial);
        uint32_t deadline = deadline_for(o->vivify_exptime, now);
        size_t keep = SIZE_MAX;
        e = write_item(m, now, key, key_len, (const uint8_t *)digits, len, 0,
                       deadline != 0,
                       deadline, cas_for(m, o->new_cas), &keep);
        if (e == NULL) {
            m->st.no_memory++;
            return STORE_NO_MEMORY;
        }
        take_cas(m, o->new_cas);
        m->st.total_items++;
        e->key_binary = o->key_binary;
        if (created != NULL) {
            *created = true;
        }
        *result = o->initial;
        if (out != NULL) {
            view_of(m, e, out);
        }
        return STORE_OK;
    }
    /* [incr.cas-order]: emptiness first, then the CAS, then the digits. */
    if (e->value_len == 0) {
        return STORE_NON_NUMERIC;
    }
    if (o->compare && (!m->cfg.cas_enabled || o->compare_cas != e->cas)) {
        return STORE_EXISTS;
    }
    uint64_t value;
    if (!counter_value(e->value, e->value_len, &value)) {
        return STORE_NON_NUMERIC;
    }
    value = incr ? value + delta : (delta > value ? 0 : value - delta);
    size_t len = (size_t)snprintf(digits, sizeof digits, "%" PRIu64, value);
    e->active = true; /* an access, not a fetch */
    uint64_t cas = cas_for(m, o->new_cas);
    /* T comes with the digits: all of the request, or none of it. */
    uint32_t deadline = o->touch ? deadline_for(o->exptime, now) : e->deadline;
    bool field = e->has_deadline_field || deadline != 0;
    if (len == e->value_len && field == e->has_deadline_field) {
        memcpy(e->value, digits, len);
        e->cas = cas;
        e->deadline = deadline;
    } else {
        struct entry was = *e;
        size_t keep = (size_t)(e - m->log);
        e = write_item(m, now, key, key_len, (const uint8_t *)digits, len,
                       was.flags, field, deadline, cas, &keep);
        if (e == NULL) {
            m->st.no_memory++;
            return STORE_NO_MEMORY;
        }
        e->fetched = was.fetched;
        e->active = true;
        e->stale = was.stale;
        e->win_sent = was.win_sent;
        e->key_binary = was.key_binary;
    }
    take_cas(m, o->new_cas);
    if (incr) {
        m->st.incr_hits++;
    } else {
        m->st.decr_hits++;
    }
    *result = value;
    if (out != NULL) {
        view_of(m, e, out);
    }
    return STORE_OK;
}

enum store_status
model_fetch(struct model *m, uint32_t now, const uint8_t *key,
            size_t key_len, const struct store_fetch_opts *o,
            struct store_fetch_result *out)
{
    begin(m, now);
    memset(out, 0, sizeof *out);
    struct entry *e = lookup(m, now, key, key_len);
    if (e == NULL) {
        if (!o->vivify) {
            if (o->peek) {
                /* counts nothing */
            } else if (o->touch) {
                m->st.touch_misses++;
            } else {
                m->st.get_misses++;
            }
            return STORE_MISS;
        }
        /* [meta.mg-vivify] */
        uint32_t deadline = deadline_for(o->vivify_exptime, now);
        size_t keep = SIZE_MAX;
        e = write_item(m, now, key, key_len, NULL, 0, 0, deadline != 0,
                       deadline, cas_for(m, o->new_cas), &keep);
        if (e == NULL) {
            m->st.no_memory++;
            return STORE_NO_MEMORY;
        }
        take_cas(m, o->new_cas);
        e->key_binary = o->key_binary;
        if (!o->no_bump) {
            e->fetched = true;
            e->active = true;
        }
        m->st.total_items++;
        if (o->touch) {
            m->st.touch_hits++; /* a vivified miss counts as a hit */
        } else {
            m->st.get_hits++;
        }
        e->win_sent = true;
        view_of(m, e, &out->item);
        out->deadline_before_s = e->deadline;
        out->stamp_before_s = out->item.stamp_s;
        out->won = true;
        out->vivified = true;
        return STORE_OK;
    }
    out->deadline_before_s = e->deadline;
    out->stamp_before_s = m->stamps[e->phys / LIMIT_STAMP_CHUNK];
    out->fetched_before = e->fetched;
    out->win_sent_before = e->win_sent;
    out->stale = e->stale;
    if (o->touch) {
        uint32_t deadline = deadline_for(o->exptime, now);
        if (deadline != 0 && now >= deadline) {
            view_of(m, e, &out->item);
            out->item.deadline_s = deadline;
            remove_item(m, e);
            m->st.touch_hits++;
            return STORE_OK;
        }
        e = redeadline(m, now, e, deadline);
        if (e == NULL) {
            m->st.no_memory++;
            return STORE_NO_MEMORY;
        }
    }
    /* [meta.win]: R sees the deadline before T when it came first. */
    uint32_t seen = o->recache_first ? out->deadline_before_s : e->deadline;
    bool wants = e->stale ||
                 (o->recache && seen > now && seen - now < o->recache_s);
    if (wants && !e->win_sent) {
        e->win_sent = true;
        out->won = true;
    }
    if (!o->peek) {
        if (!o->no_bump) {
            e->fetched = true;
            e->active = true;
        }
        if (o->touch) {
            m->st.touch_hits++;
        } else {
            m->st.get_hits++;
        }
    }
    view_of(m, e, &out->item);
    return STORE_OK;
}

void
model_flush(struct model *m, uint32_t now, int32_t delay)
{
    begin(m, now);
    uint32_t due = delay > 0 ? deadline_for(delay, now) : now;
    if (due <= now) {
        m->flush_pos = m->head; /* [flush.immediate] */
        m->flush_due = 0;
        if (m->cfg.cas_enabled) {
            m->cas_last++; /* [cas.counter] */
        }
    } else {
        m->flush_due = due;
    }
}

void
model_stats(const struct model *m, struct store_stats *out)
{
    *out = m->st;
}

void
model_stats_reset(struct model *m)
{
    struct store_stats kept = {.curr_items = m->st.curr_items,
                               .bytes = m->st.bytes};
    m->st = kept;
}

void
model_walk(const struct model *m,
           void (*visit)(void *ctx, const struct store_walk_entry *e),
           void *ctx)
{
    for (size_t i = 0; i < m->count; i++) {
        const struct entry *e = &m->log[i];
        struct store_walk_entry w = {
            .pos = e->pos,
            .phys = e->phys,
            .size = e->size,
            .gap = e->gap,
        };
        if (!e->gap) {
            w.live = e->live;
            w.fetched = e->fetched;
            w.active = e->active;
            w.key = e->key;
            w.key_len = e->key_len;
        }
        visit(ctx, &w);
    }
}

bool
model_tick(struct model *m, uint32_t now)
{
    begin(m, now);
    bool more = tick(m, now);
    bool more_release = release(m);
    return more || more_release;
}

void
model_memory(const struct model *m, uint64_t *cap, uint64_t *held)
{
    *cap = m->cap;
    *held = m->held;
}
