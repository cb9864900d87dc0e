/* null_frame.c - framing and do-nothing replies for mcref-null; see
 * null_frame.h. */
#include "null_frame.h"

#include <string.h>

/* The biggest data block a request may announce (memcached's item limit is
 * far below; a bigger number is a malformed line). */
enum { NULL_DATA_MAX = 1u << 30 };

void
null_frame_init(struct null_frame *f)
{
    memset(f, 0, sizeof *f);
}

static void
owe(struct null_frame *f, const void *bytes, size_t len)
{
    memcpy(f->owed, bytes, len);
    f->owed_len = len;
}

#define OWE_TEXT(f, s) owe((f), (s), sizeof(s) - 1)

struct token {
    const uint8_t *p;
    size_t len;
};

static bool
token_is(const struct token *t, const char *s)
{
    size_t n = strlen(s);
    return t->len == n && memcmp(t->p, s, n) == 0;
}

/* A decimal of at most 10 digits, below NULL_DATA_MAX. */
static bool
token_size(const struct token *t, uint64_t *out)
{
    if (t->len == 0 || t->len > 10) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < t->len; i++) {
        if (t->p[i] < '0' || t->p[i] > '9') {
            return false;
        }
        v = v * 10 + (uint64_t)(t->p[i] - '0');
    }
    if (v >= NULL_DATA_MAX) {
        return false;
    }
    *out = v;
    return true;
}

static size_t
tokenize(const uint8_t *line, size_t len, struct token tok[NULL_TOKENS_MAX])
{
    size_t n = 0;
    size_t i = 0;
    while (i < len && n < NULL_TOKENS_MAX) {
        while (i < len && line[i] == ' ') {
            i++;
        }
        size_t start = i;
        while (i < len && line[i] != ' ') {
            i++;
        }
        if (i > start) {
            tok[n].p = line + start;
            tok[n].len = i - start;
            n++;
        }
    }
    return n;
}

/* Whether a meta command's flags (tokens from `first` on) hold `q`. */
static bool
meta_quiet(const struct token *tok, size_t n, size_t first)
{
    for (size_t i = first; i < n; i++) {
        if (tok[i].len == 1 && tok[i].p[0] == 'q') {
            return true;
        }
    }
    return false;
}

/* One text or meta request line (without its "\r\n"): sets what is owed
 * and what is to be skipped. */
static void
text_line(struct null_frame *f, const uint8_t *line, size_t len)
{
    struct token tok[NULL_TOKENS_MAX];
    size_t n = tokenize(line, len, tok);
    if (n == 0) {
        OWE_TEXT(f, "ERROR\r\n");
        return;
    }
    const struct token *cmd = &tok[0];
    bool is_cas = token_is(cmd, "cas");
    if (is_cas || token_is(cmd, "set") || token_is(cmd, "add") ||
        token_is(cmd, "replace") || token_is(cmd, "append") ||
        token_is(cmd, "prepend")) {
        size_t args = is_cas ? 6 : 5; /* cmd key flags exptime bytes [cas] */
        uint64_t bytes;
        if (n < args || n > args + 1 || !token_size(&tok[4], &bytes)) {
            OWE_TEXT(f, "CLIENT_ERROR bad command line format\r\n");
            return;
        }
        f->skip = bytes + 2;
        if (n == args) {
            OWE_TEXT(f, "STORED\r\n");
        }
        return; /* noreply: nothing owed */
    }
    if (token_is(cmd, "get") || token_is(cmd, "gets") ||
        token_is(cmd, "gat") || token_is(cmd, "gats")) {
        OWE_TEXT(f, "END\r\n");
        return;
    }
    if (token_is(cmd, "mg")) {
        if (!meta_quiet(tok, n, 2)) {
            OWE_TEXT(f, "EN\r\n");
        }
        return;
    }
    if (token_is(cmd, "ms")) {
        uint64_t bytes;
        if (n < 3 || !token_size(&tok[2], &bytes)) {
            OWE_TEXT(f, "CLIENT_ERROR bad command line format\r\n");
            return;
        }
        f->skip = bytes + 2;
        if (!meta_quiet(tok, n, 3)) {
            OWE_TEXT(f, "HD\r\n");
        }
        return;
    }
    if (token_is(cmd, "mn")) {
        OWE_TEXT(f, "MN\r\n");
    } else if (token_is(cmd, "version")) {
        OWE_TEXT(f, "VERSION 0-null\r\n");
    } else if (token_is(cmd, "stats")) {
        OWE_TEXT(f, "END\r\n");
    } else if (token_is(cmd, "quit")) {
        f->close = true;
    } else {
        OWE_TEXT(f, "ERROR\r\n");
    }
}

/* One text line from in; 0 while it is incomplete. */
static size_t
text_request(struct null_frame *f, const uint8_t *in, size_t len)
{
    size_t look = len < NULL_LINE_MAX ? len : NULL_LINE_MAX;
    const uint8_t *nl = memchr(in, '\n', look);
    if (nl == NULL) {
        if (len >= NULL_LINE_MAX) {
            f->close = true;
        }
        return 0;
    }
    size_t line_len = (size_t)(nl - in);
    if (line_len > 0 && in[line_len - 1] == '\r') {
        line_len--;
    }
    text_line(f, in, line_len);
    return (size_t)(nl - in) + 1;
}

enum {
    BIN_HEADER = 24,
    BIN_GET = 0x00,
    BIN_SET = 0x01,
    BIN_ADD = 0x02,
    BIN_REPLACE = 0x03,
    BIN_GETQ = 0x09,
    BIN_NOOP = 0x0a,
    BIN_VERSION = 0x0b,
    BIN_GETK = 0x0c,
    BIN_GETKQ = 0x0d,
    BIN_SETQ = 0x11,
    BIN_ADDQ = 0x12,
    BIN_REPLACEQ = 0x13,
    BIN_NOT_FOUND = 0x0001,
    BIN_UNKNOWN = 0x0081,
};

/* A response header (and body text) for the request header req. */
static void
bin_owe(struct null_frame *f, const uint8_t *req, unsigned status,
        const char *body, uint64_t cas)
{
    size_t body_len = body != NULL ? strlen(body) : 0;
    uint8_t *h = f->owed;
    memset(h, 0, BIN_HEADER);
    h[0] = 0x81;
    h[1] = req[1];
    h[6] = (uint8_t)(status >> 8);
    h[7] = (uint8_t)status;
    h[11] = (uint8_t)body_len;
    memcpy(h + 12, req + 12, 4); /* opaque */
    for (int i = 0; i < 8; i++) {
        h[16 + i] = (uint8_t)(cas >> (56 - 8 * i));
    }
    if (body_len > 0) {
        memcpy(h + BIN_HEADER, body, body_len);
    }
    f->owed_len = BIN_HEADER + body_len;
}

/* One binary header from in; its body is then skipped. 0 while the header
 * is incomplete. */
static size_t
binary_request(struct null_frame *f, const uint8_t *in, size_t len)
{
    if (in[0] != 0x80) {
        f->close = true; /* not a request packet: out of sync for good */
        return 0;
    }
    if (len < BIN_HEADER) {
        return 0;
    }
    f->skip = (uint64_t)in[8] << 24 | (uint64_t)in[9] << 16 |
              (uint64_t)in[10] << 8 | in[11];
    switch (in[1]) {
    case BIN_GET:
    case BIN_GETK:
        bin_owe(f, in, BIN_NOT_FOUND, "Not found", 0);
        break;
    case BIN_SET:
    case BIN_ADD:
    case BIN_REPLACE:
        bin_owe(f, in, 0, NULL, 1);
        break;
    case BIN_NOOP:
        bin_owe(f, in, 0, NULL, 0);
        break;
    case BIN_VERSION:
        bin_owe(f, in, 0, "0-null", 0);
        break;
    case BIN_GETQ:
    case BIN_GETKQ:
    case BIN_SETQ:
    case BIN_ADDQ:
    case BIN_REPLACEQ:
        break; /* quiet: a miss or a success says nothing */
    default:
        bin_owe(f, in, BIN_UNKNOWN, "Unknown command", 0);
        break;
    }
    return BIN_HEADER;
}

size_t
null_frame_input(struct null_frame *f, const uint8_t *in, size_t len,
                 uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t pos = 0;
    while (!f->close) {
        if (f->skip > 0) {
            size_t avail = len - pos;
            size_t take = f->skip < avail ? (size_t)f->skip : avail;
            pos += take;
            f->skip -= take;
            if (f->skip > 0) {
                break;
            }
        }
        if (out_cap - *out_len < NULL_REPLY_MAX) {
            break;
        }
        if (f->owed_len > 0) {
            memcpy(out + *out_len, f->owed, f->owed_len);
            *out_len += f->owed_len;
            f->owed_len = 0;
            continue; /* room is checked again */
        }
        if (pos == len) {
            break;
        }
        if (f->mode == NULL_MODE_UNKNOWN) {
            f->mode = in[pos] == 0x80 ? NULL_MODE_BINARY : NULL_MODE_TEXT;
        }
        size_t used = f->mode == NULL_MODE_TEXT
                          ? text_request(f, in + pos, len - pos)
                          : binary_request(f, in + pos, len - pos);
        if (used == 0) {
            break;
        }
        pos += used;
    }
    return pos;
}
