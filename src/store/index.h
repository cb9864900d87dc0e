/*
 * index.h - the hash index from keys to live records ([mem.accounting]).
 *
 * Separate chaining through each record's 4-byte next field, with bucket
 * arrays of 4-byte refs. When the item count exceeds the bucket count the
 * table doubles; the old table's buckets then move over a few per operation
 * (index_step), so no operation does O(n) work. Lookups during a move look in
 * whichever table holds the key's bucket. Allocation happens only at init and
 * when a table doubles; if that allocation fails, the index keeps its size and
 * chains grow longer.
 *
 * The index holds refs into the log it was given; it never owns records.
 */
#ifndef MCREF_INDEX_H
#define MCREF_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct log;

struct index {
    const struct log *log;
    bool with_cas;         /* record layout, see record.h */
    uint64_t seed;
    uint8_t *table;        /* size buckets of 4-byte refs */
    uint64_t size;         /* a power of two */
    uint8_t *old;          /* the table being moved from, or NULL */
    uint64_t old_size;
    uint64_t old_next;     /* old buckets below this have moved */
    uint64_t count;        /* records indexed */
};

bool index_init(struct index *x, const struct log *log, bool with_cas,
                uint64_t seed, unsigned size_log2);
void index_deinit(struct index *x);

uint64_t index_hash(const struct index *x, const uint8_t *key, size_t len);

/* The ref of the record with this key, or 0. */
uint32_t index_find(const struct index *x, uint64_t hash, const uint8_t *key,
                    size_t len);

/* Adds a record; its key must not be indexed already. */
void index_insert(struct index *x, uint64_t hash, uint32_t ref);

/* Removes a record that is indexed. */
void index_remove(struct index *x, uint64_t hash, uint32_t ref);

/* Points the index at new_ref instead of old_ref (a record that moved; its
 * next field moved with it). */
void index_relink(struct index *x, uint64_t hash, uint32_t old_ref,
                  uint32_t new_ref);

/* Moves a few buckets of a pending resize, and starts one when the table is
 * full. Called once per store operation. */
void index_step(struct index *x);

/* Bytes of bucket arrays held. */
uint64_t index_bytes(const struct index *x);

/* Calls visit(ctx, ref) for every indexed record (O(n), for checks). */
void index_visit(const struct index *x, void (*visit)(void *ctx, uint32_t ref),
                 void *ctx);

#endif
