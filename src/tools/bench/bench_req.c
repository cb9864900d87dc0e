/*
 * bench_req.c - composes memcached requests into a caller's buffer;
 * see bench_req.h. No I/O.
 */
#include "bench_req.h"

#include <assert.h>
#include <string.h>

#include "bench_limits.h"

size_t
bench_req_get_len(size_t key_len, size_t key_count)
{
    return 3 + key_count * (1 + key_len) + 2;
}

size_t
bench_req_set_len_max(size_t key_len, size_t value_len)
{
    return 4 + key_len + BENCH_REQ_TAIL_LEN + value_len + 2;
}

size_t
bench_req_get(uint8_t *out, size_t cap, const uint8_t *keys, size_t key_len,
              size_t key_count)
{
    assert(key_count > 0);
    size_t len = bench_req_get_len(key_len, key_count);
    if (len > cap) {
        return 0;
    }
    uint8_t *p = out;
    memcpy(p, "get", 3);
    p += 3;
    for (size_t i = 0; i < key_count; i++) {
        *p++ = ' ';
        memcpy(p, keys + i * key_len, key_len);
        p += key_len;
    }
    memcpy(p, "\r\n", 2);
    p += 2;
    assert((size_t)(p - out) == len);
    return len;
}

/* Writes v in decimal at p; returns the digit count. */
static size_t
put_decimal(uint8_t *p, size_t v)
{
    uint8_t tmp[BENCH_KEY_DIGITS_MAX];
    size_t n = 0;
    do {
        tmp[n++] = (uint8_t)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++) {
        p[i] = tmp[n - 1 - i];
    }
    return n;
}

size_t
bench_req_set(uint8_t *out, size_t cap, const uint8_t *key, size_t key_len,
              const uint8_t *value, size_t value_len)
{
    if (bench_req_set_len_max(key_len, value_len) > cap) {
        return 0;
    }
    uint8_t *p = out;
    memcpy(p, "set ", 4);
    p += 4;
    memcpy(p, key, key_len);
    p += key_len;
    memcpy(p, " 0 0 ", 5);
    p += 5;
    p += put_decimal(p, value_len);
    memcpy(p, "\r\n", 2);
    p += 2;
    memcpy(p, value, value_len);
    p += value_len;
    memcpy(p, "\r\n", 2);
    p += 2;
    return (size_t)(p - out);
}

size_t
bench_req_mg_len(size_t key_len, bool quiet)
{
    return 3 + key_len + (quiet ? 8 : 4);
}

size_t
bench_req_ms_len_max(size_t key_len, size_t value_len)
{
    return 3 + key_len + BENCH_REQ_TAIL_LEN + value_len + 2;
}

size_t
bench_req_mg(uint8_t *out, size_t cap, const uint8_t *key, size_t key_len,
             bool quiet)
{
    size_t len = bench_req_mg_len(key_len, quiet);
    if (len > cap) {
        return 0;
    }
    uint8_t *p = out;
    memcpy(p, "mg ", 3);
    p += 3;
    memcpy(p, key, key_len);
    p += key_len;
    const char *tail = quiet ? " v k q\r\n" : " v\r\n";
    memcpy(p, tail, strlen(tail));
    p += strlen(tail);
    assert((size_t)(p - out) == len);
    return len;
}

size_t
bench_req_ms(uint8_t *out, size_t cap, const uint8_t *key, size_t key_len,
             const uint8_t *value, size_t value_len, bool quiet)
{
    if (bench_req_ms_len_max(key_len, value_len) > cap) {
        return 0;
    }
    uint8_t *p = out;
    memcpy(p, "ms ", 3);
    p += 3;
    memcpy(p, key, key_len);
    p += key_len;
    *p++ = ' ';
    p += put_decimal(p, value_len);
    const char *tail = quiet ? " T0 F0 q\r\n" : " T0 F0\r\n";
    memcpy(p, tail, strlen(tail));
    p += strlen(tail);
    memcpy(p, value, value_len);
    p += value_len;
    memcpy(p, "\r\n", 2);
    p += 2;
    return (size_t)(p - out);
}

size_t
bench_req_literal(uint8_t *out, size_t cap, const char *line)
{
    size_t len = strlen(line);
    if (len > cap) {
        return 0;
    }
    memcpy(out, line, len);
    return len;
}

/* ---- the binary protocol -------------------------------------------------- */

static void
bin_header(uint8_t *p, uint8_t op, size_t key_len, size_t ext_len,
           size_t body_len)
{
    memset(p, 0, 24);
    p[0] = 0x80;
    p[1] = op;
    p[2] = (uint8_t)(key_len >> 8);
    p[3] = (uint8_t)key_len;
    p[4] = (uint8_t)ext_len;
    p[8] = (uint8_t)(body_len >> 24);
    p[9] = (uint8_t)(body_len >> 16);
    p[10] = (uint8_t)(body_len >> 8);
    p[11] = (uint8_t)body_len;
}

size_t
bench_req_bin_get_len(size_t key_len)
{
    return 24 + key_len;
}

size_t
bench_req_bin_set_len(size_t key_len, size_t value_len)
{
    return 24 + 8 + key_len + value_len;
}

size_t
bench_req_bin_get(uint8_t *out, size_t cap, const uint8_t *key,
                  size_t key_len)
{
    size_t len = bench_req_bin_get_len(key_len);
    if (len > cap) {
        return 0;
    }
    bin_header(out, 0x00, key_len, 0, key_len);
    memcpy(out + 24, key, key_len);
    return len;
}

size_t
bench_req_bin_set(uint8_t *out, size_t cap, const uint8_t *key,
                  size_t key_len, const uint8_t *value, size_t value_len)
{
    size_t len = bench_req_bin_set_len(key_len, value_len);
    if (len > cap) {
        return 0;
    }
    bin_header(out, 0x01, key_len, 8, 8 + key_len + value_len);
    memset(out + 24, 0, 8); /* flags 0, exptime 0 */
    memcpy(out + 32, key, key_len);
    memcpy(out + 32 + key_len, value, value_len);
    return len;
}

size_t
bench_req_bin_noop(uint8_t *out, size_t cap)
{
    if (cap < BENCH_REQ_BIN_NOOP_LEN) {
        return 0;
    }
    bin_header(out, 0x0a, 0, 0, 0);
    return BENCH_REQ_BIN_NOOP_LEN;
}
