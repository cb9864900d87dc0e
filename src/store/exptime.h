/*
 * exptime.h - the wire exptime turned into a deadline ([expiry.*]).
 *
 * Pure. Deadlines are unix seconds; 0 means never. An item is visible while
 * now_s < deadline_s.
 */
#ifndef MCREF_EXPTIME_H
#define MCREF_EXPTIME_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The deadline for an exptime received at now_s (now_s >= 1): 0 for 0;
 * now_s itself (already expired) for a negative exptime or an absolute time
 * not after now_s; now_s + exptime for 1..2592000; the time itself above.
 */
uint32_t exptime_deadline(int32_t exptime, uint32_t now_s);

/* Whether an item with this deadline is still visible at now_s. */
static inline bool
exptime_alive(uint32_t deadline_s, uint32_t now_s)
{
    return deadline_s == 0 || now_s < deadline_s;
}

#endif
