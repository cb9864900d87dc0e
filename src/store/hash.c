/* hash.c - a 64-bit key hash: 8-byte words folded through a multiply-xorshift mix. */
#include "hash.h"

#include "../common/check.h"

/* splitmix64's finaliser: a bijection that spreads every input bit. */
static uint64_t
mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    x ^= x >> 31;
    return x;
}

static uint64_t
load_le64(const uint8_t *p, size_t n)
{
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++) {
        w |= (uint64_t)p[i] << (8 * i);
    }
    return w;
}

uint64_t
hash_key(const uint8_t *key, size_t len, uint64_t seed)
{
    CHECK(key != NULL || len == 0);
    uint64_t h = mix64(seed ^ (uint64_t)len);
    while (len >= 8) {
        h = mix64(h ^ load_le64(key, 8)) + 0x9e3779b97f4a7c15u;
        key += 8;
        len -= 8;
    }
    if (len > 0) {
        h = mix64(h ^ load_le64(key, len) ^ (uint64_t)len << 56);
    }
    return mix64(h);
}
