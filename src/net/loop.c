/* loop.c - logging for the network layer, with untrusted bytes escaped. */
#include "loop.h"

#include <stdbool.h>
#include <stdio.h>

void
loop_log_line(const struct loop *l, unsigned level, const char *fmt, ...)
{
    if (!loop_logs(l, level)) {
        return;
    }
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    l->log.write(l->log.ctx, line, len);
}

void
loop_escape(char *dst, size_t cap, size_t *len, const uint8_t *src, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        uint8_t b = src[i];
        bool plain = b >= 0x20 && b < 0x7f && b != '\\';
        size_t need = plain ? 1 : 4;
        if (*len + need + 1 > cap) {
            break;
        }
        if (plain) {
            dst[(*len)++] = (char)b;
        } else {
            dst[(*len)++] = '\\';
            dst[(*len)++] = 'x';
            dst[(*len)++] = hex[b >> 4];
            dst[(*len)++] = hex[b & 15];
        }
    }
    dst[*len] = '\0';
}
