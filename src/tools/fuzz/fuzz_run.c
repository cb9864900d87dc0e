/* fuzz_run.c - see fuzz_run.h. */
#include "fuzz_run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fuzz_case.h"
#include "fuzz_min.h"

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t
hash32(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s != '\0'; s++) {
        h = (h ^ (uint8_t)*s) * 16777619u;
    }
    return h;
}

static bool
word_in(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; p != NULL && (p = strstr(p, word)) != NULL;
         p += n) {
        bool start = p == list || strchr(" ,\n\t", p[-1]) != NULL;
        bool end = p[n] == '\0' || strchr(" ,\n\t", p[n]) != NULL;
        if (start && end) {
            return true;
        }
    }
    return false;
}

/* A known difference: a request of the judged batch cites a known clause
 * (a proxy that meets a malformed request drops or mismatches the replies
 * to the other requests of the same pipeline). */
static bool
is_known(const char *known, const struct fuzz_stream *s,
         const struct fuzz_result *r)
{
    if (known == NULL || r->kind == FUZZ_GONE || r->kind == FUZZ_SETUP) {
        return false;
    }
    size_t first = r->request;
    while (first > 0 && s->reqs[first - 1].batch == r->batch) {
        first--;
    }
    for (size_t i = first; i < s->count && s->reqs[i].batch == r->batch;
         i++) {
        if (s->reqs[i].clause != NULL && word_in(known, s->reqs[i].clause)) {
            return true;
        }
    }
    return false;
}

static struct fuzz_finding *
find_or_add(struct fuzz_summary *sum, const struct fuzz_result *r,
            bool *added)
{
    char sig[4 * FUZZ_SHAPE_LEN];
    snprintf(sig, sizeof sig, "%s|%s|%s|%s", fuzz_kind_name(r->kind),
             r->clause != NULL ? r->clause : "?", r->shape_oracle,
             r->shape_target);
    *added = false;
    for (size_t i = 0; i < sum->finding_count; i++) {
        if (strcmp(sum->findings[i].signature, sig) == 0) {
            return &sum->findings[i];
        }
    }
    if (sum->finding_count == FUZZ_FINDINGS_MAX) {
        return NULL;
    }
    struct fuzz_finding *f = &sum->findings[sum->finding_count++];
    memset(f, 0, sizeof *f);
    snprintf(f->signature, sizeof f->signature, "%s", sig);
    snprintf(f->name, sizeof f->name, "fuzz-%s-%s-%08x",
             r->clause != NULL ? r->clause : "unknown",
             fuzz_kind_name(r->kind), hash32(sig));
    f->kind = r->kind;
    f->clause = r->clause;
    memcpy(f->shape_oracle, r->shape_oracle, FUZZ_SHAPE_LEN);
    memcpy(f->shape_target, r->shape_target, FUZZ_SHAPE_LEN);
    *added = true;
    return f;
}

static void
write_case(const struct fuzz_opts *o, struct fuzz_finding *f,
           const struct fuzz_stream *s, const struct fuzz_result *r,
           uint64_t seed, uint64_t stream)
{
    if (mkdir(o->out_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "mcref-fuzz: %s: %s\n", o->out_dir, strerror(errno));
        return;
    }
    struct fuzz_case_info info = {.name = f->name, .run_seed = seed,
                                  .stream = stream, .target = o->target,
                                  .cas_loose = !o->cas_exact};
    struct fuzz_buf text = {0};
    if (!fuzz_case_write(s, r, &info, &text)) {
        return;
    }
    char path[512];
    snprintf(path, sizeof path, "%s/%s.case", o->out_dir, f->name);
    FILE *fp = fopen(path, "w");
    if (fp == NULL || fwrite(text.p, 1, text.len, fp) != text.len) {
        fprintf(stderr, "mcref-fuzz: %s: %s\n", path, strerror(errno));
    } else {
        snprintf(f->file, sizeof f->file, "%s", path);
    }
    if (fp != NULL) {
        fclose(fp);
    }
    fuzz_buf_free(&text);
}

void
fuzz_run(const struct fuzz_opts *o, const struct fuzz_target *t,
         struct fuzz_exec_opts *eo, struct fuzz_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    sum->seed = o->seed;
    struct fuzz_gen_opts go = {.protocol = o->protocol,
                               .max_requests = o->max_requests,
                               .allow_flush = o->allow_flush,
                               .commands = o->commands};
    double start = now_s();
    double last_progress = start;
    for (uint64_t i = 0;; i++) {
        double now = now_s();
        if ((o->runs > 0 && i >= o->runs) ||
            (o->seconds > 0 && now - start >= o->seconds)) {
            break;
        }
        if (!o->quiet && now - last_progress >= 1.0) {
            fprintf(stderr, "\rmcref-fuzz: %llu streams, %llu requests, "
                    "%zu findings, %.0f s ",
                    (unsigned long long)sum->streams,
                    (unsigned long long)sum->requests, sum->finding_count,
                    now - start);
            last_progress = now;
        }
        struct fuzz_stream s = {0};
        fuzz_gen_stream(&s, fuzz_gen_stream_seed(o->seed, i), &go);
        struct fuzz_result r = {0};
        fuzz_exec(&s, t, eo, &r);
        sum->streams++;
        sum->requests += r.requests_sent;
        if (r.kind != FUZZ_SAME && is_known(o->known_clauses, &s, &r)) {
            sum->known++;
        } else if (r.kind != FUZZ_SAME && r.kind != FUZZ_SETUP) {
            bool added;
            struct fuzz_finding *f = find_or_add(sum, &r, &added);
            if (f != NULL) {
                f->hits++;
            }
            if (f != NULL && added) {
                f->stream = i;
                struct fuzz_result fin = {0};
                struct fuzz_min_stats ms;
                if (r.kind != FUZZ_GONE) {
                    fuzz_minimise(&s, t, eo, &r, o->min_budget, &fin, &ms);
                    sum->min_executions += ms.executions;
                    if (r.kind == FUZZ_DIVERGE && !ms.reproduced) {
                        /* Not the same on a re-run of the same stream:
                         * counted apart, not a finding (the next hit of
                         * that shape is tried again). */
                        sum->finding_count--;
                        sum->flaky++;
                        fuzz_result_free(&fin);
                        fuzz_result_free(&r);
                        fuzz_stream_free(&s);
                        continue;
                    }
                }
                f->requests = s.count;
                write_case(o, f, &s, fin.kind != FUZZ_SAME ? &fin : &r,
                           o->seed, i);
                if (!o->quiet) {
                    fprintf(stderr, "\rmcref-fuzz: finding %s: %s (%s) "
                            "mcref `%s` target `%s`, %zu requests%s%s\n",
                            f->name, fuzz_kind_name(f->kind),
                            f->clause != NULL ? f->clause : "?",
                            f->shape_oracle, f->shape_target, f->requests,
                            f->file[0] != '\0' ? " -> " : "", f->file);
                }
                fuzz_result_free(&fin);
            }
        }
        bool gone = r.kind == FUZZ_GONE;
        fuzz_result_free(&r);
        fuzz_stream_free(&s);
        if (gone) {
            sum->gone = true;
            break;
        }
    }
    sum->seconds = now_s() - start;
    if (!o->quiet) {
        fprintf(stderr, "\r%60s\r", "");
    }
}

static void
json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\') {
            fprintf(f, "\\%c", *s);
        } else if ((unsigned char)*s < 0x20) {
            fprintf(f, "\\u%04x", (unsigned char)*s);
        } else {
            fputc(*s, f);
        }
    }
    fputc('"', f);
}

void
fuzz_summary_print(const struct fuzz_summary *sum, const struct fuzz_opts *o,
                   FILE *f)
{
    if (o->json) {
        fprintf(f, "{\"target\": ");
        json_string(f, o->target);
        fprintf(f, ", \"seed\": %llu, \"streams\": %llu, \"requests\": %llu,"
                " \"seconds\": %.1f, \"minimise_executions\": %llu,"
                " \"target_gone\": %s, \"known\": %llu, \"flaky\": %llu,"
                " \"findings\": [",
                (unsigned long long)sum->seed,
                (unsigned long long)sum->streams,
                (unsigned long long)sum->requests, sum->seconds,
                (unsigned long long)sum->min_executions,
                sum->gone ? "true" : "false",
                (unsigned long long)sum->known,
                (unsigned long long)sum->flaky);
        for (size_t i = 0; i < sum->finding_count; i++) {
            const struct fuzz_finding *x = &sum->findings[i];
            fprintf(f, "%s{\"name\": ", i > 0 ? ", " : "");
            json_string(f, x->name);
            fprintf(f, ", \"kind\": \"%s\", \"clause\": ",
                    fuzz_kind_name(x->kind));
            json_string(f, x->clause != NULL ? x->clause : "");
            fprintf(f, ", \"mcref\": ");
            json_string(f, x->shape_oracle);
            fprintf(f, ", \"target\": ");
            json_string(f, x->shape_target);
            fprintf(f, ", \"hits\": %llu, \"stream\": %llu, \"requests\": "
                    "%zu, \"case\": ", (unsigned long long)x->hits,
                    (unsigned long long)x->stream, x->requests);
            json_string(f, x->file);
            fprintf(f, "}");
        }
        fprintf(f, "]}\n");
        return;
    }
    fprintf(f, "mcref-fuzz %s: seed %llu, %llu streams, %llu requests in "
            "%.1f s\n", o->target, (unsigned long long)sum->seed,
            (unsigned long long)sum->streams,
            (unsigned long long)sum->requests, sum->seconds);
    if (sum->gone) {
        fprintf(f, "the target went away (crash, or stopped accepting): "
                "the run stopped\n");
    }
    if (sum->flaky > 0) {
        fprintf(f, "%llu divergences did not recur when their stream was "
                "run again (flaky; not counted as findings)\n",
                (unsigned long long)sum->flaky);
    }
    if (sum->known > 0) {
        fprintf(f, "%llu streams diverged under --known-clauses (known "
                "differences, not findings)\n",
                (unsigned long long)sum->known);
    }
    if (sum->finding_count == 0) {
        fprintf(f, "no divergence beyond the documented differences "
                "(spec/differences.md)\n");
        return;
    }
    fprintf(f, "%zu findings (by clause):\n", sum->finding_count);
    for (size_t i = 0; i < sum->finding_count; i++) {
        const struct fuzz_finding *x = &sum->findings[i];
        fprintf(f, "  %-22s %-10s mcref `%s` target `%s` (%llu hits) %s\n",
                x->clause != NULL ? x->clause : "?", fuzz_kind_name(x->kind),
                x->shape_oracle, x->shape_target,
                (unsigned long long)x->hits, x->file);
    }
    fprintf(f, "replay: mcref-conform --case FILE %s\n", o->target);
}
