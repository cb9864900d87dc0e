/* check.c - the one place an assertion failure is reported. */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>

_Noreturn void
check_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "mcref: check failed: %s (%s:%d)\n", expr, file, line);
    fflush(stderr);
    abort();
}

#ifdef MCREF_COVERAGE
void
check_assert(bool ok, const char *expr, const char *file, int line)
{
    if (!ok) {
        check_fail(expr, file, line);
    }
}
#endif
