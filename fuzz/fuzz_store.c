/*
 * fuzz_store.c - the store (src/store/) against its oracle (spec/model/) on
 * operation sequences decoded from the input.
 *
 * Input (every missing byte reads as 0):
 *   byte 0: bits 0-2 the memory limit (64, 300, 700, 1000, 1500, 3000, 8192
 *           or 65536 bytes), bits 3-4 the value limit (64, 100, 1024 or
 *           4096), bit 5 -M (no eviction), bit 6 -C (no CAS), bit 7 long
 *           (250-byte) keys among the keys;
 *   byte 1: bits 0-2 the index size (2^1..2^8 buckets), bits 3-4 the start
 *           time (1, 2592000, 1700000000 or 2147483000), bits 5-6 the key
 *           space (2, 5, 12 or 32 keys), bit 7 the hash seed and an
 *           elastic log (a 256-byte smallest cap, [mem.elastic]);
 *   then operations: one byte, its low 3 bits the operation and its high 5
 *   bits the key, then the operation's argument bytes:
 *     0 get; 1 put (mode, value, flags, exptime, cas unique: 5 bytes);
 *     2 touch (exptime and whether to ask for the view); 3 delete;
 *     4 incr/decr (direction and delta); 5 flush_all (delay);
 *     6 time passes (how long); 7 stats reset (even key) or store_tick
 *     (odd key).
 * Values are 0, 1, typical, maximum or maximum + 1 bytes, or numbers near 0
 * and 2^64; exptimes are 0, relative, negative, 2592000, 2592001, absolute
 * in the past, now or the future, and the int32 extremes; deltas are near 0
 * and 2^64; time steps cross the 30-day rule.
 *
 * Oracles: the same configuration creates both or neither; after every
 * operation the statuses, views, new CAS uniques, incr/decr results, every
 * statistic, the whole log layout (so every eviction and compaction), the
 * cap and the memory held are equal, and store_check() holds ([det.store],
 * §5-§14). Released memory is poisoned, so reading it shows as a difference.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../spec/model/model.h"
#include "../src/common/check.h"
#include "../src/common/limits.h"
#include "../src/store/store.h"
#include "byte_source.h"
#include "store_compare.h"

/* Operations decoded from one input at most. */
#define FUZZ_STORE_OPS_MAX 1024u
/* Keys are named by 5 bits. */
#define FUZZ_STORE_KEYS_MAX 32u
/* Room for a value of the largest limit plus one, or a number. */
#define FUZZ_STORE_VALUE_MAX (4096u + 1u)
/* Operation descriptions, for failure reports. */
#define FUZZ_STORE_OP_TEXT 160u

struct run {
    struct byte_source in;
    struct store_config cfg;
    struct store *store;
    struct model *model;
    struct store_compare *cmp;
    uint32_t now;
    uint32_t key_space;
    bool long_keys;
    uint64_t last_cas[FUZZ_STORE_KEYS_MAX];
    uint8_t key[LIMIT_KEY_LEN];
    size_t key_len;
    unsigned key_id;
    uint8_t value[FUZZ_STORE_VALUE_MAX];
    char op[FUZZ_STORE_OP_TEXT];
};

static void describe(struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
describe(struct run *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->op, sizeof r->op, fmt, ap);
    va_end(ap);
}

static bool
configure(struct run *r)
{
    static const uint64_t mems[] = {64, 300, 700, 1000, 1500, 3000, 8192,
                                    65536};
    static const uint32_t value_maxes[] = {64, 100, 1024, 4096};
    static const uint32_t starts[] = {1, 2592000, 1700000000, 2147483000};
    static const uint32_t spaces[] = {2, 5, 12, 32};
    uint8_t a = byte_source_u8(&r->in);
    uint8_t b = byte_source_u8(&r->in);
    r->cfg.mem_limit = mems[a & 7];
    r->cfg.value_len_max = value_maxes[(a >> 3) & 3];
    r->cfg.evict = (a & 0x20) == 0;
    r->cfg.cas_enabled = (a & 0x40) == 0;
    r->long_keys = (a & 0x80) != 0;
    r->cfg.index_size_log2 = 1 + (b & 7);
    r->now = starts[(b >> 3) & 3];
    r->key_space = spaces[(b >> 5) & 3];
    r->cfg.hash_seed = (b & 0x80) ? 0x9e3779b97f4a7c15u : 1;
    r->cfg.log_cap_min = (b & 0x80) ? 256 : 0;
    r->cfg.memory = &store_compare_poison_memory;
    r->store = store_create(&r->cfg);
    r->model = model_create(&r->cfg);
    /* Both refuse the same configurations ([mem.item-fits]). */
    CHECK((r->store == NULL) == (r->model == NULL));
    return r->store != NULL;
}

/* Key ids name keys: some 250 bytes long ([key.length]), one of 1 byte. */
static void
draw_key(struct run *r, unsigned bits)
{
    unsigned id = bits % r->key_space;
    r->key_id = id;
    if (r->long_keys && id % 4 == 3) {
        memset(r->key, 'L', LIMIT_KEY_LEN);
        int n = snprintf((char *)r->key, 8, "%u", id);
        r->key[n] = 'L';
        r->key_len = LIMIT_KEY_LEN;
    } else if (id == 1) {
        r->key[0] = 'k';
        r->key_len = 1;
    } else {
        r->key_len = (size_t)snprintf((char *)r->key, 16, "key%u", id);
    }
}

static size_t
draw_value(struct run *r, uint8_t v)
{
    static const char *const numbers[] = {
        "0", "1", "9", "10", "99", "18446744073709551615",
        "18446744073709551614", "  42", "42abc", "-1", "+7", "007",
        "18446744073709551616", "4294967296", "", " "};
    uint32_t max = r->cfg.value_len_max;
    size_t len;
    switch (v & 7) {
    case 0: len = 0; break;
    case 1: len = 1; break;
    case 2: len = max; break;
    case 3: len = max + 1u; break; /* one over: too large */
    case 4: {
        const char *n = numbers[(v >> 3) % 16];
        len = strlen(n);
        memcpy(r->value, n, len);
        return len;
    }
    default: len = (v >> 3) % 61u; break;
    }
    for (size_t i = 0; i < len; i++) {
        r->value[i] = (uint8_t)('a' + (i + v) % 26);
    }
    return len;
}

static int32_t
draw_exptime(struct run *r, uint8_t e)
{
    switch (e & 15) {
    case 0:
    case 1: return 0;
    case 2: return 1;
    case 3: return 2;
    case 4: return 1 + (e >> 4);
    case 5: return -1;
    case 6: return -1 - (int32_t)(e >> 4);
    case 7: return INT32_MIN;
    case 8: return LIMIT_RELATIVE_EXPTIME;     /* [expiry.relative-max] */
    case 9: return LIMIT_RELATIVE_EXPTIME + 1; /* the first absolute */
    case 10: return (int32_t)(r->now + 1 + (e >> 4)); /* absolute, ahead */
    case 11: return (int32_t)r->now;                  /* absolute, now */
    case 12: return (int32_t)(r->now - 1 - (e >> 4)); /* absolute, past */
    case 13: return INT32_MAX;
    case 14: return LIMIT_RELATIVE_EXPTIME - 1;
    default: return 60;
    }
}

static void
advance_time(struct run *r, uint8_t t)
{
    static const uint32_t steps[] = {0, 1, 1, 2, 7, 60, 2592000, 2592001};
    uint32_t step = (t & 7) == 4 ? (uint32_t)(t >> 3) : steps[t & 7];
    if (r->now <= UINT32_MAX - step) {
        r->now += step; /* the clock never runs backwards */
    }
    describe(r, "time +%u = %u", step, r->now);
}

static void
check_status(struct run *r, enum store_status a, enum store_status b)
{
    if (a != b) {
        fprintf(stderr, "fuzz_store: %s: status store %d, model %d\n", r->op,
                a, b);
        CHECK(false);
    }
}

static void
op_get(struct run *r)
{
    describe(r, "get key%u at %u", r->key_id, r->now);
    struct store_item a;
    struct store_item b;
    enum store_status sa = store_get(r->store, r->now, r->key, r->key_len, &a);
    enum store_status sb = model_get(r->model, r->now, r->key, r->key_len, &b);
    check_status(r, sa, sb);
    if (sa == STORE_OK) {
        store_compare_views(r->op, &a, &b);
        r->last_cas[r->key_id] = a.cas;
    }
}

static void
op_put(struct run *r)
{
    static const char *const modes[] = {"set", "add", "replace",
                                        "append", "prepend", "cas"};
    static const uint32_t flag_values[] = {0, 0, 0, 1, 0xFFFFFFFFu,
                                           0x80000000u, 42, 0};
    uint8_t m = byte_source_u8(&r->in);
    enum store_mode mode = (enum store_mode)((m & 7) % 6);
    size_t value_len = draw_value(r, byte_source_u8(&r->in));
    uint8_t f = byte_source_u8(&r->in);
    uint32_t flags = (f & 8) ? (uint32_t)f << 24 : flag_values[f & 7];
    int32_t exptime = draw_exptime(r, byte_source_u8(&r->in));
    uint8_t c = byte_source_u8(&r->in);
    uint64_t unique = c < 4 ? c : r->last_cas[r->key_id] + (c == 4);
    /* A rejected request may come without its data ([store.too-large]). */
    const uint8_t *v = value_len > r->cfg.value_len_max && (m & 8) ? NULL
                                                                 : r->value;
    describe(r, "%s key%u len %zu flags %u exptime %d cas %" PRIu64 " at %u",
             modes[mode], r->key_id, value_len, flags, exptime, unique, r->now);
    uint64_t ca = 0;
    uint64_t cb = 0;
    enum store_status sa = store_put(r->store, r->now, mode, r->key, r->key_len,
                                     flags, exptime, v, value_len, unique, &ca);
    enum store_status sb = model_put(r->model, r->now, mode, r->key, r->key_len,
                                     flags, exptime, v, value_len, unique, &cb);
    check_status(r, sa, sb);
    if (sa == STORE_OK) {
        CHECK(ca == cb);
        r->last_cas[r->key_id] = ca;
    }
}

static void
op_touch(struct run *r)
{
    uint8_t e = byte_source_u8(&r->in);
    int32_t exptime = draw_exptime(r, e);
    bool want_view = (e & 0x80) != 0;
    describe(r, "%s key%u %d at %u", want_view ? "gat" : "touch", r->key_id,
             exptime, r->now);
    struct store_item a;
    struct store_item b;
    enum store_status sa = store_touch(r->store, r->now, r->key, r->key_len,
                                       exptime, want_view ? &a : NULL);
    enum store_status sb = model_touch(r->model, r->now, r->key, r->key_len,
                                       exptime, want_view ? &b : NULL);
    check_status(r, sa, sb);
    if (sa == STORE_OK && want_view) {
        store_compare_views(r->op, &a, &b);
    }
}

static void
op_arith(struct run *r)
{
    static const uint64_t deltas[] = {0, 1, 2, 9, 10, 100, UINT64_MAX,
                                      UINT64_MAX - 1, (uint64_t)1 << 63,
                                      (uint64_t)1 << 32};
    uint8_t d = byte_source_u8(&r->in);
    bool incr = (d & 1) != 0;
    uint64_t delta = deltas[(d >> 1) % 10];
    describe(r, "%s key%u %" PRIu64 " at %u", incr ? "incr" : "decr",
             r->key_id, delta, r->now);
    uint64_t va = 0;
    uint64_t vb = 0;
    enum store_status sa = store_arith(r->store, r->now, r->key, r->key_len,
                                       incr, delta, &va);
    enum store_status sb = model_arith(r->model, r->now, r->key, r->key_len,
                                       incr, delta, &vb);
    check_status(r, sa, sb);
    if (sa == STORE_OK) {
        CHECK(va == vb);
    }
}

static void
step(struct run *r)
{
    uint8_t op = byte_source_u8(&r->in);
    draw_key(r, op >> 3);
    switch (op & 7) {
    case 0:
        op_get(r);
        break;
    case 1:
        op_put(r);
        break;
    case 2:
        op_touch(r);
        break;
    case 3:
        describe(r, "delete key%u at %u", r->key_id, r->now);
        check_status(r, store_delete(r->store, r->now, r->key, r->key_len),
                     model_delete(r->model, r->now, r->key, r->key_len));
        break;
    case 4:
        op_arith(r);
        break;
    case 5: {
        uint8_t e = byte_source_u8(&r->in);
        int32_t delay = (e & 0x80) ? 0 : draw_exptime(r, e);
        describe(r, "flush_all %d at %u", delay, r->now);
        store_flush(r->store, r->now, delay);
        model_flush(r->model, r->now, delay);
        break;
    }
    case 6:
        advance_time(r, byte_source_u8(&r->in));
        break;
    default:
        if (r->key_id % 2 == 1) {
            describe(r, "tick at %u", r->now);
            bool a = store_tick(r->store, r->now);
            bool b = model_tick(r->model, r->now);
            CHECK(a == b);
            break;
        }
        describe(r, "stats reset");
        store_stats_reset(r->store);
        model_stats_reset(r->model);
        break;
    }
    store_compare_state(r->cmp, r->op, r->store, r->model);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct run *r = calloc(1, sizeof *r);
    CHECK(r != NULL);
    byte_source_init(&r->in, data, size);
    if (configure(r)) {
        r->cmp = store_compare_create();
        for (unsigned i = 0;
             i < FUZZ_STORE_OPS_MAX && !byte_source_empty(&r->in); i++) {
            step(r);
        }
        store_compare_destroy(&r->cmp);
    }
    store_destroy(&r->store);
    model_destroy(&r->model);
    free(r);
    return 0;
}
