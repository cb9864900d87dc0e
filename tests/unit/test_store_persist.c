/* test_store_persist.c - image and restore of a store's log ([restart.*]). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clause.h"
#include "../../src/store/persist.h"
#include "../../src/store/store.h"

enum { NOW = 1000000, LIMIT = 1u << 16 };

/* Memory that survives the store: the file mapping of -e, in a buffer. */
static uint8_t *kept;

static void *
keep_reserve(void *ctx, uint64_t len)
{
    (void)ctx;
    assert_true(len <= LIMIT);
    return kept;
}

static void
keep_release(void *ctx, void *p, uint64_t len)
{
    (void)ctx;
    memset(p, 0xa5, (size_t)len); /* released bytes read as anything */
}

static void
keep_unreserve(void *ctx, void *p, uint64_t len)
{
    (void)ctx;
    (void)p;
    (void)len;
}

static const struct store_memory keep_memory = {
    NULL, keep_reserve, keep_release, keep_unreserve};

static struct store_config
config(void)
{
    struct store_config cfg = {
        .mem_limit = LIMIT,
        .value_len_max = 1024,
        .evict = true,
        .cas_enabled = true,
        .hash_seed = 7,
        .log_cap_min = 4096,
        .memory = &keep_memory,
    };
    return cfg;
}

static int
setup(void **state)
{
    (void)state;
    kept = calloc(1, LIMIT);
    return kept == NULL;
}

static int
teardown(void **state)
{
    (void)state;
    free(kept);
    return 0;
}

static void
put(struct store *s, uint32_t now, const char *key, const char *value,
    uint32_t flags, int32_t exptime)
{
    assert_int_equal(store_put(s, now, STORE_SET, (const uint8_t *)key,
                               strlen(key), flags, exptime,
                               (const uint8_t *)value, strlen(value), 0, NULL),
                     STORE_OK);
}

static enum store_status
get(struct store *s, uint32_t now, const char *key, struct store_item *it)
{
    return store_get(s, now, (const uint8_t *)key, strlen(key), it);
}

/* A store with n items k<i> = v<i>, flags i, imaged and destroyed. */
static void
saved_store(struct store_image *img, int n, uint32_t now)
{
    struct store_config cfg = config();
    struct store *s = store_create(&cfg);
    assert_non_null(s);
    for (int i = 0; i < n; i++) {
        char k[16], v[64];
        snprintf(k, sizeof k, "k%d", i);
        snprintf(v, sizeof v, "value-%d-%040d", i, i);
        put(s, now, k, v, (uint32_t)i, i % 2 ? 100 : 0);
    }
    store_image_of(s, img);
    store_destroy(&s);
}

static struct store *
restore(const struct store_image *img, uint32_t now,
        enum store_restore_status *why)
{
    struct store_config cfg = config();
    return store_restore(&cfg, img, now, why);
}

static void
test_restore_keeps_items(void **state)
{
    (void)state;
    struct store_image img;
    saved_store(&img, 200, NOW);
    enum store_restore_status why;
    struct store *s = restore(&img, NOW + 50, &why);
    assert_int_equal(why, STORE_RESTORED);
    assert_non_null(s);
    store_check(s);
    struct store_item it;
    uint64_t cas_max = 0;
    for (int i = 0; i < 200; i++) {
        char k[16], v[64];
        snprintf(k, sizeof k, "k%d", i);
        snprintf(v, sizeof v, "value-%d-%040d", i, i);
        assert_int_equal(get(s, NOW + 50, k, &it), STORE_OK);
        assert_int_equal(it.value_len, strlen(v));
        assert_memory_equal(it.value, v, strlen(v));
        assert_int_equal(it.flags, (uint32_t)i);
        assert_int_equal(it.deadline_s, i % 2 ? NOW + 100 : 0);
        cas_max = it.cas > cas_max ? it.cas : cas_max;
    }
    /* Time spent down counts: the deadlines are wall-clock. */
    assert_int_equal(get(s, NOW + 100, "k1", &it), STORE_MISS);
    assert_int_equal(get(s, NOW + 100, "k2", &it), STORE_OK);
    /* CAS uniques keep increasing. */
    uint64_t cas = 0;
    assert_int_equal(store_put(s, NOW + 100, STORE_SET, (const uint8_t *)"n", 1,
                               0, 0, (const uint8_t *)"x", 1, 0, &cas),
                     STORE_OK);
    assert_true(cas > cas_max);
    store_check(s);
    /* And the restored store images again, identically restorable. */
    struct store_image again;
    store_image_of(s, &again);
    store_destroy(&s);
    s = restore(&again, NOW + 100, &why);
    assert_int_equal(why, STORE_RESTORED);
    assert_int_equal(get(s, NOW + 100, "n", &it), STORE_OK);
    store_check(s);
    store_destroy(&s);
}

static void
test_restore_wrapped_log(void **state)
{
    (void)state;
    struct store_config cfg = config();
    struct store *s = store_create(&cfg);
    char v[600];
    memset(v, 'w', sizeof v - 1);
    v[sizeof v - 1] = '\0';
    /* Overwrites of a few keys wrap the log; stop while it is wrapped. */
    struct store_image img;
    int i = 0;
    for (;; i++) {
        char k[16];
        snprintf(k, sizeof k, "w%d", i % 40);
        v[0] = (char)('a' + i % 26);
        put(s, NOW, k, v, 1, 0);
        if (i > 100 && i % 7 == 0) {
            store_image_of(s, &img);
            if (img.wrapped) {
                break;
            }
        }
        assert_true(i < 100000);
    }
    store_destroy(&s);
    enum store_restore_status why;
    s = restore(&img, NOW, &why);
    assert_int_equal(why, STORE_RESTORED);
    store_check(s);
    struct store_item it;
    for (int j = i - 39; j <= i; j++) {
        char k[16];
        snprintf(k, sizeof k, "w%d", j % 40);
        assert_int_equal(get(s, NOW, k, &it), STORE_OK);
        assert_int_equal(it.value[0], 'a' + j % 26);
    }
    store_destroy(&s);
}

static void
test_refuse_damaged_bytes(void **state)
{
    (void)state;
    struct store_image img;
    saved_store(&img, 100, NOW);
    kept[img.tail + 500] ^= 0x01; /* one bit, inside some value */
    enum store_restore_status why;
    assert_null(restore(&img, NOW, &why));
    assert_int_equal(why, STORE_RESTORE_CHECKSUM);
}

static void
test_refuse_other_settings(void **state)
{
    (void)state;
    struct store_image img;
    saved_store(&img, 10, NOW);
    struct store_config cfg = config();
    enum store_restore_status why;
    cfg.value_len_max = 2048;
    assert_null(store_restore(&cfg, &img, NOW, &why));
    assert_int_equal(why, STORE_RESTORE_SETTINGS);
    cfg = config();
    cfg.cas_enabled = false;
    assert_null(store_restore(&cfg, &img, NOW, &why));
    assert_int_equal(why, STORE_RESTORE_SETTINGS);
    cfg = config();
    cfg.mem_limit = LIMIT / 2;
    assert_null(store_restore(&cfg, &img, NOW, &why));
    assert_int_equal(why, STORE_RESTORE_SETTINGS);
}

static void
test_refuse_clock_back(void **state)
{
    (void)state;
    struct store_image img;
    saved_store(&img, 10, NOW);
    enum store_restore_status why;
    assert_null(restore(&img, NOW - 1, &why));
    assert_int_equal(why, STORE_RESTORE_CLOCK);
    /* The same second is fine (memcached starts empty then). */
    struct store *s = restore(&img, NOW, &why);
    assert_non_null(s);
    store_destroy(&s);
}

static void
test_refuse_impossible_layout(void **state)
{
    (void)state;
    struct store_image img;
    saved_store(&img, 10, NOW);
    enum store_restore_status why;
    struct store_image bad = img;
    bad.head = LIMIT + 64;
    assert_null(restore(&bad, NOW, &why));
    assert_int_equal(why, STORE_RESTORE_LAYOUT);
    bad = img;
    bad.head_abs += 1;
    assert_null(restore(&bad, NOW, &why));
    assert_int_equal(why, STORE_RESTORE_LAYOUT);
    bad = img;
    bad.wrapped = true;
    bad.lap_end = LIMIT;
    assert_null(restore(&bad, NOW, &why));
    assert_int_equal(why, STORE_RESTORE_LAYOUT);
}

/* A record that does not decode, with a checksum that matches anyway (a
 * forged or buggy image): refused, never served, never a crash. */
static void
test_refuse_bad_record(void **state)
{
    (void)state;
    static const struct {
        uint64_t at;
        uint8_t byte;
    } damage[] = {
        {1, 0},    /* key length 0 */
        {1, 251},  /* key length over 250 */
        {0, 0x80}, /* a gap byte */
        {14, 0xff}, /* a varint that runs on */
    };
    for (size_t d = 0; d < sizeof damage / sizeof damage[0]; d++) {
        struct store_image img;
        saved_store(&img, 20, NOW);
        kept[img.tail + damage[d].at] = damage[d].byte;
        if (damage[d].at == 14) {
            memset(kept + img.tail + 14, 0xff, 5);
        }
        img.records_sum = store_image_sum(kept + img.tail,
                                          img.head - img.tail, 0);
        enum store_restore_status why;
        assert_null(restore(&img, NOW, &why));
        assert_int_equal(why, STORE_RESTORE_RECORD);
    }
    /* A second record under the first one's key. */
    struct store_image img;
    saved_store(&img, 2, NOW);
    uint8_t *p = memmem(kept + img.tail, (size_t)(img.head - img.tail),
                        "k1value-1", 9);
    assert_non_null(p);
    p[1] = '0';
    img.records_sum = store_image_sum(kept + img.tail, img.head - img.tail, 0);
    enum store_restore_status why;
    assert_null(restore(&img, NOW, &why));
    assert_int_equal(why, STORE_RESTORE_RECORD);
}

/* Random damage to bytes and fields, the checksum made to match: restore
 * refuses or gives a store whose every invariant holds; never a crash. */
static void
test_random_damage_never_crashes(void **state)
{
    (void)state;
    uint64_t seed = 0x5eed;
    const char *env = getenv("PERSIST_SEED");
    if (env != NULL) {
        seed = strtoull(env, NULL, 0);
    }
    printf("# seed %llu (PERSIST_SEED)\n", (unsigned long long)seed);
    uint64_t x = seed | 1;
    unsigned restored = 0;
    for (int round = 0; round < 300; round++) {
        struct store_image img;
        saved_store(&img, 1 + round % 150, NOW);
        for (int k = 0; k < 1 + round % 4; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            uint64_t used = img.head - img.tail;
            switch (x % 5) {
            case 0: /* a byte of some record */
                kept[img.tail + (x >> 8) % used] = (uint8_t)(x >> 40);
                break;
            case 1: /* a bit of some record */
                kept[img.tail + (x >> 8) % used] ^= (uint8_t)(1u << (x >> 50) % 8);
                break;
            case 2:
                img.head += (x >> 8) % 64;
                img.head_abs = img.head; /* consistent with tail 0 */
                break;
            case 3:
                img.flush_abs = (x >> 8) % (img.head_abs + 1);
                break;
            default:
                img.crawl_abs = x >> 8;
                break;
            }
        }
        img.records_sum = store_image_sum(kept + img.tail, img.head - img.tail, 0);
        enum store_restore_status why;
        struct store *s = restore(&img, NOW, &why);
        if (s != NULL) {
            restored++;
            store_check(s);
            struct store_item it;
            (void)get(s, NOW, "k0", &it);
            put(s, NOW, "after", "x", 0, 0);
            store_check(s);
            store_destroy(&s);
        }
    }
    printf("# %u of 300 damaged images restored (all checked)\n", restored);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("restart.restore", test_restore_keeps_items),
        CLAUSE_TEST("restart.restore", test_restore_wrapped_log),
        CLAUSE_TEST("restart.checksum", test_refuse_damaged_bytes),
        CLAUSE_TEST("restart.settings", test_refuse_other_settings),
        CLAUSE_TEST("restart.clock", test_refuse_clock_back),
        CLAUSE_TEST("restart.layout", test_refuse_impossible_layout),
        CLAUSE_TEST("restart.record", test_refuse_bad_record),
        CLAUSE_TEST("restart.record", test_random_damage_never_crashes),
    };
    return cmocka_run_group_tests_name("store_persist", tests, setup,
                                       teardown);
}
