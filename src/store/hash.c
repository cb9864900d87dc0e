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

/* The last n (1..7) bytes as load_le64 gives them, from at most two
 * overlapping loads instead of a byte-count copy. */
static uint64_t
load_le_tail(const uint8_t *p, size_t n)
{
    if (n >= 4) {
        uint64_t lo = load_le64(p, 4);
        uint64_t hi = load_le64(p + n - 4, 4);
        return lo | hi << (8 * (n - 4));
    }
    /* 1..3 bytes: first, middle, last (they coincide when n < 3). */
    return (uint64_t)p[0] | (uint64_t)p[n / 2] << (8 * (n / 2)) |
           (uint64_t)p[n - 1] << (8 * (n - 1));
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
        h = mix64(h ^ load_le_tail(key, len) ^ (uint64_t)len << 56);
    }
    return mix64(h);
}
