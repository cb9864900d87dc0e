/* hash.c - a 64-bit key hash: 8-byte words folded through a multiply-xorshift mix. */
#include "hash.h"

#include <string.h>

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

/* n (<= 8) bytes as a little-endian word, the same on every host. */
static uint64_t
load_le64(const uint8_t *p, size_t n)
{
    uint64_t w = 0;
    memcpy(&w, p, n);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w) >> (8 * (8 - n));
#endif
    return w;
}

uint64_t
hash_key(const uint8_t *key, size_t len, uint64_t seed)
{
    CHECK(key != NULL);
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
