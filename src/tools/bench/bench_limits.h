/*
 * bench_limits.h - every bound of mcref-bench, named once.
 *
 * Options are checked against these at parse time; buffers and loops are
 * sized from them, so nothing in the tool grows without a stated limit.
 */
#ifndef BENCH_LIMITS_H
#define BENCH_LIMITS_H

/* Options. */
#define BENCH_CONNS_MAX 50000        /* below the ephemeral port range */
#define BENCH_PIPELINE_MAX 1024      /* requests in flight per connection */
#define BENCH_MGET_KEYS_MAX 100      /* keys in one multi-get */
#define BENCH_KEY_LEN_MAX 250        /* memcached's key length limit */
#define BENCH_VALUE_LEN_MAX (1024u * 1024u) /* memcached's default -I */
#define BENCH_KEYS_MAX 100000000ull  /* key space; zipf setup is O(keys) */
#define BENCH_RATE_MAX 1000000ull    /* requests/s per connection */
#define BENCH_DURATION_MAX_S 86400ull
#define BENCH_REQUESTS_MAX 1000000000000ull
#define BENCH_RATIO_PART_MAX 1000000u
#define BENCH_RSS_EVERY_MIN_MS 1ull  /* --rss-every: one /proc read each */
#define BENCH_RSS_EVERY_MAX_MS 3600000ull
#define BENCH_RSS_AFTER_MAX_MS 3600000ull

/* RSS time series: at most this many samples are kept; when full, every
   other one is dropped and the interval doubles, so a long run keeps its
   whole curve at a coarser step. */
#define BENCH_RSS_SAMPLES_MAX 1024u

/* Keys are BENCH_KEY_PREFIX followed by a zero-padded decimal id. */
#define BENCH_KEY_PREFIX "key:"
#define BENCH_KEY_PREFIX_LEN 4u
#define BENCH_KEY_DIGITS_MAX 20u     /* decimal digits of UINT64_MAX */

/* Replies. */
#define BENCH_REPLY_LINE_MAX 2048u   /* any single reply line, CRLF included */
#define BENCH_STATS_REPLY_MAX (64u * 1024u) /* a whole `stats` reply */

/* Buffers. */
#define BENCH_READ_LEN (16u * 1024u) /* free space kept for one read */
#define BENCH_WBUF_LEN_MAX (256u * 1024u) /* requests batched before write */
#define BENCH_REQ_TAIL_LEN 64u       /* " 0 0 <len>\r\n" and friends */

/* Event loop and timing. */
#define BENCH_EPOLL_EVENTS_MAX 512
#define BENCH_CONNECT_TIMEOUT_S 5      /* one blocking connect */
#define BENCH_OPEN_TIMEOUT_S 60ull     /* connect + version, all conns */
#define BENCH_REPLY_TIMEOUT_MS 10000ull /* no reply at all for this long
                                          while some are due: give up */
#define BENCH_IDLE_SETTLE_MS 300ull    /* let the server settle before RSS */
#define BENCH_FD_SPARE 32ull           /* fds beyond the conns: epoll, /proc */

/* Fill mode. */
#define BENCH_FILL_CHECK_EVERY 1000ull /* sets between two `stats` */
#define BENCH_FILL_DURATION_S 300ull   /* default bound when no -d is given */

/* Latency histogram: values in ns, 2^SUB_BITS buckets per power of two. */
#define BENCH_HIST_SUB_BITS 7u       /* relative bucket width <= 1/128 */
#define BENCH_HIST_VALUE_BITS 40u    /* values >= 2^40 ns (~18 min) clamp */
#define BENCH_HIST_PRINT_PER_OCTAVE 4u /* printed buckets per power of two */

/* /proc files read whole into a stack buffer. */
#define BENCH_PROC_READ_MAX 8192u

_Static_assert(BENCH_KEY_PREFIX_LEN + 1 <= BENCH_KEY_LEN_MAX,
               "a key holds the prefix and at least one digit");
_Static_assert(BENCH_HIST_SUB_BITS < BENCH_HIST_VALUE_BITS,
               "histogram needs log buckets above the linear range");
_Static_assert(BENCH_STATS_REPLY_MAX >= BENCH_REPLY_LINE_MAX,
               "a stats reply holds at least one line");

#endif
