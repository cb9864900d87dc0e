/*
 * prop_binary.c - the session on random binary-protocol streams ([bin.*]).
 *
 *   split: streams of valid, malformed and unknown packets (a refused one
 *          ends the stream, as it closes the connection), fed whole, one
 *          byte at a time and in random pieces, must give identical output
 *          and end in the same state ([bin.frame]).
 *   model: streams of packets whose responses are predicted from the oracle
 *          model (spec/model/) by a packet formatter written here,
 *          independently of src/proto; the output must match byte for byte
 *          (CAS uniques included), and every key must end as the model's.
 *
 *   prop_binary [--mode split|model] [--seed S] [--runs N] [--cmds N]
 *               [--seconds T]
 *
 * Prints the first seed, each failing seed with its replay command, and
 * "N passed, N failed".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../spec/model/model.h"
#include "../../src/engine/session.h"
#include "../support/rng.h"

#define NOW 1700000000u
#define KEYS 6u
#define VALUE_MAX 200u

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

static void
put_be(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    }
}

/* A packet: request (magic 0x80; `status` is the vbucket) or response. */
static void
packet(struct bytes *b, uint8_t magic, uint8_t op, uint16_t status,
       const void *ext, size_t ext_len, const void *key, size_t key_len,
       const void *val, size_t val_len, uint32_t opaque, uint64_t cas)
{
    uint8_t h[24];
    h[0] = magic;
    h[1] = op;
    put_be(h + 2, key_len, 2);
    h[4] = (uint8_t)ext_len;
    h[5] = 0;
    put_be(h + 6, status, 2);
    put_be(h + 8, ext_len + key_len + val_len, 4);
    put_be(h + 12, opaque, 4);
    put_be(h + 16, cas, 8);
    add(b, h, 24);
    add(b, ext, ext_len);
    add(b, key, key_len);
    add(b, val, val_len);
}

/* ---- a session run ------------------------------------------------------- */

struct runner {
    struct engine *e;
    struct session s;
    struct bytes out;
};

static struct engine_config
config(uint64_t mem, bool evict, bool ref)
{
    struct engine_config cfg = {
        .store = {.mem_limit = mem,
                  .value_len_max = VALUE_MAX,
                  .evict = evict,
                  .cas_enabled = true,
                  .hash_seed = 5},
        .flush_enabled = true,
        .version = "1.6.18-mcref",
        .value_ref_min = ref ? 1 : 0,
    };
    return cfg;
}

static void
runner_open(struct runner *r, const struct engine_config *cfg)
{
    memset(r, 0, sizeof *r);
    r->e = engine_create(cfg, NULL);
    if (r->e == NULL) {
        abort();
    }
    session_init(&r->s, r->e);
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
        session_sent(&r->s, total, NOW);
    }
}

/* piece 0: whole; 1: byte by byte; else random pieces up to `piece`. */
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
        uint8_t *copy = malloc(n);
        if (copy == NULL) {
            abort();
        }
        memcpy(copy, in->data + at, n);
        session_input(&r->s, copy, n, NOW);
        free(copy);
        if (rng_below(rng, 3) == 0) {
            runner_drain(r);
        }
        at += n;
    }
    runner_drain(r);
}

static void
runner_close(struct runner *r)
{
    session_deinit(&r->s);
    engine_destroy(&r->e);
    free(r->out.data);
}

/* ---- the opcodes, as written here ----------------------------------------- */

enum {
    OP_GET = 0x00, OP_SET = 0x01, OP_ADD = 0x02, OP_REPLACE = 0x03,
    OP_DELETE = 0x04, OP_INCR = 0x05, OP_DECR = 0x06, OP_GETQ = 0x09,
    OP_NOOP = 0x0a, OP_GETK = 0x0c, OP_GETKQ = 0x0d, OP_APPEND = 0x0e,
    OP_PREPEND = 0x0f, OP_SETQ = 0x11, OP_ADDQ = 0x12, OP_REPLACEQ = 0x13,
    OP_DELETEQ = 0x14, OP_INCRQ = 0x15, OP_DECRQ = 0x16, OP_APPENDQ = 0x19,
    OP_PREPENDQ = 0x1a, OP_TOUCH = 0x1c, OP_GAT = 0x1d, OP_GATQ = 0x1e,
    OP_GATK = 0x23, OP_GATKQ = 0x24,
};

static const char *const key_names[KEYS] = {"a", "bb", "key3", "k4",
                                            "fifth", "6"};

static void
gen_value(uint64_t *rng, uint8_t *val, size_t *len, bool numeric)
{
    if (numeric) {
        *len = (size_t)snprintf((char *)val, 24, "%" PRIu64,
                                rng_below(rng, 1000));
        return;
    }
    *len = (size_t)rng_below(rng, 24);
    for (size_t i = 0; i < *len; i++) {
        val[i] = (uint8_t)rng_below(rng, 256);
    }
}

/* ---- split mode ------------------------------------------------------------ */

static void
gen_split_packet(uint64_t *rng, struct bytes *b)
{
    static const uint8_t ops[] = {
        OP_GET,  OP_SET,     OP_ADD,   OP_REPLACE, OP_DELETE, OP_INCR,
        OP_DECR, OP_GETQ,    OP_NOOP,  OP_GETK,    OP_GETKQ,  OP_APPEND,
        OP_SETQ, OP_DELETEQ, OP_INCRQ, OP_TOUCH,   OP_GAT,    OP_GATKQ,
        0x1b,    0x40,       0x10,     0x0b,       0x08,      0x20};
    uint8_t op = ops[rng_below(rng, sizeof ops)];
    const char *key = key_names[rng_below(rng, KEYS)];
    uint8_t ext[20] = {0};
    size_t ext_len = 0;
    uint8_t val[64];
    size_t val_len = 0;
    switch (op) {
    case OP_SET: case OP_ADD: case OP_REPLACE: case OP_SETQ:
        ext_len = 8;
        put_be(ext, rng_below(rng, 3), 4);
        gen_value(rng, val, &val_len, rng_below(rng, 2) == 0);
        break;
    case OP_APPEND:
        gen_value(rng, val, &val_len, false);
        break;
    case OP_INCR: case OP_DECR: case OP_INCRQ:
        ext_len = 20;
        put_be(ext, rng_below(rng, 5), 8);
        put_be(ext + 8, rng_below(rng, 5), 8);
        put_be(ext + 16, rng_below(rng, 4) == 0 ? 0xffffffffu : 0, 4);
        break;
    case OP_TOUCH: case OP_GAT: case OP_GATKQ:
        ext_len = 4;
        break;
    case OP_NOOP: case 0x0b: case 0x08: case 0x20:
        key = "";
        break;
    case 0x10:
        key = rng_below(rng, 2) == 0 ? "" : "settings";
        break;
    default:
        break;
    }
    size_t key_len = strlen(key);
    if (op == 0x1b || op == 0x40) {
        gen_value(rng, val, &val_len, false); /* an unknown op's body */
    }
    packet(b, 0x80, op, 0, ext, ext_len, key, key_len, val, val_len,
           (uint32_t)rng_below(rng, 100), rng_below(rng, 8) == 0 ? 1 : 0);
    if (rng_below(rng, 200) == 0) {
        /* Now and then a malformed packet (it closes the connection). */
        packet(b, 0x80, OP_GET, 0, ext, 4, key, key_len, NULL, 0, 0, 0);
    }
}

static bool
run_split(uint64_t seed, size_t cmds)
{
    uint64_t rng = seed;
    struct engine_config cfg =
        config(64 * 1024, true, rng_below(&rng, 2) == 0);
    struct bytes in = {0};
    for (size_t i = 0; i < cmds; i++) {
        gen_split_packet(&rng, &in);
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
            fprintf(stderr, "seed %" PRIu64 ": pieces of %zu differ "
                    "(whole %zu bytes, split %zu)\n",
                    seed, piece, whole.out.len, split.out.len);
            ok = false;
        }
        store_check(split.e->store);
        runner_close(&split);
    }
    store_check(whole.e->store);
    runner_close(&whole);
    free(in.data);
    return ok;
}

/* ---- model mode ---------------------------------------------------------- */

/* The statuses and texts, as memcached 1.6.18 sends them (written here,
 * not taken from src/proto). */
static void
want_error(struct bytes *want, uint8_t op, uint16_t status, uint32_t opaque,
           const char *key_echo)
{
    const char *text = status == 1      ? "Not found"
                       : status == 2    ? "Data exists for key."
                       : status == 3    ? "Too large."
                       : status == 5    ? "Not stored."
                       : status == 6    ? "Non-numeric server-side value for "
                                          "incr or decr"
                       : status == 0x82 ? "Out of memory"
                                        : NULL;
    if (text == NULL) {
        abort();
    }
    if (key_echo != NULL) {
        packet(want, 0x81, op, status, NULL, 0, key_echo, strlen(key_echo),
               NULL, 0, opaque, 0);
    } else {
        packet(want, 0x81, op, status, NULL, 0, NULL, 0, text, strlen(text),
               opaque, 0);
    }
}

struct model_run {
    uint64_t rng;
    struct model *m;
    struct bytes in;
    struct bytes want;
    uint64_t last_cas[KEYS];
};

static uint64_t
pick_cas(struct model_run *r, unsigned slot)
{
    switch (rng_below(&r->rng, 6)) {
    case 0:
        return r->last_cas[slot];
    case 1:
        return r->last_cas[slot] + 1000;
    default:
        return 0;
    }
}

static void
model_store(struct model_run *r, uint8_t op, unsigned slot, uint32_t opaque)
{
    const char *key = key_names[slot];
    bool quiet = op >= 0x11;
    uint8_t base = quiet ? (uint8_t)(op == OP_APPENDQ   ? OP_APPEND
                                     : op == OP_PREPENDQ ? OP_PREPEND
                                                         : op - 0x10)
                         : op;
    bool concat = base == OP_APPEND || base == OP_PREPEND;
    uint8_t val[32];
    size_t val_len;
    gen_value(&r->rng, val, &val_len, rng_below(&r->rng, 2) == 0);
    uint32_t flags = (uint32_t)rng_below(&r->rng, 4);
    uint64_t cas = pick_cas(r, slot);
    uint8_t ext[8];
    put_be(ext, flags, 4);
    put_be(ext + 4, 0, 4);
    packet(&r->in, 0x80, op, 0, ext, concat ? 0 : 8, key, strlen(key), val,
           val_len, opaque, cas);
    enum store_mode mode = base == OP_ADD       ? STORE_ADD
                           : base == OP_REPLACE ? STORE_REPLACE
                           : base == OP_APPEND  ? STORE_APPEND
                           : base == OP_PREPEND ? STORE_PREPEND
                                                : STORE_SET;
    struct store_put_opts o = {0};
    if (cas != 0) {
        if (concat) {
            o.compare = true;
            o.compare_cas = cas;
        } else {
            mode = STORE_CAS;
        }
    }
    uint64_t new_cas = 0;
    enum store_status st =
        model_put_opts(r->m, NOW, mode, (const uint8_t *)key, strlen(key),
                       concat ? 0 : flags, 0, val, val_len, cas, &o, &new_cas);
    switch (st) {
    case STORE_OK:
        r->last_cas[slot] = new_cas;
        if (!quiet) {
            packet(&r->want, 0x81, op, 0, NULL, 0, NULL, 0, NULL, 0, opaque,
                   new_cas);
        }
        return;
    case STORE_NOT_STORED:
        want_error(&r->want, op,
                   base == OP_ADD ? 2 : concat ? 5 : 1, opaque, NULL);
        return;
    case STORE_TOO_LARGE:
        want_error(&r->want, op, concat ? 5 : 3, opaque, NULL);
        return;
    case STORE_MISS:
        want_error(&r->want, op, 1, opaque, NULL);
        return;
    case STORE_EXISTS:
        want_error(&r->want, op, 2, opaque, NULL);
        return;
    case STORE_NO_MEMORY:
        want_error(&r->want, op, 0x82, opaque, NULL);
        return;
    case STORE_NON_NUMERIC:
        break;
    }
    abort();
}

static void
want_hit(struct model_run *r, uint8_t op, bool with_key,
         const struct store_item *it, uint32_t opaque)
{
    uint8_t ext[4];
    put_be(ext, it->flags, 4);
    packet(&r->want, 0x81, op, 0, ext, 4, it->key, with_key ? it->key_len : 0,
           it->value, it->value_len, opaque, it->cas);
}

static void
model_get_cmd(struct model_run *r, uint8_t op, unsigned slot, uint32_t opaque)
{
    const char *key = key_names[slot];
    bool gat = op == OP_GAT || op == OP_GATQ || op == OP_GATK ||
               op == OP_GATKQ;
    bool quiet = op == OP_GETQ || op == OP_GETKQ || op == OP_GATQ ||
                 op == OP_GATKQ;
    bool with_key = op == OP_GETK || op == OP_GETKQ || op == OP_GATK ||
                    op == OP_GATKQ;
    uint8_t ext[4];
    uint32_t exptime = rng_below(&r->rng, 2) == 0 ? 0 : 5000;
    put_be(ext, exptime, 4);
    packet(&r->in, 0x80, op, 0, ext, gat ? 4 : 0, key, strlen(key), NULL, 0,
           opaque, 0);
    struct store_item it;
    enum store_status st =
        gat ? model_touch(r->m, NOW, (const uint8_t *)key, strlen(key),
                          (int32_t)exptime, &it)
            : model_get(r->m, NOW, (const uint8_t *)key, strlen(key), &it);
    if (st == STORE_OK) {
        want_hit(r, op, with_key, &it, opaque);
    } else if (st == STORE_NO_MEMORY) {
        if (!quiet) {
            want_error(&r->want, op, 0x82, opaque, NULL);
        }
    } else if (!quiet) {
        want_error(&r->want, op, 1, opaque, with_key ? key : NULL);
    }
}

static void
model_touch_cmd(struct model_run *r, unsigned slot, uint32_t opaque)
{
    const char *key = key_names[slot];
    uint8_t ext[4];
    put_be(ext, 5000, 4);
    packet(&r->in, 0x80, OP_TOUCH, 0, ext, 4, key, strlen(key), NULL, 0,
           opaque, 0);
    struct store_item it;
    enum store_status st =
        model_touch(r->m, NOW, (const uint8_t *)key, strlen(key), 5000, &it);
    if (st == STORE_OK) {
        uint8_t flags[4];
        put_be(flags, it.flags, 4);
        packet(&r->want, 0x81, OP_TOUCH, 0, flags, 4, NULL, 0, NULL, 0,
               opaque, it.cas);
    } else {
        want_error(&r->want, OP_TOUCH, st == STORE_MISS ? 1 : 0x82, opaque,
                   NULL);
    }
}

static void
model_delete_cmd(struct model_run *r, uint8_t op, unsigned slot,
                 uint32_t opaque)
{
    const char *key = key_names[slot];
    uint64_t cas = pick_cas(r, slot);
    packet(&r->in, 0x80, op, 0, NULL, 0, key, strlen(key), NULL, 0, opaque,
           cas);
    struct store_delete_opts o = {.compare = cas != 0, .compare_cas = cas};
    enum store_status st =
        model_delete_opts(r->m, NOW, (const uint8_t *)key, strlen(key), &o);
    if (st == STORE_OK) {
        if (op == OP_DELETE) {
            packet(&r->want, 0x81, op, 0, NULL, 0, NULL, 0, NULL, 0, opaque,
                   0);
        }
    } else {
        want_error(&r->want, op, st == STORE_EXISTS ? 2 : 1, opaque, NULL);
    }
}

static void
model_arith_cmd(struct model_run *r, uint8_t op, unsigned slot,
                uint32_t opaque)
{
    const char *key = key_names[slot];
    bool incr = op == OP_INCR || op == OP_INCRQ;
    bool quiet = op == OP_INCRQ || op == OP_DECRQ;
    uint64_t delta = rng_below(&r->rng, 4) == 0 ? UINT64_MAX - 2
                                                : rng_below(&r->rng, 50);
    uint64_t initial = rng_below(&r->rng, 100);
    bool no_create = rng_below(&r->rng, 3) == 0;
    uint64_t cas = pick_cas(r, slot);
    uint8_t ext[20];
    put_be(ext, delta, 8);
    put_be(ext + 8, initial, 8);
    put_be(ext + 16, no_create ? 0xffffffffu : 0, 4);
    packet(&r->in, 0x80, op, 0, ext, 20, key, strlen(key), NULL, 0, opaque,
           cas);
    struct store_arith_opts o = {.compare = cas != 0,
                                 .compare_cas = cas,
                                 .vivify = !no_create,
                                 .vivify_exptime = 0,
                                 .initial = initial};
    uint64_t value = 0;
    struct store_item it;
    bool created = false;
    enum store_status st =
        model_arith_opts(r->m, NOW, (const uint8_t *)key, strlen(key), incr,
                         delta, &o, &value, &it, &created);
    if (st == STORE_OK) {
        r->last_cas[slot] = it.cas;
        if (!quiet) {
            uint8_t num[8];
            put_be(num, value, 8);
            packet(&r->want, 0x81, op, 0, NULL, 0, NULL, 0, num, 8, opaque,
                   it.cas);
        }
        return;
    }
    uint16_t status = st == STORE_MISS          ? 1
                      : st == STORE_EXISTS      ? 2
                      : st == STORE_NON_NUMERIC ? 6
                                                : 0x82;
    want_error(&r->want, op, status, opaque, NULL);
}

static void
model_command(struct model_run *r)
{
    static const uint8_t ops[] = {
        OP_SET,    OP_SET,     OP_ADD,    OP_REPLACE, OP_APPEND, OP_PREPEND,
        OP_SETQ,   OP_ADDQ,    OP_REPLACEQ, OP_APPENDQ, OP_PREPENDQ,
        OP_GET,    OP_GET,     OP_GETK,   OP_GETQ,    OP_GETKQ,  OP_GAT,
        OP_GATQ,   OP_GATK,    OP_GATKQ,  OP_TOUCH,   OP_DELETE, OP_DELETEQ,
        OP_INCR,   OP_DECR,    OP_INCRQ,  OP_DECRQ,   OP_NOOP};
    uint8_t op = ops[rng_below(&r->rng, sizeof ops)];
    unsigned slot = (unsigned)rng_below(&r->rng, KEYS);
    uint32_t opaque = (uint32_t)rng_next(&r->rng);
    switch (op) {
    case OP_GET: case OP_GETK: case OP_GETQ: case OP_GETKQ:
    case OP_GAT: case OP_GATQ: case OP_GATK: case OP_GATKQ:
        model_get_cmd(r, op, slot, opaque);
        return;
    case OP_TOUCH:
        model_touch_cmd(r, slot, opaque);
        return;
    case OP_DELETE: case OP_DELETEQ:
        model_delete_cmd(r, op, slot, opaque);
        return;
    case OP_INCR: case OP_DECR: case OP_INCRQ: case OP_DECRQ:
        model_arith_cmd(r, op, slot, opaque);
        return;
    case OP_NOOP:
        packet(&r->in, 0x80, op, 0, NULL, 0, NULL, 0, NULL, 0, opaque, 0);
        packet(&r->want, 0x81, op, 0, NULL, 0, NULL, 0, NULL, 0, opaque, 0);
        return;
    default:
        model_store(r, op, slot, opaque);
        return;
    }
}

static bool
run_model(uint64_t seed, size_t cmds)
{
    struct model_run r = {.rng = seed};
    static const uint64_t mems[] = {1200, 4096, 65536};
    uint64_t mem = mems[rng_below(&r.rng, 3)];
    bool evict = rng_below(&r.rng, 4) != 0;
    struct engine_config cfg = config(mem, evict, rng_below(&r.rng, 2) == 0);
    r.m = model_create(&cfg.store);
    if (r.m == NULL) {
        abort();
    }
    for (size_t i = 0; i < cmds; i++) {
        model_command(&r);
    }
    struct runner run;
    runner_open(&run, &cfg);
    uint64_t piece_rng = seed ^ 0x5555;
    runner_feed(&run, &r.in, 200, &piece_rng);
    bool ok = run.out.len == r.want.len &&
              (r.want.len == 0 ||
               memcmp(run.out.data, r.want.data, r.want.len) == 0);
    if (!ok) {
        size_t at = 0;
        while (at < r.want.len && at < run.out.len &&
               r.want.data[at] == run.out.data[at]) {
            at++;
        }
        fprintf(stderr, "seed %" PRIu64 ": output differs at byte %zu "
                        "(session %zu bytes, model %zu)\n",
                seed, at, run.out.len, r.want.len);
    }
    for (unsigned k = 0; ok && k < KEYS; k++) {
        struct store_item a;
        struct store_item b;
        const uint8_t *key = (const uint8_t *)key_names[k];
        size_t len = strlen(key_names[k]);
        enum store_status sa = store_get(run.e->store, NOW, key, len, &a);
        enum store_status sb = model_get(r.m, NOW, key, len, &b);
        ok = sa == sb &&
             (sa != STORE_OK ||
              (a.value_len == b.value_len && a.cas == b.cas &&
               a.flags == b.flags &&
               memcmp(a.value, b.value, a.value_len) == 0));
        if (!ok) {
            fprintf(stderr, "seed %" PRIu64 ": key %s differs at the end\n",
                    seed, key_names[k]);
        }
    }
    store_check(run.e->store);
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
        } else {
            fprintf(stderr, "usage: prop_binary [--mode split|model] "
                            "[--seed S] [--runs N] [--cmds N] "
                            "[--seconds T]\n");
            return 2;
        }
    }
    bool split = strcmp(mode, "split") == 0;
    if (!split && strcmp(mode, "model") != 0) {
        fprintf(stderr, "prop_binary: unknown mode %s\n", mode);
        return 2;
    }
    printf("prop_binary %s: first seed %" PRIu64 ", %zu packets per run\n",
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
        bool ok = split ? run_split(seed + i, cmds)
                        : run_model(seed + i, cmds);
        if (ok) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "  replay: prop_binary --mode %s --seed %" PRIu64
                            " --cmds %zu\n",
                    mode, seed + i, cmds);
        }
    }
    printf("%" PRIu64 " passed, %" PRIu64 " failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
