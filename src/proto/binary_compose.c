/* binary_compose.c - the engine's responses as binary packets ([bin.*]). */
#include "binary.h"

#include <string.h>

#include "../common/check.h"
#include "../common/decimal.h"
#include "../common/limits.h"

struct status_row {
    uint16_t code;
    const char *text;
    size_t len;
};

static const struct status_row statuses[BIN_STATUS_COUNT] = {
#define BIN_STATUS_ROW(name, code, text) {code, text, sizeof(text) - 1},
    BIN_STATUSES(BIN_STATUS_ROW)
#undef BIN_STATUS_ROW
};

uint16_t
proto_binary_status_code(enum bin_status st)
{
    CHECK((unsigned)st < BIN_STATUS_COUNT);
    return statuses[st].code;
}

const char *
proto_binary_status_text(enum bin_status st, size_t *len)
{
    CHECK((unsigned)st < BIN_STATUS_COUNT);
    *len = statuses[st].len;
    return statuses[st].text;
}

/* The status a response carries ([bin.status]). */
static enum bin_status
status_of(const struct request *req, const struct response *resp)
{
    if (resp->bin_status != 0) {
        CHECK(resp->bin_status < BIN_STATUS_COUNT);
        return (enum bin_status)resp->bin_status;
    }
    switch (resp->status) {
    case RESP_NOT_STORED:
        return BIN_STATUS_NOT_STORED;
    case RESP_EXISTS:
        return BIN_STATUS_EXISTS;
    case RESP_NOT_FOUND:
    case RESP_MISS:
        return BIN_STATUS_NOT_FOUND;
    case RESP_NON_NUMERIC:
        return BIN_STATUS_NON_NUMERIC;
    case RESP_TOO_LARGE:
        return BIN_STATUS_TOO_LARGE;
    case RESP_NO_MEMORY:
    case RESP_NO_MEMORY_STORE:
        return BIN_STATUS_NO_MEMORY;
    case RESP_FLUSH_DISABLED:
    case RESP_SHUTDOWN_DISABLED:
    case RESP_SHUTDOWN_MODE:
        return BIN_STATUS_AUTH_ERROR; /* [bin.flush-disabled] */
    case RESP_REQUEST_ERROR:
        switch (req->bin.error) {
        case BIN_ERR_INVALID:
        case BIN_ERR_SASL_TOO_LONG:
        case BIN_ERR_REJECTED:
            return BIN_STATUS_INVALID;
        case BIN_ERR_LENGTHS:
        case BIN_ERR_UNKNOWN:
            return BIN_STATUS_UNKNOWN;
        case BIN_ERR_TOO_LARGE:
            return BIN_STATUS_TOO_LARGE;
        case BIN_ERR_NONE:
            break;
        }
        return BIN_STATUS_NOT_FOUND; /* stat: an unknown group */
    default:
        return BIN_STATUS_SUCCESS;
    }
}

static uint8_t *
put_u16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

static uint8_t *
put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return p + 4;
}

static uint8_t *
put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)(v >> 32));
    return put_u32(p + 4, (uint32_t)v);
}

static void
put_header(uint8_t *dst, const struct request *req, uint16_t status,
           uint32_t key_len, uint32_t ext_len, uint64_t body_len,
           uint64_t cas)
{
    CHECK(body_len <= UINT32_MAX);
    dst[0] = BIN_MAGIC_RESPONSE;
    dst[1] = req->bin.opcode;
    put_u16(dst + 2, key_len);
    dst[4] = (uint8_t)ext_len;
    dst[5] = 0;
    put_u16(dst + 6, status);
    put_u32(dst + 8, (uint32_t)body_len);
    put_u32(dst + 12, req->bin.opaque);
    put_u64(dst + 16, cas);
}

static size_t
hex_bytes(uint8_t *dst, const char *title, const uint8_t *bytes, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t len = strlen(title);
    memcpy(dst, title, len);
    for (size_t i = 0; i < n; i++) {
        dst[len++] = ' ';
        dst[len++] = '0';
        dst[len++] = 'x';
        dst[len++] = (uint8_t)digits[bytes[i] >> 4];
        dst[len++] = (uint8_t)digits[bytes[i] & 15];
    }
    CHECK(len <= PROTO_TRACE_MAX);
    return len;
}

size_t
proto_binary_trace_request(const struct request *req, const uint8_t *base,
                           unsigned line, uint8_t *dst)
{
    static const char title[] = "Read binary protocol data:";
    if (line == 0) {
        memcpy(dst, title, sizeof title - 1);
        return sizeof title - 1;
    }
    if (line <= BIN_HEADER_LEN / 4) {
        size_t n = hex_bytes(dst, "  ", req->bin.header + 4 * (line - 1), 4);
        return n;
    }
    const char *name = proto_binary_opcode_name(req->bin.opcode);
    if (line > BIN_HEADER_LEN / 4 + 1 || name == NULL ||
        req->bin.error != BIN_ERR_NONE) {
        return 0;
    }
    size_t len = strlen(name);
    memcpy(dst, name, len);
    if (req->key.len > 0) {
        dst[len++] = ' ';
        memcpy(dst + len, base + req->key.off, req->key.len);
        len += req->key.len;
    }
    return len;
}

/* Whether a successful reply to this opcode shows the item's flags. */
static bool
shows_flags(uint8_t opcode)
{
    switch (opcode) {
    case BIN_OP_GET: case BIN_OP_GETQ: case BIN_OP_GETK: case BIN_OP_GETKQ:
    case BIN_OP_GAT: case BIN_OP_GATQ: case BIN_OP_GATK: case BIN_OP_GATKQ:
    case BIN_OP_TOUCH:
        return true;
    default:
        return false;
    }
}

void
proto_binary_compose(const struct request *req, const uint8_t *base,
                     const struct response *resp, uint8_t *dst,
                     struct proto_out *out, bool want_trace)
{
    (void)base;
    CHECK(req->cmd == REQ_BINARY);
    memset(out, 0, offsetof(struct proto_out, trace));
    enum bin_status st = status_of(req, resp);
    uint8_t *p = dst + BIN_HEADER_LEN;
    uint32_t key_len = 0;
    uint32_t ext_len = 0;
    uint64_t cas = 0;
    if (st != BIN_STATUS_SUCCESS) {
        size_t text_len;
        const char *text = proto_binary_status_text(st, &text_len);
        if (st == BIN_STATUS_NOT_FOUND && req->bin.with_key) {
            /* [bin.getk]: a miss echoes the key instead of a text. */
            key_len = (uint32_t)req->key.len;
            memcpy(p, base + req->key.off, key_len);
            p += key_len;
        } else {
            out->tail = (const uint8_t *)text;
            out->tail_len = text_len;
        }
    } else if (resp->status == RESP_STAT) {
        size_t name_len = strlen(resp->name);
        CHECK(name_len <= LIMIT_STAT_NAME_LEN);
        key_len = (uint32_t)name_len;
        memcpy(p, resp->name, name_len);
        p += name_len;
        if (resp->text != NULL) {
            size_t n = strlen(resp->text);
            CHECK(n <= LIMIT_STAT_VALUE_LEN);
            memcpy(p, resp->text, n);
            p += n;
        } else {
            p += decimal_format_u64(resp->number, p);
        }
    } else if (resp->status == RESP_VERSION) {
        size_t n = strlen(resp->text);
        CHECK(n <= LIMIT_VERSION_LEN);
        memcpy(p, resp->text, n);
        p += n;
    } else if (resp->status == RESP_NUMBER) {
        p = put_u64(p, resp->number);
        cas = resp->item.cas;
    } else if (resp->has_item) {
        cas = resp->item.cas;
        if (shows_flags(req->bin.opcode)) {
            ext_len = 4;
            p = put_u32(p, resp->item.flags);
            if (req->bin.with_key) {
                key_len = (uint32_t)resp->item.key_len;
                memcpy(p, resp->item.key, key_len);
                p += key_len;
            }
            if (resp->status == RESP_VALUE) {
                out->value = resp->item.value;
                out->value_len = resp->item.value_len;
            }
        }
    }
    size_t head_len = (size_t)(p - dst);
    uint64_t body_len =
        head_len - BIN_HEADER_LEN + out->value_len + out->tail_len;
    put_header(dst, req, proto_binary_status_code(st), key_len, ext_len,
               body_len, cas);
    out->head_len = head_len;
    if (want_trace) {
        out->trace_len =
            hex_bytes(out->trace, "Writing bin response:", dst, BIN_HEADER_LEN);
    }
}
