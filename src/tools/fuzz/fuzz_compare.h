/*
 * fuzz_compare.h - the allowances of spec/differences.md, applied to reply
 * bytes before they are compared (the "normalised" rows; the "avoided" ones
 * are the generator's, fuzz_gen.h):
 *
 *   row 1  [misc.version]      every `VERSION <text>` line reads `VERSION *`;
 *   row 3  [incr.no-padding]   a `VALUE`/`VA` data block of digits followed
 *                              by spaces loses the spaces (length adjusted);
 *   row 11 [expiry.relative]   a meta `t<n>` (remaining TTL) is compared by
 *                              the minute, (n+1)/60: the generator's TTLs
 *                              (100000, 2592000) show N or N-1 depending on
 *                              when each server's clock ticked;
 *   M5     [meta.mg-access]    a meta `l<n>` flag reads `l`;
 *   M10    [meta.me-exp]       `exp=-N` reads `exp=N`;
 *   M12    [meta.me]           `cls=` and `size=` values read `*`;
 *   binary replies (fuzz_bin.h) are rendered packet by packet as lines,
 *                              with the VERSION value as `*` and the
 *                              header's CAS numbered as below;
 *   CAS numbering (--cas-loose, for servers that number differently, such
 *                              as a proxy in front of several servers): each
 *                              CAS unique reads as the order in which that
 *                              side first showed it, so the same item keeps
 *                              the same number and two items differ.
 *
 * Both sides are rewritten by the same rules, so a rule never hides a
 * difference it does not describe.
 */
#ifndef FUZZ_COMPARE_H
#define FUZZ_COMPARE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_buf.h"

#define FUZZ_CAS_MAP_MAX 256u
#define FUZZ_SHAPE_LEN 48u

/* One side's state across a stream (the CAS map). */
struct fuzz_norm {
    bool cas_loose;
    uint64_t cas_seen[FUZZ_CAS_MAP_MAX];
    size_t cas_count;
};

/* The order (1, 2, ...) in which this side first showed cas; 0 once the
 * map is full. */
uint64_t fuzz_norm_cas(struct fuzz_norm *n, uint64_t cas);

/* Appends the normalised form of in[0..len) to out. Data blocks are
 * recognised from `VALUE k f n [c]` and `VA n ...` lines. */
void fuzz_normalise(struct fuzz_norm *n, const uint8_t *in, size_t len,
                    struct fuzz_buf *out);

/* The index of the first byte where a and b differ; the shorter length if
 * one is a prefix of the other; SIZE_MAX if they are equal. */
size_t fuzz_first_difference(const uint8_t *a, size_t alen,
                             const uint8_t *b, size_t blen);

/* The shape of the line holding byte `at` of s, for deduplication: digits
 * become `N`, the key prefix `K`, cut at FUZZ_SHAPE_LEN - 1 bytes; "<none>"
 * past the end. */
void fuzz_line_shape(const uint8_t *s, size_t len, size_t at,
                     char shape[FUZZ_SHAPE_LEN]);

#endif
