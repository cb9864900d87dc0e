/* faults.c - fault plans (profiles, lists) and the pure fault scheduler. */
#include "faults.h"

#include <stdio.h>
#include <string.h>

#include "../common/check.h"
#include "../common/limits.h"

struct kind_info {
    const char *name;
    enum fault_point point;
};

static const struct kind_info kinds[FAULT_COUNT] = {
#define FAULT_KIND_INFO(name, text, point) [FAULT_##name] = {text, point},
    FAULT_KINDS(FAULT_KIND_INFO)
#undef FAULT_KIND_INFO
};

const char *
fault_kind_name(enum fault_kind kind)
{
    CHECK((unsigned)kind < FAULT_COUNT);
    return kinds[kind].name;
}

enum fault_point
fault_kind_point(enum fault_kind kind)
{
    CHECK((unsigned)kind < FAULT_COUNT);
    return kinds[kind].point;
}

struct profile {
    const char *name;
    struct fault_plan plan;
};

/* Rates in parts per thousand. */
static const struct profile profiles[] = {
    {"none", {{0}}},
    {"segments", {{[FAULT_CUT] = 1000}}},
    {"delays", {{[FAULT_DELAY] = 200}}},
    {"disconnects",
     {{[FAULT_CLOSE_BEFORE] = 20, [FAULT_CLOSE_INSIDE] = 20,
       [FAULT_IDLE_CLOSE] = 20}}},
    {"oom", {{[FAULT_OOM] = 100, [FAULT_EVICT] = 100}}},
    {"connect", {{[FAULT_REJECT_CONN] = 200, [FAULT_SLOW_ACCEPT] = 200}}},
    {"all",
     {{[FAULT_CUT] = 300, [FAULT_DELAY] = 50, [FAULT_CLOSE_BEFORE] = 10,
       [FAULT_CLOSE_INSIDE] = 10, [FAULT_IDLE_CLOSE] = 10, [FAULT_OOM] = 30,
       [FAULT_EVICT] = 30, [FAULT_REJECT_CONN] = 50,
       [FAULT_SLOW_ACCEPT] = 50}}},
};

const char *
faults_profiles(void)
{
    return "none segments delays disconnects oom connect all";
}

/* "12", "2.5", "100": percent with at most one decimal, into permille. */
static bool
percent(const char *s, size_t len, uint16_t *out)
{
    unsigned whole = 0;
    unsigned tenth = 0;
    size_t i = 0;
    if (len == 0) {
        return false;
    }
    for (; i < len && s[i] != '.'; i++) {
        if (s[i] < '0' || s[i] > '9' || i >= 3) {
            return false;
        }
        whole = whole * 10 + (unsigned)(s[i] - '0');
    }
    if (i == 0) {
        return false;
    }
    if (i < len) {
        if (len - i != 2 || s[i + 1] < '0' || s[i + 1] > '9') {
            return false;
        }
        tenth = (unsigned)(s[i + 1] - '0');
    }
    unsigned pm = whole * 10 + tenth;
    if (pm > 1000) {
        return false;
    }
    *out = (uint16_t)pm;
    return true;
}

static bool
list_item(const char *s, size_t len, struct fault_plan *out)
{
    const char *colon = memchr(s, ':', len);
    if (colon == NULL) {
        return false;
    }
    size_t name_len = (size_t)(colon - s);
    for (unsigned k = 0; k < FAULT_COUNT; k++) {
        if (strlen(kinds[k].name) == name_len &&
            memcmp(kinds[k].name, s, name_len) == 0) {
            return percent(colon + 1, len - name_len - 1, &out->permille[k]);
        }
    }
    return false;
}

bool
faults_parse(const char *text, struct fault_plan *out, char *err,
             size_t err_len)
{
    CHECK(text != NULL);
    CHECK(out != NULL);
    memset(out, 0, sizeof *out);
    size_t len = strnlen(text, LIMIT_FAULT_LIST_LEN + 1);
    if (len == 0 || len > LIMIT_FAULT_LIST_LEN) {
        snprintf(err, err_len, "faults: give a profile (%s) or a list "
                               "kind:percent+...",
                 faults_profiles());
        return false;
    }
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
        if (strcmp(text, profiles[i].name) == 0) {
            *out = profiles[i].plan;
            return true;
        }
    }
    size_t start = 0;
    while (start <= len) {
        const char *plus = memchr(text + start, '+', len - start);
        size_t end = plus != NULL ? (size_t)(plus - text) : len;
        if (!list_item(text + start, end - start, out)) {
            snprintf(err, err_len,
                     "faults: \"%.*s\" is neither a profile (%s) nor "
                     "kind:percent (kinds: cut delay close_before "
                     "close_inside idle_close oom evict reject_conn "
                     "slow_accept)",
                     (int)(end - start), text + start, faults_profiles());
            memset(out, 0, sizeof *out);
            return false;
        }
        start = end + 1;
    }
    /* Each kind fires at its own rate only if the rates of the kinds that
     * can hit the same request fit in one draw (faults_decide). */
    unsigned on_request = 0;
    unsigned on_store = 0;
    unsigned on_connect = 0;
    for (unsigned k = 0; k < FAULT_COUNT; k++) {
        unsigned pm = out->permille[k];
        switch (kinds[k].point) {
        case FAULT_AT_REQUEST:
            on_request += pm;
            break;
        case FAULT_AT_STORE:
            on_store += pm;
            break;
        case FAULT_AT_CONNECT:
            on_connect += pm;
            break;
        }
    }
    if (on_request + on_store > 1000 || on_connect > 1000) {
        snprintf(err, err_len,
                 "faults: \"%s\" adds up to over 100%% (request and storage "
                 "kinds together, and accept kinds, may reach 100%% each)",
                 text);
        memset(out, 0, sizeof *out);
        return false;
    }
    return true;
}

/* splitmix64's finaliser: a good mix of all 64 input bits. */
static uint64_t
mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t
draw(uint64_t seed, uint64_t conn, uint64_t request, unsigned kind)
{
    return mix(mix(mix(seed) ^ conn) ^ request) ^ mix(kind + 1);
}

static uint32_t
parameter(enum fault_kind kind, uint64_t h)
{
    uint32_t hi = (uint32_t)(h >> 32);
    switch (kind) {
    case FAULT_CUT:
        return 1 + hi % LIMIT_FAULT_CUT_MAX;
    case FAULT_DELAY:
        return 1 + hi % LIMIT_FAULT_DELAY_MAX_MS;
    case FAULT_SLOW_ACCEPT:
        return 1 + hi % LIMIT_FAULT_ACCEPT_MAX_MS;
    default:
        return 0;
    }
}

/* Whether kind k can hit request `request` (0: the accept). */
static bool
applies(unsigned k, uint64_t request, bool storage)
{
    enum fault_point point = kinds[k].point;
    return request == 0 ? point == FAULT_AT_CONNECT
                        : point == FAULT_AT_REQUEST ||
                              (point == FAULT_AT_STORE && storage);
}

/* The draw that picks the kind: one per (seed, conn, request), below. */
enum { PICK = FAULT_COUNT };

enum fault_kind
faults_decide(const struct fault_plan *p, uint64_t seed, uint64_t conn,
              uint64_t request, bool storage, uint32_t *param)
{
    CHECK(p != NULL);
    CHECK(param != NULL);
    *param = 0;
    /* One draw in [0, 1000); the kinds that apply take consecutive ranges
     * of it, each as wide as its rate, in enum order (request kinds before
     * storage kinds, so a request kind's range does not move with
     * `storage`). faults_parse keeps the ranges within 1000. */
    uint32_t at = (uint32_t)(draw(seed, conn, request, PICK) % 1000);
    uint32_t lo = 0;
    for (unsigned k = 0; k < FAULT_COUNT; k++) {
        if (!applies(k, request, storage) || p->permille[k] == 0) {
            continue;
        }
        uint32_t hi = lo + p->permille[k];
        if (at >= lo && at < hi) {
            *param = parameter((enum fault_kind)k,
                               draw(seed, conn, request, k));
            return (enum fault_kind)k;
        }
        lo = hi;
    }
    return FAULT_NONE;
}

void
faults_record(struct faults *f, const struct fault_event *ev)
{
    CHECK(f != NULL);
    CHECK((unsigned)ev->kind < FAULT_COUNT);
    f->counts[ev->kind]++;
    f->total++;
    if (f->sink != NULL) {
        f->sink(f->sink_ctx, ev);
    }
}
