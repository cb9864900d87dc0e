/*
 * clause.h - registering cmocka tests under the spec clause they check.
 *
 * CLAUSE_TEST("incr.decr-floor", test_fn) names the test "[incr.decr-floor]
 * test_fn", so every line cmocka prints cites spec/protocol.md, and
 * ci/check-clauses.sh can tell which clauses the unit tests reach.
 */
#ifndef MCREF_TEST_CLAUSE_H
#define MCREF_TEST_CLAUSE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define CLAUSE_TEST(clause, fn) \
    { "[" clause "] " #fn, fn, NULL, NULL, NULL }

#endif
