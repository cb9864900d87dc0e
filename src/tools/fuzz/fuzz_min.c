/* fuzz_min.c - see fuzz_min.h. */
#include "fuzz_min.h"

#include <stdlib.h>
#include <string.h>

struct min {
    const struct fuzz_target *t;
    struct fuzz_exec_opts *o;
    const struct fuzz_result *want;
    size_t budget;
    struct fuzz_result *final;
    struct fuzz_min_stats *stats;
};

/* Runs candidate; true (and final updated) when it keeps the finding. */
static bool
still_fails(struct min *m, const struct fuzz_stream *candidate)
{
    if (m->stats->executions >= m->budget || candidate->count == 0) {
        return false;
    }
    m->stats->executions++;
    struct fuzz_result r = {0};
    fuzz_exec(candidate, m->t, m->o, &r);
    if (!fuzz_result_same(&r, m->want)) {
        fuzz_result_free(&r);
        return false;
    }
    fuzz_result_free(m->final);
    *m->final = r;
    return true;
}

static void
replace(struct fuzz_stream *s, struct fuzz_stream *with)
{
    fuzz_stream_free(s);
    *s = *with;
    memset(with, 0, sizeof *with);
}

static void
ddmin_requests(struct min *m, struct fuzz_stream *s)
{
    size_t n = 2;
    while (s->count >= 2 && m->stats->executions < m->budget) {
        size_t chunk = (s->count + n - 1) / n;
        bool reduced = false;
        bool *keep = malloc(s->count * sizeof *keep);
        for (size_t start = 0; start < s->count && !reduced;
             start += chunk) {
            for (size_t i = 0; i < s->count; i++) {
                keep[i] = i < start || i >= start + chunk;
            }
            struct fuzz_stream c = {0};
            fuzz_stream_copy(&c, s, keep);
            if (still_fails(m, &c)) {
                replace(s, &c);
                reduced = true;
            }
            fuzz_stream_free(&c);
        }
        free(keep);
        if (reduced) {
            n = n > 2 ? n - 1 : 2;
        } else if (n >= s->count) {
            break;
        } else {
            n = n * 2 < s->count ? n * 2 : s->count;
        }
    }
}

/* Does cutting [start, start+cut) break a ${k} or ${cas}? Those stay
 * whole: a key without its prefix would meet other executions' items. */
static bool
cuts_variable(const struct fuzz_req *r, size_t start, size_t cut)
{
    static const struct {
        const char *text;
        size_t len;
    } vars[] = {{FUZZ_KEY_VAR, FUZZ_KEY_VAR_LEN},
                {FUZZ_CAS_VAR, FUZZ_CAS_VAR_LEN}};
    for (size_t v = 0; v < 2; v++) {
        for (size_t q = 0; q + vars[v].len <= r->len; q++) {
            if (memcmp(r->bytes + q, vars[v].text, vars[v].len) == 0 &&
                q < start + cut && start < q + vars[v].len) {
                return true;
            }
        }
    }
    return false;
}

/* Does [start, start+cut) touch the first word of its line (a command
 * name)? Cutting it would turn the request into another one. */
static bool
cuts_command(const struct fuzz_req *r, size_t start)
{
    size_t line = start;
    while (line > 0 && r->bytes[line - 1] != '\n') {
        line--;
    }
    size_t word_end = line;
    while (word_end < r->len && r->bytes[word_end] != ' ' &&
           r->bytes[word_end] != '\r' && r->bytes[word_end] != '\n') {
        word_end++;
    }
    return start <= word_end; /* the space after it too */
}

/* Removes chunks of bytes from request i, halving the chunk size. */
static void
shrink_bytes(struct min *m, struct fuzz_stream *s, size_t i)
{
    for (size_t chunk = s->reqs[i].len / 2; chunk >= 1; chunk /= 2) {
        size_t start = 0;
        while (start < s->reqs[i].len && m->stats->executions < m->budget) {
            struct fuzz_req *r = &s->reqs[i];
            size_t cut = start + chunk <= r->len ? chunk : r->len - start;
            if (cuts_variable(r, start, cut) || cuts_command(r, start) ||
                memchr(r->bytes + start, '\r', cut) != NULL ||
                memchr(r->bytes + start, '\n', cut) != NULL) {
                /* Line ends stay: a case keeps its framing, and does not
                 * drift to another clause ([frame.line]). */
                start += cut;
                continue;
            }
            struct fuzz_stream c = {0};
            fuzz_stream_copy(&c, s, NULL);
            struct fuzz_req *cr = &c.reqs[i];
            memmove(cr->bytes + start, cr->bytes + start + cut,
                    cr->len - start - cut);
            cr->len -= cut;
            cr->bytes[cr->len] = 0;
            if (cr->len > 0 && still_fails(m, &c)) {
                replace(s, &c);
            } else {
                start += cut;
            }
            fuzz_stream_free(&c);
        }
    }
}

void
fuzz_minimise(struct fuzz_stream *s, const struct fuzz_target *t,
              struct fuzz_exec_opts *o, const struct fuzz_result *want,
              size_t budget, struct fuzz_result *final,
              struct fuzz_min_stats *stats)
{
    struct min m = {.t = t, .o = o, .want = want, .budget = budget,
                    .final = final, .stats = stats};
    memset(stats, 0, sizeof *stats);
    stats->requests_before = s->count;
    stats->bytes_before = fuzz_stream_bytes(s);
    /* Nothing after the judged request matters. */
    if (want->request + 1 < s->count) {
        bool *keep = malloc(s->count * sizeof *keep);
        for (size_t i = 0; i < s->count; i++) {
            keep[i] = i <= want->request;
        }
        struct fuzz_stream c = {0};
        fuzz_stream_copy(&c, s, keep);
        free(keep);
        if (still_fails(&m, &c)) {
            replace(s, &c);
        }
        fuzz_stream_free(&c);
    }
    if (stats->executions == 0 || final->kind == FUZZ_SAME) {
        stats->reproduced = still_fails(&m, s);
    } else {
        stats->reproduced = true;
    }
    if (stats->reproduced) {
        ddmin_requests(&m, s);
        for (size_t i = 0; i < s->count; i++) {
            if (s->reqs[i].binary) {
                continue; /* a packet's bytes hang together */
            }
            shrink_bytes(&m, s, i);
        }
    }
    stats->requests_after = s->count;
    stats->bytes_after = fuzz_stream_bytes(s);
}
