/*
 * bench_req.h - composes the memcached requests mcref-bench sends: text
 * (get, set, version, stats) and meta (mg, ms, mn).
 *
 * Pure: writes into a caller's buffer and returns the length, or 0 when the
 * buffer is too small (nothing useful written then). Keys are key_count
 * fixed-width keys of key_len bytes, back to back.
 */
#ifndef BENCH_REQ_H
#define BENCH_REQ_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_REQ_VERSION "version\r\n"
#define BENCH_REQ_STATS "stats\r\n"
#define BENCH_REQ_META_NOOP "mn\r\n"

/* Exact length of `get k1 .. kN\r\n`. */
size_t bench_req_get_len(size_t key_len, size_t key_count);
/* Upper bound of `set <key> 0 0 <n>\r\n<data>\r\n`. */
size_t bench_req_set_len_max(size_t key_len, size_t value_len);

size_t bench_req_get(uint8_t *out, size_t cap, const uint8_t *keys,
                     size_t key_len, size_t key_count);
size_t bench_req_set(uint8_t *out, size_t cap, const uint8_t *key,
                     size_t key_len, const uint8_t *value, size_t value_len);
/* Exact length of `mg <key> v\r\n`, or `mg <key> v k q\r\n` if quiet. */
size_t bench_req_mg_len(size_t key_len, bool quiet);
/* Upper bound of `ms <key> <n> T0 F0[ q]\r\n<data>\r\n`. */
size_t bench_req_ms_len_max(size_t key_len, size_t value_len);

/* The value is returned (v); a quiet mg also asks for its key back (k), so
   a hit can be matched to its request among quiet ones. */
size_t bench_req_mg(uint8_t *out, size_t cap, const uint8_t *key,
                    size_t key_len, bool quiet);
/* Never expires (T0), client flags 0 (F0), as the text set. */
size_t bench_req_ms(uint8_t *out, size_t cap, const uint8_t *key,
                    size_t key_len, const uint8_t *value, size_t value_len,
                    bool quiet);

/* The binary protocol: exact lengths of a GET, a SET (flags 0, exptime 0)
 * and a NOOP packet, and the packets. */
size_t bench_req_bin_get_len(size_t key_len);
size_t bench_req_bin_set_len(size_t key_len, size_t value_len);
#define BENCH_REQ_BIN_NOOP_LEN 24u
size_t bench_req_bin_get(uint8_t *out, size_t cap, const uint8_t *key,
                         size_t key_len);
size_t bench_req_bin_set(uint8_t *out, size_t cap, const uint8_t *key,
                         size_t key_len, const uint8_t *value,
                         size_t value_len);
size_t bench_req_bin_noop(uint8_t *out, size_t cap);

/* A fixed line such as BENCH_REQ_STATS. */
size_t bench_req_literal(uint8_t *out, size_t cap, const char *line);

#endif
