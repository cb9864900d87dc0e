/*
 * test_engine_outq.c - the reply queue on its own: copies and references,
 * partial sends, and copying references out before the store is written.
 */
#include "clause.h"

#include <stdlib.h>
#include <string.h>

#include "../../src/engine/outq.h"
#include "alloc_fail.h"

/* Everything pending in q, in order, into buf; returns the byte count. */
static size_t
pending_bytes(const struct outq *q, uint8_t *buf, size_t cap)
{
    struct outq_segment seg[32];
    size_t n = outq_segments(q, seg, 32);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(len + seg[i].len <= cap);
        memcpy(buf + len, seg[i].base, seg[i].len);
        len += seg[i].len;
    }
    assert_int_equal(len, q->pending);
    return len;
}

static void
expect_pending(const struct outq *q, const void *want, size_t len)
{
    uint8_t buf[1 << 16];
    assert_int_equal(pending_bytes(q, buf, sizeof buf), len);
    assert_memory_equal(buf, want, len);
}

/* A reference may start, end or fill a queue; sent bytes leave it, and its
 * bytes are read from where they are until it is held. */
static void
test_references_anywhere_in_a_queue(void **state)
{
    (void)state;
    struct outq_pool pool;
    outq_pool_init(&pool, 4);
    struct outq q;
    outq_init(&q, &pool);
    uint8_t item[40000];
    memset(item, 'i', sizeof item);
    assert_true(outq_append_ref(&q, item, sizeof item));
    assert_ptr_equal(pool.holders, &q);
    assert_true(outq_append(&q, "tail", 4));
    struct outq_segment seg[4];
    assert_int_equal(outq_segments(&q, seg, 4), 2);
    assert_ptr_equal(seg[0].base, item);
    outq_consume(&q, 100);
    assert_int_equal(outq_segments(&q, seg, 4), 2);
    assert_ptr_equal(seg[0].base, item + 100);
    /* The reference is the tail once more: holding copies it. */
    assert_true(outq_append_ref(&q, item, 10));
    item[100] = 'X';
    item[0] = 'Y';
    outq_pool_hold_all(&pool);
    assert_null(pool.holders);
    assert_int_equal(q.refs, 0);
    assert_false(q.failed);
    memset(item, 'z', sizeof item); /* the store reuses the memory */
    uint8_t *want = malloc(sizeof item - 100 + 4 + 10);
    assert_non_null(want);
    memset(want, 'i', sizeof item - 100);
    want[0] = 'X';
    memcpy(want + sizeof item - 100, "tail", 4);
    memcpy(want + sizeof item - 100 + 4, "Yiiiiiiiii", 10);
    expect_pending(&q, want, sizeof item - 100 + 4 + 10);
    free(want);
    /* New bytes never go into a reference block's room. */
    assert_true(outq_append_ref(&q, item, 5));
    assert_true(outq_append(&q, "!", 1));
    outq_consume(&q, q.pending);
    assert_null(q.head);
    assert_null(pool.holders);
    outq_deinit(&q);
    outq_pool_deinit(&pool);
}

/* Several queues hold references; any of them may finish first. */
static void
test_several_queues_hold_references(void **state)
{
    (void)state;
    struct outq_pool pool;
    outq_pool_init(&pool, 8);
    struct outq q[4];
    uint8_t item[4][100];
    for (int i = 0; i < 4; i++) {
        outq_init(&q[i], &pool);
        memset(item[i], 'a' + i, sizeof item[i]);
        assert_true(outq_append(&q[i], "V", 1));
        assert_true(outq_append_ref(&q[i], item[i], sizeof item[i]));
    }
    /* Off the list from the middle, the front and the back. */
    outq_consume(&q[1], q[1].pending);
    outq_consume(&q[3], q[3].pending);
    outq_deinit(&q[0]);
    assert_ptr_equal(pool.holders, &q[2]);
    assert_null(q[2].holder_next);
    assert_null(q[2].holder_prev);
    outq_init(&q[0], &pool);
    assert_true(outq_append_ref(&q[0], item[0], 50));
    outq_pool_hold_all(&pool);
    assert_null(pool.holders);
    memset(item, 0, sizeof item);
    uint8_t want[101];
    want[0] = 'V';
    memset(want + 1, 'c', 100);
    expect_pending(&q[2], want, 101);
    memset(want, 'a', 50);
    expect_pending(&q[0], want, 50);
    for (int i = 0; i < 4; i++) {
        outq_deinit(&q[i]);
    }
    outq_pool_deinit(&pool);
}

/* Holding needs blocks; a queue that cannot get them loses its bytes and
 * is marked failed, and the others are still held. */
static void
test_hold_without_memory(void **state)
{
    (void)state;
    uint8_t item[50000];
    memset(item, 'm', sizeof item);
    for (unsigned n = 0;; n++) {
        struct outq_pool pool;
        outq_pool_init(&pool, 0); /* no free blocks: every block is a malloc */
        struct outq a, b;
        outq_init(&a, &pool);
        outq_init(&b, &pool);
        assert_true(outq_append_ref(&a, item, sizeof item));
        assert_true(outq_append_ref(&b, item, 10));
        alloc_fail_arm(n);
        outq_pool_hold_all(&pool);
        bool fired = alloc_fail_fired();
        alloc_fail_disarm();
        assert_null(pool.holders);
        int failed = a.failed + b.failed;
        assert_int_equal(failed, fired ? 1 : 0);
        if (a.failed) {
            assert_int_equal(a.pending, 0);
            assert_null(a.head);
        }
        if (!b.failed) {
            expect_pending(&b, item, 10);
        }
        outq_deinit(&a);
        outq_deinit(&b);
        assert_int_equal(pool.blocks_out, 0);
        outq_pool_deinit(&pool);
        if (!fired) {
            assert_true(n >= 5); /* 4 blocks for a, 1 for b */
            return;
        }
    }
}

/* The segment lengths of q, in order, into len[]; returns the count. */
static size_t
segment_lengths(const struct outq *q, size_t *len, size_t max)
{
    struct outq_segment seg[16];
    size_t n = outq_segments(q, seg, max < 16 ? max : 16);
    for (size_t i = 0; i < n; i++) {
        len[i] = seg[i].len;
    }
    return n;
}

/* Copied bytes fill each block to LIMIT_REPLY_BLOCK before the next is taken,
 * however they arrive, so a queue holds as few blocks as its bytes need. */
static void
test_blocks_are_filled(void **state)
{
    (void)state;
    struct outq_pool pool;
    outq_pool_init(&pool, 4);
    struct outq q;
    outq_init(&q, &pool);
    static uint8_t bytes[3 * LIMIT_REPLY_BLOCK + 5];
    for (size_t i = 0; i < sizeof bytes; i++) {
        bytes[i] = (uint8_t)(i * 7);
    }
    /* In pieces of 1000 bytes: blocks of exactly the block size. */
    for (size_t at = 0; at < sizeof bytes; at += 1000) {
        size_t n = sizeof bytes - at < 1000 ? sizeof bytes - at : 1000;
        assert_true(outq_append(&q, bytes + at, n));
    }
    size_t len[16];
    assert_int_equal(segment_lengths(&q, len, 16), 4);
    assert_int_equal(len[0], LIMIT_REPLY_BLOCK);
    assert_int_equal(len[1], LIMIT_REPLY_BLOCK);
    assert_int_equal(len[2], LIMIT_REPLY_BLOCK);
    assert_int_equal(len[3], 5);
    assert_int_equal(pool.blocks_out, 4);
    expect_pending(&q, bytes, sizeof bytes);
    outq_deinit(&q);

    /* Whole, at once: the same blocks. */
    outq_init(&q, &pool);
    assert_true(outq_append(&q, bytes, sizeof bytes));
    assert_int_equal(segment_lengths(&q, len, 16), 4);
    assert_int_equal(len[0], LIMIT_REPLY_BLOCK);
    assert_int_equal(len[3], 5);
    outq_deinit(&q);

    /* A block with one byte of room left is filled by the next append. */
    outq_init(&q, &pool);
    assert_true(outq_append(&q, bytes, LIMIT_REPLY_BLOCK - 1));
    assert_true(outq_append(&q, bytes + LIMIT_REPLY_BLOCK - 1, 2));
    assert_int_equal(segment_lengths(&q, len, 16), 2);
    assert_int_equal(len[0], LIMIT_REPLY_BLOCK);
    assert_int_equal(len[1], 1);
    outq_deinit(&q);

    /* A reservation that fits the room left exactly takes no new block. */
    outq_init(&q, &pool);
    assert_true(outq_append(&q, bytes, LIMIT_REPLY_BLOCK - 10));
    uint8_t *dst = outq_reserve(&q, 10);
    assert_non_null(dst);
    memcpy(dst, bytes + LIMIT_REPLY_BLOCK - 10, 10);
    outq_commit(&q, 10);
    assert_int_equal(segment_lengths(&q, len, 16), 1);
    assert_int_equal(len[0], LIMIT_REPLY_BLOCK);
    assert_int_equal(pool.blocks_out, 1);
    /* One byte more does. */
    dst = outq_reserve(&q, 1);
    assert_non_null(dst);
    outq_commit(&q, 1);
    assert_int_equal(pool.blocks_out, 2);
    outq_deinit(&q);
    outq_pool_deinit(&pool);
}

/* Holding a reference copies it into full blocks (the last one partial). */
static void
test_held_reference_fills_blocks(void **state)
{
    (void)state;
    struct outq_pool pool;
    outq_pool_init(&pool, 4);
    struct outq q;
    outq_init(&q, &pool);
    static uint8_t item[2 * LIMIT_REPLY_BLOCK + 100];
    for (size_t i = 0; i < sizeof item; i++) {
        item[i] = (uint8_t)(i * 13);
    }
    assert_true(outq_append_ref(&q, item, sizeof item));
    outq_consume(&q, 50);
    outq_pool_hold_all(&pool);
    size_t len[16];
    assert_int_equal(segment_lengths(&q, len, 16), 3);
    assert_int_equal(len[0], LIMIT_REPLY_BLOCK);
    assert_int_equal(len[1], LIMIT_REPLY_BLOCK);
    assert_int_equal(len[2], 50);
    expect_pending(&q, item + 50, sizeof item - 50);
    outq_deinit(&q);
    /* Left over one byte short of a block, and exactly a block. */
    for (size_t left = LIMIT_REPLY_BLOCK - 1; left <= LIMIT_REPLY_BLOCK;
         left++) {
        outq_init(&q, &pool);
        assert_true(outq_append_ref(&q, item, LIMIT_REPLY_BLOCK + left));
        outq_pool_hold_all(&pool);
        assert_int_equal(segment_lengths(&q, len, 16), 2);
        assert_int_equal(len[0], LIMIT_REPLY_BLOCK);
        assert_int_equal(len[1], left);
        expect_pending(&q, item, LIMIT_REPLY_BLOCK + left);
        outq_deinit(&q);
    }
    outq_pool_deinit(&pool);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("get.reply", test_references_anywhere_in_a_queue),
        CLAUSE_TEST("get.reply", test_several_queues_hold_references),
        CLAUSE_TEST("mem.bounded", test_hold_without_memory),
        CLAUSE_TEST("mem.bounded", test_blocks_are_filled),
        CLAUSE_TEST("mem.bounded", test_held_reference_fills_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
