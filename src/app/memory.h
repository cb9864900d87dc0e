/*
 * memory.h - the store's log memory from the kernel ([mem.elastic]).
 *
 * The log's whole limit is reserved with mmap (untouched pages cost nothing);
 * the ranges the store reports as unneeded go back with madvise(DONTNEED), so
 * resident memory follows what the store holds. The store itself makes no
 * system call: it only calls these through struct store_memory.
 */
#ifndef MCREF_APP_MEMORY_H
#define MCREF_APP_MEMORY_H

#include <stdint.h>

#include "../store/store.h"

/* The interface to put in store_config.memory; valid for the whole run.
 * The reservation is aligned to, and released in whole, units: huge pages
 * where transparent huge pages are allowed (`always` or `madvise`), else
 * base pages. */
const struct store_memory *app_memory(void);

/* The unit of the last reservation (0 before any): what the system takes
 * back at a time. */
uint64_t app_memory_unit(void);

#endif
