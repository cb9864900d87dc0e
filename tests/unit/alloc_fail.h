/*
 * alloc_fail.h - making allocations fail on demand, in unit tests.
 *
 * Unit tests link with --wrap=malloc,calloc,realloc, so every allocation made
 * by the code under test (not by cmocka, a shared library) passes through
 * here. alloc_fail_arm(n) makes the n-th allocation from now fail (0: the
 * next one) and every later one succeed; alloc_fail_disarm() stops it.
 * SQLite's OOM loop: for n = 0, 1, 2... run an operation with allocation n
 * failing, check the state, until an operation needs no failing allocation.
 */
#ifndef MCREF_ALLOC_FAIL_H
#define MCREF_ALLOC_FAIL_H

#include <stdbool.h>

void alloc_fail_arm(unsigned n);
void alloc_fail_disarm(void);

/* Whether the armed failure has happened. */
bool alloc_fail_fired(void);

#endif
