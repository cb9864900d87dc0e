/*
 * conform_run.c - the probe and the step interpreter; see conform_run.h.
 *
 * Every wait is bounded twice: by the per-step timeout and by the case
 * deadline. A server that closes, stalls or floods is a FAIL with the
 * bytes that explain it, never a hang or an abort.
 */
#include "conform_run.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull
/* After a mismatch, wait this long for more bytes to show. */
#define CONTEXT_MS 50u
/* Received bytes kept past the first difference, for the report. */
#define CONTEXT_LEN 4096u
/* Longest reply line of the probe and of debugtime. */
#define PROBE_LINE_MAX 4096u

struct run_conn {
    char name[CONFORM_CONN_NAME_LEN_MAX + 1];
    struct conform_conn conn;
    struct conform_buf last_sent;
};

struct loop {
    size_t at;          /* index of the repeat step */
    uint32_t iter;
};

struct runner {
    const struct conform_run_config *cfg;
    struct conform_server_info *info;
    const struct conform_case *c;
    struct conform_result *r;
    const struct conform_step *step;   /* the one running, for reports */
    struct run_conn *conns;            /* CONFORM_CONNS_MAX slots */
    size_t conn_count;
    struct run_conn *cur;              /* NULL: none selected */
    struct conform_vars vars;
    uint64_t case_deadline;
    uint32_t timeout_ms;
    struct conform_conn control;       /* debugtime, outside the case */
    bool paused;
    double virt_s;                     /* server time the case asked for */
    uint64_t advanced_s;               /* server time given by debugtime */
    struct conform_buf scratch;        /* the current step's expansion */
    struct conform_stats *stats;       /* the last stats reply */
};

void
conform_result_init(struct conform_result *r)
{
    memset(r, 0, sizeof(*r));
}

void
conform_result_free(struct conform_result *r)
{
    conform_buf_free(&r->sent);
    conform_buf_free(&r->expected);
    conform_buf_free(&r->received);
    conform_result_init(r);
}

static uint64_t
deadline_in(uint64_t ms, uint64_t cap_ns)
{
    uint64_t d = conform_now_ns() + ms * NS_PER_MS;
    return d < cap_ns ? d : cap_ns;
}

static void
trace(const struct runner *rn, const char *conn, char dir,
      const uint8_t *data, size_t len)
{
    if (rn->cfg->trace != NULL) {
        rn->cfg->trace(rn->cfg->trace_ctx, conn, dir, data, len);
    }
}

__attribute__((format(printf, 2, 3))) static bool
fail(struct runner *rn, const char *fmt, ...)
{
    struct conform_result *r = rn->r;
    if (r->status == CONFORM_FAIL) {
        return false;   /* keep the first failure */
    }
    r->status = CONFORM_FAIL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
    va_end(ap);
    if (rn->step != NULL) {
        r->line = rn->step->line;
        r->step_text = rn->step->text;
    }
    if (rn->cur != NULL) {
        memcpy(r->conn, rn->cur->name, strlen(rn->cur->name) + 1);
    }
    return false;
}

/* Fills the byte fields of a failure: what was sent, expected, received. */
static void
fail_detail(struct runner *rn, const uint8_t *exp, size_t exp_len,
            bool exp_is_text, const uint8_t *got, size_t got_len,
            size_t diff_at)
{
    struct conform_result *r = rn->r;
    if (r->has_bytes) {
        return;
    }
    r->has_bytes = true;
    r->expected_is_text = exp_is_text;
    r->diff_at = diff_at;
    if (rn->cur != NULL) {
        conform_buf_append(&r->sent, rn->cur->last_sent.data,
                           rn->cur->last_sent.len, CONFORM_BYTES_MAX);
    }
    size_t keep = diff_at + CONTEXT_LEN;
    conform_buf_append(&r->expected, exp, exp_len < keep ? exp_len : keep,
                       CONFORM_BYTES_MAX);
    conform_buf_append(&r->received, got, got_len < keep ? got_len : keep,
                       CONFORM_BYTES_MAX);
}

static bool
set_uint_var(struct runner *rn, const char *name, uint64_t value)
{
    char text[24];
    int n = snprintf(text, sizeof(text), "%llu", (unsigned long long)value);
    if (!conform_vars_set(&rn->vars, name, (const uint8_t *)text,
                          (size_t)n)) {
        return fail(rn, "too many variables");
    }
    return true;
}

/* Expands b into rn->scratch. */
static bool
expand(struct runner *rn, const struct conform_bytes *b)
{
    char why[CONFORM_ERR_LEN];
    conform_buf_reset(&rn->scratch);
    if (!conform_bytes_expand(b, &rn->vars, &rn->scratch, why)) {
        return fail(rn, "%s", why);
    }
    if (rn->scratch.data == NULL) {
        conform_buf_append(&rn->scratch, "", 0, 1);
    }
    return true;
}

static bool
expand_text(struct runner *rn, const char *text, size_t max)
{
    char why[CONFORM_ERR_LEN];
    conform_buf_reset(&rn->scratch);
    if (!conform_text_expand(text, strlen(text), &rn->vars, &rn->scratch, max,
                             why)) {
        return fail(rn, "%s", why);
    }
    if (rn->scratch.data == NULL) {
        conform_buf_append(&rn->scratch, "", 0, 1);
    }
    return true;
}

/* The current connection, open; otherwise a failure. */
static struct run_conn *
need_conn(struct runner *rn)
{
    if (rn->cur == NULL) {
        fail(rn, "no current connection (use conn NAME)");
        return NULL;
    }
    if (rn->cur->conn.fd < 0) {
        fail(rn, "connection '%s' is closed (use reconnect or conn)",
             rn->cur->name);
        return NULL;
    }
    return rn->cur;
}

static bool
open_conn(struct runner *rn, struct run_conn *rc)
{
    char why[CONFORM_ERR_LEN];
    uint64_t deadline = deadline_in(rn->timeout_ms, rn->case_deadline);
    conform_buf_reset(&rc->last_sent);
    if (!conform_conn_open(&rc->conn, &rn->cfg->addr, deadline, why)) {
        return fail(rn, "connection '%s': %s", rc->name, why);
    }
    return true;
}

static bool
select_conn(struct runner *rn, const char *name)
{
    for (size_t i = 0; i < rn->conn_count; i++) {
        if (strcmp(rn->conns[i].name, name) == 0) {
            rn->cur = &rn->conns[i];
            return rn->cur->conn.fd >= 0 || open_conn(rn, rn->cur);
        }
    }
    struct run_conn *rc = NULL;
    if (rn->conn_count < CONFORM_CONNS_MAX) {
        rc = &rn->conns[rn->conn_count++];
    } else {
        /* Reuse the slot of a closed connection (its name is forgotten). */
        for (size_t i = 0; i < rn->conn_count && rc == NULL; i++) {
            if (rn->conns[i].conn.fd < 0 && &rn->conns[i] != rn->cur) {
                rc = &rn->conns[i];
                conform_buf_free(&rc->last_sent);
            }
        }
        if (rc == NULL) {
            return fail(rn, "more than %u connections open in one case",
                        (unsigned)CONFORM_CONNS_MAX);
        }
    }
    memset(rc, 0, sizeof(*rc));
    conform_conn_init(&rc->conn);
    memcpy(rc->name, name, strlen(name) + 1);
    rn->cur = rc;
    return open_conn(rn, rc);
}

static bool
send_bytes(struct runner *rn, struct run_conn *rc, const uint8_t *data,
           size_t len)
{
    if (rc->conn.write_shut) {
        return fail(rn, "connection '%s' is half-closed", rc->name);
    }
    conform_buf_reset(&rc->last_sent);
    conform_buf_append(&rc->last_sent, data, len, CONFORM_BYTES_MAX);
    trace(rn, rc->name, '>', data, len);
    enum conform_io io = conform_conn_send(&rc->conn, data, len,
                                           rn->timeout_ms, rn->case_deadline);
    switch (io) {
    case CONFORM_IO_OK:
        return true;
    case CONFORM_IO_CLOSED:
        /* Not a failure in itself: the next expectation judges it. */
        trace(rn, rc->name, '#', (const uint8_t *)"server closed during send",
              25);
        return true;
    case CONFORM_IO_TIMEOUT:
        return fail(rn, "send timed out: the server stopped reading");
    case CONFORM_IO_FULL:
        return fail(rn, "more than %u unread reply bytes",
                    (unsigned)CONFORM_RX_MAX);
    case CONFORM_IO_ERROR:
        break;
    }
    return fail(rn, "send: %s", strerror(rc->conn.err_no));
}

static bool
step_send(struct runner *rn, const struct conform_step *st)
{
    struct run_conn *rc = need_conn(rn);
    if (rc == NULL || !expand(rn, &st->bytes)) {
        return false;
    }
    if (st->kind == CONFORM_STEP_SEND) {
        return send_bytes(rn, rc, rn->scratch.data, rn->scratch.len);
    }
    size_t at = 0;
    while (at < rn->scratch.len) {
        size_t n = rn->scratch.len - at;
        if (n > st->count) {
            n = st->count;
        }
        if (at > 0 && st->ms > 0) {
            conform_sleep_ns(st->ms * NS_PER_MS);
        }
        if (!send_bytes(rn, rc, rn->scratch.data + at, n)) {
            return false;
        }
        at += n;
    }
    /* Report the whole string, not the last chunk, if a later step fails. */
    conform_buf_reset(&rc->last_sent);
    conform_buf_append(&rc->last_sent, rn->scratch.data, rn->scratch.len,
                       CONFORM_BYTES_MAX);
    return true;
}

/* After a mismatch, waits briefly for the rest of a reply, to show it. */
static void
gather_context(struct run_conn *rc, size_t want)
{
    uint64_t deadline = conform_now_ns() + CONTEXT_MS * NS_PER_MS;
    while (conform_conn_unread(&rc->conn) < want &&
           conform_conn_read(&rc->conn, deadline) == CONFORM_IO_OK) {
    }
}

/* Explains a read that ended an expectation early. */
static bool
fail_io(struct runner *rn, struct run_conn *rc, enum conform_io io,
        size_t got, size_t want)
{
    switch (io) {
    case CONFORM_IO_TIMEOUT:
        if (want == 0) {
            return fail(rn, "timed out after %u ms: no complete line "
                            "(%zu bytes arrived)", rn->timeout_ms, got);
        }
        return fail(rn, "timed out after %u ms: %zu of %zu bytes arrived",
                    rn->timeout_ms, got, want);
    case CONFORM_IO_CLOSED:
        return fail(rn, "connection closed by the server after %zu bytes%s",
                    got, want ? "" : " (no complete line)");
    case CONFORM_IO_FULL:
        return fail(rn, "reply too large (more than %u bytes unread)",
                    (unsigned)CONFORM_RX_MAX);
    case CONFORM_IO_OK:
    case CONFORM_IO_ERROR:
        break;
    }
    return fail(rn, "read: %s", strerror(rc->conn.err_no));
}

static size_t
first_diff(const uint8_t *a, const uint8_t *b, size_t from, size_t n)
{
    for (size_t i = from; i < n; i++) {
        if (a[i] != b[i]) {
            return i;
        }
    }
    return n;
}

static bool
step_expect(struct runner *rn, const struct conform_step *st)
{
    struct run_conn *rc = need_conn(rn);
    if (rc == NULL || !expand(rn, &st->bytes)) {
        return false;
    }
    const uint8_t *exp = rn->scratch.data;
    size_t exp_len = rn->scratch.len;
    uint64_t deadline = deadline_in(rn->timeout_ms, rn->case_deadline);
    size_t checked = 0;
    for (;;) {
        size_t avail = conform_conn_unread(&rc->conn);
        size_t n = avail < exp_len ? avail : exp_len;
        size_t diff = first_diff(conform_conn_data(&rc->conn), exp, checked,
                                 n);
        if (diff < n) {
            gather_context(rc, diff + CONTEXT_LEN);
            fail(rn, "the reply differs from byte %zu on", diff);
            fail_detail(rn, exp, exp_len, false, conform_conn_data(&rc->conn),
                        conform_conn_unread(&rc->conn), diff);
            return false;
        }
        checked = n;
        if (avail >= exp_len) {
            trace(rn, rc->name, '<', exp, exp_len);
            conform_conn_consume(&rc->conn, exp_len);
            return true;
        }
        enum conform_io io = conform_conn_read(&rc->conn, deadline);
        if (io != CONFORM_IO_OK) {
            fail_io(rn, rc, io, avail, exp_len);
            fail_detail(rn, exp, exp_len, false, conform_conn_data(&rc->conn),
                        avail, avail);
            return false;
        }
    }
}

/* Matches line[0, len) against the step's pattern; sets the captures. */
static bool
match_line(struct runner *rn, const struct conform_step *st,
           const uint8_t *line, size_t len, const char *pattern)
{
    regex_t re;
    size_t nsub;
    char why[CONFORM_ERR_LEN];
    if (!conform_regex_compile(&re, pattern, &nsub, why)) {
        return fail(rn, "%s", why);
    }
    if (nsub < st->capture_count) {
        regfree(&re);
        return fail(rn, "%zu captures but the regex has %zu groups",
                    st->capture_count, nsub);
    }
    regmatch_t m[CONFORM_CAPTURES_MAX + 2];
    size_t groups = st->capture_count + 2;
    m[0].rm_so = 0;
    m[0].rm_eo = (regoff_t)len;
    int rc = regexec(&re, (const char *)line, groups, m, REG_STARTEND);
    regfree(&re);
    if (rc != 0) {
        return false;
    }
    for (size_t i = 0; i < st->capture_count; i++) {
        regmatch_t g = m[i + 2];
        size_t so = g.rm_so < 0 ? 0 : (size_t)g.rm_so;
        size_t eo = g.rm_so < 0 ? 0 : (size_t)g.rm_eo;
        if (!conform_vars_set(&rn->vars, st->captures[i], line + so,
                              eo - so)) {
            return fail(rn, "capture %s: value longer than %u bytes",
                        st->captures[i], (unsigned)CONFORM_VAR_VALUE_LEN_MAX);
        }
    }
    return true;
}

static bool
step_expect_line(struct runner *rn, const struct conform_step *st)
{
    struct run_conn *rc = need_conn(rn);
    if (rc == NULL || !expand_text(rn, st->arg, CONFORM_LINE_LEN_MAX)) {
        return false;
    }
    struct conform_buf pattern = {0};
    conform_buf_append(&pattern, rn->scratch.data, rn->scratch.len,
                       CONFORM_LINE_LEN_MAX);
    uint64_t deadline = deadline_in(rn->timeout_ms, rn->case_deadline);
    size_t searched = 0;
    bool ok = false;
    for (;;) {
        const uint8_t *d = conform_conn_data(&rc->conn);
        size_t avail = conform_conn_unread(&rc->conn);
        size_t from = searched > 0 ? searched - 1 : 0;
        const uint8_t *crlf = avail > from
                                  ? memmem(d + from, avail - from, "\r\n", 2)
                                  : NULL;
        if (crlf != NULL) {
            size_t len = (size_t)(crlf - d);
            ok = match_line(rn, st, d, len, (const char *)pattern.data);
            if (ok) {
                trace(rn, rc->name, '<', d, len + 2);
                conform_conn_consume(&rc->conn, len + 2);
            } else if (rn->r->status != CONFORM_FAIL) {
                fail(rn, "line does not match the pattern");
                fail_detail(rn, pattern.data, pattern.len, true, d, len + 2,
                            0);
            }
            break;
        }
        if (avail > CONFORM_LINE_LEN_MAX) {
            fail(rn, "no \\r\\n within %u bytes", (unsigned)CONFORM_LINE_LEN_MAX);
            fail_detail(rn, pattern.data, pattern.len, true, d, avail, 0);
            break;
        }
        searched = avail;
        enum conform_io io = conform_conn_read(&rc->conn, deadline);
        if (io != CONFORM_IO_OK) {
            fail_io(rn, rc, io, avail, 0);
            fail_detail(rn, pattern.data, pattern.len, true,
                        conform_conn_data(&rc->conn), avail, 0);
            break;
        }
    }
    conform_buf_free(&pattern);
    return ok;
}

static bool
step_expect_close(struct runner *rn)
{
    struct run_conn *rc = need_conn(rn);
    if (rc == NULL) {
        return false;
    }
    uint64_t deadline = deadline_in(rn->timeout_ms, rn->case_deadline);
    enum conform_io io = CONFORM_IO_OK;
    while (conform_conn_unread(&rc->conn) == 0) {
        io = conform_conn_read(&rc->conn, deadline);
        if (io != CONFORM_IO_OK) {
            break;
        }
    }
    size_t got = conform_conn_unread(&rc->conn);
    if (got > 0) {
        gather_context(rc, CONTEXT_LEN);
        fail(rn, "expected the server to close; it sent bytes");
        fail_detail(rn, (const uint8_t *)"", 0, false,
                    conform_conn_data(&rc->conn),
                    conform_conn_unread(&rc->conn), 0);
        return false;
    }
    if (io == CONFORM_IO_CLOSED) {
        trace(rn, rc->name, '#', (const uint8_t *)"closed by the server", 20);
        conform_conn_close(&rc->conn);
        return true;
    }
    if (io == CONFORM_IO_TIMEOUT) {
        return fail(rn, "the connection is still open after %u ms",
                    rn->timeout_ms);
    }
    return fail_io(rn, rc, io, 0, 0);
}

static bool
step_expect_silence(struct runner *rn, const struct conform_step *st)
{
    struct run_conn *rc = need_conn(rn);
    if (rc == NULL) {
        return false;
    }
    uint64_t deadline = deadline_in(st->ms, rn->case_deadline);
    enum conform_io io = CONFORM_IO_TIMEOUT;
    if (conform_conn_unread(&rc->conn) == 0) {
        io = conform_conn_read(&rc->conn, deadline);
    }
    if (conform_conn_unread(&rc->conn) > 0) {
        gather_context(rc, CONTEXT_LEN);
        fail(rn, "expected silence for %u ms; bytes arrived", st->ms);
        fail_detail(rn, (const uint8_t *)"", 0, false,
                    conform_conn_data(&rc->conn),
                    conform_conn_unread(&rc->conn), 0);
        return false;
    }
    if (io == CONFORM_IO_TIMEOUT) {
        return true;
    }
    if (io == CONFORM_IO_CLOSED) {
        return fail(rn, "expected silence; the server closed the connection");
    }
    return fail_io(rn, rc, io, 0, 0);
}

/* Sends cmd on the control connection; the reply line must be OK. */
static bool
control_cmd(struct runner *rn, const char *cmd)
{
    char line[64];
    int n = snprintf(line, sizeof(line), "%s\r\n", cmd);
    trace(rn, "control", '>', (const uint8_t *)line, (size_t)n);
    enum conform_io io = conform_conn_send(&rn->control, (const uint8_t *)line,
                                           (size_t)n, rn->timeout_ms,
                                           rn->case_deadline);
    uint64_t deadline = deadline_in(rn->timeout_ms, rn->case_deadline);
    while (io == CONFORM_IO_OK) {
        const uint8_t *d = conform_conn_data(&rn->control);
        size_t avail = conform_conn_unread(&rn->control);
        const uint8_t *crlf = memmem(d, avail, "\r\n", 2);
        if (crlf != NULL) {
            size_t len = (size_t)(crlf - d);
            trace(rn, "control", '<', d, len + 2);
            bool ok = len == 2 && memcmp(d, "OK", 2) == 0;
            conform_conn_consume(&rn->control, len + 2);
            if (!ok) {
                return fail(rn, "'%s' was not answered OK", cmd);
            }
            return true;
        }
        if (avail > PROBE_LINE_MAX) {
            break;
        }
        io = conform_conn_read(&rn->control, deadline);
    }
    return fail(rn, "'%s' on the control connection got no OK", cmd);
}

static bool
step_wait(struct runner *rn, const struct conform_step *st)
{
    if (!rn->info->use_debugtime) {
        uint64_t ns = (uint64_t)(st->seconds * NS_PER_S);
        if (conform_now_ns() + ns > rn->case_deadline) {
            return fail(rn, "waiting would pass the case time limit");
        }
        conform_sleep_ns(ns);
        return true;
    }
    /* Server time is whole seconds: give the case at least what it asked
     * for in total, i.e. the worst phase of a real clock. */
    rn->virt_s += st->seconds;
    uint64_t target = (uint64_t)ceil(rn->virt_s - 1e-9);
    if (target <= rn->advanced_s) {
        return true;
    }
    char cmd[48];
    snprintf(cmd, sizeof(cmd), "debugtime %llu",
             (unsigned long long)(target - rn->advanced_s));
    rn->advanced_s = target;
    return control_cmd(rn, cmd);
}

static bool
step_sleep(struct runner *rn, const struct conform_step *st)
{
    uint64_t ns = (uint64_t)(st->seconds * NS_PER_S);
    if (conform_now_ns() + ns > rn->case_deadline) {
        return fail(rn, "sleeping would pass the case time limit");
    }
    conform_sleep_ns(ns);
    return true;
}

static bool
step_conn(struct runner *rn, const struct conform_step *st)
{
    if (!expand_text(rn, st->arg, CONFORM_CONN_NAME_LEN_MAX)) {
        return false;
    }
    return select_conn(rn, (const char *)rn->scratch.data);
}

/* Reads a whole stats reply into rn->stats. */
static bool
read_stats(struct runner *rn, struct run_conn *rc)
{
    uint64_t deadline = deadline_in(rn->timeout_ms, rn->case_deadline);
    char why[CONFORM_ERR_LEN];
    for (;;) {
        size_t used;
        const uint8_t *d = conform_conn_data(&rc->conn);
        size_t avail = conform_conn_unread(&rc->conn);
        enum conform_stats_parse ps =
            conform_stats_parse(d, avail, rn->stats, &used, why);
        if (ps == CONFORM_STATS_DONE) {
            trace(rn, rc->name, '<', d, used);
            conform_conn_consume(&rc->conn, used);
            return true;
        }
        if (ps == CONFORM_STATS_BAD || avail > CONFORM_STATS_LEN_MAX) {
            fail(rn, "%s", ps == CONFORM_STATS_BAD ? why
                                                   : "stats reply too long");
            fail_detail(rn, (const uint8_t *)"STAT ... END\r\n", 14, true, d,
                        avail, 0);
            return false;
        }
        enum conform_io io = conform_conn_read(&rc->conn, deadline);
        if (io != CONFORM_IO_OK) {
            return fail_io(rn, rc, io, avail, 0);
        }
    }
}

static bool
step_stat(struct runner *rn, const struct conform_step *st)
{
    struct run_conn *rc = need_conn(rn);
    if (rc == NULL) {
        return false;
    }
    char cmd[CONFORM_SETTING_LEN_MAX + 16];
    int n = snprintf(cmd, sizeof(cmd), "stats%s%s\r\n", st->group ? " " : "",
                     st->group ? st->group : "");
    if (!send_bytes(rn, rc, (const uint8_t *)cmd, (size_t)n) ||
        !read_stats(rn, rc)) {
        return false;
    }
    const char *actual = conform_stats_get(rn->stats, st->arg);
    if (actual == NULL) {
        return fail(rn, "stat %s is not in the reply", st->arg);
    }
    if (st->cmp == CONFORM_CMP_CAPTURE) {
        if (!conform_vars_set(&rn->vars, st->captures[0],
                              (const uint8_t *)actual, strlen(actual))) {
            return fail(rn, "too many variables");
        }
        return true;
    }
    if (!expand_text(rn, st->value, CONFORM_VAR_VALUE_LEN_MAX)) {
        return false;
    }
    const char *expected = (const char *)rn->scratch.data;
    bool holds;
    char why[CONFORM_ERR_LEN];
    if (!conform_compare(actual, st->cmp, expected, &holds, why)) {
        return fail(rn, "%s", why);
    }
    if (!holds) {
        int64_t value;
        bool sum = strpbrk(expected, "+-") != NULL &&
                   conform_eval(expected, &value);
        char shown[48] = "";
        if (sum) {
            snprintf(shown, sizeof(shown), " (= %lld)", (long long)value);
        }
        return fail(rn, "stat %s is %.200s; expected %s %.200s%s", st->arg,
                    actual, conform_cmp_name(st->cmp), expected, shown);
    }
    return true;
}

/* let VAR = SUM */
static bool
step_let(struct runner *rn, const struct conform_step *st)
{
    if (!expand_text(rn, st->value, CONFORM_VAR_VALUE_LEN_MAX)) {
        return false;
    }
    int64_t v;
    if (!conform_eval((const char *)rn->scratch.data, &v)) {
        return fail(rn, "let %s: '%.100s' is not a sum of decimals", st->arg,
                    (const char *)rn->scratch.data);
    }
    return set_uint_var(rn, st->arg, (uint64_t)v);
}

/* check A OP B */
static bool
step_check(struct runner *rn, const struct conform_step *st)
{
    if (!expand_text(rn, st->arg, CONFORM_VAR_VALUE_LEN_MAX)) {
        return false;
    }
    char left[CONFORM_VAR_VALUE_LEN_MAX + 1];
    memcpy(left, rn->scratch.data, rn->scratch.len + 1);
    if (!expand_text(rn, st->value, CONFORM_VAR_VALUE_LEN_MAX)) {
        return false;
    }
    const char *right = (const char *)rn->scratch.data;
    bool holds;
    char why[CONFORM_ERR_LEN];
    if (!conform_compare(left, st->cmp, right, &holds, why)) {
        return fail(rn, "%s", why);
    }
    if (!holds) {
        return fail(rn, "check failed: %.200s %s %.200s", left,
                    conform_cmp_name(st->cmp), right);
    }
    return true;
}

/* expect-until <bytes>: skips everything up to and including them. */
static bool
step_expect_until(struct runner *rn, const struct conform_step *st)
{
    struct run_conn *rc = need_conn(rn);
    if (rc == NULL || !expand(rn, &st->bytes)) {
        return false;
    }
    const uint8_t *needle = rn->scratch.data;
    size_t needle_len = rn->scratch.len;
    uint64_t deadline = deadline_in(rn->timeout_ms, rn->case_deadline);
    size_t searched = 0;
    for (;;) {
        const uint8_t *d = conform_conn_data(&rc->conn);
        size_t avail = conform_conn_unread(&rc->conn);
        size_t from = searched >= needle_len ? searched - needle_len + 1 : 0;
        const uint8_t *hit = needle_len == 0 ? d
                             : avail > from
                                 ? memmem(d + from, avail - from, needle,
                                          needle_len)
                                 : NULL;
        if (hit != NULL) {
            size_t len = (size_t)(hit - d) + needle_len;
            trace(rn, rc->name, '<', d, len);
            conform_conn_consume(&rc->conn, len);
            return true;
        }
        searched = avail;
        enum conform_io io = conform_conn_read(&rc->conn, deadline);
        if (io != CONFORM_IO_OK) {
            fail_io(rn, rc, io, avail, 0);
            fail_detail(rn, needle, needle_len, false, d, avail, 0);
            return false;
        }
    }
}

/* expect-lines /ERE/: every line up to a line "END" matches. */
static bool
step_expect_lines(struct runner *rn, const struct conform_step *st)
{
    struct run_conn *rc = need_conn(rn);
    if (rc == NULL || !expand_text(rn, st->arg, CONFORM_LINE_LEN_MAX)) {
        return false;
    }
    regex_t re;
    size_t nsub;
    char why[CONFORM_ERR_LEN];
    if (!conform_regex_compile(&re, (const char *)rn->scratch.data, &nsub,
                               why)) {
        return fail(rn, "%s", why);
    }
    uint64_t deadline = deadline_in(rn->timeout_ms, rn->case_deadline);
    bool ok = false;
    for (;;) {
        const uint8_t *d = conform_conn_data(&rc->conn);
        size_t avail = conform_conn_unread(&rc->conn);
        const uint8_t *crlf = memmem(d, avail, "\r\n", 2);
        if (crlf == NULL) {
            enum conform_io io = avail > CONFORM_LINE_LEN_MAX
                                     ? CONFORM_IO_FULL
                                     : conform_conn_read(&rc->conn, deadline);
            if (io == CONFORM_IO_OK) {
                continue;
            }
            fail_io(rn, rc, io, avail, 0);
            fail_detail(rn, rn->scratch.data, rn->scratch.len, true, d, avail,
                        0);
            break;
        }
        size_t len = (size_t)(crlf - d);
        if (len == 3 && memcmp(d, "END", 3) == 0) {
            trace(rn, rc->name, '<', d, len + 2);
            conform_conn_consume(&rc->conn, len + 2);
            ok = true;
            break;
        }
        regmatch_t m[1] = {{.rm_so = 0, .rm_eo = (regoff_t)len}};
        if (regexec(&re, (const char *)d, 1, m, REG_STARTEND) != 0) {
            fail(rn, "a line before END does not match the pattern");
            fail_detail(rn, rn->scratch.data, rn->scratch.len, true, d,
                        len + 2, 0);
            break;
        }
        trace(rn, rc->name, '<', d, len + 2);
        conform_conn_consume(&rc->conn, len + 2);
    }
    regfree(&re);
    return ok;
}

/* Expands b into out (reset first); data is never NULL after. */
static bool
expand_part(struct runner *rn, const struct conform_bytes *b,
            struct conform_buf *out)
{
    char why[CONFORM_ERR_LEN];
    conform_buf_reset(out);
    if (!conform_bytes_expand(b, &rn->vars, out, why)) {
        return fail(rn, "%s", why);
    }
    return conform_buf_append(out, "", 0, CONFORM_BYTES_MAX) ||
           fail(rn, "out of memory");
}

/* The expanded extras, key and value of a send-bin / expect-bin. */
struct bin_parts {
    struct conform_buf ext, key, val;
};

static void
bin_parts_free(struct bin_parts *bp)
{
    conform_buf_free(&bp->ext);
    conform_buf_free(&bp->key);
    conform_buf_free(&bp->val);
}

static bool
bin_parts(struct runner *rn, const struct conform_bin *b, struct bin_parts *bp)
{
    if (!expand_part(rn, &b->extras, &bp->ext) ||
        !expand_part(rn, &b->key, &bp->key) ||
        !expand_part(rn, &b->value, &bp->val)) {
        return false;
    }
    if (!b->has_extras) {
        uint8_t ext[20];
        size_t n = conform_bin_shorthand_extras(b, ext);
        conform_buf_append(&bp->ext, ext, n, 20);
    }
    if (b->has_number) {
        uint8_t num[8];
        for (int i = 0; i < 8; i++) {
            num[i] = (uint8_t)(b->number >> (56 - 8 * i));
        }
        conform_buf_append(&bp->val, num, 8, 8);
    }
    return true;
}

/* The step's fields, with a cas=${var} expanded (a shallow copy: its
 * byte strings stay the step's). */
static bool
bin_fields(struct runner *rn, const struct conform_bin *in,
           struct conform_bin *out)
{
    *out = *in;
    if (in->cas_text[0] == '\0') {
        return true;
    }
    char why[CONFORM_ERR_LEN];
    if (!expand_text(rn, in->cas_text, CONFORM_BIN_CAS_TEXT_MAX)) {
        return false;
    }
    if (!conform_bin_set_cas(out, (const char *)rn->scratch.data,
                             rn->scratch.len, why)) {
        return fail(rn, "%s", why);
    }
    return true;
}

static bool
step_send_bin(struct runner *rn, const struct conform_step *st)
{
    struct run_conn *rc = need_conn(rn);
    struct bin_parts bp = {0};
    struct conform_bin fields;
    bool ok = rc != NULL && bin_fields(rn, st->bin, &fields) &&
              bin_parts(rn, st->bin, &bp);
    if (ok) {
        conform_buf_reset(&rn->scratch);
        ok = conform_bin_build(&fields, bp.ext.data, bp.ext.len, bp.key.data,
                               bp.key.len, bp.val.data, bp.val.len,
                               &rn->scratch) ||
             fail(rn, "packet too large");
    }
    if (ok) {
        ok = send_bytes(rn, rc, rn->scratch.data, rn->scratch.len);
    }
    bin_parts_free(&bp);
    return ok;
}

/* Waits until want bytes are unread; false (reported) otherwise. */
static bool
await_bytes(struct runner *rn, struct run_conn *rc, size_t want)
{
    uint64_t deadline = deadline_in(rn->timeout_ms, rn->case_deadline);
    while (conform_conn_unread(&rc->conn) < want) {
        enum conform_io io = conform_conn_read(&rc->conn, deadline);
        if (io != CONFORM_IO_OK) {
            return fail_io(rn, rc, io, conform_conn_unread(&rc->conn), want);
        }
    }
    return true;
}

static bool
step_expect_bin(struct runner *rn, const struct conform_step *st)
{
    struct run_conn *rc = need_conn(rn);
    if (rc == NULL || !await_bytes(rn, rc, 24)) {
        return false;
    }
    size_t len = 24 + (size_t)conform_bin_body_len(conform_conn_data(&rc->conn));
    if (len > CONFORM_BYTES_MAX) {
        return fail(rn, "binary reply body too large (%zu bytes)", len);
    }
    struct bin_parts bp = {0};
    struct conform_bin fields;
    bool ok = await_bytes(rn, rc, len) && bin_fields(rn, st->bin, &fields) &&
              bin_parts(rn, st->bin, &bp);
    if (ok) {
        char why[CONFORM_ERR_LEN];
        const uint8_t *pkt = conform_conn_data(&rc->conn);
        ok = conform_bin_match(&fields, pkt, len, bp.ext.data, bp.ext.len,
                               bp.key.data, bp.key.len, bp.val.data,
                               bp.val.len, why);
        if (ok) {
            trace(rn, rc->name, '<', pkt, len);
            conform_conn_consume(&rc->conn, len);
        } else {
            fail(rn, "binary reply: %s", why);
        }
    }
    bin_parts_free(&bp);
    return ok;
}

static bool
run_step(struct runner *rn, const struct conform_step *st)
{
    switch (st->kind) {
    case CONFORM_STEP_SEND:
    case CONFORM_STEP_SEND_CHUNKS:
        return step_send(rn, st);
    case CONFORM_STEP_EXPECT:
        return step_expect(rn, st);
    case CONFORM_STEP_EXPECT_LINE:
        return step_expect_line(rn, st);
    case CONFORM_STEP_EXPECT_CLOSE:
        return step_expect_close(rn);
    case CONFORM_STEP_EXPECT_SILENCE:
        return step_expect_silence(rn, st);
    case CONFORM_STEP_WAIT:
        return step_wait(rn, st);
    case CONFORM_STEP_SLEEP:
        return step_sleep(rn, st);
    case CONFORM_STEP_CONN:
        return step_conn(rn, st);
    case CONFORM_STEP_RECONNECT:
        if (rn->cur == NULL) {
            return fail(rn, "no current connection to reconnect");
        }
        return open_conn(rn, rn->cur);
    case CONFORM_STEP_CLOSE:
        if (need_conn(rn) == NULL) {
            return false;
        }
        conform_conn_close(&rn->cur->conn);
        return true;
    case CONFORM_STEP_HALF_CLOSE:
        if (need_conn(rn) == NULL) {
            return false;
        }
        conform_conn_half_close(&rn->cur->conn);
        return true;
    case CONFORM_STEP_STAT:
        return step_stat(rn, st);
    case CONFORM_STEP_LET:
        return step_let(rn, st);
    case CONFORM_STEP_CHECK:
        return step_check(rn, st);
    case CONFORM_STEP_EXPECT_UNTIL:
        return step_expect_until(rn, st);
    case CONFORM_STEP_EXPECT_LINES:
        return step_expect_lines(rn, st);
    case CONFORM_STEP_RESET:
        if (need_conn(rn) == NULL) {
            return false;
        }
        conform_conn_reset(&rn->cur->conn);
        return true;
    case CONFORM_STEP_SEND_BIN:
        return step_send_bin(rn, st);
    case CONFORM_STEP_EXPECT_BIN:
        return step_expect_bin(rn, st);
    case CONFORM_STEP_REPEAT:
    case CONFORM_STEP_DONE:
        break;
    }
    return fail(rn, "internal: step kind %d", (int)st->kind);
}

static bool
run_steps(struct runner *rn)
{
    const struct conform_case *c = rn->c;
    struct loop stack[CONFORM_REPEAT_DEPTH_MAX];
    size_t depth = 0;
    size_t pc = 0;
    while (pc < c->step_count) {
        const struct conform_step *st = &c->steps[pc];
        rn->step = st;
        if (conform_now_ns() >= rn->case_deadline) {
            return fail(rn, "the case ran out of time (%u ms)",
                        rn->cfg->case_ms);
        }
        if (st->kind == CONFORM_STEP_REPEAT) {
            if (st->count == 0) {
                pc = st->match + 1;
                continue;
            }
            stack[depth++] = (struct loop){.at = pc, .iter = 0};
            if (!set_uint_var(rn, st->arg, 0)) {
                return false;
            }
            pc++;
            continue;
        }
        if (st->kind == CONFORM_STEP_DONE) {
            struct loop *l = &stack[depth - 1];
            const struct conform_step *open = &c->steps[l->at];
            if (++l->iter < open->count) {
                if (!set_uint_var(rn, open->arg, l->iter)) {
                    return false;
                }
                pc = l->at + 1;
            } else {
                depth--;
                pc++;
            }
            continue;
        }
        if (!run_step(rn, st)) {
            return false;
        }
        pc++;
    }
    return true;
}

/* After the last step no connection may hold bytes nobody expected. */
static bool
check_trailing(struct runner *rn)
{
    rn->step = NULL;
    for (size_t i = 0; i < rn->conn_count; i++) {
        struct run_conn *rc = &rn->conns[i];
        if (rc->conn.fd < 0) {
            continue;
        }
        if (!rc->conn.peer_closed) {
            conform_conn_read(&rc->conn, 0);
        }
        if (conform_conn_unread(&rc->conn) > 0) {
            rn->cur = rc;
            fail(rn, "unexpected bytes after the last step on '%s'",
                 rc->name);
            fail_detail(rn, (const uint8_t *)"", 0, false,
                        conform_conn_data(&rc->conn),
                        conform_conn_unread(&rc->conn), 0);
            return false;
        }
    }
    return true;
}

bool
conform_case_skipped(const struct conform_run_config *cfg,
                     const struct conform_server_info *info,
                     const struct conform_case *c,
                     char reason[CONFORM_ERR_LEN])
{
    if (c->mcref_only && !info->mcref) {
        snprintf(reason, CONFORM_ERR_LEN, "mcref only (server: mcref)");
        return true;
    }
    if ((c->since[0] != '\0' || c->until[0] != '\0') && !info->mcref) {
        const char *which = c->since[0] != '\0' ? "since" : "until";
        const char *bound = c->since[0] != '\0' ? c->since : c->until;
        uint32_t have[CONFORM_VERSION_PARTS];
        uint32_t want[CONFORM_VERSION_PARTS];
        if (!conform_version_parse(info->version, have, NULL)) {
            snprintf(reason, CONFORM_ERR_LEN,
                     "%s %s; the server's version '%.80s' is not a "
                     "release number", which, bound, info->version);
            return true;
        }
        if (c->since[0] != '\0' &&
            conform_version_parse(c->since, want, NULL) &&
            conform_version_cmp(have, want) < 0) {
            snprintf(reason, CONFORM_ERR_LEN,
                     "since %s: newer than the server's version %.80s",
                     c->since, info->version);
            return true;
        }
        if (c->until[0] != '\0' &&
            conform_version_parse(c->until, want, NULL) &&
            conform_version_cmp(have, want) >= 0) {
            snprintf(reason, CONFORM_ERR_LEN,
                     "until %s: memcached changed it in %s; the server is "
                     "%.80s", c->until, c->until, info->version);
            return true;
        }
    }
    if (c->destructive && !cfg->allow_destructive) {
        snprintf(reason, CONFORM_ERR_LEN,
                 "destructive (needs --allow-destructive)");
        return true;
    }
    if (c->final && info->shut_down) {
        snprintf(reason, CONFORM_ERR_LEN, "the server was shut down by %s",
                 info->shut_down_by);
        return true;
    }
    if (c->slow && cfg->skip_slow && !info->use_debugtime) {
        snprintf(reason, CONFORM_ERR_LEN, "slow (up to %.1f s of real waits)",
                 c->real_s);
        return true;
    }
    /* --auth: a server that asks for authentication runs only the cases
     * written for that mode, and only there. */
    enum conform_auth wants = CONFORM_AUTH_NONE;
    for (size_t i = 0; i < c->require_count; i++) {
        if (c->requires[i].ascii_auth) {
            wants = CONFORM_AUTH_ASCII;
        } else if (c->requires[i].sasl) {
            wants = CONFORM_AUTH_SASL;
        }
    }
    if (wants != cfg->auth) {
        snprintf(reason, CONFORM_ERR_LEN,
                 wants == CONFORM_AUTH_NONE
                     ? "the server asks for authentication (--auth)"
                     : "requires a server that asks for %s authentication "
                       "(--auth)",
                 wants == CONFORM_AUTH_ASCII ? "ascii" : "SASL");
        return true;
    }
    for (size_t i = 0; i < c->require_count; i++) {
        const struct conform_require *q = &c->requires[i];
        if (q->ascii_auth || q->sasl) {
            continue;
        }
        if (q->meta || q->no_meta) {
            if (q->meta && !info->has_meta) {
                snprintf(reason, CONFORM_ERR_LEN,
                         "requires meta; the server answered 'mn' with "
                         "'%.60s'", info->meta_reply);
                return true;
            }
            if (q->no_meta && info->has_meta) {
                snprintf(reason, CONFORM_ERR_LEN,
                         "requires a server without the meta protocol");
                return true;
            }
            continue;
        }
        if (q->debugtime || q->no_debugtime) {
            if (q->debugtime && !info->has_debugtime) {
                snprintf(reason, CONFORM_ERR_LEN,
                         "requires debugtime (-o test_clock)");
                return true;
            }
            if (q->no_debugtime && info->has_debugtime) {
                snprintf(reason, CONFORM_ERR_LEN,
                         "requires a server without debugtime");
                return true;
            }
            continue;
        }
        const char *actual = info->settings
                                 ? conform_stats_get(info->settings, q->name)
                                 : NULL;
        bool holds = false;
        char why[CONFORM_ERR_LEN];
        if (actual == NULL) {
            snprintf(reason, CONFORM_ERR_LEN,
                     "requires %s%s%s; the server does not report %s",
                     q->name, conform_cmp_name(q->cmp), q->value, q->name);
            return true;
        }
        if (!conform_compare(actual, q->cmp, q->value, &holds, why) ||
            !holds) {
            snprintf(reason, CONFORM_ERR_LEN, "requires %s%s%s; server has %s",
                     q->name, conform_cmp_name(q->cmp), q->value, actual);
            return true;
        }
    }
    return false;
}

static bool
start_case(struct runner *rn, uint32_t seq)
{
    conform_vars_init(&rn->vars);
    char key[CONFORM_KEY_PREFIX_LEN + 1];
    snprintf(key, sizeof(key), "k%04x%04x_",
             (unsigned)(rn->cfg->key_nonce & 0xffffu),
             (unsigned)(seq & 0xffffu));
    conform_vars_set(&rn->vars, "k", (const uint8_t *)key,
                     CONFORM_KEY_PREFIX_LEN);
    if (rn->c->has_wait && rn->info->use_debugtime) {
        char why[CONFORM_ERR_LEN];
        uint64_t deadline = deadline_in(rn->timeout_ms, rn->case_deadline);
        if (!conform_conn_open(&rn->control, &rn->cfg->addr, deadline, why)) {
            return fail(rn, "control connection: %s", why);
        }
        if (!control_cmd(rn, "debugtime p")) {
            return false;
        }
        rn->paused = true;
    }
    return select_conn(rn, "main");
}

static void
finish_case(struct runner *rn)
{
    if (rn->paused) {
        rn->step = NULL;
        rn->case_deadline = conform_now_ns() + rn->timeout_ms * NS_PER_MS;
        /* Always resume, even after a failure; report it only if nothing
         * else failed first. */
        control_cmd(rn, "debugtime r");
    }
    conform_conn_close(&rn->control);
    for (size_t i = 0; i < rn->conn_count; i++) {
        conform_conn_close(&rn->conns[i].conn);
        conform_buf_free(&rn->conns[i].last_sent);
    }
}

enum conform_status
conform_run_case(const struct conform_run_config *cfg,
                 struct conform_server_info *info,
                 const struct conform_case *c, uint32_t seq,
                 struct conform_result *r)
{
    uint64_t t0 = conform_now_ns();
    if (conform_case_skipped(cfg, info, c, r->reason)) {
        r->status = CONFORM_SKIP;
        return r->status;
    }
    struct runner rn = {
        .cfg = cfg,
        .info = info,
        .c = c,
        .r = r,
        /* A case may need longer than the run's timeout, never shorter. */
        .timeout_ms = c->timeout_ms > cfg->timeout_ms ? c->timeout_ms
                                                      : cfg->timeout_ms,
    };
    uint32_t case_ms = cfg->case_ms;
    if (rn.timeout_ms > case_ms) {
        case_ms = rn.timeout_ms;
    }
    rn.case_deadline = t0 + (uint64_t)case_ms * NS_PER_MS +
                       (uint64_t)(c->real_s * NS_PER_S);
    conform_conn_init(&rn.control);
    rn.conns = calloc(CONFORM_CONNS_MAX, sizeof(*rn.conns));
    rn.stats = malloc(sizeof(*rn.stats));
    r->status = CONFORM_PASS;
    if (rn.conns == NULL || rn.stats == NULL) {
        fail(&rn, "out of memory");
    } else if (start_case(&rn, seq) && run_steps(&rn)) {
        check_trailing(&rn);
    }
    if (rn.conns != NULL) {
        finish_case(&rn);
    }
    if (c->final) {
        info->shut_down = true;
        memcpy(info->shut_down_by, c->name, strlen(c->name) + 1);
    }
    free(rn.conns);
    free(rn.stats);
    conform_buf_free(&rn.scratch);
    r->elapsed_ms = (conform_now_ns() - t0) / NS_PER_MS;
    return r->status;
}

/* Sends cmd and reads one reply line (without \r\n) into line. */
static bool
probe_line(struct conform_conn *c, const char *cmd, uint64_t deadline,
           char *line, size_t cap)
{
    if (conform_conn_send(c, (const uint8_t *)cmd, strlen(cmd), 2000,
                          deadline) != CONFORM_IO_OK) {
        return false;
    }
    for (;;) {
        const uint8_t *d = conform_conn_data(c);
        size_t avail = conform_conn_unread(c);
        const uint8_t *crlf = memmem(d, avail, "\r\n", 2);
        if (crlf != NULL) {
            size_t len = (size_t)(crlf - d);
            size_t n = len < cap - 1 ? len : cap - 1;
            memcpy(line, d, n);
            line[n] = '\0';
            conform_conn_consume(c, len + 2);
            return true;
        }
        if (avail > PROBE_LINE_MAX ||
            conform_conn_read(c, deadline) != CONFORM_IO_OK) {
            return false;
        }
    }
}

static bool
probe_settings(struct conform_conn *c, uint64_t deadline,
               struct conform_stats *out)
{
    static const char cmd[] = "stats settings\r\n";
    if (conform_conn_send(c, (const uint8_t *)cmd, sizeof(cmd) - 1, 2000,
                          deadline) != CONFORM_IO_OK) {
        return false;
    }
    char why[CONFORM_ERR_LEN];
    for (;;) {
        size_t used;
        const uint8_t *d = conform_conn_data(c);
        size_t avail = conform_conn_unread(c);
        if (avail >= 7 && memcmp(d, "ERROR\r\n", 7) == 0) {
            conform_conn_consume(c, 7);
            out->count = 0;   /* no settings: requirements are unknown */
            return true;
        }
        enum conform_stats_parse ps =
            conform_stats_parse(d, avail, out, &used, why);
        if (ps == CONFORM_STATS_DONE) {
            conform_conn_consume(c, used);
            return true;
        }
        if (ps == CONFORM_STATS_BAD || avail > CONFORM_STATS_LEN_MAX ||
            conform_conn_read(c, deadline) != CONFORM_IO_OK) {
            return false;
        }
    }
}

void
conform_server_info_free(struct conform_server_info *info)
{
    free(info->settings);
    memset(info, 0, sizeof(*info));
}

static bool
probe_debugtime(const struct conform_run_config *cfg, struct conform_conn *c,
                uint64_t deadline, struct conform_server_info *info,
                char err[CONFORM_ERR_LEN])
{
    char line[PROBE_LINE_MAX];
    if (!probe_line(c, "debugtime 0\r\n", deadline, line, sizeof(line))) {
        /* A proxy may close on a command it does not know: no debugtime. */
        line[0] = '\0';
    }
    info->has_debugtime = strcmp(line, "OK") == 0;
    if (cfg->time_mode == CONFORM_TIME_DEBUGTIME && !info->has_debugtime) {
        snprintf(err, CONFORM_ERR_LEN,
                 "--time debugtime: the server answered 'debugtime 0' with "
                 "'%.80s' (start it with -o test_clock)", line);
        return false;
    }
    info->use_debugtime = info->has_debugtime &&
                          cfg->time_mode != CONFORM_TIME_REAL;
    /* A killed run may have left the clock paused. */
    if (info->has_debugtime &&
        !probe_line(c, "debugtime r\r\n", deadline, line, sizeof(line))) {
        snprintf(err, CONFORM_ERR_LEN, "no reply to 'debugtime r'");
        return false;
    }
    return true;
}

/* `requires: meta`: one `mn`; anything but MN (ERROR, a close) is "no". */
static void
probe_meta(struct conform_conn *c, uint64_t deadline,
           struct conform_server_info *info)
{
    char line[PROBE_LINE_MAX];
    if (!probe_line(c, "mn\r\n", deadline, line, sizeof(line))) {
        snprintf(line, sizeof(line), "(no reply)");
    }
    info->has_meta = strcmp(line, "MN") == 0;
    snprintf(info->meta_reply, sizeof(info->meta_reply), "%.60s", line);
}

/*
 * --auth: the server is checked to ask for authentication (ascii: `version`
 * is refused; SASL: a binary version is answered) and nothing else is
 * probed: no settings, no meta, real time.
 */
static bool
probe_auth(const struct conform_run_config *cfg, struct conform_conn *c,
           uint64_t deadline, struct conform_server_info *info,
           char err[CONFORM_ERR_LEN])
{
    char line[PROBE_LINE_MAX];
    info->settings->count = 0;
    if (cfg->auth == CONFORM_AUTH_ASCII) {
        if (!probe_line(c, "version\r\n", deadline, line, sizeof(line)) ||
            strcmp(line, "CLIENT_ERROR unauthenticated") != 0) {
            snprintf(err, CONFORM_ERR_LEN,
                     "--auth ascii: 'version' was not refused with "
                     "'CLIENT_ERROR unauthenticated'");
            return false;
        }
        snprintf(info->version, sizeof(info->version), "(not told)");
    } else {
        static const uint8_t version[24] = {0x80, 0x0b};
        bool ok = conform_conn_send(c, version, sizeof version, 2000,
                                    deadline) == CONFORM_IO_OK;
        while (ok && conform_conn_unread(c) < 24) {
            ok = conform_conn_read(c, deadline) == CONFORM_IO_OK;
        }
        const uint8_t *h = ok ? conform_conn_data(c) : NULL;
        size_t body = ok ? conform_bin_body_len(h) : 0;
        ok = ok && h[0] == 0x81 && h[1] == 0x0b && h[6] == 0 && h[7] == 0 &&
             body < sizeof(info->version);
        while (ok && conform_conn_unread(c) < 24 + body) {
            ok = conform_conn_read(c, deadline) == CONFORM_IO_OK;
        }
        if (!ok) {
            snprintf(err, CONFORM_ERR_LEN,
                     "--auth sasl: a binary version request was not "
                     "answered");
            return false;
        }
        memcpy(info->version, conform_conn_data(c) + 24, body);
        info->version[body] = '\0';
    }
    snprintf(info->meta_reply, sizeof(info->meta_reply), "(--auth)");
    info->mcref = cfg->server == CONFORM_SERVER_MCREF ||
                  (cfg->server == CONFORM_SERVER_AUTO &&
                   strcasestr(info->version, "mcref") != NULL);
    return true;
}

bool
conform_server_probe(const struct conform_run_config *cfg,
                     struct conform_server_info *info,
                     char err[CONFORM_ERR_LEN])
{
    memset(info, 0, sizeof(*info));
    info->settings = calloc(1, sizeof(*info->settings));
    if (info->settings == NULL) {
        snprintf(err, CONFORM_ERR_LEN, "out of memory");
        return false;
    }
    struct conform_conn c;
    conform_conn_init(&c);
    uint64_t deadline = conform_now_ns() + 5ull * cfg->timeout_ms * NS_PER_MS;
    char why[CONFORM_ERR_LEN];
    if (!conform_conn_open(&c, &cfg->addr, deadline, why)) {
        snprintf(err, CONFORM_ERR_LEN, "%s", why);
        return false;
    }
    char line[PROBE_LINE_MAX];
    if (cfg->auth != CONFORM_AUTH_NONE) {
        bool ok = probe_auth(cfg, &c, deadline, info, err);
        conform_conn_close(&c);
        return ok;
    }
    bool ok = probe_line(&c, "version\r\n", deadline, line, sizeof(line)) &&
              strncmp(line, "VERSION ", 8) == 0;
    conform_conn_close(&c);
    if (!ok) {
        snprintf(err, CONFORM_ERR_LEN,
                 "'version' was not answered 'VERSION ...': is this a "
                 "memcached-compatible server?");
        return false;
    }
    size_t n = strlen(line + 8);
    if (n >= sizeof(info->version)) {
        n = sizeof(info->version) - 1;
    }
    memcpy(info->version, line + 8, n);
    info->version[n] = '\0';
    /* Each probe on its own connection: a proxy (twemproxy) closes the
     * connection on `stats` and `debugtime`, which leaves the settings
     * unknown (cases that require some are skipped) and time real. */
    conform_conn_init(&c);
    if (!conform_conn_open(&c, &cfg->addr, deadline, why) ||
        !probe_settings(&c, deadline, info->settings)) {
        info->settings->count = 0;
    }
    conform_conn_close(&c);
    conform_conn_init(&c);
    if (!conform_conn_open(&c, &cfg->addr, deadline, why)) {
        snprintf(err, CONFORM_ERR_LEN, "%s", why);
        return false;
    }
    probe_meta(&c, deadline, info);
    conform_conn_close(&c);
    conform_conn_init(&c);
    if (!conform_conn_open(&c, &cfg->addr, deadline, why)) {
        snprintf(err, CONFORM_ERR_LEN, "%s", why);
        return false;
    }
    ok = probe_debugtime(cfg, &c, deadline, info, err);
    conform_conn_close(&c);
    if (ok) {
        info->mcref = cfg->server == CONFORM_SERVER_MCREF ||
                      (cfg->server == CONFORM_SERVER_AUTO &&
                       strcasestr(info->version, "mcref") != NULL);
    }
    return ok;
}
