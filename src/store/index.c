/* index.c - chained hash index with incremental doubling. */
#include "index.h"

#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "../common/limits.h"
#include "hash.h"
#include "log.h"
#include "record.h"

static uint8_t *
slot_in(uint8_t *table, uint64_t bucket)
{
    return table + bucket * 4;
}

/* The bucket slot that holds the chain for this hash. */
static uint8_t *
bucket_slot(const struct index *x, uint64_t hash)
{
    if (x->old != NULL) {
        uint64_t old_bucket = hash & (x->old_size - 1);
        if (old_bucket >= x->old_next) {
            return slot_in(x->old, old_bucket);
        }
    }
    return slot_in(x->table, hash & (x->size - 1));
}

static uint8_t *
next_slot(const struct index *x, uint32_t ref)
{
    return log_ptr(x->log, ref) + REC_OFF_NEXT;
}

bool
index_init(struct index *x, const struct log *log, bool with_cas,
           uint64_t seed, unsigned size_log2)
{
    CHECK(x != NULL);
    CHECK(log != NULL);
    CHECK(size_log2 >= 1);
    CHECK(size_log2 <= 32);
    memset(x, 0, sizeof *x);
    x->log = log;
    x->with_cas = with_cas;
    x->seed = seed;
    x->size = (uint64_t)1 << size_log2;
    x->table = calloc((size_t)x->size, 4);
    return x->table != NULL;
}

void
index_deinit(struct index *x)
{
    CHECK(x != NULL);
    free(x->table);
    free(x->old);
    x->table = NULL;
    x->old = NULL;
}

uint64_t
index_hash(const struct index *x, const uint8_t *key, size_t len)
{
    return hash_key(key, len, x->seed);
}

uint32_t
index_find(const struct index *x, uint64_t hash, const uint8_t *key,
           size_t len)
{
    uint32_t ref = rec_load32(bucket_slot(x, hash));
    while (ref != 0) {
        const uint8_t *p = log_ptr(x->log, ref);
        if (p[REC_OFF_KEY_LEN] == len) {
            struct record r;
            record_decode(p, x->with_cas, x->log->align, &r);
            if (memcmp(p + r.key_off, key, len) == 0) {
                return ref;
            }
        }
        ref = rec_load32(p + REC_OFF_NEXT);
    }
    return 0;
}

void
index_insert(struct index *x, uint64_t hash, uint32_t ref)
{
    CHECK(ref != 0);
    uint8_t *slot = bucket_slot(x, hash);
    rec_store32(next_slot(x, ref), rec_load32(slot));
    rec_store32(slot, ref);
    x->count++;
}

/* The slot (bucket or a record's next field) that holds ref. */
static uint8_t *
find_slot(const struct index *x, uint64_t hash, uint32_t ref)
{
    uint8_t *slot = bucket_slot(x, hash);
    for (;;) {
        uint32_t here = rec_load32(slot);
        CHECK(here != 0); /* the record must be in its chain */
        if (here == ref) {
            return slot;
        }
        slot = next_slot(x, here);
    }
}

void
index_remove(struct index *x, uint64_t hash, uint32_t ref)
{
    uint8_t *slot = find_slot(x, hash, ref);
    rec_store32(slot, rec_load32(next_slot(x, ref)));
    CHECK(x->count > 0);
    x->count--;
}

void
index_relink(struct index *x, uint64_t hash, uint32_t old_ref,
             uint32_t new_ref)
{
    rec_store32(find_slot(x, hash, old_ref), new_ref);
}

static void
move_old_bucket(struct index *x, uint64_t bucket)
{
    uint8_t *slot = slot_in(x->old, bucket);
    uint32_t ref = rec_load32(slot);
    while (ref != 0) {
        uint8_t *p = log_ptr(x->log, ref);
        uint32_t next = rec_load32(p + REC_OFF_NEXT);
        struct record r;
        record_decode(p, x->with_cas, x->log->align, &r);
        uint64_t hash = index_hash(x, p + r.key_off, r.key_len);
        uint8_t *dest = slot_in(x->table, hash & (x->size - 1));
        rec_store32(p + REC_OFF_NEXT, rec_load32(dest));
        rec_store32(dest, ref);
        ref = next;
    }
    rec_store32(slot, 0);
}

void
index_step(struct index *x)
{
    if (x->old != NULL) {
        for (int i = 0;
             i < LIMIT_INDEX_MOVES_PER_STEP && x->old_next < x->old_size;
             i++) {
            move_old_bucket(x, x->old_next);
            x->old_next++;
        }
        if (x->old_next == x->old_size) {
            free(x->old);
            x->old = NULL;
        }
        return;
    }
    /* count never reaches 2^32 (refs are 32-bit), so neither does size. */
    if (x->count > x->size) {
        uint8_t *bigger = calloc((size_t)x->size * 2, 4);
        if (bigger == NULL) {
            return; /* keep the table; chains grow longer */
        }
        x->old = x->table;
        x->old_size = x->size;
        x->old_next = 0;
        x->table = bigger;
        x->size *= 2;
    }
}

uint64_t
index_bytes(const struct index *x)
{
    return x->size * 4 + (x->old != NULL ? x->old_size * 4 : 0);
}

static void
visit_table(const struct index *x, uint8_t *table, uint64_t from, uint64_t to,
            void (*visit)(void *ctx, uint32_t ref), void *ctx)
{
    for (uint64_t b = from; b < to; b++) {
        uint32_t ref = rec_load32(slot_in(table, b));
        while (ref != 0) {
            uint32_t next = rec_load32(next_slot(x, ref));
            visit(ctx, ref);
            ref = next;
        }
    }
}

void
index_visit(const struct index *x, void (*visit)(void *ctx, uint32_t ref),
            void *ctx)
{
    visit_table(x, x->table, 0, x->size, visit, ctx);
    if (x->old != NULL) {
        visit_table(x, x->old, x->old_next, x->old_size, visit, ctx);
    }
}
