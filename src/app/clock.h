/*
 * clock.h - the only place mcref reads the time.
 *
 * Unix seconds that never run backwards (wall-clock time at start, advanced
 * by the monotonic clock), and monotonic milliseconds for timers.
 */
#ifndef MCREF_CLOCK_H
#define MCREF_CLOCK_H

#include <stdint.h>

struct app_clock {
    uint64_t start_real_ns;
    uint64_t start_mono_ns;
};

void app_clock_init(struct app_clock *c);

/* Signatures fit struct server_clock (ctx is the struct app_clock). */
uint32_t app_clock_now_s(void *ctx);
uint64_t app_clock_now_ms(void *ctx);

#endif
