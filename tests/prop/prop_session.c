/*
 * prop_session.c - the session (parser + engine + store + composer) on random
 * command streams.
 *
 *   split: streams of valid, malformed and garbage commands, fed whole, one
 *          byte at a time and in random pieces, must give identical output
 *          and end in the same state ([frame.split]).
 *   model: streams of commands whose replies are predicted from the oracle
 *          model (spec/model/) by a formatter written here, independently of
 *          src/proto; the output must match byte for byte, and the store's
 *          log must end exactly as the model's.
 *
 *   prop_session [--mode split|model] [--seed S] [--runs N] [--cmds N]
 *                [--seconds T]
 *
 * Prints the first seed, each failing seed with its replay command, and
 * "N passed, N failed".
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../spec/model/model.h"
#include "../../src/engine/session.h"
#include "../support/rng.h"

#define NOW 1700000000u

/* ---- randomness and byte strings --------------------------------------- */

struct bytes {
    uint8_t *data;
    size_t len;
    size_t cap;
};

static void
add(struct bytes *b, const void *data, size_t len)
{
    if (b->len + len > b->cap) {
        b->cap = (b->len + len) * 2 + 64;
        b->data = realloc(b->data, b->cap);
        if (b->data == NULL) {
            abort();
        }
    }
    if (len > 0) {
        memcpy(b->data + b->len, data, len);
    }
    b->len += len;
}

static void addf(struct bytes *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
addf(struct bytes *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        abort();
    }
    add(b, tmp, (size_t)n);
}

/* ---- a session run ------------------------------------------------------- */

static struct engine_config
config(uint64_t mem, uint32_t value_max, bool evict)
{
    struct engine_config cfg = {
        .store = {.mem_limit = mem,
                  .value_len_max = value_max,
                  .evict = evict,
                  .cas_enabled = true,
                  .hash_seed = 5},
        .flush_enabled = true,
        .version = "1.6.18-mcref",
    };
    return cfg;
}

struct runner {
    struct engine *e;
    struct session s;
    struct bytes out;
    /* Replies are read after a piece with odds 1 in drain_odds (0, 1:
     * always), so queued references into the store meet later writes. */
    uint32_t drain_odds;
    /* The real time handed to the session with every piece. */
    uint32_t real_s;
};

static void
runner_open(struct runner *r, const struct engine_config *cfg)
{
    memset(r, 0, sizeof *r);
    r->e = engine_create(cfg, NULL);
    if (r->e == NULL) {
        abort();
    }
    session_init(&r->s, r->e);
    r->real_s = NOW;
}

static void
runner_close(struct runner *r)
{
    session_deinit(&r->s);
    engine_destroy(&r->e);
    free(r->out.data);
}

static void
runner_drain(struct runner *r)
{
    struct outq_segment seg[16];
    size_t n;
    while ((n = session_output(&r->s, seg, 16)) > 0) {
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
            add(&r->out, seg[i].base, seg[i].len);
            total += seg[i].len;
        }
        session_sent(&r->s, total, r->real_s);
    }
}

/* Feeds data in pieces: `piece` 0 = whole, 1 = byte by byte, else random
 * lengths up to `piece`, drawn from rng. */
static void
runner_feed(struct runner *r, const struct bytes *in, size_t piece,
            uint64_t *rng)
{
    size_t at = 0;
    while (at < in->len) {
        size_t n = in->len - at;
        if (piece == 1) {
            n = 1;
        } else if (piece > 1) {
            size_t cut = 1 + (size_t)rng_below(rng, piece);
            n = cut < n ? cut : n;
        }
        /* Copy each piece to its own heap block so ASan sees over-reads. */
        uint8_t *copy = malloc(n);
        if (copy == NULL) {
            abort();
        }
        memcpy(copy, in->data + at, n);
        session_input(&r->s, copy, n, r->real_s);
        free(copy);
        if (r->drain_odds <= 1 || rng_below(rng, r->drain_odds) == 0) {
            runner_drain(r);
        }
        at += n;
    }
    runner_drain(r);
}

/* ---- split mode ---------------------------------------------------------- */

static void
gen_key(uint64_t *rng, struct bytes *b)
{
    switch (rng_below(rng, 12)) {
    case 0: {
        uint8_t key[251];
        memset(key, 'L', sizeof key);
        add(b, key, rng_below(rng, 2) == 0 ? 250 : 251);
        break;
    }
    case 1:
        add(b, "k\t1", 3);
        break;
    default:
        addf(b, "k%u", (unsigned)rng_below(rng, 6));
    }
}

static const char *const numbers[] = {
    "0",  "1",          "5",          "-1",         "+3",
    "abc", "4294967296", "4294967295", "2592000",    "2592001",
    "18446744073709551616", "0x10", "007", "99999999999999999999"};

static void
gen_number(uint64_t *rng, struct bytes *b)
{
    const char *n = numbers[rng_below(rng, 14)];
    add(b, n, strlen(n));
}

static void
gen_noise(uint64_t *rng, struct bytes *b)
{
    static const char *const noise[] = {"\r", "\n", "\r\n", " ", "\0", "get",
                                        "HTTP/1.1", "noreply", "\x80", "  "};
    size_t n = 1 + (size_t)rng_below(rng, 6);
    for (size_t i = 0; i < n; i++) {
        const char *piece = noise[rng_below(rng, 10)];
        add(b, piece, piece[0] == '\0' ? 1 : strlen(piece));
    }
}

/* [meta.*]: a meta key: plain, too long, base64 or not quite base64. */
static void
gen_meta_key(uint64_t *rng, struct bytes *b)
{
    static const char *const b64[] = {"YWJj", "azE=", "YQ==", "a$zE=", "YWJ"};
    if (rng_below(rng, 3) == 0) {
        const char *k = b64[rng_below(rng, 5)];
        add(b, k, strlen(k));
    } else {
        gen_key(rng, b);
    }
}

/* Meta flags, valid and not: every letter, tokens at their limits. */
static void
gen_meta_flags(uint64_t *rng, struct bytes *b)
{
    static const char *const flags[] = {
        "v", "k", "c", "f", "s", "t", "h", "l", "u", "q", "b", "I", "x", "P",
        "L", "T30", "T-1", "T0", "Tx", "N30", "N0", "R30", "R", "C1", "C0",
        "E7", "Ex", "J5", "D2", "Dx", "F7", "F4294967296", "MS", "ME", "MA",
        "MP", "MR", "MI", "MD", "M+", "M-", "Mx", "MSS", "O", "Oab",
        "Oooooooooooooooooooooooooooooooooo", "zz", "!", "\x80", "S3"};
    size_t n = rng_below(rng, 8) == 0 ? 15 + (size_t)rng_below(rng, 6)
                                      : (size_t)rng_below(rng, 6);
    for (size_t i = 0; i < n; i++) {
        const char *f = flags[rng_below(rng, sizeof flags / sizeof flags[0])];
        add(b, " ", 1);
        add(b, f, strlen(f));
    }
}

static void
gen_meta_command(uint64_t *rng, struct bytes *b, uint32_t value_max)
{
    static const char *const names[] = {"mg ", "md ", "ma ", "me "};
    switch (rng_below(rng, 6)) {
    case 0:
    case 1: {
        size_t vlen = rng_below(rng, 6) == 0 ? value_max + rng_below(rng, 3)
                                             : (size_t)rng_below(rng, 20);
        add(b, "ms ", 3);
        gen_meta_key(rng, b);
        if (rng_below(rng, 8) == 0) {
            add(b, " ", 1);
            gen_number(rng, b); /* a datalen that may be malformed */
        } else {
            addf(b, " %zu", vlen);
        }
        gen_meta_flags(rng, b);
        add(b, "\r\n", 2);
        for (size_t i = 0; i < vlen; i++) {
            add(b, "m", 1);
        }
        add(b, rng_below(rng, 6) == 0 ? "xy" : "\r\n", 2);
        break;
    }
    case 2:
        add(b, "mn\r\n", 4);
        break;
    default: {
        const char *name = names[rng_below(rng, 4)];
        add(b, name, 3);
        gen_meta_key(rng, b);
        gen_meta_flags(rng, b);
        add(b, "\r\n", 2);
        break;
    }
    }
}

static void
gen_split_command(uint64_t *rng, struct bytes *b, uint32_t value_max)
{
    static const char *const storage[] = {"set", "add", "replace", "append",
                                          "prepend", "cas"};
    switch (rng_below(rng, 13)) {
    case 0:
    case 1:
    case 2: {
        const char *cmd = storage[rng_below(rng, 6)];
        size_t vlen = rng_below(rng, 4) == 0 ? value_max + rng_below(rng, 3)
                                         : (size_t)rng_below(rng, 20);
        addf(b, "%s ", cmd);
        gen_key(rng, b);
        addf(b, " %u %d %zu", (unsigned)rng_below(rng, 3),
             (int)rng_below(rng, 3) - 1, vlen);
        if (strcmp(cmd, "cas") == 0) {
            addf(b, " %u", (unsigned)rng_below(rng, 4));
        }
        if (rng_below(rng, 4) == 0) {
            add(b, " noreply", 8);
        }
        add(b, "\r\n", 2);
        for (size_t i = 0; i < vlen; i++) {
            add(b, "v", 1);
        }
        /* Mostly a correct terminator; sometimes a bad chunk. */
        add(b, rng_below(rng, 6) == 0 ? "xy" : "\r\n", 2);
        break;
    }
    case 3:
    case 4:
        if (rng_below(rng, 2) == 0) {
            add(b, "get", 3);
        } else {
            add(b, "gets", 4);
        }
        for (uint64_t i = rng_below(rng, 4); i > 0; i--) {
            add(b, " ", 1);
            gen_key(rng, b);
        }
        add(b, "\r\n", 2);
        break;
    case 5:
        add(b, rng_below(rng, 2) == 0 ? "incr " : "decr ", 5);
        gen_key(rng, b);
        add(b, " ", 1);
        gen_number(rng, b);
        add(b, "\r\n", 2);
        break;
    case 6:
        if (rng_below(rng, 2) == 0) {
            add(b, "touch ", 6);
        } else {
            add(b, "gat ", 4);
        }
        gen_number(rng, b);
        add(b, " ", 1);
        gen_key(rng, b);
        add(b, "\r\n", 2);
        break;
    case 7:
        add(b, "delete ", 7);
        gen_key(rng, b);
        if (rng_below(rng, 2)) {
            add(b, " ", 1);
            gen_number(rng, b);
        }
        add(b, "\r\n", 2);
        break;
    case 8: {
        static const char *const misc[] = {
            "version\r\n", "stats\r\n", "stats items\r\n", "flush_all 0\r\n",
            "verbosity 1\r\n", "stats settings\r\n", "bogus cmd\r\n", "\r\n",
            "stats sizes\r\n", "flush_all\r\n"};
        const char *m = misc[rng_below(rng, 10)];
        add(b, m, strlen(m));
        break;
    }
    case 9:
    case 10:
        gen_meta_command(rng, b, value_max);
        break;
    default:
        gen_noise(rng, b);
        break;
    }
}

static bool
run_split(uint64_t seed, size_t cmds, bool verbose)
{
    uint64_t rng = seed;
    uint32_t value_max = 1024 + (uint32_t)rng_below(&rng, 64);
    struct engine_config cfg = config(64 * 1024, value_max, true);
    /* Half the runs send every value from the item itself (outq.h). */
    cfg.value_ref_min = rng_below(&rng, 2) == 0 ? 1 : 0;
    struct bytes in = {0};
    for (size_t i = 0; i < cmds; i++) {
        gen_split_command(&rng, &in, value_max);
    }
    struct runner whole;
    runner_open(&whole, &cfg);
    runner_feed(&whole, &in, 0, &rng);
    bool ok = true;
    for (size_t mode = 1; mode <= 3 && ok; mode++) {
        size_t piece = mode == 1 ? 1 : mode == 2 ? 7 : 300;
        struct runner split;
        runner_open(&split, &cfg);
        runner_feed(&split, &in, piece, &rng);
        if (split.out.len != whole.out.len ||
            (whole.out.len > 0 &&
             memcmp(split.out.data, whole.out.data, whole.out.len) != 0) ||
            split.s.state != whole.s.state) {
            size_t at = 0;
            while (at < whole.out.len && at < split.out.len &&
                   whole.out.data[at] == split.out.data[at]) {
                at++;
            }
            fprintf(stderr,
                    "seed %" PRIu64 ": pieces of %zu differ at output byte %zu "
                    "(whole %zu bytes, split %zu)\n",
                    seed, piece, at, whole.out.len, split.out.len);
            size_t from = at > 60 ? at - 60 : 0;
            fprintf(stderr, "  whole: %.*s\n  split: %.*s\n",
                    (int)(whole.out.len - from < 100 ? whole.out.len - from : 100),
                    (const char *)whole.out.data + from,
                    (int)(split.out.len - from < 100 ? split.out.len - from : 100),
                    (const char *)split.out.data + from);
            ok = false;
        }
        store_check(split.e->store);
        runner_close(&split);
    }
    if (verbose) {
        fprintf(stderr, "seed %" PRIu64 ": %zu input bytes, %zu output, %s\n",
                seed, in.len, whole.out.len, ok ? "ok" : "FAILED");
    }
    store_check(whole.e->store);
    runner_close(&whole);
    free(in.data);
    return ok;
}

/* ---- model mode ---------------------------------------------------------- */

/* Expected replies, formatted here from the model's answers. */
static void
expect_status(struct bytes *want, enum store_status st, bool noreply,
              const char *ok_text)
{
    if (noreply) {
        return;
    }
    switch (st) {
    case STORE_OK:
        addf(want, "%s\r\n", ok_text);
        break;
    case STORE_MISS:
        add(want, "NOT_FOUND\r\n", 11);
        break;
    case STORE_NOT_STORED:
        add(want, "NOT_STORED\r\n", 12);
        break;
    case STORE_EXISTS:
        add(want, "EXISTS\r\n", 8);
        break;
    case STORE_TOO_LARGE:
        addf(want, "SERVER_ERROR object too large for cache\r\n");
        break;
    case STORE_NO_MEMORY:
        addf(want, "SERVER_ERROR out of memory storing object\r\n");
        break;
    case STORE_NON_NUMERIC:
        addf(want, "CLIENT_ERROR cannot increment or decrement non-numeric "
                   "value\r\n");
        break;
    }
}

static void
expect_value(struct bytes *want, const struct store_item *it, bool with_cas)
{
    addf(want, "VALUE ");
    add(want, it->key, it->key_len);
    addf(want, " %u %zu", it->flags, it->value_len);
    if (with_cas) {
        addf(want, " %" PRIu64, it->cas);
    }
    add(want, "\r\n", 2);
    add(want, it->value, it->value_len);
    add(want, "\r\n", 2);
}

/* Time moves in the model run ([expiry.*], [flush.*], [misc.debugtime]):
 * the input is cut into ticks, each fed at its own real time; within a tick
 * a test-clock run may also step the clock with debugtime. */
enum { MAX_TICKS = 4096 };
struct tick {
    size_t end;      /* input bytes up to here are fed at real_s */
    uint32_t real_s;
};

struct model_run {
    uint64_t rng;
    struct model *m;
    struct bytes in;
    struct bytes want;
    uint32_t value_max;
    uint64_t cas[8];
    bool test_clock;
    uint32_t real_s;   /* real time of the current tick */
    uint64_t offset_s; /* the debugtime steps so far (never negative here) */
    uint32_t now;      /* the item clock the model predicts */
    struct tick ticks[MAX_TICKS];
    size_t tick_count;
    bool meta; /* half the commands are meta commands */
};

/* The item clock, from [misc.debugtime] and [expiry.clock]: real time plus
 * the steps, and it ends at the last second a 32-bit clock has. */
static void
predict_now(struct model_run *r)
{
    uint64_t t = (uint64_t)r->real_s + (r->test_clock ? r->offset_s : 0);
    r->now = t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

/* Steps that cross the expiry boundaries the exptimes below set up. */
static uint64_t
time_step(struct model_run *r)
{
    static const uint64_t steps[] = {1, 1, 1, 2, 3, 5, 99, 100, 101,
                                     2592000, 2592001, 1000000};
    return steps[rng_below(&r->rng, 12)];
}

static void
model_advance(struct model_run *r)
{
    if (rng_below(&r->rng, 3) != 0) {
        return;
    }
    if (r->test_clock && rng_below(&r->rng, 2) == 0) {
        /* A step of the test clock, now and then far past its end. */
        uint64_t step = rng_below(&r->rng, 16) == 0 ? 9999999999u
                                                     : time_step(r);
        addf(&r->in, "debugtime %" PRIu64 "\r\n", step);
        add(&r->want, "OK\r\n", 4);
        r->offset_s += step;
        if (r->offset_s > UINT32_MAX) {
            r->offset_s = UINT32_MAX;
        }
        predict_now(r);
        return;
    }
    if (r->tick_count + 1 >= MAX_TICKS) {
        return;
    }
    uint64_t real = (uint64_t)r->real_s + time_step(r);
    r->ticks[r->tick_count++] = (struct tick){r->in.len, r->real_s};
    r->real_s = real > UINT32_MAX ? UINT32_MAX : (uint32_t)real;
    predict_now(r);
}

static void
model_key(struct model_run *r, char *key, unsigned *slot)
{
    *slot = (unsigned)rng_below(&r->rng, 8);
    snprintf(key, 16, "key%u", *slot);
}

/* An exptime as the client writes it, and (in *value) as the server reads
 * it after [num.truncate32]: relative ones up to the 30-day limit and one
 * past it ([expiry.relative-max]), absolute ones around now, negative ones,
 * and some beyond 32 bits. */
static const char *
model_exptime_text(struct model_run *r, char *text, int32_t *value)
{
    static const int64_t relative[] = {0, 0, 0, 1, 2, 3, 100, 101,
                                       2592000, 2592001, -1, -2147483648LL,
                                       4294967295LL, 4294967296LL + 5};
    int64_t v;
    if (rng_below(&r->rng, 3) == 0) {
        static const int64_t around[] = {-1, 0, 1, 2, 100};
        v = (int64_t)r->now + around[rng_below(&r->rng, 5)];
    } else {
        v = relative[rng_below(&r->rng, 14)];
    }
    snprintf(text, 24, "%" PRId64, v);
    *value = (int32_t)(uint32_t)(uint64_t)v;
    return text;
}

static int32_t
model_exptime(struct model_run *r, char *text)
{
    int32_t value;
    model_exptime_text(r, text, &value);
    return value;
}

static void
model_value(struct model_run *r, uint8_t *value, size_t *len)
{
    static const char *const numeric[] = {"0", "9", "99", "18446744073709551615",
                                          " 7", "x"};
    if (rng_below(&r->rng, 3) == 0) {
        const char *v = numeric[rng_below(&r->rng, 6)];
        *len = strlen(v);
        memcpy(value, v, *len);
        return;
    }
    *len = rng_below(&r->rng, 8) == 0 ? r->value_max + 1
                                  : (size_t)rng_below(&r->rng, 40);
    for (size_t i = 0; i < *len; i++) {
        value[i] = (uint8_t)('a' + rng_below(&r->rng, 26));
    }
}

/* ---- model mode: meta commands ([meta.*]) -------------------------------- */

/*
 * Expected meta replies, worded here from spec/protocol.md §19, not from
 * src/proto/meta_compose.c. Mutating flags (T N C E I M D J) come first on
 * a generated line and return flags after them in a random order, so the
 * left-to-right rule of [meta.commands] never changes an answer.
 */

/* The return flags a line asks for, in the order sent. */
struct ret_flags {
    char letter[8];
    size_t count;
};

static void
pick_ret_flags(struct model_run *r, const char *pool, struct ret_flags *f)
{
    size_t n = strlen(pool);
    char avail[8];
    memcpy(avail, pool, n);
    f->count = 0;
    while (n > 0) {
        size_t i = (size_t)rng_below(&r->rng, n);
        char c = avail[i];
        avail[i] = avail[--n];
        if (rng_below(&r->rng, 2) == 0) {
            f->letter[f->count++] = c;
        }
    }
}

/* [meta.mg-flags] t: seconds left at now, -1 for none; 0 once the deadline
 * has passed ([meta.mg-ttl-expired]). */
static long
ttl_left(uint32_t deadline_s, uint32_t now)
{
    if (deadline_s == 0) {
        return -1;
    }
    return deadline_s <= now ? 0 : (long)deadline_s - (long)now;
}

static const char *
opaque_of(unsigned slot)
{
    static const char *const opaques[] = {"O", "Oa", "O12345678", "Oxyz"};
    return opaques[slot % 4];
}

/* [meta.base64-key]: a key in standard base64, encoded here. */
static void
base64_of(const char *key, char *out)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(key);
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(uint8_t)key[i] << 16;
        v |= i + 1 < n ? (uint32_t)(uint8_t)key[i + 1] << 8 : 0;
        v |= i + 2 < n ? (uint32_t)(uint8_t)key[i + 2] : 0;
        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? abc[v & 63] : '=';
    }
    out[o] = '\0';
}

/* ` k<key>`, or ` k<base64> b` for a key marked binary ([meta.base64-mark]). */
static void
want_key(struct model_run *r, const char *key, bool binary)
{
    if (binary) {
        char enc[32];
        base64_of(key, enc);
        addf(&r->want, " k%s b", enc);
    } else {
        addf(&r->want, " k%s", key);
    }
}

/* The command's key as sent: with `b`, in base64 (the flag itself is
 * sent after ms's datalen: send_b). */
static void
send_key(struct model_run *r, const char *key, bool b)
{
    if (b) {
        char enc[32];
        base64_of(key, enc);
        addf(&r->in, " %s", enc);
    } else {
        addf(&r->in, " %s", key);
    }
}

static void
send_b(struct model_run *r, bool b)
{
    if (b) {
        add(&r->in, " b", 2);
    }
}

/* The flags on the line (with a leading space each). */
static void
send_ret_flags(struct model_run *r, const struct ret_flags *f, unsigned slot)
{
    for (size_t i = 0; i < f->count; i++) {
        if (f->letter[i] == 'O') {
            addf(&r->in, " %s", opaque_of(slot));
        } else {
            addf(&r->in, " %c", f->letter[i]);
        }
    }
}

/* [meta.mg-miss], [meta.md], [meta.opaque]: only k and O on a reply
 * without an item. */
static void
want_key_opaque(struct model_run *r, const struct ret_flags *f,
                const char *key, unsigned slot, bool b)
{
    for (size_t i = 0; i < f->count; i++) {
        if (f->letter[i] == 'k') {
            want_key(r, key, b); /* the request's key, as it came */
        } else if (f->letter[i] == 'O') {
            addf(&r->want, " %s", opaque_of(slot));
        }
    }
}

static void
model_mg(struct model_run *r, const char *key, unsigned slot, bool b)
{
    static const int32_t ttls[] = {0, 100, 2592000};
    struct store_fetch_opts o = {0};
    bool quiet = rng_below(&r->rng, 4) == 0;
    bool value = rng_below(&r->rng, 2) == 0;
    add(&r->in, "mg", 2);
    send_key(r, key, b);
    send_b(r, b);
    o.key_binary = b;
    if (rng_below(&r->rng, 4) == 0) {
        o.touch = true;
        o.exptime = ttls[rng_below(&r->rng, 3)];
        addf(&r->in, " T%d", o.exptime);
    }
    if (rng_below(&r->rng, 4) == 0) {
        o.vivify = true;
        o.vivify_exptime = ttls[rng_below(&r->rng, 3)];
        addf(&r->in, " N%d", o.vivify_exptime);
    }
    if (rng_below(&r->rng, 4) == 0) { /* [meta.recache] */
        o.recache = true;
        o.recache_s = rng_below(&r->rng, 2) ? 50 : 200;
        addf(&r->in, " R%u", o.recache_s);
    }
    if (rng_below(&r->rng, 5) == 0) { /* [meta.mg-access]: u */
        o.no_bump = true;
        add(&r->in, " u", 2);
    }
    struct ret_flags f;
    pick_ret_flags(r, "sfcktOh", &f);
    send_ret_flags(r, &f, slot);
    if (quiet) {
        add(&r->in, " q", 2);
    }
    if (value) {
        add(&r->in, " v", 2);
    }
    add(&r->in, "\r\n", 2);
    struct store_fetch_result res;
    enum store_status st =
        model_fetch(r->m, r->now, (const uint8_t *)key, strlen(key), &o, &res);
    if (st == STORE_NO_MEMORY) {
        addf(&r->want, "SERVER_ERROR out of memory\r\n");
        return;
    }
    if (st != STORE_OK) { /* [meta.quiet]: q hides EN */
        if (!quiet) {
            add(&r->want, "EN", 2);
            want_key_opaque(r, &f, key, slot, b);
            add(&r->want, "\r\n", 2);
        }
        return;
    }
    const struct store_item *it = &res.item;
    r->cas[slot] = it->cas;
    if (value) {
        addf(&r->want, "VA %zu", it->value_len);
    } else {
        add(&r->want, "HD", 2);
    }
    for (size_t i = 0; i < f.count; i++) {
        switch (f.letter[i]) {
        case 's': addf(&r->want, " s%zu", it->value_len); break;
        case 'f': addf(&r->want, " f%u", it->flags); break;
        case 'c': addf(&r->want, " c%" PRIu64, it->cas); break;
        case 'k': want_key(r, key, it->key_binary); break; /* the item's */
        case 't': addf(&r->want, " t%ld", ttl_left(it->deadline_s, r->now)); break;
        case 'O': addf(&r->want, " %s", opaque_of(slot)); break;
        default: addf(&r->want, " h%d", res.fetched_before ? 1 : 0); break;
        }
    }
    /* [meta.stale]: then Z, X, W. */
    if (res.win_sent_before) {
        add(&r->want, " Z", 2);
    }
    if (res.stale) {
        add(&r->want, " X", 2);
    }
    if (res.won) {
        add(&r->want, " W", 2);
    }
    add(&r->want, "\r\n", 2);
    if (value) {
        add(&r->want, it->value, it->value_len);
        add(&r->want, "\r\n", 2);
    }
}

static void
model_ms(struct model_run *r, const char *key, unsigned slot, bool b)
{
    static const char modes[] = "SEAPR";
    static const enum store_mode store_modes[] = {
        STORE_SET, STORE_ADD, STORE_APPEND, STORE_PREPEND, STORE_REPLACE};
    uint8_t value[2048];
    size_t vlen;
    model_value(r, value, &vlen);
    uint32_t flags = rng_below(&r->rng, 3) == 0 ? 77 : 0;
    int32_t exptime = rng_below(&r->rng, 3) == 0 ? 100 : 0;
    size_t mode = rng_below(&r->rng, 3) == 0 ? (size_t)rng_below(&r->rng, 5)
                                             : 0;
    bool cas = rng_below(&r->rng, 3) == 0;
    uint64_t unique = rng_below(&r->rng, 2) ? r->cas[slot] : 12345;
    if (unique == 0) {
        unique = 12345; /* C0 would mean "no C" to the store's options */
    }
    bool invalidate = cas && rng_below(&r->rng, 3) == 0;
    bool quiet = rng_below(&r->rng, 4) == 0;
    add(&r->in, "ms", 2);
    send_key(r, key, b);
    addf(&r->in, " %zu", vlen);
    send_b(r, b);
    if (exptime != 0) {
        addf(&r->in, " T%d", exptime);
    }
    if (flags != 0) {
        addf(&r->in, " F%u", flags);
    }
    if (mode != 0) {
        addf(&r->in, " M%c", modes[mode]);
    }
    if (cas) {
        addf(&r->in, " C%" PRIu64, unique);
    }
    if (invalidate) {
        add(&r->in, " I", 2);
    }
    uint64_t explicit_cas = 0;
    if (rng_below(&r->rng, 6) == 0) { /* [meta.explicit-cas] */
        explicit_cas = 9000 + rng_below(&r->rng, 3);
        addf(&r->in, " E%" PRIu64, explicit_cas);
    }
    struct ret_flags f;
    pick_ret_flags(r, "ckO", &f);
    send_ret_flags(r, &f, slot);
    if (quiet) {
        add(&r->in, " q", 2);
    }
    add(&r->in, "\r\n", 2);
    add(&r->in, value, vlen);
    add(&r->in, "\r\n", 2);
    /* [meta.ms-cas]: with C, set and replace are a cas; append and
     * prepend compare it; add ignores it. */
    enum store_mode m = store_modes[mode];
    struct store_put_opts o = {0};
    if (cas && (m == STORE_SET || m == STORE_REPLACE)) {
        m = STORE_CAS;
        o.invalidate = invalidate;
    } else if (cas && (m == STORE_APPEND || m == STORE_PREPEND)) {
        o.compare = true;
        o.compare_cas = unique;
    }
    o.new_cas = explicit_cas;
    o.key_binary = b;
    if (vlen > r->value_max) {
        /* [meta.ms-too-large]: the key's item goes, whatever the mode, as
         * a failed set's does ([store.failed-set]). */
        m = STORE_SET;
        memset(&o, 0, sizeof o);
    }
    uint64_t new_cas = 0;
    enum store_status st = model_put_opts(
        r->m, r->now, m, (const uint8_t *)key, strlen(key), flags, exptime,
        vlen > r->value_max ? NULL : value, vlen, unique, &o, &new_cas);
    const char *code = NULL;
    switch (st) {
    case STORE_OK: code = quiet ? NULL : "HD"; break;
    case STORE_NOT_STORED: code = "NS"; break;
    case STORE_EXISTS: code = "EX"; break;
    case STORE_MISS: code = "NF"; break;
    case STORE_TOO_LARGE:
        addf(&r->want, "SERVER_ERROR object too large for cache\r\n");
        return;
    default:
        addf(&r->want, "SERVER_ERROR out of memory storing object\r\n");
        return;
    }
    if (code == NULL) {
        return;
    }
    add(&r->want, code, 2);
    for (size_t i = 0; i < f.count; i++) {
        if (f.letter[i] == 'c') { /* [meta.ms-invalidate]: c0 on failure */
            addf(&r->want, " c%" PRIu64, st == STORE_OK ? new_cas : 0);
        } else if (f.letter[i] == 'k') {
            want_key(r, key, b);
        } else {
            addf(&r->want, " %s", opaque_of(slot));
        }
    }
    add(&r->want, "\r\n", 2);
}

static void
model_md(struct model_run *r, const char *key, unsigned slot, bool b)
{
    struct store_delete_opts o = {0};
    bool quiet = rng_below(&r->rng, 4) == 0;
    add(&r->in, "md", 2);
    send_key(r, key, b);
    send_b(r, b);
    if (rng_below(&r->rng, 4) == 0) {
        o.compare = true;
        o.compare_cas = rng_below(&r->rng, 2) ? r->cas[slot] : 12345;
        if (o.compare_cas == 0) {
            o.compare_cas = 12345;
        }
        addf(&r->in, " C%" PRIu64, o.compare_cas);
    }
    if (rng_below(&r->rng, 4) == 0) {
        o.invalidate = true;
        add(&r->in, " I", 2);
        if (rng_below(&r->rng, 3) == 0) { /* [meta.explicit-cas] */
            o.new_cas = 9100 + rng_below(&r->rng, 3);
            addf(&r->in, " E%" PRIu64, o.new_cas);
        }
    }
    struct ret_flags f;
    pick_ret_flags(r, "kO", &f);
    send_ret_flags(r, &f, slot);
    if (quiet) {
        add(&r->in, " q", 2);
    }
    add(&r->in, "\r\n", 2);
    enum store_status st =
        model_delete_opts(r->m, r->now, (const uint8_t *)key, strlen(key), &o);
    const char *code = st == STORE_OK ? (quiet ? NULL : "HD")
                       : st == STORE_EXISTS ? "EX"
                                            : "NF";
    if (st != STORE_OK && st != STORE_EXISTS && st != STORE_MISS) {
        abort(); /* md without x or T needs no room */
    }
    if (code != NULL) {
        add(&r->want, code, 2);
        want_key_opaque(r, &f, key, slot, b);
        add(&r->want, "\r\n", 2);
    }
}

static void
model_ma(struct model_run *r, const char *key, unsigned slot, bool b)
{
    static const uint64_t deltas[] = {0, 1, 5, 100, UINT64_MAX};
    static const char *const modes[] = {"MI", "M+", "MD", "M-"};
    struct store_arith_opts o = {0};
    bool quiet = rng_below(&r->rng, 4) == 0;
    bool value = rng_below(&r->rng, 2) == 0;
    bool incr = true;
    uint64_t delta = 1;
    add(&r->in, "ma", 2);
    send_key(r, key, b);
    send_b(r, b);
    o.key_binary = b;
    if (rng_below(&r->rng, 3) == 0) {
        o.vivify = true;
        o.vivify_exptime = rng_below(&r->rng, 2) ? 0 : 100;
        addf(&r->in, " N%d", o.vivify_exptime);
        if (rng_below(&r->rng, 2) == 0) {
            o.initial = deltas[rng_below(&r->rng, 5)];
            addf(&r->in, " J%" PRIu64, o.initial);
        }
    }
    if (rng_below(&r->rng, 2) == 0) {
        delta = deltas[rng_below(&r->rng, 5)];
        addf(&r->in, " D%" PRIu64, delta);
    }
    if (rng_below(&r->rng, 3) == 0) {
        size_t mode = (size_t)rng_below(&r->rng, 4);
        incr = mode < 2;
        addf(&r->in, " %s", modes[mode]);
    }
    if (rng_below(&r->rng, 5) == 0) {
        o.compare = true;
        o.compare_cas = rng_below(&r->rng, 2) ? r->cas[slot] : 12345;
        if (o.compare_cas == 0) {
            o.compare_cas = 12345;
        }
        addf(&r->in, " C%" PRIu64, o.compare_cas);
    }
    if (rng_below(&r->rng, 6) == 0) { /* [meta.explicit-cas] */
        o.new_cas = 9200 + rng_below(&r->rng, 3);
        addf(&r->in, " E%" PRIu64, o.new_cas);
    }
    struct ret_flags f;
    pick_ret_flags(r, "tckO", &f);
    send_ret_flags(r, &f, slot);
    if (quiet) {
        add(&r->in, " q", 2);
    }
    if (value) {
        add(&r->in, " v", 2);
    }
    add(&r->in, "\r\n", 2);
    uint64_t result = 0;
    struct store_item it;
    bool created = false;
    enum store_status st =
        model_arith_opts(r->m, r->now, (const uint8_t *)key, strlen(key), incr,
                         delta, &o, &result, &it, &created);
    switch (st) {
    case STORE_OK:
        break;
    case STORE_NON_NUMERIC:
        addf(&r->want, "CLIENT_ERROR cannot increment or decrement "
                      "non-numeric value\r\n");
        return;
    case STORE_NO_MEMORY:
        addf(&r->want, "SERVER_ERROR out of memory\r\n");
        return;
    default: /* [meta.ma]: NF, or EX on a CAS mismatch; k and O echoed */
        add(&r->want, st == STORE_EXISTS ? "EX" : "NF", 2);
        want_key_opaque(r, &f, key, slot, b);
        add(&r->want, "\r\n", 2);
        return;
    }
    r->cas[slot] = it.cas;
    if (quiet) { /* [meta.quiet], [meta.ma-quiet-create] */
        return;
    }
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%" PRIu64, result);
    if (value) {
        addf(&r->want, "VA %d", n);
    } else {
        add(&r->want, "HD", 2);
    }
    for (size_t i = 0; i < f.count; i++) {
        switch (f.letter[i]) {
        case 't': addf(&r->want, " t%ld", ttl_left(it.deadline_s, r->now)); break;
        case 'c': addf(&r->want, " c%" PRIu64, it.cas); break;
        case 'k': want_key(r, key, b); break; /* the request's */
        default: addf(&r->want, " %s", opaque_of(slot)); break;
        }
    }
    add(&r->want, "\r\n", 2);
    if (value) {
        addf(&r->want, "%s\r\n", digits);
    }
}

/* [meta.interleave]: meta commands on the keys the text commands use. */
static void
model_meta_command(struct model_run *r, const char *key, unsigned slot)
{
    bool b = rng_below(&r->rng, 4) == 0; /* [meta.base64-key] */
    switch (rng_below(&r->rng, 9)) {
    case 0:
    case 1:
    case 2:
        model_mg(r, key, slot, b);
        break;
    case 3:
    case 4:
        model_ms(r, key, slot, b);
        break;
    case 5:
        model_md(r, key, slot, b);
        break;
    case 6:
    case 7:
        model_ma(r, key, slot, b);
        break;
    default:
        add(&r->in, "mn\r\n", 4); /* [meta.mn] */
        add(&r->want, "MN\r\n", 4);
        break;
    }
}

static void
model_command(struct model_run *r)
{
    static const char *const modes[] = {"set", "add", "replace",
                                        "append", "prepend", "cas"};
    char key[16];
    unsigned slot;
    model_key(r, key, &slot);
    size_t klen = strlen(key);
    const uint8_t *k = (const uint8_t *)key;
    model_advance(r);
    bool noreply = rng_below(&r->rng, 5) == 0;
    const char *nr = noreply ? " noreply" : "";
    if (r->meta && rng_below(&r->rng, 2) == 0) {
        model_meta_command(r, key, slot);
        return;
    }
    switch (rng_below(&r->rng, 9)) {
    case 0:
    case 1:
    case 2: {
        enum store_mode mode = (enum store_mode)rng_below(&r->rng, 6);
        uint8_t value[2048];
        size_t vlen;
        model_value(r, value, &vlen);
        uint32_t flags = rng_below(&r->rng, 3) == 0 ? 77 : 0;
        char et[24];
        int32_t exptime = model_exptime(r, et);
        uint64_t unique = rng_below(&r->rng, 2) ? r->cas[slot] : 12345;
        addf(&r->in, "%s %s %u %s %zu", modes[mode], key, flags, et, vlen);
        if (mode == STORE_CAS) {
            addf(&r->in, " %" PRIu64, unique);
        }
        addf(&r->in, "%s\r\n", nr);
        add(&r->in, value, vlen);
        add(&r->in, "\r\n", 2);
        enum store_status st =
            model_put(r->m, r->now, mode, k, klen, flags, exptime,
                      vlen > r->value_max ? NULL : value, vlen, unique, NULL);
        expect_status(&r->want, st, noreply, "STORED");
        break;
    }
    case 3:
    case 4: {
        bool gat = rng_below(&r->rng, 3) == 0;
        bool with_cas = rng_below(&r->rng, 2) == 0;
        char et[24];
        int32_t exptime = model_exptime(r, et);
        if (gat) {
            addf(&r->in, "%s %s", with_cas ? "gats" : "gat", et);
        } else {
            addf(&r->in, "%s", with_cas ? "gets" : "get");
        }
        unsigned n = 1 + (unsigned)rng_below(&r->rng, 3);
        for (unsigned i = 0; i < n; i++) {
            if (i > 0) {
                model_key(r, key, &slot);
            }
            addf(&r->in, " %s", key);
            struct store_item it;
            enum store_status st =
                gat ? model_touch(r->m, r->now, (const uint8_t *)key, strlen(key),
                                  exptime, &it)
                    : model_get(r->m, r->now, (const uint8_t *)key, strlen(key),
                                &it);
            if (st == STORE_OK) {
                expect_value(&r->want, &it, with_cas);
                r->cas[slot] = it.cas;
            }
        }
        add(&r->in, "\r\n", 2);
        add(&r->want, "END\r\n", 5);
        break;
    }
    case 5: {
        bool incr = rng_below(&r->rng, 2) == 0;
        static const uint64_t deltas[] = {0, 1, 5, 100, UINT64_MAX};
        uint64_t delta = deltas[rng_below(&r->rng, 5)];
        addf(&r->in, "%s %s %" PRIu64 "%s\r\n", incr ? "incr" : "decr", key,
             delta, nr);
        uint64_t v;
        enum store_status st = model_arith(r->m, r->now, k, klen, incr, delta, &v);
        if (st == STORE_OK && !noreply) {
            addf(&r->want, "%" PRIu64 "\r\n", v);
        } else if (st == STORE_NO_MEMORY && !noreply) {
            addf(&r->want, "SERVER_ERROR out of memory\r\n");
        } else if (st != STORE_OK) {
            expect_status(&r->want, st, noreply, "");
        }
        break;
    }
    case 6: {
        char et[24];
        int32_t exptime = model_exptime(r, et);
        addf(&r->in, "touch %s %s%s\r\n", key, et, nr);
        enum store_status st = model_touch(r->m, r->now, k, klen, exptime, NULL);
        if (st == STORE_NO_MEMORY) {
            if (!noreply) {
                addf(&r->want, "SERVER_ERROR out of memory\r\n");
            }
        } else {
            expect_status(&r->want, st, noreply, "TOUCHED");
        }
        break;
    }
    case 7:
        addf(&r->in, "delete %s%s\r\n", key, nr);
        expect_status(&r->want, model_delete(r->m, r->now, k, klen), noreply,
                      "DELETED");
        break;
    default:
        if (rng_below(&r->rng, 3) == 0) {
            /* [flush.immediate], [flush.delayed]: none, relative, absolute
             * (past and future), negative. */
            char et[24];
            int32_t delay = 0;
            if (rng_below(&r->rng, 4) == 0) {
                snprintf(et, sizeof et, "%s", "");
            } else {
                delay = model_exptime(r, et + 1);
                et[0] = ' ';
            }
            addf(&r->in, "flush_all%s%s\r\n", et, nr);
            model_flush(r->m, r->now, delay);
            if (!noreply) {
                add(&r->want, "OK\r\n", 4);
            }
        } else {
            addf(&r->in, "version\r\n");
            add(&r->want, "VERSION 1.6.18-mcref\r\n", 22);
        }
        break;
    }
}

struct layout {
    struct store_walk_entry e[2048];
    size_t count;
};

static void
collect(void *ctx, const struct store_walk_entry *e)
{
    struct layout *l = ctx;
    if (l->count < 2048) {
        l->e[l->count] = *e;
        l->e[l->count].key = NULL; /* pointers die with the walk */
    }
    l->count++;
}

static struct layout layout_store;
static struct layout layout_model;

/* Field by field: struct padding is not part of a layout. */
static bool
same_layout(const struct layout *a, const struct layout *b)
{
    if (a->count != b->count) {
        return false;
    }
    for (size_t i = 0; i < a->count && i < 2048; i++) {
        const struct store_walk_entry *x = &a->e[i];
        const struct store_walk_entry *y = &b->e[i];
        if (x->pos != y->pos || x->size != y->size || x->gap != y->gap ||
            x->live != y->live || x->fetched != y->fetched ||
            x->active != y->active || x->key_len != y->key_len) {
            return false;
        }
    }
    return true;
}

static bool
run_model(uint64_t seed, size_t cmds, bool verbose)
{
    struct model_run r = {.rng = seed};
    uint64_t mems[] = {1200, 4096, 65536};
    uint64_t mem = mems[rng_below(&r.rng, 3)];
    r.value_max = 200;
    r.meta = rng_below(&r.rng, 4) != 0; /* some runs stay text only */
    bool evict = rng_below(&r.rng, 4) != 0;
    struct engine_config cfg = config(mem, r.value_max, evict);
    cfg.value_ref_min = rng_below(&r.rng, 2) == 0 ? 1 : 0;
    cfg.test_clock = rng_below(&r.rng, 2) == 0;
    r.test_clock = cfg.test_clock;
    /* Where the clock starts: today, before the 30-day limit (so small
     * absolute exptimes are in the future), at 2038, near its end. */
    static const uint32_t starts[] = {NOW, 2591990u, 2147483600u,
                                      UINT32_MAX - 300u};
    r.real_s = starts[rng_below(&r.rng, 4)];
    predict_now(&r);
    r.m = model_create(&cfg.store);
    if (r.m == NULL) {
        abort();
    }
    for (size_t i = 0; i < cmds; i++) {
        model_command(&r);
    }
    r.ticks[r.tick_count++] = (struct tick){r.in.len, r.real_s};
    struct runner run;
    runner_open(&run, &cfg);
    run.drain_odds = 4;
    uint64_t piece_rng = seed ^ 0x5555;
    size_t fed = 0;
    for (size_t t = 0; t < r.tick_count; t++) {
        /* Each tick's bytes in random pieces, at the tick's real time. */
        struct bytes part = {.data = r.in.data + fed,
                             .len = r.ticks[t].end - fed};
        run.real_s = r.ticks[t].real_s;
        runner_feed(&run, &part, 200, &piece_rng);
        fed = r.ticks[t].end;
    }
    bool ok = run.out.len == r.want.len &&
              (r.want.len == 0 ||
               memcmp(run.out.data, r.want.data, r.want.len) == 0);
    if (!ok) {
        size_t at = 0;
        while (at < r.want.len && at < run.out.len &&
               r.want.data[at] == run.out.data[at]) {
            at++;
        }
        size_t from = at > 40 ? at - 40 : 0;
        fprintf(stderr,
                "seed %" PRIu64 ": output differs at byte %zu\n"
                "  session: %.*s\n  model:   %.*s\n",
                seed, at, (int)(run.out.len - from < 300 ? run.out.len - from : 300),
                (const char *)run.out.data + from,
                (int)(r.want.len - from < 300 ? r.want.len - from : 300),
                (const char *)r.want.data + from);
    }
    layout_store.count = 0;
    layout_model.count = 0;
    store_walk(run.e->store, collect, &layout_store);
    model_walk(r.m, collect, &layout_model);
    if (ok && !same_layout(&layout_store, &layout_model)) {
        fprintf(stderr, "seed %" PRIu64 ": final log layouts differ\n", seed);
        ok = false;
    }
    store_check(run.e->store);
    /* PROP_SESSION_DUMP=FILE: a failing run's input, to replay by hand. */
    if (!ok && getenv("PROP_SESSION_DUMP") != NULL) {
        FILE *dump = fopen(getenv("PROP_SESSION_DUMP"), "wb");
        if (dump != NULL) {
            fwrite(r.in.data, 1, r.in.len, dump);
            fclose(dump);
        }
    }
    if (verbose) {
        fprintf(stderr, "seed %" PRIu64 ": mem %" PRIu64 " evict %d, %zu bytes "
                        "in, %zu out, %s\n",
                seed, mem, evict, r.in.len, run.out.len, ok ? "ok" : "FAILED");
    }
    runner_close(&run);
    model_destroy(&r.m);
    free(r.in.data);
    free(r.want.data);
    return ok;
}

int
main(int argc, char **argv)
{
    const char *mode = "split";
    uint64_t seed = (uint64_t)time(NULL);
    uint64_t runs = 100;
    size_t cmds = 300;
    double seconds = 0;
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
            mode = argv[++i];
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 10);
            runs = 1;
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--cmds") == 0 && i + 1 < argc) {
            cmds = (size_t)strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            seconds = strtod(argv[++i], NULL);
        } else if (strcmp(argv[i], "--verbose") == 0) {
            verbose = true;
        } else {
            fprintf(stderr, "usage: prop_session [--mode split|model] "
                            "[--seed S] [--runs N] [--cmds N] [--seconds T] "
                            "[--verbose]\n");
            return 2;
        }
    }
    bool split = strcmp(mode, "split") == 0;
    if (!split && strcmp(mode, "model") != 0) {
        fprintf(stderr, "prop_session: unknown mode %s\n", mode);
        return 2;
    }
    printf("prop_session %s: first seed %" PRIu64 ", %zu commands per run\n",
           mode, seed, cmds);
    uint64_t passed = 0;
    uint64_t failed = 0;
    clock_t start = clock();
    for (uint64_t i = 0;; i++) {
        if (seconds > 0
                ? (double)(clock() - start) / CLOCKS_PER_SEC >= seconds
                : i >= runs) {
            break;
        }
        bool ok = split ? run_split(seed + i, cmds, verbose)
                        : run_model(seed + i, cmds, verbose);
        if (ok) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "  replay: prop_session --mode %s --seed %" PRIu64
                            " --cmds %zu\n",
                    mode, seed + i, cmds);
        }
    }
    printf("%" PRIu64 " passed, %" PRIu64 " failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
