/*
 * meta_parse.c - one meta command line to a request ([meta.*]).
 *
 * The checks run in memcached 1.6.18's order, so a line with several faults
 * gets the error it gets there; where mcref follows a later release or
 * declines a 1.6.18 defect the clause cited says so. Pure.
 */
#include "meta.h"

#include <stddef.h>
#include <string.h>

#include "../common/check.h"
#include "../common/decimal.h"
#include "../common/limits.h"

/* ---- base64 ------------------------------------------------------------- */

/* The value of a base64 alphabet byte, or -1. */
static int
base64_value(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

size_t
proto_meta_base64_decode(const uint8_t *src, size_t len, uint8_t *dst)
{
    if (len == 0 || len % 4 != 0) {
        return 0;
    }
    /* Padding: one or two `=` ending the last quad, nowhere else. */
    size_t pad = 0;
    if (src[len - 1] == '=') {
        pad = src[len - 2] == '=' ? 2 : 1;
    }
    size_t out = 0;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t quad = 0;
        size_t digits = i + 4 == len ? 4 - pad : 4;
        for (size_t j = 0; j < 4; j++) {
            int v = 0;
            if (j < digits) {
                v = base64_value(src[i + j]);
                if (v < 0) {
                    return 0;
                }
            }
            quad = quad << 6 | (uint32_t)v;
        }
        dst[out++] = (uint8_t)(quad >> 16);
        if (digits > 2) {
            dst[out++] = (uint8_t)(quad >> 8);
        }
        if (digits > 3) {
            dst[out++] = (uint8_t)quad;
        }
    }
    return out;
}

/* ---- flags -------------------------------------------------------------- */

/* [meta.flags]: the letters the shared flag parser knows, whatever the
 * command; E and x came after 1.6.18 ([meta.explicit-cas]). */
static bool
known_flag(uint8_t c)
{
    switch (c) {
    case 'b': case 'c': case 'C': case 'D': case 'E': case 'f': case 'F':
    case 'h': case 'I': case 'J': case 'k': case 'l': case 'L': case 'M':
    case 'N': case 'O': case 'P': case 'q': case 'R': case 's': case 't':
    case 'T': case 'u': case 'v': case 'x':
        return true;
    default:
        return false;
    }
}

/* The bytes of a flag token after its letter. */
static struct slice
flag_arg(struct slice t)
{
    struct slice a = {t.off + 1, t.len - 1};
    return a;
}

/* [meta.errors]: a TTL token as memcached's safe_strtol reads it (the
 * 64-bit value cut to 32 bits). */
static bool
arg_ttl(const uint8_t *data, struct slice a, int32_t *out)
{
    int64_t v;
    if (!decimal_parse_i64(data + a.off, a.len, &v)) {
        return false;
    }
    *out = (int32_t)(uint32_t)(uint64_t)v;
    return true;
}

static bool
arg_u64(const uint8_t *data, struct slice a, uint64_t *out)
{
    return decimal_parse_u64(data + a.off, a.len, out);
}

/*
 * [meta.errors]: reads the flags tok[first..count) into m. A flag
 * that is not a letter memcached knows, or a letter seen before, stops the
 * walk at once; a flag with a bad token is remembered and the walk goes
 * on, the last such flag naming the error (F names none: the line's
 * default, bad command line format). Returns the error, or META_ERR_NONE.
 */
static enum meta_error
parse_flags(const uint8_t *data, const struct slice *tok, uint32_t first,
            uint32_t count, struct request *req)
{
    struct meta_request *m = &req->meta;
    enum meta_error soft = META_ERR_NONE;
    bool failed = false;
    for (uint32_t i = first; i < count; i++) {
        struct slice t = tok[i];
        uint8_t c = data[t.off];
        if (c >= 127) {
            return META_ERR_DUPLICATE_FLAG; /* 1.6.18's message for these */
        }
        if (!known_flag(c)) {
            return META_ERR_INVALID_FLAG;
        }
        if (m->seen & META_BIT(c)) {
            return META_ERR_DUPLICATE_FLAG;
        }
        m->seen |= META_BIT(c);
        CHECK(m->count < LIMIT_META_FLAGS);
        m->order[m->count++] = c;
        struct slice a = flag_arg(t);
        enum meta_error e = META_ERR_NONE;
        switch (c) {
        case 'b': {
            struct slice k = m->key_token;
            size_t n = proto_meta_base64_decode(data + k.off, k.len, m->key_buf);
            if (n == 0) {
                e = META_ERR_KEY_DECODE;
            } else {
                m->key_decoded = true;
                m->key_len = (uint8_t)n;
            }
            break;
        }
        case 'N':
            e = arg_ttl(data, a, &m->vivify_ttl) ? e : META_ERR_BAD_TOKEN;
            break;
        case 'T':
            e = arg_ttl(data, a, &m->ttl) ? e : META_ERR_BAD_TOKEN;
            break;
        case 'R':
            e = arg_ttl(data, a, &m->recache_ttl) ? e : META_ERR_BAD_TOKEN;
            break;
        case 'C':
            e = arg_u64(data, a, &m->compare_cas) ? e : META_ERR_BAD_TOKEN;
            break;
        case 'E':
            e = arg_u64(data, a, &m->explicit_cas) ? e : META_ERR_BAD_TOKEN;
            break;
        case 'J':
            e = arg_u64(data, a, &m->initial) ? e : META_ERR_BAD_INITIAL;
            break;
        case 'D':
            e = arg_u64(data, a, &m->delta) ? e : META_ERR_BAD_DELTA;
            break;
        case 'F': {
            /* [meta.ms-flags-range]: 32 bits; 1.6.18 cuts larger values to
             * 32 bits, later releases refuse them, and so do we. */
            uint64_t v;
            if (arg_u64(data, a, &v) && v <= UINT32_MAX) {
                m->client_flags = (uint32_t)v;
            } else {
                failed = true;
            }
            break;
        }
        case 'M':
            if (t.len != 2) {
                e = META_ERR_MS_MODE_LEN; /* [meta.ms-modes] */
            } else {
                m->mode = data[t.off + 1];
            }
            break;
        case 'O':
            m->opaque = a; /* its length is checked after the walk */
            break;
        default:
            break; /* a flag without a token; the rest of it is ignored */
        }
        if (e != META_ERR_NONE) {
            soft = e;
            failed = true;
        }
    }
    if (!failed) {
        return META_ERR_NONE;
    }
    return soft != META_ERR_NONE ? soft : META_ERR_FORMAT;
}

/* [meta.opaque] */
static enum meta_error
check_opaque(const struct meta_request *m)
{
    BOUNDARY(m->opaque.len == LIMIT_META_OPAQUE_LEN);
    BOUNDARY(m->opaque.len == LIMIT_META_OPAQUE_LEN + 1);
    bool too_long = (m->seen & META_BIT('O')) &&
                    m->opaque.len > LIMIT_META_OPAQUE_LEN;
    return too_long ? META_ERR_OPAQUE_TOO_LONG : META_ERR_NONE;
}

/* [meta.ms-modes] */
static bool
ms_mode_ok(uint8_t mode)
{
    return mode == 'E' || mode == 'A' || mode == 'P' || mode == 'R' ||
           mode == 'S';
}

/* [meta.ma] */
static bool
ma_mode_ok(uint8_t mode)
{
    return mode == 'I' || mode == '+' || mode == 'D' || mode == '-';
}

/* ---- commands ----------------------------------------------------------- */

static void
fail(struct request *req, enum meta_error e)
{
    req->error = REQERR_META;
    req->meta.error = e;
}

/* [meta.key], [meta.token-limit]: the checks before the flags. */
static bool
key_and_count_ok(struct request *req, uint32_t count, enum meta_error many)
{
    BOUNDARY(req->key.len == LIMIT_KEY_LEN);
    BOUNDARY(req->key.len == LIMIT_KEY_LEN + 1);
    if (req->key.len > LIMIT_KEY_LEN) {
        fail(req, META_ERR_FORMAT);
        return false;
    }
    BOUNDARY(count + 1 == LIMIT_META_TOKENS);
    BOUNDARY(count + 1 == LIMIT_META_TOKENS + 1);
    if (count + 1 > LIMIT_META_TOKENS) {
        fail(req, many);
        return false;
    }
    return true;
}

/* mg, md, ma: `<cmd> <key> <flag>*`. */
static void
parse_keyed(const uint8_t *data, const struct slice *tok, uint32_t count,
            struct request *req)
{
    bool mg = req->cmd == REQ_META_GET;
    if (!key_and_count_ok(req, count, mg ? META_ERR_TOO_MANY_FLAGS_MG
                                         : META_ERR_TOO_MANY_FLAGS)) {
        return;
    }
    enum meta_error e = parse_flags(data, tok, 2, count, req);
    if (e != META_ERR_NONE) {
        /* [meta.errors]: md and ma name none of them. */
        fail(req, mg ? e : META_ERR_INVALID_OR_DUP);
        return;
    }
    if (req->cmd == REQ_META_ARITH && (req->meta.seen & META_BIT('M')) &&
        !ma_mode_ok(req->meta.mode)) {
        fail(req, META_ERR_MA_MODE);
        return;
    }
    e = check_opaque(&req->meta);
    if (e != META_ERR_NONE) {
        fail(req, e);
    }
}

/*
 * ms: `ms <key> <datalen> <flag>*`. [meta.ms-datalen]: without a valid
 * datalen the block is not read; [meta.ms-swallow], [meta.ms-swallow-all]:
 * with one, every refusal swallows it. The datalen is read first and a
 * too-long key or token count answers as memcached 1.6.40 does (1.6.18
 * checked those first and did not swallow; its count error said "options
 * flags too long").
 */
static enum meta_framing
parse_ms(const uint8_t *data, const struct slice *tok, uint32_t count,
         struct request *req)
{
    if (count == 2) {
        fail(req, META_ERR_FORMAT); /* no datalen */
        return META_FRAME_LINE;
    }
    int64_t length;
    if (!decimal_parse_i64(data + tok[2].off, tok[2].len, &length)) {
        fail(req, META_ERR_FORMAT);
        return META_FRAME_LINE;
    }
    /* As set's length ([store.bad-line]): cut to 32 bits, then bounded. */
    int32_t length32 = (int32_t)(uint32_t)(uint64_t)length;
    if (length32 < 0 || (uint32_t)length32 > LIMIT_DATA_LEN_FIELD) {
        fail(req, META_ERR_FORMAT);
        return META_FRAME_LINE;
    }
    req->value_len = (uint32_t)length32;
    if (!key_and_count_ok(req, count, META_ERR_TOO_MANY_FLAGS_MG)) {
        return META_FRAME_SWALLOW;
    }
    enum meta_error e = parse_flags(data, tok, 3, count, req);
    if (e == META_ERR_NONE && (req->meta.seen & META_BIT('M')) &&
        !ms_mode_ok(req->meta.mode)) {
        e = META_ERR_MS_MODE;
    }
    if (e == META_ERR_NONE) {
        e = check_opaque(&req->meta);
    }
    if (e != META_ERR_NONE) {
        fail(req, e);
        return META_FRAME_SWALLOW;
    }
    return META_FRAME_DATA;
}

/* [meta.me]: `me <key> [b]`; only a third token that is exactly `b`
 * counts, and every fault is a bad command line format. */
static void
parse_me(const uint8_t *data, const struct slice *tok, uint32_t count,
         struct request *req)
{
    if (count < 2 || req->key.len > LIMIT_KEY_LEN) {
        fail(req, META_ERR_FORMAT);
        return;
    }
    if (count >= 3 && tok[2].len == 1 && data[tok[2].off] == 'b') {
        struct meta_request *m = &req->meta;
        m->seen = META_BIT('b');
        m->order[m->count++] = 'b';
        size_t n = proto_meta_base64_decode(data + req->key.off, req->key.len,
                                            m->key_buf);
        if (n == 0) {
            fail(req, META_ERR_FORMAT);
            return;
        }
        m->key_decoded = true;
        m->key_len = (uint8_t)n;
    }
}

enum meta_framing
proto_meta_parse(enum request_cmd cmd, const uint8_t *data,
                 const struct slice *tok, uint32_t count, struct request *req)
{
    CHECK((unsigned)cmd - REQ_META_GET <= REQ_META_DEBUG - REQ_META_GET);
    CHECK(count >= 1);
    /* key_buf is read only up to key_len: leave the rest as it is. */
    memset(&req->meta, 0, offsetof(struct meta_request, key_buf));
    req->meta.delta = 1; /* [meta.ma]: ma's default */
    req->cmd = cmd;
    if (count >= 2) {
        req->key = tok[1];
        req->meta.key_token = tok[1];
    }
    switch (cmd) {
    case REQ_META_GET:
    case REQ_META_DELETE:
    case REQ_META_ARITH:
        CHECK(count >= 2); /* the command table asks for a key */
        parse_keyed(data, tok, count, req);
        break;
    case REQ_META_SET:
        CHECK(count >= 2);
        return parse_ms(data, tok, count, req);
    case REQ_META_DEBUG:
        parse_me(data, tok, count, req);
        break;
    default: /* REQ_META_NOOP: [meta.mn] any tokens, no error */
        break;
    }
    return META_FRAME_LINE;
}
