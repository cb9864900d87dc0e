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

/* ---- responses ------------------------------------------------------------ */

/* The fixed line for each status that has one (0: composed otherwise). */
static const enum proto_reply status_lines[RESP_STATUS_COUNT] = {
    [RESP_STORED] = PROTO_REPLY_STORED,
    [RESP_NOT_STORED] = PROTO_REPLY_NOT_STORED,
    [RESP_EXISTS] = PROTO_REPLY_EXISTS,
    [RESP_NOT_FOUND] = PROTO_REPLY_NOT_FOUND,
    [RESP_DELETED] = PROTO_REPLY_DELETED,
    [RESP_TOUCHED] = PROTO_REPLY_TOUCHED,
    [RESP_END] = PROTO_REPLY_END,
    [RESP_OK] = PROTO_REPLY_OK,
    [RESP_RESET] = PROTO_REPLY_RESET,
    /* Meta statuses never reach this composer; ERROR if they did. */
    [RESP_NOOP] = PROTO_REPLY_ERROR,
    [RESP_DEBUG] = PROTO_REPLY_ERROR,
    [RESP_NON_NUMERIC] = PROTO_REPLY_NON_NUMERIC,
    [RESP_TOO_LARGE] = PROTO_REPLY_TOO_LARGE,
    [RESP_NO_MEMORY_STORE] = PROTO_REPLY_NO_MEMORY_STORE,
    [RESP_NO_MEMORY] = PROTO_REPLY_NO_MEMORY,
    [RESP_FLUSH_DISABLED] = PROTO_REPLY_FLUSH_DISABLED,
    [RESP_SHUTDOWN_DISABLED] = PROTO_REPLY_SHUTDOWN_DISABLED,
    [RESP_SHUTDOWN_MODE] = PROTO_REPLY_SHUTDOWN_MODE,
};

static void
trace_bytes(struct proto_out *out, const void *a, size_t a_len,
            const void *b, size_t b_len)
{
    CHECK(a_len + b_len <= PROTO_TRACE_MAX);
    memcpy(out->trace, a, a_len);
    if (b_len > 0) {
        memcpy(out->trace + a_len, b, b_len);
    }
    out->trace_len = a_len + b_len;
}

void
proto_text_line_out(enum proto_reply reply, struct proto_out *out,
                    bool want_trace)
{
    out->tail = proto_text_reply(reply, &out->tail_len);
    if (want_trace) {
        trace_bytes(out, out->tail, out->tail_len - 2, NULL, 0);
    }
}

void
proto_text_compose(const struct request *req, const uint8_t *base,
                   const struct response *resp, uint8_t *dst,
                   struct proto_out *out, bool want_trace)
{
    (void)req;
    (void)base;
    CHECK((unsigned)resp->status < RESP_STATUS_COUNT);
    out->head_len = 0;
    out->value = NULL;
    out->value_len = 0;
    out->tail = NULL;
    out->tail_len = 0;
    out->trace_len = 0;
    switch (resp->status) {
    case RESP_VALUE: {
        const struct response_item *it = &resp->item;
        out->head_len = proto_text_value_header(dst, it->key, it->key_len,
                                                it->flags, it->value_len,
                                                resp->with_cas, it->cas);
        out->value = it->value;
        out->value_len = it->value_len;
        out->tail = (const uint8_t *)"\r\n";
        out->tail_len = 2;
        if (want_trace) {
            trace_bytes(out, "sending key ", 12, it->key, it->key_len);
        }
        return;
    }
    case RESP_MISS:
        return; /* [get.reply]: a missing key is left out */
    case RESP_NUMBER:
        out->head_len = proto_text_number(dst, resp->number);
        break;
    case RESP_VERSION: {
        size_t n = strlen(resp->text);
        CHECK(n <= PROTO_VERSION_MAX);
        uint8_t *p = put_bytes(dst, "VERSION ", 8);
        p = put_bytes(p, resp->text, n);
        p = put_bytes(p, "\r\n", 2);
        out->head_len = (size_t)(p - dst);
        break;
    }
    case RESP_STAT:
        out->head_len = resp->text != NULL
                            ? proto_text_stat_str(dst, resp->name, resp->text)
                            : proto_text_stat_u64(dst, resp->name,
                                                  resp->number);
        break;
    case RESP_REQUEST_ERROR:
        proto_text_line_out(resp->error == REQERR_META
                                ? PROTO_REPLY_ERROR
                                : proto_text_error_reply(resp->error),
                            out, want_trace);
        return;
    default:
        proto_text_line_out(status_lines[resp->status], out, want_trace);
        return;
    }
    if (want_trace) {
        trace_bytes(out, dst, out->head_len - 2, NULL, 0);
    }
}
