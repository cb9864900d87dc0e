/* session_faults.c - the injected faults a connection applies to its
 * writes and its accept (session.h; drawn by edge.c and faults.c). */
#include <stdint.h>

#include "faults.h"
#include "session.h"

bool
session_accept_fault(struct engine *e, uint64_t conn_id, uint32_t *hold_ms)
{
    struct faults *f = e->faults;
    *hold_ms = 0;
    if (f == NULL) {
        return false;
    }
    uint32_t param;
    enum fault_kind k =
        faults_decide(&f->plan, f->seed, conn_id, 0, false, &param);
    if (k == FAULT_NONE) {
        return false;
    }
    struct fault_event ev = {.kind = k, .conn = conn_id, .param = param};
    faults_record(f, &ev);
    if (k == FAULT_SLOW_ACCEPT) {
        *hold_ms = param;
        return false;
    }
    return k == FAULT_REJECT_CONN;
}

uint32_t
session_fault_delay(struct session *s)
{
    uint32_t ms = s->fault_delay_ms; /* [faults.delay] */
    s->fault_delay_ms = 0;
    return ms;
}

size_t
session_write_cap(const struct session *s)
{
    size_t cap = SIZE_MAX;
    if (s->fault_piece_left > 0) {
        cap = s->fault_piece; /* [faults.cut] */
    }
    if (s->fault_close && s->fault_close_left < cap) {
        cap = (size_t)s->fault_close_left; /* [faults.close] */
    }
    return cap;
}

void
session_wrote(struct session *s, size_t n)
{
    if (s->fault_piece_left > 0) {
        s->fault_piece_left -= n < s->fault_piece_left ? (uint32_t)n
                                                       : s->fault_piece_left;
    }
    if (s->fault_close) {
        s->fault_close_left -= n;
    }
}
