/* stats_out.c - general stats, settings, items, slabs, sizes, conns, reset. */
#include "stats_out.h"

#include <stdio.h>
#include <string.h>

#include "../common/check.h"
#include "../common/limits.h"
#include "client_check.h"
#include "faults.h"

/* Statistics go out one response each; the protocol formats them. */
struct out {
    struct reply *r;
};

static void
stat_u64(struct out *o, const char *name, uint64_t value)
{
    struct response resp = {.status = RESP_STAT, .name = name,
                            .number = value};
    reply_emit(o->r, &resp);
}

static void
stat_str(struct out *o, const char *name, const char *value)
{
    struct response resp = {.status = RESP_STAT, .name = name,
                            .text = value};
    reply_emit(o->r, &resp);
}

static void
stat_bool(struct out *o, const char *name, bool value, const char *yes,
          const char *no)
{
    stat_str(o, name, value ? yes : no);
}

static void
line(struct out *o, enum response_status status)
{
    reply_status(o->r, status, false);
}

/* rusage as memcached prints it: seconds.microseconds, six digits. */
static void
stat_seconds(struct out *o, const char *name, uint64_t us)
{
    char value[32];
    snprintf(value, sizeof value, "%llu.%06llu",
             (unsigned long long)(us / 1000000),
             (unsigned long long)(us % 1000000));
    stat_str(o, name, value);
}

/* [stats.general], [stats.counting]: memcached 1.6.18's order. */
static void
general(struct engine *e, struct out *o, uint32_t now)
{
    struct host_info h;
    engine_host_info(e, &h);
    struct store_stats s;
    store_stats(e->store, &s);
    struct store_info info;
    store_info(e->store, &info);
    const struct engine_stats *c = &e->stats;

    stat_u64(o, "pid", h.pid);
    stat_u64(o, "uptime", h.started_s != 0 && now > h.started_s
                              ? now - h.started_s
                              : 0);
    stat_u64(o, "time", now);
    stat_str(o, "version", e->cfg.version);
    stat_u64(o, "pointer_size", 8 * sizeof(void *));
    stat_seconds(o, "rusage_user", h.rusage_user_us);
    stat_seconds(o, "rusage_system", h.rusage_system_us);
    stat_u64(o, "max_connections", h.max_connections);
    stat_u64(o, "curr_connections", h.curr_connections);
    stat_u64(o, "total_connections", h.total_connections);
    stat_u64(o, "rejected_connections", h.rejected_connections);
    stat_u64(o, "connection_structures", h.connection_structures);
    stat_u64(o, "cmd_get", c->cmd_get);
    stat_u64(o, "cmd_set", c->cmd_set);
    stat_u64(o, "cmd_flush", c->cmd_flush);
    stat_u64(o, "cmd_touch", c->cmd_touch);
    stat_u64(o, "cmd_meta", c->cmd_meta);
    stat_u64(o, "get_hits", s.get_hits);
    stat_u64(o, "get_misses", s.get_misses);
    stat_u64(o, "get_expired", s.get_expired);
    stat_u64(o, "get_flushed", s.get_flushed);
    stat_u64(o, "delete_misses", s.delete_misses);
    stat_u64(o, "delete_hits", s.delete_hits);
    stat_u64(o, "incr_misses", s.incr_misses);
    stat_u64(o, "incr_hits", s.incr_hits);
    stat_u64(o, "decr_misses", s.decr_misses);
    stat_u64(o, "decr_hits", s.decr_hits);
    stat_u64(o, "cas_misses", s.cas_misses);
    stat_u64(o, "cas_hits", s.cas_hits);
    stat_u64(o, "cas_badval", s.cas_badval);
    stat_u64(o, "touch_hits", s.touch_hits);
    stat_u64(o, "touch_misses", s.touch_misses);
    stat_u64(o, "store_too_large", c->store_too_large);
    stat_u64(o, "store_no_memory", c->store_no_memory);
    stat_u64(o, "auth_cmds", c->auth_cmds);
    stat_u64(o, "auth_errors", c->auth_errors);
    if (h.idle_timeout_on) {
        stat_u64(o, "idle_kicks", h.idle_kicks);
    }
    stat_u64(o, "bytes_read", c->bytes_read);
    stat_u64(o, "bytes_written", c->bytes_written);
    stat_u64(o, "limit_maxbytes", info.mem_limit);
    stat_u64(o, "accepting_conns", h.accepting_conns ? 1 : 0);
    stat_u64(o, "listen_disabled_num", h.listen_disabled_num);
    stat_u64(o, "threads", 1);
    stat_u64(o, "conn_yields", h.conn_yields);
    unsigned power = 0;
    while (((uint64_t)1 << power) < info.index_buckets) {
        power++;
    }
    stat_u64(o, "hash_power_level", power);
    stat_u64(o, "hash_bytes", info.index_bytes);
    stat_u64(o, "hash_is_expanding", info.index_resizing ? 1 : 0);
    stat_u64(o, "bytes", s.bytes);
    stat_u64(o, "curr_items", s.curr_items);
    stat_u64(o, "total_items", s.total_items);
    stat_u64(o, "expired_unfetched", s.expired_unfetched);
    stat_u64(o, "evicted_unfetched", s.evicted_unfetched);
    stat_u64(o, "evictions", s.evictions);
    stat_u64(o, "reclaimed", s.reclaimed);
    stat_u64(o, "moves_within_lru", s.moves); /* as items:1: ([stats.general]) */
    /* mcref's own, after memcached's: see spec/stats.md. */
    stat_u64(o, "log_bytes_used", info.log_used);
    stat_u64(o, "log_bytes_held", info.log_held);
    stat_u64(o, "second_chances", s.moves);
}

/* [stats.settings]: memcached's names and order, for what mcref has. */
static void
settings(struct engine *e, struct out *o)
{
    const struct engine_settings *st = &e->cfg.settings;
    struct store_info info;
    store_info(e->store, &info);
    stat_u64(o, "maxbytes", info.mem_limit);
    stat_u64(o, "maxconns", st->maxconns);
    stat_u64(o, "tcpport", st->tcpport);
    stat_u64(o, "udpport", st->udpport);
    stat_str(o, "inter", st->inter != NULL ? st->inter : "NULL");
    stat_u64(o, "verbosity", e->verbosity);
    stat_bool(o, "evictions", info.evict, "on", "off");
    stat_str(o, "domain_socket",
             st->domain_socket != NULL ? st->domain_socket : "NULL");
    char umask[16];
    snprintf(umask, sizeof umask, "%o", st->umask);
    stat_str(o, "umask", umask);
    stat_bool(o, "shutdown_command", e->cfg.shutdown_enabled, "yes", "no");
    stat_u64(o, "num_threads", 1);
    stat_str(o, "detail_enabled", "no");
    stat_u64(o, "reqs_per_event", st->reqs_per_event);
    stat_bool(o, "cas_enabled", info.cas_enabled, "yes", "no");
    stat_u64(o, "tcp_backlog", st->tcp_backlog);
    stat_str(o, "binding_protocol",
             e->cfg.binding == ENGINE_BIND_ASCII    ? "ascii"
             : e->cfg.binding == ENGINE_BIND_BINARY ? "binary"
                                                    : "auto-negotiate");
    stat_bool(o, "auth_enabled_sasl", e->cfg.sasl != NULL, "yes", "no");
    stat_bool(o, "auth_enabled_ascii", e->cfg.ascii_auth != NULL, "yes", "no");
    stat_u64(o, "item_size_max", info.value_len_max);
    stat_str(o, "maxconns_fast", "yes");
    stat_u64(o, "hashpower_init", st->hashpower_init);
    stat_bool(o, "flush_enabled", e->cfg.flush_enabled, "yes", "no");
    stat_bool(o, "dump_enabled", !e->cfg.dump_disabled, "yes", "no");
    stat_u64(o, "idle_timeout", st->idle_timeout);
    stat_bool(o, "test_clock", e->cfg.test_clock, "yes", "no");
}

struct oldest {
    uint32_t stamp_s;
    bool found;
};

static bool
first_item(void *ctx, const struct store_item *it)
{
    struct oldest *o = ctx;
    o->stamp_s = it->stamp_s;
    o->found = true;
    return false;
}

/* [stats.items]: `age`, the seconds since the oldest item's record was
 * written or moved (the next to be evicted), found within one dump step's
 * records from the log's tail (0 if none is). */
static uint32_t
oldest_age(struct engine *e, uint32_t now)
{
    struct store_scan scan;
    store_scan_begin(e->store, &scan);
    struct oldest o = {0, false};
    store_scan(e->store, now, &scan, LIMIT_DUMP_RECORDS, first_item, &o);
    return o.found && now > o.stamp_s ? now - o.stamp_s : 0;
}

/* [stats.items]: one class, "1", while it holds items; memcached's names
 * for what a log without LRU segments has. */
static void
items(struct engine *e, struct out *o, uint32_t now)
{
    struct store_stats s;
    store_stats(e->store, &s);
    if (s.curr_items == 0) {
        return;
    }
    stat_u64(o, "items:1:number", s.curr_items);
    stat_u64(o, "items:1:age", oldest_age(e, now));
    stat_u64(o, "items:1:mem_requested", s.bytes);
    stat_u64(o, "items:1:evicted", s.evictions);
    stat_u64(o, "items:1:evicted_nonzero", s.evicted_nonzero);
    stat_u64(o, "items:1:outofmemory", s.no_memory);
    stat_u64(o, "items:1:reclaimed", s.reclaimed);
    stat_u64(o, "items:1:expired_unfetched", s.expired_unfetched);
    stat_u64(o, "items:1:evicted_unfetched", s.evicted_unfetched);
    stat_u64(o, "items:1:moves_within_lru", s.moves);
}

/* [stats.slabs]: class 1's counters (the whole store's: it is the only
 * class), then the totals. Slab geometry (chunk_size, pages, free chunks)
 * does not exist in a log and is left out. */
static void
slabs(struct engine *e, struct out *o)
{
    struct store_info info;
    store_info(e->store, &info);
    struct store_stats s;
    store_stats(e->store, &s);
    if (s.curr_items > 0) {
        stat_u64(o, "1:used_chunks", s.curr_items);
        stat_u64(o, "1:get_hits", s.get_hits);
        stat_u64(o, "1:cmd_set", e->stats.cmd_set);
        stat_u64(o, "1:delete_hits", s.delete_hits);
        stat_u64(o, "1:incr_hits", s.incr_hits);
        stat_u64(o, "1:decr_hits", s.decr_hits);
        stat_u64(o, "1:cas_hits", s.cas_hits);
        stat_u64(o, "1:cas_badval", s.cas_badval);
        stat_u64(o, "1:touch_hits", s.touch_hits);
    }
    stat_u64(o, "active_slabs", s.curr_items > 0 ? 1 : 0);
    stat_u64(o, "total_malloced", info.log_held);
}

struct conns_out {
    struct out *o;
};

static void
emit_conn(void *arg, const struct host_conn *c)
{
    struct out *o = ((struct conns_out *)arg)->o;
    char name[LIMIT_STAT_NAME_LEN];
    snprintf(name, sizeof name, "%d:addr", c->fd);
    stat_str(o, name, c->addr);
    if (c->listen_addr != NULL) {
        snprintf(name, sizeof name, "%d:listen_addr", c->fd);
        stat_str(o, name, c->listen_addr);
    }
    snprintf(name, sizeof name, "%d:state", c->fd);
    stat_str(o, name, c->state);
    snprintf(name, sizeof name, "%d:secs_since_last_cmd", c->fd);
    stat_u64(o, name, c->secs_since_last_cmd);
}

/* [stats.conns] */
static void
conns(struct engine *e, struct out *o, uint32_t now)
{
    if (e->host.each_conn != NULL) {
        struct conns_out arg = {o};
        e->host.each_conn(e->host.ctx, now, emit_conn, &arg);
    }
}

/* [stats.clientcheck]: strict-mode findings by clause, faults by kind. */
static void
clientcheck(struct engine *e, struct out *o)
{
    const struct client_check *c = e->check;
    const struct faults *f = e->faults;
    stat_bool(o, "client_check", c != NULL, "yes", "no");
    stat_bool(o, "client_check_reject", c != NULL && c->reject, "yes", "no");
    stat_u64(o, "violations", c != NULL ? c->total : 0);
    for (unsigned r = 0; r < CLIENT_RULE_COUNT; r++) {
        stat_u64(o, client_rule_clause((enum client_rule)r),
                 c != NULL ? c->counts[r] : 0);
    }
    stat_bool(o, "faults_on", f != NULL, "yes", "no");
    stat_u64(o, "fault_seed", f != NULL ? f->seed : 0);
    stat_u64(o, "faults", f != NULL ? f->total : 0);
    for (unsigned k = 0; k < FAULT_COUNT; k++) {
        char name[LIMIT_STAT_NAME_LEN];
        snprintf(name, sizeof name, "fault.%s",
                 fault_kind_name((enum fault_kind)k));
        stat_u64(o, name, f != NULL ? f->counts[k] : 0);
    }
}

static bool
arg_is(const uint8_t *base, struct slice arg, const char *word)
{
    size_t n = strlen(word);
    return arg.len == n && memcmp(base + arg.off, word, n) == 0;
}

void
stats_out(struct reply *r, const uint8_t *base, struct slice arg)
{
    CHECK(r != NULL);
    struct engine *e = r->e;
    uint32_t now_s = r->now;
    struct out o = {r};
    if (arg.len == 0) {
        general(e, &o, now_s);
    } else if (arg_is(base, arg, "reset")) {
        engine_stats_reset(e);
        line(&o, RESP_RESET); /* [stats.reset] */
        return;
    } else if (arg_is(base, arg, "settings")) {
        settings(e, &o);
    } else if (arg_is(base, arg, "items")) {
        items(e, &o, now_s);
    } else if (arg_is(base, arg, "slabs")) {
        slabs(e, &o);
    } else if (arg_is(base, arg, "sizes")) {
        stat_str(&o, "sizes_status", "disabled"); /* [stats.sizes] */
    } else if (arg_is(base, arg, "conns")) {
        conns(e, &o, now_s);
    } else if (arg_is(base, arg, "clientcheck")) {
        clientcheck(e, &o);
    } else {
        struct response resp = {.status = RESP_REQUEST_ERROR,
                                .error = REQERR_UNKNOWN};
        reply_emit(r, &resp); /* [stats.unknown] */
        return;
    }
    line(&o, RESP_END);
}
