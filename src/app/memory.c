/* memory.c - mmap for the log's reservation, madvise for what it gives back. */
#define _DEFAULT_SOURCE
#include "memory.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../common/check.h"
#include "../common/limits.h"

/* What the reservation is made of. `unit` is what release() rounds to: a
 * base page, or a huge page when the log is backed by transparent huge
 * pages (a partly released huge page would stay whole in memory). */
struct kernel_memory {
    uint64_t unit;
    uint8_t *mapping; /* the reservation, NULL when there is none */
    uint64_t mapping_len;
};

static struct kernel_memory kernel_state;

static uint64_t
page_size(void)
{
    long n = sysconf(_SC_PAGESIZE);
    return n > 0 ? (uint64_t)n : 4096u;
}

/* The huge page size when transparent huge pages may back a mapping that
 * asks for them ("always" or "madvise"); 0 otherwise. */
static uint64_t
huge_page_size(void)
{
    char mode[128] = "";
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (f == NULL) {
        return 0;
    }
    bool read_ok = fgets(mode, sizeof mode, f) != NULL;
    fclose(f);
    if (!read_ok || strstr(mode, "[never]") != NULL) {
        return 0;
    }
    unsigned long long size = 0;
    f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
    if (f == NULL) {
        return 0;
    }
    if (fscanf(f, "%llu", &size) != 1) {
        size = 0;
    }
    fclose(f);
    /* A power of two larger than a base page, or not used at all; nor when
     * one huge page is more than a release gives back at a time (arm64's
     * 32 MiB and 512 MiB ones): resident memory could then stay that far
     * above what the store holds ([mem.elastic]). */
    if (size <= page_size() || (size & (size - 1)) != 0 ||
        size > LIMIT_RELEASE_BYTES) {
        return 0;
    }
    return size;
}

static uint64_t
round_up(uint64_t n, uint64_t unit)
{
    return (n + unit - 1) & ~(unit - 1);
}

/*
 * The log is reached at random (every lookup lands on a record), so with
 * base pages a log of tens of MiB misses the TLB on most lookups. It is
 * reserved aligned to the huge page size and marked MADV_HUGEPAGE, so that
 * the kernel backs it with huge pages as it is touched. The slack mapped
 * for the alignment is unmapped again (so -k does not lock it), and when
 * the slack itself cannot be had, the log takes base pages.
 */
static void *
reserve(void *ctx, uint64_t len)
{
    struct kernel_memory *k = ctx;
    CHECK(k->mapping == NULL); /* one reservation at a time */
    uint64_t page = page_size();
    uint64_t huge = huge_page_size();
    uint64_t mapped = round_up(len, page);
    uint64_t slack = huge;
    uint8_t *p = mmap(NULL, (size_t)(mapped + slack), PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED && slack > 0) {
        slack = 0; /* address space tight (overcommit, RLIMIT_AS) */
        p = mmap(NULL, (size_t)mapped, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    if (p == MAP_FAILED) {
        return NULL;
    }
    uint8_t *start = p;
    if (slack > 0) {
        start = (uint8_t *)round_up((uintptr_t)p, huge);
        if (start > p) {
            munmap(p, (size_t)(start - p));
        }
        uint8_t *end = p + mapped + slack;
        if (end > start + mapped) {
            munmap(start + mapped, (size_t)(end - (start + mapped)));
        }
    }
    k->mapping = start;
    k->mapping_len = mapped;
    k->unit = page;
    if (slack > 0 && madvise(start, (size_t)mapped, MADV_HUGEPAGE) == 0) {
        k->unit = huge;
    }
    return start;
}

/* Whole units inside [p, p + len): the unit holding p's first bytes may
 * still be in use; the range's end is the end of everything the store has
 * touched, so the unit it falls in is free past it. Releases come from the
 * top down, so what one leaves below a unit boundary the next one frees. */
static void
release(void *ctx, void *p, uint64_t len)
{
    const struct kernel_memory *k = ctx;
    CHECK((uint8_t *)p >= k->mapping &&
          (uint8_t *)p + len <= k->mapping + k->mapping_len);
    uint64_t unit = k->unit;
    uintptr_t from = (uintptr_t)round_up((uintptr_t)p, unit);
    uintptr_t to = (uintptr_t)round_up((uintptr_t)p + len, unit);
    uintptr_t end = (uintptr_t)(k->mapping + k->mapping_len);
    if (to > end) {
        to = end; /* past the reservation's end: never touched */
    }
    if (to > from) {
        /* Failure (memory locked with -k) only means it stays resident. */
        (void)madvise((void *)from, to - from, MADV_DONTNEED);
    }
}

static void
unreserve(void *ctx, void *p, uint64_t len)
{
    struct kernel_memory *k = ctx;
    CHECK(p == k->mapping);
    CHECK(round_up(len, page_size()) == k->mapping_len);
    munmap(k->mapping, (size_t)k->mapping_len);
    k->mapping = NULL;
}

static const struct store_memory kernel_memory = {
    .ctx = &kernel_state,
    .reserve = reserve,
    .release = release,
    .unreserve = unreserve,
};

const struct store_memory *
app_memory(void)
{
    return &kernel_memory;
}

uint64_t
app_memory_unit(void)
{
    return kernel_state.mapping != NULL ? kernel_state.unit : 0;
}
