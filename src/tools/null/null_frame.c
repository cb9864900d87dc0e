/* null_frame.c - framing and do-nothing replies for mcref-null; see
 * null_frame.h. */
#include "null_frame.h"

#include <string.h>

void
null_frame_init(struct null_frame *f)
{
    memset(f, 0, sizeof *f);
}

void
null_frame_init_hits(struct null_frame *f, uint64_t hit_size)
{
    null_frame_init(f);
    f->hits = true;
    f->hit_size = hit_size < NULL_DATA_MAX ? hit_size : NULL_DATA_MAX - 1;
}

static void
owe(struct null_frame *f, const void *bytes, size_t len)
{
    memcpy(f->owed, bytes, len);
    f->owed_len = len;
}

#define OWE_TEXT(f, s) owe((f), (s), sizeof(s) - 1)

/* Appends text to what is owed (the caller keeps it within
 * NULL_REPLY_MAX). */
static void
owe_more(struct null_frame *f, const void *bytes, size_t len)
{
    memcpy(f->owed + f->owed_len, bytes, len);
    f->owed_len += len;
}

static void
owe_decimal(struct null_frame *f, uint64_t v)
{
    char d[24];
    size_t n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n > 0) {
        f->owed[f->owed_len++] = (uint8_t)d[--n];
    }
}

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

/* Whether the keys tok[first, n) are all short enough to echo. (Tokens
 * past NULL_TOKENS_MAX are checked as they are answered.) */
static bool
keys_fit(const struct token *tok, size_t n, size_t first)
{
    for (size_t i = first; i < n; i++) {
        if (tok[i].len > NULL_KEY_MAX) {
            return false;
        }
    }
    return true;
}

/* An `mg` hit: `VA <n>` (or HD without v) with the k and O flags echoed;
 * the value follows when v is asked for. */
static void
mg_hit(struct null_frame *f, const struct token *tok, size_t n)
{
    bool value = false;
    for (size_t i = 2; i < n; i++) {
        value = value || (tok[i].len == 1 && tok[i].p[0] == 'v');
    }
    f->owed_len = 0;
    if (value) {
        owe_more(f, "VA ", 3);
        owe_decimal(f, f->hit_size);
    } else {
        owe_more(f, "HD", 2);
    }
    for (size_t i = 2; i < n; i++) {
        if (tok[i].len == 1 && tok[i].p[0] == 'k') {
            owe_more(f, " k", 2);
            owe_more(f, tok[1].p, tok[1].len);
        } else if (tok[i].p[0] == 'O' && tok[i].len <= 1 + NULL_OPAQUE_MAX) {
            owe_more(f, " ", 1);
            owe_more(f, tok[i].p, tok[i].len);
        }
    }
    owe_more(f, "\r\n", 2);
    if (value) {
        f->fill = f->hit_size;
        f->fill_crlf = true;
    }
}

/* The next key of a text get being answered: its VALUE line owed and its
 * value to fill; END after the last. */
static void
text_get_next(struct null_frame *f)
{
    size_t i = f->keys_pos;
    while (i < f->keys_len && f->keys[i] == ' ') {
        i++;
    }
    size_t start = i;
    while (i < f->keys_len && f->keys[i] != ' ') {
        i++;
    }
    f->keys_pos = i;
    size_t key_len = i - start;
    if (key_len == 0) {
        OWE_TEXT(f, "END\r\n");
        f->text_get = false;
        return;
    }
    if (key_len > NULL_KEY_MAX) { /* the rest of the reply is refused */
        OWE_TEXT(f, "CLIENT_ERROR bad command line format\r\n");
        f->text_get = false;
        return;
    }
    f->owed_len = 0;
    owe_more(f, "VALUE ", 6);
    owe_more(f, f->keys + start, key_len);
    owe_more(f, " 0 ", 3);
    owe_decimal(f, f->hit_size);
    if (f->text_get_cas) {
        owe_more(f, " 1", 2);
    }
    owe_more(f, "\r\n", 2);
    f->fill = f->hit_size;
    f->fill_crlf = true;
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
    bool is_gat = token_is(cmd, "gat") || token_is(cmd, "gats");
    if (is_gat || token_is(cmd, "get") || token_is(cmd, "gets")) {
        size_t first = is_gat ? 2 : 1; /* gat's exptime comes first */
        if (!f->hits) {
            OWE_TEXT(f, "END\r\n");
            return;
        }
        if (n <= first || !keys_fit(tok, n, first)) {
            OWE_TEXT(f, "CLIENT_ERROR bad command line format\r\n");
            return;
        }
        /* Every key of the line, past the tokens looked at too. */
        size_t from = (size_t)(tok[first].p - line);
        f->keys_len = len - from;
        memcpy(f->keys, line + from, f->keys_len);
        f->keys_pos = 0;
        f->text_get = true;
        f->text_get_cas = cmd->len == 4; /* gets, gats */
        return;
    }
    if (token_is(cmd, "mg")) {
        if (n < 2 || tok[1].len > NULL_KEY_MAX) {
            OWE_TEXT(f, "CLIENT_ERROR bad command line format\r\n");
        } else if (f->hits) {
            mg_hit(f, tok, n);
        } else if (!meta_quiet(tok, n, 2)) {
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

/* A binary get's hit: the header, 4 bytes of flags (0), the key when the
 * request's opcode returns it, then hit_size value bytes to fill. */
static void
bin_hit(struct null_frame *f, const uint8_t *req, const uint8_t *key,
        size_t key_len)
{
    bin_owe(f, req, 0, NULL, 1);
    uint8_t *h = f->owed;
    uint64_t body = 4 + key_len + f->hit_size;
    h[2] = (uint8_t)(key_len >> 8);
    h[3] = (uint8_t)key_len;
    h[4] = 4; /* extras: the flags */
    h[8] = (uint8_t)(body >> 24);
    h[9] = (uint8_t)(body >> 16);
    h[10] = (uint8_t)(body >> 8);
    h[11] = (uint8_t)body;
    memset(h + BIN_HEADER, 0, 4);
    f->owed_len = BIN_HEADER + 4;
    if (key_len > 0) {
        owe_more(f, key, key_len);
    }
    f->fill = f->hit_size;
    f->fill_crlf = false;
}

/* One binary header from in; its body is then skipped. 0 while the header
 * (or, for a hit that returns the key, the key) is incomplete. */
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
    uint64_t body = (uint64_t)in[8] << 24 | (uint64_t)in[9] << 16 |
                    (uint64_t)in[10] << 8 | in[11];
    size_t key_len = (size_t)in[2] << 8 | in[3];
    size_t ext_len = in[4];
    bool get = in[1] == BIN_GET || in[1] == BIN_GETQ;
    bool getk = in[1] == BIN_GETK || in[1] == BIN_GETKQ;
    if (f->hits && (get || getk)) {
        if (key_len > NULL_KEY_MAX || ext_len + key_len > body) {
            f->close = true; /* a get it cannot answer as a cache would */
            return 0;
        }
        size_t key_at = BIN_HEADER + ext_len;
        if (getk && len < key_at + key_len) {
            return 0;
        }
        bin_hit(f, in, getk ? in + key_at : NULL, getk ? key_len : 0);
        f->skip = body;
        return BIN_HEADER;
    }
    f->skip = body;
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

/* Appends what a hit still owes (its value bytes, then "\r\n", then a text
 * get's next key) while out has room. False once out is full. */
static bool
answer_hit(struct null_frame *f, uint8_t *out, size_t out_cap,
           size_t *out_len)
{
    if (f->fill > 0) {
        size_t room = out_cap - *out_len;
        size_t take = f->fill < room ? (size_t)f->fill : room;
        memset(out + *out_len, 'v', take);
        *out_len += take;
        f->fill -= take;
        if (f->fill > 0) {
            return false;
        }
    }
    if (f->fill_crlf) {
        if (out_cap - *out_len < 2) {
            return false;
        }
        memcpy(out + *out_len, "\r\n", 2);
        *out_len += 2;
        f->fill_crlf = false;
    }
    if (f->text_get) {
        text_get_next(f);
    }
    return true;
}

bool
null_frame_owes(const struct null_frame *f)
{
    return f->skip == 0 && (f->owed_len > 0 || f->fill > 0 || f->fill_crlf ||
                            f->text_get);
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
        if (f->fill > 0 || f->fill_crlf || f->text_get) {
            if (!answer_hit(f, out, out_cap, out_len)) {
                break;
            }
            continue;
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
