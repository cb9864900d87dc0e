/* memory.c - mmap for the log's reservation, madvise for what it gives back. */
#define _DEFAULT_SOURCE
#include "memory.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t
page_size(void)
{
    long n = sysconf(_SC_PAGESIZE);
    return n > 0 ? (uint64_t)n : 4096u;
}

static void *
reserve(void *ctx, uint64_t len)
{
    (void)ctx;
    void *p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Whole pages inside [p, p + len): the page holding p's first bytes may
 * still be in use; the range's end is the end of everything the store has
 * touched, so the page it falls in is free past it. */
static void
release(void *ctx, void *p, uint64_t len)
{
    (void)ctx;
    uint64_t page = page_size();
    uintptr_t from = ((uintptr_t)p + page - 1) / page * page;
    uintptr_t to = ((uintptr_t)p + len + page - 1) / page * page;
    if (to > from) {
        /* Failure (memory locked with -k) only means it stays resident. */
        (void)madvise((void *)from, to - from, MADV_DONTNEED);
    }
}

static void
unreserve(void *ctx, void *p, uint64_t len)
{
    (void)ctx;
    munmap(p, (size_t)len);
}

static const struct store_memory kernel_memory = {
    .ctx = NULL,
    .reserve = reserve,
    .release = release,
    .unreserve = unreserve,
};

const struct store_memory *
app_memory(void)
{
    return &kernel_memory;
}
