/*
 * response.h - what the engine answers, whatever protocol carries it.
 *
 * The engine executes a request and yields responses: values, not bytes. A
 * protocol's composer (text.h, meta.h) turns each into that protocol's bytes;
 * the reply texts live in the composers' tables and nowhere else. One
 * request may yield several responses (a retrieval: one per hit, then its
 * end; stats: one per statistic, then its end). Pointers in a response are
 * borrowed: valid only during the compose call.
 */
#ifndef MCREF_PROTO_RESPONSE_H
#define MCREF_PROTO_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/limits.h"
#include "request.h"

enum response_status {
    /* Item commands' outcomes. */
    RESP_STORED,
    RESP_NOT_STORED,
    RESP_EXISTS,
    RESP_NOT_FOUND,
    RESP_DELETED,
    RESP_TOUCHED,
    RESP_VALUE,       /* an item found (retrieval, mg); `item` is set */
    RESP_MISS,        /* a retrieval's key not found (text sends nothing) */
    RESP_END,         /* the end of a retrieval or of a stats list */
    RESP_NUMBER,      /* incr/decr, ma: `number` (ma: `item` too) */
    /* Server commands. */
    RESP_OK,
    RESP_RESET,       /* stats reset */
    RESP_VERSION,     /* `text` is the version */
    RESP_STAT,        /* one statistic: `name`, and `text` or `number` */
    RESP_NOOP,        /* mn */
    RESP_DEBUG,       /* me: `item` and the debug fields */
    RESP_DUMP_ITEM,   /* one line of a key dump, in the request's format
                         ([stats.cachedump], [admin.metadump], [admin.mgdump]):
                         `item`, `fetched_before`, deadline_s, accessed_s */
    RESP_CRAWLER_DISABLED, /* an lru_crawler subcommand mcref does not have */
    RESP_MEMLIMIT_FAILED,  /* cache_memlimit the store cannot follow */
    RESP_DUMP_DISABLED,    /* -X: the request's dump is not allowed */
    /* Errors. */
    RESP_REQUEST_ERROR, /* the parser's `error` (and meta_error) */
    RESP_NON_NUMERIC,
    RESP_TOO_LARGE,
    RESP_NO_MEMORY_STORE,
    RESP_NO_MEMORY,
    RESP_FLUSH_DISABLED,
    RESP_SHUTDOWN_DISABLED,
    RESP_SHUTDOWN_MODE,
    RESP_STATUS_COUNT
};

/* An item as a response shows it; key and value point into the store. */
struct response_item {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *value;
    size_t value_len;
    uint32_t flags;
    uint64_t cas;
    uint32_t size;     /* bytes the item takes in the store */
};

struct response {
    enum response_status status;
    enum request_error error;   /* RESP_REQUEST_ERROR */
    enum meta_error meta_error; /* RESP_REQUEST_ERROR with REQERR_META */
    bool has_item;
    bool with_cas;              /* text gets/gats: the VALUE line's CAS */
    struct response_item item;
    uint64_t number;            /* RESP_NUMBER, a numeric RESP_STAT */
    const char *name;           /* RESP_STAT */
    const char *text;           /* RESP_VERSION; RESP_STAT (NULL: number) */
    /* The meta protocol's item facts ([meta.mg-flags]). TTLs are seconds
     * left, -1 for none; `before` is as the request found the item. */
    int64_t ttl_before;
    int64_t ttl;
    bool ttl_changed;           /* T (or N's creation) set the TTL */
    bool fetched_before;        /* h */
    uint32_t idle_s;            /* l: seconds since last access */
    bool win;                   /* W */
    bool stale;                 /* X */
    bool token_sent;            /* Z */
    /* Key dumps: absolute unix times (deadline 0: never expires). */
    uint32_t deadline_s;
    uint32_t accessed_s;
    bool omit_value;            /* a hit answered without its value, as the
                                   engine decided (mg C<cas>, [meta.mg-cas-check]) */
    bool key_binary;            /* `k` shows the key in base64, with ` b` */
    /* The binary protocol: a status (enum bin_status, proto/binary.h) to
     * send instead of the one resp->status implies; 0 for none (auth). */
    uint8_t bin_status;
};

/* Whether a key can be written on a text line as it is: no byte at or
 * below space, nor DEL ([admin.mgdump]: others go base64). */
bool proto_key_is_text(const uint8_t *key, size_t len);

/* Trace text of one reply, for -vv: the reply line, or a summary. */
#define PROTO_TRACE_MAX (16u + 2u * LIMIT_KEY_LEN)

/*
 * One response as bytes: `head_len` bytes the composer wrote into the
 * caller's buffer, then `value_len` bytes of the item's value (the caller
 * may send them by reference), then `tail_len` static bytes. `trace` is
 * what -vv prints, filled only when asked.
 */
struct proto_out {
    size_t head_len;
    const uint8_t *value;
    size_t value_len;
    const uint8_t *tail;
    size_t tail_len;
    size_t trace_len;
    uint8_t trace[PROTO_TRACE_MAX];
};

/*
 * A protocol's composer: writes the response to req (whose slices are
 * offsets from base) into dst (LIMIT_REPLY_HEAD_LEN bytes) and *out; fills
 * out->trace when want_trace.
 */
typedef void (*proto_compose_fn)(const struct request *req,
                                 const uint8_t *base,
                                 const struct response *resp, uint8_t *dst,
                                 struct proto_out *out, bool want_trace);

#endif
