/*
 * bench_opts.h - mcref-bench's command line: parsing, checking, help text.
 *
 * bench_opts_parse() fills a caller-owned struct from argv (getopt_long)
 * and checks every value against bench_limits.h; it prints nothing and
 * never exits. String fields point into argv and live as long as it does.
 */
#ifndef BENCH_OPTS_H
#define BENCH_OPTS_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bench_keys.h"

#define BENCH_ERR_LEN 256

enum bench_mode {
    BENCH_MODE_LOAD = 0, /* the measured workload */
    BENCH_MODE_FILL,     /* --fill: items held before the first eviction */
    BENCH_MODE_IDLE,     /* --idle-conns: server RSS per idle connection */
};

/* The protocol the load speaks; handshakes and `stats` stay text. */
enum bench_protocol {
    BENCH_PROTO_TEXT = 0, /* get / set */
    BENCH_PROTO_META,     /* mg / ms; -P > 1: quiet mg .. q, then mn */
    BENCH_PROTO_BINARY,   /* binary GET / SET packets; the connection is
                             binary from its first byte (handshake: NOOP,
                             warm-up sets too) */
};

struct bench_opts {
    enum bench_mode mode;
    const char *server;      /* HOST:PORT, [V6]:PORT or a unix socket path */
    uint64_t conns;          /* -c */
    uint64_t active;         /* --active; == conns unless given */
    uint64_t pipeline;       /* -P */
    uint64_t get_part;       /* --ratio G:S */
    uint64_t set_part;
    uint64_t keys;           /* --keys */
    enum bench_dist dist;    /* --key-dist */
    double theta;
    uint64_t key_len;        /* --key-len */
    uint64_t value_len;      /* --value-size */
    uint64_t mget;           /* --mget */
    uint64_t duration_s;     /* -d; 0 when only -n bounds the run */
    uint64_t requests;       /* -n; 0 = unbounded */
    uint64_t rate;           /* --rate per connection; 0 = closed loop */
    bool warmup;             /* --warmup */
    uint64_t seed;           /* --seed */
    bool seed_given;
    long server_pid;         /* --server-pid; 0 = none */
    bool json;               /* --json */
    uint64_t idle_conns;     /* --idle-conns */
    enum bench_protocol protocol; /* --protocol */
    bool cache_aside;        /* --cache-aside: get; on a miss, set it */
    uint64_t rss_every_ms;   /* --rss-every; 0 = no RSS time series */
    uint64_t rss_after_ms;   /* --rss-after: keep sampling after the load */
};

enum bench_opts_status {
    BENCH_OPTS_OK = 0,
    BENCH_OPTS_HELP,   /* -h: the caller prints bench_opts_usage() */
    BENCH_OPTS_ERROR,  /* err holds the reason */
};

enum bench_opts_status bench_opts_parse(struct bench_opts *o, int argc,
                                        char **argv, char err[BENCH_ERR_LEN]);

void bench_opts_usage(FILE *out, const char *prog);

#endif
