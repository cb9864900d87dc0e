/* fuzz_case.c - see fuzz_case.h. */
#include "fuzz_case.h"

#include "fuzz_bin.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The oracle runs under this prefix; in the case it becomes ${k}. */
#define CASE_PREFIX "kfffffff0_"

void
fuzz_case_quote(const uint8_t *p, size_t len, struct fuzz_buf *out)
{
    fuzz_buf_add(out, "\"", 1);
    size_t i = 0;
    while (i < len) {
        uint8_t c = p[i];
        if (i + FUZZ_KEY_VAR_LEN <= len &&
            memcmp(p + i, FUZZ_KEY_VAR, FUZZ_KEY_VAR_LEN) == 0) {
            fuzz_buf_add(out, FUZZ_KEY_VAR, FUZZ_KEY_VAR_LEN);
            i += FUZZ_KEY_VAR_LEN;
            continue;
        }
        if (i + FUZZ_CAS_VAR_LEN <= len &&
            memcmp(p + i, FUZZ_CAS_VAR, FUZZ_CAS_VAR_LEN) == 0) {
            fuzz_buf_add(out, FUZZ_CAS_VAR, FUZZ_CAS_VAR_LEN);
            i += FUZZ_CAS_VAR_LEN;
            continue;
        }
        /* A run of one byte repeated: "L"*240. */
        size_t run = 1;
        while (i + run < len && p[i + run] == c) {
            run++;
        }
        if (run >= 16 && isalnum(c)) {
            fuzz_buf_addf(out, "\" \"%c\"*%zu \"", c, run);
            i += run;
            continue;
        }
        switch (c) {
        case '\r': fuzz_buf_add(out, "\\r", 2); break;
        case '\n': fuzz_buf_add(out, "\\n", 2); break;
        case '\t': fuzz_buf_add(out, "\\t", 2); break;
        case '\\': fuzz_buf_add(out, "\\\\", 2); break;
        case '"': fuzz_buf_add(out, "\\\"", 2); break;
        case '$': fuzz_buf_add(out, "\\$", 2); break;
        default:
            if (c >= 0x20 && c < 0x7F) {
                fuzz_buf_add(out, &c, 1);
            } else {
                fuzz_buf_addf(out, "\\x%02x", c);
            }
        }
        i++;
    }
    fuzz_buf_add(out, "\"", 1);
}

/* The oracle's bytes with its prefix turned back into ${k}. */
static void
unexpand(const uint8_t *p, size_t len, struct fuzz_buf *out)
{
    size_t n = strlen(CASE_PREFIX);
    for (size_t i = 0; i < len;) {
        if (i + n <= len && memcmp(p + i, CASE_PREFIX, n) == 0) {
            fuzz_buf_add(out, FUZZ_KEY_VAR, FUZZ_KEY_VAR_LEN);
            i += n;
        } else {
            fuzz_buf_add(out, p + i, 1);
            i++;
        }
    }
}

/* Does normalisation change these bytes? Then lines are matched by
 * pattern, not byte for byte. */
static bool
needs_patterns(const uint8_t *p, size_t len, bool cas_loose)
{
    struct fuzz_norm n = {.cas_loose = cas_loose};
    struct fuzz_buf b = {0};
    fuzz_normalise(&n, p, len, &b);
    bool differs = b.len != len || memcmp(b.p, p, len) != 0;
    fuzz_buf_free(&b);
    /* A CAS unique is captured into ${cas} even where it reads the same. */
    char cas[24] = "";
    fuzz_last_cas(p, len, cas);
    return differs || (cas_loose && cas[0] != '\0');
}

/* An expect-line pattern for one reply line: regex metacharacters are
 * escaped; normalised parts become wildcards. */
static void
line_pattern(const uint8_t *p, size_t len, bool cas_loose,
             struct fuzz_buf *out)
{
    fuzz_buf_add(out, "expect-line /", 13);
    if (len >= 8 && memcmp(p, "VERSION ", 8) == 0) {
        fuzz_buf_add(out, "VERSION .*/\n", 12);
        return;
    }
    bool value = len >= 6 && memcmp(p, "VALUE ", 6) == 0;
    bool meta = len >= 2 && isupper(p[0]) && isupper(p[1]) &&
                (len == 2 || p[2] == ' ');
    bool captured = false;
    size_t token = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == ' ') {
            token++;
        }
        bool num_start = i == 0 || p[i - 1] == ' ';
        bool cas_tok = cas_loose && num_start &&
                       ((value && token == 4) ||
                        (meta && token > 0 && p[i] == 'c' && i + 1 < len &&
                         isdigit(p[i + 1])));
        if (cas_tok) {
            fuzz_buf_add(out, value ? "([0-9]+)" : "c([0-9]+)",
                         value ? 8 : 9);
            captured = true;
            while (i + 1 < len && p[i + 1] != ' ') {
                i++;
            }
            continue;
        }
        if (meta && num_start && token > 0 && (p[i] == 't' || p[i] == 'l') &&
            i + 1 < len && isdigit(p[i + 1])) {
            fuzz_buf_addf(out, "%c[0-9]+", p[i]); /* TTL, last access */
            while (i + 1 < len && p[i + 1] != ' ') {
                i++;
            }
            continue;
        }
        if (value && num_start && token == 3) {
            fuzz_buf_add(out, "[0-9]+", 6);
            while (i + 1 < len && p[i + 1] != ' ') {
                i++;
            }
            continue;
        }
        if (i + FUZZ_KEY_VAR_LEN <= len &&
            memcmp(p + i, FUZZ_KEY_VAR, FUZZ_KEY_VAR_LEN) == 0) {
            /* Variables are expanded in patterns, as regex text. */
            fuzz_buf_add(out, FUZZ_KEY_VAR, FUZZ_KEY_VAR_LEN);
            i += FUZZ_KEY_VAR_LEN - 1;
            continue;
        }
        uint8_t c = p[i];
        if (strchr(".[]()*+?{}|^$\\/", c) != NULL) {
            fuzz_buf_add(out, "\\", 1);
        }
        if (c >= 0x20 && c < 0x7F) {
            fuzz_buf_add(out, &c, 1);
        } else {
            fuzz_buf_add(out, ".", 1);
        }
    }
    fuzz_buf_add(out, captured ? "/ -> cas\n" : "/\n", captured ? 9 : 2);
}

static void
write_expect(const uint8_t *raw, size_t len, bool cas_loose,
             struct fuzz_buf *out)
{
    if (len == 0) {
        return;
    }
    struct fuzz_buf u = {0};
    unexpand(raw, len, &u);
    if (!needs_patterns(raw, len, cas_loose) || u.p[u.len - 1] != '\n') {
        fuzz_buf_add(out, "expect ", 7);
        fuzz_case_quote(u.p, u.len, out);
        fuzz_buf_add(out, "\n", 1);
        fuzz_buf_free(&u);
        return;
    }
    /* Line by line: padded counters and data blocks differ in length, so
     * a line that may be padded digits matches digits and spaces. */
    size_t i = 0;
    while (i < u.len) {
        const uint8_t *nl = memchr(u.p + i, '\n', u.len - i);
        size_t end = (size_t)(nl - u.p);
        size_t line_len = end > i && u.p[end - 1] == '\r' ? end - 1 - i
                                                          : end - i;
        const uint8_t *l = u.p + i;
        size_t digits = 0;
        while (digits < line_len && isdigit(l[digits])) {
            digits++;
        }
        if (digits > 0 && digits == line_len) {
            fuzz_buf_add(out, "expect-line /[0-9]+ */\n", 23);
        } else if (line_len == 0) {
            fuzz_buf_add(out, "expect \"\\r\\n\"\n", 15);
        } else {
            line_pattern(l, line_len, cas_loose, out);
        }
        i = end + 1;
    }
    fuzz_buf_free(&u);
}

static uint64_t
be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

/* One field `name=` and the quoted bytes, ${k} kept. */
static void
bin_field(const char *name, const uint8_t *p, size_t len, bool unexp,
          struct fuzz_buf *out)
{
    fuzz_buf_addf(out, " %s=", name);
    if (!unexp) {
        fuzz_case_quote(p, len, out);
        return;
    }
    struct fuzz_buf u = {0};
    unexpand(p, len, &u);
    fuzz_case_quote(u.p, u.len, out);
    fuzz_buf_free(&u);
}

/*
 * The packets of p as send-bin (expect false: stored requests, ${k} in
 * keys) or expect-bin (the oracle's replies) steps; bytes that are not a
 * whole packet become a `send` or a comment.
 */
static void
write_bin(const uint8_t *p, size_t len, bool expect, bool cas_loose,
          struct fuzz_buf *out)
{
    size_t i = 0;
    while (i + 24 <= len) {
        const uint8_t *h = p + i;
        size_t key_len = (size_t)be(h + 2, 2);
        size_t ext_len = h[4];
        size_t body = (size_t)be(h + 8, 4);
        if (body > len - i - 24 || ext_len + key_len > body) {
            break;
        }
        char op[16];
        fuzz_bin_op_name(h[1], op);
        fuzz_buf_addf(out, "%s op=%s", expect ? "expect-bin" : "send-bin", op);
        if (h[0] != (expect ? FUZZ_BIN_RES : FUZZ_BIN_REQ)) {
            fuzz_buf_addf(out, " magic=0x%02x", h[0]);
        }
        uint16_t status = (uint16_t)be(h + 6, 2);
        if (expect && status != 0) {
            char st[16];
            fuzz_bin_status_name(status, st);
            fuzz_buf_addf(out, " status=%s", st);
        }
        if (h[5] != 0) {
            fuzz_buf_addf(out, " datatype=%u", h[5]);
        }
        uint32_t opaque = (uint32_t)be(h + 12, 4);
        if (opaque != 0) {
            fuzz_buf_addf(out, " opaque=%u", opaque);
        }
        uint64_t cas = be(h + 16, 8);
        if (expect && cas_loose) {
            fuzz_buf_addf(out, " cas=%s", cas != 0 ? "nonzero" : "0");
        } else if (expect || cas != 0) {
            fuzz_buf_addf(out, " cas=%llu", (unsigned long long)cas);
        }
        const uint8_t *b = h + 24;
        if (ext_len > 0) {
            bin_field("extras", b, ext_len, false, out);
        }
        if (key_len > 0 || expect) {
            bin_field("key", b + ext_len, key_len, expect, out);
        }
        if (!(expect && h[1] == 0x0b && status == 0)) {
            /* differences.md row 1: VERSION's text is not compared. */
            bin_field("value", b + ext_len + key_len, body - ext_len - key_len,
                      expect, out);
        }
        fuzz_buf_add(out, "\n", 1);
        i += 24 + body;
    }
    if (i < len && expect) {
        fuzz_buf_addf(out, "# and %zu bytes that are not a packet\n", len - i);
    } else if (i < len) {
        fuzz_buf_add(out, "send ", 5);
        fuzz_case_quote(p + i, len - i, out);
        fuzz_buf_add(out, "\n", 1);
    }
}

/* The binary form of a case: send-bin / expect-bin per packet. */
static void
write_bin_steps(const struct fuzz_stream *s, const struct fuzz_buf *replies,
                size_t closed_at, bool cas_loose, struct fuzz_buf *out)
{
    size_t i = 0;
    while (i < s->count && (i == 0 || closed_at != i - 1)) {
        uint32_t batch = s->reqs[i].batch;
        struct fuzz_buf reply = {0};
        while (i < s->count && s->reqs[i].batch == batch &&
               (i == 0 || closed_at != i - 1)) {
            write_bin(s->reqs[i].bytes, s->reqs[i].len, false, false, out);
            fuzz_buf_add(&reply, replies[i].p, replies[i].len);
            i++;
        }
        write_bin(reply.p, reply.len, true, cas_loose, out);
        fuzz_buf_free(&reply);
    }
    if (closed_at != SIZE_MAX) {
        fuzz_buf_addf(out, "expect-close\n");
    }
}

bool
fuzz_case_write(const struct fuzz_stream *given, const struct fuzz_result *f,
                const struct fuzz_case_info *info, struct fuzz_buf *out)
{
    /* A last request in a batch of its own shows that nothing more comes
     * and that the connection is still in step. */
    struct fuzz_stream ext = {0};
    fuzz_stream_copy(&ext, given, NULL);
    static const char last[] = "get ${k}zz_end\r\n";
    bool binary = given->count > 0 && given->reqs[0].binary;
    uint8_t noop[FUZZ_BIN_HEADER];
    uint8_t noop_reply[FUZZ_BIN_HEADER];
    fuzz_bin_noop(FUZZ_BIN_SENTINEL_OPAQUE, noop, noop_reply);
    fuzz_stream_add(&ext, binary ? (const void *)noop : last,
                    binary ? sizeof noop : strlen(last),
                    given->count > 0 ? given->reqs[given->count - 1].batch + 1
                                     : 0,
                    NULL);
    const struct fuzz_stream *s = &ext;
    struct fuzz_buf *replies = NULL;
    size_t closed_at = SIZE_MAX;
    if (!fuzz_oracle_replies(s, CASE_PREFIX, &replies, &closed_at)) {
        fuzz_stream_free(&ext);
        return false;
    }
    fuzz_buf_addf(out, "# Found by mcref-fuzz --seed %llu (stream %llu) "
                  "against %s:\n# %s at request %zu (%s): mcref `%s`, "
                  "target `%s`.\n",
                  (unsigned long long)info->run_seed,
                  (unsigned long long)info->stream, info->target,
                  fuzz_kind_name(f->kind), f->request + 1,
                  f->clause != NULL ? f->clause : "?", f->shape_oracle,
                  f->shape_target);
    fuzz_buf_addf(out, "# Expectations are mcref's replies (the oracle); "
                  "verdict: see spec/cases/found/README.md.\n");
    fuzz_buf_addf(out, "case %s\nclauses:", info->name);
    /* Each clause once, the judged request's first. */
    const char *seen[64];
    size_t nseen = 0;
    if (f->clause != NULL) {
        seen[nseen++] = f->clause;
        fuzz_buf_addf(out, " %s", f->clause);
    }
    bool meta = false;
    bool destructive = false;
    for (size_t i = 0; i < s->count; i++) {
        const char *c = s->reqs[i].clause;
        meta = meta || s->reqs[i].meta;
        destructive = destructive || s->reqs[i].destructive;
        bool dup = c == NULL;
        for (size_t j = 0; j < nseen && !dup; j++) {
            dup = strcmp(seen[j], c) == 0;
        }
        if (!dup && nseen < 64) {
            seen[nseen++] = c;
            fuzz_buf_addf(out, " %s", c);
        }
    }
    fuzz_buf_add(out, "\n", 1);
    if (meta) {
        fuzz_buf_addf(out, "requires: meta\n");
    }
    if (destructive) {
        fuzz_buf_addf(out, "tags: destructive\n");
    }
    for (size_t j = 0; j < s->count; j++) {
        if (memmem(s->reqs[j].bytes, s->reqs[j].len, FUZZ_CAS_VAR,
                   FUZZ_CAS_VAR_LEN) != NULL) {
            fuzz_buf_addf(out, "let cas = " FUZZ_CAS_NONE "\n");
            break;
        }
    }
    size_t i = 0;
    bool closed = false;
    if (binary) {
        write_bin_steps(s, replies, closed_at, info->cas_loose, out);
        i = s->count;
        closed = true; /* written */
    }
    while (i < s->count && !closed) {
        uint32_t batch = s->reqs[i].batch;
        uint8_t split = s->reqs[i].split;
        struct fuzz_buf data = {0};
        struct fuzz_buf reply = {0};
        while (i < s->count && s->reqs[i].batch == batch) {
            fuzz_buf_add(&data, s->reqs[i].bytes, s->reqs[i].len);
            fuzz_buf_add(&reply, replies[i].p, replies[i].len);
            closed = closed || closed_at == i;
            i++;
        }
        if (split > 0) {
            fuzz_buf_addf(out, "send-chunks %u 0 ", split);
        } else {
            fuzz_buf_add(out, "send ", 5);
        }
        fuzz_case_quote(data.p, data.len, out);
        fuzz_buf_add(out, "\n", 1);
        if (reply.len == 0 && i == s->count && !closed) {
            fuzz_buf_addf(out, "expect-silence 300\n");
        }
        write_expect(reply.p, reply.len, info->cas_loose, out);
        fuzz_buf_free(&data);
        fuzz_buf_free(&reply);
    }
    if (closed && !binary) {
        fuzz_buf_addf(out, "expect-close\n");
    }
    fuzz_buf_addf(out, "end\n");
    for (size_t j = 0; j <= s->count; j++) {
        fuzz_buf_free(&replies[j]);
    }
    free(replies);
    fuzz_stream_free(&ext);
    return true;
}
