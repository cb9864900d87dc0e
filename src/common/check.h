/*
 * check.h - assertions that stay on in every build.
 *
 * CHECK(x) guards invariants: when x is false the program reports the
 * expression and its place, then aborts. It is never compiled out, because a
 * broken invariant in a cache means wrong bytes served. Reporting goes through
 * check_fail() so that pure modules (proto/, store/) reference no I/O symbol.
 */
#ifndef MCREF_CHECK_H
#define MCREF_CHECK_H

_Noreturn void check_fail(const char *expr, const char *file, int line);

#define CHECK(x) \
    ((x) ? (void)0 : check_fail(#x, __FILE__, __LINE__))

/* CHECK_SLOW guards O(n) checks; on in tests and fuzzing, off in release. */
#ifdef MCREF_SLOW_CHECKS
#define CHECK_SLOW(x) CHECK(x)
#else
#define CHECK_SLOW(x) ((void)0)
#endif

#endif
