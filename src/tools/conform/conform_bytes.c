/*
 * conform_bytes.c - quoted strings, variables and escaping; see
 * conform_bytes.h. Pure: memory allocation is the only side effect.
 */
#include "conform_bytes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs of at least this many equal bytes are shown as "x"*N. */
#define ESCAPE_RUN_MIN 8u
/* Room kept at the end of an escape buffer for " ...(+N bytes)". */
#define ESCAPE_TAIL_RESERVE 40u

bool
conform_buf_append(struct conform_buf *b, const void *p, size_t n, size_t max)
{
    if (n > max || b->len > max - n) {
        return false;
    }
    size_t need = b->len + n + 1;
    if (need > b->cap) {
        size_t cap = b->cap == 0 ? 256 : b->cap;
        while (cap < need) {
            cap *= 2;
        }
        uint8_t *data = realloc(b->data, cap);
        if (data == NULL) {
            return false;
        }
        b->data = data;
        b->cap = cap;
    }
    if (n > 0) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

void
conform_buf_reset(struct conform_buf *b)
{
    b->len = 0;
    if (b->data != NULL) {
        b->data[0] = '\0';
    }
}

void
conform_buf_free(struct conform_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

bool
conform_var_name_valid(const char *name, size_t len)
{
    if (len == 0 || len > CONFORM_VAR_NAME_LEN_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     c == '_';
        bool digit = c >= '0' && c <= '9';
        if (!alpha && !(digit && i > 0)) {
            return false;
        }
    }
    return true;
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static void
quoted_free(struct conform_quoted *q)
{
    for (size_t i = 0; i < q->piece_count; i++) {
        free(q->pieces[i].data);
    }
    free(q->pieces);
    q->pieces = NULL;
    q->piece_count = 0;
}

void
conform_bytes_free(struct conform_bytes *b)
{
    for (size_t i = 0; i < b->str_count; i++) {
        quoted_free(&b->strs[i]);
    }
    free(b->strs);
    memset(b, 0, sizeof(*b));
}

/* Moves the literal bytes gathered so far (if any) into a new piece. */
static bool
add_piece(struct conform_quoted *q, bool is_var, struct conform_buf *acc)
{
    if (!is_var && acc->len == 0) {
        return true;
    }
    struct conform_piece *pieces =
        realloc(q->pieces, (q->piece_count + 1) * sizeof(*pieces));
    if (pieces == NULL) {
        return false;
    }
    q->pieces = pieces;
    uint8_t *data = malloc(acc->len + 1);
    if (data == NULL) {
        return false;
    }
    if (acc->len > 0) {
        memcpy(data, acc->data, acc->len);
    }
    data[acc->len] = '\0';
    q->pieces[q->piece_count++] = (struct conform_piece){
        .is_var = is_var, .data = data, .len = acc->len};
    conform_buf_reset(acc);
    return true;
}

/*
 * Parses one escape after a backslash at text[*pos]; appends the byte.
 * *pos is left on the last character of the escape.
 */
static bool
parse_escape(const char *text, size_t len, size_t *pos,
             struct conform_buf *acc, char err[CONFORM_ERR_LEN])
{
    size_t at = *pos;
    if (at + 1 >= len) {
        snprintf(err, CONFORM_ERR_LEN, "column %zu: backslash at the end",
                 at + 1);
        return false;
    }
    char c = text[at + 1];
    uint8_t byte;
    switch (c) {
    case 'r': byte = '\r'; break;
    case 'n': byte = '\n'; break;
    case 't': byte = '\t'; break;
    case '0': byte = '\0'; break;
    case '\\': byte = '\\'; break;
    case '"': byte = '"'; break;
    case '$': byte = '$'; break;
    case 'x': {
        int hi = at + 2 < len ? hex_value(text[at + 2]) : -1;
        int lo = at + 3 < len ? hex_value(text[at + 3]) : -1;
        if (hi < 0 || lo < 0) {
            snprintf(err, CONFORM_ERR_LEN,
                     "column %zu: \\x needs two hex digits", at + 1);
            return false;
        }
        byte = (uint8_t)(hi * 16 + lo);
        *pos = at + 3;
        return conform_buf_append(acc, &byte, 1, CONFORM_BYTES_MAX);
    }
    default:
        snprintf(err, CONFORM_ERR_LEN,
                 "column %zu: unknown escape \\%c (use \\xNN)", at + 1,
                 (c >= 0x21 && c < 0x7f) ? c : '?');
        return false;
    }
    *pos = at + 1;
    return conform_buf_append(acc, &byte, 1, CONFORM_BYTES_MAX);
}

/* Parses ${name} starting at text[*pos] == '$'; leaves *pos on the '}'. */
static bool
parse_var_ref(const char *text, size_t len, size_t *pos,
              struct conform_quoted *q, struct conform_buf *acc,
              char err[CONFORM_ERR_LEN])
{
    size_t start = *pos + 2;
    size_t end = start;
    while (end < len && text[end] != '}' && text[end] != '"') {
        end++;
    }
    if (end >= len || text[end] != '}') {
        snprintf(err, CONFORM_ERR_LEN, "column %zu: unterminated ${",
                 *pos + 1);
        return false;
    }
    if (!conform_var_name_valid(text + start, end - start)) {
        snprintf(err, CONFORM_ERR_LEN, "column %zu: bad variable name",
                 *pos + 1);
        return false;
    }
    if (!add_piece(q, false, acc)) {
        snprintf(err, CONFORM_ERR_LEN, "out of memory");
        return false;
    }
    conform_buf_reset(acc);
    if (!conform_buf_append(acc, text + start, end - start,
                            CONFORM_BYTES_MAX) ||
        !add_piece(q, true, acc)) {
        snprintf(err, CONFORM_ERR_LEN, "out of memory");
        return false;
    }
    *pos = end;
    return true;
}

/* Parses *N after a closing quote at text[*pos]; *pos ends past it. */
static bool
parse_repeat(const char *text, size_t len, size_t *pos, uint32_t *repeat,
             char err[CONFORM_ERR_LEN])
{
    *repeat = 1;
    if (*pos >= len || text[*pos] != '*') {
        return true;
    }
    size_t at = *pos + 1;
    uint64_t n = 0;
    size_t digits = 0;
    while (at < len && text[at] >= '0' && text[at] <= '9') {
        n = n * 10 + (uint64_t)(text[at] - '0');
        if (n > CONFORM_BYTES_MAX) {
            snprintf(err, CONFORM_ERR_LEN, "column %zu: repeat too large",
                     *pos + 1);
            return false;
        }
        at++;
        digits++;
    }
    if (digits == 0) {
        snprintf(err, CONFORM_ERR_LEN, "column %zu: * needs a count",
                 *pos + 1);
        return false;
    }
    *repeat = (uint32_t)n;
    *pos = at;
    return true;
}

/* Parses one "..." starting at text[*pos] == '"'; *pos ends past it. */
static bool
parse_quoted(const char *text, size_t len, size_t *pos,
             struct conform_quoted *q, struct conform_buf *acc,
             char err[CONFORM_ERR_LEN])
{
    size_t open = *pos;
    size_t at = open + 1;
    conform_buf_reset(acc);
    for (; at < len && text[at] != '"'; at++) {
        char c = text[at];
        bool ok = true;
        if (c == '\\') {
            ok = parse_escape(text, len, &at, acc, err);
        } else if (c == '$' && at + 1 < len && text[at + 1] == '{') {
            ok = parse_var_ref(text, len, &at, q, acc, err);
        } else {
            ok = conform_buf_append(acc, &c, 1, CONFORM_BYTES_MAX);
            if (!ok) {
                snprintf(err, CONFORM_ERR_LEN, "out of memory");
            }
        }
        if (!ok) {
            return false;
        }
    }
    if (at >= len) {
        snprintf(err, CONFORM_ERR_LEN, "column %zu: unterminated string",
                 open + 1);
        return false;
    }
    if (!add_piece(q, false, acc)) {
        snprintf(err, CONFORM_ERR_LEN, "out of memory");
        return false;
    }
    at++;
    if (!parse_repeat(text, len, &at, &q->repeat, err)) {
        return false;
    }
    if (at < len && text[at] != ' ' && text[at] != '\t') {
        snprintf(err, CONFORM_ERR_LEN,
                 "column %zu: expected a space after the string", at + 1);
        return false;
    }
    *pos = at;
    return true;
}

static bool
parse_list(const char *text, size_t len, struct conform_bytes *out,
           struct conform_buf *acc, char err[CONFORM_ERR_LEN])
{
    size_t at = 0;
    for (;;) {
        while (at < len && (text[at] == ' ' || text[at] == '\t')) {
            at++;
        }
        if (at >= len) {
            break;
        }
        if (text[at] != '"') {
            snprintf(err, CONFORM_ERR_LEN,
                     "column %zu: expected a \"quoted string\"", at + 1);
            return false;
        }
        struct conform_quoted *strs =
            realloc(out->strs, (out->str_count + 1) * sizeof(*strs));
        if (strs == NULL) {
            snprintf(err, CONFORM_ERR_LEN, "out of memory");
            return false;
        }
        out->strs = strs;
        struct conform_quoted *q = &out->strs[out->str_count++];
        memset(q, 0, sizeof(*q));
        if (!parse_quoted(text, len, &at, q, acc, err)) {
            return false;
        }
        for (size_t i = 0; i < q->piece_count; i++) {
            if (q->pieces[i].is_var) {
                out->has_vars = true;
            } else {
                out->static_len += (uint64_t)q->pieces[i].len * q->repeat;
            }
        }
        if (out->static_len > CONFORM_BYTES_MAX) {
            snprintf(err, CONFORM_ERR_LEN, "more than %u bytes",
                     (unsigned)CONFORM_BYTES_MAX);
            return false;
        }
    }
    if (out->str_count == 0) {
        snprintf(err, CONFORM_ERR_LEN, "expected a \"quoted string\"");
        return false;
    }
    return true;
}

bool
conform_bytes_parse(const char *text, size_t len, struct conform_bytes *out,
                    char err[CONFORM_ERR_LEN])
{
    memset(out, 0, sizeof(*out));
    struct conform_buf acc = {0};
    bool ok = parse_list(text, len, out, &acc, err);
    conform_buf_free(&acc);
    if (!ok) {
        conform_bytes_free(out);
    }
    return ok;
}

void
conform_vars_init(struct conform_vars *v)
{
    v->count = 0;
}

const struct conform_var *
conform_vars_get(const struct conform_vars *v, const char *name,
                 size_t name_len)
{
    for (size_t i = 0; i < v->count; i++) {
        const struct conform_var *var = &v->vars[i];
        if (strlen(var->name) == name_len &&
            memcmp(var->name, name, name_len) == 0) {
            return var;
        }
    }
    return NULL;
}

bool
conform_vars_set(struct conform_vars *v, const char *name,
                 const uint8_t *value, size_t value_len)
{
    size_t name_len = strlen(name);
    if (!conform_var_name_valid(name, name_len) ||
        value_len > CONFORM_VAR_VALUE_LEN_MAX) {
        return false;
    }
    struct conform_var *var =
        (struct conform_var *)conform_vars_get(v, name, name_len);
    if (var == NULL) {
        if (v->count >= CONFORM_VARS_MAX) {
            return false;
        }
        var = &v->vars[v->count++];
        memcpy(var->name, name, name_len + 1);
    }
    if (value_len > 0) {
        memcpy(var->value, value, value_len);
    }
    var->value_len = value_len;
    return true;
}

static bool
append_repeated(struct conform_buf *out, const uint8_t *p, size_t n,
                uint32_t repeat, char err[CONFORM_ERR_LEN])
{
    for (uint32_t r = 0; r < repeat; r++) {
        if (!conform_buf_append(out, p, n, CONFORM_BYTES_MAX)) {
            snprintf(err, CONFORM_ERR_LEN, "expansion exceeds %u bytes",
                     (unsigned)CONFORM_BYTES_MAX);
            return false;
        }
    }
    return true;
}

bool
conform_bytes_expand(const struct conform_bytes *b,
                     const struct conform_vars *v, struct conform_buf *out,
                     char err[CONFORM_ERR_LEN])
{
    struct conform_buf one = {0};
    bool ok = true;
    for (size_t s = 0; ok && s < b->str_count; s++) {
        const struct conform_quoted *q = &b->strs[s];
        conform_buf_reset(&one);
        for (size_t i = 0; ok && i < q->piece_count; i++) {
            const struct conform_piece *p = &q->pieces[i];
            const uint8_t *data = p->data;
            size_t len = p->len;
            if (p->is_var) {
                const struct conform_var *var =
                    conform_vars_get(v, (const char *)p->data, p->len);
                if (var == NULL) {
                    snprintf(err, CONFORM_ERR_LEN,
                             "undefined variable ${%s}", (char *)p->data);
                    ok = false;
                    break;
                }
                data = var->value;
                len = var->value_len;
            }
            ok = append_repeated(&one, data, len, 1, err);
        }
        if (ok) {
            ok = append_repeated(out, one.data, one.len, q->repeat, err);
        }
    }
    conform_buf_free(&one);
    return ok;
}

bool
conform_text_expand(const char *text, size_t len,
                    const struct conform_vars *v, struct conform_buf *out,
                    size_t max, char err[CONFORM_ERR_LEN])
{
    size_t at = 0;
    while (at < len) {
        if (text[at] == '$' && at + 1 < len && text[at + 1] == '{') {
            const char *close = memchr(text + at, '}', len - at);
            if (close == NULL) {
                snprintf(err, CONFORM_ERR_LEN, "unterminated ${");
                return false;
            }
            const char *name = text + at + 2;
            size_t name_len = (size_t)(close - name);
            const struct conform_var *var =
                conform_var_name_valid(name, name_len)
                    ? conform_vars_get(v, name, name_len)
                    : NULL;
            if (var == NULL) {
                snprintf(err, CONFORM_ERR_LEN,
                         "undefined or bad variable ${%.*s}",
                         (int)(name_len > 40 ? 40 : name_len), name);
                return false;
            }
            if (!conform_buf_append(out, var->value, var->value_len, max)) {
                snprintf(err, CONFORM_ERR_LEN, "expansion too long");
                return false;
            }
            at = (size_t)(close - text) + 1;
            continue;
        }
        if (!conform_buf_append(out, text + at, 1, max)) {
            snprintf(err, CONFORM_ERR_LEN, "expansion too long");
            return false;
        }
        at++;
    }
    return true;
}

/* Escape writer: a bounded output with an open/closed quote state. */
struct escaper {
    char *out;
    size_t cap;     /* usable, reserve excluded */
    size_t pos;
    bool quoted;
    bool full;
};

static bool
emit(struct escaper *e, const char *s, size_t n)
{
    if (e->full || e->pos + n > e->cap) {
        e->full = true;
        return false;
    }
    memcpy(e->out + e->pos, s, n);
    e->pos += n;
    return true;
}

/* The escaped form of one byte inside quotes, into tmp; returns length. */
static size_t
escape_byte(uint8_t c, char tmp[5])
{
    switch (c) {
    case '\r': memcpy(tmp, "\\r", 2); return 2;
    case '\n': memcpy(tmp, "\\n", 2); return 2;
    case '\t': memcpy(tmp, "\\t", 2); return 2;
    case '\0': memcpy(tmp, "\\0", 2); return 2;
    case '\\': memcpy(tmp, "\\\\", 2); return 2;
    case '"': memcpy(tmp, "\\\"", 2); return 2;
    case '$': memcpy(tmp, "\\$", 2); return 2;
    default: break;
    }
    if (c >= 0x20 && c < 0x7f) {
        tmp[0] = (char)c;
        return 1;
    }
    static const char hex[] = "0123456789abcdef";
    tmp[0] = '\\';
    tmp[1] = 'x';
    tmp[2] = hex[c >> 4];
    tmp[3] = hex[c & 15];
    return 4;
}

/* Writes one byte (opening a quote when needed); false when full. */
static bool
emit_byte(struct escaper *e, uint8_t c)
{
    char tmp[8];
    size_t n = 0;
    if (!e->quoted) {
        if (e->pos > 0) {
            tmp[n++] = ' ';
        }
        tmp[n++] = '"';
    }
    n += escape_byte(c, tmp + n);
    /* Keep room for the closing quote. */
    if (e->pos + n + 1 > e->cap) {
        e->full = true;
        return false;
    }
    emit(e, tmp, n);
    e->quoted = true;
    return true;
}

static bool
close_quote(struct escaper *e)
{
    if (!e->quoted) {
        return true;
    }
    /* emit_byte kept room for this quote, even once the output is full. */
    e->quoted = false;
    e->out[e->pos++] = '"';
    return true;
}

/* Writes a run as "c"*N; false when full. */
static bool
emit_run(struct escaper *e, uint8_t c, size_t n)
{
    char esc[5];
    size_t esc_len = escape_byte(c, esc);
    char tmp[48];
    int w = snprintf(tmp, sizeof(tmp), "%s\"%.*s\"*%zu", e->pos ? " " : "",
                     (int)esc_len, esc, n);
    if (w < 0 || (size_t)w >= sizeof(tmp) || !close_quote(e)) {
        return false;
    }
    return emit(e, tmp, (size_t)w);
}

size_t
conform_escape(const uint8_t *data, size_t len, char *out, size_t out_cap)
{
    if (out_cap < ESCAPE_TAIL_RESERVE + 8) {
        if (out_cap > 0) {
            out[0] = '\0';
        }
        return 0;
    }
    struct escaper e = {.out = out, .cap = out_cap - ESCAPE_TAIL_RESERVE};
    size_t at = 0;
    if (len == 0) {
        emit(&e, "\"\"", 2);
    }
    while (at < len) {
        size_t run = 1;
        while (at + run < len && data[at + run] == data[at]) {
            run++;
        }
        bool ok;
        if (run >= ESCAPE_RUN_MIN) {
            ok = emit_run(&e, data[at], run);
        } else {
            run = 1;
            ok = emit_byte(&e, data[at]);
        }
        if (!ok) {
            break;
        }
        at += run;
    }
    close_quote(&e);
    if (at < len) {
        /* The reserve always has room for this. */
        int w = snprintf(out + e.pos, out_cap - e.pos, " ...(+%zu bytes)",
                         len - at);
        if (w > 0) {
            e.pos += (size_t)w;
        }
    }
    out[e.pos] = '\0';
    return e.pos;
}
