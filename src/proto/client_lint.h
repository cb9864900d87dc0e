/*
 * client_lint.h - the wire-level client rules of spec §21 ([client.*]) for
 * one parsed text, meta or binary request.
 *
 * Pure: it reads the request the parser filled and the bytes it came from,
 * and names the rules they break. The engine (engine/client_check.c) only
 * counts and records what this returns, so no protocol text lives there.
 * The session-level rules (after-quit, unanswered, quiet-noop) are in the
 * same list, since the engine records them too, but are decided by the
 * session, not here.
 */
#ifndef MCREF_PROTO_CLIENT_LINT_H
#define MCREF_PROTO_CLIENT_LINT_H

#include <stddef.h>
#include <stdint.h>

#include "request.h"

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
    X(QUIET_NOOP, "client.quiet-noop")                   \
    X(BINARY_MAGIC, "client.binary-magic")               \
    X(BINARY_LENGTHS, "client.binary-lengths")           \
    X(BINARY_HEADER, "client.binary-header")             \
    X(BINARY_CAS, "client.binary-cas")

enum client_rule {
#define CLIENT_RULE_ENUM(name, id) CLIENT_##name,
    CLIENT_RULES(CLIENT_RULE_ENUM)
#undef CLIENT_RULE_ENUM
    CLIENT_RULE_COUNT
};

/*
 * The rules that text/meta request req (its slices offsets from base,
 * `consumed` bytes in all) breaks, as bits (1 << rule). value_len_max is -I.
 * Every key of a retrieval line is looked at (the line is bounded by
 * LIMIT_GET_LINE_LEN), each once.
 */
uint32_t proto_client_lint(const uint8_t *base, size_t consumed,
                           const struct request *req, uint32_t value_len_max);

/*
 * The rules that binary request req (REQ_BINARY, as proto_binary_parse
 * filled it, whatever its bin.error) breaks, as bits (1 << rule). It reads
 * only the request: the header copy, the decoded extras and the parser's
 * verdict (key over 250 bytes, lengths that do not fit the opcode, unknown
 * opcode, value over -I), so any packet is safe to lint. A packet with a
 * bad magic byte never becomes a request (the parser closes the
 * connection): the session records [client.binary-magic] itself.
 */
uint32_t proto_binary_client_lint(const struct request *req);

#endif
