/* engine.c - shared state: store, settings, counters, and the item clock. */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "../common/limits.h"
#include "client_check.h"
#include "faults.h"

/* The store is about to write: replies still pointing into it (outq.h)
 * get copies first. Only an actual write gets here, so reads (get, mg
 * without N or T, me, ...) keep their references whatever command they
 * came from. */
static void
hold_references(void *ctx)
{
    struct engine *e = ctx;
    outq_pool_hold_all(&e->pool);
}

struct engine *
engine_create(const struct engine_config *cfg, const struct engine_host *host)
{
    CHECK(cfg != NULL);
    struct store *store = store_create(&cfg->store);
    if (store == NULL) {
        return NULL;
    }
    return engine_create_with_store(cfg, host, store);
}

struct engine *
engine_create_with_store(const struct engine_config *cfg,
                         const struct engine_host *host, struct store *store)
{
    CHECK(cfg != NULL);
    CHECK(cfg->version != NULL);
    CHECK(store != NULL);
    struct engine *e = calloc(1, sizeof *e);
    if (e == NULL) {
        store_destroy(&store);
        return NULL;
    }
    e->cfg = *cfg;
    if (e->cfg.value_ref_min == 0) {
        e->cfg.value_ref_min = OUTQ_REF_MIN;
    }
    if (host != NULL) {
        e->host = *host;
    }
    e->store = store;
    outq_pool_init(&e->pool, LIMIT_FREE_REPLY_BLOCKS);
    store_set_write_hook(e->store, hold_references, e);
    e->verbosity = cfg->verbosity;
    return e;
}

void
engine_destroy(struct engine **e)
{
    if (e == NULL || *e == NULL) {
        return;
    }
    store_destroy(&(*e)->store);
    outq_pool_deinit(&(*e)->pool);
    free(*e);
    *e = NULL;
}

static uint32_t
clamp_time(int64_t t)
{
    if (t < 1) {
        return 1;
    }
    return t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

uint32_t
engine_now(struct engine *e, uint32_t real_s)
{
    CHECK(real_s >= 1);
    uint32_t t = real_s;
    if (e->cfg.test_clock) {
        t = e->paused ? e->paused_s : clamp_time((int64_t)real_s + e->offset_s);
    }
    if (t < e->last_s) {
        t = e->last_s; /* the clock never runs backwards */
    }
    e->last_s = t;
    return t;
}

/* base + step held within +-UINT32_MAX, the most a 32-bit clock can move:
 * base is already within it, so bounding step first rules out overflow
 * (step comes from the client and may be any 64-bit number). */
static int64_t
clock_add(int64_t base, int64_t step)
{
    const int64_t span = UINT32_MAX;
    CHECK(base >= -span && base <= span);
    step = step > 2 * span ? 2 * span : step < -2 * span ? -2 * span : step;
    int64_t sum = base + step;
    return sum > span ? span : sum < -span ? -span : sum;
}

void
engine_clock_step(struct engine *e, uint32_t real_s, int64_t step_s)
{
    if (e->paused) {
        e->paused_s = clamp_time(clock_add(e->paused_s, step_s));
    } else {
        e->offset_s = clock_add(e->offset_s, step_s);
    }
    (void)engine_now(e, real_s);
}

void
engine_clock_pause(struct engine *e, uint32_t real_s)
{
    if (!e->paused) {
        e->paused_s = engine_now(e, real_s);
        e->paused = true;
    }
}

void
engine_clock_resume(struct engine *e, uint32_t real_s)
{
    if (e->paused) {
        /* Continue from where the clock stood, not from real time. */
        e->offset_s = (int64_t)e->paused_s - (int64_t)real_s;
        e->paused = false;
    }
}

bool
engine_tick(struct engine *e, uint32_t real_s)
{
    CHECK(e != NULL);
    /* The store's write hook copies queued references out if it moves
     * or drops records. */
    return store_tick(e->store, engine_now(e, real_s));
}

void
engine_set_host(struct engine *e, const struct engine_host *host)
{
    if (host != NULL) {
        e->host = *host;
    } else {
        memset(&e->host, 0, sizeof e->host);
    }
}

void
engine_host_info(const struct engine *e, struct host_info *out)
{
    memset(out, 0, sizeof *out);
    if (e->host.info != NULL) {
        e->host.info(e->host.ctx, out);
    }
}

void
engine_stats_reset(struct engine *e)
{
    memset(&e->stats, 0, sizeof e->stats);
    store_stats_reset(e->store);
    /* [stats.clientcheck]: findings and faults count from here too. */
    if (e->check != NULL) {
        memset(e->check->counts, 0, sizeof e->check->counts);
        e->check->total = 0;
    }
    if (e->faults != NULL) {
        memset(e->faults->counts, 0, sizeof e->faults->counts);
        e->faults->total = 0;
    }
    if (e->host.stats_reset != NULL) {
        e->host.stats_reset(e->host.ctx);
    }
}
