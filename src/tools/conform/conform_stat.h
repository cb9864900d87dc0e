/*
 * conform_stat.h - `stats` replies and the comparisons of `stat` steps and
 * `requires:` conditions: parse "STAT name value" lines up to END, look a
 * name up, evaluate "N", "${v}+N" style sums, compare numbers or strings.
 *
 * Pure: no I/O.
 */
#ifndef CONFORM_STAT_H
#define CONFORM_STAT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conform_case.h"
#include "conform_limits.h"

struct conform_stat {
    char name[CONFORM_SETTING_LEN_MAX + 1];
    char value[CONFORM_STAT_VALUE_LEN_MAX + 1];
};

/*
 * The STAT lines of one reply (the first CONFORM_STATS_MAX of them). About
 * 160 KiB: allocate it, don't put it on the stack.
 */
struct conform_stats {
    struct conform_stat items[CONFORM_STATS_MAX];
    size_t count;
};

enum conform_stats_parse {
    CONFORM_STATS_DONE = 0,   /* a whole reply ending in END\r\n */
    CONFORM_STATS_MORE,       /* incomplete; read more */
    CONFORM_STATS_BAD,        /* a line that is neither STAT nor END */
};

/*
 * Parses data[0, len) as STAT lines ended by "END\r\n". On DONE *consumed is
 * the reply's length; on BAD err names the offending line. Names or values
 * too long to keep are cut (and still parsed).
 */
enum conform_stats_parse conform_stats_parse(const uint8_t *data, size_t len,
                                             struct conform_stats *out,
                                             size_t *consumed,
                                             char err[CONFORM_ERR_LEN]);

/* The value of name, or NULL. */
const char *conform_stats_get(const struct conform_stats *s,
                              const char *name);

/*
 * Evaluates an unsigned decimal, or a sum like "12+3-1" (no spaces, each
 * term a decimal), into *out. False when text is not of that form or
 * leaves the range 0..INT64_MAX.
 */
bool conform_eval(const char *text, int64_t *out);

/*
 * Compares actual OP expected: ~ matches actual against the anchored ERE
 * expected; otherwise numerically when both evaluate (conform_eval), else
 * as strings (only = and != are allowed on strings: false with err set
 * otherwise, or on a bad regex).
 */
bool conform_compare(const char *actual, enum conform_cmp cmp,
                     const char *expected, bool *result,
                     char err[CONFORM_ERR_LEN]);

#endif
