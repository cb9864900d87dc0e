/* log.c - log lines to standard error. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

void
app_log_write(void *ctx, const char *text, size_t len)
{
    (void)ctx;
    fprintf(stderr, "%.*s\n", (int)len, text);
}

void
app_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
