/* fuzz_compare.c - see fuzz_compare.h. */
#include "fuzz_compare.h"

#include "fuzz_bin.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_gen.h"

#define TOKENS_MAX 24u

struct token {
    const uint8_t *p;
    size_t len;
};

static size_t
split_tokens(const uint8_t *line, size_t len, struct token *t)
{
    size_t n = 0;
    size_t i = 0;
    while (i < len && n < TOKENS_MAX) {
        while (i < len && line[i] == ' ') {
            i++;
        }
        if (i == len) {
            break;
        }
        size_t start = i;
        while (i < len && line[i] != ' ') {
            i++;
        }
        t[n].p = line + start;
        t[n].len = i - start;
        n++;
    }
    return n;
}

static bool
parse_u64(const uint8_t *p, size_t len, uint64_t *v)
{
    if (len == 0 || len > 20) {
        return false;
    }
    uint64_t x = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit(p[i])) {
            return false;
        }
        uint64_t d = (uint64_t)(p[i] - '0');
        if (x > (UINT64_MAX - d) / 10) {
            return false;
        }
        x = x * 10 + d;
    }
    *v = x;
    return true;
}

uint64_t
fuzz_norm_cas(struct fuzz_norm *n, uint64_t cas)
{
    for (size_t i = 0; i < n->cas_count; i++) {
        if (n->cas_seen[i] == cas) {
            return i + 1;
        }
    }
    if (n->cas_count < FUZZ_CAS_MAP_MAX) {
        n->cas_seen[n->cas_count++] = cas;
        return n->cas_count;
    }
    return 0;
}

/* A data block of digits and then only spaces: its length without them. */
static size_t
unpadded(const uint8_t *d, size_t len)
{
    size_t i = 0;
    while (i < len && isdigit(d[i])) {
        i++;
    }
    if (i == 0 || i == len) {
        return len;
    }
    for (size_t j = i; j < len; j++) {
        if (d[j] != ' ') {
            return len;
        }
    }
    return i;
}

/* Rewrites one line token by token, keeping the bytes between tokens;
 * *block is set to the data length that follows, if the line announces
 * one (else SIZE_MAX). */
static void
normalise_line(struct fuzz_norm *n, const uint8_t *line, size_t len,
               const uint8_t *rest, size_t rest_len, struct fuzz_buf *out,
               size_t *block)
{
    struct token t[TOKENS_MAX];
    size_t nt = split_tokens(line, len, t);
    *block = SIZE_MAX;
    if (nt >= 1 && t[0].len == 7 && memcmp(t[0].p, "VERSION", 7) == 0) {
        fuzz_buf_add(out, "VERSION *", 9);
        return;
    }
    bool value = nt >= 4 && t[0].len == 5 && memcmp(t[0].p, "VALUE", 5) == 0;
    bool va = nt >= 2 && t[0].len == 2 && memcmp(t[0].p, "VA", 2) == 0;
    bool meta = nt >= 1 && t[0].len == 2 && isupper(t[0].p[0]) &&
                isupper(t[0].p[1]);
    uint64_t dlen = 0;
    size_t len_tok = value ? 3 : 1;
    if ((value || va) && parse_u64(t[len_tok].p, t[len_tok].len, &dlen) &&
        dlen + 2 <= rest_len) {
        *block = (size_t)dlen;
    }
    const uint8_t *at = line;
    for (size_t i = 0; i < nt; i++) {
        const uint8_t *p = t[i].p;
        size_t tl = t[i].len;
        fuzz_buf_add(out, at, (size_t)(p - at)); /* the separator */
        at = p + tl;
        uint64_t v;
        if (i == len_tok && (value || va) && *block != SIZE_MAX) {
            fuzz_buf_addf(out, "%zu", unpadded(rest, *block));
        } else if (value && i == 4 && n->cas_loose && parse_u64(p, tl, &v)) {
            fuzz_buf_addf(out, "%llu", (unsigned long long)fuzz_norm_cas(n, v));
        } else if (meta && i > 0 && tl >= 1 && p[0] == 'c' && n->cas_loose &&
                   parse_u64(p + 1, tl - 1, &v)) {
            fuzz_buf_addf(out, "c%llu", (unsigned long long)fuzz_norm_cas(n, v));
        } else if (meta && i > 0 && tl >= 2 && p[0] == 't' &&
                   parse_u64(p + 1, tl - 1, &v)) {
            /* Row 11: a TTL of N shows N or N-1, by when clocks tick. */
            fuzz_buf_addf(out, "t~%llu", (unsigned long long)(v + 1) / 60u);
        } else if (meta && i > 0 && tl >= 1 && p[0] == 'l' &&
                   parse_u64(p + 1, tl - 1, &v)) {
            fuzz_buf_add(out, "l", 1);
        } else if (tl > 5 && memcmp(p, "exp=-", 5) == 0 &&
                   !(tl == 6 && p[5] == '1')) {
            fuzz_buf_add(out, "exp=", 4);
            fuzz_buf_add(out, p + 5, tl - 5);
        } else if (tl >= 4 && memcmp(p, "cls=", 4) == 0) {
            fuzz_buf_add(out, "cls=*", 5);
        } else if (tl >= 5 && memcmp(p, "size=", 5) == 0) {
            fuzz_buf_add(out, "size=*", 6);
        } else {
            fuzz_buf_add(out, p, tl);
        }
    }
    fuzz_buf_add(out, at, (size_t)(line + len - at));
}

void
fuzz_normalise(struct fuzz_norm *n, const uint8_t *in, size_t len,
               struct fuzz_buf *out)
{
    if (len > 0 && in[0] == FUZZ_BIN_RES) {
        /* Binary replies, packet by packet (no text reply starts so). */
        fuzz_bin_render(n, in, len, out);
        return;
    }
    size_t i = 0;
    while (i < len) {
        const uint8_t *nl = memchr(in + i, '\n', len - i);
        if (nl == NULL || nl == in + i || nl[-1] != '\r') {
            /* Not a CRLF line: compare the rest as it is. */
            fuzz_buf_add(out, in + i, len - i);
            return;
        }
        size_t line_len = (size_t)(nl - 1 - (in + i));
        size_t next = (size_t)(nl + 1 - in);
        size_t block;
        normalise_line(n, in + i, line_len, in + next, len - next, out,
                       &block);
        fuzz_buf_add(out, "\r\n", 2);
        i = next;
        if (block != SIZE_MAX) {
            fuzz_buf_add(out, in + i, unpadded(in + i, block));
            fuzz_buf_add(out, in + i + block, 2);
            i += block + 2;
        }
    }
}

size_t
fuzz_first_difference(const uint8_t *a, size_t alen, const uint8_t *b,
                      size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            return i;
        }
    }
    return alen == blen ? SIZE_MAX : n;
}

void
fuzz_line_shape(const uint8_t *s, size_t len, size_t at,
                char shape[FUZZ_SHAPE_LEN])
{
    if (at >= len) {
        snprintf(shape, FUZZ_SHAPE_LEN, "<none>");
        return;
    }
    size_t start = at;
    while (start > 0 && s[start - 1] != '\n') {
        start--;
    }
    size_t o = 0;
    for (size_t i = start; i < len && s[i] != '\r' && s[i] != '\n' &&
                           o + 1 < FUZZ_SHAPE_LEN;) {
        if (s[i] == 'k' && i + FUZZ_KEY_PREFIX_LEN <= len &&
            s[i + FUZZ_KEY_PREFIX_LEN - 1] == '_') {
            shape[o++] = 'K';
            i += FUZZ_KEY_PREFIX_LEN;
            while (i < len && s[i] != ' ' && s[i] != '\r') {
                i++;
            }
        } else if (isdigit(s[i])) {
            shape[o++] = 'N';
            while (i < len && isdigit(s[i])) {
                i++;
            }
        } else {
            shape[o++] = isprint(s[i]) ? (char)s[i] : '?';
            i++;
        }
    }
    shape[o] = '\0';
}
