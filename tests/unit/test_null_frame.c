/*
 * test_null_frame.c - mcref-null's framing: data blocks skipped by their
 * length wherever the reads cut them, the replies of a do-nothing server in
 * order, quiet requests silent, binary packets by their body length, and a
 * line that cannot end closing the connection; with a hit size, every get
 * answered as a hit of that many value bytes (text, meta, binary), however
 * the input and the output room are cut.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "null_frame.h"

enum { OUT_MAX = 4096 };

struct run {
    struct null_frame f;
    uint8_t out[OUT_MAX];
    size_t out_len;
};

/* Feeds in, cut into pieces of `piece` bytes, carrying what a call leaves
 * unconsumed into the next (as mcref-null's stash does). */
static void
feed(struct run *r, const void *in, size_t len, size_t piece)
{
    uint8_t buf[OUT_MAX];
    size_t held = 0;
    size_t off = 0;
    while (off < len && !r->f.close) {
        size_t take = len - off < piece ? len - off : piece;
        memcpy(buf + held, (const uint8_t *)in + off, take);
        off += take;
        size_t have = held + take;
        size_t used = null_frame_input(&r->f, buf, have, r->out, OUT_MAX,
                                       &r->out_len);
        held = have - used;
        memmove(buf, buf + used, held);
    }
}

static void
assert_out(const struct run *r, const char *want)
{
    assert_int_equal(r->out_len, strlen(want));
    assert_memory_equal(r->out, want, r->out_len);
}

static const char text_stream[] =
    "set k 0 0 5\r\nab\r\nd\r\n"    /* the data holds "\r\n": skipped by length */
    "get k\r\n"
    "set k 1 2 3 noreply\r\nxyz\r\n"
    "cas k 0 0 1 7\r\nz\r\n"
    "gets a b c\r\n"
    "bogus\r\n"
    "mg k v\r\nmg k v k q\r\nms k 2 T0 q\r\nhi\r\nms k 2 T0\r\nhi\r\nmn\r\n"
    "version\r\n";
static const char text_replies[] =
    "STORED\r\nEND\r\nSTORED\r\nEND\r\nERROR\r\nEN\r\nHD\r\nMN\r\n"
    "VERSION 0-null\r\n";

static void
test_text_whole(void **state)
{
    (void)state;
    struct run r = {.out_len = 0};
    null_frame_init(&r.f);
    feed(&r, text_stream, sizeof text_stream - 1, sizeof text_stream);
    assert_out(&r, text_replies);
    assert_false(r.f.close);
}

/* Every cut of the stream gives the same replies. */
static void
test_text_any_cut(void **state)
{
    (void)state;
    for (size_t piece = 1; piece < sizeof text_stream; piece++) {
        struct run r = {.out_len = 0};
        null_frame_init(&r.f);
        feed(&r, text_stream, sizeof text_stream - 1, piece);
        assert_out(&r, text_replies);
    }
}

static void
test_bad_storage_line(void **state)
{
    (void)state;
    struct run r = {.out_len = 0};
    null_frame_init(&r.f);
    const char in[] = "set k 0 0 x\r\nset k 0\r\nget k\r\n";
    feed(&r, in, sizeof in - 1, sizeof in);
    assert_out(&r, "CLIENT_ERROR bad command line format\r\n"
                   "CLIENT_ERROR bad command line format\r\nEND\r\n");
}

static void
test_quit_and_long_line_close(void **state)
{
    (void)state;
    struct run r = {.out_len = 0};
    null_frame_init(&r.f);
    const char in[] = "get k\r\nquit\r\nget k\r\n";
    feed(&r, in, sizeof in - 1, sizeof in);
    assert_out(&r, "END\r\n");
    assert_true(r.f.close);

    struct run l = {.out_len = 0};
    null_frame_init(&l.f);
    uint8_t line[NULL_LINE_MAX];
    memset(line, 'a', sizeof line);
    size_t used = null_frame_input(&l.f, line, sizeof line, l.out, OUT_MAX,
                                   &l.out_len);
    assert_int_equal(used, 0);
    assert_true(l.f.close);
    /* One byte shorter may still end: not closed. */
    null_frame_init(&l.f);
    used = null_frame_input(&l.f, line, sizeof line - 1, l.out, OUT_MAX,
                            &l.out_len);
    assert_int_equal(used, 0);
    assert_false(l.f.close);
}

/* With no room for a reply, nothing is consumed; room lets it go on. */
static void
test_out_room(void **state)
{
    (void)state;
    struct null_frame f;
    null_frame_init(&f);
    uint8_t out[NULL_REPLY_MAX * 2];
    size_t out_len = NULL_REPLY_MAX + 1;
    const char in[] = "get a\r\nget b\r\n";
    size_t used = null_frame_input(&f, (const uint8_t *)in, sizeof in - 1,
                                   out, sizeof out, &out_len);
    assert_int_equal(used, 0);
    out_len = 0;
    used = null_frame_input(&f, (const uint8_t *)in, sizeof in - 1, out,
                            sizeof out, &out_len);
    assert_int_equal(used, sizeof in - 1);
    assert_int_equal(out_len, 10);
}

static size_t
bin_packet(uint8_t *p, uint8_t op, uint32_t opaque, const char *key,
           size_t value_len)
{
    size_t extras = (op == 0x01 || op == 0x11) ? 8 : 0;
    size_t klen = strlen(key);
    size_t body = extras + klen + value_len;
    memset(p, 0, 24);
    p[0] = 0x80;
    p[1] = op;
    p[3] = (uint8_t)klen;
    p[4] = (uint8_t)extras;
    p[10] = (uint8_t)(body >> 8);
    p[11] = (uint8_t)body;
    p[15] = (uint8_t)opaque;
    memset(p + 24, 0x80, extras); /* looks like a header: must be skipped */
    memcpy(p + 24 + extras, key, klen);
    memset(p + 24 + extras + klen, 0x80, value_len);
    return 24 + body;
}

static void
test_binary(void **state)
{
    (void)state;
    uint8_t in[2048];
    size_t len = 0;
    len += bin_packet(in + len, 0x0a, 1, "", 0);      /* NOOP */
    len += bin_packet(in + len, 0x01, 2, "key", 300); /* SET */
    len += bin_packet(in + len, 0x09, 3, "key", 0);   /* GETQ: silent */
    len += bin_packet(in + len, 0x00, 4, "key", 0);   /* GET: a miss */
    len += bin_packet(in + len, 0x11, 5, "key", 7);   /* SETQ: silent */
    len += bin_packet(in + len, 0x0a, 6, "", 0);      /* NOOP */
    for (size_t piece = 1; piece <= len; piece += 7) {
        struct run r = {.out_len = 0};
        null_frame_init(&r.f);
        feed(&r, in, len, piece);
        assert_false(r.f.close);
        /* NOOP, SET, GET (+ "Not found"), NOOP. */
        assert_int_equal(r.out_len, 24 + 24 + 24 + 9 + 24);
        const uint8_t *o = r.out;
        assert_int_equal(o[0], 0x81);
        assert_int_equal(o[1], 0x0a);
        assert_int_equal(o[15], 1);
        o += 24;
        assert_int_equal(o[1], 0x01);
        assert_int_equal(o[7], 0);
        assert_int_equal(o[15], 2);
        o += 24;
        assert_int_equal(o[1], 0x00);
        assert_int_equal(o[7], 1); /* key not found */
        assert_int_equal(o[11], 9);
        assert_int_equal(o[15], 4);
        assert_memory_equal(o + 24, "Not found", 9);
        o += 24 + 9;
        assert_int_equal(o[1], 0x0a);
        assert_int_equal(o[15], 6);
    }
}

static void
test_binary_bad_magic_closes(void **state)
{
    (void)state;
    struct run r = {.out_len = 0};
    null_frame_init(&r.f);
    uint8_t in[64] = {0};
    size_t len = bin_packet(in, 0x0a, 1, "", 0);
    in[len] = 0x81; /* a response where a request must be */
    len += 24;
    feed(&r, in, len, len);
    assert_int_equal(r.out_len, 24);
    assert_true(r.f.close);
}

/* ---- hits (null_frame_init_hits) ---------------------------------------- */

static const char hit_stream[] =
    "set k 0 0 3\r\nabc\r\n"
    "get a bb\r\n"
    "gets x\r\n"
    "gat 0 y\r\n"
    "mg k v k Oab\r\n"
    "mg k\r\n"
    "mg k v q\r\n"
    "mn\r\n";
static const char hit_replies[] =
    "STORED\r\n"
    "VALUE a 0 4\r\nvvvv\r\nVALUE bb 0 4\r\nvvvv\r\nEND\r\n"
    "VALUE x 0 4 1\r\nvvvv\r\nEND\r\n"
    "VALUE y 0 4\r\nvvvv\r\nEND\r\n"
    "VA 4 kk Oab\r\nvvvv\r\n"
    "HD\r\n"
    "VA 4\r\nvvvv\r\n" /* q hides a miss, not a hit */
    "MN\r\n";

static void
test_text_hits_any_cut(void **state)
{
    (void)state;
    for (size_t piece = 1; piece <= sizeof hit_stream; piece++) {
        struct run r = {.out_len = 0};
        null_frame_init_hits(&r.f, 4);
        feed(&r, hit_stream, sizeof hit_stream - 1, piece);
        assert_out(&r, hit_replies);
        assert_false(r.f.close);
        assert_false(null_frame_owes(&r.f));
    }
}

/* One VALUE per key, past the tokens a line's flags are looked at in. */
static void
test_multi_get_many_keys(void **state)
{
    (void)state;
    char in[NULL_LINE_MAX];
    char want[OUT_MAX];
    size_t n = (size_t)snprintf(in, sizeof in, "get");
    size_t w = 0;
    for (unsigned i = 0; i < NULL_TOKENS_MAX + 6; i++) {
        n += (size_t)snprintf(in + n, sizeof in - n, " k%u", i);
        w += (size_t)snprintf(want + w, sizeof want - w,
                              "VALUE k%u 0 2\r\nvv\r\n", i);
    }
    n += (size_t)snprintf(in + n, sizeof in - n, "\r\n");
    w += (size_t)snprintf(want + w, sizeof want - w, "END\r\n");
    struct run r = {.out_len = 0};
    null_frame_init_hits(&r.f, 2);
    feed(&r, in, n, n);
    assert_out(&r, want);
}

/* A value bigger than the output room comes out over several calls, the
 * rest first, with no input needed. */
static void
test_hit_spans_out(void **state)
{
    (void)state;
    enum { SIZE = 3000, CAP = NULL_REPLY_MAX + 100 };
    struct null_frame f;
    null_frame_init_hits(&f, SIZE);
    const char in[] = "get a\r\nmn\r\n";
    uint8_t all[2 * SIZE];
    size_t all_len = 0;
    size_t pos = 0;
    int calls = 0;
    do {
        uint8_t out[CAP];
        size_t out_len = 0;
        pos += null_frame_input(&f, (const uint8_t *)in + pos,
                                sizeof in - 1 - pos, out, sizeof out, &out_len);
        assert_true(out_len <= CAP);
        memcpy(all + all_len, out, out_len);
        all_len += out_len;
        calls++;
    } while (pos < sizeof in - 1 || null_frame_owes(&f));
    assert_true(calls > SIZE / CAP);
    const char head[] = "VALUE a 0 3000\r\n";
    const char tail[] = "\r\nEND\r\nMN\r\n";
    assert_int_equal(all_len, strlen(head) + SIZE + strlen(tail));
    assert_memory_equal(all, head, strlen(head));
    for (size_t i = 0; i < SIZE; i++) {
        assert_int_equal(all[strlen(head) + i], 'v');
    }
    assert_memory_equal(all + strlen(head) + SIZE, tail, strlen(tail));
}

/* A key longer than a key can be is a bad line, hit or not. */
static void
test_hit_long_key_refused(void **state)
{
    (void)state;
    char in[NULL_KEY_MAX + 32];
    memcpy(in, "get ", 4);
    memset(in + 4, 'k', NULL_KEY_MAX + 1);
    memcpy(in + 4 + NULL_KEY_MAX + 1, "\r\n", 2);
    struct run r = {.out_len = 0};
    null_frame_init_hits(&r.f, 2);
    feed(&r, in, NULL_KEY_MAX + 7, sizeof in);
    assert_out(&r, "CLIENT_ERROR bad command line format\r\n");
}

/* Binary GET, GETK, GETQ, GETKQ all hit: status 0, 4 bytes of flags, the
 * key for the K ones, the value; a SET stays silent when quiet. */
static void
test_binary_hits(void **state)
{
    (void)state;
    uint8_t in[1024];
    size_t len = 0;
    len += bin_packet(in + len, 0x00, 1, "key", 0); /* GET */
    len += bin_packet(in + len, 0x0c, 2, "key", 0); /* GETK */
    len += bin_packet(in + len, 0x09, 3, "key", 0); /* GETQ: a hit speaks */
    len += bin_packet(in + len, 0x0d, 4, "key", 0); /* GETKQ */
    len += bin_packet(in + len, 0x11, 5, "key", 7); /* SETQ: silent */
    len += bin_packet(in + len, 0x0a, 6, "", 0);    /* NOOP */
    for (size_t piece = 1; piece <= len; piece++) {
        struct run r = {.out_len = 0};
        null_frame_init_hits(&r.f, 5);
        feed(&r, in, len, piece);
        assert_false(r.f.close);
        assert_int_equal(r.out_len, 4 * (24 + 4 + 5) + 2 * 3 + 24);
        const uint8_t *o = r.out;
        static const uint8_t ops[4] = {0x00, 0x0c, 0x09, 0x0d};
        for (int i = 0; i < 4; i++) {
            size_t klen = (ops[i] == 0x0c || ops[i] == 0x0d) ? 3 : 0;
            assert_int_equal(o[0], 0x81);
            assert_int_equal(o[1], ops[i]);
            assert_int_equal(o[3], klen);
            assert_int_equal(o[4], 4);    /* extras: the flags */
            assert_int_equal(o[7], 0);    /* success */
            assert_int_equal(o[11], 4 + klen + 5);
            assert_int_equal(o[15], i + 1);
            assert_int_equal(o[23], 1);   /* a CAS */
            assert_memory_equal(o + 24, "\0\0\0\0", 4);
            assert_memory_equal(o + 28, "key", klen);
            assert_memory_equal(o + 28 + klen, "vvvvv", 5);
            o += 24 + 4 + klen + 5;
        }
        assert_int_equal(o[1], 0x0a);
        assert_int_equal(o[15], 6);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_whole),
        cmocka_unit_test(test_text_any_cut),
        cmocka_unit_test(test_bad_storage_line),
        cmocka_unit_test(test_quit_and_long_line_close),
        cmocka_unit_test(test_out_room),
        cmocka_unit_test(test_binary),
        cmocka_unit_test(test_binary_bad_magic_closes),
        cmocka_unit_test(test_text_hits_any_cut),
        cmocka_unit_test(test_multi_get_many_keys),
        cmocka_unit_test(test_hit_spans_out),
        cmocka_unit_test(test_hit_long_key_refused),
        cmocka_unit_test(test_binary_hits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
