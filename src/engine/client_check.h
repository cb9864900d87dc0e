/*
 * client_check.h - strict mode: the client-side rules of spec §21, checked
 * on every request a client sends ([client.*]).
 *
 * The rules a request breaks are decided in proto/ (proto_client_lint(),
 * proto_binary_client_lint(),
 * proto/client_lint.h); here they are only counted and recorded. The session
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

#include "../common/limits.h"
#include "../proto/client_lint.h"

/* The clause ID, e.g. "client.key-length". */
const char *client_rule_clause(enum client_rule rule);

struct client_finding {
    enum client_rule rule;
    uint64_t conn;    /* the server's connection number, from 1 */
    uint64_t request; /* the request's number on its connection, from 1 */
    char excerpt[LIMIT_CLIENT_EXCERPT]; /* JSON-escaped, NUL-ended */
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

/* Counts each rule of `rules`, and hands each finding to the sink, with an
 * escaped excerpt of bytes[0..len). */
void client_check_record(struct client_check *c, uint32_t rules,
                         uint64_t conn, uint64_t request,
                         const uint8_t *bytes, size_t len);

/* The same for a binary packet, whose excerpt is hex (escape_hex). */
void client_check_record_binary(struct client_check *c, uint32_t rules,
                                uint64_t conn, uint64_t request,
                                const uint8_t *bytes, size_t len);

/* Writes bytes[0..len) as lowercase hex, a space after every 4 bytes (as
 * -vv prints a header), NUL-ended, cut with "..." when it does not fit. */
void client_check_escape_hex(char *out, size_t out_len, const uint8_t *bytes,
                             size_t len);

/* Writes a JSON-escaped copy of bytes[0..len) (\r \n \" \\ \u00hh),
 * NUL-ended, cut with "..." when it does not fit in out_len. */
void client_check_escape(char *out, size_t out_len, const uint8_t *bytes,
                         size_t len);

#endif
