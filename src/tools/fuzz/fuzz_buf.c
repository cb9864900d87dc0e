/* fuzz_buf.c - see fuzz_buf.h. */
#include "fuzz_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
fuzz_buf_add(struct fuzz_buf *b, const void *data, size_t len)
{
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap < 64 ? 64 : b->cap;
        while (cap < b->len + len + 1) {
            cap *= 2;
        }
        uint8_t *p = realloc(b->p, cap);
        if (p == NULL) {
            fprintf(stderr, "mcref-fuzz: out of memory\n");
            abort();
        }
        b->p = p;
        b->cap = cap;
    }
    if (len > 0) {
        memcpy(b->p + b->len, data, len);
    }
    b->len += len;
    b->p[b->len] = 0; /* so that text can be read as a string */
}

void
fuzz_buf_addf(struct fuzz_buf *b, const char *fmt, ...)
{
    char tmp[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    if ((size_t)n >= sizeof tmp) {
        char *big = malloc((size_t)n + 1);
        if (big == NULL) {
            abort();
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        fuzz_buf_add(b, big, (size_t)n);
        free(big);
        return;
    }
    fuzz_buf_add(b, tmp, (size_t)n);
}

void
fuzz_buf_free(struct fuzz_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

bool
fuzz_buf_ends_with(const struct fuzz_buf *b, const uint8_t *s, size_t len)
{
    return b->len >= len && memcmp(b->p + b->len - len, s, len) == 0;
}
