/*
 * soak_binary.c - the soak's binary connections: pipelined packets of
 * memcached's binary protocol and the exact replies they must get.
 *
 * Every reply's status, extras, key, value and opaque is written into exp
 * in advance. A CAS is known once the connection has seen it: a store's or
 * an incr's reply carries the new CAS, captured there (a hole of exp that
 * takes any bytes, then checked: above every new CAS the connection saw
 * before), and the item's later hits, in this batch or later ones, must
 * carry it. A reply that an eviction may change has its miss form beside
 * it (rec_push).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soak.h"

/* Opcodes and statuses as memcached's binary protocol defines them; written
 * here again, not taken from src/proto, so the checker stays independent of
 * the server it checks. */
enum {
    OP_GET = 0x00,
    OP_SET = 0x01,
    OP_ADD = 0x02,
    OP_REPLACE = 0x03,
    OP_DELETE = 0x04,
    OP_INCREMENT = 0x05,
    OP_DECREMENT = 0x06,
    OP_GETQ = 0x09,
    OP_NOOP = 0x0a,
    OP_GETK = 0x0c,
    OP_GETKQ = 0x0d,
    OP_SETQ = 0x11,
    OP_ADDQ = 0x12,
    OP_REPLACEQ = 0x13,
    OP_DELETEQ = 0x14,
    OP_INCREMENTQ = 0x15,
    OP_DECREMENTQ = 0x16,
};
enum { ST_SUCCESS = 0x0000, ST_NOT_FOUND = 0x0001, ST_EXISTS = 0x0002 };
#define NO_CREATE 0xffffffffu /* incr/decr exptime: do not create a miss */

static const char *
status_text(uint16_t status)
{
    return status == ST_NOT_FOUND ? "Not found"
           : status == ST_EXISTS  ? "Data exists for key."
                                  : "";
}

static void
put_be(struct buf *b, uint64_t v, int bytes)
{
    uint8_t tmp[8];
    for (int i = 0; i < bytes; i++) {
        tmp[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
    }
    buf_add(b, tmp, (size_t)bytes);
}

static void
bin_request(struct conn *c, uint8_t op, const char *key, size_t kl,
            const struct buf *extras, const char *val, size_t vl,
            uint64_t cas, uint32_t opaque)
{
    size_t el = extras != NULL ? extras->len : 0;
    uint8_t h[8] = {0x80, op, (uint8_t)(kl >> 8), (uint8_t)kl, (uint8_t)el};
    buf_add(&c->out, h, sizeof h); /* data type and vbucket 0 */
    put_be(&c->out, el + kl + vl, 4);
    put_be(&c->out, opaque, 4);
    put_be(&c->out, cas, 8);
    if (el > 0) {
        buf_add(&c->out, extras->p, el);
    }
    buf_add(&c->out, key, kl);
    buf_add(&c->out, val, vl);
}

/* A response header up to (not including) its CAS. */
static void
bin_head(struct buf *b, uint8_t op, size_t kl, size_t el, uint16_t status,
         size_t body, uint32_t opaque)
{
    uint8_t h[6] = {0x81, op, (uint8_t)(kl >> 8), (uint8_t)kl, (uint8_t)el, 0};
    buf_add(b, h, sizeof h);
    put_be(b, status, 2);
    put_be(b, body, 4);
    put_be(b, opaque, 4);
}

/* A failure: the status's text as the body, CAS 0 ([bin.status]). */
static void
bin_error(struct buf *b, uint8_t op, uint16_t status, uint32_t opaque)
{
    const char *t = status_text(status);
    bin_head(b, op, 0, 0, status, strlen(t), opaque);
    put_be(b, 0, CAS_LEN);
    buf_add(b, t, strlen(t));
}

/* A miss's reply: get and the quiet-less ones "Not found", getk its key. */
static void
bin_miss(struct buf *b, uint8_t op, const char *key, size_t kl,
         uint32_t opaque)
{
    if (op == OP_GETK) {
        bin_head(b, op, kl, 0, ST_NOT_FOUND, kl, opaque);
        put_be(b, 0, CAS_LEN);
        buf_add(b, key, kl);
    } else if (op != OP_GETQ && op != OP_GETKQ) {
        bin_error(b, op, ST_NOT_FOUND, opaque);
    }
}

static int
cell_new(struct conn *c, bool fresh)
{
    c->cells = grow(c->cells, &c->capcells, c->ncells, sizeof *c->cells);
    c->cells[c->ncells] = (struct cell){.fresh = fresh};
    return (int)c->ncells++;
}

/* Eight bytes of exp for a CAS the batch learns (capture) or uses. */
static void
hole_add(struct conn *c, int cell, bool capture)
{
    c->holes = grow(c->holes, &c->capholes, c->nholes, sizeof *c->holes);
    c->holes[c->nholes++] =
        (struct hole){.off = c->exp.len, .cell = cell, .capture = capture};
    put_be(&c->exp, 0, CAS_LEN); /* 0: no item has it, until filled */
}

/* The CAS of a hit on `sl`, as the model knows it. */
static void
expect_cas(struct conn *c, struct slot *sl)
{
    if (sl->cas_cell == CAS_KNOWN) {
        put_be(&c->exp, sl->cas, CAS_LEN);
    } else if (sl->cas_cell == CAS_UNKNOWN) {
        sl->cas_cell = cell_new(c, false);
        hole_add(c, sl->cas_cell, true);
    } else {
        hole_add(c, sl->cas_cell, false);
    }
}

/* A success that carries a new CAS (a store, an incr): captured. */
static int
expect_new_cas(struct conn *c, uint8_t op, size_t body, uint32_t opaque)
{
    bin_head(&c->exp, op, 0, 0, ST_SUCCESS, body, opaque);
    int cell = cell_new(c, true);
    hole_add(c, cell, true);
    return cell;
}

static void
op_bin_noop(struct conn *c)
{
    uint32_t opq = c->opaque++;
    bin_request(c, OP_NOOP, NULL, 0, NULL, NULL, 0, 0, opq);
    bin_head(&c->exp, OP_NOOP, 0, 0, ST_SUCCESS, 0, opq);
    put_be(&c->exp, 0, CAS_LEN);
}

static void
op_bin_get(struct soak *s, struct conn *c, int slot, uint8_t op)
{
    struct slot *sl = slot_of(c, slot);
    uint32_t opq = c->opaque++;
    char key[64];
    size_t kl = key_of(c, slot, key, sizeof key);
    bin_request(c, op, key, kl, NULL, NULL, 0, 0, opq);
    if (!sl->exists) {
        bin_miss(&c->exp, op, key, kl, opq);
        return;
    }
    bool with_key = op == OP_GETK || op == OP_GETKQ;
    size_t start = c->exp.len;
    size_t n = value_len(c, slot, sl->version);
    value_fill(c, slot, sl->version, s->big_cache, n);
    bin_head(&c->exp, op, with_key ? kl : 0, 4, ST_SUCCESS,
             4 + (with_key ? kl : 0) + n, opq);
    expect_cas(c, sl);
    put_be(&c->exp, sl->flags, 4);
    buf_add(&c->exp, key, with_key ? kl : 0);
    buf_add(&c->exp, s->big_cache, n);
    size_t alt = c->alts.len;
    bin_miss(&c->alts, op, key, kl, opq);
    rec_push(c, slot, start, false, alt, c->alts.len - alt, EFFECT_GONE);
}

/* The flags and exptime extras of a storage request. */
static const struct buf *
store_extras(struct buf *b, uint32_t flags)
{
    buf_clear(b);
    put_be(b, flags, 4);
    put_be(b, 0, 4);
    return b;
}

/* set/setq, add/addq on a missing key, replace/replaceq on a live one, or
 * a set with the item's CAS: a new version of `slot`. `certain` when the
 * model knows the store succeeds (set, add of a missing key). */
static void
op_bin_new_version(struct soak *s, struct conn *c, int slot, uint8_t op,
                   bool quiet, uint64_t cas, bool certain)
{
    struct slot *sl = slot_of(c, slot);
    sl->version++;
    sl->flags = (uint32_t)rnd_below(&c->rng, 65536);
    sl->exists = true;
    uint32_t opq = c->opaque++;
    char key[64];
    size_t kl = key_of(c, slot, key, sizeof key);
    size_t n = value_len(c, slot, sl->version);
    value_fill(c, slot, sl->version, s->big_cache, n);
    struct buf ex = {0};
    uint8_t wire = quiet ? (uint8_t)(op + 0x10) : op; /* the q opcodes */
    bin_request(c, wire, key, kl, store_extras(&ex, sl->flags), s->big_cache,
                n, cas, opq);
    free(ex.p);
    size_t start = c->exp.len;
    if (quiet) {
        sl->cas_cell = CAS_UNKNOWN;
    } else {
        sl->cas_cell = expect_new_cas(c, wire, 0, opq);
    }
    if (certain) {
        rec_push(c, slot, c->exp.len, true, 0, 0, EFFECT_GONE);
    } else {
        size_t alt = c->alts.len;
        bin_error(&c->alts, wire, ST_NOT_FOUND, opq);
        rec_push(c, slot, start, false, alt, c->alts.len - alt, EFFECT_GONE);
    }
}

/* A request on `slot` that must fail with `status` (a missing key's
 * replace, a live key's add, a set with a wrong CAS); the model keeps the
 * item. On a live key the failure may come as the miss form `alt_status`
 * (evicted), or for a quiet add as nothing: the add then stored again the
 * value and flags the model has. */
static void
op_bin_refused(struct soak *s, struct conn *c, int slot, uint8_t op,
               uint16_t status, uint64_t cas)
{
    struct slot *sl = slot_of(c, slot);
    uint32_t opq = c->opaque++;
    char key[64];
    size_t kl = key_of(c, slot, key, sizeof key);
    uint32_t version = sl->exists ? sl->version : sl->version + 1;
    size_t n = value_len(c, slot, version);
    value_fill(c, slot, version, s->big_cache, n);
    struct buf ex = {0};
    bin_request(c, op, key, kl, store_extras(&ex, sl->flags), s->big_cache,
                n, cas, opq);
    free(ex.p);
    size_t start = c->exp.len;
    bin_error(&c->exp, op, status, opq);
    if (!sl->exists) {
        return; /* certain */
    }
    size_t alt = c->alts.len;
    if (op == OP_ADDQ) {
        rec_push(c, slot, start, false, alt, 0, EFFECT_REVIVED);
        c->fenced |= 1u << slot; /* its CAS is unknown until the reply */
        return;
    }
    bin_error(&c->alts, op, ST_NOT_FOUND, opq);
    rec_push(c, slot, start, false, alt, c->alts.len - alt, EFFECT_GONE);
}

static void
op_bin_delete(struct conn *c, int slot, bool quiet)
{
    struct slot *sl = slot_of(c, slot);
    uint8_t op = quiet ? OP_DELETEQ : OP_DELETE;
    uint32_t opq = c->opaque++;
    char key[64];
    size_t kl = key_of(c, slot, key, sizeof key);
    bin_request(c, op, key, kl, NULL, NULL, 0, 0, opq);
    if (!sl->exists) {
        bin_error(&c->exp, op, ST_NOT_FOUND, opq);
        return;
    }
    size_t start = c->exp.len;
    if (!quiet) {
        bin_head(&c->exp, op, 0, 0, ST_SUCCESS, 0, opq);
        put_be(&c->exp, 0, CAS_LEN);
    }
    size_t alt = c->alts.len;
    bin_error(&c->alts, op, ST_NOT_FOUND, opq);
    rec_push(c, slot, start, false, alt, c->alts.len - alt, EFFECT_GONE);
    sl->exists = false;
}

/* The counter: set to a number, created by incr/decr's initial value when
 * missing, or moved by a delta (not created if it went missing). Returns
 * whether the packet was quiet. */
static bool
op_bin_counter(struct conn *c)
{
    char key[64];
    size_t kl = key_of(c, -2, key, sizeof key);
    uint32_t opq = c->opaque++;
    uint32_t pick = rnd_below(&c->rng, 6);
    struct buf ex = {0};
    if (pick == 0) {
        c->counter = rnd_below(&c->rng, 1000000);
        c->counter_exists = true;
        char num[24];
        int n = snprintf(num, sizeof num, "%llu",
                         (unsigned long long)c->counter);
        bin_request(c, OP_SET, key, kl, store_extras(&ex, 0), num, (size_t)n,
                    0, opq);
        expect_new_cas(c, OP_SET, 0, opq);
        rec_push(c, -2, c->exp.len, true, 0, 0, EFFECT_GONE);
        free(ex.p);
        return false;
    }
    bool incr = pick & 1;
    uint64_t d = 1 + rnd_below(&c->rng, 1000);
    uint64_t initial = rnd_below(&c->rng, 1000000);
    bool quiet = c->counter_exists && rnd_below(&c->rng, 5) == 0;
    uint8_t op = incr ? (quiet ? OP_INCREMENTQ : OP_INCREMENT)
                      : (quiet ? OP_DECREMENTQ : OP_DECREMENT);
    put_be(&ex, d, 8);
    put_be(&ex, initial, 8);
    put_be(&ex, c->counter_exists ? NO_CREATE : 0, 4);
    bin_request(c, op, key, kl, &ex, NULL, 0, 0, opq);
    free(ex.p);
    if (!c->counter_exists) { /* created holding initial, delta unused */
        c->counter = initial;
        c->counter_exists = true;
        expect_new_cas(c, op, 8, opq);
        put_be(&c->exp, initial, 8);
        rec_push(c, -2, c->exp.len, true, 0, 0, EFFECT_GONE);
        return false;
    }
    c->counter = incr ? c->counter + d : c->counter >= d ? c->counter - d : 0;
    size_t start = c->exp.len;
    if (!quiet) {
        expect_new_cas(c, op, 8, opq);
        put_be(&c->exp, c->counter, 8);
    }
    size_t alt = c->alts.len;
    bin_error(&c->alts, op, ST_NOT_FOUND, opq);
    rec_push(c, -2, start, false, alt, c->alts.len - alt, EFFECT_GONE);
    return quiet;
}

/* One pipelined batch of binary packets; returns how many. Quiet packets
 * are closed by a noop, so the batch ends with a reply. */
uint32_t
build_batch_binary(struct soak *s, struct conn *c)
{
    uint32_t before = c->opaque;
    c->fenced = 0;
    if (c->role == ROLE_SLOW) {
        if (!c->big.exists || rnd_below(&c->rng, 8) == 0) {
            op_bin_new_version(s, c, -1, OP_SET, false, 0, true);
        }
        uint32_t n = 1 + rnd_below(&c->rng, 8);
        for (uint32_t i = 0; i < n; i++) {
            op_bin_get(s, c, -1, rnd_below(&c->rng, 2) ? OP_GET : OP_GETK);
        }
        return c->opaque - before;
    }
    uint32_t n = c->role == ROLE_ACTIVE ? 1 + rnd_below(&c->rng, s->o.pipeline)
                                        : 1 + rnd_below(&c->rng, 4);
    static const uint8_t gets[] = {OP_GET, OP_GETK, OP_GETQ, OP_GETKQ};
    bool last_quiet = false;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t op = rnd_below(&c->rng, 100);
        int slot = (int)rnd_below(&c->rng, SLOTS);
        struct slot *sl = &c->slots[slot];
        bool quiet = rnd_below(&c->rng, 5) == 0;
        last_quiet = false;
        bool uses_slot = op < 50 || (op >= 60 && op < 70) ||
                         (op >= 80 && op < 95);
        if (uses_slot && (c->fenced & (1u << slot))) {
            op = 99; /* the slot's state waits for a reply: a noop */
        }
        if (op < 14) {
            op_bin_new_version(s, c, slot, OP_SET, quiet, 0, true);
            last_quiet = quiet;
        } else if (op < 19) {
            if (sl->exists) {
                op_bin_refused(s, c, slot, OP_ADDQ, ST_EXISTS, 0);
                last_quiet = true; /* its miss form is silence */
            } else {
                op_bin_new_version(s, c, slot, OP_ADD, quiet, 0, true);
                last_quiet = quiet;
            }
        } else if (op < 24) {
            if (sl->exists) {
                op_bin_new_version(s, c, slot, OP_REPLACE, quiet, 0, false);
                last_quiet = quiet;
            } else {
                op_bin_refused(s, c, slot, quiet ? OP_REPLACEQ : OP_REPLACE,
                               ST_NOT_FOUND, 0);
            }
        } else if (op < 30) {
            /* A compare-and-swap needs the CAS before the batch. */
            if (!sl->exists || sl->cas_cell != CAS_KNOWN) {
                op_bin_new_version(s, c, slot, OP_SET, false, 0, true);
            } else if (rnd_below(&c->rng, 2)) {
                op_bin_new_version(s, c, slot, OP_SET, false, sl->cas, false);
            } else {
                op_bin_refused(s, c, slot, OP_SET, ST_EXISTS,
                               sl->cas + 1 + rnd_below(&c->rng, 1000));
            }
        } else if (op < 50) {
            uint8_t g = gets[rnd_below(&c->rng, 4)];
            op_bin_get(s, c, slot, g);
            last_quiet = g == OP_GETQ || g == OP_GETKQ;
        } else if (op < 60) {
            /* A multi-get: quiet gets closed by a noop. */
            uint32_t k = 2 + rnd_below(&c->rng, 3);
            for (uint32_t j = 0; j < k; j++) {
                int sj = (int)rnd_below(&c->rng, SLOTS);
                if (!(c->fenced & (1u << sj))) {
                    op_bin_get(s, c, sj, OP_GETKQ);
                }
            }
            op_bin_noop(c);
        } else if (op < 70) {
            op_bin_delete(c, slot, quiet);
            last_quiet = quiet;
        } else if (op < 80) {
            last_quiet = op_bin_counter(c);
        } else if (op < 95) {
            op_bin_get(s, c, slot, rnd_below(&c->rng, 2) ? OP_GET : OP_GETK);
        } else {
            op_bin_noop(c);
        }
    }
    if (last_quiet) {
        op_bin_noop(c);
    }
    return c->opaque - before;
}
