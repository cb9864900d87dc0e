/*
 * bench_report.c - formats results as text or one JSON line; see
 * bench_report.h.
 */
#include "bench_report.h"

#include <assert.h>
#include <string.h>

#define NS_PER_S 1e9
#define NS_PER_US 1e3

/* Writes s as a JSON string (quotes included). */
static void
put_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            fprintf(out, "\\%c", *p);
        } else if (*p < 0x20) {
            fprintf(out, "\\u%04x", *p);
        } else {
            fputc(*p, out);
        }
    }
    fputc('"', out);
}

static const char *
dist_name(const struct bench_opts *o)
{
    return o->dist == BENCH_DIST_ZIPF ? "zipf" : "uniform";
}

static const char *
protocol_name(const struct bench_opts *o)
{
    return o->protocol == BENCH_PROTO_META     ? "meta"
           : o->protocol == BENCH_PROTO_BINARY ? "binary"
                                               : "text";
}

static double
per_s(uint64_t count, uint64_t elapsed_ns)
{
    return elapsed_ns ? (double)count * NS_PER_S / (double)elapsed_ns : 0.0;
}

static double
us(uint64_t ns)
{
    return (double)ns / NS_PER_US;
}

uint64_t
bench_report_load_errors(const struct bench_load_result *r)
{
    const struct bench_counts *c = r->counts;
    return c->server_errors + c->unexpected + c->broken + c->lost
           + r->warmup_errors + r->conns_lost;
}

uint64_t
bench_report_fill_errors(const struct bench_fill_result *r)
{
    const struct bench_counts *c = r->counts;
    return c->server_errors + c->unexpected + c->broken + c->lost
           + r->conns_lost;
}

/* One part of a run's error count, named for each output format. */
struct error_part {
    const char *json_name;
    const char *text_name;
    uint64_t count;
};

#define LOAD_ERROR_PARTS 6

static void
load_error_parts(const struct bench_load_result *r,
                 struct error_part parts[LOAD_ERROR_PARTS])
{
    const struct bench_counts *c = r->counts;
    const struct error_part all[LOAD_ERROR_PARTS] = {
        {"server_errors", "server", c->server_errors},
        {"unexpected", "unexpected", c->unexpected},
        {"broken", "broken", c->broken},
        {"lost", "lost", c->lost},
        {"conns_lost", "conns lost", r->conns_lost},
        {"warmup_errors", "warmup", r->warmup_errors},
    };
    memcpy(parts, all, sizeof all);
}

/* The server's CPU time over a run, per operation. */
struct cpu_per_op {
    uint64_t total_us;
    double total, user, sys;
};

static struct cpu_per_op
cpu_per_op(const struct bench_load_result *r, uint64_t ops)
{
    assert(ops > 0);
    struct cpu_per_op cpu = {.total_us = r->cpu_user_us + r->cpu_sys_us};
    cpu.total = (double)cpu.total_us / (double)ops;
    cpu.user = (double)r->cpu_user_us / (double)ops;
    cpu.sys = (double)r->cpu_sys_us / (double)ops;
    return cpu;
}

/* "latency_hist":[[low_us, high_us, count], ...]: the printed buckets. */
static void
hist_json(FILE *out, const struct bench_hist *h)
{
    struct bench_hist_range ranges[BENCH_HIST_COARSE_MAX];
    size_t n = bench_hist_coarse(h, ranges);
    fputs(",\"latency_hist\":[", out);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%s[%.3f,%.3f,%llu]", i > 0 ? "," : "",
                us(ranges[i].low), us(ranges[i].high),
                (unsigned long long)ranges[i].count);
    }
    fputc(']', out);
}

/* "rss":{"every_ms":..,"peak_bytes":..,"final_bytes":..,"samples":[[ms,
   bytes], ...]}, or "rss":null without --rss-every. */
static void
rss_json(FILE *out, const struct bench_rss_series *s)
{
    if (s == NULL) {
        fputs(",\"rss\":null", out);
        return;
    }
    if (s->readings == 0) {
        fprintf(out, ",\"rss\":{\"failed\":%llu,\"samples\":[]}",
                (unsigned long long)s->failed);
        return;
    }
    fprintf(out,
            ",\"rss_peak_bytes\":%llu,\"rss_final_bytes\":%llu"
            ",\"rss\":{\"every_ms\":%.1f,\"peak_bytes\":%llu,\"peak_ms\":%.1f"
            ",\"final_bytes\":%llu,\"readings\":%llu,\"failed\":%llu"
            ",\"samples\":[",
            (unsigned long long)s->peak_bytes,
            (unsigned long long)s->last_bytes,
            (double)s->interval_ns / 1e6, (unsigned long long)s->peak_bytes,
            (double)s->peak_t_ns / 1e6, (unsigned long long)s->last_bytes,
            (unsigned long long)s->readings, (unsigned long long)s->failed);
    for (size_t i = 0; i < s->count; i++) {
        fprintf(out, "%s[%.1f,%llu]", i > 0 ? "," : "",
                (double)s->samples[i].t_ns / 1e6,
                (unsigned long long)s->samples[i].rss_bytes);
    }
    fputs("]}", out);
}

/* The latency distribution: one line per printed bucket, with its count,
   share and cumulative share, so a tail can be seen, not only p99. */
static void
hist_text(FILE *out, const struct bench_hist *h)
{
    struct bench_hist_range ranges[BENCH_HIST_COARSE_MAX];
    size_t n = bench_hist_coarse(h, ranges);
    if (n == 0) {
        return;
    }
    fputs("latency histogram (us, both bounds inclusive):\n", out);
    uint64_t cum = 0;
    for (size_t i = 0; i < n; i++) {
        cum += ranges[i].count;
        fprintf(out, "  %10.3f .. %-10.3f %12llu  %6.2f%%  cum %7.3f%%\n",
                us(ranges[i].low), us(ranges[i].high),
                (unsigned long long)ranges[i].count,
                100.0 * (double)ranges[i].count / (double)h->total,
                100.0 * (double)cum / (double)h->total);
    }
}

static void
rss_text(FILE *out, const struct bench_rss_series *s)
{
    if (s == NULL) {
        return;
    }
    if (s->readings == 0) {
        fprintf(out, "server rss  no reading (%llu failed)\n",
                (unsigned long long)s->failed);
        return;
    }
    fprintf(out,
            "server rss  peak %.1f MiB at %.1f s, final %.1f MiB (%llu "
            "readings, every %.0f ms kept)\n",
            (double)s->peak_bytes / 1048576.0, (double)s->peak_t_ns / 1e9,
            (double)s->last_bytes / 1048576.0,
            (unsigned long long)s->readings, (double)s->interval_ns / 1e6);
    fputs("rss series (s, MiB):", out);
    for (size_t i = 0; i < s->count; i++) {
        fprintf(out, "%s%.2f %.1f", i % 8 == 0 ? "\n " : "  ",
                (double)s->samples[i].t_ns / 1e9,
                (double)s->samples[i].rss_bytes / 1048576.0);
    }
    fputc('\n', out);
}

static void
load_json(FILE *out, const struct bench_opts *o,
          const struct bench_load_result *r)
{
    const struct bench_counts *c = r->counts;
    uint64_t ops = c->gets + c->sets;
    fputs("{\"mode\":\"load\",\"server\":", out);
    put_json_string(out, o->server);
    fprintf(out,
            ",\"seed\":%llu,\"conns\":%llu,\"active\":%llu,\"pipeline\":%llu"
            ",\"ratio\":\"%llu:%llu\",\"keys\":%llu,\"key_dist\":\"%s\""
            ",\"theta\":%.3f,\"key_len\":%llu,\"value_size\":%llu"
            ",\"mget\":%llu,\"rate\":%llu,\"elapsed_s\":%.6f",
            (unsigned long long)r->seed, (unsigned long long)o->conns,
            (unsigned long long)o->active, (unsigned long long)o->pipeline,
            (unsigned long long)o->get_part, (unsigned long long)o->set_part,
            (unsigned long long)o->keys, dist_name(o), o->theta,
            (unsigned long long)o->key_len, (unsigned long long)o->value_len,
            (unsigned long long)o->mget, (unsigned long long)o->rate,
            (double)r->elapsed_ns / NS_PER_S);
    fprintf(out, ",\"protocol\":\"%s\",\"cache_aside\":%s", protocol_name(o),
            o->cache_aside ? "true" : "false");
    fprintf(out,
            ",\"ops\":%llu,\"ops_per_s\":%.1f,\"gets_per_s\":%.1f"
            ",\"sets_per_s\":%.1f,\"get_keys\":%llu,\"hits\":%llu",
            (unsigned long long)ops, per_s(ops, r->elapsed_ns),
            per_s(c->gets, r->elapsed_ns), per_s(c->sets, r->elapsed_ns),
            (unsigned long long)c->get_keys, (unsigned long long)c->hits);
    if (c->get_keys > 0) {
        fprintf(out, ",\"hit_ratio\":%.6f",
                (double)c->hits / (double)c->get_keys);
    } else {
        fputs(",\"hit_ratio\":null", out);
    }
    if (o->cache_aside) {
        fprintf(out, ",\"aside_sets\":%llu",
                (unsigned long long)c->aside_sets);
    }
    fprintf(out,
            ",\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f"
            ",\"max_us\":%.1f",
            us(bench_hist_quantile(r->hist, 0.5)),
            us(bench_hist_quantile(r->hist, 0.99)),
            us(bench_hist_quantile(r->hist, 0.999)), us(r->hist->max));
    struct error_part parts[LOAD_ERROR_PARTS];
    load_error_parts(r, parts);
    fprintf(out, ",\"errors\":%llu",
            (unsigned long long)bench_report_load_errors(r));
    for (size_t i = 0; i < LOAD_ERROR_PARTS; i++) {
        fprintf(out, ",\"%s\":%llu", parts[i].json_name,
                (unsigned long long)parts[i].count);
    }
    if (r->have_cpu && ops > 0) {
        struct cpu_per_op cpu = cpu_per_op(r, ops);
        fprintf(out,
                ",\"server_cpu_us\":%llu,\"server_cpu_us_per_op\":%.3f"
                ",\"server_user_us_per_op\":%.3f"
                ",\"server_sys_us_per_op\":%.3f",
                (unsigned long long)cpu.total_us, cpu.total, cpu.user,
                cpu.sys);
    } else {
        fputs(",\"server_cpu_us\":null,\"server_cpu_us_per_op\":null"
              ",\"server_user_us_per_op\":null"
              ",\"server_sys_us_per_op\":null", out);
    }
    hist_json(out, r->hist);
    rss_json(out, r->rss);
    fputs("}\n", out);
}

static void
load_text(FILE *out, const struct bench_opts *o,
          const struct bench_load_result *r)
{
    const struct bench_counts *c = r->counts;
    uint64_t ops = c->gets + c->sets;
    fprintf(out, "mcref-bench: server %s, seed %llu\n", o->server,
            (unsigned long long)r->seed);
    fprintf(out,
            "workload    %s%s, conns %llu (active %llu), pipeline %llu, "
            "ratio %llu:%llu, keys %llu %s, key-len %llu, value-size %llu, "
            "mget %llu, rate %llu/s\n",
            protocol_name(o), o->cache_aside ? " cache-aside" : "",
            (unsigned long long)o->conns, (unsigned long long)o->active,
            (unsigned long long)o->pipeline, (unsigned long long)o->get_part,
            (unsigned long long)o->set_part, (unsigned long long)o->keys,
            dist_name(o), (unsigned long long)o->key_len,
            (unsigned long long)o->value_len, (unsigned long long)o->mget,
            (unsigned long long)o->rate);
    fprintf(out, "ops/s       %.1f over %.3f s (%llu ops; gets/s %.1f, "
                 "sets/s %.1f)\n",
            per_s(ops, r->elapsed_ns), (double)r->elapsed_ns / NS_PER_S,
            (unsigned long long)ops, per_s(c->gets, r->elapsed_ns),
            per_s(c->sets, r->elapsed_ns));
    if (c->get_keys > 0) {
        fprintf(out, "hit ratio   %.4f (%llu hits of %llu keys)\n",
                (double)c->hits / (double)c->get_keys,
                (unsigned long long)c->hits,
                (unsigned long long)c->get_keys);
    }
    if (o->cache_aside) {
        fprintf(out, "cache-aside %llu sets of missed keys\n",
                (unsigned long long)c->aside_sets);
    }
    fprintf(out, "latency us  p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f\n",
            us(bench_hist_quantile(r->hist, 0.5)),
            us(bench_hist_quantile(r->hist, 0.99)),
            us(bench_hist_quantile(r->hist, 0.999)), us(r->hist->max));
    hist_text(out, r->hist);
    struct error_part parts[LOAD_ERROR_PARTS];
    load_error_parts(r, parts);
    fprintf(out, "errors      %llu (",
            (unsigned long long)bench_report_load_errors(r));
    for (size_t i = 0; i < LOAD_ERROR_PARTS; i++) {
        fprintf(out, "%s%s %llu", i > 0 ? ", " : "", parts[i].text_name,
                (unsigned long long)parts[i].count);
    }
    fputs(")\n", out);
    if (r->have_cpu && ops > 0) {
        struct cpu_per_op cpu = cpu_per_op(r, ops);
        fprintf(out,
                "server cpu  %.3f us/op: user %.3f, kernel %.3f "
                "(%llu us, pid %ld)\n",
                cpu.total, cpu.user, cpu.sys,
                (unsigned long long)cpu.total_us, o->server_pid);
    }
    rss_text(out, r->rss);
}

void
bench_report_load(FILE *out, const struct bench_opts *o,
                  const struct bench_load_result *r)
{
    if (o->json) {
        load_json(out, o, r);
    } else {
        load_text(out, o, r);
    }
}

void
bench_report_fill(FILE *out, const struct bench_opts *o,
                  const struct bench_fill_result *r)
{
    const struct bench_fill *f = r->fill;
    double per_item = f->have_rss && f->items > 0
                          ? (double)f->rss_bytes / (double)f->items
                          : 0.0;
    if (o->json) {
        fputs("{\"mode\":\"fill\",\"server\":", out);
        put_json_string(out, o->server);
        fprintf(out,
                ",\"seed\":%llu,\"key_len\":%llu,\"value_size\":%llu"
                ",\"sets\":%llu,\"elapsed_s\":%.3f,\"evicted\":%s"
                ",\"items_before_eviction\":%llu",
                (unsigned long long)r->seed, (unsigned long long)o->key_len,
                (unsigned long long)o->value_len,
                (unsigned long long)r->counts->sets,
                (double)r->elapsed_ns / NS_PER_S,
                f->evicted ? "true" : "false", (unsigned long long)f->items);
        if (f->have_rss) {
            fprintf(out, ",\"rss_bytes\":%llu,\"bytes_per_item\":%.1f",
                    (unsigned long long)f->rss_bytes, per_item);
        } else {
            fputs(",\"rss_bytes\":null,\"bytes_per_item\":null", out);
        }
        fprintf(out, ",\"errors\":%llu}\n",
                (unsigned long long)bench_report_fill_errors(r));
        return;
    }
    fprintf(out, "mcref-bench fill: server %s, key-len %llu, value-size "
                 "%llu, %llu sets in %.3f s\n",
            o->server, (unsigned long long)o->key_len,
            (unsigned long long)o->value_len,
            (unsigned long long)r->counts->sets,
            (double)r->elapsed_ns / NS_PER_S);
    fprintf(out, "items before first eviction  %llu%s\n",
            (unsigned long long)f->items,
            f->evicted ? "" : " (no eviction seen: figure is a lower bound)");
    if (f->have_rss) {
        fprintf(out, "server rss then              %llu bytes (%.1f bytes/"
                     "item)\n",
                (unsigned long long)f->rss_bytes, per_item);
    }
    fprintf(out, "errors                       %llu\n",
            (unsigned long long)bench_report_fill_errors(r));
}

void
bench_report_idle(FILE *out, const struct bench_opts *o,
                  const struct bench_idle_result *r)
{
    double per_conn =
        r->have_rss && r->conns > 0
            ? ((double)r->rss_after - (double)r->rss_before) / (double)r->conns
            : 0.0;
    if (o->json) {
        fputs("{\"mode\":\"idle\",\"server\":", out);
        put_json_string(out, o->server);
        fprintf(out, ",\"idle_conns\":%llu,\"open_s\":%.3f",
                (unsigned long long)r->conns, (double)r->open_ns / NS_PER_S);
        if (r->have_rss) {
            fprintf(out,
                    ",\"rss_before\":%llu,\"rss_after\":%llu"
                    ",\"bytes_per_conn\":%.1f}\n",
                    (unsigned long long)r->rss_before,
                    (unsigned long long)r->rss_after, per_conn);
        } else {
            fputs(",\"rss_before\":null,\"rss_after\":null"
                  ",\"bytes_per_conn\":null}\n",
                  out);
        }
        return;
    }
    fprintf(out, "mcref-bench idle: server %s, %llu idle connections opened "
                 "in %.3f s\n",
            o->server, (unsigned long long)r->conns,
            (double)r->open_ns / NS_PER_S);
    if (r->have_rss) {
        fprintf(out, "server rss  %llu -> %llu bytes (%.1f bytes per idle "
                     "connection)\n",
                (unsigned long long)r->rss_before,
                (unsigned long long)r->rss_after, per_conn);
    }
}
