/*
 * bench_reply.h - pure parser for the memcached replies mcref-bench
 * expects: text get (VALUE blocks then END), set (STORED), version and
 * stats; meta mg (VA / EN), ms (HD) and mn (MN), loud or quiet.
 *
 * Quiet meta requests (`q`) answer only when they have something to say
 * (a hit, a failure, an error), so a quiet request's reply may be nothing:
 * the parser then decides from the next reply in the stream whether it
 * belongs to this request (a VA with this request's key, from the `k`
 * flag; an NS for a set; an error line) or to a later one, in which case
 * this request consumed nothing. Every quiet batch ends with `mn`, whose MN
 * is the last reply of the batch, so that decision always comes.
 *
 * The parser borrows (data, len), reads only inside it, never allocates and
 * keeps no state between calls: an incomplete reply consumes nothing and is
 * parsed again from its start once more bytes have arrived. That re-scan is
 * cheap because value data is skipped by its byte count, and it is bounded
 * by BENCH_REPLY_LINE_MAX per line and the caller's value_len_max per block.
 */
#ifndef BENCH_REPLY_H
#define BENCH_REPLY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bench_reply_kind {
    BENCH_REPLY_GET,     /* VALUE <key> <flags> <bytes>\r\n<data>\r\n ... END */
    BENCH_REPLY_STORE,   /* STORED */
    BENCH_REPLY_VERSION, /* VERSION <text> */
    BENCH_REPLY_STATS,   /* STAT <name> <value>\r\n ... END */
    BENCH_REPLY_META_GET, /* VA <bytes> <flags>*\r\n<data>\r\n (hit), EN */
    BENCH_REPLY_META_SET, /* HD */
    BENCH_REPLY_META_NOOP, /* MN */
    BENCH_REPLY_BIN_GET,   /* a binary GET response: status 0 (hit) or 1 */
    BENCH_REPLY_BIN_SET,   /* a binary SET response: status 0 */
    BENCH_REPLY_BIN_NOOP,  /* a binary NOOP response */
};

enum bench_reply_status {
    BENCH_REPLY_OK = 0,       /* the expected reply, complete */
    BENCH_REPLY_AGAIN,        /* incomplete so far; nothing consumed */
    BENCH_REPLY_SERVER_ERROR, /* ERROR, CLIENT_ERROR .. or SERVER_ERROR ..
                                 line in place of the reply; consumed */
    BENCH_REPLY_UNEXPECTED,   /* a well-formed reply of the right kind but
                                 not the wanted one (NOT_STORED, EXISTS,
                                 NOT_FOUND for a set; NS, EX, NF for ms);
                                 consumed */
    BENCH_REPLY_BROKEN,       /* anything else: the reply stream no longer
                                 matches the requests; the connection can't
                                 go on. *consumed is 0. */
};

/* What the head request of a connection must be answered with. */
struct bench_reply_expect {
    enum bench_reply_kind kind;
    /*
     * For gets: the requested keys, key_count keys of key_len bytes each,
     * back to back. VALUE keys must appear in this order (misses skipped).
     * keys == NULL skips the check (any key_count VALUE blocks pass).
     */
    const uint8_t *keys;
    size_t key_len;
    size_t key_count;
    size_t value_len_max;  /* a longer VALUE block is BROKEN */
    /* Meta get and set only. */
    bool quiet;            /* sent with q: may have no reply of its own;
                              a quiet mg is sent with k, and a VA is its
                              own only with k<its key> */
    bool noop_after;       /* `mn` was sent right after: its MN follows
                              this request's own reply */
};

/* What a parsed reply held; offsets are relative to the parsed data. */
struct bench_reply {
    size_t hit_count;      /* VALUE blocks in a get reply; 1 for a VA */
    size_t body_off;       /* stats: the STAT lines, END excluded */
    size_t body_len;
};

/*
 * Parses one reply from the start of data. On OK, SERVER_ERROR and
 * UNEXPECTED sets *consumed to the reply's length and fills *out; on AGAIN
 * and BROKEN sets *consumed to 0. Lines must end in CRLF; a line longer
 * than BENCH_REPLY_LINE_MAX (or a stats reply longer than
 * BENCH_STATS_REPLY_MAX) is BROKEN rather than AGAIN, so a server that
 * never ends its line cannot make the caller wait forever.
 */
enum bench_reply_status bench_reply_parse(const struct bench_reply_expect *exp,
                                          const uint8_t *data, size_t len,
                                          struct bench_reply *out,
                                          size_t *consumed);

/*
 * Looks up `STAT <name> <value>` in a stats body (as returned in
 * body_off/body_len) and parses value as an unsigned decimal. Returns false
 * when the name is absent or its value is not a number that fits.
 */
bool bench_reply_stat_u64(const uint8_t *body, size_t body_len,
                          const char *name, uint64_t *value);

/* A stable name for a status, for messages. */
const char *bench_reply_status_name(enum bench_reply_status status);

#endif
