/* text_compose.c - replies of the text protocol, into caller buffers. */
#include "text.h"

#include <string.h>

#include "../common/check.h"
#include "../common/decimal.h"

struct reply_text {
    const char *name;
    const char *wire; /* with its "\r\n" */
    size_t len;
};

static const struct reply_text replies[PROTO_REPLY_COUNT] = {
#define PROTO_REPLY_ROW(name, text) \
    {#name, text "\r\n", sizeof(text "\r\n") - 1},
    PROTO_REPLIES(PROTO_REPLY_ROW)
#undef PROTO_REPLY_ROW
};

const uint8_t *
proto_text_reply(enum proto_reply reply, size_t *len)
{
    CHECK((unsigned)reply < PROTO_REPLY_COUNT);
    *len = replies[reply].len;
    return (const uint8_t *)replies[reply].wire;
}

const char *
proto_text_reply_name(enum proto_reply reply)
{
    CHECK((unsigned)reply < PROTO_REPLY_COUNT);
    return replies[reply].name;
}

static const enum proto_reply error_replies[] = {
    [REQERR_NONE] = PROTO_REPLY_ERROR, /* never asked: see the CHECK */
    [REQERR_UNKNOWN] = PROTO_REPLY_ERROR,
    [REQERR_FORMAT] = PROTO_REPLY_FORMAT,
    [REQERR_BAD_CHUNK] = PROTO_REPLY_BAD_CHUNK,
    [REQERR_TOO_LARGE] = PROTO_REPLY_TOO_LARGE,
    [REQERR_EXPTIME] = PROTO_REPLY_EXPTIME,
    [REQERR_DELTA] = PROTO_REPLY_DELTA,
    [REQERR_DELETE_USAGE] = PROTO_REPLY_DELETE_USAGE,
};

enum proto_reply
proto_text_error_reply(enum request_error error)
{
    CHECK(error != REQERR_NONE);
    CHECK((unsigned)error < sizeof error_replies / sizeof error_replies[0]);
    return error_replies[error];
}

static uint8_t *
put_bytes(uint8_t *dst, const void *src, size_t n)
{
    memcpy(dst, src, n);
    return dst + n;
}

static uint8_t *
put_u64(uint8_t *dst, uint64_t v)
{
    return dst + decimal_format_u64(v, dst);
}

size_t
proto_text_value_header(uint8_t *dst, const uint8_t *key, size_t key_len,
                        uint32_t flags, uint64_t value_len, bool with_cas,
                        uint64_t cas)
{
    CHECK(key_len <= 250);
    uint8_t *p = put_bytes(dst, "VALUE ", 6);
    p = put_bytes(p, key, key_len);
    *p++ = ' ';
    p = put_u64(p, flags);
    *p++ = ' ';
    p = put_u64(p, value_len);
    if (with_cas) {
        *p++ = ' ';
        p = put_u64(p, cas);
    }
    p = put_bytes(p, "\r\n", 2);
    CHECK((size_t)(p - dst) <= PROTO_VALUE_HEADER_MAX);
    return (size_t)(p - dst);
}

size_t
proto_text_number(uint8_t *dst, uint64_t value)
{
    uint8_t *p = put_u64(dst, value);
    p = put_bytes(p, "\r\n", 2);
    return (size_t)(p - dst);
}

static uint8_t *
put_stat_name(uint8_t *dst, const char *name)
{
    size_t n = strlen(name);
    CHECK(n > 0);
    CHECK(n <= PROTO_STAT_NAME_MAX);
    uint8_t *p = put_bytes(dst, "STAT ", 5);
    p = put_bytes(p, name, n);
    *p++ = ' ';
    return p;
}

size_t
proto_text_stat_u64(uint8_t *dst, const char *name, uint64_t value)
{
    uint8_t *p = put_stat_name(dst, name);
    p = put_u64(p, value);
    p = put_bytes(p, "\r\n", 2);
    return (size_t)(p - dst);
}

size_t
proto_text_stat_str(uint8_t *dst, const char *name, const char *value)
{
    size_t n = strlen(value);
    CHECK(n <= PROTO_STAT_VALUE_MAX);
    uint8_t *p = put_stat_name(dst, name);
    p = put_bytes(p, value, n);
    p = put_bytes(p, "\r\n", 2);
    return (size_t)(p - dst);
}
