/*
 * fuzz_buf.h - a growable byte buffer and a small seeded generator, the two
 * things every part of mcref-fuzz shares. Allocation failure aborts: the
 * tool holds at most a few streams of a few hundred KiB.
 */
#ifndef FUZZ_BUF_H
#define FUZZ_BUF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fuzz_buf {
    uint8_t *p;
    size_t len;
    size_t cap;
};

void fuzz_buf_add(struct fuzz_buf *b, const void *data, size_t len);
void fuzz_buf_addf(struct fuzz_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void fuzz_buf_free(struct fuzz_buf *b);
bool fuzz_buf_ends_with(const struct fuzz_buf *b, const uint8_t *s,
                        size_t len);

/* splitmix64: the whole tool's randomness comes from one seed. */
static inline uint64_t
fuzz_rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static inline uint32_t
fuzz_rng_below(uint64_t *state, uint32_t n)
{
    return (uint32_t)(fuzz_rng_next(state) % n);
}

/* True with probability percent/100. */
static inline bool
fuzz_rng_chance(uint64_t *state, uint32_t percent)
{
    return fuzz_rng_below(state, 100) < percent;
}

#endif
