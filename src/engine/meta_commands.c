/*
 * meta_commands.c - the meta protocol's commands over the store ([meta.*]):
 * mg, ms, md, ma, mn, me.
 *
 * Each turns its flags into the store's options, counts as memcached
 * counts, and yields one response the meta composer words; `q` silences
 * only the common case of each command ([meta.quiet]), never an error.
 */
#include <string.h>

#include "../common/check.h"
#include "reply.h"

static bool
has(const struct request *req, uint8_t letter)
{
    return (req->meta.seen & META_BIT(letter)) != 0;
}

/* Whether flag a was sent before flag b (memcached applies mg's flags in
 * the order sent). */
static bool
comes_before(const struct request *req, uint8_t a, uint8_t b)
{
    for (uint32_t i = 0; i < req->meta.count; i++) {
        if (req->meta.order[i] == a) {
            return true;
        }
        if (req->meta.order[i] == b) {
            return false;
        }
    }
    return false;
}

/* The key as the store knows it: decoded when it came in base64. */
static const uint8_t *
meta_key(const struct reply *r, size_t *len)
{
    const struct request *req = r->req;
    if (req->meta.key_decoded) {
        *len = req->meta.key_len;
        return req->meta.key_buf;
    }
    *len = req->key.len;
    return r->base + req->key.off;
}

/* A response carrying the request's key, marked binary as the request's
 * was ([meta.base64-mark]). */
static void
key_only(const struct reply *r, struct response *resp)
{
    resp->item.key = meta_key(r, &resp->item.key_len);
    resp->key_binary = has(r->req, 'b');
}

/* Seconds left before deadline_s at now, -1 for none, 0 once passed
 * ([meta.mg-ttl-expired]: never negative, never wrapped). */
static int64_t
ttl_left(uint32_t deadline_s, uint32_t now)
{
    if (deadline_s == 0) {
        return -1;
    }
    return deadline_s > now ? (int64_t)deadline_s - now : 0;
}

/* [meta.mg-access]: seconds since the item's record was last written or
 * moved (the store's coarse stamp; accesses move active records). */
static uint32_t
idle_seconds(uint32_t stamp_s, uint32_t now)
{
    return now > stamp_s ? now - stamp_s : 0;
}

/* A TTL token as an exptime: the same rules as text's ([expiry.*]). */
static uint32_t
recache_seconds(int32_t ttl)
{
    return ttl > 0 ? (uint32_t)ttl : 0;
}

/* [meta.mg]: a fetch, counted as a get (or with T as a touch). */
static void
meta_get(struct reply *r)
{
    const struct request *req = r->req;
    const struct meta_request *m = &req->meta;
    struct engine *e = r->e;
    struct store_fetch_opts o = {
        .no_bump = has(req, 'u'),
        .touch = has(req, 'T'),
        .exptime = m->ttl,
        .vivify = has(req, 'N'),
        .vivify_exptime = m->vivify_ttl,
        .recache = has(req, 'R'),
        .recache_s = recache_seconds(m->recache_ttl),
        .recache_first = comes_before(req, 'R', 'T'),
        .new_cas = has(req, 'E') ? m->explicit_cas : 0,
        .key_binary = has(req, 'b'),
    };
    if (o.touch) {
        e->stats.cmd_touch++;
    } else {
        e->stats.cmd_get++;
    }
    size_t key_len;
    const uint8_t *key = meta_key(r, &key_len);
    struct store_fetch_result f;
    enum store_status st = store_fetch(e->store, r->now, key, key_len, &o, &f);
    struct response resp;
    memset(&resp, 0, sizeof resp);
    if (st == STORE_NO_MEMORY) {
        reply_status(r, RESP_NO_MEMORY, false);
        return;
    }
    if (st == STORE_MISS) {
        if (has(req, 'q')) {
            return; /* [meta.quiet]: q hides EN */
        }
        resp.status = RESP_MISS;
        key_only(r, &resp);
        reply_emit(r, &resp);
        return;
    }
    resp.status = RESP_VALUE;
    resp.has_item = true;
    reply_item(&resp.item, &f.item);
    resp.key_binary = f.item.key_binary;
    /* A vivified item has no TTL until N gives it one ([meta.mg-ttl]). */
    resp.ttl_before =
        f.vivified ? -1 : ttl_left(f.deadline_before_s, r->now);
    resp.ttl = ttl_left(f.item.deadline_s, r->now);
    resp.ttl_changed = o.touch || f.vivified;
    resp.fetched_before = f.fetched_before;
    resp.idle_s = idle_seconds(f.stamp_before_s, r->now);
    resp.win = f.won;
    resp.stale = f.stale;
    resp.token_sent = f.win_sent_before;
    /* [meta.mg-cas-check]: C matching the item's CAS leaves the value out. */
    resp.omit_value = has(req, 'C') && req->meta.compare_cas == f.item.cas;
    reply_emit(r, &resp);
}

/* [meta.ms-modes]: the store mode of ms's M, C turning S and R into a CAS
 * store. */
static enum store_mode
set_mode(const struct request *req)
{
    uint8_t mode = has(req, 'M') ? req->meta.mode : 'S';
    bool cas = has(req, 'C');
    switch (mode) {
    case 'E':
        return STORE_ADD; /* C is ignored, as in memcached */
    case 'A':
        return STORE_APPEND;
    case 'P':
        return STORE_PREPEND;
    case 'R':
        return cas ? STORE_CAS : STORE_REPLACE;
    default:
        CHECK(mode == 'S');
        return cas ? STORE_CAS : STORE_SET;
    }
}

/* [meta.ms]: a store, counted as a set. */
static void
meta_set(struct reply *r)
{
    const struct request *req = r->req;
    const struct meta_request *m = &req->meta;
    struct engine *e = r->e;
    e->stats.cmd_set++;
    enum store_mode mode = set_mode(req);
    bool joins = mode == STORE_APPEND || mode == STORE_PREPEND;
    struct store_put_opts o = {
        /* [meta.ms-cas]: append and prepend take C0 as no C, as memcached */
        .compare = joins && has(req, 'C') && m->compare_cas != 0,
        .compare_cas = m->compare_cas,
        .new_cas = has(req, 'E') ? m->explicit_cas : 0,
        .invalidate = has(req, 'I'),
        .vivify = joins && has(req, 'N'),
        .vivify_exptime = m->vivify_ttl,
        .key_binary = has(req, 'b'),
    };
    size_t key_len;
    const uint8_t *key = meta_key(r, &key_len);
    uint64_t cas = 0;
    enum store_status st = store_put_opts(
        e->store, r->now, mode, key, key_len, has(req, 'F') ? m->client_flags : 0,
        has(req, 'T') ? m->ttl : 0, r->base + req->value.off, req->value.len,
        m->compare_cas, &o, &cas);
    e->stats.store_no_memory += st == STORE_NO_MEMORY;
    struct response resp;
    memset(&resp, 0, sizeof resp);
    resp.status = commands_store_response(st);
    if (resp.status == RESP_STORED && has(req, 'q')) {
        return; /* [meta.quiet]: q hides HD */
    }
    key_only(r, &resp);
    resp.item.cas = cas; /* 0 when nothing was stored */
    resp.item.value_len = req->value.len;
    if (st == STORE_OK && joins && has(req, 's')) {
        /* [meta.ms-flags]: s is the item's size after the append. */
        struct store_fetch_opts peek = {.peek = true};
        struct store_fetch_result f;
        if (store_fetch(e->store, r->now, key, key_len, &peek, &f) ==
            STORE_OK) {
            resp.item.value_len = f.item.value_len;
        }
    }
    reply_emit(r, &resp);
}

/* [meta.md]: a delete, or with I an invalidation, or with x a tombstone. */
static void
meta_delete(struct reply *r)
{
    const struct request *req = r->req;
    const struct meta_request *m = &req->meta;
    struct store_delete_opts o = {
        .compare = has(req, 'C'),
        .compare_cas = m->compare_cas,
        .new_cas = has(req, 'E') ? m->explicit_cas : 0,
        .invalidate = has(req, 'I'),
        .clear_value = has(req, 'x'),
        .touch = has(req, 'T'),
        .exptime = m->ttl,
    };
    size_t key_len;
    const uint8_t *key = meta_key(r, &key_len);
    enum store_status st =
        store_delete_opts(r->e->store, r->now, key, key_len, &o);
    struct response resp;
    memset(&resp, 0, sizeof resp);
    switch (st) {
    case STORE_OK:
        if (has(req, 'q')) {
            return; /* [meta.quiet]: q hides HD */
        }
        resp.status = RESP_DELETED;
        break;
    case STORE_MISS:
        resp.status = RESP_NOT_FOUND;
        break;
    case STORE_EXISTS:
        resp.status = RESP_EXISTS;
        break;
    default:
        CHECK(st == STORE_NO_MEMORY);
        reply_status(r, RESP_NO_MEMORY, false);
        return;
    }
    key_only(r, &resp);
    reply_emit(r, &resp);
}

/* [meta.ma]: incr or decr, with auto-create. */
static void
meta_arith(struct reply *r)
{
    const struct request *req = r->req;
    const struct meta_request *m = &req->meta;
    bool incr = !has(req, 'M') || m->mode == 'I' || m->mode == '+';
    struct store_arith_opts o = {
        /* [meta.ma]: C0 is no C, as memcached's incr takes it */
        .compare = has(req, 'C') && m->compare_cas != 0,
        .compare_cas = m->compare_cas,
        .new_cas = has(req, 'E') ? m->explicit_cas : 0,
        .vivify = has(req, 'N'),
        .vivify_exptime = m->vivify_ttl,
        .initial = has(req, 'J') ? m->initial : 0,
        .touch = has(req, 'T'),
        .exptime = m->ttl,
        .key_binary = has(req, 'b'),
    };
    size_t key_len;
    const uint8_t *key = meta_key(r, &key_len);
    uint64_t value = 0;
    struct store_item it;
    enum store_status st = store_arith_opts(r->e->store, r->now, key, key_len,
                                            incr, m->delta, &o, &value, &it,
                                            NULL);
    struct response resp;
    memset(&resp, 0, sizeof resp);
    if (st != STORE_OK) {
        resp.status = commands_arith_response(st);
        key_only(r, &resp);
        reply_emit(r, &resp);
        return;
    }
    if (has(req, 'q')) {
        return; /* [meta.quiet]: q hides HD and VA alike */
    }
    resp.status = RESP_NUMBER;
    resp.number = value;
    resp.has_item = true;
    reply_item(&resp.item, &it);
    key_only(r, &resp); /* ma's `k` is the request's, as memcached's */
    /* [meta.ma]: t shows the TTL after the request, whatever the order. */
    resp.ttl = ttl_left(it.deadline_s, r->now);
    resp.ttl_before = resp.ttl;
    reply_emit(r, &resp);
}

/* [meta.me]: the item's facts, changing nothing and counting in cmd_meta. */
static void
meta_debug(struct reply *r)
{
    r->e->stats.cmd_meta++;
    size_t key_len;
    const uint8_t *key = meta_key(r, &key_len);
    struct store_fetch_opts peek = {.peek = true};
    struct store_fetch_result f;
    struct response resp;
    memset(&resp, 0, sizeof resp);
    if (store_fetch(r->e->store, r->now, key, key_len, &peek, &f) !=
        STORE_OK) {
        resp.status = RESP_MISS;
        reply_emit(r, &resp);
        return;
    }
    resp.status = RESP_DEBUG;
    resp.has_item = true;
    reply_item(&resp.item, &f.item);
    resp.key_binary = f.item.key_binary;
    resp.ttl = ttl_left(f.item.deadline_s, r->now); /* [meta.me-exp] */
    resp.fetched_before = f.fetched_before;
    resp.idle_s = idle_seconds(f.stamp_before_s, r->now);
    reply_emit(r, &resp);
}

enum command_result
meta_execute(struct reply *r)
{
    CHECK(r->req->error == REQERR_NONE);
    switch (r->req->cmd) {
    case REQ_META_GET:
        meta_get(r);
        break;
    case REQ_META_SET:
        meta_set(r);
        break;
    case REQ_META_DELETE:
        meta_delete(r);
        break;
    case REQ_META_ARITH:
        meta_arith(r);
        break;
    case REQ_META_NOOP:
        reply_status(r, RESP_NOOP, false);
        break;
    default:
        CHECK(r->req->cmd == REQ_META_DEBUG);
        meta_debug(r);
        break;
    }
    return reply_finish(r);
}
