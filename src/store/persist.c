/* persist.c - the store's image at a graceful stop, and its checked restore. */
#include "persist.h"

#include <string.h>

#include "../common/check.h"
#include "../common/limits.h"
#include "record.h"
#include "store_private.h"

const char *
store_restore_reason(enum store_restore_status st)
{
    switch (st) {
    case STORE_RESTORED:
        return "restored";
    case STORE_RESTORE_SETTINGS:
        return "written with other settings (-m, -I, -C or -M)";
    case STORE_RESTORE_CLOCK:
        return "the clock is before the last operation saved";
    case STORE_RESTORE_LAYOUT:
        return "the saved log positions are impossible";
    case STORE_RESTORE_CHECKSUM:
        return "the data file's records do not match their checksum";
    case STORE_RESTORE_RECORD:
        return "a record in the data file does not decode";
    case STORE_RESTORE_MEMORY:
        return "no memory for the store";
    }
    return "unknown";
}

static uint64_t
mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x9e3779b97f4a7c15u;
    return h ^ (h >> 29);
}

uint64_t
store_image_sum(const uint8_t *p, uint64_t n, uint64_t seed)
{
    /* Four independent lanes keep the multiplier busy. */
    uint64_t a = seed ^ 0x243f6a8885a308d3u, b = seed ^ 0x13198a2e03707344u,
             c = seed ^ 0xa4093822299f31d0u, d = seed ^ 0x082efa98ec4e6c89u;
    uint64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        uint64_t w[4];
        memcpy(w, p + i, sizeof w);
        a = mix(a, w[0]);
        b = mix(b, w[1]);
        c = mix(c, w[2]);
        d = mix(d, w[3]);
    }
    for (; i < n; i++) {
        a = mix(a, p[i]);
    }
    return mix(mix(mix(mix(mix(a, b), c), d), n), seed);
}

/* The record bytes: [tail, lap_end) then [0, head) when wrapped. */
static uint64_t
records_sum(const uint8_t *base, uint64_t tail, uint64_t head, bool wrapped,
            uint64_t lap_end)
{
    if (!wrapped) {
        return store_image_sum(base + tail, head - tail, 0);
    }
    uint64_t first = store_image_sum(base + tail, lap_end - tail, 0);
    return store_image_sum(base, head, first);
}

void
store_image_of(const struct store *s, struct store_image *out)
{
    CHECK(s != NULL);
    CHECK(out != NULL);
    const struct log *l = &s->log;
    *out = (struct store_image){
        .mem_limit = s->cfg.mem_limit,
        .value_len_max = s->cfg.value_len_max,
        .cas_enabled = s->cfg.cas_enabled,
        .evict = s->cfg.evict,
        .cap = l->cap,
        .head = l->head,
        .tail = l->tail,
        .wrapped = l->wrapped,
        .lap_end = l->lap_end,
        .head_abs = l->head_abs,
        .tail_abs = l->tail_abs,
        .crawl_abs = s->crawl_abs,
        .credit = s->credit,
        .cas_last = s->cas_last,
        .cas_given_max = s->cas_given_max,
        .flush_abs = s->flush_abs,
        .flush_pending_s = s->flush_pending_s,
        .last_now_s = s->last_now_s,
    };
    out->records_sum =
        records_sum(l->base, l->tail, l->head, l->wrapped, l->lap_end);
}

/* Whether the positions describe a log of this limit and alignment, with
 * every invariant store_check asks of a log. */
static bool
layout_ok(const struct store_image *img, const struct store *s)
{
    const struct log *l = &s->log;
    uint64_t a = l->align;
    if (!s->cfg.cas_enabled && (img->cas_last != 0 || img->cas_given_max != 0)) {
        return false;
    }
    if (img->cap < s->cap_min || img->cap > l->limit || img->cap % a != 0 ||
        img->head % a != 0 || img->tail % a != 0 || img->lap_end % a != 0 ||
        img->tail_abs > img->head_abs || img->flush_abs > img->head_abs ||
        img->credit > LIMIT_COMPACT_CREDIT_MAX) {
        return false;
    }
    uint64_t used = img->head_abs - img->tail_abs;
    if (img->wrapped) {
        return img->head > 0 && img->head <= img->tail &&
               img->tail < img->lap_end &&
               img->lap_end <= l->limit &&
               (img->lap_end - img->tail) + img->head == used;
    }
    return img->tail <= img->head && img->head <= l->limit &&
           img->head - img->tail == used;
}

/* record_decode with every field checked against the avail bytes left in
 * the lap and the configuration; false for anything a store never writes. */
static bool
decode_checked(const struct store *s, const uint8_t *p, uint64_t avail,
               struct record *r)
{
    uint32_t fixed = s->cfg.cas_enabled ? REC_FIXED_CAS : REC_FIXED_NO_CAS;
    if (avail < (uint64_t)fixed + 1 || record_is_gap(p[REC_OFF_BITS]) ||
        p[REC_OFF_KEY_LEN] == 0 || p[REC_OFF_KEY_LEN] > LIMIT_KEY_LEN) {
        return false;
    }
    if ((p[REC_OFF_BITS] & REC_KEY_BINARY) && !(p[REC_OFF_BITS] & REC_LIVE)) {
        return false;
    }
    /* The varint: at most 5 bytes, inside the lap, at most -I. */
    uint64_t value_len = 0;
    uint32_t at = fixed;
    for (uint32_t shift = 0;; shift += 7) {
        if (shift > 28 || at >= avail) {
            return false;
        }
        uint8_t byte = p[at++];
        value_len |= (uint64_t)(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) {
            break;
        }
    }
    if (value_len > s->cfg.value_len_max) {
        return false;
    }
    uint32_t extra = ((p[REC_OFF_BITS] & REC_HAS_DEADLINE) ? 4u : 0u) +
                     ((p[REC_OFF_BITS] & REC_HAS_FLAGS) ? 4u : 0u);
    if ((uint64_t)at + extra + p[REC_OFF_KEY_LEN] + value_len > avail) {
        return false;
    }
    record_decode(p, s->cfg.cas_enabled, s->log.align, r);
    if ((r->bits & REC_HAS_FLAGS) && r->flags == 0) {
        return false;
    }
    return r->size <= avail && r->size >= (uint64_t)r->value_off + r->value_len;
}

/* Checks one lap's records in [from, to), counting the live ones in
 * *live, and indexes them when insert; false on a bad record. */
static bool
index_lap(struct store *s, uint64_t from, uint64_t to, bool insert,
          uint64_t *live)
{
    uint64_t pos = from;
    while (pos < to) {
        const uint8_t *p = s->log.base + pos;
        struct record r;
        if (!decode_checked(s, p, to - pos, &r)) {
            return false;
        }
        uint32_t ref = log_ref(&s->log, pos);
        uint64_t cas = s->cfg.cas_enabled ? rec_load64(p + REC_OFF_CAS) : 0;
        if (cas > s->cas_last && cas > s->cas_given_max) {
            return false; /* a unique the counter never gave */
        }
        if ((r.bits & REC_LIVE) && !insert) {
            ++*live;
        } else if (r.bits & REC_LIVE) {
            uint64_t hash = index_hash(&s->index, p + r.key_off, r.key_len);
            if (index_find(&s->index, hash, p + r.key_off, r.key_len) != 0) {
                return false; /* a key twice: one of them is not ours */
            }
            index_insert(&s->index, hash, ref);
            index_step(&s->index);
            s->st.curr_items++;
            s->st.bytes += r.size;
        }
        pos += r.size;
    }
    return true;
}

static bool
index_all(struct store *s, const struct store_image *img, bool insert)
{
    uint64_t live = 0;
    bool ok = img->wrapped
                  ? index_lap(s, img->tail, img->lap_end, insert, &live) &&
                        index_lap(s, 0, img->head, insert, &live)
                  : index_lap(s, img->tail, img->head, insert, &live);
    if (ok && !insert) {
        s->st.curr_items = live; /* the count, until the insert pass */
    }
    return ok;
}

/* An index already as large as the items need, so that the restore does
 * not wait on incremental doublings; the configured size when that fails. */
static bool
size_index(struct store *s)
{
    unsigned log2 = s->cfg.index_size_log2;
    while (log2 < 32 && (1ull << log2) < s->st.curr_items) {
        log2++;
    }
    s->st.curr_items = 0;
    if (log2 == s->cfg.index_size_log2) {
        return true;
    }
    index_deinit(&s->index);
    if (index_init(&s->index, &s->log, s->cfg.cas_enabled, s->cfg.hash_seed,
                   log2)) {
        return true;
    }
    return index_init(&s->index, &s->log, s->cfg.cas_enabled,
                      s->cfg.hash_seed, s->cfg.index_size_log2);
}

struct store *
store_restore(const struct store_config *cfg, const struct store_image *img,
              uint32_t now_s, enum store_restore_status *why)
{
    CHECK(cfg != NULL && cfg->memory != NULL);
    CHECK(img != NULL && why != NULL);
    if (img->mem_limit != cfg->mem_limit ||
        img->value_len_max != cfg->value_len_max ||
        img->cas_enabled != cfg->cas_enabled || img->evict != cfg->evict) {
        *why = STORE_RESTORE_SETTINGS;
        return NULL;
    }
    if (now_s < img->last_now_s) {
        *why = STORE_RESTORE_CLOCK;
        return NULL;
    }
    struct store *s = store_create(cfg);
    if (s == NULL) {
        *why = STORE_RESTORE_MEMORY;
        return NULL;
    }
    struct log *l = &s->log;
    *why = STORE_RESTORED;
    if (!layout_ok(img, s)) {
        *why = STORE_RESTORE_LAYOUT;
    } else if (records_sum(l->base, img->tail, img->head, img->wrapped,
                           img->lap_end) != img->records_sum) {
        *why = STORE_RESTORE_CHECKSUM;
    } else {
        l->cap = img->cap;
        l->head = img->head;
        l->tail = img->tail;
        l->wrapped = img->wrapped;
        l->lap_end = img->lap_end;
        l->head_abs = img->head_abs;
        l->tail_abs = img->tail_abs;
        l->held = l->limit; /* whatever lies past the records goes back */
        s->cas_last = img->cas_last;
        s->cas_given_max = img->cas_given_max;
        if (!index_all(s, img, false)) {
            *why = STORE_RESTORE_RECORD;
        } else if (!size_index(s)) {
            *why = STORE_RESTORE_MEMORY;
        } else if (!index_all(s, img, true)) {
            *why = STORE_RESTORE_RECORD;
        }
    }
    if (*why != STORE_RESTORED) {
        store_destroy(&s);
        return NULL;
    }
    s->crawl_abs = img->crawl_abs < img->tail_abs ? img->tail_abs
                   : img->crawl_abs > img->head_abs ? img->head_abs
                                                    : img->crawl_abs;
    s->credit = img->credit;
    s->cas_last = img->cas_last;
    s->cas_given_max = img->cas_given_max;
    s->flush_abs = img->flush_abs;
    s->flush_pending_s = img->flush_pending_s;
    s->last_now_s = img->last_now_s;
    uint64_t chunks = (l->limit + LIMIT_STAMP_CHUNK - 1) / LIMIT_STAMP_CHUNK;
    for (uint64_t c = 0; c < chunks; c++) {
        s->stamps[c] = img->last_now_s;
    }
    return s;
}
