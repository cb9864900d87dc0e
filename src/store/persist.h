/*
 * persist.h - a store that outlives its process ([restart.*]).
 *
 * A store whose log memory survives (a shared mapping of a file, -e) can be
 * rebuilt from those bytes and a small image of its state taken at a
 * graceful stop. Both directions are pure: the caller maps the memory,
 * writes the image wherever it likes and hands it back.
 *
 * Restore trusts nothing: the image must match the configuration, its
 * positions must describe a possible log, a checksum over every record byte
 * must match, and every record must decode within its bounds with a key met
 * once. Any failure refuses the whole image (all or nothing: no item from a
 * damaged file is ever served) and says why.
 */
#ifndef MCREF_STORE_PERSIST_H
#define MCREF_STORE_PERSIST_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

/* What a restart needs beside the log's bytes. */
struct store_image {
    /* The configuration the log was written with. */
    uint64_t mem_limit;
    uint32_t value_len_max;
    bool cas_enabled;
    bool evict;
    /* The log's positions (log.h). */
    uint64_t cap;
    uint64_t head;
    uint64_t tail;
    bool wrapped;
    uint64_t lap_end;
    uint64_t head_abs;
    uint64_t tail_abs;
    /* The store's counters and clocks. */
    uint64_t crawl_abs;
    uint64_t credit;
    uint64_t cas_last;
    uint64_t cas_given_max;
    uint64_t flush_abs;
    uint32_t flush_pending_s;
    uint32_t last_now_s;
    uint64_t records_sum; /* store_image_sum of the record bytes */
};

enum store_restore_status {
    STORE_RESTORED = 0,
    STORE_RESTORE_SETTINGS, /* -m, -I, -C or -M differ from the image's */
    STORE_RESTORE_CLOCK,    /* now is before the image's last operation */
    STORE_RESTORE_LAYOUT,   /* positions that no log can have */
    STORE_RESTORE_CHECKSUM, /* record bytes changed since the stop */
    STORE_RESTORE_RECORD,   /* a record that does not decode, or a key twice */
    STORE_RESTORE_MEMORY,   /* the store could not be created */
};

/* A short phrase for each status, for logs. */
const char *store_restore_reason(enum store_restore_status st);

/* The image of s as it is now. Computes the checksum: O(bytes in the log). */
void store_image_of(const struct store *s, struct store_image *out);

/* A 64-bit checksum of n bytes (not cryptographic; detects damage). */
uint64_t store_image_sum(const uint8_t *p, uint64_t n, uint64_t seed);

/*
 * Creates a store from cfg whose memory interface returns the surviving log
 * bytes (cfg->memory must not be NULL) and the image taken when they were
 * written; now_s as for any operation. Returns the store with every item
 * that was live (expired and flushed ones go lazily, as always), or NULL
 * with *why set; the memory is then unreserved and the caller starts afresh.
 * Items' write stamps become the image's last operation time.
 */
struct store *store_restore(const struct store_config *cfg,
                            const struct store_image *img, uint32_t now_s,
                            enum store_restore_status *why);

#endif
