/* fuzz_exec.c - see fuzz_exec.h. */
#include "fuzz_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz_bin.h"
#include "fuzz_oracle.h"

static const char SENT_META[] = "mn\r\n";
static const char SENT_META_REPLY[] = "MN\r\n";
static const char SENT_TEXT[] = "get ${k}zz_sentinel\r\n";
static const char SENT_TEXT_REPLY[] = "END\r\n";

const char *
fuzz_kind_name(enum fuzz_kind k)
{
    switch (k) {
    case FUZZ_SAME: return "same";
    case FUZZ_DIVERGE: return "divergence";
    case FUZZ_CLOSE: return "close";
    case FUZZ_HANG: return "hang";
    case FUZZ_GONE: return "gone";
    case FUZZ_SETUP: return "setup";
    }
    return "?";
}

size_t
fuzz_count(const uint8_t *hay, size_t len, const uint8_t *needle,
           size_t nlen)
{
    size_t n = 0;
    if (hay == NULL || len == 0) {
        return 0; /* NULL + 0 is not defined */
    }
    const uint8_t *p = hay;
    const uint8_t *end = hay + len;
    while (nlen > 0 && p != NULL && (size_t)(end - p) >= nlen &&
           (p = memmem(p, (size_t)(end - p), needle, nlen)) != NULL) {
        n++;
        p += nlen;
    }
    return n;
}

void
fuzz_expand(const uint8_t *bytes, size_t len, const char *prefix,
            const char *cas, struct fuzz_buf *out)
{
    if (fuzz_bin_is_packet(bytes, len)) {
        fuzz_bin_expand(bytes, len, prefix, out);
        return;
    }
    size_t i = 0;
    while (i < len) {
        if (i + FUZZ_CAS_VAR_LEN <= len &&
            memcmp(bytes + i, FUZZ_CAS_VAR, FUZZ_CAS_VAR_LEN) == 0) {
            fuzz_buf_add(out, cas, strlen(cas));
            i += FUZZ_CAS_VAR_LEN;
            continue;
        }
        if (i + FUZZ_KEY_VAR_LEN <= len &&
            memcmp(bytes + i, FUZZ_KEY_VAR, FUZZ_KEY_VAR_LEN) == 0) {
            fuzz_buf_add(out, prefix, FUZZ_KEY_PREFIX_LEN);
            i += FUZZ_KEY_VAR_LEN;
        } else {
            fuzz_buf_add(out, bytes + i, 1);
            i++;
        }
    }
}

void
fuzz_last_cas(const uint8_t *p, size_t len, char cas[24])
{
    size_t i = 0;
    while (i < len) {
        const uint8_t *nl = memchr(p + i, '\n', len - i);
        size_t end = nl == NULL ? len : (size_t)(nl - p);
        const uint8_t *l = p + i;
        size_t ll = end - i;
        bool value = ll > 6 && memcmp(l, "VALUE ", 6) == 0;
        bool meta = ll >= 2 && l[0] >= 'A' && l[0] <= 'Z' && l[1] >= 'A' &&
                    l[1] <= 'Z' && (ll == 2 || l[2] == ' ' || l[2] == '\r');
        size_t token = 0;
        for (size_t j = 0; j < ll && (value || meta); j++) {
            if (l[j] != ' ' || j + 1 >= ll) {
                continue;
            }
            token++;
            size_t s = j + 1;
            if (meta && l[s] == 'c') {
                s++;
            } else if (!(value && token == 4)) {
                continue;
            }
            size_t e = s;
            while (e < ll && l[e] >= '0' && l[e] <= '9' && e - s < 20) {
                e++;
            }
            if (e > s && (e == ll || l[e] == ' ' || l[e] == '\r')) {
                memcpy(cas, l + s, e - s);
                cas[e - s] = '\0';
            }
        }
        if (value) {
            /* Skip the data block, which may hold anything. */
            size_t t = 0;
            size_t k = 0;
            unsigned long long dlen = 0;
            for (k = 0; k < ll && t < 3; k++) {
                t += l[k] == ' ';
            }
            while (k < ll && l[k] >= '0' && l[k] <= '9') {
                dlen = dlen * 10 + (unsigned long long)(l[k++] - '0');
            }
            end += dlen + 2 <= len - end ? (size_t)dlen + 2 : 0;
        }
        i = end + 1;
    }
}

void
fuzz_result_free(struct fuzz_result *r)
{
    fuzz_buf_free(&r->oracle);
    fuzz_buf_free(&r->target);
    memset(r, 0, sizeof *r);
}

bool
fuzz_result_same(const struct fuzz_result *a, const struct fuzz_result *b)
{
    return a->kind == b->kind &&
           (a->clause == b->clause ||
            (a->clause != NULL && b->clause != NULL &&
             strcmp(a->clause, b->clause) == 0)) &&
           strcmp(a->shape_oracle, b->shape_oracle) == 0;
}

static uint32_t
now_s(void)
{
    time_t t = time(NULL);
    return t > 0 ? (uint32_t)t : 1;
}

/* The part of one batch the oracle produced, request by request. */
struct batch_run {
    struct fuzz_buf data;      /* expanded requests and the sentinel */
    struct fuzz_buf odata;     /* the same for the oracle (its ${cas}) */
    struct fuzz_buf oracle;    /* raw replies */
    size_t first;              /* index of the batch's first request */
    size_t count;              /* requests in the batch */
    size_t *raw_end;           /* oracle.len after each request */
    bool oracle_closed;
    size_t split;
};

static void
judge(const struct fuzz_stream *s, const struct batch_run *b,
      struct fuzz_norm *no, struct fuzz_norm *nt, const struct fuzz_buf *traw,
      enum fuzz_io io, struct fuzz_result *r)
{
    /* Normalise the oracle request by request to map a byte to one. */
    struct fuzz_buf on = {0};
    size_t *req_end = calloc(b->count + 1, sizeof *req_end);
    size_t from = 0;
    const uint8_t *op =
        b->oracle.p != NULL ? b->oracle.p : (const uint8_t *)"";
    for (size_t j = 0; j < b->count; j++) {
        fuzz_normalise(no, op + from, b->raw_end[j] - from, &on);
        req_end[j] = on.len;
        from = b->raw_end[j];
    }
    fuzz_normalise(no, op + from, b->oracle.len - from, &on);
    req_end[b->count] = on.len;
    struct fuzz_buf tn = {0};
    fuzz_normalise(nt, traw->p, traw->len, &tn);

    size_t at = fuzz_first_difference(on.p, on.len, tn.p, tn.len);
    bool target_closed = io == FUZZ_IO_CLOSED;
    enum fuzz_kind kind = FUZZ_SAME;
    if (io == FUZZ_IO_GONE) {
        kind = FUZZ_GONE;
    } else if (b->oracle_closed && target_closed) {
        /* differences.md row 6b: a closing memcached may drop replies it
         * had queued, so the target's may be a prefix of the oracle's. */
        if (at != SIZE_MAX && !(at == tn.len && tn.len < on.len)) {
            kind = FUZZ_DIVERGE;
        }
    } else if (at != SIZE_MAX) {
        bool short_reply = at == tn.len && tn.len < on.len;
        kind = io == FUZZ_IO_TIMEOUT && short_reply ? FUZZ_HANG
               : target_closed && short_reply      ? FUZZ_CLOSE
                                                   : FUZZ_DIVERGE;
    } else if (b->oracle_closed != target_closed) {
        kind = FUZZ_CLOSE;
        at = on.len;
    }
    if (kind != FUZZ_SAME) {
        size_t j = 0;
        while (j + 1 < b->count && (at == SIZE_MAX || req_end[j] <= at)) {
            j++;
        }
        if (kind == FUZZ_CLOSE && b->oracle_closed) {
            /* The request after which the oracle closed. */
            j = b->count - 1;
        }
        r->kind = kind;
        r->request = b->first + j;
        r->batch = s->reqs[b->first].batch;
        r->clause = s->reqs[b->first + j].clause;
        fuzz_line_shape(on.p, on.len, at, r->shape_oracle);
        fuzz_line_shape(tn.p, tn.len, at, r->shape_target);
        if (kind == FUZZ_CLOSE && !target_closed) {
            snprintf(r->shape_target, FUZZ_SHAPE_LEN, "<open>");
        } else if (kind == FUZZ_CLOSE || kind == FUZZ_GONE) {
            snprintf(r->shape_target, FUZZ_SHAPE_LEN, "<closed>");
        }
        r->oracle.len = 0;
        r->target.len = 0;
        fuzz_buf_add(&r->oracle, on.p, on.len);
        fuzz_buf_add(&r->target, tn.p, tn.len);
    }
    fuzz_buf_free(&on);
    fuzz_buf_free(&tn);
    free(req_end);
}

void
fuzz_exec(const struct fuzz_stream *s, const struct fuzz_target *t,
          struct fuzz_exec_opts *o, struct fuzz_result *r)
{
    r->kind = FUZZ_SAME;
    uint64_t base = o->nonce_seed;
    uint32_t nonce = (uint32_t)(fuzz_rng_next(&base) + o->executions++);
    snprintf(r->prefix, sizeof r->prefix, "k%08x_", nonce);
    struct fuzz_oracle *oracle = fuzz_oracle_create();
    if (oracle == NULL) {
        r->kind = FUZZ_SETUP;
        return;
    }
    char err[256];
    if (!t->open(t->ctx, err, sizeof err)) {
        r->kind = FUZZ_GONE;
        r->clause = "conn.max";
        snprintf(r->shape_oracle, FUZZ_SHAPE_LEN, "<connect>");
        snprintf(r->shape_target, FUZZ_SHAPE_LEN, "<refused>");
        fuzz_oracle_destroy(&oracle);
        return;
    }
    const uint8_t *sent = (const uint8_t *)(o->sentinel_meta ? SENT_META
                                                               : SENT_TEXT);
    const uint8_t *sent_reply = (const uint8_t *)(
        o->sentinel_meta ? SENT_META_REPLY : SENT_TEXT_REPLY);
    size_t sent_len = strlen((const char *)sent);
    size_t sent_reply_len = strlen((const char *)sent_reply);
    uint8_t bin_sent[FUZZ_BIN_HEADER];
    uint8_t bin_reply[FUZZ_BIN_HEADER];
    if (o->binary) {
        /* A NOOP: its reply follows every earlier one ([bin.quiet]). */
        fuzz_bin_noop(FUZZ_BIN_SENTINEL_OPAQUE, bin_sent, bin_reply);
        sent = bin_sent;
        sent_reply = bin_reply;
        sent_len = sent_reply_len = FUZZ_BIN_HEADER;
    }
    struct fuzz_norm no = {.cas_loose = o->cas_loose};
    struct fuzz_norm nt = {.cas_loose = o->cas_loose};
    size_t *raw_end = calloc(s->count + 1, sizeof *raw_end);
    struct fuzz_buf traw = {0};
    char ocas[24] = FUZZ_CAS_NONE;
    char tcas[24] = FUZZ_CAS_NONE;
    size_t i = 0;
    while (i < s->count && r->kind == FUZZ_SAME) {
        struct batch_run b = {.first = i, .raw_end = raw_end,
                              .split = s->reqs[i].split};
        uint32_t now = now_s();
        while (i < s->count && s->reqs[i].batch == s->reqs[b.first].batch) {
            size_t at = b.odata.len;
            fuzz_expand(s->reqs[i].bytes, s->reqs[i].len, r->prefix,
                        tcas, &b.data);
            fuzz_expand(s->reqs[i].bytes, s->reqs[i].len, r->prefix,
                        ocas, &b.odata);
            if (!b.oracle_closed) {
                b.oracle_closed = !fuzz_oracle_input(
                    oracle, b.odata.p + at, b.odata.len - at, b.split, now,
                    &b.oracle);
            }
            raw_end[b.count++] = b.oracle.len;
            i++;
        }
        size_t at = b.odata.len;
        fuzz_expand(sent, sent_len, r->prefix, "", &b.data);
        fuzz_expand(sent, sent_len, r->prefix, "", &b.odata);
        if (!b.oracle_closed) {
            b.oracle_closed = !fuzz_oracle_input(
                oracle, b.odata.p + at, b.odata.len - at, 0, now, &b.oracle);
        }
        bool marked = !b.oracle_closed &&
                      fuzz_buf_ends_with(&b.oracle, sent_reply,
                                         sent_reply_len);
        traw.len = 0;
        enum fuzz_io io = t->exchange(
            t->ctx, b.data.p, b.data.len, b.split, b.oracle.len,
            sent_reply, marked ? sent_reply_len : 0,
            fuzz_count(b.oracle.p, b.oracle.len, sent_reply, sent_reply_len),
            &traw);
        r->requests_sent += b.count;
        if (io == FUZZ_IO_CLOSED && !b.oracle_closed) {
            /* A crash or a close: can the target still be reached? */
            t->close(t->ctx);
            if (!t->open(t->ctx, err, sizeof err)) {
                io = FUZZ_IO_GONE;
            }
        }
        judge(s, &b, &no, &nt, &traw, io, r);
        fuzz_last_cas(b.oracle.p, b.oracle.len, ocas);
        fuzz_last_cas(traw.p, traw.len, tcas);
        bool over = b.oracle_closed;
        fuzz_buf_free(&b.data);
        fuzz_buf_free(&b.odata);
        fuzz_buf_free(&b.oracle);
        if (over) {
            break;
        }
    }
    t->close(t->ctx);
    fuzz_buf_free(&traw);
    free(raw_end);
    fuzz_oracle_destroy(&oracle);
}

bool
fuzz_oracle_replies(const struct fuzz_stream *s, const char *prefix,
                    struct fuzz_buf **replies, size_t *closed_at)
{
    struct fuzz_oracle *oracle = fuzz_oracle_create();
    if (oracle == NULL) {
        return false;
    }
    *replies = calloc(s->count + 1, sizeof **replies);
    *closed_at = SIZE_MAX;
    struct fuzz_buf data = {0};
    uint32_t now = now_s();
    char cas[24] = FUZZ_CAS_NONE;
    char next_cas[24] = FUZZ_CAS_NONE;
    for (size_t i = 0; i < s->count; i++) {
        if (i > 0 && s->reqs[i].batch != s->reqs[i - 1].batch) {
            memcpy(cas, next_cas, sizeof cas);
        }
        data.len = 0;
        fuzz_expand(s->reqs[i].bytes, s->reqs[i].len, prefix, cas, &data);
        if (*closed_at == SIZE_MAX &&
            !fuzz_oracle_input(oracle, data.p, data.len, s->reqs[i].split,
                               now, &(*replies)[i])) {
            *closed_at = i;
        }
        fuzz_last_cas((*replies)[i].p, (*replies)[i].len, next_cas);
    }
    fuzz_buf_free(&data);
    fuzz_oracle_destroy(&oracle);
    return true;
}
