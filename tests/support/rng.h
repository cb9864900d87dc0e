/*
 * rng.h - the one pseudo-random generator the property tests and fuzz
 * harnesses share: splitmix64, so a seed printed by a failing run replays
 * the same sequence anywhere. Not for anything but test generation.
 */
#ifndef MCREF_TEST_RNG_H
#define MCREF_TEST_RNG_H

#include <stdint.h>

/* The next 64 random bits; advances *state. */
static inline uint64_t
rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A number in [0, n); 0 when n is 0. The modulo bias is irrelevant here. */
static inline uint64_t
rng_below(uint64_t *state, uint64_t n)
{
    return n == 0 ? 0 : rng_next(state) % n;
}

#endif
