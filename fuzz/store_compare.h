/*
 * store_compare.h - the store and its oracle model (spec/model/) compared:
 * views, statistics and the whole log layout. Used by fuzz_store (and its
 * poisoned memory by tests/prop/prop_store).
 *
 * A difference prints what differs, with the operation that led to it (a
 * caller's description), and aborts through CHECK(). The comparer keeps its
 * own buffers between calls so a long operation sequence allocates little.
 */
#ifndef MCREF_FUZZ_STORE_COMPARE_H
#define MCREF_FUZZ_STORE_COMPARE_H

#include "../spec/model/model.h"
#include "../src/store/store.h"

struct store_compare;

/* Memory for the store's log that is overwritten with 0xA5 when released
 * ([mem.elastic]): a record read after its release decodes as garbage. */
extern const struct store_memory store_compare_poison_memory;

struct store_compare *store_compare_create(void);
void store_compare_destroy(struct store_compare **c);

/* Two views of the same item: key, value, flags, CAS unique and deadline. */
void store_compare_views(const char *op, const struct store_item *real,
                         const struct store_item *model);

/*
 * The whole state after an operation: store_check(), every statistic, and
 * every record and gap of the log in order (position, offset, size,
 * liveness, the fetched and accessed marks, the full key), the log's cap and
 * the memory it holds.
 */
void store_compare_state(struct store_compare *c, const char *op,
                         const struct store *s, const struct model *m);

#endif
