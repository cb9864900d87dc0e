/*
 * log.h - where log lines go: standard error, one line per call.
 *
 * Levels are decided by the callers (the engine's verbosity); lines given
 * here are already escaped.
 */
#ifndef MCREF_APP_LOG_H
#define MCREF_APP_LOG_H

#include <stddef.h>

/* Signature fits struct server_log; ctx is unused. */
void app_log_write(void *ctx, const char *text, size_t len);

/* A formatted line, for the application's own messages. */
void app_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
