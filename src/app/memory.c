/* memory.c - mmap for the log's reservation, madvise for what it gives back. */
#define _DEFAULT_SOURCE
#include "memory.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* What the reservation is made of. `unit` is what release() rounds to: a
 * base page, or a huge page when the log is backed by transparent huge
 * pages (a partly released huge page would stay whole in memory). */
struct kernel_memory {
    uint64_t unit;
    uint8_t *mapping; /* what mmap returned, alignment slack included */
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
    /* A power of two larger than a base page, or not used at all. */
    if (size <= page_size() || (size & (size - 1)) != 0) {
        return 0;
    }
    return size;
}

/*
 * The log is reached at random (every lookup lands on a record), so with
 * base pages a log of tens of MiB misses the TLB on most lookups. It is
 * reserved aligned to the huge page size and marked MADV_HUGEPAGE, so that
 * the kernel backs it with huge pages as it is touched.
 */
static void *
reserve(void *ctx, uint64_t len)
{
    struct kernel_memory *k = ctx;
    uint64_t huge = huge_page_size();
    uint64_t slack = huge > 0 ? huge : 0;
    void *p = mmap(NULL, (size_t)(len + slack), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        return NULL;
    }
    k->mapping = p;
    k->mapping_len = len + slack;
    k->unit = page_size();
    if (huge == 0) {
        return p;
    }
    uintptr_t aligned = ((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1);
    if (madvise((void *)aligned, (size_t)len, MADV_HUGEPAGE) == 0) {
        k->unit = huge;
    }
    return (void *)aligned;
}

/* Whole units inside [p, p + len): the unit holding p's first bytes may
 * still be in use; the range's end is the end of everything the store has
 * touched, so the unit it falls in is free past it. Releases come from the
 * top down, so what one leaves below a unit boundary the next one frees. */
static void
release(void *ctx, void *p, uint64_t len)
{
    const struct kernel_memory *k = ctx;
    uint64_t unit = k->unit;
    uintptr_t from = ((uintptr_t)p + unit - 1) & ~(uintptr_t)(unit - 1);
    uintptr_t to = ((uintptr_t)p + len + unit - 1) & ~(uintptr_t)(unit - 1);
    uintptr_t end = (uintptr_t)k->mapping + k->mapping_len;
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
    (void)p;
    (void)len;
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
