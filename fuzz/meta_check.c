/* meta_check.c - the parser's meta answers checked against the clauses. */
#include "meta_check.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../src/common/check.h"
#include "../src/common/limits.h"

/* Written here from [meta.token-limit] and [meta.opaque], not taken from
 * the parser's header. */
#define TOKENS_ALLOWED 20u /* command, key, datalen, flags, the line's end */
#define OPAQUE_ALLOWED 32u

enum frame { FRAME_LINE, FRAME_DATA, FRAME_SWALLOW };

struct expect {
    enum meta_error error;
    enum frame frame;
    uint32_t value_len; /* ms, when its datalen is valid */
};

static uint8_t
first_byte(const struct meta_check_line *l, uint32_t i)
{
    return l->data[l->tok[i].off];
}

/* Token i from byte `skip` on, NUL-terminated as memcached's tokenizer
 * leaves it, into buf (LIMIT_LINE_LEN + 1 bytes). */
static const char *
token_string(const struct meta_check_line *l, uint32_t i, uint32_t skip,
             char *buf)
{
    struct slice t = l->tok[i];
    CHECK(skip <= t.len && t.len <= LIMIT_LINE_LEN);
    memcpy(buf, l->data + t.off + skip, t.len - skip);
    buf[t.len - skip] = '\0';
    return buf;
}

/* [meta.errors]: memcached's safe_strtol, with libc as memcached has it. */
static bool
mc_strtol(const char *s, int32_t *out)
{
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE || end == s ||
        (*end != '\0' && !isspace((unsigned char)*end))) {
        return false;
    }
    *out = (int32_t)(uint32_t)(unsigned long long)v;
    return true;
}

/* [meta.errors]: memcached's safe_strtoull. */
static bool
mc_strtoull(const char *s, uint64_t *out)
{
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno == ERANGE || end == s ||
        (*end != '\0' && !isspace((unsigned char)*end))) {
        return false;
    }
    if ((long long)v < 0 && strchr(s, '-') != NULL) {
        return false;
    }
    *out = v;
    return true;
}

/* [meta.base64-key]: strict standard base64, by a bit accumulator. Returns the
 * decoded length, or -1 when the text is not base64. */
static int
b64_decode(const uint8_t *s, uint32_t n, uint8_t *out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "abcdefghijklmnopqrstuvwxyz0123456789+/";
    if (n == 0 || n % 4 != 0) {
        return -1;
    }
    uint32_t pad = 0;
    while (pad < n && s[n - 1 - pad] == '=') {
        pad++;
    }
    if (pad > 2) {
        return -1;
    }
    uint32_t acc = 0;
    uint32_t bits = 0;
    int len = 0;
    for (uint32_t i = 0; i < n - pad; i++) {
        const char *p = memchr(alphabet, s[i], 64);
        if (p == NULL) {
            return -1;
        }
        acc = (acc << 6 | (uint32_t)(p - alphabet)) & 0xfffu;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[len++] = (uint8_t)(acc >> bits);
        }
    }
    return len;
}

static bool
known_letter(uint8_t c)
{
    /* [meta.flags]: 1.6.18's shared set, plus E and x ([meta.explicit-cas]). */
    return c != 0 && strchr("bcCDEfFhIJklLMNOPqRstTuvx", c) != NULL;
}

/* [meta.errors]: the first flag that ends the walk (a byte of 127 or
 * more, a letter seen before, or an unknown one), or l->count. */
static uint32_t
first_fatal(const struct meta_check_line *l, uint32_t first,
            enum meta_error *kind)
{
    for (uint32_t i = first; i < l->count; i++) {
        uint8_t c = first_byte(l, i);
        bool repeated = c >= 127;
        for (uint32_t j = first; j < i && !repeated; j++) {
            repeated = first_byte(l, j) == c;
        }
        if (repeated) {
            *kind = META_ERR_DUPLICATE_FLAG;
            return i;
        }
        if (!known_letter(c)) {
            *kind = META_ERR_INVALID_FLAG;
            return i;
        }
    }
    return l->count;
}

/* What is wrong with flag i's token, if anything: a named error, or
 * *unnamed for a bad F (it leaves the line's default error). */
static enum meta_error
flag_fault(const struct meta_check_line *l, uint32_t i, bool *unnamed)
{
    char buf[LIMIT_LINE_LEN + 1];
    int32_t v32;
    uint64_t v64;
    uint8_t key[LIMIT_KEY_LEN];
    switch (first_byte(l, i)) {
    case 'b':
        return b64_decode(l->data + l->tok[1].off, l->tok[1].len, key) < 0
                   ? META_ERR_KEY_DECODE
                   : META_ERR_NONE;
    case 'N':
    case 'T':
    case 'R':
        return mc_strtol(token_string(l, i, 1, buf), &v32) ? META_ERR_NONE
                                                           : META_ERR_BAD_TOKEN;
    case 'C':
    case 'E':
        return mc_strtoull(token_string(l, i, 1, buf), &v64)
                   ? META_ERR_NONE
                   : META_ERR_BAD_TOKEN;
    case 'J':
        return mc_strtoull(token_string(l, i, 1, buf), &v64)
                   ? META_ERR_NONE
                   : META_ERR_BAD_INITIAL;
    case 'D':
        return mc_strtoull(token_string(l, i, 1, buf), &v64)
                   ? META_ERR_NONE
                   : META_ERR_BAD_DELTA;
    case 'F':
        /* [meta.ms-flags-range]: 32 bits or refused. */
        *unnamed = *unnamed || !mc_strtoull(token_string(l, i, 1, buf), &v64) ||
                   v64 > UINT32_MAX;
        return META_ERR_NONE;
    case 'M':
        return l->tok[i].len == 2 ? META_ERR_NONE : META_ERR_MS_MODE_LEN;
    default:
        return META_ERR_NONE;
    }
}

/* [meta.errors] for the flags tok[first..count). */
static enum meta_error
flags_error(const struct meta_check_line *l, uint32_t first)
{
    enum meta_error fatal = META_ERR_NONE;
    uint32_t end = first_fatal(l, first, &fatal);
    if (end < l->count) {
        return fatal;
    }
    /* The last named fault wins; a bad F alone gives the default. */
    bool unnamed = false;
    enum meta_error named = META_ERR_NONE;
    for (uint32_t i = end; i > first; i--) {
        enum meta_error e = flag_fault(l, i - 1, &unnamed);
        if (e != META_ERR_NONE && named == META_ERR_NONE) {
            named = e;
        }
    }
    if (named != META_ERR_NONE) {
        return named;
    }
    return unnamed ? META_ERR_FORMAT : META_ERR_NONE;
}

/* The flag token starting with letter c, or l->count. */
static uint32_t
find_flag(const struct meta_check_line *l, uint32_t first, uint8_t c)
{
    for (uint32_t i = first; i < l->count; i++) {
        if (first_byte(l, i) == c) {
            return i;
        }
    }
    return l->count;
}

/* After the flags: the mode ([meta.ms-modes], [meta.ma]), then the
 * opaque ([meta.opaque]). */
static enum meta_error
late_error(const struct meta_check_line *l, uint32_t first,
           enum request_cmd cmd)
{
    uint32_t m = find_flag(l, first, 'M');
    if (m < l->count) {
        uint8_t mode = l->data[l->tok[m].off + 1];
        if (cmd == REQ_META_SET && strchr("EAPRS", mode) == NULL) {
            return META_ERR_MS_MODE;
        }
        if (cmd == REQ_META_ARITH && strchr("I+D-", mode) == NULL) {
            return META_ERR_MA_MODE;
        }
    }
    uint32_t o = find_flag(l, first, 'O');
    if (o < l->count && l->tok[o].len - 1 > OPAQUE_ALLOWED) {
        return META_ERR_OPAQUE_TOO_LONG;
    }
    return META_ERR_NONE;
}

static enum request_cmd
meta_cmd(const struct meta_check_line *l)
{
    struct slice n = l->tok[0];
    if (n.len != 2 || l->data[n.off] != 'm') {
        return REQ_INVALID;
    }
    switch (l->data[n.off + 1]) {
    case 'g': return REQ_META_GET;
    case 's': return REQ_META_SET;
    case 'd': return REQ_META_DELETE;
    case 'a': return REQ_META_ARITH;
    case 'n': return REQ_META_NOOP;
    case 'e': return REQ_META_DEBUG;
    default: return REQ_INVALID;
    }
}

bool
meta_check_is_meta_line(const struct meta_check_line *l)
{
    if (l->count == 0) {
        return false;
    }
    enum request_cmd cmd = meta_cmd(l);
    return cmd == REQ_META_NOOP || cmd == REQ_META_DEBUG ||
           (cmd != REQ_INVALID && l->count >= 2);
}

static struct expect
expect_line(const struct meta_check_line *l, enum request_cmd cmd)
{
    struct expect x = {META_ERR_NONE, FRAME_LINE, 0};
    char buf[LIMIT_LINE_LEN + 1];
    uint8_t key[LIMIT_KEY_LEN];
    if (cmd == REQ_META_NOOP) {
        return x;
    }
    if (cmd == REQ_META_DEBUG) { /* [meta.me] */
        bool b = l->count >= 3 && l->tok[2].len == 1 &&
                 first_byte(l, 2) == 'b';
        if (l->count < 2 || l->tok[1].len > LIMIT_KEY_LEN ||
            (b && b64_decode(l->data + l->tok[1].off, l->tok[1].len, key) <
                      0)) {
            x.error = META_ERR_FORMAT;
        }
        return x;
    }
    uint32_t first = 2;
    if (cmd == REQ_META_SET) {
        /* [meta.ms-datalen]: without a valid datalen nothing is read;
         * [meta.ms-swallow-all]: with one, every refusal swallows. */
        int32_t n;
        if (l->count == 2 || !mc_strtol(token_string(l, 2, 0, buf), &n) ||
            n < 0 || (uint32_t)n > LIMIT_DATA_LEN_FIELD) {
            x.error = META_ERR_FORMAT;
            return x;
        }
        x.value_len = (uint32_t)n;
        x.frame = FRAME_SWALLOW;
        first = 3;
    }
    /* [meta.key], then [meta.token-limit]. */
    if (l->tok[1].len > LIMIT_KEY_LEN) {
        x.error = META_ERR_FORMAT;
        return x;
    }
    if (l->count + 1 > TOKENS_ALLOWED) {
        /* ms answers as mg since 1.6.40 (the case of [meta.ms-swallow-all]). */
        x.error = cmd == REQ_META_GET || cmd == REQ_META_SET
                      ? META_ERR_TOO_MANY_FLAGS_MG
                      : META_ERR_TOO_MANY_FLAGS;
        return x;
    }
    x.error = flags_error(l, first);
    if (x.error != META_ERR_NONE &&
        (cmd == REQ_META_DELETE || cmd == REQ_META_ARITH)) {
        x.error = META_ERR_INVALID_OR_DUP;
    }
    if (x.error == META_ERR_NONE) {
        x.error = late_error(l, first, cmd);
    }
    if (cmd == REQ_META_SET) { /* [meta.ms-swallow] */
        x.frame = x.error == META_ERR_NONE ? FRAME_DATA : FRAME_SWALLOW;
    }
    return x;
}

static bool
same_slice(struct slice a, struct slice b)
{
    return a.off == b.off && a.len == b.len;
}

/* With no error: every flag decoded as the clauses read it. */
static void
check_values(const struct meta_check_line *l, enum request_cmd cmd,
             const struct meta_request *m)
{
    char buf[LIMIT_LINE_LEN + 1];
    uint32_t first = cmd == REQ_META_SET ? 3 : 2;
    uint64_t seen = 0;
    uint32_t n = 0;
    bool b = false;
    if (cmd == REQ_META_NOOP) {
        return;
    }
    if (cmd == REQ_META_DEBUG) {
        b = l->count >= 3 && l->tok[2].len == 1 && first_byte(l, 2) == 'b';
    } else {
        for (uint32_t i = first; i < l->count; i++, n++) {
            uint8_t c = first_byte(l, i);
            CHECK(m->order[n] == c);
            seen |= META_BIT(c);
            int32_t v32 = 0;
            uint64_t v64 = 0;
            const char *arg = token_string(l, i, 1, buf);
            switch (c) {
            case 'T': CHECK(mc_strtol(arg, &v32) && m->ttl == v32); break;
            case 'N': CHECK(mc_strtol(arg, &v32) && m->vivify_ttl == v32); break;
            case 'R': CHECK(mc_strtol(arg, &v32) && m->recache_ttl == v32); break;
            case 'C': CHECK(mc_strtoull(arg, &v64) && m->compare_cas == v64); break;
            case 'E': CHECK(mc_strtoull(arg, &v64) && m->explicit_cas == v64); break;
            case 'J': CHECK(mc_strtoull(arg, &v64) && m->initial == v64); break;
            case 'D': CHECK(mc_strtoull(arg, &v64) && m->delta == v64); break;
            case 'F': CHECK(mc_strtoull(arg, &v64) && m->client_flags == v64); break;
            case 'M': CHECK(m->mode == l->data[l->tok[i].off + 1]); break;
            case 'O': {
                struct slice o = {l->tok[i].off + 1, l->tok[i].len - 1};
                CHECK(same_slice(m->opaque, o));
                break;
            }
            case 'b': b = true; break;
            default: break;
            }
        }
        CHECK(m->count == n && m->seen == seen);
        CHECK((seen & META_BIT('D')) || m->delta == 1); /* [meta.ma] */
    }
    CHECK(m->key_decoded == b);
    if (b) {
        uint8_t key[LIMIT_KEY_LEN];
        int len = b64_decode(l->data + l->tok[1].off, l->tok[1].len, key);
        CHECK(len > 0 && m->key_len == (uint32_t)len);
        CHECK(memcmp(m->key_buf, key, (size_t)len) == 0);
    }
}

void
meta_check_request(const struct meta_check_line *l, uint32_t value_len_max,
                   const struct request *req, size_t consumed,
                   const struct proto_text_parser *after)
{
    CHECK(l->count >= 1 && meta_cmd(l) == req->cmd);
    CHECK(meta_check_is_meta_line(l));
    CHECK(!req->noreply); /* `q` never silences an error: it is a flag */
    if (l->count >= 2) {
        CHECK(same_slice(req->key, l->tok[1]));
        CHECK(same_slice(req->meta.key_token, l->tok[1]));
    }
    struct expect x = expect_line(l, req->cmd);
    enum request_error got_error = req->error;
    if (x.frame == FRAME_DATA) {
        /* [meta.ms-store]: framed as set's data block. */
        CHECK(req->value_len == x.value_len);
        if (x.value_len > value_len_max) {
            CHECK(got_error == REQERR_TOO_LARGE);
            CHECK(consumed == l->line_end && req->value.len == 0);
            CHECK(after->swallow_left == (uint64_t)x.value_len + 2);
        } else {
            CHECK(consumed == l->line_end + x.value_len + 2);
            CHECK(req->value.off == l->line_end &&
                  req->value.len == x.value_len);
            const uint8_t *tail = l->data + l->line_end + x.value_len;
            bool crlf = tail[0] == '\r' && tail[1] == '\n';
            CHECK(got_error == (crlf ? REQERR_NONE : REQERR_BAD_CHUNK));
            CHECK(proto_text_idle(after));
        }
        got_error = REQERR_NONE; /* the line itself was fine */
    } else if (x.frame == FRAME_SWALLOW) {
        CHECK(req->value_len == x.value_len);
        CHECK(consumed == l->line_end && req->value.len == 0);
        CHECK(after->swallow_left == (uint64_t)x.value_len + 2);
    } else {
        CHECK(consumed == l->line_end && req->value.len == 0);
        CHECK(proto_text_idle(after));
    }
    if (x.error == META_ERR_NONE) {
        CHECK(got_error == REQERR_NONE);
        check_values(l, req->cmd, &req->meta);
    } else {
        CHECK(got_error == REQERR_META && req->meta.error == x.error);
    }
}
