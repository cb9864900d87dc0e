/*
 * test_engine_meta.c - the meta protocol through parser, engine, store and
 * composer: bytes in, bytes out, clause by clause (spec/protocol.md §19).
 */
#include "engine_config.h"
#include "session_harness.h"

/* ---- harness -------------------------------------------------------------- */

static struct engine_config
config(void)
{
    struct engine_config cfg = test_engine_config();
    cfg.test_clock = true;
    return cfg;
}

static struct harness *
open_default(void)
{
    struct engine_config cfg = config();
    return open_with(&cfg);
}

/* ---- mg ------------------------------------------------------------------- */

static void
test_mg_hit_flags_in_order(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "ms mk 5 c k O123 T100 F77\r\nhello\r\n",
                 "HD c1 kmk O123\r\n");
    expect_reply(h, "mg mk\r\nmg mk v\r\n", "HD\r\nVA 5\r\nhello\r\n");
    expect_reply(h, "mg mk s v t f c k O99 h l\r\n",
                 "VA 5 s5 t100 f77 c1 kmk O99 h1 l0\r\nhello\r\n");
    expect_reply(h, "mg mk O7 k c\r\n", "HD O7 kmk c1\r\n");
    /* P and L are accepted and say nothing. */
    expect_reply(h, "mg mk P L v\r\n", "VA 5\r\nhello\r\n");
    close_harness(h);
}

static void
test_mg_miss_and_quiet(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "mg missing\r\n", "EN\r\n");
    expect_reply(h, "mg missing v k Oab s t\r\n", "EN kmissing Oab\r\n");
    expect_reply(h, "mg missing q v\r\nmn\r\n", "MN\r\n");
    expect_reply(h, "set k 0 0 1\r\nz\r\n", "STORED\r\n");
    /* q hides only the miss: a hit is still answered. */
    expect_reply(h, "mg k q v\r\nmg k q\r\n", "VA 1\r\nz\r\nHD\r\n");
    close_harness(h);
}

static void
test_mg_touch_and_ttl_order(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set k 0 0 1\r\nz\r\n", "STORED\r\n");
    /* t before T shows the TTL the item had; after T, the new one. */
    expect_reply(h, "mg k t T30\r\n", "HD t-1\r\n");
    expect_reply(h, "mg k T30 t\r\n", "HD t30\r\n");
    expect_reply(h, "mg k t\r\n", "HD t30\r\n");
    expect_at(h, NOW + 10, "mg k t\r\n", "HD t20\r\n");
    /* Touched into the past: answered once with t0, then gone. */
    expect_at(h, NOW + 10, "mg k T-1 t v\r\nmg k v\r\n",
              "VA 1 t0\r\nz\r\nEN\r\n");
    close_harness(h);
}

static void
test_mg_vivify_win_then_token(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "mg viv N30 v c t\r\n", "VA 0 c1 t30 W\r\n\r\n");
    expect_reply(h, "mg viv N30 v c t\r\n", "VA 0 c1 t30 Z\r\n\r\n");
    /* t before N on a created item shows none yet. */
    expect_reply(h, "mg v2 t N30\r\n", "HD t-1 W\r\n");
    /* E gives the vivified item its CAS. */
    expect_reply(h, "mg v3 N30 E9000 c\r\n", "HD c9000 W\r\n");
    /* A write clears the token. */
    expect_reply(h, "ms viv 1\r\nx\r\nmg viv N30 v\r\n", "HD\r\nVA 1\r\nx\r\n");
    close_harness(h);
}

static void
test_mg_recache(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set k 0 100 1\r\nz\r\n", "STORED\r\n");
    expect_reply(h, "mg k R30 t\r\n", "HD t100\r\n");
    expect_at(h, NOW + 80, "mg k R30 t\r\n", "HD t20 W\r\n");
    expect_at(h, NOW + 81, "mg k R30 t\r\n", "HD t19 Z\r\n");
    close_harness(h);
}

static void
test_stale_while_revalidate(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "ms k 3 T100\r\nold\r\n", "HD\r\n");
    expect_reply(h, "md k I T30\r\n", "HD\r\n");
    expect_reply(h, "mg k v c t\r\n", "VA 3 c2 t30 X W\r\nold\r\n");
    expect_reply(h, "mg k v c t\r\n", "VA 3 c2 t30 Z X\r\nold\r\n");
    /* The winner's store with the CAS it saw is a mismatch now... */
    expect_reply(h, "ms k 3 C1\r\nnew\r\n", "EX\r\n");
    /* ...but with I a lower CAS stores, still stale, token and TTL kept. */
    expect_reply(h, "ms k 3 C1 I\r\nnew\r\nmg k v t\r\n",
                 "HD\r\nVA 3 t30 Z X\r\nnew\r\n");
    /* A plain store makes it fresh. */
    expect_reply(h, "ms k 3\r\nnew\r\nmg k v\r\n", "HD\r\nVA 3\r\nnew\r\n");
    close_harness(h);
}

static void
test_mg_cas_check_and_no_bump(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "ms k 1 c\r\nz\r\n", "HD c1\r\n");
    /* C matching the CAS leaves the value out. */
    expect_reply(h, "mg k v C1\r\nmg k v C2\r\n", "HD\r\nVA 1\r\nz\r\n");
    expect_reply(h, "set u 0 0 1\r\nz\r\n", "STORED\r\n");
    /* u leaves the fetched mark: h stays 0. */
    expect_reply(h, "mg u h u\r\nmg u h\r\nmg u h\r\n",
                 "HD h0\r\nHD h0\r\nHD h1\r\n");
    close_harness(h);
}

static void
test_mg_last_access(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set k 0 0 1\r\nz\r\n", "STORED\r\n");
    expect_at(h, NOW + 5, "mg k l\r\n", "HD l5\r\n");
    /* A write resets it. */
    expect_at(h, NOW + 5, "ms k 1\r\ny\r\nmg k l\r\n", "HD\r\nHD l0\r\n");
    close_harness(h);
}

/* ---- ms ------------------------------------------------------------------- */

static void
test_ms_modes_and_results(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "ms k 1\r\na\r\n", "HD\r\n");
    expect_reply(h, "ms k 1 ME\r\nb\r\n", "NS\r\n");
    expect_reply(h, "ms new 1 ME\r\nb\r\n", "HD\r\n");
    expect_reply(h, "ms nokey 1 MR\r\nb\r\n", "NS\r\n");
    expect_reply(h, "ms k 1 MA s\r\nc\r\n", "HD s2\r\n");
    expect_reply(h, "ms k 1 MP\r\n_\r\nmg k v\r\n", "HD\r\nVA 3\r\n_ac\r\n");
    expect_reply(h, "ms nokey 1 MA\r\nb\r\n", "NS\r\n");
    /* N makes an append on a miss create the item, with N's TTL. */
    expect_reply(h, "ms ap 2 MA N30\r\nab\r\nmg ap v t\r\n",
                 "HD\r\nVA 2 t30\r\nab\r\n");
    expect_reply(h, "ms k 1 MR T0 F5\r\nr\r\nmg k v f\r\n",
                 "HD\r\nVA 1 f5\r\nr\r\n");
    /* [stats.counting]: none of these ran out of memory. */
    assert_int_equal(stat_of(h, "store_no_memory"), 0);
    close_harness(h);
}

static void
test_ms_cas_and_flags(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "ms k 1 c k O1\r\na\r\n", "HD c1 kk O1\r\n");
    expect_reply(h, "ms k 1 C9 c\r\nb\r\n", "EX c0\r\n");
    expect_reply(h, "ms nokey 1 C9\r\nb\r\n", "NF\r\n");
    expect_reply(h, "ms k 1 C1 c\r\nb\r\n", "HD c2\r\n");
    /* Append checks C; add ignores it. */
    expect_reply(h, "ms k 1 MA C1\r\nx\r\nms k 1 MA C2\r\nx\r\n",
                 "EX\r\nHD\r\n");
    expect_reply(h, "ms k 1 ME C2\r\nx\r\n", "NS\r\n");
    /* E sets the CAS; the counter does not move. */
    expect_reply(h, "ms e 1 E5000 c\r\nz\r\ngets e\r\n",
                 "HD c5000\r\nVALUE e 0 1 5000\r\nz\r\nEND\r\n");
    expect_reply(h, "ms f 1 c\r\nz\r\n", "HD c4\r\n");
    /* q hides HD only. */
    expect_reply(h, "ms k 1 q\r\nz\r\nms k 1 q C1\r\nz\r\nmn\r\n",
                 "EX\r\nMN\r\n");
    close_harness(h);
}

static void
test_ms_errors(void **state)
{
    (void)state;
    struct engine_config cfg = config();
    cfg.store.value_len_max = 1024;
    struct harness *h = open_with(&cfg);
    expect_reply(h, "ms k 1\r\na\r\n", "HD\r\n");
    /* Too large: refused, swallowed, and the old item goes, in any mode. */
    char big[1200];
    int n = snprintf(big, sizeof big, "ms k 1025 ME\r\n");
    memset(big + n, 'x', 1025);
    memcpy(big + n + 1025, "\r\nmg k v\r\n", 10);
    h->out_len = 0;
    feed_at(h, big, (size_t)n + 1035, NOW);
    const char *want =
        "SERVER_ERROR object too large for cache\r\nEN\r\n";
    assert_int_equal(h->out_len, strlen(want));
    assert_memory_equal(h->out, want, h->out_len);
    h->out_len = 0;
    expect_reply(h, "ms k 1 q\r\nab\r\n",
                 "CLIENT_ERROR bad data chunk\r\nERROR\r\n");
    expect_reply(h, "ms k 1 S3\r\nz\r\nmn\r\n",
                 "CLIENT_ERROR invalid flag\r\nMN\r\n");
    close_harness(h);
}

/* ---- md ------------------------------------------------------------------- */

static void
test_md(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "ms k 1\r\nz\r\n", "HD\r\n");
    expect_reply(h, "md k C9 k O5\r\n", "EX kk O5\r\n");
    expect_reply(h, "md k k O5\r\nmd k k O5\r\n", "HD kk O5\r\nNF kk O5\r\n");
    expect_reply(h, "ms k 1\r\nz\r\nmd k q\r\nmd k q\r\nmn\r\n",
                 "HD\r\nNF\r\nMN\r\n");
    /* x leaves an empty item with no flags, its CAS kept. */
    expect_reply(h, "ms k 3 F7 c\r\nabc\r\nmd k x\r\nmg k v f c\r\n",
                 "HD c3\r\nHD\r\nVA 0 f0 c3\r\n\r\n");
    /* x with I: a stale tombstone with a new CAS. */
    expect_reply(h, "md k x I\r\nmg k c\r\n", "HD\r\nHD c4 X W\r\n");
    close_harness(h);
}

/* ---- ma ------------------------------------------------------------------- */

static void
test_ma(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "ma cnt\r\nma cnt q\r\n", "NF\r\nNF\r\n");
    expect_reply(h, "ma cnt N0 J10 v\r\n", "VA 2\r\n10\r\n");
    expect_reply(h, "ma cnt D5 v t c\r\n", "VA 2 t-1 c2\r\n15\r\n");
    expect_reply(h, "ma cnt\r\n", "HD\r\n");
    expect_reply(h, "ma cnt MD D100 v\r\n", "VA 1\r\n0\r\n");
    expect_reply(h, "ma cnt M- v\r\nma cnt M+ v\r\nma cnt MI v\r\n",
                 "VA 1\r\n0\r\nVA 1\r\n1\r\nVA 1\r\n2\r\n");
    /* q hides success, even the value, and a creation. */
    expect_reply(h, "ma cnt q v\r\nma nz q N0 J5\r\nmn\r\n", "MN\r\n");
    expect_reply(h, "ma cnt C1 k O2\r\n", "EX kcnt O2\r\n");
    expect_reply(h, "ma cnt E700 c\r\nmg cnt c\r\n", "HD c700\r\nHD c700\r\n");
    /* t shows the TTL after the request, whatever the order. */
    expect_reply(h, "ma n2 t N100 v\r\n", "VA 1 t100\r\n0\r\n");
    expect_reply(h, "ma cnt t T50\r\n", "HD t50\r\n");
    expect_reply(h, "set s 0 0 1\r\nx\r\nma s\r\n",
                 "STORED\r\nCLIENT_ERROR cannot increment or decrement "
                 "non-numeric value\r\n");
    close_harness(h);
}

/* ---- mn, me ---------------------------------------------------------------- */

static void
test_mn_me(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "mn\r\nmn foo\r\n", "MN\r\nMN\r\n");
    expect_reply(h, "me k\r\n", "EN\r\n");
    expect_reply(h, "ms k 5 T100\r\nhello\r\n", "HD\r\n");
    expect_at(h, NOW + 3, "me k\r\n",
              "ME k exp=97 la=3 cas=1 fetch=no cls=1 size=25\r\n");
    /* me changes nothing: still not fetched. */
    expect_reply(h, "mg k h\r\n", "HD h0\r\n");
    expect_reply(h, "ms n 1\r\nz\r\nme n\r\n",
                 "HD\r\nME n exp=-1 la=0 cas=2 fetch=no cls=1 size=17\r\n");
    close_harness(h);
}

/* ---- keys, interleaving, stats, references ---------------------------------- */

static void
test_base64_keys(void **state)
{
    (void)state;
    struct harness *h = open_default();
    /* "metaspec-b64-a" */
    expect_reply(h, "ms bWV0YXNwZWMtYjY0LWE= 2 b k\r\nhi\r\n",
                 "HD kbWV0YXNwZWMtYjY0LWE= b\r\n");
    expect_reply(h, "get metaspec-b64-a\r\nmg metaspec-b64-a k v\r\n",
                 "VALUE metaspec-b64-a 0 2\r\nhi\r\nEND\r\n"
                 "VA 2 kbWV0YXNwZWMtYjY0LWE= b\r\nhi\r\n");
    expect_reply(h, "me metaspec-b64-a\r\n",
                 "ME bWV0YXNwZWMtYjY0LWE= exp=-1 la=0 cas=1 fetch=yes cls=1 "
                 "size=31\r\n");
    /* A raw key stays raw; a miss echoes the key as asked. */
    expect_reply(h, "mg YQ== b k\r\n", "EN kYQ== b\r\n");
    expect_reply(h, "mg a$zE= b k\r\n", "CLIENT_ERROR error decoding key\r\n");
    close_harness(h);
}

static void
test_text_and_meta_interleave(void **state)
{
    (void)state;
    struct harness *h = open_default();
    expect_reply(h, "set k 3 0 2\r\nab\r\nmg k v f c\r\n",
                 "STORED\r\nVA 2 f3 c1\r\nab\r\n");
    expect_reply(h, "ms k 2 F9 T0 c\r\ncd\r\ngets k\r\n",
                 "HD c2\r\nVALUE k 9 2 2\r\ncd\r\nEND\r\n");
    expect_reply(h, "cas k 0 0 1 2\r\nz\r\nmg k c v\r\n",
                 "STORED\r\nVA 1 c3\r\nz\r\n");
    expect_reply(h, "ms k 1 C3\r\ny\r\nincr k 1\r\nma k v\r\n",
                 "HD\r\nCLIENT_ERROR cannot increment or decrement "
                 "non-numeric value\r\nCLIENT_ERROR cannot increment or "
                 "decrement non-numeric value\r\n");
    expect_reply(h, "set n 0 0 1\r\n5\r\nma n v\r\nincr n 1\r\nmd n\r\nget n\r\n",
                 "STORED\r\nVA 1\r\n6\r\n7\r\nHD\r\nEND\r\n");
    close_harness(h);
}

static void
test_meta_stats(void **state)
{
    (void)state;
    struct harness *h = open_default();
    feed(h, "ms k 1\r\nz\r\nmg k\r\nmg nokey\r\nmg k T10\r\nmg nokey T10\r\n"
            "me k\r\nmn\r\n");
    assert_int_equal(stat_of(h, "cmd_set"), 1);
    assert_int_equal(stat_of(h, "cmd_get"), 2);
    assert_int_equal(stat_of(h, "get_hits"), 1);
    assert_int_equal(stat_of(h, "get_misses"), 1);
    assert_int_equal(stat_of(h, "cmd_touch"), 2);
    assert_int_equal(stat_of(h, "touch_hits"), 1);
    assert_int_equal(stat_of(h, "touch_misses"), 1);
    assert_int_equal(stat_of(h, "cmd_meta"), 1);
    feed(h, "md k C99\r\nmd k I\r\nmd k\r\nmd k\r\nma c\r\nma c N0\r\nma c\r\n");
    assert_int_equal(stat_of(h, "delete_misses"), 2);
    assert_int_equal(stat_of(h, "delete_hits"), 1);
    assert_int_equal(stat_of(h, "incr_misses"), 1);
    assert_int_equal(stat_of(h, "incr_hits"), 1);
    close_harness(h);
}

static void
test_cas_disabled(void **state)
{
    (void)state;
    struct engine_config cfg = config();
    cfg.store.cas_enabled = false;
    struct harness *h = open_with(&cfg);
    expect_reply(h, "ms k 1 c\r\nz\r\nmg k c\r\nms k 1 C1\r\ny\r\n",
                 "HD c0\r\nHD c0\r\nEX\r\n");
    expect_reply(h, "md k I\r\nmg k c v\r\n", "HD\r\nVA 1 c0 X W\r\nz\r\n");
    close_harness(h);
}

/* [mem.bounded]: a value sent by reference survives the write after it. */
static void
test_referenced_value_survives_meta_writes(void **state)
{
    (void)state;
    struct engine_config cfg = config();
    cfg.value_ref_min = 1;
    struct harness *h = open_with(&cfg);
    expect_reply(h, "ms k 3\r\nold\r\n", "HD\r\n");
    /* Not drained between: the reply of mg still points into the store
     * when ma, md x and ms write. */
    const char *in = "mg k v\r\nms k 3\r\nnew\r\nmg k v\r\n"
                     "md k x\r\nms n 1\r\n7\r\nmg n v\r\nma n v\r\n";
    session_input(&h->s, (const uint8_t *)in, strlen(in), NOW);
    h->out_len = 0;
    drain(h, NOW);
    const char *want = "VA 3\r\nold\r\nHD\r\nVA 3\r\nnew\r\nHD\r\nHD\r\n"
                       "VA 1\r\n7\r\nVA 1\r\n8\r\n";
    assert_int_equal(h->out_len, strlen(want));
    assert_memory_equal(h->out, want, h->out_len);
    close_harness(h);
}

struct traced {
    char lines[16][80];
    size_t count;
};

static void
collect_trace(void *ctx, char direction, const uint8_t *text, size_t len)
{
    struct traced *t = ctx;
    if (t->count < 16) {
        snprintf(t->lines[t->count++], 80, "%c%.*s", direction, (int)len,
                 (const char *)text);
    }
}

static void
test_trace(void **state)
{
    (void)state;
    struct engine_config cfg = config();
    cfg.verbosity = 2;
    struct harness *h = open_with(&cfg);
    struct traced t = {.count = 0};
    session_set_trace(&h->s, collect_trace, &t);
    feed(h, "ms k 2 c\r\nab\r\nmg k v s\r\nmg x\r\nmn\r\n");
    assert_int_equal(t.count, 8);
    assert_string_equal(t.lines[0], "<ms k 2 c");
    assert_string_equal(t.lines[1], ">HD c1");
    assert_string_equal(t.lines[2], "<mg k v s");
    assert_string_equal(t.lines[3], ">VA 2 s2");
    assert_string_equal(t.lines[5], ">EN");
    assert_string_equal(t.lines[7], ">MN");
    close_harness(h);
}

/* Found by comparing random meta streams with memcached 1.6.18. */
static void
test_matches_memcached_details(void **state)
{
    (void)state;
    struct harness *h = open_default();
    /* C0: md compares it (EX); ma and append/prepend take it as no C. */
    expect_reply(h, "set n 0 0 1\r\n5\r\nma n C0 v\r\nmd n C0\r\n",
                 "STORED\r\nVA 1\r\n6\r\nEX\r\n");
    expect_reply(h, "ms n 1 MA C0\r\n1\r\nmg n v\r\n", "HD\r\nVA 2\r\n61\r\n");
    /* A vivified item counts as fetched (unless u). */
    expect_reply(h, "mg v1 N30 c\r\nmg v1 h\r\n", "HD c4 W\r\nHD h1 Z\r\n");
    expect_reply(h, "mg v2 N30 u\r\nmg v2 h\r\n", "HD W\r\nHD h0 Z\r\n");
    /* R sees the TTL as the flags before it left it. */
    expect_reply(h, "set r 0 0 1\r\n1\r\nmg r R200 T100\r\nmg r T100 R200\r\n",
                 "STORED\r\nHD\r\nHD W\r\n");
    /* add on a live key and incr are accesses, not fetches. */
    expect_reply(h, "set a 0 0 1\r\n1\r\nadd a 0 0 1\r\n2\r\nincr a 1\r\n"
                    "ma a\r\nmg a h\r\nmg a h\r\n",
                 "STORED\r\nNOT_STORED\r\n2\r\nHD\r\nHD h0\r\nHD h1\r\n");
    close_harness(h);
}

/* [mem.no-evict]: under -M, meta writes that find no room say so. */
static void
test_no_memory_under_no_evict(void **state)
{
    (void)state;
    struct engine_config cfg = config();
    cfg.store.mem_limit = 8192;
    cfg.store.value_len_max = 1024;
    cfg.store.evict = false;
    struct harness *h = open_with(&cfg);
    expect_reply(h, "ms k 1\r\nz\r\nms n 1\r\n9\r\nms o 1\r\n1\r\n",
                 "HD\r\nHD\r\nHD\r\n");
    /* Fill the log with items of shrinking size until not even an empty
     * value fits. */
    char line[64];
    unsigned id = 0;
    for (int size = 512; size >= 0; size = size > 0 ? size / 2 : -1) {
        for (;;) {
            int n = snprintf(line, sizeof line, "ms f%u %d q\r\n", id++, size);
            h->out_len = 0;
            feed_at(h, line, (size_t)n, NOW);
            char value[520];
            memset(value, 'v', (size_t)size);
            memcpy(value + size, "\r\n", 2);
            feed_at(h, value, (size_t)size + 2, NOW);
            if (h->out_len > 0) {
                assert_memory_equal(h->out, "SERVER_ERROR out of memory",
                                    26);
                break;
            }
        }
    }
    expect_reply(h, "mg k T100 v\r\n", "SERVER_ERROR out of memory\r\n");
    expect_reply(h, "md k x\r\n", "SERVER_ERROR out of memory\r\n");
    expect_reply(h, "md k I T100\r\n", "SERVER_ERROR out of memory\r\n");
    /* A growing incr, and an in-place one whose T needs a deadline field:
     * neither happens. */
    expect_reply(h, "ma n T100\r\n", "SERVER_ERROR out of memory\r\n");
    expect_reply(h, "ma o T100\r\n", "SERVER_ERROR out of memory\r\n");
    expect_reply(h, "mg k v c\r\nmg n v t\r\nmg o v t\r\n",
                 "VA 1 c1\r\nz\r\nVA 1 t-1\r\n9\r\nVA 1 t-1\r\n1\r\n");
    close_harness(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("meta.mg-hit", test_mg_hit_flags_in_order),
        CLAUSE_TEST("meta.mg-miss", test_mg_miss_and_quiet),
        CLAUSE_TEST("meta.mg-touch", test_mg_touch_and_ttl_order),
        CLAUSE_TEST("meta.vivify", test_mg_vivify_win_then_token),
        CLAUSE_TEST("meta.recache", test_mg_recache),
        CLAUSE_TEST("meta.stale", test_stale_while_revalidate),
        CLAUSE_TEST("meta.mg-cas-check", test_mg_cas_check_and_no_bump),
        CLAUSE_TEST("meta.mg-access", test_mg_last_access),
        CLAUSE_TEST("meta.ms-modes", test_ms_modes_and_results),
        CLAUSE_TEST("meta.ms-cas", test_ms_cas_and_flags),
        CLAUSE_TEST("meta.ms-too-large", test_ms_errors),
        CLAUSE_TEST("meta.md", test_md),
        CLAUSE_TEST("meta.ma", test_ma),
        CLAUSE_TEST("meta.me", test_mn_me),
        CLAUSE_TEST("meta.base64-mark", test_base64_keys),
        CLAUSE_TEST("meta.interleave", test_text_and_meta_interleave),
        CLAUSE_TEST("meta.stats", test_meta_stats),
        CLAUSE_TEST("meta.cas-disabled", test_cas_disabled),
        CLAUSE_TEST("mem.bounded", test_referenced_value_survives_meta_writes),
        CLAUSE_TEST("misc.verbosity", test_trace),
        CLAUSE_TEST("meta.interleave", test_matches_memcached_details),
        CLAUSE_TEST("mem.no-evict", test_no_memory_under_no_evict),
    };
    return cmocka_run_group_tests_name("engine_meta", tests, NULL, NULL);
}
