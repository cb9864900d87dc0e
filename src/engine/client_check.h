/*
 * client_check.h - strict mode: the client-side rules of spec §21, checked
 * on every request a client sends ([client.*]).
 *
 * The checker is pure: client_check_request() looks at one parsed request
 * and the bytes it came from and lists the rules it breaks. The session
 * (session.c) calls it only when strict mode is on (engine->check != NULL),
 * so it costs one pointer test per request when off. Findings go to the
 * counters here and to a sink the application installs (log line, JSON line
 * in the report file); the engine writes no file itself.
 */
#ifndef MCREF_CLIENT_CHECK_H
#define MCREF_CLIENT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../proto/request.h"

/* Every rule: enum name, clause ID (spec/protocol.md §21). */
#define CLIENT_RULES(X)                                  \
    X(KEY_LENGTH, "client.key-length")                   \
    X(KEY_BYTES, "client.key-bytes")                     \
    X(LINE_END, "client.line-end")                       \
    X(DATA_LENGTH, "client.data-length")                 \
    X(VALUE_SIZE, "client.value-size")                   \
    X(NOREPLY, "client.noreply")                         \
    X(FLAGS_RANGE, "client.flags-range")                 \
    X(EXPTIME_RANGE, "client.exptime-range")             \
    X(UNKNOWN_COMMAND, "client.unknown-command")         \
    X(META_FLAGS, "client.meta-flags")                   \
    X(AFTER_QUIT, "client.after-quit")                   \
    X(UNANSWERED, "client.unanswered")                   \
    X(QUIET_NOOP, "client.quiet-noop")

enum client_rule {
#define CLIENT_RULE_ENUM(name, id) CLIENT_##name,
    CLIENT_RULES(CLIENT_RULE_ENUM)
#undef CLIENT_RULE_ENUM
    CLIENT_RULE_COUNT
};

/* The clause ID, e.g. "client.key-length". */
const char *client_rule_clause(enum client_rule rule);

/* The excerpt's size: enough to recognise a request, bounded. */
enum { CLIENT_EXCERPT_MAX = 160 };

struct client_finding {
    enum client_rule rule;
    uint64_t conn;    /* the server's connection number, from 1 */
    uint64_t request; /* the request's number on its connection, from 1 */
    char excerpt[CLIENT_EXCERPT_MAX]; /* JSON-escaped, NUL-ended */
};

typedef void (*client_finding_fn)(void *ctx, const struct client_finding *f);

struct client_check {
    bool reject;  /* =reject: a violating request gets an error */
    uint64_t counts[CLIENT_RULE_COUNT];
    uint64_t total;
    client_finding_fn sink; /* may be NULL */
    void *sink_ctx;
};

void client_check_init(struct client_check *c, bool reject);

/*
 * The rules that request req (its slices offsets from base, `consumed`
 * bytes in all) breaks: their bits (1 << rule) are returned. value_len_max
 * is -I. Pure: the same bytes always give the same answer.
 */
uint32_t client_check_request(const uint8_t *base, size_t consumed,
                              const struct request *req,
                              uint32_t value_len_max);

/* Counts each rule of `rules`, and hands each finding to the sink, with an
 * escaped excerpt of bytes[0..len). */
void client_check_record(struct client_check *c, uint32_t rules,
                         uint64_t conn, uint64_t request,
                         const uint8_t *bytes, size_t len);

/* Writes a JSON-escaped copy of bytes[0..len) (\r \n \" \\ \u00hh),
 * NUL-ended, cut with "..." when it does not fit in out_len. */
void client_check_escape(char *out, size_t out_len, const uint8_t *bytes,
                         size_t len);

#endif
