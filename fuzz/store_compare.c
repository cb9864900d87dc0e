/* store_compare.c - the store against its model: views, stats, layout. */
#include "store_compare.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/common/check.h"

/* One side's log as store_walk/model_walk show it; keys copied out, since
 * the walk's pointers die with the next call. */
struct layout {
    struct store_walk_entry *e;
    size_t count;
    size_t cap;
    uint8_t *keys;   /* every record's key, one after another */
    size_t keys_len;
    size_t keys_cap;
};

struct store_compare {
    struct layout real;
    struct layout model;
};

static void *
poison_reserve(void *ctx, uint64_t len)
{
    (void)ctx;
    return calloc(1, (size_t)len);
}

static void
poison_release(void *ctx, void *p, uint64_t len)
{
    (void)ctx;
    memset(p, 0xA5, (size_t)len);
}

static void
poison_unreserve(void *ctx, void *p, uint64_t len)
{
    (void)ctx;
    (void)len;
    free(p);
}

const struct store_memory store_compare_poison_memory = {
    .reserve = poison_reserve,
    .release = poison_release,
    .unreserve = poison_unreserve,
};

struct store_compare *
store_compare_create(void)
{
    struct store_compare *c = calloc(1, sizeof *c);
    CHECK(c != NULL);
    return c;
}

static void
layout_free(struct layout *l)
{
    free(l->e);
    free(l->keys);
}

void
store_compare_destroy(struct store_compare **c)
{
    if (c == NULL || *c == NULL) {
        return;
    }
    layout_free(&(*c)->real);
    layout_free(&(*c)->model);
    free(*c);
    *c = NULL;
}

static void
collect(void *ctx, const struct store_walk_entry *e)
{
    struct layout *l = ctx;
    if (l->count == l->cap) {
        l->cap = l->cap * 2 + 64;
        l->e = realloc(l->e, l->cap * sizeof *l->e);
        CHECK(l->e != NULL);
    }
    struct store_walk_entry *copy = &l->e[l->count++];
    *copy = *e;
    copy->key = NULL;
    if (e->gap) {
        copy->key_len = 0;
        return;
    }
    if (l->keys_len + e->key_len > l->keys_cap) {
        l->keys_cap = (l->keys_len + e->key_len) * 2 + 256;
        l->keys = realloc(l->keys, l->keys_cap);
        CHECK(l->keys != NULL);
    }
    memcpy(l->keys + l->keys_len, e->key, e->key_len);
    l->keys_len += e->key_len;
}

void
store_compare_views(const char *op, const struct store_item *a,
                    const struct store_item *b)
{
    bool same_key = a->key_len == b->key_len &&
                    memcmp(a->key, b->key, a->key_len) == 0;
    bool same_value = a->value_len == b->value_len &&
                      (a->value_len == 0 ||
                       memcmp(a->value, b->value, a->value_len) == 0);
    if (!same_key || !same_value || a->flags != b->flags ||
        a->cas != b->cas || a->deadline_s != b->deadline_s) {
        fprintf(stderr,
                "fuzz_store: %s: views differ: key %s, value %zu/%zu bytes%s, "
                "flags %u/%u, cas %" PRIu64 "/%" PRIu64 ", deadline %u/%u "
                "(store/model)\n",
                op, same_key ? "same" : "differs", a->value_len, b->value_len,
                same_value ? "" : " (differ)", a->flags, b->flags, a->cas,
                b->cas, a->deadline_s, b->deadline_s);
        CHECK(false);
    }
}

static void
compare_stats(const char *op, const struct store *s, const struct model *m)
{
    struct store_stats a;
    struct store_stats b;
    store_stats(s, &a);
    model_stats(m, &b);
    bool same = true;
#define COMPARE_STAT(name)                                                    \
    if (a.name != b.name) {                                                   \
        fprintf(stderr, "fuzz_store: %s: stat %s: store %" PRIu64            \
                ", model %" PRIu64 "\n", op, #name, a.name, b.name);          \
        same = false;                                                         \
    }
    STORE_STATS_FIELDS(COMPARE_STAT)
#undef COMPARE_STAT
    CHECK(same);
}

static void
report_record(const char *side, size_t i, const struct store_walk_entry *e)
{
    fprintf(stderr,
            "  %s record %zu: pos %" PRIu64 " at %" PRIu64 " size %" PRIu64
            " gap %d live %d fetched %d active %d key %zu bytes\n",
            side, i, e->pos, e->phys, e->size, e->gap, e->live, e->fetched,
            e->active,
            e->key_len);
}

void
store_compare_state(struct store_compare *c, const char *op,
                    const struct store *s, const struct model *m)
{
    store_check(s);
    compare_stats(op, s, m);
    struct store_info info;
    store_info(s, &info);
    uint64_t cap;
    uint64_t held;
    model_memory(m, &cap, &held);
    if (info.log_cap != cap || info.log_held != held) {
        fprintf(stderr, "fuzz_store: %s: store cap %" PRIu64 " held %" PRIu64
                ", model cap %" PRIu64 " held %" PRIu64 "\n", op,
                info.log_cap, info.log_held, cap, held);
        CHECK(false);
    }
    c->real.count = c->real.keys_len = 0;
    c->model.count = c->model.keys_len = 0;
    store_walk(s, collect, &c->real);
    model_walk(m, collect, &c->model);
    size_t key_at = 0;
    for (size_t i = 0; i < c->real.count || i < c->model.count; i++) {
        if (i >= c->real.count || i >= c->model.count) {
            fprintf(stderr, "fuzz_store: %s: the log holds %zu records in the "
                    "store, %zu in the model\n", op, c->real.count,
                    c->model.count);
            CHECK(false);
        }
        const struct store_walk_entry *x = &c->real.e[i];
        const struct store_walk_entry *y = &c->model.e[i];
        bool same = x->pos == y->pos && x->phys == y->phys &&
                    x->size == y->size &&
                    x->gap == y->gap && x->live == y->live &&
                    x->fetched == y->fetched && x->active == y->active &&
                    x->key_len == y->key_len &&
                    memcmp(c->real.keys + key_at, c->model.keys + key_at,
                           x->key_len) == 0;
        if (!same) {
            fprintf(stderr, "fuzz_store: %s: the logs differ\n", op);
            report_record("store", i, x);
            report_record("model", i, y);
            CHECK(false);
        }
        key_at += x->key_len;
    }
}
