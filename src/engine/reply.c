/* reply.c - responses composed into the reply queue. */
#include "reply.h"

#include "../common/check.h"
#include "../common/limits.h"

void
reply_emit(struct reply *r, const struct response *resp)
{
    /* A queue that lost its bytes (a copy-out that found no memory, even
     * for another request's write) takes nothing more: it closes. */
    if (r->failed || r->q->failed) {
        r->failed = true;
        return;
    }
    uint8_t head[LIMIT_REPLY_HEAD_LEN];
    struct proto_out out;
    bool want_trace = r->trace != NULL;
    r->compose(r->req, r->base, resp, head, &out, want_trace);
    CHECK(out.head_len <= LIMIT_REPLY_HEAD_LEN);
    bool ok = out.head_len == 0 || outq_append(r->q, head, out.head_len);
    if (ok && out.value_len > 0) {
        /* Large values go from the item itself ([mem.bounded]). */
        ok = out.value_len >= r->e->cfg.value_ref_min /* never 0 */
                 ? outq_append_ref(r->q, out.value, out.value_len)
                 : outq_append(r->q, out.value, out.value_len);
    }
    if (ok && out.tail_len > 0) {
        ok = outq_append(r->q, out.tail, out.tail_len);
    }
    if (!ok) {
        r->failed = true;
        return;
    }
    if (want_trace && out.trace_len > 0) {
        r->trace->fn(r->trace->ctx, out.trace, out.trace_len);
    }
}

/* Every status as a response with nothing else set. Zeroing a whole
 * struct response on each STORED cost more than composing it (a `rep stos`
 * of 136 bytes per reply); these are built once, at compile time. */
#define STATUS_ONLY(s) [s] = {.status = s}
static const struct response status_only[RESP_STATUS_COUNT] = {
    STATUS_ONLY(RESP_STORED),
    STATUS_ONLY(RESP_NOT_STORED),
    STATUS_ONLY(RESP_EXISTS),
    STATUS_ONLY(RESP_NOT_FOUND),
    STATUS_ONLY(RESP_DELETED),
    STATUS_ONLY(RESP_TOUCHED),
    STATUS_ONLY(RESP_VALUE),
    STATUS_ONLY(RESP_MISS),
    STATUS_ONLY(RESP_END),
    STATUS_ONLY(RESP_NUMBER),
    STATUS_ONLY(RESP_OK),
    STATUS_ONLY(RESP_RESET),
    STATUS_ONLY(RESP_VERSION),
    STATUS_ONLY(RESP_STAT),
    STATUS_ONLY(RESP_NOOP),
    STATUS_ONLY(RESP_DEBUG),
    STATUS_ONLY(RESP_DUMP_ITEM),
    STATUS_ONLY(RESP_CRAWLER_DISABLED),
    STATUS_ONLY(RESP_MEMLIMIT_FAILED),
    STATUS_ONLY(RESP_DUMP_DISABLED),
    STATUS_ONLY(RESP_REQUEST_ERROR),
    STATUS_ONLY(RESP_NON_NUMERIC),
    STATUS_ONLY(RESP_TOO_LARGE),
    STATUS_ONLY(RESP_NO_MEMORY_STORE),
    STATUS_ONLY(RESP_NO_MEMORY),
    STATUS_ONLY(RESP_FLUSH_DISABLED),
    STATUS_ONLY(RESP_SHUTDOWN_DISABLED),
    STATUS_ONLY(RESP_SHUTDOWN_MODE),
};
#undef STATUS_ONLY

void
reply_status(struct reply *r, enum response_status status, bool silent)
{
    if (silent) {
        return;
    }
    CHECK(status < RESP_STATUS_COUNT);
    const struct response *resp = &status_only[status];
    CHECK(resp->status == status); /* no status left out of the table */
    reply_emit(r, resp);
}

void
reply_item(struct response_item *out, const struct store_item *it)
{
    out->key = it->key;
    out->key_len = it->key_len;
    out->value = it->value;
    out->value_len = it->value_len;
    out->flags = it->flags;
    out->cas = it->cas;
    out->size = it->size;
}
