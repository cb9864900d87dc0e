/* fuzz_gen.c - see fuzz_gen.h. */
#include "fuzz_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_bin.h"
#include "fuzz_buf.h"

void
fuzz_stream_add(struct fuzz_stream *s, const void *bytes, size_t len,
                uint32_t batch, const char *clause)
{
    if (s->count == s->cap) {
        s->cap = s->cap == 0 ? 16 : s->cap * 2;
        s->reqs = realloc(s->reqs, s->cap * sizeof *s->reqs);
        if (s->reqs == NULL) {
            abort();
        }
    }
    struct fuzz_req *r = &s->reqs[s->count++];
    memset(r, 0, sizeof *r);
    r->bytes = malloc(len + 1);
    if (r->bytes == NULL) {
        abort();
    }
    memcpy(r->bytes, bytes, len);
    r->bytes[len] = 0;
    r->len = len;
    r->batch = batch;
    r->clause = clause;
}

void
fuzz_stream_copy(struct fuzz_stream *dst, const struct fuzz_stream *src,
                 const bool *keep)
{
    for (size_t i = 0; i < src->count; i++) {
        if (keep != NULL && !keep[i]) {
            continue;
        }
        const struct fuzz_req *r = &src->reqs[i];
        fuzz_stream_add(dst, r->bytes, r->len, r->batch, r->clause);
        struct fuzz_req *c = &dst->reqs[dst->count - 1];
        c->split = r->split;
        c->meta = r->meta;
        c->destructive = r->destructive;
        c->binary = r->binary;
    }
}

void
fuzz_stream_free(struct fuzz_stream *s)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->reqs[i].bytes);
    }
    free(s->reqs);
    memset(s, 0, sizeof *s);
}

size_t
fuzz_stream_bytes(const struct fuzz_stream *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->count; i++) {
        n += s->reqs[i].len;
    }
    return n;
}

uint64_t
fuzz_gen_stream_seed(uint64_t run_seed, uint64_t i)
{
    uint64_t st = run_seed ^ (i * 0xD1B54A32D192ED03ull);
    return fuzz_rng_next(&st);
}

/* ---- the grammar ------------------------------------------------------- */

struct gen {
    uint64_t rng;
    const struct fuzz_gen_opts *o;
    struct fuzz_buf line;
    bool alone;           /* this request goes in a batch of its own */
    const char *special;  /* the clause of an edge it took, if any: it
                             names the request better than its command */
    bool meta;
    bool destructive;
};

#define PICK(g, arr) ((arr)[fuzz_rng_below(&(g)->rng, \
                                           sizeof(arr) / sizeof((arr)[0]))])

static bool
allowed(const struct gen *g, const char *cmd)
{
    const char *list = g->o->commands;
    if (list == NULL) {
        return true;
    }
    size_t n = strlen(cmd);
    for (const char *p = list; (p = strstr(p, cmd)) != NULL; p += n) {
        bool start = p == list || p[-1] == ',' || p[-1] == ' ';
        bool end = p[n] == '\0' || p[n] == ',' || p[n] == ' ';
        if (start && end) {
            return true;
        }
    }
    return false;
}

/* Keys: a few short names shared by all commands, so that they meet; the
 * length boundaries of [key.length]; the counters n0-n2 apart. */
static void
add_key(struct gen *g, bool counter, bool may_be_long)
{
    fuzz_buf_add(&g->line, FUZZ_KEY_VAR, FUZZ_KEY_VAR_LEN);
    if (counter) {
        fuzz_buf_addf(&g->line, "n%u", fuzz_rng_below(&g->rng, 3));
        return;
    }
    uint32_t r = fuzz_rng_below(&g->rng, 100);
    if (r < 8) {
        /* 250 bytes: the longest key. */
        for (uint32_t i = 0; i < 250 - FUZZ_KEY_PREFIX_LEN; i++) {
            fuzz_buf_add(&g->line, "L", 1);
        }
    } else if (r < 12 && may_be_long) {
        for (uint32_t i = 0; i < 251 - FUZZ_KEY_PREFIX_LEN; i++) {
            fuzz_buf_add(&g->line, "L", 1);
        }
        g->alone = true; /* differences.md row 6a */
        g->special = "key.length";
    } else {
        static const char *const names[] = {"a", "b", "c", "d"};
        fuzz_buf_addf(&g->line, "%s", PICK(g, names));
    }
}

static const char *
pick_exptime(struct gen *g)
{
    /* Margins only ([expiry.relative], differences.md row 11): never, a
     * day, exactly 30 days (relative), 30 days + 1 (absolute, in 1970:
     * expired), negative, and 2^32 (truncated to 0, [num.truncate32]). */
    static const char *const t[] = {"0", "0", "0", "100000", "2592000",
                                    "2592001", "-1", "4294967296"};
    const char *e = PICK(g, t);
    if (e[0] == '-' || strcmp(e, "2592001") == 0) {
        g->special = "expiry.negative";
    } else if (strcmp(e, "4294967296") == 0) {
        g->special = "num.truncate32";
    }
    return e;
}

static const char *
pick_flags(struct gen *g)
{
    static const char *const f[] = {"0", "0", "1", "65535", "4294967295",
                                    "4294967296", "18446744073709551616",
                                    "-1", "x"};
    const char *v = PICK(g, f);
    if (v[0] == '-' || v[0] == 'x' || strlen(v) > 10) {
        g->special = "num.range";
    }
    return v;
}

static void
add_value(struct gen *g, struct fuzz_buf *v)
{
    uint32_t n = fuzz_rng_chance(&g->rng, 70) ? fuzz_rng_below(&g->rng, 12)
                                              : fuzz_rng_below(&g->rng, 401);
    for (uint32_t i = 0; i < n; i++) {
        char c = (char)('a' + fuzz_rng_below(&g->rng, 26));
        fuzz_buf_add(v, &c, 1);
    }
}

static void
add_counter_value(struct gen *g, struct fuzz_buf *v)
{
    /* Below 2^62 and never whitespace only (differences.md D1, D2). */
    static const char *const n[] = {"0", "1", "9", "10", "99", "100",
                                    "4294967295", "4294967296",
                                    "1000000000000"};
    fuzz_buf_addf(v, "%s", PICK(g, n));
}

static const char *
noreply(struct gen *g)
{
    if (!fuzz_rng_chance(&g->rng, 20)) {
        return "";
    }
    if (g->special == NULL) {
        g->special = "cmd.noreply";
    }
    return " noreply";
}

static const char *
gen_storage(struct gen *g)
{
    static const char *const cmds[] = {"set", "set", "add", "replace",
                                       "append", "prepend", "cas"};
    const char *cmd = PICK(g, cmds);
    if (!allowed(g, cmd)) {
        return NULL;
    }
    bool pend = cmd[0] == 'a' && cmd[1] == 'p';
    pend = pend || cmd[0] == 'p';
    bool counter = !pend && fuzz_rng_chance(&g->rng, 25);
    struct fuzz_buf v = {0};
    if (counter) {
        add_counter_value(g, &v);
    } else {
        add_value(g, &v);
    }
    fuzz_buf_addf(&g->line, "%s ", cmd);
    /* A storage command with a 251-byte key gets its data block read as a
     * command by memcached; both refuse the line, so it goes alone. */
    add_key(g, counter, true);
    long declared = (long)v.len;
    uint32_t r = fuzz_rng_below(&g->rng, 100);
    if (r < 4) {
        declared += 1; /* [store.bad-chunk] */
    } else if (r < 8 && declared > 0) {
        declared -= 1;
    }
    const char *flags = fuzz_rng_chance(&g->rng, 80) ? "0" : pick_flags(g);
    const char *exp = fuzz_rng_chance(&g->rng, 60) ? "0" : pick_exptime(g);
    if (r >= 8 && r < 10) {
        fuzz_buf_addf(&g->line, " %s %s -1", flags, exp);
        g->alone = true;
    } else {
        fuzz_buf_addf(&g->line, " %s %s %ld", flags, exp, declared);
    }
    if (cmd[0] == 'c') {
        static const char *const u[] = {FUZZ_CAS_VAR, FUZZ_CAS_VAR,
                                        FUZZ_CAS_VAR, FUZZ_CAS_VAR, "0",
                                        "18446744073709551615",
                                        "18446744073709551616", "abc"};
        const char *unique = PICK(g, u);
        if (unique[0] == 'a' || strlen(unique) > 20) {
            g->special = "num.range";
        }
        fuzz_buf_addf(&g->line, " %s", unique);
    }
    fuzz_buf_addf(&g->line, "%s\r\n", noreply(g));
    fuzz_buf_add(&g->line, v.p, v.len);
    fuzz_buf_add(&g->line, "\r\n", 2);
    if (declared != (long)v.len || r < 10) {
        /* A bad chunk or line: what follows is read differently by
         * servers that differ in how much they swallow. */
        g->alone = true;
        g->special = r >= 8 && r < 10 ? "store.bad-line" : "store.bad-chunk";
    }
    fuzz_buf_free(&v);
    return cmd[0] == 'c'   ? "store.cas"
           : pend          ? "store.append"
           : cmd[0] == 'a' ? "store.add"
           : cmd[0] == 'r' ? "store.replace"
           : r < 10        ? "store.bad-chunk"
                           : "store.set";
}

static const char *
gen_retrieval(struct gen *g)
{
    static const char *const cmds[] = {"get", "get", "gets", "gat", "gats"};
    const char *cmd = PICK(g, cmds);
    if (!allowed(g, cmd)) {
        return NULL;
    }
    fuzz_buf_addf(&g->line, "%s", cmd);
    if (cmd[1] == 'a') {
        fuzz_buf_addf(&g->line, " %s", pick_exptime(g));
    }
    uint32_t keys = 1 + fuzz_rng_below(&g->rng, 4);
    for (uint32_t i = 0; i < keys; i++) {
        fuzz_buf_add(&g->line, " ", 1);
        add_key(g, fuzz_rng_chance(&g->rng, 20), true);
    }
    fuzz_buf_add(&g->line, "\r\n", 2);
    return g->alone        ? "get.long-key"
           : cmd[1] == 'a' ? "get.gat"
           : cmd[3] == 's' ? "get.gets"
                           : "get.reply";
}

static const char *
gen_misc(struct gen *g)
{
    uint32_t r = fuzz_rng_below(&g->rng, 9);
    switch (r) {
    case 0:
    case 1:
        if (!allowed(g, "delete")) {
            return NULL;
        }
        fuzz_buf_add(&g->line, "delete ", 7);
        add_key(g, fuzz_rng_chance(&g->rng, 20), false);
        if (fuzz_rng_chance(&g->rng, 10)) {
            static const char *const extra[] = {" 0", " 5", " 0 noreply"};
            fuzz_buf_addf(&g->line, "%s", PICK(g, extra));
        } else {
            fuzz_buf_addf(&g->line, "%s", noreply(g));
        }
        fuzz_buf_add(&g->line, "\r\n", 2);
        return "delete.reply";
    case 2:
    case 3: {
        const char *cmd = fuzz_rng_chance(&g->rng, 50) ? "incr" : "decr";
        if (!allowed(g, cmd)) {
            return NULL;
        }
        static const char *const d[] = {"0", "1", "1", "7", "1000",
                                        "4294967296", "-1", "abc",
                                        "18446744073709551616"};
        fuzz_buf_addf(&g->line, "%s ", cmd);
        add_key(g, fuzz_rng_chance(&g->rng, 85), false);
        /* Never noreply (differences.md D1: alone, judged by itself). */
        const char *delta = PICK(g, d);
        if (delta[0] == '-' || delta[0] == 'a' || strlen(delta) > 19) {
            g->special = "incr.delta";
        }
        fuzz_buf_addf(&g->line, " %s\r\n", delta);
        return cmd[0] == 'd' ? "incr.decr-floor" : "incr.reply";
    }
    case 4:
        if (!allowed(g, "touch")) {
            return NULL;
        }
        fuzz_buf_add(&g->line, "touch ", 6);
        add_key(g, false, false);
        fuzz_buf_addf(&g->line, " %s%s\r\n", pick_exptime(g), noreply(g));
        return "touch.reply";
    case 5:
        if (!g->o->allow_flush || !allowed(g, "flush_all") ||
            !fuzz_rng_chance(&g->rng, 30)) {
            return NULL;
        }
        {
            /* Immediate only (differences.md rows 9-10, D3, D4). */
            static const char *const f[] = {"", " 0", " -1", " noreply",
                                            " 0 noreply"};
            fuzz_buf_addf(&g->line, "flush_all%s\r\n", PICK(g, f));
        }
        g->destructive = true;
        return "flush.immediate";
    case 6:
        if (!allowed(g, "version")) {
            return NULL;
        }
        fuzz_buf_addf(&g->line, "version\r\n");
        return "misc.version";
    case 7: {
        if (!allowed(g, "verbosity")) {
            return NULL;
        }
        static const char *const v[] = {"verbosity 1", "verbosity 0",
                                        "verbosity", "verbosity 1 noreply",
                                        "verbosity x"};
        fuzz_buf_addf(&g->line, "%s\r\n", PICK(g, v));
        return "misc.verbosity";
    }
    default: {
        if (!allowed(g, "unknown")) {
            return NULL;
        }
        /* [frame.unknown], [frame.empty], [cmd.token-count] */
        static const char *const u[] = {"", "foo", "GETS", "set", "get",
                                        "incr", "delete", "touch x",
                                        "cas x 0 0 1", "  "};
        fuzz_buf_addf(&g->line, "%s\r\n", PICK(g, u));
        return "frame.unknown";
    }
    }
}

/* ---- meta ([meta.*]); avoids rows M1-M12 ------------------------------- */

static void
meta_opaque(struct gen *g)
{
    /* M1: at most 31 bytes. */
    uint32_t n = 1 + fuzz_rng_below(&g->rng, 31);
    fuzz_buf_add(&g->line, " O", 2);
    for (uint32_t i = 0; i < n; i++) {
        fuzz_buf_add(&g->line, "z", 1);
    }
}

static const char *
gen_meta(struct gen *g)
{
    g->meta = true;
    uint32_t r = fuzz_rng_below(&g->rng, 10);
    if (r == 0) {
        if (!allowed(g, "mn")) {
            return NULL;
        }
        fuzz_buf_addf(&g->line, "mn\r\n");
        return "meta.mn";
    }
    if (r <= 4) {
        if (!allowed(g, "mg")) {
            return NULL;
        }
        fuzz_buf_add(&g->line, "mg ", 3);
        add_key(g, fuzz_rng_chance(&g->rng, 15), true);
        static const char *const fl[] = {" v", " f", " t", " s", " k",
                                         " c", " q", " T100000", " T0"};
        uint32_t n = fuzz_rng_below(&g->rng, 5);
        for (uint32_t i = 0; i < n; i++) {
            fuzz_buf_addf(&g->line, "%s", PICK(g, fl));
        }
        if (fuzz_rng_chance(&g->rng, 20)) {
            meta_opaque(g);
        }
        fuzz_buf_add(&g->line, "\r\n", 2);
        return g->alone ? "meta.key" : "meta.mg-flags";
    }
    if (r <= 7) {
        if (!allowed(g, "ms")) {
            return NULL;
        }
        struct fuzz_buf v = {0};
        add_value(g, &v);
        fuzz_buf_add(&g->line, "ms ", 3);
        add_key(g, false, false);
        fuzz_buf_addf(&g->line, " %zu", v.len);
        static const char *const fl[] = {" T0", " T100000", " F0", " F7",
                                         " F4294967295", " q", " k",
                                         " MS", " ME", " MR", " MA", " MP",
                                         " I"};
        uint32_t n = fuzz_rng_below(&g->rng, 4);
        bool mode = false;
        for (uint32_t i = 0; i < n; i++) {
            const char *f = PICK(g, fl);
            if (f[1] == 'M' || f[1] == 'I') {
                if (mode) {
                    continue; /* [meta.duplicate] is another matter */
                }
                mode = true;
            }
            fuzz_buf_addf(&g->line, "%s", f);
        }
        if (fuzz_rng_chance(&g->rng, 20)) {
            meta_opaque(g);
        }
        fuzz_buf_add(&g->line, "\r\n", 2);
        fuzz_buf_add(&g->line, v.p, v.len);
        fuzz_buf_add(&g->line, "\r\n", 2);
        fuzz_buf_free(&v);
        return "meta.ms-store";
    }
    if (r == 8) {
        if (!allowed(g, "md")) {
            return NULL;
        }
        fuzz_buf_add(&g->line, "md ", 3);
        add_key(g, false, true);
        if (fuzz_rng_chance(&g->rng, 30)) {
            fuzz_buf_add(&g->line, " q", 2);
        }
        if (fuzz_rng_chance(&g->rng, 20)) {
            meta_opaque(g);
        }
        fuzz_buf_add(&g->line, "\r\n", 2);
        return g->alone ? "meta.key" : "meta.md";
    }
    if (!allowed(g, "ma")) {
        return NULL;
    }
    /* Counters only; no N, T or C (M6, M7, and the --known list of
     * mcdiff: vivify-ttl, ma-ttl, cas0). */
    fuzz_buf_add(&g->line, "ma ", 3);
    add_key(g, true, false);
    static const char *const fl[] = {" v", " MI", " MD", " M+", " M-",
                                     " D1", " D10", " D4294967296", " q",
                                     " k"};
    uint32_t n = fuzz_rng_below(&g->rng, 4);
    bool mode = false;
    bool delta = false;
    for (uint32_t i = 0; i < n; i++) {
        const char *f = PICK(g, fl);
        bool *seen = f[1] == 'M' ? &mode : f[1] == 'D' ? &delta : NULL;
        if (seen != NULL) {
            if (*seen) {
                continue;
            }
            *seen = true;
        }
        fuzz_buf_addf(&g->line, "%s", f);
    }
    fuzz_buf_add(&g->line, "\r\n", 2);
    return "meta.ma";
}

static const char *
gen_one(struct gen *g)
{
    if (g->o->protocol == FUZZ_PROTO_BINARY) {
        return fuzz_bin_gen(&g->rng, g->o->allow_flush, &g->line, &g->alone,
                            &g->destructive);
    }
    bool meta = g->o->protocol == FUZZ_PROTO_META ||
                (g->o->protocol == FUZZ_PROTO_MIXED &&
                 fuzz_rng_chance(&g->rng, 50));
    if (meta) {
        return gen_meta(g);
    }
    uint32_t r = fuzz_rng_below(&g->rng, 100);
    if (r < 40) {
        return gen_storage(g);
    }
    if (r < 70) {
        return gen_retrieval(g);
    }
    return gen_misc(g);
}

void
fuzz_gen_stream(struct fuzz_stream *s, uint64_t seed,
                const struct fuzz_gen_opts *o)
{
    struct gen g = {.rng = seed, .o = o};
    uint32_t want = 1 + fuzz_rng_below(&g.rng, o->max_requests);
    uint32_t batch = 0;
    bool open_batch = false;
    uint8_t split = 0;
    for (uint32_t tries = 0; s->count < want && tries < want * 20; tries++) {
        g.line.len = 0;
        g.alone = false;
        g.special = NULL;
        g.meta = false;
        g.destructive = false;
        const char *clause = gen_one(&g);
        if (clause == NULL || g.line.len == 0) {
            continue;
        }
        if (g.special != NULL && !g.meta) {
            clause = g.special;
        }
        /* [frame.pipeline]: most requests share a batch with the next;
         * [frame.split]: some batches arrive in small pieces. */
        if (g.alone || !open_batch || fuzz_rng_chance(&g.rng, 40)) {
            if (s->count > 0) {
                batch++;
            }
            split = fuzz_rng_chance(&g.rng, 15)
                        ? (uint8_t)(1 + fuzz_rng_below(&g.rng, 7))
                        : 0;
        }
        fuzz_stream_add(s, g.line.p, g.line.len, batch, clause);
        struct fuzz_req *req = &s->reqs[s->count - 1];
        req->split = split;
        req->meta = g.meta;
        req->destructive = g.destructive;
        req->binary = o->protocol == FUZZ_PROTO_BINARY;
        open_batch = !g.alone;
        if (g.alone) {
            batch++;
            split = 0;
        }
    }
    if (o->protocol == FUZZ_PROTO_BINARY && fuzz_rng_chance(&g.rng, 8)) {
        /* [bin.magic] closes the connection: only a stream's last. */
        g.line.len = 0;
        fuzz_bin_bad_magic(&g.rng, &g.line);
        fuzz_stream_add(s, g.line.p, g.line.len, batch + 1, "bin.magic");
        s->reqs[s->count - 1].binary = true;
    }
    fuzz_buf_free(&g.line);
}
