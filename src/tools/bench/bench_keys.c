/*
 * bench_keys.c - seeded PRNG, key-id distributions and key formatting; see
 * bench_keys.h. No I/O, no clock: every random choice comes from a seed.
 */
#include "bench_keys.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "bench_limits.h"

uint64_t
bench_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void
bench_prng_init(struct bench_prng *r, uint64_t seed, uint64_t stream)
{
    /* Mix the stream in before the seed's first step, so neighbouring
       streams of one seed share no state. */
    uint64_t s = seed ^ bench_splitmix64(&stream);
    r->state = bench_splitmix64(&s);
    if (r->state == 0) {
        r->state = 0x9e3779b97f4a7c15ull; /* xorshift's one fixed point */
    }
}

uint64_t
bench_prng_next(struct bench_prng *r)
{
    uint64_t x = r->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->state = x;
    return x * 0x2545f4914f6cdd1dull;
}

double
bench_prng_unit(struct bench_prng *r)
{
    return (double)(bench_prng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

uint64_t
bench_prng_below(struct bench_prng *r, uint64_t n)
{
    assert(n > 0 && n <= (1ull << 53));
    uint64_t v = (uint64_t)(bench_prng_unit(r) * (double)n);
    return v < n ? v : n - 1;
}

static size_t
decimal_digits(uint64_t v)
{
    size_t digits = 1;
    while (v >= 10) {
        v /= 10;
        digits++;
    }
    return digits;
}

size_t
bench_key_len_min(uint64_t key_count)
{
    return BENCH_KEY_PREFIX_LEN + decimal_digits(key_count ? key_count - 1
                                                           : 0);
}

void
bench_key_format(uint64_t id, size_t key_len, uint8_t *out)
{
    assert(key_len >= BENCH_KEY_PREFIX_LEN + decimal_digits(id));
    memcpy(out, BENCH_KEY_PREFIX, BENCH_KEY_PREFIX_LEN);
    for (size_t i = key_len; i > BENCH_KEY_PREFIX_LEN; i--) {
        out[i - 1] = (uint8_t)('0' + id % 10);
        id /= 10;
    }
}

static double
zeta(uint64_t n, double theta)
{
    double sum = 0.0;
    for (uint64_t i = 1; i <= n; i++) {
        sum += 1.0 / pow((double)i, theta);
    }
    return sum;
}

/*
 * Rejection-inversion helpers for weights h(x) = x^-theta: H is an
 * antiderivative of h, written through expm1/log1p so it stays accurate
 * near theta = 1, where (x^(1-theta) - 1) / (1 - theta) tends to log x.
 */
static double
small_h(double x, double theta)
{
    return exp(-theta * log(x));
}

/* (e^t - 1) / t, and its limit 1 at t = 0. */
static double
expm1_over(double t)
{
    return fabs(t) > 1e-8 ? expm1(t) / t : 1.0 + t / 2.0;
}

/* log(1 + t) / t, and its limit 1 at t = 0. */
static double
log1p_over(double t)
{
    return fabs(t) > 1e-8 ? log1p(t) / t : 1.0 - t / 2.0;
}

static double
big_h(double x, double theta)
{
    double lx = log(x);
    return expm1_over((1.0 - theta) * lx) * lx;
}

static double
big_h_inverse(double y, double theta)
{
    return exp(log1p_over((1.0 - theta) * y) * y);
}

/* One draw in [1, n] by rejection-inversion; usually one round. */
static uint64_t
pick_rejection(const struct bench_keyspace *ks, struct bench_prng *r)
{
    double n = (double)ks->key_count;
    for (;;) {
        double u = ks->hn + bench_prng_unit(r) * (ks->hx1 - ks->hn);
        double x = big_h_inverse(u, ks->theta);
        double k = floor(x + 0.5);
        if (k < 1.0) {
            k = 1.0;
        } else if (k > n) {
            k = n;
        }
        if (k - x <= ks->s2
            || u >= big_h(k + 0.5, ks->theta) - small_h(k, ks->theta)) {
            return (uint64_t)k;
        }
    }
}

enum bench_keys_status
bench_keyspace_init(struct bench_keyspace *ks, uint64_t key_count,
                    size_t key_len, enum bench_dist dist, double theta)
{
    memset(ks, 0, sizeof(*ks));
    if (key_count == 0 || key_count > BENCH_KEYS_MAX) {
        return BENCH_KEYS_BAD_COUNT;
    }
    if (key_len > BENCH_KEY_LEN_MAX) {
        return BENCH_KEYS_KEY_LONG;
    }
    if (key_len < bench_key_len_min(key_count)) {
        return BENCH_KEYS_KEY_SHORT;
    }
    ks->key_count = key_count;
    ks->key_len = key_len;
    ks->dist = dist;
    if (dist == BENCH_DIST_UNIFORM) {
        return BENCH_KEYS_OK;
    }
    if (!(theta > 0.0 && theta <= BENCH_ZIPF_THETA_MAX)) {
        return BENCH_KEYS_BAD_THETA;
    }
    double n = (double)key_count;
    ks->theta = theta;
    if (theta >= 1.0) {
        /* Gray's closed form divides by (1 - theta). */
        ks->rejection = true;
        ks->hx1 = big_h(1.5, theta) - 1.0;
        ks->hn = big_h(n + 0.5, theta);
        ks->s2 = 2.0 - big_h_inverse(big_h(2.5, theta) - small_h(2.0, theta),
                                     theta);
        return BENCH_KEYS_OK;
    }
    ks->zetan = zeta(key_count, theta);
    ks->alpha = 1.0 / (1.0 - theta);
    ks->half_pow_theta = pow(0.5, theta);
    double zeta2 = zeta(2, theta);
    ks->eta = (1.0 - pow(2.0 / n, 1.0 - theta)) / (1.0 - zeta2 / ks->zetan);
    return BENCH_KEYS_OK;
}

uint64_t
bench_keyspace_pick(const struct bench_keyspace *ks, struct bench_prng *r)
{
    assert(ks->key_count > 0);
    if (ks->dist == BENCH_DIST_UNIFORM || ks->key_count == 1) {
        return bench_prng_below(r, ks->key_count);
    }
    if (ks->rejection) {
        uint64_t rank = pick_rejection(ks, r);
        return rank <= ks->key_count ? rank - 1 : ks->key_count - 1;
    }
    double u = bench_prng_unit(r);
    double uz = u * ks->zetan;
    if (uz < 1.0) {
        return 0;
    }
    if (uz < 1.0 + ks->half_pow_theta) {
        return 1;
    }
    double n = (double)ks->key_count;
    uint64_t id = (uint64_t)(n * pow(ks->eta * u - ks->eta + 1.0, ks->alpha));
    return id < ks->key_count ? id : ks->key_count - 1;
}

const char *
bench_keys_status_text(enum bench_keys_status status)
{
    switch (status) {
    case BENCH_KEYS_OK:
        return "ok";
    case BENCH_KEYS_BAD_COUNT:
        return "--keys is 0 or above BENCH_KEYS_MAX (1e8)";
    case BENCH_KEYS_KEY_SHORT:
        return "--key-len too short for the prefix and the largest key id";
    case BENCH_KEYS_KEY_LONG:
        return "--key-len above 250";
    case BENCH_KEYS_BAD_THETA:
        return "zipf theta must be in (0, 4]";
    }
    return "?";
}
