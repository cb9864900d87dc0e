/*
 * test_fuzz_bin.c - mcref-fuzz's binary protocol: the same seed gives the
 * same packets (whole, well framed, a bad magic only last); ${k} inside a
 * packet's key fixes its lengths; replies are rendered packet by packet
 * with the CAS and VERSION allowances; and a planted defect in a binary
 * reply (a delete's success reads `not found`) is found, minimised to the
 * two packets that need it, and written as send-bin / expect-bin steps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../unit/clause.h"
#include "fuzz_bin.h"
#include "fuzz_case.h"
#include "fuzz_min.h"
#include "fuzz_planted.h"

static uint32_t
be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/* A request packet with lengths from its parts. */
static void
add_pkt(struct fuzz_stream *s, uint8_t op, const char *key, const void *ext,
        size_t ext_len, const char *val, uint32_t batch, const char *clause)
{
    size_t kl = strlen(key);
    size_t vl = strlen(val);
    uint8_t h[24] = {0x80, op, (uint8_t)(kl >> 8), (uint8_t)kl,
                     (uint8_t)ext_len};
    size_t body = ext_len + kl + vl;
    h[10] = (uint8_t)(body >> 8);
    h[11] = (uint8_t)body;
    h[15] = op; /* an opaque to echo */
    struct fuzz_buf b = {0};
    fuzz_buf_add(&b, h, sizeof h);
    fuzz_buf_add(&b, ext, ext_len);
    fuzz_buf_add(&b, key, kl);
    fuzz_buf_add(&b, val, vl);
    fuzz_stream_add(s, b.p, b.len, batch, clause);
    s->reqs[s->count - 1].binary = true;
    fuzz_buf_free(&b);
}

static void
same_seed_same_binary_stream(void **state)
{
    (void)state;
    struct fuzz_gen_opts o = {.protocol = FUZZ_PROTO_BINARY,
                              .max_requests = 40, .allow_flush = true};
    size_t quiet_then_noop = 0;
    size_t bad_magic = 0;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        struct fuzz_stream a = {0};
        struct fuzz_stream b = {0};
        fuzz_gen_stream(&a, seed, &o);
        fuzz_gen_stream(&b, seed, &o);
        assert_int_equal(a.count, b.count);
        for (size_t i = 0; i < a.count; i++) {
            assert_int_equal(a.reqs[i].len, b.reqs[i].len);
            assert_memory_equal(a.reqs[i].bytes, b.reqs[i].bytes,
                                a.reqs[i].len);
            assert_true(a.reqs[i].binary);
            const uint8_t *p = a.reqs[i].bytes;
            if (p[0] != 0x80) {
                /* [bin.magic] closes: only as the stream's last. */
                assert_int_equal(i, a.count - 1);
                assert_string_equal(a.reqs[i].clause, "bin.magic");
                bad_magic++;
                continue;
            }
            /* Whole packets, framed by their headers. */
            size_t at = 0;
            size_t packets = 0;
            while (at < a.reqs[i].len) {
                assert_true(a.reqs[i].len - at >= 24);
                assert_int_equal(p[at], 0x80);
                uint8_t op = p[at + 1];
                at += 24 + be32(p + at + 8);
                packets++;
                if (packets == 2) {
                    assert_int_equal(op, 0x0a);
                    quiet_then_noop++;
                }
            }
            assert_int_equal(at, a.reqs[i].len);
            assert_true(packets <= 2);
        }
        fuzz_stream_free(&a);
        fuzz_stream_free(&b);
    }
    assert_true(quiet_then_noop > 0);
    assert_true(bad_magic > 0);
    struct fuzz_stream x = {0};
    struct fuzz_stream y = {0};
    fuzz_gen_stream(&x, 11, &o);
    fuzz_gen_stream(&y, 12, &o);
    assert_false(x.count == y.count && x.reqs[0].len == y.reqs[0].len &&
                 memcmp(x.reqs[0].bytes, y.reqs[0].bytes, x.reqs[0].len) == 0);
    fuzz_stream_free(&x);
    fuzz_stream_free(&y);
}

static void
expands_key_and_fixes_lengths(void **state)
{
    (void)state;
    struct fuzz_stream s = {0};
    add_pkt(&s, 0x01, "${k}a", "\0\0\0\5\0\0\0\0", 8, "bar", 0, "bin.store");
    struct fuzz_buf out = {0};
    fuzz_expand(s.reqs[0].bytes, s.reqs[0].len, "k0000000a_", "", &out);
    assert_int_equal(out.len, 24 + 8 + 11 + 3);
    assert_int_equal(out.p[3], 11);                 /* key length */
    assert_int_equal(be32(out.p + 8), 8 + 11 + 3);  /* body length */
    assert_memory_equal(out.p + 32, "k0000000a_abar", 14);
    fuzz_buf_free(&out);
    fuzz_stream_free(&s);
}

static void
renders_with_allowances(void **state)
{
    (void)state;
    /* Two servers' VERSION and a stored item's CAS differ in bytes, not
     * in what differences.md lets differ. */
    uint8_t a[2][24 + 6] = {{0}};
    const char *texts[2] = {"1.6.18", "0.9.0x"};
    for (int i = 0; i < 2; i++) {
        a[i][0] = 0x81;
        a[i][1] = 0x0b;
        a[i][11] = 6;
        a[i][23] = (uint8_t)(i + 1);
        memcpy(a[i] + 24, texts[i], 6);
    }
    struct fuzz_norm n1 = {.cas_loose = true};
    struct fuzz_norm n2 = {.cas_loose = true};
    struct fuzz_buf r1 = {0};
    struct fuzz_buf r2 = {0};
    fuzz_normalise(&n1, a[0], sizeof a[0], &r1);
    fuzz_normalise(&n2, a[1], sizeof a[1], &r2);
    assert_int_equal(r1.len, r2.len);
    assert_memory_equal(r1.p, r2.p, r1.len);
    assert_non_null(memmem(r1.p, r1.len, "op=version st=ok", 16));
    /* Without the loose CAS, the CAS shows. */
    struct fuzz_norm e1 = {0};
    struct fuzz_norm e2 = {0};
    r1.len = r2.len = 0;
    fuzz_normalise(&e1, a[0], sizeof a[0], &r1);
    fuzz_normalise(&e2, a[1], sizeof a[1], &r2);
    assert_true(r1.len != r2.len || memcmp(r1.p, r2.p, r1.len) != 0);
    /* A status that differs is never normalised away. */
    a[1][7] = 0x01;
    memcpy(a[1] + 24, texts[0], 6);
    r1.len = r2.len = 0;
    struct fuzz_norm f1 = {.cas_loose = true};
    struct fuzz_norm f2 = {.cas_loose = true};
    fuzz_normalise(&f1, a[0], sizeof a[0], &r1);
    fuzz_normalise(&f2, a[1], sizeof a[1], &r2);
    assert_int_not_equal(fuzz_first_difference(r1.p, r1.len, r2.p, r2.len),
                         SIZE_MAX);
    fuzz_buf_free(&r1);
    fuzz_buf_free(&r2);
}

/* The planted defect: a binary delete's success reads 0x0001. */
static enum fuzz_io
bin_planted_exchange(void *ctx, const uint8_t *data, size_t len,
                     size_t split, size_t expect_len, const uint8_t *end,
                     size_t end_len, size_t end_count, struct fuzz_buf *reply)
{
    (void)expect_len;
    (void)end;
    (void)end_len;
    (void)end_count;
    struct planted *p = ctx;
    size_t from = reply->len;
    bool open = fuzz_oracle_input(p->o, data, len, split, 1700000000u, reply);
    for (size_t i = from; i + 24 <= reply->len;) {
        uint8_t *h = reply->p + i;
        if (p->defect && h[0] == 0x81 && h[1] == 0x04 && h[7] == 0) {
            h[7] = 0x01;
        }
        i += 24 + be32(h + 8);
    }
    return open ? FUZZ_IO_OK : FUZZ_IO_CLOSED;
}

static void
bin_planted_stream(struct fuzz_stream *s)
{
    add_pkt(s, 0x01, "${k}b", "\0\0\0\0\0\0\0\0", 8, "bar", 0, "bin.store");
    add_pkt(s, 0x01, "${k}a", "\0\0\0\1\0\0\0\0", 8, "hello", 0, "bin.store");
    add_pkt(s, 0x00, "${k}b", "", 0, "", 1, "bin.get");
    add_pkt(s, 0x0b, "", "", 0, "", 1, "bin.misc");
    add_pkt(s, 0x04, "${k}c", "", 0, "", 2, "bin.delete");
    add_pkt(s, 0x09, "${k}c", "", 0, "", 3, "bin.quiet");
    add_pkt(s, 0x04, "${k}a", "", 0, "", 3, "bin.delete");
    add_pkt(s, 0x00, "${k}a", "", 0, "", 4, "bin.get");
}

static void
finds_planted_binary_divergence(void **state)
{
    (void)state;
    struct planted p = {.defect = true};
    struct fuzz_target t = {.ctx = &p, .open = planted_open,
                            .exchange = bin_planted_exchange,
                            .close = planted_close};
    struct fuzz_exec_opts eo = {.binary = true, .cas_loose = true,
                                .nonce_seed = 9};
    struct fuzz_stream s = {0};
    bin_planted_stream(&s);
    struct fuzz_result r = {0};
    fuzz_exec(&s, &t, &eo, &r);
    assert_int_equal(r.kind, FUZZ_DIVERGE);
    assert_int_equal(r.request, 6);
    assert_string_equal(r.clause, "bin.delete");
    assert_memory_equal(r.shape_oracle, "op=delete st=ok ", 16);
    assert_memory_equal(r.shape_target, "op=delete st=not-found ", 23);

    struct fuzz_result fin = {0};
    struct fuzz_min_stats ms;
    fuzz_minimise(&s, &t, &eo, &r, 500, &fin, &ms);
    assert_true(ms.reproduced);
    assert_int_equal(s.count, 2);
    assert_int_equal(s.reqs[0].bytes[1], 0x01); /* set */
    assert_int_equal(s.reqs[1].bytes[1], 0x04); /* delete */
    assert_non_null(memmem(s.reqs[1].bytes, s.reqs[1].len, "${k}a", 5));

    struct fuzz_case_info info = {.name = "planted-bin", .target = "test",
                                  .cas_loose = true};
    struct fuzz_buf c = {0};
    assert_true(fuzz_case_write(&s, &fin, &info, &c));
    fuzz_buf_add(&c, "", 1);
    const char *text = (const char *)c.p;
    assert_non_null(strstr(text, "send-bin op=set opaque=1 extras="));
    assert_non_null(strstr(text, "send-bin op=delete opaque=4 key=\"${k}a\""));
    assert_non_null(
        strstr(text, "expect-bin op=delete opaque=4 cas=0 key=\"\" value=\"\""));
    assert_non_null(strstr(text, "send-bin op=noop"));
    assert_null(strstr(text, "expect-close"));
    assert_null(strstr(text, "get ${k}zz_end"));
    fuzz_buf_free(&c);
    fuzz_result_free(&fin);
    fuzz_result_free(&r);
    fuzz_stream_free(&s);

    /* Without the defect the stream gives nothing. */
    p.defect = false;
    bin_planted_stream(&s);
    fuzz_exec(&s, &t, &eo, &r);
    assert_int_equal(r.kind, FUZZ_SAME);
    fuzz_result_free(&r);
    fuzz_stream_free(&s);
    planted_close(&p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("bin.quiet", same_seed_same_binary_stream),
        CLAUSE_TEST("bin.header", expands_key_and_fixes_lengths),
        CLAUSE_TEST("misc.version", renders_with_allowances),
        CLAUSE_TEST("bin.delete", finds_planted_binary_divergence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
