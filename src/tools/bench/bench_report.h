/*
 * bench_report.h - prints a run's result, as text or as one JSON line.
 *
 * Takes finished figures and only formats them; it computes rates and
 * percentiles from the counts but decides nothing about the run.
 */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bench_hist.h"
#include "bench_opts.h"
#include "bench_rss.h"
#include "bench_work.h"

struct bench_load_result {
    uint64_t seed;
    uint64_t elapsed_ns;
    const struct bench_counts *counts;
    const struct bench_hist *hist;   /* latency in ns */
    uint64_t warmup_errors;
    uint64_t conns_lost;
    bool have_cpu;
    uint64_t cpu_user_us;            /* server utime over the run */
    uint64_t cpu_sys_us;             /* server stime over the run */
    const struct bench_rss_series *rss; /* --rss-every; NULL = none */
};

struct bench_fill_result {
    uint64_t seed;
    uint64_t elapsed_ns;
    const struct bench_counts *counts;
    const struct bench_fill *fill;
    uint64_t conns_lost;
};

struct bench_idle_result {
    uint64_t conns;
    uint64_t open_ns;                /* time to open them all */
    bool have_rss;
    uint64_t rss_before, rss_after;  /* bytes */
};

/* Errors of every kind in a load result. */
uint64_t bench_report_load_errors(const struct bench_load_result *r);
uint64_t bench_report_fill_errors(const struct bench_fill_result *r);

void bench_report_load(FILE *out, const struct bench_opts *o,
                       const struct bench_load_result *r);
void bench_report_fill(FILE *out, const struct bench_opts *o,
                       const struct bench_fill_result *r);
void bench_report_idle(FILE *out, const struct bench_opts *o,
                       const struct bench_idle_result *r);

#endif
