/* binary_parse.c - binary request packets into requests ([bin.*]). */
#include "binary.h"

#include <stddef.h>
#include <string.h>

#include "../common/check.h"
#include "../common/limits.h"

/* The lengths an opcode's packets must have ([bin.lengths]). */
enum shape {
    SHAPE_NONE = 0, /* not an opcode 1.6.18 knows */
    SHAPE_GET,      /* no extras, a key, nothing else */
    SHAPE_STORE,    /* 8 bytes of extras, a key, a value */
    SHAPE_CONCAT,   /* no extras, a key, a value */
    SHAPE_ARITH,    /* 20 bytes of extras, a key, nothing else */
    SHAPE_EMPTY,    /* no body at all */
    SHAPE_FLUSH,    /* no key, extras of 0 or 4 bytes, nothing else */
    SHAPE_STAT,     /* no extras, an optional key, nothing else */
    SHAPE_TOUCH,    /* 4 bytes of extras, a key, nothing else */
    SHAPE_SASL,     /* no extras, a mechanism name, its data */
};

struct opcode_info {
    uint8_t shape;
    bool quiet;
    bool with_key;
};

static const struct opcode_info opcodes[256] = {
    [BIN_OP_GET] = {SHAPE_GET, false, false},
    [BIN_OP_GETQ] = {SHAPE_GET, true, false},
    [BIN_OP_GETK] = {SHAPE_GET, false, true},
    [BIN_OP_GETKQ] = {SHAPE_GET, true, true},
    [BIN_OP_DELETE] = {SHAPE_GET, false, false},
    [BIN_OP_DELETEQ] = {SHAPE_GET, true, false},
    [BIN_OP_SET] = {SHAPE_STORE, false, false},
    [BIN_OP_SETQ] = {SHAPE_STORE, true, false},
    [BIN_OP_ADD] = {SHAPE_STORE, false, false},
    [BIN_OP_ADDQ] = {SHAPE_STORE, true, false},
    [BIN_OP_REPLACE] = {SHAPE_STORE, false, false},
    [BIN_OP_REPLACEQ] = {SHAPE_STORE, true, false},
    [BIN_OP_APPEND] = {SHAPE_CONCAT, false, false},
    [BIN_OP_APPENDQ] = {SHAPE_CONCAT, true, false},
    [BIN_OP_PREPEND] = {SHAPE_CONCAT, false, false},
    [BIN_OP_PREPENDQ] = {SHAPE_CONCAT, true, false},
    [BIN_OP_INCREMENT] = {SHAPE_ARITH, false, false},
    [BIN_OP_INCREMENTQ] = {SHAPE_ARITH, true, false},
    [BIN_OP_DECREMENT] = {SHAPE_ARITH, false, false},
    [BIN_OP_DECREMENTQ] = {SHAPE_ARITH, true, false},
    [BIN_OP_QUIT] = {SHAPE_EMPTY, false, false},
    [BIN_OP_QUITQ] = {SHAPE_EMPTY, true, false},
    [BIN_OP_NOOP] = {SHAPE_EMPTY, false, false},
    [BIN_OP_VERSION] = {SHAPE_EMPTY, false, false},
    [BIN_OP_FLUSH] = {SHAPE_FLUSH, false, false},
    [BIN_OP_FLUSHQ] = {SHAPE_FLUSH, true, false},
    [BIN_OP_STAT] = {SHAPE_STAT, false, false},
    [BIN_OP_TOUCH] = {SHAPE_TOUCH, false, false},
    [BIN_OP_GAT] = {SHAPE_TOUCH, false, false},
    [BIN_OP_GATQ] = {SHAPE_TOUCH, true, false},
    [BIN_OP_GATK] = {SHAPE_TOUCH, false, true},
    [BIN_OP_GATKQ] = {SHAPE_TOUCH, true, true},
    [BIN_OP_SASL_LIST_MECHS] = {SHAPE_EMPTY, false, false},
    [BIN_OP_SASL_AUTH] = {SHAPE_SASL, false, false},
    [BIN_OP_SASL_STEP] = {SHAPE_SASL, false, false},
};

static const char *const opcode_names[256] = {
#define BIN_OPCODE_NAME(name, code) [code] = #name,
    BIN_OPCODES(BIN_OPCODE_NAME)
#undef BIN_OPCODE_NAME
};

const char *
proto_binary_opcode_name(uint8_t opcode)
{
    return opcode_names[opcode];
}

void
proto_binary_init(struct proto_bin_parser *p, uint32_t value_len_max)
{
    CHECK(p != NULL);
    memset(p, 0, sizeof *p);
    p->value_len_max = value_len_max;
}

bool
proto_binary_idle(const struct proto_bin_parser *p)
{
    return p->swallow_left == 0;
}

bool
proto_binary_error_closes(enum binary_error error)
{
    return error == BIN_ERR_INVALID || error == BIN_ERR_LENGTHS ||
           error == BIN_ERR_SASL_TOO_LONG;
}

int32_t
proto_binary_exptime(uint32_t raw)
{
    return raw > (uint32_t)INT32_MAX ? INT32_MAX : (int32_t)raw;
}

static uint32_t
get_u16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t
get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) << 32 | get_u32(p + 4);
}

/* [bin.lengths]: whether the lengths fit the opcode's shape. */
static bool
lengths_fit(enum shape shape, uint32_t key, uint32_t ext, uint32_t body)
{
    switch (shape) {
    case SHAPE_GET:
        return ext == 0 && key > 0 && body == key;
    case SHAPE_STORE:
        return ext == 8 && key > 0;
    case SHAPE_CONCAT:
        return ext == 0 && key > 0;
    case SHAPE_ARITH:
        return ext == 20 && key > 0 && body == key + ext;
    case SHAPE_EMPTY:
        return ext == 0 && key == 0 && body == 0;
    case SHAPE_FLUSH:
        return key == 0 && body == ext && (ext == 0 || ext == 4);
    case SHAPE_STAT:
        return ext == 0 && body == key;
    case SHAPE_TOUCH:
        return ext == 4 && key > 0 && body == key + ext;
    case SHAPE_SASL:
        return ext == 0 && key > 0; /* the data's bound: see below */
    case SHAPE_NONE:
        break;
    }
    return false;
}

/* Decodes the extras (all present in data) into req. */
static void
decode_extras(enum shape shape, const uint8_t *ext, uint32_t ext_len,
              struct request *req)
{
    switch (shape) {
    case SHAPE_STORE:
        req->flags = get_u32(ext);
        req->bin.raw_exptime = get_u32(ext + 4);
        break;
    case SHAPE_ARITH:
        req->delta = get_u64(ext);
        req->bin.initial = get_u64(ext + 8);
        req->bin.raw_exptime = get_u32(ext + 16);
        break;
    case SHAPE_TOUCH:
        req->bin.raw_exptime = get_u32(ext);
        break;
    case SHAPE_FLUSH:
        req->bin.has_delay = ext_len == 4;
        req->bin.raw_exptime = ext_len == 4 ? get_u32(ext) : 0;
        break;
    default:
        break;
    }
    req->exptime = proto_binary_exptime(req->bin.raw_exptime);
}

enum proto_status
proto_binary_parse(struct proto_bin_parser *p, const uint8_t *data,
                   size_t len, struct request *req, size_t *consumed,
                   size_t *needed)
{
    CHECK(p != NULL);
    CHECK(data != NULL || len == 0);
    CHECK(req != NULL);
    CHECK(consumed != NULL);
    CHECK(needed != NULL);
    *consumed = 0;
    *needed = 0;
    if (p->swallow_left > 0) {
        /* A refused body: dropped as it comes, whatever it holds. */
        size_t n = len < p->swallow_left ? len : (size_t)p->swallow_left;
        p->swallow_left -= n;
        *consumed = n;
        return PROTO_INCOMPLETE;
    }
    if (len < BIN_HEADER_LEN) {
        *needed = BIN_HEADER_LEN;
        return PROTO_INCOMPLETE;
    }
    if (data[0] != BIN_MAGIC_REQUEST) {
        return PROTO_CLOSE; /* [bin.magic] */
    }
    memset(req, 0, offsetof(struct request, meta));
    req->cmd = REQ_BINARY;
    struct binary_request *b = &req->bin;
    memcpy(b->header, data, BIN_HEADER_LEN);
    b->opcode = data[1];
    uint32_t key_len = get_u16(data + 2);
    uint32_t ext_len = data[4];
    uint32_t body_len = get_u32(data + 8);
    b->opaque = get_u32(data + 12);
    req->cas_unique = get_u64(data + 16);
    const struct opcode_info *info = &opcodes[b->opcode];
    b->quiet = info->quiet;
    b->with_key = info->with_key;
    *consumed = BIN_HEADER_LEN;
    /* [bin.lengths] before [bin.key-length], as memcached decides. */
    if ((uint64_t)key_len + ext_len > body_len) {
        b->error = BIN_ERR_LENGTHS; /* [bin.lengths] */
        return PROTO_REQUEST;
    }
    if (key_len > LIMIT_KEY_LEN) {
        b->error = BIN_ERR_INVALID; /* [bin.key-length] */
        return PROTO_REQUEST;
    }
    if (info->shape == SHAPE_NONE) {
        /* [bin.unknown]: the whole body is dropped, so the next packet is
         * read from its own first byte. */
        b->error = BIN_ERR_UNKNOWN;
        p->swallow_left = body_len;
        return PROTO_REQUEST;
    }
    if (!lengths_fit(info->shape, key_len, ext_len, body_len)) {
        b->error = BIN_ERR_INVALID;
        return PROTO_REQUEST;
    }
    if (info->shape == SHAPE_SASL &&
        body_len - key_len > LIMIT_SASL_DATA_LEN) {
        /* [auth.sasl]: mcref's bound, not a shape fault of the client's. */
        b->error = BIN_ERR_SASL_TOO_LONG;
        return PROTO_REQUEST;
    }
    uint32_t value_len = body_len - key_len - ext_len;
    uint64_t head_len = (uint64_t)BIN_HEADER_LEN + ext_len + key_len;
    bool too_large = value_len > p->value_len_max;
    uint64_t want = too_large ? head_len : head_len + value_len;
    if (len < want) {
        *consumed = 0;
        *needed = (size_t)want;
        return PROTO_INCOMPLETE;
    }
    decode_extras(info->shape, data + BIN_HEADER_LEN, ext_len, req);
    req->key = (struct slice){(uint32_t)(BIN_HEADER_LEN + ext_len), key_len};
    req->value_len = value_len;
    if (info->shape == SHAPE_STAT) {
        req->arg = req->key;
    }
    if (too_large) {
        /* [bin.too-large]: answered once the key is known, the value
         * dropped as it arrives. */
        b->error = BIN_ERR_TOO_LARGE;
        p->swallow_left = value_len;
        *consumed = (size_t)head_len;
        return PROTO_REQUEST;
    }
    req->value = (struct slice){(uint32_t)head_len, value_len};
    *consumed = (size_t)want;
    return PROTO_REQUEST;
}
