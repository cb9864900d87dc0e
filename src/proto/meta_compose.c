/*
 * meta_compose.c - the meta protocol's replies ([meta.*]), and the composer
 * of a text-line connection, where text and meta commands interleave.
 *
 * Return flags are written in the order the request sent them; the codes
 * and error lines come from meta.h's tables, and the errors meta shares with
 * the text protocol (ERROR, bad data chunk, server errors) from text.h's.
 */
#include "meta.h"

#include <string.h>

#include "../common/check.h"
#include "../common/decimal.h"
#include "put.h"
#include "text.h"

struct code_text {
    const char *wire; /* with its "\r\n" */
    size_t len;
};

static const struct code_text codes[META_CODE_COUNT] = {
#define META_CODE_ROW(name, text) {text, sizeof(text) - 1},
    META_CODES(META_CODE_ROW)
#undef META_CODE_ROW
};

static const struct code_text errors[] = {
    [META_ERR_NONE] = {"ERROR\r\n", 7}, /* never asked: see the CHECK */
#define META_ERROR_ROW(name, text) \
    [META_ERR_##name] = {text "\r\n", sizeof(text "\r\n") - 1},
    META_ERRORS(META_ERROR_ROW)
#undef META_ERROR_ROW
};

/* ---- bytes ----------------------------------------------------------------- */

static uint8_t *
put_i64(uint8_t *p, int64_t v)
{
    if (v < 0) {
        *p++ = '-';
        return put_u64(p, (uint64_t)0 - (uint64_t)v);
    }
    return put_u64(p, (uint64_t)v);
}

static uint8_t *
put_code(uint8_t *p, enum meta_code code)
{
    return put_bytes(p, codes[code].wire, codes[code].len);
}

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
proto_meta_base64_encode(const uint8_t *src, size_t len, uint8_t *dst)
{
    size_t out = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)src[i] << 16;
        size_t have = len - i < 3 ? len - i : 3;
        if (have > 1) {
            v |= (uint32_t)src[i + 1] << 8;
        }
        if (have > 2) {
            v |= src[i + 2];
        }
        dst[out++] = (uint8_t)base64_alphabet[(v >> 18) & 63];
        dst[out++] = (uint8_t)base64_alphabet[(v >> 12) & 63];
        dst[out++] = have > 1 ? (uint8_t)base64_alphabet[(v >> 6) & 63] : '=';
        dst[out++] = have > 2 ? (uint8_t)base64_alphabet[v & 63] : '=';
    }
    return out;
}

/* " k<key>", base64 and followed by " b" for a key marked binary
 * ([meta.base64-mark]). */
static uint8_t *
put_key(uint8_t *p, const struct response *resp)
{
    p = put_bytes(p, " k", 2);
    if (resp->key_binary) {
        p += proto_meta_base64_encode(resp->item.key, resp->item.key_len, p);
        return put_bytes(p, " b", 2);
    }
    return put_bytes(p, resp->item.key, resp->item.key_len);
}

static uint8_t *
put_opaque(uint8_t *p, const struct request *req, const uint8_t *base)
{
    p = put_bytes(p, " O", 2);
    return put_bytes(p, base + req->meta.opaque.off, req->meta.opaque.len);
}

static uint8_t *
put_flag_u64(uint8_t *p, uint8_t letter, uint64_t v)
{
    *p++ = ' ';
    *p++ = letter;
    return put_u64(p, v);
}

static uint8_t *
put_flag_i64(uint8_t *p, uint8_t letter, int64_t v)
{
    *p++ = ' ';
    *p++ = letter;
    return put_i64(p, v);
}

/*
 * The return flags of the letters in `which` (a META_BIT mask), in the order
 * the request sent them ([meta.return-flags]). mg's `t` shows the TTL as
 * the flags before it left it: `T` (or `N` creating the item) changes it
 * for the flags after ([meta.mg-ttl]).
 */
static uint8_t *
put_flags(uint8_t *p, const struct request *req, const uint8_t *base,
          const struct response *resp, uint64_t which)
{
    const struct meta_request *m = &req->meta;
    bool ttl_set = req->cmd != REQ_META_GET;
    for (uint32_t i = 0; i < m->count; i++) {
        uint8_t f = m->order[i];
        if ((f == 'T' || f == 'N') && resp->ttl_changed) {
            ttl_set = true;
        }
        if ((META_BIT(f) & which) == 0) {
            continue;
        }
        switch (f) {
        case 'O':
            p = put_opaque(p, req, base);
            break;
        case 'k':
            p = put_key(p, resp);
            break;
        case 'c':
            p = put_flag_u64(p, 'c', resp->item.cas);
            break;
        case 'f':
            p = put_flag_u64(p, 'f', resp->item.flags);
            break;
        case 's':
            p = put_flag_u64(p, 's', resp->item.value_len);
            break;
        case 't':
            p = put_flag_i64(p, 't', ttl_set ? resp->ttl : resp->ttl_before);
            break;
        case 'h':
            p = put_flag_u64(p, 'h', resp->fetched_before ? 1 : 0);
            break;
        case 'l':
            p = put_flag_u64(p, 'l', resp->idle_s);
            break;
        default:
            CHECK(false); /* `which` names only the letters above */
        }
    }
    return p;
}

/* The return flags each command answers with ([meta.return-flags]). */
static const uint64_t MG_HIT = META_BIT('O') | META_BIT('k') |
                               META_BIT('c') | META_BIT('f') |
                               META_BIT('s') | META_BIT('t') |
                               META_BIT('h') | META_BIT('l');
static const uint64_t KEY_OPAQUE = META_BIT('O') | META_BIT('k');
static const uint64_t MS_FLAGS = META_BIT('O') | META_BIT('k') |
                                 META_BIT('c') | META_BIT('s');
static const uint64_t MA_HIT = META_BIT('O') | META_BIT('k') |
                               META_BIT('c') | META_BIT('t');

/* ---- replies --------------------------------------------------------------- */

static void
finish_line(uint8_t *dst, uint8_t *p, struct proto_out *out, bool want_trace)
{
    out->head_len = (size_t)(p - dst);
    if (want_trace) {
        size_t n = out->head_len;
        n = n > PROTO_TRACE_MAX ? PROTO_TRACE_MAX : n;
        memcpy(out->trace, dst, n);
        out->trace_len = n;
    }
    put_bytes(p, "\r\n", 2);
    out->head_len += 2;
}

/* mg: VA/HD with the item's flags, then Z X W ([meta.mg-flags],
 * [meta.win]); EN on a miss. */
static void
compose_get(const struct request *req, const uint8_t *base,
            const struct response *resp, uint8_t *dst, struct proto_out *out,
            bool want_trace)
{
    const struct meta_request *m = &req->meta;
    uint8_t *p = dst;
    if (resp->status == RESP_MISS) {
        p = put_code(p, META_CODE_EN);
        p = put_flags(p, req, base, resp, KEY_OPAQUE);
        finish_line(dst, p, out, want_trace);
        return;
    }
    CHECK(resp->status == RESP_VALUE);
    /* The engine says when a hit goes without its value (omit_value). */
    bool value = (m->seen & META_BIT('v')) != 0 && !resp->omit_value;
    if (value) {
        p = put_code(p, META_CODE_VA);
        *p++ = ' ';
        p = put_u64(p, resp->item.value_len);
    } else {
        p = put_code(p, META_CODE_HD);
    }
    p = put_flags(p, req, base, resp, MG_HIT);
    if (resp->token_sent) {
        p = put_bytes(p, " Z", 2);
    }
    if (resp->stale) {
        p = put_bytes(p, " X", 2);
    }
    if (resp->win) {
        p = put_bytes(p, " W", 2);
    }
    finish_line(dst, p, out, want_trace);
    if (value) {
        out->value = resp->item.value;
        out->value_len = resp->item.value_len;
        out->tail = (const uint8_t *)"\r\n";
        out->tail_len = 2;
    }
}

static enum meta_code
status_code(enum response_status status)
{
    switch (status) {
    case RESP_NOT_STORED:
        return META_CODE_NS;
    case RESP_EXISTS:
        return META_CODE_EX;
    case RESP_NOT_FOUND:
    case RESP_MISS:
        return META_CODE_NF;
    default:
        return META_CODE_HD; /* stored, deleted, counted */
    }
}

/* ma: HD, or VA with the number as its value ([meta.ma]). */
static void
compose_arith(const struct request *req, const uint8_t *base,
              const struct response *resp, uint8_t *dst,
              struct proto_out *out, bool want_trace)
{
    uint8_t *p = dst;
    if (resp->status != RESP_NUMBER) {
        p = put_code(p, status_code(resp->status));
        p = put_flags(p, req, base, resp, KEY_OPAQUE);
        finish_line(dst, p, out, want_trace);
        return;
    }
    uint8_t digits[LIMIT_U64_DIGITS];
    size_t n = decimal_format_u64(resp->number, digits);
    bool value = (req->meta.seen & META_BIT('v')) != 0;
    if (value) {
        p = put_code(p, META_CODE_VA);
        *p++ = ' ';
        p = put_u64(p, n);
    } else {
        p = put_code(p, META_CODE_HD);
    }
    p = put_flags(p, req, base, resp, MA_HIT);
    finish_line(dst, p, out, want_trace);
    if (value) {
        p = put_bytes(dst + out->head_len, digits, n);
        p = put_bytes(p, "\r\n", 2);
        out->head_len += n + 2;
    }
}

/* me: one line of the item's facts ([meta.me]). */
static void
compose_debug(const struct response *resp,
              uint8_t *dst, struct proto_out *out, bool want_trace)
{
    uint8_t *p = dst;
    if (resp->status == RESP_MISS) {
        p = put_code(p, META_CODE_EN);
        finish_line(dst, p, out, want_trace);
        return;
    }
    CHECK(resp->status == RESP_DEBUG);
    p = put_code(p, META_CODE_ME);
    *p++ = ' ';
    if (resp->key_binary) {
        p += proto_meta_base64_encode(resp->item.key, resp->item.key_len, p);
    } else {
        p = put_bytes(p, resp->item.key, resp->item.key_len);
    }
    p = put_bytes(p, " exp=", 5);
    p = put_i64(p, resp->ttl);
    p = put_bytes(p, " la=", 4);
    p = put_u64(p, resp->idle_s);
    p = put_bytes(p, " cas=", 5);
    p = put_u64(p, resp->item.cas);
    p = put_bytes(p, " fetch=", 7);
    p = resp->fetched_before ? put_bytes(p, "yes", 3) : put_bytes(p, "no", 2);
    /* One "slab class" as in `stats items` ([stats.items]). */
    p = put_bytes(p, " cls=1 size=", 12);
    p = put_u64(p, resp->item.size);
    finish_line(dst, p, out, want_trace);
}

void
proto_meta_compose(const struct request *req, const uint8_t *base,
                   const struct response *resp, uint8_t *dst,
                   struct proto_out *out, bool want_trace)
{
    CHECK((unsigned)req->cmd - REQ_META_GET <= REQ_META_DEBUG - REQ_META_GET);
    out->head_len = 0;
    out->value = NULL;
    out->value_len = 0;
    out->tail = NULL;
    out->tail_len = 0;
    out->trace_len = 0;
    if (resp->status == RESP_REQUEST_ERROR && resp->error == REQERR_META) {
        /* [meta.errors] */
        CHECK(resp->meta_error != META_ERR_NONE);
        CHECK((unsigned)resp->meta_error < sizeof errors / sizeof errors[0]);
        out->tail = (const uint8_t *)errors[resp->meta_error].wire;
        out->tail_len = errors[resp->meta_error].len;
        if (want_trace) {
            memcpy(out->trace, out->tail, out->tail_len - 2);
            out->trace_len = out->tail_len - 2;
        }
        return;
    }
    switch (resp->status) {
    case RESP_VALUE:
    case RESP_MISS:
    case RESP_DEBUG:
    case RESP_NUMBER:
    case RESP_NOOP:
    case RESP_STORED:
    case RESP_NOT_STORED:
    case RESP_EXISTS:
    case RESP_NOT_FOUND:
    case RESP_DELETED:
        break;
    default:
        /* Errors the meta protocol words as the text protocol does. */
        proto_text_compose(req, base, resp, dst, out, want_trace);
        return;
    }
    uint8_t *p = dst;
    switch (req->cmd) {
    case REQ_META_GET:
        compose_get(req, base, resp, dst, out, want_trace);
        return;
    case REQ_META_ARITH:
        compose_arith(req, base, resp, dst, out, want_trace);
        return;
    case REQ_META_DEBUG:
        compose_debug(resp, dst, out, want_trace);
        return;
    case REQ_META_NOOP:
        p = put_code(p, META_CODE_MN);
        break;
    case REQ_META_SET:
        p = put_code(p, status_code(resp->status));
        p = put_flags(p, req, base, resp, MS_FLAGS);
        break;
    default: /* REQ_META_DELETE */
        p = put_code(p, status_code(resp->status));
        p = put_flags(p, req, base, resp, KEY_OPAQUE);
        break;
    }
    finish_line(dst, p, out, want_trace);
}

void
proto_line_compose(const struct request *req, const uint8_t *base,
                   const struct response *resp, uint8_t *dst,
                   struct proto_out *out, bool want_trace)
{
    if ((unsigned)req->cmd - REQ_META_GET <= REQ_META_DEBUG - REQ_META_GET) {
        proto_meta_compose(req, base, resp, dst, out, want_trace);
    } else {
        proto_text_compose(req, base, resp, dst, out, want_trace);
    }
}
