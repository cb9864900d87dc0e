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

static void
gen_split_command(uint64_t *rng, struct bytes *b, uint32_t value_max)
{
    static const char *const storage[] = {"set", "add", "replace", "append",
                                          "prepend", "cas"};
    switch (rng_below(rng, 12)) {
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
                seed, at, (int)(run.out.len - from < 120 ? run.out.len - from : 120),
                (const char *)run.out.data + from,
                (int)(r.want.len - from < 120 ? r.want.len - from : 120),
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
