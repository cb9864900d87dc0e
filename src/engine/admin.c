/*
 * admin.c - what the admin tools use: key dumps (stats cachedump,
 * lru_crawler metadump and mgdump), the rest of lru_crawler, cache_memlimit.
 *
 * A dump walks the store in steps of at most LIMIT_DUMP_RECORDS records
 * ([admin.dump-walk]) and answers COMMAND_PAUSED between them, so a large
 * dump never holds the server for long; the session gives other connections
 * their turn before the next step.
 */
#include "reply.h"

#include "../common/check.h"
#include "../common/limits.h"

/* mcref's one item class, as memcached numbers slab classes. */
#define ITEM_CLASS 1u

struct dump {
    struct reply *r;
    struct get_cursor *cur;
    bool cachedump;
};

/* Emits one item's line; false (nothing emitted) when the dump must stop
 * or pause before it. */
static bool
dump_item(void *ctx, const struct store_item *it)
{
    struct dump *d = ctx;
    struct reply *r = d->r;
    if (d->cachedump) {
        /* memcached leaves binary keys out of cachedump. */
        if (it->key_binary || !proto_key_is_text(it->key, it->key_len)) {
            return true;
        }
        uint32_t limit = r->req->dump_limit;
        if ((limit != 0 && d->cur->done >= limit) ||
            d->cur->dumped + LIMIT_REPLY_HEAD_LEN + 5 >
                LIMIT_CACHEDUMP_BYTES) {
            return false;
        }
    }
    if (r->q->pending >= LIMIT_OUTPUT_PAUSE) {
        return false;
    }
    struct response resp = {.status = RESP_DUMP_ITEM, .has_item = true};
    reply_item(&resp.item, it);
    resp.fetched_before = it->fetched;
    resp.deadline_s = it->deadline_s;
    resp.key_binary = it->key_binary;
    /* The log's stamp for the record: its last write or move, as `mg l`
     * counts from ([meta.mg-access]). */
    resp.accessed_s = it->stamp_s != 0 && it->stamp_s <= r->now ? it->stamp_s
                                                               : r->now;
    uint64_t queued = r->q->queued;
    reply_emit(r, &resp);
    d->cur->dumped += r->q->queued - queued;
    d->cur->done++;
    return !r->failed;
}

/* One step of a dump over the classes asked for; END when it is over. */
static enum command_result
dump_step(struct reply *r, struct get_cursor *cur, bool cachedump)
{
    if (!cur->active) {
        cur->active = true;
        cur->done = 0;
        cur->dumped = 0;
        store_scan_begin(r->e->store, &cur->scan);
        if ((r->req->classes & ((uint64_t)1 << ITEM_CLASS)) == 0) {
            cur->scan.end = cur->scan.pos; /* another class: empty */
        }
    }
    struct dump d = {r, cur, cachedump};
    bool more = store_scan(r->e->store, r->now, &cur->scan,
                           LIMIT_DUMP_RECORDS, dump_item, &d);
    if (r->failed) {
        cur->active = false;
        return COMMAND_FAILED;
    }
    bool full = cachedump &&
                ((r->req->dump_limit != 0 && cur->done >= r->req->dump_limit) ||
                 cur->dumped + LIMIT_REPLY_HEAD_LEN + 5 >
                     LIMIT_CACHEDUMP_BYTES);
    if (more && !full) {
        return COMMAND_PAUSED;
    }
    cur->active = false;
    reply_status(r, RESP_END, false);
    return reply_finish(r);
}

enum command_result
admin_cachedump(struct reply *r, struct get_cursor *cur)
{
    CHECK(r->req->cmd == REQ_STATS && r->req->mode == STATS_CACHEDUMP);
    return dump_step(r, cur, true);
}

enum command_result
admin_lru_crawler(struct reply *r, struct get_cursor *cur)
{
    switch ((enum request_crawler)r->req->mode) {
    case CRAWLER_METADUMP:
    case CRAWLER_MGDUMP:
        return dump_step(r, cur, false);
    case CRAWLER_TOCRAWL:
    case CRAWLER_SLEEP:
        /* Settings of memcached's crawler thread; mcref's reclamation
         * (store_tick) needs none, and memcached accepts them even with its
         * crawler off. */
        reply_status(r, RESP_OK, false);
        break;
    case CRAWLER_CRAWL:
    case CRAWLER_ENABLE:
    case CRAWLER_DISABLE:
        reply_status(r, RESP_CRAWLER_DISABLED, false);
        break;
    }
    return reply_finish(r);
}

enum command_result
admin_cache_memlimit(struct reply *r)
{
    uint64_t bytes = (uint64_t)r->req->mem_mb << 20;
    bool ok = store_set_mem_limit(r->e->store, bytes);
    reply_status(r, ok ? RESP_OK : RESP_MEMLIMIT_FAILED, r->req->noreply);
    return reply_finish(r);
}
