/* alloc_fail.c - the allocation wrappers behind alloc_fail.h. */
#include "alloc_fail.h"

#include <stddef.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t count, size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t count, size_t n);
void *__wrap_realloc(void *p, size_t n);

static bool armed;
static bool fired;
static unsigned countdown;

void
alloc_fail_arm(unsigned n)
{
    armed = true;
    fired = false;
    countdown = n;
}

void
alloc_fail_disarm(void)
{
    armed = false;
}

bool
alloc_fail_fired(void)
{
    return fired;
}

static bool
fail_now(void)
{
    if (!armed) {
        return false;
    }
    if (countdown > 0) {
        countdown--;
        return false;
    }
    armed = false;
    fired = true;
    return true;
}

void *
__wrap_malloc(size_t n)
{
    return fail_now() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t count, size_t n)
{
    return fail_now() ? NULL : __real_calloc(count, n);
}

void *
__wrap_realloc(void *p, size_t n)
{
    return fail_now() ? NULL : __real_realloc(p, n);
}
