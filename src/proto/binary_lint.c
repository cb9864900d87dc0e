/* binary_lint.c - the client rules of spec §21 over one binary packet. */
#include "client_lint.h"

#include "../common/check.h"
#include "../common/limits.h"
#include "binary.h"

static uint32_t
header_u16(const uint8_t *h, unsigned at)
{
    return (uint32_t)h[at] << 8 | h[at + 1];
}

/* The opcodes whose extras carry an exptime ([bin.lengths]); flush's
 * delay is left alone, as text's flush_all delay is. */
static bool
has_exptime(uint8_t opcode)
{
    switch (opcode) {
    case BIN_OP_SET: case BIN_OP_SETQ: case BIN_OP_ADD: case BIN_OP_ADDQ:
    case BIN_OP_REPLACE: case BIN_OP_REPLACEQ:
    case BIN_OP_INCREMENT: case BIN_OP_INCREMENTQ:
    case BIN_OP_DECREMENT: case BIN_OP_DECREMENTQ:
    case BIN_OP_TOUCH: case BIN_OP_GAT: case BIN_OP_GATQ:
    case BIN_OP_GATK: case BIN_OP_GATKQ:
        return true;
    default:
        return false;
    }
}

static bool
is_arith(uint8_t opcode)
{
    return opcode == BIN_OP_INCREMENT || opcode == BIN_OP_INCREMENTQ ||
           opcode == BIN_OP_DECREMENT || opcode == BIN_OP_DECREMENTQ;
}

/* [client.binary-cas]: the opcodes a CAS in the header changes
 * ([bin.store], [bin.append], [bin.delete], incr/decr as memcached). */
static bool
uses_cas(uint8_t opcode)
{
    switch (opcode) {
    case BIN_OP_SET: case BIN_OP_SETQ: case BIN_OP_ADD: case BIN_OP_ADDQ:
    case BIN_OP_REPLACE: case BIN_OP_REPLACEQ: case BIN_OP_APPEND:
    case BIN_OP_APPENDQ: case BIN_OP_PREPEND: case BIN_OP_PREPENDQ:
    case BIN_OP_DELETE: case BIN_OP_DELETEQ:
        return true;
    default:
        return is_arith(opcode);
    }
}

/* [client.exptime-range] on the wire's unsigned exptime: at most 30 days,
 * or a unix time from 2000 to 2^31-1 (past that the text protocol has no
 * such number, and a client's -1 arrives as 0xffffffff: never, not now). */
static bool
exptime_bad(uint32_t raw)
{
    return raw > (uint32_t)INT32_MAX ||
           (raw > (uint32_t)LIMIT_RELATIVE_EXPTIME &&
            raw < LIMIT_CLIENT_ABSOLUTE_EXPTIME_MIN);
}

uint32_t
proto_binary_client_lint(const struct request *req)
{
    CHECK(req != NULL);
    CHECK(req->cmd == REQ_BINARY);
    const struct binary_request *b = &req->bin;
    const uint8_t *h = b->header;
    uint32_t rules = 0;
    /* [client.binary-header]: data type 0 (raw bytes), reserved 0. */
    if (h[5] != 0 || header_u16(h, 6) != 0) {
        rules |= 1u << CLIENT_BINARY_HEADER;
    }
    switch (b->error) {
    case BIN_ERR_INVALID:
        rules |= header_u16(h, 2) > LIMIT_KEY_LEN
                     ? 1u << CLIENT_KEY_LENGTH
                     : 1u << CLIENT_BINARY_LENGTHS;
        return rules;
    case BIN_ERR_LENGTHS:
        rules |= 1u << CLIENT_BINARY_LENGTHS;
        return rules;
    case BIN_ERR_UNKNOWN:
        rules |= 1u << CLIENT_UNKNOWN_COMMAND;
        return rules;
    case BIN_ERR_SASL_TOO_LONG:
        return rules; /* mcref's own bound ([auth.sasl]): no client rule */
    case BIN_ERR_TOO_LARGE:
        rules |= 1u << CLIENT_VALUE_SIZE;
        break;
    case BIN_ERR_NONE:
    case BIN_ERR_REJECTED:
        break;
    }
    /* The lengths fit the opcode: its extras were decoded. */
    uint8_t op = b->opcode;
    if (has_exptime(op) &&
        !(is_arith(op) && b->raw_exptime == BIN_NO_CREATE) &&
        exptime_bad(b->raw_exptime)) {
        rules |= 1u << CLIENT_EXPTIME_RANGE;
    }
    if (req->cas_unique != 0 && !uses_cas(op)) {
        rules |= 1u << CLIENT_BINARY_CAS;
    }
    return rules;
}
