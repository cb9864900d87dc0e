/*
 * bench_reply.c - pure parser for the replies mcref-bench expects; see
 * bench_reply.h. Reads only inside (data, len), never past it, and never
 * relies on a NUL: network bytes are scanned with explicit lengths.
 */
#include "bench_reply.h"

#include <assert.h>
#include <string.h>

#include "bench_limits.h"

/* One CRLF-terminated line: [off, off + len), the next line at next. */
struct line {
    size_t off;
    size_t len;
    size_t next;
};

static bool
bytes_equal(const uint8_t *p, size_t len, const char *lit)
{
    size_t lit_len = strlen(lit);
    return len == lit_len && memcmp(p, lit, lit_len) == 0;
}

static bool
bytes_prefix(const uint8_t *p, size_t len, const char *lit)
{
    size_t lit_len = strlen(lit);
    return len >= lit_len && memcmp(p, lit, lit_len) == 0;
}

/*
 * Finds the line starting at pos. AGAIN while it may still be completed;
 * BROKEN when it exceeds BENCH_REPLY_LINE_MAX or ends in a bare LF, which
 * no memcached-compatible server sends.
 */
static enum bench_reply_status
next_line(const uint8_t *data, size_t len, size_t pos, struct line *line)
{
    assert(pos <= len);
    size_t avail = len - pos;
    size_t scan = avail < BENCH_REPLY_LINE_MAX ? avail : BENCH_REPLY_LINE_MAX;
    const uint8_t *lf = memchr(data + pos, '\n', scan);
    if (lf == NULL) {
        return avail >= BENCH_REPLY_LINE_MAX ? BENCH_REPLY_BROKEN
                                             : BENCH_REPLY_AGAIN;
    }
    size_t lf_off = (size_t)(lf - data);
    if (lf_off == pos || data[lf_off - 1] != '\r') {
        return BENCH_REPLY_BROKEN;
    }
    line->off = pos;
    line->len = lf_off - 1 - pos;
    line->next = lf_off + 1;
    return BENCH_REPLY_OK;
}

/* ERROR, ERROR <msg>, CLIENT_ERROR <msg>, SERVER_ERROR <msg>. */
static bool
is_error_line(const uint8_t *p, size_t len)
{
    return bytes_equal(p, len, "ERROR") || bytes_prefix(p, len, "ERROR ")
           || bytes_prefix(p, len, "CLIENT_ERROR")
           || bytes_prefix(p, len, "SERVER_ERROR");
}

/* Parses a decimal of 1..20 digits that fits in uint64_t. */
static bool
parse_u64(const uint8_t *p, size_t len, uint64_t *value)
{
    if (len == 0 || len > BENCH_KEY_DIGITS_MAX) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
        uint64_t digit = (uint64_t)(p[i] - '0');
        if (v > (UINT64_MAX - digit) / 10) {
            return false;
        }
        v = v * 10 + digit;
    }
    *value = v;
    return true;
}

/* Splits off the token up to the next space (or the end) at *pos. */
static bool
next_token(const uint8_t *p, size_t len, size_t *pos, size_t *tok_off,
           size_t *tok_len)
{
    if (*pos >= len) {
        return false;
    }
    const uint8_t *sp = memchr(p + *pos, ' ', len - *pos);
    size_t end = sp == NULL ? len : (size_t)(sp - p);
    if (end == *pos) {
        return false;
    }
    *tok_off = *pos;
    *tok_len = end - *pos;
    *pos = sp == NULL ? len : end + 1;
    return true;
}

/*
 * Matches a VALUE key against the requested keys from *cursor on, in
 * order: the server answers in request order and leaves misses out.
 */
static bool
match_key(const struct bench_reply_expect *exp, const uint8_t *key,
          size_t key_len, size_t *cursor)
{
    if (exp->keys == NULL) {
        if (*cursor >= exp->key_count) {
            return false;
        }
        (*cursor)++;
        return true;
    }
    if (key_len != exp->key_len) {
        return false;
    }
    for (size_t i = *cursor; i < exp->key_count; i++) {
        if (memcmp(exp->keys + i * exp->key_len, key, key_len) == 0) {
            *cursor = i + 1;
            return true;
        }
    }
    return false;
}

/* VALUE <key> <flags> <bytes>: checks the key, returns the data length. */
static bool
parse_value_line(const struct bench_reply_expect *exp, const uint8_t *p,
                 size_t len, size_t *cursor, size_t *data_len)
{
    size_t pos = 6; /* past "VALUE " */
    size_t key_off, key_len, flags_off, flags_len, bytes_off, bytes_len;
    uint64_t flags, bytes;
    if (!next_token(p, len, &pos, &key_off, &key_len)
        || !next_token(p, len, &pos, &flags_off, &flags_len)
        || !next_token(p, len, &pos, &bytes_off, &bytes_len) || pos != len) {
        return false;
    }
    if (!parse_u64(p + flags_off, flags_len, &flags) || flags > UINT32_MAX
        || !parse_u64(p + bytes_off, bytes_len, &bytes)
        || bytes > exp->value_len_max) {
        return false;
    }
    if (!match_key(exp, p + key_off, key_len, cursor)) {
        return false;
    }
    *data_len = (size_t)bytes;
    return true;
}

static enum bench_reply_status
parse_get(const struct bench_reply_expect *exp, const uint8_t *data,
          size_t len, struct bench_reply *out, size_t *consumed)
{
    size_t pos = 0;
    size_t cursor = 0;
    size_t hits = 0;
    for (;;) {
        struct line ln;
        enum bench_reply_status st = next_line(data, len, pos, &ln);
        if (st != BENCH_REPLY_OK) {
            return st;
        }
        const uint8_t *p = data + ln.off;
        if (bytes_equal(p, ln.len, "END")) {
            out->hit_count = hits;
            *consumed = ln.next;
            return BENCH_REPLY_OK;
        }
        if (pos == 0 && is_error_line(p, ln.len)) {
            *consumed = ln.next;
            return BENCH_REPLY_SERVER_ERROR;
        }
        size_t data_len;
        if (!bytes_prefix(p, ln.len, "VALUE ")
            || !parse_value_line(exp, p, ln.len, &cursor, &data_len)) {
            return BENCH_REPLY_BROKEN;
        }
        if (len - ln.next < data_len + 2) {
            return BENCH_REPLY_AGAIN;
        }
        size_t tail = ln.next + data_len;
        if (data[tail] != '\r' || data[tail + 1] != '\n') {
            return BENCH_REPLY_BROKEN;
        }
        hits++;
        pos = tail + 2;
    }
}

static enum bench_reply_status
parse_stats(const uint8_t *data, size_t len, struct bench_reply *out,
            size_t *consumed)
{
    size_t pos = 0;
    for (;;) {
        if (pos >= BENCH_STATS_REPLY_MAX) {
            return BENCH_REPLY_BROKEN;
        }
        struct line ln;
        enum bench_reply_status st = next_line(data, len, pos, &ln);
        if (st != BENCH_REPLY_OK) {
            return st;
        }
        const uint8_t *p = data + ln.off;
        if (bytes_equal(p, ln.len, "END")) {
            out->body_off = 0;
            out->body_len = pos;
            *consumed = ln.next;
            return BENCH_REPLY_OK;
        }
        if (pos == 0 && is_error_line(p, ln.len)) {
            *consumed = ln.next;
            return BENCH_REPLY_SERVER_ERROR;
        }
        if (!bytes_prefix(p, ln.len, "STAT ")) {
            return BENCH_REPLY_BROKEN;
        }
        pos = ln.next;
    }
}

/*
 * VA <bytes> <flag>*: the data length and, when a k flag is present, the
 * key it returns (k_len 0 when absent).
 */
static bool
parse_va_line(const uint8_t *p, size_t len, size_t value_len_max,
              size_t *data_len, size_t *k_off, size_t *k_len)
{
    size_t pos = 3; /* past "VA " */
    size_t tok_off, tok_len;
    uint64_t bytes;
    if (p[len - 1] == ' ') {
        return false; /* a trailing space no server sends */
    }
    if (!next_token(p, len, &pos, &tok_off, &tok_len)
        || !parse_u64(p + tok_off, tok_len, &bytes) || bytes > value_len_max) {
        return false;
    }
    *k_len = 0;
    while (pos < len) {
        if (!next_token(p, len, &pos, &tok_off, &tok_len)) {
            return false; /* two spaces in a row, or a trailing one */
        }
        if (p[tok_off] == 'k') {
            *k_off = tok_off + 1;
            *k_len = tok_len - 1;
        }
    }
    *data_len = (size_t)bytes;
    return true;
}

/* A quiet mg owns a VA only when its k flag returns the mg's key. */
static bool
va_is_ours(const struct bench_reply_expect *exp, const uint8_t *p,
           size_t k_off, size_t k_len)
{
    if (!exp->quiet) {
        return true;
    }
    return exp->keys != NULL && k_len == exp->key_len
           && memcmp(p + k_off, exp->keys, k_len) == 0;
}

/* A VA line and its data block; AGAIN until the data is all there. */
static enum bench_reply_status
parse_va(const struct bench_reply_expect *exp, const uint8_t *data,
         size_t len, const struct line *ln, struct bench_reply *out,
         size_t *consumed)
{
    const uint8_t *p = data + ln->off;
    size_t data_len, k_off = 0, k_len = 0;
    if (!parse_va_line(p, ln->len, exp->value_len_max, &data_len, &k_off,
                       &k_len)) {
        return BENCH_REPLY_BROKEN;
    }
    if (!va_is_ours(exp, p, k_off, k_len)) {
        *consumed = 0; /* a later request's hit: this one missed */
        return BENCH_REPLY_OK;
    }
    if (len - ln->next < data_len + 2) {
        return BENCH_REPLY_AGAIN;
    }
    size_t tail = ln->next + data_len;
    if (data[tail] != '\r' || data[tail + 1] != '\n') {
        return BENCH_REPLY_BROKEN;
    }
    out->hit_count = 1;
    *consumed = tail + 2;
    return BENCH_REPLY_OK;
}

/*
 * A meta request's own reply, without the MN that may follow. A quiet
 * request facing a reply that is not its own has succeeded (ms) or missed
 * (mg) silently: OK with nothing consumed.
 */
static enum bench_reply_status
parse_meta_own(const struct bench_reply_expect *exp, const uint8_t *data,
               size_t len, struct bench_reply *out, size_t *consumed)
{
    struct line ln;
    enum bench_reply_status st = next_line(data, len, 0, &ln);
    if (st != BENCH_REPLY_OK) {
        return st;
    }
    const uint8_t *p = data + ln.off;
    if (is_error_line(p, ln.len)) {
        *consumed = ln.next;
        return BENCH_REPLY_SERVER_ERROR;
    }
    if (exp->kind == BENCH_REPLY_META_GET) {
        if (bytes_prefix(p, ln.len, "VA ")) {
            return parse_va(exp, data, len, &ln, out, consumed);
        }
        if (bytes_equal(p, ln.len, "EN")) {
            *consumed = ln.next; /* a miss; q should have hidden it */
            return BENCH_REPLY_OK;
        }
    } else {
        if (bytes_equal(p, ln.len, "HD")) {
            *consumed = ln.next;
            return BENCH_REPLY_OK;
        }
        if (bytes_equal(p, ln.len, "NS") || bytes_equal(p, ln.len, "EX")
            || bytes_equal(p, ln.len, "NF")) {
            *consumed = ln.next;
            return BENCH_REPLY_UNEXPECTED;
        }
    }
    if (exp->quiet) {
        *consumed = 0;
        return BENCH_REPLY_OK;
    }
    return BENCH_REPLY_BROKEN;
}

/* MN at pos: the end of a quiet batch. */
static enum bench_reply_status
parse_mn(const uint8_t *data, size_t len, size_t pos, size_t *consumed)
{
    struct line ln;
    enum bench_reply_status st = next_line(data, len, pos, &ln);
    if (st != BENCH_REPLY_OK) {
        return st;
    }
    if (pos == 0 && is_error_line(data + ln.off, ln.len)) {
        *consumed = ln.next; /* e.g. ERROR: a server without meta */
        return BENCH_REPLY_SERVER_ERROR;
    }
    if (!bytes_equal(data + ln.off, ln.len, "MN")) {
        return BENCH_REPLY_BROKEN;
    }
    *consumed = ln.next;
    return BENCH_REPLY_OK;
}

static enum bench_reply_status
parse_meta(const struct bench_reply_expect *exp, const uint8_t *data,
           size_t len, struct bench_reply *out, size_t *consumed)
{
    if (exp->kind == BENCH_REPLY_META_NOOP) {
        return parse_mn(data, len, 0, consumed);
    }
    enum bench_reply_status st = parse_meta_own(exp, data, len, out,
                                                consumed);
    if (!exp->noop_after || st == BENCH_REPLY_AGAIN
        || st == BENCH_REPLY_BROKEN) {
        return st;
    }
    size_t own = *consumed;
    if (own == len) {
        return BENCH_REPLY_AGAIN;
    }
    enum bench_reply_status mn = parse_mn(data, len, own, consumed);
    return mn == BENCH_REPLY_OK ? st : mn;
}

/* Single-line replies: version and storage. */
static enum bench_reply_status
parse_line_reply(const struct bench_reply_expect *exp, const uint8_t *data,
                 size_t len, size_t *consumed)
{
    struct line ln;
    enum bench_reply_status st = next_line(data, len, 0, &ln);
    if (st != BENCH_REPLY_OK) {
        return st;
    }
    const uint8_t *p = data + ln.off;
    if (is_error_line(p, ln.len)) {
        st = BENCH_REPLY_SERVER_ERROR;
    } else if (exp->kind == BENCH_REPLY_VERSION) {
        st = bytes_prefix(p, ln.len, "VERSION ") ? BENCH_REPLY_OK
                                                 : BENCH_REPLY_BROKEN;
    } else if (bytes_equal(p, ln.len, "STORED")) {
        st = BENCH_REPLY_OK;
    } else if (bytes_equal(p, ln.len, "NOT_STORED")
               || bytes_equal(p, ln.len, "EXISTS")
               || bytes_equal(p, ln.len, "NOT_FOUND")) {
        st = BENCH_REPLY_UNEXPECTED;
    } else {
        st = BENCH_REPLY_BROKEN;
    }
    if (st != BENCH_REPLY_BROKEN) {
        *consumed = ln.next;
    }
    return st;
}

/*
 * One binary response packet ([bin.*]): the opcode must be the request's;
 * a GET's status 1 is a miss, a SET's other statuses are UNEXPECTED, any
 * other failure a server error.
 */
static enum bench_reply_status
parse_binary(const struct bench_reply_expect *exp, const uint8_t *data,
             size_t len, struct bench_reply *out, size_t *consumed)
{
    if (data[0] != 0x81) {
        return BENCH_REPLY_BROKEN;
    }
    if (len < 24) {
        return BENCH_REPLY_AGAIN;
    }
    uint8_t want_op = exp->kind == BENCH_REPLY_BIN_GET   ? 0x00
                      : exp->kind == BENCH_REPLY_BIN_SET ? 0x01
                                                         : 0x0a;
    size_t key_len = (size_t)data[2] << 8 | data[3];
    size_t ext_len = data[4];
    unsigned status = (unsigned)data[6] << 8 | data[7];
    size_t body = (size_t)data[8] << 24 | (size_t)data[9] << 16 |
                  (size_t)data[10] << 8 | data[11];
    if (data[1] != want_op || key_len + ext_len > body ||
        body > exp->value_len_max + 4 + key_len + 64) {
        return BENCH_REPLY_BROKEN;
    }
    if (len - 24 < body) {
        return BENCH_REPLY_AGAIN;
    }
    *consumed = 24 + body;
    if (status == 0) {
        out->hit_count = exp->kind == BENCH_REPLY_BIN_GET ? 1 : 0;
        return BENCH_REPLY_OK;
    }
    if (exp->kind == BENCH_REPLY_BIN_GET && status == 1) {
        return BENCH_REPLY_OK; /* a miss */
    }
    return exp->kind == BENCH_REPLY_BIN_SET && status <= 5
               ? BENCH_REPLY_UNEXPECTED
               : BENCH_REPLY_SERVER_ERROR;
}

enum bench_reply_status
bench_reply_parse(const struct bench_reply_expect *exp, const uint8_t *data,
                  size_t len, struct bench_reply *out, size_t *consumed)
{
    assert(exp != NULL && out != NULL && consumed != NULL);
    assert(data != NULL || len == 0);
    memset(out, 0, sizeof(*out));
    *consumed = 0;
    if (len == 0) {
        return BENCH_REPLY_AGAIN;
    }
    enum bench_reply_status st;
    switch (exp->kind) {
    case BENCH_REPLY_GET:
        st = parse_get(exp, data, len, out, consumed);
        break;
    case BENCH_REPLY_STATS:
        st = parse_stats(data, len, out, consumed);
        break;
    case BENCH_REPLY_STORE:
    case BENCH_REPLY_VERSION:
        st = parse_line_reply(exp, data, len, consumed);
        break;
    case BENCH_REPLY_META_GET:
    case BENCH_REPLY_META_SET:
    case BENCH_REPLY_META_NOOP:
        st = parse_meta(exp, data, len, out, consumed);
        break;
    case BENCH_REPLY_BIN_GET:
    case BENCH_REPLY_BIN_SET:
    case BENCH_REPLY_BIN_NOOP:
        st = parse_binary(exp, data, len, out, consumed);
        break;
    default:
        assert(0 && "unknown reply kind");
        st = BENCH_REPLY_BROKEN;
        break;
    }
    if (st == BENCH_REPLY_AGAIN || st == BENCH_REPLY_BROKEN) {
        memset(out, 0, sizeof(*out));
        *consumed = 0;
    }
    assert(*consumed <= len);
    return st;
}

bool
bench_reply_stat_u64(const uint8_t *body, size_t body_len, const char *name,
                     uint64_t *value)
{
    size_t name_len = strlen(name);
    size_t pos = 0;
    while (pos < body_len) {
        struct line ln;
        if (next_line(body, body_len, pos, &ln) != BENCH_REPLY_OK) {
            return false;
        }
        const uint8_t *p = body + ln.off;
        size_t head = 5 + name_len + 1; /* "STAT " name " " */
        if (ln.len > head && bytes_prefix(p, ln.len, "STAT ")
            && memcmp(p + 5, name, name_len) == 0 && p[5 + name_len] == ' ') {
            return parse_u64(p + head, ln.len - head, value);
        }
        pos = ln.next;
    }
    return false;
}

const char *
bench_reply_status_name(enum bench_reply_status status)
{
    switch (status) {
    case BENCH_REPLY_OK:
        return "ok";
    case BENCH_REPLY_AGAIN:
        return "again";
    case BENCH_REPLY_SERVER_ERROR:
        return "server-error";
    case BENCH_REPLY_UNEXPECTED:
        return "unexpected";
    case BENCH_REPLY_BROKEN:
        return "broken";
    }
    return "?";
}
