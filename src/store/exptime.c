/* exptime.c - relative, absolute, negative and zero exptimes to deadlines. */
#include "exptime.h"

#include "../common/check.h"
#include "../common/limits.h"

uint32_t
exptime_deadline(int32_t exptime, uint32_t now_s)
{
    CHECK(now_s >= 1);
    if (exptime == 0) {
        return 0; /* [expiry.never] */
    }
    if (exptime < 0) {
        return now_s; /* [expiry.negative] */
    }
    BOUNDARY(exptime == LIMIT_RELATIVE_EXPTIME);
    BOUNDARY(exptime == LIMIT_RELATIVE_EXPTIME + 1);
    if (exptime <= LIMIT_RELATIVE_EXPTIME) {
        uint64_t deadline = (uint64_t)now_s + (uint64_t)exptime;
        return deadline > UINT32_MAX ? UINT32_MAX : (uint32_t)deadline;
    }
    /* [expiry.absolute]: a unix time; one not after now is already past. */
    return (uint32_t)exptime > now_s ? (uint32_t)exptime : now_s;
}
