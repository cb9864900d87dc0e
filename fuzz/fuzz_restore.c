/*
 * fuzz_restore.c - store_restore ([restart.*]) on any image and any log
 * bytes: it refuses, or gives a store whose every invariant holds and that
 * keeps working. Never a crash, a hang or an out-of-bounds read.
 *
 * Input (every missing byte reads as 0):
 *   byte 0: bit 0 CAS off (-C), bit 1 no eviction (-M), bit 2 wrapped, bit 3
 *           consistent byte counts (head_abs - tail_abs matches the
 *           positions), bit 4 a flush position, bits 5-7 the value limit;
 *   bytes 1-12: six 16-bit fields: cap, head, tail, lap_end, cas_last,
 *           crawl position (taken modulo a little over the 8 KiB log);
 *   then the log's bytes from offset 0.
 * The checksum is made to match, so that the record checks are reached.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/common/check.h"
#include "../src/store/persist.h"
#include "../src/store/store.h"

enum { LOG_LIMIT = 8192, NOW = 1700000000 };

static uint8_t log_bytes[LOG_LIMIT];

static void *
fixed_reserve(void *ctx, uint64_t len)
{
    (void)ctx;
    return len <= LOG_LIMIT ? log_bytes : NULL;
}

static void
fixed_release(void *ctx, void *p, uint64_t len)
{
    (void)ctx;
    memset(p, 0xa5, (size_t)len); /* released bytes read as anything */
}

static void
fixed_unreserve(void *ctx, void *p, uint64_t len)
{
    (void)ctx;
    (void)p;
    (void)len;
}

static const struct store_memory fixed_memory = {
    NULL, fixed_reserve, fixed_release, fixed_unreserve};

static uint64_t
field(const uint8_t *data, size_t size, size_t at)
{
    uint64_t lo = at < size ? data[at] : 0;
    uint64_t hi = at + 1 < size ? data[at + 1] : 0;
    return lo | hi << 8;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t bits = size > 0 ? data[0] : 0;
    static const uint32_t value_max[] = {16, 64, 100, 255, 1000, 1024, 2048, 4000};
    struct store_config cfg = {
        .mem_limit = LOG_LIMIT,
        .value_len_max = value_max[bits >> 5],
        .evict = (bits & 2) == 0,
        .cas_enabled = (bits & 1) == 0,
        .hash_seed = 1,
        .index_size_log2 = 2,
        .log_cap_min = 256,
        .memory = &fixed_memory,
    };
    memset(log_bytes, 0, sizeof log_bytes);
    if (size > 13) {
        size_t n = size - 13 < LOG_LIMIT ? size - 13 : LOG_LIMIT;
        memcpy(log_bytes, data + 13, n);
    }
    const uint64_t span = LOG_LIMIT + 64;
    struct store_image img = {
        .mem_limit = cfg.mem_limit,
        .value_len_max = cfg.value_len_max,
        .cas_enabled = cfg.cas_enabled,
        .evict = cfg.evict,
        .cap = field(data, size, 1) % span,
        .head = field(data, size, 3) % span,
        .tail = field(data, size, 5) % span,
        .wrapped = (bits & 4) != 0,
        .lap_end = field(data, size, 7) % span,
        .cas_last = field(data, size, 9),
        .crawl_abs = field(data, size, 11),
        .last_now_s = NOW,
    };
    uint64_t used = img.wrapped ? (img.lap_end - img.tail) + img.head
                                : img.head - img.tail;
    img.tail_abs = 100000;
    img.head_abs = img.tail_abs + ((bits & 8) ? used : used + 1);
    img.flush_abs = (bits & 16) ? img.tail_abs + used / 2 : 0;
    /* The checksum the image would carry, over whatever the positions say
     * (bounded, so that an impossible layout is not read out of range). */
    if (img.tail <= LOG_LIMIT && img.head <= LOG_LIMIT && img.lap_end <= LOG_LIMIT) {
        if (!img.wrapped && img.tail <= img.head) {
            img.records_sum = store_image_sum(log_bytes + img.tail,
                                              img.head - img.tail, 0);
        } else if (img.wrapped && img.tail <= img.lap_end) {
            uint64_t first = store_image_sum(log_bytes + img.tail,
                                             img.lap_end - img.tail, 0);
            img.records_sum = store_image_sum(log_bytes, img.head, first);
        }
    }
    enum store_restore_status why;
    struct store *s = store_restore(&cfg, &img, NOW, &why);
    CHECK((s == NULL) == (why != STORE_RESTORED));
    if (s == NULL) {
        return 0;
    }
    store_check(s);
    struct store_item it;
    static const char *const keys[] = {"a", "b", "k", "key", "x"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        (void)store_get(s, NOW + 1, (const uint8_t *)keys[i], strlen(keys[i]), &it);
    }
    (void)store_put(s, NOW + 1, STORE_SET, (const uint8_t *)"new", 3, 0, 0,
                    (const uint8_t *)"value", 5, 0, NULL);
    (void)store_tick(s, NOW + 2);
    store_check(s);
    store_destroy(&s);
    return 0;
}
