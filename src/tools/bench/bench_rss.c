/*
 * bench_rss.c - bounded RSS time series with decimation; see bench_rss.h.
 */
#include "bench_rss.h"

#include <assert.h>
#include <string.h>

void
bench_rss_init(struct bench_rss_series *s, uint64_t start_ns,
               uint64_t interval_ns)
{
    assert(interval_ns > 0);
    memset(s, 0, sizeof(*s));
    s->start_ns = start_ns;
    s->interval_ns = interval_ns;
    s->next_due_ns = start_ns;
}

bool
bench_rss_due(const struct bench_rss_series *s, uint64_t now_ns)
{
    return now_ns >= s->next_due_ns;
}

uint64_t
bench_rss_next_due(const struct bench_rss_series *s)
{
    return s->next_due_ns;
}

/* Keeps samples 0, 2, 4, ...: the step doubles, the span stays. */
static void
decimate(struct bench_rss_series *s)
{
    size_t kept = 0;
    for (size_t i = 0; i < s->count; i += 2) {
        s->samples[kept++] = s->samples[i];
    }
    s->count = kept;
    s->interval_ns *= 2;
}

/* The next due time: one step after the last kept sample's slot. */
static void
schedule(struct bench_rss_series *s, uint64_t now_ns)
{
    uint64_t due = s->next_due_ns;
    while (due <= now_ns) {
        due += s->interval_ns;
    }
    s->next_due_ns = due;
}

void
bench_rss_add(struct bench_rss_series *s, uint64_t now_ns, uint64_t rss_bytes)
{
    assert(now_ns >= s->start_ns);
    uint64_t t = now_ns - s->start_ns;
    s->readings++;
    s->last_bytes = rss_bytes;
    if (rss_bytes > s->peak_bytes || s->readings == 1) {
        s->peak_bytes = rss_bytes;
        s->peak_t_ns = t;
    }
    bool due = bench_rss_due(s, now_ns);
    if (s->count == BENCH_RSS_SAMPLES_MAX) {
        decimate(s);
    }
    /* An off-schedule reading (the final one) is kept too, so the series
       ends where the run did. */
    s->samples[s->count++] =
        (struct bench_rss_sample){.t_ns = t, .rss_bytes = rss_bytes};
    if (due) {
        schedule(s, now_ns);
    }
}

void
bench_rss_add_failure(struct bench_rss_series *s, uint64_t now_ns)
{
    s->failed++;
    if (bench_rss_due(s, now_ns)) {
        schedule(s, now_ns);
    }
}
