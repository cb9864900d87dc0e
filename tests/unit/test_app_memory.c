/*
 * test_app_memory.c - the log's memory from the kernel: a reservation
 * aligned to its unit (a huge page where transparent huge pages are
 * allowed), releases that give back whole units only, and top-down
 * releases that free what an earlier one had to keep.
 */
#define _DEFAULT_SOURCE
#include "clause.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../src/app/memory.h"
#include "../../src/common/limits.h"

enum { UNITS = 8, FILL = 0xab };

/* Whether every base page of [p, p + len) is resident (mincore). */
static bool
resident(const uint8_t *p, uint64_t len, bool want)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t pages = (size_t)(len / (uint64_t)page);
    unsigned char vec[4096];
    assert_true(pages <= sizeof vec);
    assert_int_equal(mincore((void *)p, (size_t)len, vec), 0);
    for (size_t i = 0; i < pages; i++) {
        if (((vec[i] & 1) != 0) != want) {
            return false;
        }
    }
    return true;
}

/* Whether [p, p + len) all holds byte b. */
static bool
holds(const uint8_t *p, uint64_t len, uint8_t b)
{
    for (uint64_t i = 0; i < len; i++) {
        if (p[i] != b) {
            return false;
        }
    }
    return true;
}

static uint8_t *
reserve_filled(const struct store_memory *m, uint64_t *unit)
{
    /* The unit is known once a reservation exists: reserve a base page's
     * worth first to learn it, then the test's whole size. */
    void *probe = m->reserve(m->ctx, 4096);
    assert_non_null(probe);
    *unit = app_memory_unit();
    m->unreserve(m->ctx, probe, 4096);
    uint8_t *p = m->reserve(m->ctx, UNITS * *unit);
    assert_non_null(p);
    assert_int_equal(app_memory_unit(), *unit);
    memset(p, FILL, UNITS * *unit);
    return p;
}

/* The unit the system allows: the huge page size unless transparent huge
 * pages are off (or larger than a release), else the base page. */
static uint64_t
expected_unit(void)
{
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    char mode[128] = "";
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (f == NULL) {
        return page;
    }
    bool got = fgets(mode, sizeof mode, f) != NULL;
    fclose(f);
    unsigned long long huge = 0;
    f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
    if (f != NULL) {
        if (fscanf(f, "%llu", &huge) != 1) {
            huge = 0;
        }
        fclose(f);
    }
    if (!got || strstr(mode, "[never]") != NULL || huge <= page ||
        huge > LIMIT_RELEASE_BYTES) {
        return page;
    }
    return huge;
}

static void
test_reservation_is_aligned_and_zeroed(void **state)
{
    (void)state;
    const struct store_memory *m = app_memory();
    void *p = m->reserve(m->ctx, 3u << 20);
    assert_non_null(p);
    uint64_t unit = app_memory_unit();
    assert_int_equal(unit, expected_unit()); /* huge pages where allowed */
    assert_true(unit >= (uint64_t)sysconf(_SC_PAGESIZE));
    assert_int_equal(unit & (unit - 1), 0); /* a power of two */
    assert_int_equal((uintptr_t)p % unit, 0);
    assert_true(holds(p, 3u << 20, 0));
    m->unreserve(m->ctx, p, 3u << 20);
    assert_int_equal(app_memory_unit(), 0);
}

/* [mem.elastic]: only whole units inside the range go back; the unit that
 * holds the range's first byte stays, with its bytes. */
static void
test_release_gives_back_whole_units(void **state)
{
    (void)state;
    const struct store_memory *m = app_memory();
    uint64_t unit;
    uint8_t *p = reserve_filled(m, &unit);
    /* From inside unit 1 to inside unit 5: units 2..5 go (the range's end
     * is the end of what was touched, so its unit goes too). */
    m->release(m->ctx, p + unit + 100, 4 * unit + 300);
    assert_true(holds(p, 2 * unit, FILL));
    assert_true(resident(p, 2 * unit, true));
    assert_true(resident(p + 2 * unit, 4 * unit, false));
    assert_true(holds(p + 2 * unit, 4 * unit, 0)); /* reads as fresh */
    assert_true(holds(p + 6 * unit, 2 * unit, FILL));
    m->unreserve(m->ctx, p, UNITS * unit);
}

/* Releases come from the top down: what one keeps below a unit boundary,
 * the next one (ending where it began) gives back. */
static void
test_top_down_releases_free_what_the_last_kept(void **state)
{
    (void)state;
    const struct store_memory *m = app_memory();
    uint64_t unit;
    uint8_t *p = reserve_filled(m, &unit);
    uint64_t half = unit / 2;
    uint64_t end = UNITS * unit;
    uint64_t from = end - 3 * half; /* 6.5 units */
    m->release(m->ctx, p + from, end - from);
    assert_true(resident(p + 7 * unit, unit, false));
    assert_true(holds(p + 6 * unit, unit, FILL)); /* holds 6.5's bytes */
    uint64_t next = from - 3 * half; /* 5 units */
    m->release(m->ctx, p + next, from - next);
    assert_true(resident(p + 5 * unit, 3 * unit, false));
    assert_true(holds(p, 5 * unit, FILL));
    assert_true(resident(p, 5 * unit, true));
    m->unreserve(m->ctx, p, UNITS * unit);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reservation_is_aligned_and_zeroed),
        cmocka_unit_test(test_release_gives_back_whole_units),
        cmocka_unit_test(test_top_down_releases_free_what_the_last_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
