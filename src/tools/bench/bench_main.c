/*
 * bench_main.c - mcref-bench: options -> connections -> phases -> report.
 *
 * Decides the order of a run (open, warm up, measure; or fill; or idle)
 * and the exit status. Prints only here and in bench_report.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/tool_addr.h"
#include "bench_driver.h"
#include "bench_keys.h"
#include "bench_limits.h"
#include "bench_opts.h"
#include "bench_report.h"
#include "bench_req.h"
#include "bench_rss.h"
#include "bench_sys.h"
#include "bench_work.h"

#define NS_PER_S 1000000000ull
#define NS_PER_MS 1000000ull

enum bench_exit {
    BENCH_EXIT_OK = 0,
    BENCH_EXIT_SETUP = 1,   /* usage or setup failure */
    BENCH_EXIT_ERRORS = 2,  /* the run finished but counted errors */
};

static int
fail(const char *what, const char *why)
{
    fprintf(stderr, "mcref-bench: %s: %s\n", what, why);
    return BENCH_EXIT_SETUP;
}

static size_t
min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

static size_t
max_size(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* Buffer sizes for the options: one reply and a pipeline of requests. */
static void
driver_config(const struct bench_opts *o, const struct tool_addr *addr,
              uint64_t seed, struct bench_driver_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    size_t req_max = bench_work_req_len_max(o);
    cfg->addr = addr;
    cfg->seed = seed;
    cfg->rate = o->rate;
    cfg->req_len_max = req_max;
    cfg->meta = o->protocol == BENCH_PROTO_META && o->mode == BENCH_MODE_LOAD;
    cfg->meta_quiet = cfg->meta && bench_work_meta_quiet(o);
    cfg->binary = o->protocol == BENCH_PROTO_BINARY;
    cfg->conn_count = o->mode == BENCH_MODE_IDLE ? o->idle_conns : o->conns;
    cfg->active_count = o->mode == BENCH_MODE_IDLE ? 0 : o->active;
    cfg->active_sizes = (struct bench_conn_sizes){
        .wbuf_cap = max_size(req_max,
                             min_size(o->pipeline * req_max,
                                      BENCH_WBUF_LEN_MAX)),
        .rbuf_cap = bench_work_reply_len_typical(o) + BENCH_READ_LEN,
        .rbuf_cap_max = bench_work_reply_len_max(o) + BENCH_READ_LEN,
        .slot_cap = o->pipeline,
        .slot_key_len = o->mget * o->key_len,
    };
    cfg->idle_sizes = (struct bench_conn_sizes){
        .wbuf_cap = sizeof(BENCH_REQ_VERSION),
        .rbuf_cap = BENCH_REPLY_LINE_MAX,
        .rbuf_cap_max = BENCH_REPLY_LINE_MAX,
        .slot_cap = 1,
        .slot_key_len = 0,
    };
}

/* The value every set stores: printable, so a dump stays readable. */
static uint8_t *
make_value(size_t len)
{
    uint8_t *v = malloc(len + 1);
    if (v != NULL) {
        for (size_t i = 0; i < len; i++) {
            v[i] = (uint8_t)('a' + i % 26);
        }
    }
    return v;
}

static int
run_idle(const struct bench_opts *o, struct bench_driver *d,
         const struct bench_driver_config *cfg)
{
    struct bench_idle_result r = {.conns = o->idle_conns};
    r.have_rss = bench_sys_rss_bytes(o->server_pid, &r.rss_before);
    uint64_t start = bench_sys_now_ns();
    if (!bench_driver_open(d, cfg)) {
        return fail("opening idle connections", d->err);
    }
    r.open_ns = bench_sys_now_ns() - start;
    /* Give a multi-threaded server time to finish with the handshakes
       before reading its RSS. */
    bench_sys_sleep_ms(BENCH_IDLE_SETTLE_MS);
    r.have_rss = r.have_rss && bench_sys_rss_bytes(o->server_pid,
                                                   &r.rss_after);
    if (!r.have_rss) {
        return fail("reading server RSS", "no /proc/PID/status VmRSS");
    }
    bench_report_idle(stdout, o, &r);
    return BENCH_EXIT_OK;
}

static int
run_fill(const struct bench_opts *o, struct bench_driver *d,
         const struct bench_keyspace *ks, const uint8_t *value,
         uint64_t seed, struct bench_hist *hist)
{
    struct bench_work w;
    bench_work_init(&w, BENCH_PHASE_FILL, o, ks, value, hist);
    struct bench_fill_result r = {.seed = seed};
    bool ok = bench_driver_run(d, &w, o->duration_s * NS_PER_S,
                               &r.elapsed_ns);
    r.counts = &w.counts;
    r.fill = &w.fill;
    r.conns_lost = d->conns_lost;
    bench_report_fill(stdout, o, &r);
    if (!ok) {
        return fail("fill", d->err);
    }
    if (w.fill.stats_bad) {
        fprintf(stderr, "mcref-bench: stats lacks curr_items or evictions\n");
    }
    bool good = w.fill.evicted && w.fill.have_items
                && bench_report_fill_errors(&r) == 0;
    return good ? BENCH_EXIT_OK : BENCH_EXIT_ERRORS;
}

/*
 * After the load: keeps sampling RSS for --rss-after ms with no traffic,
 * then takes one last reading, so the series ends at the final RSS.
 */
static void
sample_rss_after(const struct bench_opts *o, struct bench_driver *d,
                 struct bench_rss_series *rss)
{
    uint64_t end = bench_sys_now_ns() + o->rss_after_ms * NS_PER_MS;
    for (;;) {
        uint64_t now = bench_sys_now_ns();
        if (now >= end) {
            break;
        }
        uint64_t due = bench_rss_next_due(rss);
        uint64_t wake = due < end ? due : end;
        if (wake > now) {
            bench_sys_sleep_ms((wake - now + NS_PER_MS - 1) / NS_PER_MS);
        }
        bench_driver_rss_tick(d, bench_sys_now_ns());
    }
    bench_driver_sample_rss(d, NULL, 0);
    uint64_t bytes;
    uint64_t now = bench_sys_now_ns();
    if (bench_sys_rss_bytes(o->server_pid, &bytes)) {
        bench_rss_add(rss, now, bytes);
    } else {
        bench_rss_add_failure(rss, now);
    }
}

static int
run_load(const struct bench_opts *o, struct bench_driver *d,
         const struct bench_keyspace *ks, const uint8_t *value,
         uint64_t seed, struct bench_hist *hist, uint64_t *pending,
         size_t pending_cap, struct bench_rss_series *rss)
{
    struct bench_load_result r = {.seed = seed};
    struct bench_work w;
    uint64_t elapsed;
    if (o->warmup) {
        bench_work_init(&w, BENCH_PHASE_WARMUP, o, ks, value, hist);
        if (!bench_driver_run(d, &w, 0, &elapsed)) {
            return fail("warm-up", d->err);
        }
        r.warmup_errors = bench_work_errors(&w);
    }
    bench_work_init(&w, BENCH_PHASE_LOAD, o, ks, value, hist);
    if (o->cache_aside) {
        bench_work_set_pending(&w, pending, pending_cap);
    }
    if (rss != NULL) {
        bench_rss_init(rss, bench_sys_now_ns(), o->rss_every_ms * NS_PER_MS);
        bench_driver_sample_rss(d, rss, o->server_pid);
        bench_driver_rss_tick(d, bench_sys_now_ns());
    }
    struct bench_cpu cpu_before = {0}, cpu_after = {0};
    r.have_cpu = o->server_pid > 0
                 && bench_sys_cpu(o->server_pid, &cpu_before);
    bool ok = bench_driver_run(d, &w, o->duration_s * NS_PER_S,
                               &r.elapsed_ns);
    r.have_cpu = r.have_cpu && bench_sys_cpu(o->server_pid, &cpu_after)
                 && cpu_after.user_us >= cpu_before.user_us
                 && cpu_after.sys_us >= cpu_before.sys_us;
    r.cpu_user_us = cpu_after.user_us - cpu_before.user_us;
    r.cpu_sys_us = cpu_after.sys_us - cpu_before.sys_us;
    r.counts = &w.counts;
    r.hist = hist;
    r.conns_lost = d->conns_lost;
    if (rss != NULL) {
        sample_rss_after(o, d, rss);
        r.rss = rss;
    }
    bench_report_load(stdout, o, &r);
    if (!ok) {
        return fail("run", d->err);
    }
    if (bench_report_load_errors(&r) > 0) {
        fprintf(stderr, "mcref-bench: errors counted; first: %s\n",
                d->err[0] ? d->err : "an error reply");
        return BENCH_EXIT_ERRORS;
    }
    return BENCH_EXIT_OK;
}

/* Fill and load: the key space, the value, the phases. */
static int
run_keyed(const struct bench_opts *o, struct bench_driver *d,
          const struct bench_driver_config *cfg, uint64_t seed)
{
    struct bench_keyspace ks;
    /* The fill writes new ids past --keys; its key space only sets the
       key width. */
    uint64_t key_count = o->mode == BENCH_MODE_FILL ? 1 : o->keys;
    enum bench_keys_status ks_st =
        bench_keyspace_init(&ks, key_count, o->key_len, o->dist, o->theta);
    if (ks_st != BENCH_KEYS_OK) {
        return fail("keys", bench_keys_status_text(ks_st));
    }
    uint8_t *value = make_value(o->value_len);
    struct bench_hist *hist = malloc(sizeof(*hist));
    /* Cache-aside: one missed id per request that can be in flight. */
    size_t pending_cap = o->cache_aside ? o->active * o->pipeline : 0;
    uint64_t *pending = pending_cap ? calloc(pending_cap, sizeof(uint64_t))
                                    : NULL;
    struct bench_rss_series *rss =
        o->rss_every_ms ? malloc(sizeof(*rss)) : NULL;
    int rc;
    if (value == NULL || hist == NULL || (pending_cap && pending == NULL)
        || (o->rss_every_ms && rss == NULL)) {
        rc = fail("setup", "out of memory");
    } else if (!bench_driver_open(d, cfg)) {
        rc = fail("connecting", d->err);
    } else if (o->mode == BENCH_MODE_FILL) {
        rc = run_fill(o, d, &ks, value, seed, hist);
    } else {
        rc = run_load(o, d, &ks, value, seed, hist, pending, pending_cap,
                      rss);
    }
    free(rss);
    free(pending);
    free(hist);
    free(value);
    return rc;
}

int
main(int argc, char **argv)
{
    struct bench_opts o;
    char err[BENCH_ERR_LEN];
    switch (bench_opts_parse(&o, argc, argv, err)) {
    case BENCH_OPTS_HELP:
        bench_opts_usage(stdout, argv[0]);
        return BENCH_EXIT_OK;
    case BENCH_OPTS_ERROR:
        return fail("options", err);
    case BENCH_OPTS_OK:
        break;
    }
    /* A server closing a socket must show up as an error from send, not
       kill the benchmark. */
    signal(SIGPIPE, SIG_IGN);
    uint64_t seed = o.seed_given ? o.seed : bench_sys_entropy();
    struct tool_addr addr;
    if (!tool_addr_parse(&addr, o.server, err, BENCH_ERR_LEN)) {
        return fail("server", err);
    }
    struct bench_driver_config cfg;
    driver_config(&o, &addr, seed, &cfg);
    if (!bench_sys_raise_nofile(cfg.conn_count + BENCH_FD_SPARE)) {
        return fail("RLIMIT_NOFILE", "cannot raise it to fit the "
                                     "connections");
    }
    if (!o.json && o.mode != BENCH_MODE_IDLE) {
        fprintf(stderr, "mcref-bench: seed %llu\n", (unsigned long long)seed);
    }
    struct bench_driver d;
    memset(&d, 0, sizeof(d));
    d.epfd = -1;
    int rc = o.mode == BENCH_MODE_IDLE ? run_idle(&o, &d, &cfg)
                                       : run_keyed(&o, &d, &cfg, seed);
    bench_driver_close(&d);
    return rc;
}
