/*
 * check.h - assertions that stay on in every build, and boundary markers.
 *
 * CHECK(x) guards invariants: when x is false the program reports the
 * expression and its place, then aborts. It is never compiled out, because a
 * broken invariant in a cache means wrong bytes served. Reporting goes through
 * check_fail() so that pure modules (proto/, store/) reference no I/O symbol.
 *
 * In coverage builds (MCREF_COVERAGE) CHECK tests its condition inside
 * check_assert(): the condition is still evaluated, and measured, where it is
 * written, but the failure branch that no test can take (it aborts) is one
 * branch in check.c instead of one at every assertion.
 *
 * BOUNDARY(x) marks a limit the tests must reach from both sides (SQLite's
 * testcase()): in coverage builds it is a branch, and the coverage gate
 * (ci/coverage_gate.py, run by ci/coverage.sh) fails unless x was seen both
 * true and false; elsewhere it compiles to nothing.
 */
#ifndef MCREF_CHECK_H
#define MCREF_CHECK_H

#include <stdbool.h>

_Noreturn void check_fail(const char *expr, const char *file, int line);

#ifdef MCREF_COVERAGE
void check_assert(bool ok, const char *expr, const char *file, int line);
#define CHECK(x) check_assert((bool)(x), #x, __FILE__, __LINE__)
#define BOUNDARY(x)                    \
    do {                               \
        if (x) {                       \
            __asm__ volatile("" ::: "memory"); \
        }                              \
    } while (0)
#else
#define CHECK(x) \
    ((x) ? (void)0 : check_fail(#x, __FILE__, __LINE__))
#define BOUNDARY(x) ((void)0)
#endif

/* CHECK_SLOW guards O(n) checks; on in tests and fuzzing, off in release. */
#ifdef MCREF_SLOW_CHECKS
#define CHECK_SLOW(x) CHECK(x)
#else
#define CHECK_SLOW(x) ((void)0)
#endif

#endif
