/*
 * model.h - the oracle for the store: spec/protocol.md §5-§14, written as
 * plainly as possible.
 *
 * The model keeps every record of the log (live, removed, or a gap) in an
 * array in log order, finds keys by scanning that array, and copies values
 * into memory of its own. It predicts replies, CAS uniques, statistics and the
 * exact log layout (and so every eviction) of a store with the same
 * configuration driven by the same calls. It shares only the store's types
 * (statuses, modes, views, statistics) so the two can be compared; none of
 * its logic. Speed is no concern: every operation is O(n).
 *
 * The log's memory is modelled by offsets: each record's place, the cap
 * where the head wraps, and how much memory is held ([mem.elastic]).
 *
 * Limits: memory limits below 4 GiB (so records need no alignment).
 */
#ifndef MCREF_MODEL_H
#define MCREF_MODEL_H

#include "../../src/store/store.h"

struct model;

/* NULL if the configuration is one the store would refuse, or no memory. */
struct model *model_create(const struct store_config *cfg);
void model_destroy(struct model **m);

/* The same contracts as store_get, store_touch, ... in store.h. Views point
 * into the model and stay valid until the next model call. */
enum store_status model_get(struct model *m, uint32_t now_s,
                            const uint8_t *key, size_t key_len,
                            struct store_item *out);
enum store_status model_touch(struct model *m, uint32_t now_s,
                              const uint8_t *key, size_t key_len,
                              int32_t exptime, struct store_item *out);
enum store_status model_put(struct model *m, uint32_t now_s,
                            enum store_mode mode, const uint8_t *key,
                            size_t key_len, uint32_t flags, int32_t exptime,
                            const uint8_t *value, size_t value_len,
                            uint64_t cas_unique, uint64_t *cas_out);
enum store_status model_delete(struct model *m, uint32_t now_s,
                               const uint8_t *key, size_t key_len);
enum store_status model_arith(struct model *m, uint32_t now_s,
                              const uint8_t *key, size_t key_len, bool incr,
                              uint64_t delta, uint64_t *result);
/* The meta operations, as store_fetch, store_put_opts, ... in store.h. */
enum store_status model_fetch(struct model *m, uint32_t now_s,
                              const uint8_t *key, size_t key_len,
                              const struct store_fetch_opts *o,
                              struct store_fetch_result *out);
enum store_status model_put_opts(struct model *m, uint32_t now_s,
                                 enum store_mode mode, const uint8_t *key,
                                 size_t key_len, uint32_t flags,
                                 int32_t exptime, const uint8_t *value,
                                 size_t value_len, uint64_t cas_unique,
                                 const struct store_put_opts *o,
                                 uint64_t *cas_out);
enum store_status model_delete_opts(struct model *m, uint32_t now_s,
                                    const uint8_t *key, size_t key_len,
                                    const struct store_delete_opts *o);
enum store_status model_arith_opts(struct model *m, uint32_t now_s,
                                   const uint8_t *key, size_t key_len,
                                   bool incr, uint64_t delta,
                                   const struct store_arith_opts *o,
                                   uint64_t *result, struct store_item *out,
                                   bool *created);
void model_flush(struct model *m, uint32_t now_s, int32_t delay);
bool model_tick(struct model *m, uint32_t now_s);
/* [mem.elastic]: where the head wraps, and the memory held (store_info's
 * log_cap and log_held). */
void model_memory(const struct model *m, uint64_t *cap, uint64_t *held);
void model_stats(const struct model *m, struct store_stats *out);
void model_stats_reset(struct model *m);
void model_walk(const struct model *m,
                void (*visit)(void *ctx, const struct store_walk_entry *e),
                void *ctx);

#endif
