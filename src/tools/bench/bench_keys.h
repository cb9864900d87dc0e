/*
 * bench_keys.h - seeded PRNG, key-id distributions and key formatting.
 *
 * Pure and deterministic: the same seed gives the same ids and the same key
 * bytes on every run. Ids are formatted as BENCH_KEY_PREFIX followed by a
 * zero-padded decimal, exactly key_len bytes, so all keys have one width.
 */
#ifndef BENCH_KEYS_H
#define BENCH_KEYS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* xorshift64*: small, fast and good enough to pick keys. */
struct bench_prng {
    uint64_t state;  /* never 0 */
};

/* splitmix64: advances *state and returns a well-mixed 64-bit value. */
uint64_t bench_splitmix64(uint64_t *state);

/* Seeds r for stream `stream` (e.g. a connection index) of a run's seed. */
void bench_prng_init(struct bench_prng *r, uint64_t seed, uint64_t stream);
uint64_t bench_prng_next(struct bench_prng *r);
/* Uniform in [0, 1). */
double bench_prng_unit(struct bench_prng *r);
/* Uniform in [0, n), n > 0, n <= 2^53. */
uint64_t bench_prng_below(struct bench_prng *r, uint64_t n);

enum bench_dist {
    BENCH_DIST_UNIFORM = 0,
    BENCH_DIST_ZIPF,
};

enum bench_keys_status {
    BENCH_KEYS_OK = 0,
    BENCH_KEYS_BAD_COUNT,   /* key_count is 0 or above BENCH_KEYS_MAX */
    BENCH_KEYS_KEY_SHORT,   /* key_len cannot hold prefix + largest id */
    BENCH_KEYS_KEY_LONG,    /* key_len above BENCH_KEY_LEN_MAX */
    BENCH_KEYS_BAD_THETA,   /* zipf theta outside (0, BENCH_ZIPF_THETA_MAX] */
};

/* A key space of key_count ids [0, key_count) and how they are drawn. */
struct bench_keyspace {
    uint64_t key_count;
    size_t key_len;
    enum bench_dist dist;
    /* zipf with theta < 1 (Gray et al., "Quickly generating
       billion-record synthetic databases", 1994), precomputed by init;
       unused for uniform */
    double theta, zetan, alpha, eta, half_pow_theta;
    /* zipf with theta >= 1, where Gray's closed form divides by zero:
       rejection-inversion (Hoermann and Derflinger, "Rejection-inversion
       to generate variates from monotone discrete distributions", 1996),
       O(1) per draw and no table. hx1 = H(1.5) - 1, hn = H(n + 0.5), s2 is
       the squeeze that accepts most draws without evaluating H again. */
    bool rejection;
    double hx1, hn, s2;
};

/*
 * Sets up ks. Zipf costs O(key_count) once (the zeta sum). Errors leave ks
 * unusable; the status says which argument is wrong.
 */
enum bench_keys_status bench_keyspace_init(struct bench_keyspace *ks,
                                           uint64_t key_count, size_t key_len,
                                           enum bench_dist dist, double theta);

/* Largest zipf exponent accepted (theta 1.0 is the classic "zipf 1"). */
#define BENCH_ZIPF_THETA_MAX 4.0

/* Draws one id in [0, key_count); with zipf, id 0 is the most popular:
   P(id = i) is proportional to 1 / (i + 1)^theta. */
uint64_t bench_keyspace_pick(const struct bench_keyspace *ks,
                             struct bench_prng *r);

/* Shortest key_len that can hold every id below key_count. */
size_t bench_key_len_min(uint64_t key_count);

/* Writes exactly key_len bytes for id into out; id must fit. */
void bench_key_format(uint64_t id, size_t key_len, uint8_t *out);

const char *bench_keys_status_text(enum bench_keys_status status);

#endif
