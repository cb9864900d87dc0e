/*
 * binary.h - memcached's binary protocol: a pure packet parser and composer.
 *
 * A request is a 24-byte big-endian header (magic 0x80, opcode, key length,
 * extras length, data type, vbucket, total body length, opaque, CAS) then
 * the body: extras, key, value. A response has magic 0x81 and a status in
 * place of the vbucket. Rules: spec/protocol.md [bin.*].
 *
 * Parsing is split-proof like the text parser's ([frame.split]): the same
 * bytes give the same requests however they are split. A value is a slice
 * of the input, never copied; a refused value (too large, unknown opcode)
 * is dropped as it arrives, never buffered.
 */
#ifndef MCREF_PROTO_BINARY_H
#define MCREF_PROTO_BINARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "request.h"
#include "response.h"
#include "text.h" /* enum proto_status */

#define BIN_HEADER_LEN 24u
#define BIN_MAGIC_REQUEST 0x80u
#define BIN_MAGIC_RESPONSE 0x81u

/* Every opcode memcached 1.6.18 answers: name, code. */
#define BIN_OPCODES(X)           \
    X(GET, 0x00)                 \
    X(SET, 0x01)                 \
    X(ADD, 0x02)                 \
    X(REPLACE, 0x03)             \
    X(DELETE, 0x04)              \
    X(INCREMENT, 0x05)           \
    X(DECREMENT, 0x06)           \
    X(QUIT, 0x07)                \
    X(FLUSH, 0x08)               \
    X(GETQ, 0x09)                \
    X(NOOP, 0x0a)                \
    X(VERSION, 0x0b)             \
    X(GETK, 0x0c)                \
    X(GETKQ, 0x0d)               \
    X(APPEND, 0x0e)              \
    X(PREPEND, 0x0f)             \
    X(STAT, 0x10)                \
    X(SETQ, 0x11)                \
    X(ADDQ, 0x12)                \
    X(REPLACEQ, 0x13)            \
    X(DELETEQ, 0x14)             \
    X(INCREMENTQ, 0x15)          \
    X(DECREMENTQ, 0x16)          \
    X(QUITQ, 0x17)               \
    X(FLUSHQ, 0x18)              \
    X(APPENDQ, 0x19)             \
    X(PREPENDQ, 0x1a)            \
    X(TOUCH, 0x1c)               \
    X(GAT, 0x1d)                 \
    X(GATQ, 0x1e)                \
    X(SASL_LIST_MECHS, 0x20)     \
    X(SASL_AUTH, 0x21)           \
    X(SASL_STEP, 0x22)           \
    X(GATK, 0x23)                \
    X(GATKQ, 0x24)

enum bin_opcode {
#define BIN_OPCODE_ENUM(name, code) BIN_OP_##name = code,
    BIN_OPCODES(BIN_OPCODE_ENUM)
#undef BIN_OPCODE_ENUM
};

/* Every status mcref sends, with the body text memcached 1.6.18 sends with
 * it ([bin.status]): name, code, text ("" for none). */
#define BIN_STATUSES(X)                                                   \
    X(SUCCESS, 0x0000, "")                                                \
    X(NOT_FOUND, 0x0001, "Not found")                                     \
    X(EXISTS, 0x0002, "Data exists for key.")                             \
    X(TOO_LARGE, 0x0003, "Too large.")                                    \
    X(INVALID, 0x0004, "Invalid arguments")                               \
    X(NOT_STORED, 0x0005, "Not stored.")                                  \
    X(NON_NUMERIC, 0x0006, "Non-numeric server-side value for incr or decr") \
    X(AUTH_ERROR, 0x0020, "Auth failure.")                                \
    X(AUTH_CONTINUE, 0x0021, "")                                          \
    X(UNKNOWN, 0x0081, "Unknown command")                                 \
    X(NO_MEMORY, 0x0082, "Out of memory")

enum bin_status {
#define BIN_STATUS_ENUM(name, code, text) BIN_STATUS_##name,
    BIN_STATUSES(BIN_STATUS_ENUM)
#undef BIN_STATUS_ENUM
    BIN_STATUS_COUNT
};

/* The status's wire code, and its body text (len may be 0). */
uint16_t proto_binary_status_code(enum bin_status st);
const char *proto_binary_status_text(enum bin_status st, size_t *len);

/* The opcode's name ("GET"), or NULL for an opcode 1.6.18 does not know. */
const char *proto_binary_opcode_name(uint8_t opcode);

/* The mechanisms list mechs answers ([auth.sasl-mechs]). */
#define BIN_SASL_MECHS "PLAIN"

struct proto_bin_parser {
    uint32_t value_len_max; /* -I: longer values are refused */
    uint64_t swallow_left;  /* bytes of a refused body still to drop */
};

void proto_binary_init(struct proto_bin_parser *p, uint32_t value_len_max);

/*
 * Parses the next packet from data[0..len), as proto_text_parse does
 * (text.h): PROTO_REQUEST with *consumed bytes, PROTO_INCOMPLETE (drop
 * *consumed bytes, or with 0 wait for *needed bytes in all), or PROTO_CLOSE
 * (a bad magic byte, [bin.magic]). A request with req->bin.error other than
 * BIN_ERR_NONE is answered with that error; for BIN_ERR_INVALID,
 * BIN_ERR_LENGTHS and BIN_ERR_SASL_TOO_LONG the connection then closes. Slices are offsets from data:
 * req->key, req->value (set, append, SASL data), req->arg (stat's key).
 */
enum proto_status proto_binary_parse(struct proto_bin_parser *p,
                                     const uint8_t *data, size_t len,
                                     struct request *req, size_t *consumed,
                                     size_t *needed);

bool proto_binary_idle(const struct proto_bin_parser *p);

/* Whether the error closes the connection once answered. */
bool proto_binary_error_closes(enum binary_error error);

/* [bin.exptime]: the wire's unsigned exptime as the store's signed one
 * (values past INT32_MAX are absolute times beyond 2038: never). */
int32_t proto_binary_exptime(uint32_t raw);

/* [bin.incr]: the exptime that tells incr/decr not to create a miss. */
#define BIN_NO_CREATE 0xffffffffu

/*
 * The binary composer (proto_compose_fn). The response's `bin_status`, when
 * not 0, is the status to send (auth); otherwise the status follows from
 * resp->status. Quiet opcodes are silenced by the engine, not here.
 */
void proto_binary_compose(const struct request *req, const uint8_t *base,
                          const struct response *resp, uint8_t *dst,
                          struct proto_out *out, bool want_trace);

/* -vv: line `line` (from 0) of a request's trace, as memcached prints it:
 * "Read binary protocol data:", the header as six lines of four bytes, then
 * the opcode's name and the key (base holds the request). Returns the
 * line's length (at most PROTO_TRACE_MAX), 0 past the last line. */
size_t proto_binary_trace_request(const struct request *req,
                                  const uint8_t *base, unsigned line,
                                  uint8_t *dst);

#endif
