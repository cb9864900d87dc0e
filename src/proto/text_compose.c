/* text_compose.c - replies of the text protocol, into caller buffers. */
#include "text.h"

#include <string.h>

#include "../common/check.h"
#include "../common/decimal.h"
#include "../common/limits.h"
#include "put.h"
#include "meta.h"

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
    [REQERR_STATS_ARGS] = PROTO_REPLY_STATS_ARGS,
    [REQERR_SLAB_ID] = PROTO_REPLY_SLAB_ID,
    [REQERR_BADCLASS] = PROTO_REPLY_BADCLASS,
    [REQERR_CRAWLER_SLEEP] = PROTO_REPLY_CRAWLER_SLEEP,
    [REQERR_MEMLIMIT_SMALL] = PROTO_REPLY_MEMLIMIT_SMALL,
    [REQERR_MEMLIMIT_UNITS] = PROTO_REPLY_MEMLIMIT_UNITS,
};

enum proto_reply
proto_text_error_reply(enum request_error error)
{
    CHECK(error != REQERR_NONE);
    CHECK((unsigned)error < sizeof error_replies / sizeof error_replies[0]);
    return error_replies[error];
}

size_t
proto_text_value_header(uint8_t *dst, const uint8_t *key, size_t key_len,
                        uint32_t flags, uint64_t value_len, bool with_cas,
                        uint64_t cas)
{
    CHECK(key_len <= LIMIT_KEY_LEN);
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
    CHECK(n <= LIMIT_STAT_NAME_LEN);
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
    CHECK(n <= LIMIT_STAT_VALUE_LEN);
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
    [RESP_CRAWLER_DISABLED] = PROTO_REPLY_CRAWLER_DISABLED,
    [RESP_MEMLIMIT_FAILED] = PROTO_REPLY_MEMLIMIT_FAILED,
};

bool
proto_key_is_text(const uint8_t *key, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (key[i] <= ' ' || key[i] == 0x7f) {
            return false;
        }
    }
    return true;
}

/* memcached's uriencode: letters, digits and -._~ as they are, every other
 * byte as %XX (upper-case hex). */
static uint8_t *
put_uriencoded(uint8_t *p, const uint8_t *src, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        uint8_t c = src[i];
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
            (c >= 'A' && c <= 'Z') || c == '-' || c == '.' || c == '_' ||
            c == '~') {
            *p++ = c;
        } else {
            *p++ = '%';
            *p++ = (uint8_t)hex[c >> 4];
            *p++ = (uint8_t)hex[c & 15];
        }
    }
    return p;
}

/* [stats.cachedump]: ITEM <key> [<value bytes> b; <deadline> s]. */
static uint8_t *
put_cachedump_item(uint8_t *p, const struct response *resp)
{
    p = put_bytes(p, "ITEM ", 5);
    p = put_bytes(p, resp->item.key, resp->item.key_len);
    p = put_bytes(p, " [", 2);
    p = put_u64(p, resp->item.value_len);
    p = put_bytes(p, " b; ", 4);
    p = put_u64(p, resp->deadline_s);
    return put_bytes(p, " s]\r\n", 5);
}

/* [admin.metadump]: key=<uri> exp=<n|-1> la=<n> cas=<n> fetch=<yes|no>
 * cls=1 size=<n>, ended by a bare LF as memcached's. */
static uint8_t *
put_metadump_item(uint8_t *p, const struct response *resp)
{
    p = put_bytes(p, "key=", 4);
    p = put_uriencoded(p, resp->item.key, resp->item.key_len);
    p = put_bytes(p, " exp=", 5);
    if (resp->deadline_s == 0) {
        p = put_bytes(p, "-1", 2);
    } else {
        p = put_u64(p, resp->deadline_s);
    }
    p = put_bytes(p, " la=", 4);
    p = put_u64(p, resp->accessed_s);
    p = put_bytes(p, " cas=", 5);
    p = put_u64(p, resp->item.cas);
    p = put_bytes(p, " fetch=", 7);
    p = resp->fetched_before ? put_bytes(p, "yes", 3) : put_bytes(p, "no", 2);
    p = put_bytes(p, " cls=1 size=", 12);
    p = put_u64(p, resp->item.size);
    return put_bytes(p, "\n", 1);
}

/* [admin.mgdump]: mg <key>, or mg <base64> b for a key that is not text. */
static uint8_t *
put_mgdump_item(uint8_t *p, const struct response *resp)
{
    p = put_bytes(p, "mg ", 3);
    if (!resp->key_binary &&
        proto_key_is_text(resp->item.key, resp->item.key_len)) {
        p = put_bytes(p, resp->item.key, resp->item.key_len);
    } else {
        p += proto_meta_base64_encode(resp->item.key, resp->item.key_len, p);
        p = put_bytes(p, " b", 2);
    }
    return put_bytes(p, "\r\n", 2);
}

static size_t
compose_dump_item(const struct request *req, const struct response *resp,
                  uint8_t *dst)
{
    uint8_t *p;
    if (req->cmd == REQ_STATS) {
        p = put_cachedump_item(dst, resp);
    } else if (req->mode == CRAWLER_MGDUMP) {
        p = put_mgdump_item(dst, resp);
    } else {
        p = put_metadump_item(dst, resp);
    }
    CHECK((size_t)(p - dst) <= LIMIT_REPLY_HEAD_LEN);
    return (size_t)(p - dst);
}

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
        CHECK(n <= LIMIT_VERSION_LEN);
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
    case RESP_DUMP_ITEM:
        out->head_len = compose_dump_item(req, resp, dst);
        if (want_trace) {
            trace_bytes(out, "dump key ", 9, resp->item.key,
                        resp->item.key_len);
        }
        return;
    case RESP_DUMP_DISABLED:
        /* [admin.dump-disabled]: each dump says it its own way. */
        proto_text_line_out(req->cmd == REQ_STATS ? PROTO_REPLY_CACHEDUMP_OFF
                            : req->mode == CRAWLER_MGDUMP
                                ? PROTO_REPLY_MGDUMP_OFF
                                : PROTO_REPLY_METADUMP_OFF,
                            out, want_trace);
        return;
    case RESP_END:
        /* [admin.mgdump]: mgdump ends as a meta miss does. */
        proto_text_line_out(req->cmd == REQ_LRU_CRAWLER &&
                                    req->mode == CRAWLER_MGDUMP
                                ? PROTO_REPLY_MGDUMP_END
                                : PROTO_REPLY_END,
                            out, want_trace);
        return;
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
