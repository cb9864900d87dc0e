/* clock.c - wall-clock seconds anchored once, then monotonic. */
#include "clock.h"

#include <time.h>

static uint64_t
read_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
app_clock_init(struct app_clock *c)
{
    c->start_real_ns = read_ns(CLOCK_REALTIME);
    c->start_mono_ns = read_ns(CLOCK_MONOTONIC);
}

uint32_t
app_clock_now_s(void *ctx)
{
    const struct app_clock *c = ctx;
    uint64_t ns = c->start_real_ns + (read_ns(CLOCK_MONOTONIC) - c->start_mono_ns);
    return (uint32_t)(ns / 1000000000u);
}

uint64_t
app_clock_now_ms(void *ctx)
{
    (void)ctx;
    return read_ns(CLOCK_MONOTONIC) / 1000000u;
}
