/*
 * test_fuzz_gen.c - mcref-fuzz's generator: the same seed gives the same
 * stream byte for byte (a printed seed replays), different seeds differ,
 * and what differences.md says to avoid is avoided.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../unit/clause.h"
#include "fuzz_gen.h"

static bool
streams_equal(const struct fuzz_stream *a, const struct fuzz_stream *b)
{
    if (a->count != b->count) {
        return false;
    }
    for (size_t i = 0; i < a->count; i++) {
        if (a->reqs[i].len != b->reqs[i].len ||
            memcmp(a->reqs[i].bytes, b->reqs[i].bytes, a->reqs[i].len) != 0 ||
            a->reqs[i].batch != b->reqs[i].batch ||
            a->reqs[i].split != b->reqs[i].split) {
            return false;
        }
    }
    return true;
}

static void
same_seed_same_stream(void **state)
{
    (void)state;
    static const enum fuzz_protocol protos[] = {
        FUZZ_PROTO_TEXT, FUZZ_PROTO_META, FUZZ_PROTO_MIXED};
    for (size_t p = 0; p < 3; p++) {
        struct fuzz_gen_opts o = {.protocol = protos[p], .max_requests = 40,
                                  .allow_flush = true};
        size_t differ = 0;
        for (uint64_t i = 0; i < 200; i++) {
            uint64_t seed = fuzz_gen_stream_seed(42, i);
            struct fuzz_stream a = {0};
            struct fuzz_stream b = {0};
            struct fuzz_stream c = {0};
            fuzz_gen_stream(&a, seed, &o);
            fuzz_gen_stream(&b, seed, &o);
            fuzz_gen_stream(&c, fuzz_gen_stream_seed(43, i), &o);
            assert_true(a.count >= 1);
            assert_true(streams_equal(&a, &b));
            differ += !streams_equal(&a, &c);
            fuzz_stream_free(&a);
            fuzz_stream_free(&b);
            fuzz_stream_free(&c);
        }
        assert_true(differ > 190);
    }
}

/* Rows 5, 9, 13 and D1 of differences.md: no line over 2048 bytes, no
 * delayed flush, no first byte 0x80, incr/decr never with noreply; and
 * the commands list is obeyed (a proxy gets only what it forwards). */
static void
avoids_documented_differences(void **state)
{
    (void)state;
    struct fuzz_gen_opts o = {.protocol = FUZZ_PROTO_MIXED,
                              .max_requests = 40, .allow_flush = true};
    struct fuzz_gen_opts proxy = {.protocol = FUZZ_PROTO_TEXT,
                                  .max_requests = 40,
                                  .commands = "get,set,delete"};
    for (uint64_t i = 0; i < 300; i++) {
        struct fuzz_stream s = {0};
        struct fuzz_stream p = {0};
        fuzz_gen_stream(&s, fuzz_gen_stream_seed(7, i), &o);
        fuzz_gen_stream(&p, fuzz_gen_stream_seed(7, i), &proxy);
        for (size_t r = 0; r < s.count; r++) {
            const char *b = (const char *)s.reqs[r].bytes;
            const char *nl = strchr(b, '\n');
            assert_non_null(nl);
            assert_true(nl - b < 2048);
            assert_int_not_equal((uint8_t)b[0], 0x80);
            if (strncmp(b, "flush_all", 9) == 0) {
                assert_true(strstr(b, "flush_all 1") == NULL &&
                            strstr(b, "flush_all 2") == NULL);
            }
            if (strncmp(b, "incr", 4) == 0 || strncmp(b, "decr", 4) == 0) {
                assert_null(strstr(b, "noreply"));
            }
        }
        for (size_t r = 0; r < p.count; r++) {
            const char *b = (const char *)p.reqs[r].bytes;
            assert_true(strncmp(b, "get ", 4) == 0 ||
                        strncmp(b, "set ", 4) == 0 ||
                        strncmp(b, "delete ", 7) == 0);
        }
        fuzz_stream_free(&s);
        fuzz_stream_free(&p);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("frame.pipeline", same_seed_same_stream),
        CLAUSE_TEST("frame.line-limit", avoids_documented_differences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
