/*
 * faults.h - seeded fault injection: what a client must survive ([faults.*]).
 *
 * The scheduler is a pure function: whether fault K hits request R of
 * connection C (or the connection itself at its accept) depends only on the
 * plan (rates), the seed, C, R and K. So the same seed and the same requests
 * give the same faults, and tests and fuzzers can check it directly.
 *
 * Applying a fault is the edge's job: the session answers a store with
 * `SERVER_ERROR out of memory storing object`, evicts an item right after it
 * is stored, or closes before or after a reply; the connection cuts replies
 * into small writes, delays them, or closes inside one; the server refuses
 * or delays an accept. With no plan (engine->faults NULL) none of this runs.
 */
#ifndef MCREF_FAULTS_H
#define MCREF_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/limits.h"

/* Every fault: enum name, name in lists and stats, where it applies. */
#define FAULT_KINDS(X)                         \
    X(CUT, "cut", FAULT_AT_REQUEST)            \
    X(DELAY, "delay", FAULT_AT_REQUEST)        \
    X(CLOSE_BEFORE, "close_before", FAULT_AT_REQUEST) \
    X(CLOSE_INSIDE, "close_inside", FAULT_AT_REQUEST) \
    X(IDLE_CLOSE, "idle_close", FAULT_AT_REQUEST) \
    X(OOM, "oom", FAULT_AT_STORE)              \
    X(EVICT, "evict", FAULT_AT_STORE)          \
    X(REJECT_CONN, "reject_conn", FAULT_AT_CONNECT) \
    X(SLOW_ACCEPT, "slow_accept", FAULT_AT_CONNECT)

enum fault_point {
    FAULT_AT_REQUEST, /* any request */
    FAULT_AT_STORE,   /* storage requests only (set add replace ... ms) */
    FAULT_AT_CONNECT, /* the connection's accept (request number 0) */
};

enum fault_kind {
#define FAULT_KIND_ENUM(name, text, point) FAULT_##name,
    FAULT_KINDS(FAULT_KIND_ENUM)
#undef FAULT_KIND_ENUM
    FAULT_COUNT,
    FAULT_NONE = FAULT_COUNT,
};

/* Rates in parts per thousand, per kind. */
struct fault_plan {
    uint16_t permille[FAULT_COUNT];
};

struct fault_event {
    enum fault_kind kind;
    uint64_t conn;
    uint64_t request; /* 0 at connect */
    uint32_t param;   /* bytes per write, or milliseconds */
};

typedef void (*fault_event_fn)(void *ctx, const struct fault_event *ev);

struct faults {
    struct fault_plan plan;
    uint64_t seed;
    uint64_t counts[FAULT_COUNT];
    uint64_t total;
    fault_event_fn sink; /* may be NULL */
    void *sink_ctx;
};

const char *fault_kind_name(enum fault_kind kind);
enum fault_point fault_kind_point(enum fault_kind kind);

/*
 * Parses a profile name (none segments delays disconnects oom connect all)
 * or a list "kind:percent+kind:percent..." (percent 0-100, one decimal
 * allowed: "cut:2.5"). The request and storage kinds may add up to 100% at
 * most, and so may the accept kinds. False, with a message in err, when it
 * is neither or adds up to more.
 */
bool faults_parse(const char *text, struct fault_plan *out, char *err,
                  size_t err_len);

/* The profile names, space separated (for help texts). */
const char *faults_profiles(void);

/*
 * The fault for request `request` (from 1) of connection `conn` (from 1),
 * or, with request 0, for the connection's accept; `storage` says whether
 * the request stores. At most one fault hits a request, and each kind hits
 * at exactly its rate among the requests it applies to: one draw in
 * [0, 1000) is mapped to consecutive ranges, one per applying kind, as wide
 * as its rate (faults_parse refuses plans whose ranges would overlap 1000).
 * *param gets its parameter, from a draw of its own. Pure: a function of
 * its arguments only.
 */
enum fault_kind faults_decide(const struct fault_plan *p, uint64_t seed,
                              uint64_t conn, uint64_t request, bool storage,
                              uint32_t *param);

/* Counts ev and hands it to the sink. */
void faults_record(struct faults *f, const struct fault_event *ev);

#endif
