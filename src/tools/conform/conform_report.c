/*
 * conform_report.c - text, TAP and JSON output; see conform_report.h.
 */
#include "conform_report.h"

#include <stdlib.h>
#include <string.h>

/* Past this offset, a mismatch is shown from a little before it. */
#define WINDOW_BEFORE 32u

static const char *
status_word(enum conform_status s)
{
    switch (s) {
    case CONFORM_PASS: return "PASS";
    case CONFORM_FAIL: return "FAIL";
    case CONFORM_SKIP: return "SKIP";
    }
    return "?";
}

/* Escaped form of data[from, len), prefixed by what was left out. */
static void
show(char *out, size_t cap, const uint8_t *data, size_t len, size_t from)
{
    if (from > len) {
        from = len;
    }
    size_t pre = 0;
    if (from > 0) {
        int n = snprintf(out, cap, "...(%zu bytes) ", from);
        pre = n > 0 ? (size_t)n : 0;
    }
    conform_escape(data + from, len - from, out + pre, cap - pre);
}

/* Where to start showing a mismatch at diff_at. */
static size_t
window_start(size_t diff_at)
{
    return diff_at > 2 * WINDOW_BEFORE ? diff_at - WINDOW_BEFORE : 0;
}

static void
json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
        } else if (c < 0x20 || c >= 0x7f) {
            fprintf(out, "\\u%04x", c);
        } else {
            fputc(c, out);
        }
    }
    fputc('"', out);
}

/* A YAML single-quoted scalar (TAP diagnostics). */
static void
yaml_string(FILE *out, const char *s)
{
    fputc('\'', out);
    for (; *s != '\0'; s++) {
        if (*s == '\'') {
            fputc('\'', out);
        }
        fputc(*s, out);
    }
    fputc('\'', out);
}

static void
tally_add(struct conform_report *r, const char *id, enum conform_status s)
{
    struct conform_tally *t = NULL;
    for (size_t i = 0; i < r->tally_count; i++) {
        if (strcmp(r->tally[i].id, id) == 0) {
            t = &r->tally[i];
            break;
        }
    }
    if (t == NULL) {
        struct conform_tally *grown =
            realloc(r->tally, (r->tally_count + 1) * sizeof(*grown));
        if (grown == NULL) {
            return;   /* the tally is a convenience; results still print */
        }
        r->tally = grown;
        t = &r->tally[r->tally_count++];
        memset(t, 0, sizeof(*t));
        memcpy(t->id, id, strlen(id) + 1);
    }
    if (s == CONFORM_PASS) {
        t->passed++;
    } else if (s == CONFORM_FAIL) {
        t->failed++;
    } else {
        t->skipped++;
    }
}

static void
clause_list(char *out, size_t cap, const struct conform_case *c)
{
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < c->clause_count && at + 1 < cap; i++) {
        int n = snprintf(out + at, cap - at, "%s%s", i ? " " : "",
                         c->clauses[i]);
        if (n < 0) {
            break;
        }
        at += (size_t)n;
    }
}

void
conform_report_begin(struct conform_report *r, enum conform_format fmt,
                     FILE *out, const char *target,
                     const struct conform_server_info *info, size_t planned)
{
    memset(r, 0, sizeof(*r));
    r->format = fmt;
    r->out = out;
    r->planned = planned;
    const char *time = info->use_debugtime ? "debugtime" : "real";
    switch (fmt) {
    case CONFORM_FORMAT_TEXT:
        fprintf(out, "# mcref-conform %s: VERSION %s, time %s, %s, meta %s, "
                     "%zu cases\n",
                target, info->version, time,
                info->mcref ? "mcref rules" : "not mcref",
                info->has_meta ? "yes" : "no", planned);
        break;
    case CONFORM_FORMAT_TAP:
        fprintf(out, "TAP version 13\n1..%zu\n", planned);
        fprintf(out, "# mcref-conform %s: VERSION %s, time %s, %s, meta %s\n",
                target, info->version, time,
                info->mcref ? "mcref rules" : "not mcref",
                info->has_meta ? "yes" : "no");
        break;
    case CONFORM_FORMAT_JSON:
        fputs("{\"tool\":\"mcref-conform\",\"server\":{\"target\":", out);
        json_string(out, target);
        fputs(",\"version\":", out);
        json_string(out, info->version);
        fprintf(out, ",\"mcref\":%s,\"meta\":%s,\"time\":\"%s\"},"
                     "\"cases\":[",
                info->mcref ? "true" : "false",
                info->has_meta ? "true" : "false", time);
        break;
    }
    fflush(out);
}

/* The four byte lines of a failure, escaped, into fields. */
struct shown {
    char sent[CONFORM_SHOW_LEN + 64];
    char expected[CONFORM_SHOW_LEN + 64];
    char received[CONFORM_SHOW_LEN + 64];
};

static void
make_shown(const struct conform_result *res, struct shown *s)
{
    size_t from = window_start(res->diff_at);
    show(s->sent, sizeof(s->sent), res->sent.data, res->sent.len, 0);
    if (res->expected_is_text) {
        snprintf(s->expected, sizeof(s->expected), "/%.*s/",
                 (int)(res->expected.len > CONFORM_SHOW_LEN
                           ? CONFORM_SHOW_LEN
                           : res->expected.len),
                 res->expected.data ? (const char *)res->expected.data : "");
        from = 0;
    } else if (res->expected.len == 0) {
        snprintf(s->expected, sizeof(s->expected), "(nothing)");
    } else {
        show(s->expected, sizeof(s->expected), res->expected.data,
             res->expected.len, from);
    }
    if (res->received.len == 0) {
        snprintf(s->received, sizeof(s->received), "(nothing)");
    } else {
        show(s->received, sizeof(s->received), res->received.data,
             res->received.len, from);
    }
}

static void
text_case(struct conform_report *r, const struct conform_case *c,
          const struct conform_result *res, const char *clauses)
{
    FILE *out = r->out;
    fprintf(out, "%s %s [%s]", status_word(res->status), c->name, clauses);
    if (res->status == CONFORM_SKIP) {
        fprintf(out, " (%s)", res->reason);
    } else if (res->elapsed_ms >= 1000) {
        fprintf(out, " (%.1f s)", res->elapsed_ms / 1000.0);
    }
    fputc('\n', out);
    if (res->status != CONFORM_FAIL) {
        return;
    }
    if (res->line > 0) {
        fprintf(out, "    at %s:%u: %s\n", c->file, res->line,
                res->step_text ? res->step_text : "");
    } else {
        fprintf(out, "    at %s:%u (case %s)\n", c->file, c->line, c->name);
    }
    fprintf(out, "    why:      %s\n", res->reason);
    if (!res->has_bytes) {
        return;
    }
    struct shown s;
    make_shown(res, &s);
    if (res->conn[0] != '\0') {
        fprintf(out, "    conn:     %s\n", res->conn);
    }
    fprintf(out, "    sent:     %s\n", res->sent.len ? s.sent : "(nothing)");
    fprintf(out, "    expected: %s\n", s.expected);
    fprintf(out, "    received: %s\n", s.received);
}

static void
tap_case(struct conform_report *r, const struct conform_case *c,
         const struct conform_result *res, const char *clauses)
{
    FILE *out = r->out;
    fprintf(out, "%s %zu - %s [%s]", res->status == CONFORM_FAIL ? "not ok"
                                                                 : "ok",
            r->index, c->name, clauses);
    if (res->status == CONFORM_SKIP) {
        fprintf(out, " # SKIP %s", res->reason);
    }
    fputc('\n', out);
    if (res->status != CONFORM_FAIL) {
        return;
    }
    fputs("  ---\n  message: ", out);
    yaml_string(out, res->reason);
    fprintf(out, "\n  at: '%s:%u'\n", c->file, res->line ? res->line : c->line);
    if (res->step_text != NULL) {
        fputs("  step: ", out);
        yaml_string(out, res->step_text);
        fputc('\n', out);
    }
    if (res->has_bytes) {
        struct shown s;
        make_shown(res, &s);
        fputs("  sent: ", out);
        yaml_string(out, s.sent);
        fputs("\n  expected: ", out);
        yaml_string(out, s.expected);
        fputs("\n  received: ", out);
        yaml_string(out, s.received);
        fputc('\n', out);
    }
    fputs("  ...\n", out);
}

static void
json_case(struct conform_report *r, const struct conform_case *c,
          const struct conform_result *res)
{
    FILE *out = r->out;
    fputs(r->index > 1 ? ",\n{\"name\":" : "\n{\"name\":", out);
    json_string(out, c->name);
    fputs(",\"file\":", out);
    json_string(out, c->file);
    fprintf(out, ",\"line\":%u,\"clauses\":[", c->line);
    for (size_t i = 0; i < c->clause_count; i++) {
        if (i > 0) {
            fputc(',', out);
        }
        json_string(out, c->clauses[i]);
    }
    fprintf(out, "],\"result\":\"%s\",\"elapsed_ms\":%llu",
            res->status == CONFORM_PASS   ? "pass"
            : res->status == CONFORM_FAIL ? "fail"
                                          : "skip",
            (unsigned long long)res->elapsed_ms);
    if (res->status != CONFORM_PASS) {
        fputs(",\"reason\":", out);
        json_string(out, res->reason);
    }
    if (res->status == CONFORM_FAIL) {
        fprintf(out, ",\"step_line\":%u,\"step\":", res->line);
        json_string(out, res->step_text ? res->step_text : "");
        if (res->has_bytes) {
            struct shown s;
            make_shown(res, &s);
            fputs(",\"conn\":", out);
            json_string(out, res->conn);
            fputs(",\"sent\":", out);
            json_string(out, s.sent);
            fputs(",\"expected\":", out);
            json_string(out, s.expected);
            fputs(",\"received\":", out);
            json_string(out, s.received);
        }
    }
    fputc('}', out);
}

void
conform_report_case(struct conform_report *r, const struct conform_case *c,
                    const struct conform_result *res)
{
    char clauses[CONFORM_CLAUSES_MAX * (CONFORM_CLAUSE_LEN_MAX + 1) + 1];
    clause_list(clauses, sizeof(clauses), c);
    r->index++;
    if (res->status == CONFORM_PASS) {
        r->passed++;
    } else if (res->status == CONFORM_FAIL) {
        r->failed++;
    } else {
        r->skipped++;
    }
    for (size_t i = 0; i < c->clause_count; i++) {
        tally_add(r, c->clauses[i], res->status);
    }
    switch (r->format) {
    case CONFORM_FORMAT_TEXT:
        text_case(r, c, res, clauses);
        break;
    case CONFORM_FORMAT_TAP:
        tap_case(r, c, res, clauses);
        break;
    case CONFORM_FORMAT_JSON:
        json_case(r, c, res);
        break;
    }
    fflush(r->out);
}

static int
compare_tally(const void *a, const void *b)
{
    return strcmp(((const struct conform_tally *)a)->id,
                  ((const struct conform_tally *)b)->id);
}

/* Prints the IDs of clauses in state (1 failed, 2 only skipped). */
static void
print_ids(const struct conform_report *r, int state, const char *prefix)
{
    bool any = false;
    for (size_t i = 0; i < r->tally_count; i++) {
        const struct conform_tally *t = &r->tally[i];
        int st = t->failed ? 1 : t->passed ? 0 : 2;
        if (st != state) {
            continue;
        }
        fprintf(r->out, "%s%s", any ? " " : prefix, t->id);
        any = true;
    }
    if (any) {
        fputc('\n', r->out);
    }
}

void
conform_report_end(struct conform_report *r)
{
    size_t c_pass = 0;
    size_t c_fail = 0;
    size_t c_skip = 0;
    if (r->tally_count > 0) {
        qsort(r->tally, r->tally_count, sizeof(*r->tally), compare_tally);
    }
    for (size_t i = 0; i < r->tally_count; i++) {
        const struct conform_tally *t = &r->tally[i];
        if (t->failed) {
            c_fail++;
        } else if (t->passed) {
            c_pass++;
        } else {
            c_skip++;
        }
    }
    FILE *out = r->out;
    switch (r->format) {
    case CONFORM_FORMAT_TEXT:
    case CONFORM_FORMAT_TAP: {
        const char *pre = r->format == CONFORM_FORMAT_TAP ? "# " : "";
        fprintf(out, "%sclauses: %zu passed, %zu failed, %zu not run\n", pre,
                c_pass, c_fail, c_skip);
        char prefix[64];
        snprintf(prefix, sizeof(prefix), "%sfailed clauses: ", pre);
        print_ids(r, 1, prefix);
        fprintf(out, "%s%zu skipped\n", pre, r->skipped);
        fprintf(out, "%s%zu passed, %zu failed\n", pre, r->passed, r->failed);
        break;
    }
    case CONFORM_FORMAT_JSON:
        fputs("\n],\"clauses\":{", out);
        for (size_t i = 0; i < r->tally_count; i++) {
            const struct conform_tally *t = &r->tally[i];
            if (i > 0) {
                fputc(',', out);
            }
            json_string(out, t->id);
            fprintf(out, ":\"%s\"", t->failed   ? "fail"
                                    : t->passed ? "pass"
                                                : "skip");
        }
        fprintf(out, "},\"passed\":%zu,\"failed\":%zu,\"skipped\":%zu}\n",
                r->passed, r->failed, r->skipped);
        break;
    }
    fflush(out);
    free(r->tally);
    r->tally = NULL;
    r->tally_count = 0;
}

void
conform_report_list(FILE *out, const struct conform_case *c)
{
    char clauses[CONFORM_CLAUSES_MAX * (CONFORM_CLAUSE_LEN_MAX + 1) + 1];
    clause_list(clauses, sizeof(clauses), c);
    fprintf(out, "%s [%s]", c->name, clauses);
    if (c->mcref_only) {
        fputs(" server:mcref", out);
    }
    for (size_t i = 0; i < c->require_count; i++) {
        const struct conform_require *q = &c->requires[i];
        if (q->debugtime || q->no_debugtime) {
            fputs(q->debugtime ? " requires:debugtime" : " requires:no-debugtime",
                  out);
        } else {
            fprintf(out, " requires:%s%s%s", q->name, conform_cmp_name(q->cmp),
                    q->value);
        }
    }
    fprintf(out, "%s%s%s %s:%u\n", c->destructive ? " destructive" : "",
            c->slow ? " slow" : "", c->final ? " final" : "", c->file,
            c->line);
}

void
conform_report_trace(void *ctx, const char *conn, char dir,
                     const uint8_t *data, size_t len)
{
    struct conform_report *r = ctx;
    FILE *out = r->format == CONFORM_FORMAT_JSON ? stderr : r->out;
    const char *pre = r->format == CONFORM_FORMAT_TAP ? "# " : "";
    if (dir == '#') {
        fprintf(out, "%s    %s: %.*s\n", pre, conn, (int)len,
                (const char *)data);
        return;
    }
    char shown[1024];
    conform_escape(data, len, shown, sizeof(shown));
    fprintf(out, "%s    %s %c %s\n", pre, conn, dir, shown);
}
