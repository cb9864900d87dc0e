/*
 * bench_rss.h - a server's RSS over time: a bounded series of samples.
 *
 * Pure: the caller reads /proc (bench_sys_rss_bytes) and the clock, and
 * offers each reading with its time; the series decides whether it is due
 * and keeps it. At most BENCH_RSS_SAMPLES_MAX samples: when full, every
 * other one is dropped and the interval doubles, so the series always
 * spans the whole run at an even step. Peak and last are exact over every
 * reading offered, kept or not.
 */
#ifndef BENCH_RSS_H
#define BENCH_RSS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench_limits.h"

struct bench_rss_sample {
    uint64_t t_ns;       /* since the series' start */
    uint64_t rss_bytes;
};

struct bench_rss_series {
    uint64_t start_ns;
    uint64_t interval_ns;    /* current step; doubles on each decimation */
    uint64_t next_due_ns;    /* absolute time the next sample is due */
    size_t count;
    struct bench_rss_sample samples[BENCH_RSS_SAMPLES_MAX];
    uint64_t readings;       /* readings offered (kept or not) */
    uint64_t peak_bytes;     /* largest reading */
    uint64_t peak_t_ns;      /* when it was taken, since start */
    uint64_t last_bytes;     /* the latest reading */
    uint64_t failed;         /* readings that could not be taken */
};

/* Starts an empty series at start_ns, one sample every interval_ns > 0. */
void bench_rss_init(struct bench_rss_series *s, uint64_t start_ns,
                    uint64_t interval_ns);

/* Whether a sample is due at now_ns. */
bool bench_rss_due(const struct bench_rss_series *s, uint64_t now_ns);

/* Absolute time the next sample is due. */
uint64_t bench_rss_next_due(const struct bench_rss_series *s);

/*
 * Keeps a reading taken at now_ns (>= the previous one's) and, if it was
 * due, schedules the next. Offer readings when due, plus at most a final
 * one off schedule (kept too, so the series ends where the run did).
 */
void bench_rss_add(struct bench_rss_series *s, uint64_t now_ns,
                   uint64_t rss_bytes);

/* A reading that failed (the process is gone): counted, then skipped. */
void bench_rss_add_failure(struct bench_rss_series *s, uint64_t now_ns);

#endif
