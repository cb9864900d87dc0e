/*
 * conform_case.c - parses .case files into struct conform_case; see
 * conform_case.h and spec/cases/README.md. Reads files, never sockets.
 */
#include "conform_case.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORDS_MAX 16u

struct parser {
    struct conform_set *set;
    const char *file;
    unsigned line;
    struct conform_case *cur;          /* NULL outside case ... end */
    size_t repeat_at[CONFORM_REPEAT_DEPTH_MAX];
    double repeat_mult[CONFORM_REPEAT_DEPTH_MAX + 1];
    size_t depth;
    char defined[CONFORM_VARS_MAX][CONFORM_VAR_NAME_LEN_MAX + 1];
    size_t defined_count;
    char *err;
};

/* A line split into words (pointers into a private copy). */
struct words {
    char *w[WORDS_MAX];
    size_t count;
    bool too_many;
};

__attribute__((format(printf, 2, 3))) static bool
fail(struct parser *p, const char *fmt, ...)
{
    int n = snprintf(p->err, CONFORM_ERR_LEN, "%s:%u: ", p->file, p->line);
    if (n < 0 || n >= (int)CONFORM_ERR_LEN) {
        return false;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err + n, CONFORM_ERR_LEN - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

size_t
conform_cmp_parse(const char *s, enum conform_cmp *cmp)
{
    if (s[0] == '!' && s[1] == '=') {
        *cmp = CONFORM_CMP_NE;
        return 2;
    }
    if (s[0] == '<' && s[1] == '=') {
        *cmp = CONFORM_CMP_LE;
        return 2;
    }
    if (s[0] == '>' && s[1] == '=') {
        *cmp = CONFORM_CMP_GE;
        return 2;
    }
    if (s[0] == '=') {
        *cmp = CONFORM_CMP_EQ;
        return 1;
    }
    if (s[0] == '<') {
        *cmp = CONFORM_CMP_LT;
        return 1;
    }
    if (s[0] == '>') {
        *cmp = CONFORM_CMP_GT;
        return 1;
    }
    if (s[0] == '~') {
        *cmp = CONFORM_CMP_MATCH;
        return 1;
    }
    return 0;
}

const char *
conform_cmp_name(enum conform_cmp cmp)
{
    switch (cmp) {
    case CONFORM_CMP_EQ: return "=";
    case CONFORM_CMP_NE: return "!=";
    case CONFORM_CMP_LT: return "<";
    case CONFORM_CMP_LE: return "<=";
    case CONFORM_CMP_GT: return ">";
    case CONFORM_CMP_GE: return ">=";
    case CONFORM_CMP_MATCH: return "~";
    case CONFORM_CMP_CAPTURE: return "->";
    }
    return "?";
}

bool
conform_regex_compile(regex_t *re, const char *pattern, size_t *nsub,
                      char err[CONFORM_ERR_LEN])
{
    size_t len = strlen(pattern);
    char *anchored = malloc(len + 5);
    if (anchored == NULL) {
        snprintf(err, CONFORM_ERR_LEN, "out of memory");
        return false;
    }
    memcpy(anchored, "^(", 2);
    memcpy(anchored + 2, pattern, len);
    memcpy(anchored + 2 + len, ")$", 3);
    int rc = regcomp(re, anchored, REG_EXTENDED);
    free(anchored);
    if (rc != 0) {
        char why[128];
        regerror(rc, re, why, sizeof(why));
        snprintf(err, CONFORM_ERR_LEN, "bad regex /%.200s/: %s", pattern,
                 why);
        return false;
    }
    *nsub = re->re_nsub - 1;
    return true;
}

static bool
name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

static bool
case_name_valid(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > CONFORM_NAME_LEN_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!name_char(s[i])) {
            return false;
        }
    }
    return true;
}

/* Clause IDs as spec/protocol.md writes them: [a-z0-9][a-z0-9.-]*. */
static bool
clause_id_valid(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > CONFORM_CLAUSE_LEN_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  (i > 0 && (c == '.' || c == '-'));
        if (!ok) {
            return false;
        }
    }
    return true;
}

static void
split_words(char *s, struct words *w)
{
    w->count = 0;
    w->too_many = false;
    char *at = s;
    for (;;) {
        while (*at == ' ' || *at == '\t') {
            *at++ = '\0';
        }
        if (*at == '\0') {
            return;
        }
        if (w->count == WORDS_MAX) {
            w->too_many = true;
            return;
        }
        w->w[w->count++] = at;
        while (*at != '\0' && *at != ' ' && *at != '\t') {
            at++;
        }
    }
}

/* Digits only, value <= max. */
static bool
parse_u32(const char *s, uint32_t max, uint32_t *out)
{
    uint64_t n = 0;
    if (*s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
        n = n * 10 + (uint64_t)(*s - '0');
        if (n > max) {
            return false;
        }
    }
    *out = (uint32_t)n;
    return true;
}

/* DIGITS[.DIGITS], > 0 and <= CONFORM_WAIT_S_MAX. */
static bool
parse_seconds(const char *s, double *out)
{
    size_t i = 0;
    size_t digits = 0;
    while (s[i] >= '0' && s[i] <= '9') {
        i++;
        digits++;
    }
    if (s[i] == '.') {
        i++;
        size_t frac = 0;
        while (s[i] >= '0' && s[i] <= '9') {
            i++;
            frac++;
        }
        if (frac == 0) {
            return false;
        }
    }
    if (digits == 0 || s[i] != '\0') {
        return false;
    }
    double v = strtod(s, NULL);
    if (!(v > 0.0) || v > CONFORM_WAIT_S_MAX) {
        return false;
    }
    *out = v;
    return true;
}

static bool
is_defined(const struct parser *p, const char *name, size_t len)
{
    for (size_t i = 0; i < p->defined_count; i++) {
        if (strlen(p->defined[i]) == len &&
            memcmp(p->defined[i], name, len) == 0) {
            return true;
        }
    }
    return false;
}

static bool
define(struct parser *p, const char *name)
{
    size_t len = strlen(name);
    if (!conform_var_name_valid(name, len)) {
        return fail(p, "bad variable name '%s'", name);
    }
    if (is_defined(p, name, len)) {
        return true;
    }
    if (p->defined_count >= CONFORM_VARS_MAX) {
        return fail(p, "more than %u variables", (unsigned)CONFORM_VARS_MAX);
    }
    memcpy(p->defined[p->defined_count++], name, len + 1);
    return true;
}

/* Every ${name} in text must be defined by now. */
static bool
check_text_vars(struct parser *p, const char *text)
{
    const char *at = text;
    while ((at = strstr(at, "${")) != NULL) {
        const char *close = strchr(at, '}');
        if (close == NULL) {
            return fail(p, "unterminated ${");
        }
        const char *name = at + 2;
        size_t len = (size_t)(close - name);
        if (!conform_var_name_valid(name, len)) {
            return fail(p, "bad variable reference");
        }
        if (!is_defined(p, name, len)) {
            return fail(p, "variable ${%.*s} used before it is defined",
                        (int)len, name);
        }
        at = close + 1;
    }
    return true;
}

static bool
check_bytes_vars(struct parser *p, const struct conform_bytes *b)
{
    for (size_t s = 0; s < b->str_count; s++) {
        const struct conform_quoted *q = &b->strs[s];
        for (size_t i = 0; i < q->piece_count; i++) {
            const struct conform_piece *pc = &q->pieces[i];
            if (pc->is_var && !is_defined(p, (char *)pc->data, pc->len)) {
                return fail(p, "variable ${%s} used before it is defined",
                            (char *)pc->data);
            }
        }
    }
    return true;
}

static char *
dup_text(const char *s)
{
    size_t len = strlen(s);
    char *d = malloc(len + 1);
    if (d != NULL) {
        memcpy(d, s, len + 1);
    }
    return d;
}

static void
step_free(struct conform_step *st)
{
    free(st->text);
    conform_bytes_free(&st->bytes);
    free(st->arg);
    free(st->group);
    free(st->value);
    for (size_t i = 0; i < st->capture_count; i++) {
        free(st->captures[i]);
    }
    if (st->bin != NULL) {
        conform_bin_free(st->bin);
        free(st->bin);
    }
}

static void
case_free(struct conform_case *c)
{
    for (size_t i = 0; i < c->step_count; i++) {
        step_free(&c->steps[i]);
    }
    free(c->steps);
    c->steps = NULL;
    c->step_count = 0;
}

void
conform_set_free(struct conform_set *set)
{
    for (size_t i = 0; i < set->count; i++) {
        case_free(&set->cases[i]);
    }
    free(set->cases);
    for (size_t i = 0; i < set->file_count; i++) {
        free(set->files[i]);
    }
    free(set->files);
    memset(set, 0, sizeof(*set));
}

/* Appends a zeroed step to the current case. */
static struct conform_step *
new_step(struct parser *p, enum conform_step_kind kind, const char *line)
{
    struct conform_case *c = p->cur;
    if (c->step_count >= CONFORM_STEPS_MAX) {
        fail(p, "more than %u steps in one case",
             (unsigned)CONFORM_STEPS_MAX);
        return NULL;
    }
    struct conform_step *steps =
        realloc(c->steps, (c->step_count + 1) * sizeof(*steps));
    if (steps == NULL) {
        fail(p, "out of memory");
        return NULL;
    }
    c->steps = steps;
    struct conform_step *st = &c->steps[c->step_count++];
    memset(st, 0, sizeof(*st));
    st->kind = kind;
    st->line = p->line;
    st->text = dup_text(line);
    if (st->text == NULL) {
        fail(p, "out of memory");
        return NULL;
    }
    return st;
}

/* Real seconds a step may wait, times the enclosing repeat counts. */
static void
add_real(struct parser *p, double seconds)
{
    p->cur->real_s += seconds * p->repeat_mult[p->depth];
}

static bool
parse_bytes_arg(struct parser *p, struct conform_step *st, const char *rest)
{
    char why[CONFORM_ERR_LEN];
    if (!conform_bytes_parse(rest, strlen(rest), &st->bytes, why)) {
        return fail(p, "%s", why);
    }
    return check_bytes_vars(p, &st->bytes);
}

/* The text after the first word of line (the keyword). */
static const char *
after_keyword(const char *line)
{
    const char *at = line;
    while (*at != '\0' && *at != ' ' && *at != '\t') {
        at++;
    }
    while (*at == ' ' || *at == '\t') {
        at++;
    }
    return at;
}

/* send-chunks SIZE MS <bytes> */
static bool
parse_send_chunks(struct parser *p, struct conform_step *st, const char *line)
{
    const char *at = after_keyword(line);
    char num[2][16];
    for (int i = 0; i < 2; i++) {
        size_t n = 0;
        while (at[n] != '\0' && at[n] != ' ' && at[n] != '\t') {
            n++;
        }
        if (n == 0 || n >= sizeof(num[i])) {
            return fail(p, "usage: send-chunks SIZE MS \"bytes\"...");
        }
        memcpy(num[i], at, n);
        num[i][n] = '\0';
        at += n;
        while (*at == ' ' || *at == '\t') {
            at++;
        }
    }
    if (!parse_u32(num[0], CONFORM_BYTES_MAX, &st->count) || st->count == 0) {
        return fail(p, "send-chunks: SIZE must be 1 to %u",
                    (unsigned)CONFORM_BYTES_MAX);
    }
    if (!parse_u32(num[1], CONFORM_TIMEOUT_MS_MAX, &st->ms)) {
        return fail(p, "send-chunks: MS must be 0 to %u",
                    (unsigned)CONFORM_TIMEOUT_MS_MAX);
    }
    if (!parse_bytes_arg(p, st, at)) {
        return false;
    }
    uint64_t chunks = (st->bytes.static_len + st->count - 1) / st->count;
    if (chunks > 1) {
        add_real(p, (double)(chunks - 1) * st->ms / 1000.0);
    }
    return true;
}

/* Copies /regex/ (\/ becomes /) into st->arg; *at ends past the slash. */
static bool
parse_regex(struct parser *p, struct conform_step *st, const char **at)
{
    const char *s = *at;
    if (*s != '/') {
        return fail(p, "expect-line needs /regex/");
    }
    s++;
    size_t cap = strlen(s) + 1;
    char *out = malloc(cap);
    if (out == NULL) {
        return fail(p, "out of memory");
    }
    size_t n = 0;
    while (*s != '\0' && *s != '/') {
        if (s[0] == '\\' && s[1] == '/') {
            out[n++] = '/';
            s += 2;
        } else if (s[0] == '\\' && s[1] != '\0') {
            out[n++] = s[0];
            out[n++] = s[1];
            s += 2;
        } else {
            out[n++] = *s++;
        }
    }
    out[n] = '\0';
    st->arg = out;
    if (*s != '/') {
        return fail(p, "unterminated /regex/");
    }
    *at = s + 1;
    return true;
}

/* Reads "-> var..." into st->captures, defining them. */
static bool
parse_captures(struct parser *p, struct conform_step *st, char *rest)
{
    struct words w;
    split_words(rest, &w);
    if (w.count == 0) {
        return true;
    }
    if (strcmp(w.w[0], "->") != 0 || w.count < 2) {
        return fail(p, "expected '-> VAR...' after the pattern");
    }
    if (w.too_many || w.count - 1 > CONFORM_CAPTURES_MAX) {
        return fail(p, "at most %u captures",
                    (unsigned)CONFORM_CAPTURES_MAX);
    }
    for (size_t i = 1; i < w.count; i++) {
        if (!define(p, w.w[i])) {
            return false;
        }
        st->captures[st->capture_count] = dup_text(w.w[i]);
        if (st->captures[st->capture_count] == NULL) {
            return fail(p, "out of memory");
        }
        st->capture_count++;
    }
    return true;
}

/* Compiles a pattern without variables now, to report errors early. */
static bool
check_regex(struct parser *p, const char *pattern, size_t captures)
{
    if (strstr(pattern, "${") != NULL) {
        return true;
    }
    regex_t re;
    size_t nsub;
    char why[CONFORM_ERR_LEN];
    if (!conform_regex_compile(&re, pattern, &nsub, why)) {
        return fail(p, "%s", why);
    }
    regfree(&re);
    if (nsub < captures) {
        return fail(p, "%zu captures but the regex has %zu groups", captures,
                    nsub);
    }
    return true;
}

/* expect-lines /ERE/ */
static bool
parse_expect_lines(struct parser *p, struct conform_step *st,
                   const char *line)
{
    const char *at = after_keyword(line);
    if (!parse_regex(p, st, &at)) {
        return false;
    }
    while (*at == ' ' || *at == '\t') {
        at++;
    }
    if (*at != '\0') {
        return fail(p, "usage: expect-lines /regex/");
    }
    return check_text_vars(p, st->arg) && check_regex(p, st->arg, 0);
}

/* let VAR = SUM */
static bool
parse_let(struct parser *p, struct conform_step *st, const struct words *w)
{
    if (w->count != 4 || strcmp(w->w[2], "=") != 0) {
        return fail(p, "usage: let VAR = SUM (e.g. ${now}+100)");
    }
    st->value = dup_text(w->w[3]);
    st->arg = dup_text(w->w[1]);
    if (st->value == NULL || st->arg == NULL) {
        return fail(p, "out of memory");
    }
    /* The sum may use the variable's old value, so check before defining. */
    return check_text_vars(p, st->value) && define(p, w->w[1]);
}

/* check A OP B */
static bool
parse_check(struct parser *p, struct conform_step *st, const struct words *w)
{
    if (w->count != 4) {
        return fail(p, "usage: check A OP B (= != < <= > >= ~)");
    }
    size_t n = conform_cmp_parse(w->w[2], &st->cmp);
    if (n == 0 || w->w[2][n] != '\0') {
        return fail(p, "check: bad operator '%s'", w->w[2]);
    }
    st->arg = dup_text(w->w[1]);
    st->value = dup_text(w->w[3]);
    if (st->arg == NULL || st->value == NULL) {
        return fail(p, "out of memory");
    }
    if (st->cmp == CONFORM_CMP_MATCH && !check_regex(p, st->value, 0)) {
        return false;
    }
    return check_text_vars(p, st->arg) && check_text_vars(p, st->value);
}

static bool
parse_expect_line(struct parser *p, struct conform_step *st, const char *line)
{
    const char *at = after_keyword(line);
    if (!parse_regex(p, st, &at)) {
        return false;
    }
    if (*at != '\0' && *at != ' ' && *at != '\t') {
        return fail(p, "expected a space after /regex/");
    }
    char *rest = dup_text(at);
    if (rest == NULL) {
        return fail(p, "out of memory");
    }
    bool ok = check_text_vars(p, st->arg);
    /* Captures are defined only after the pattern's own variables. */
    ok = ok && parse_captures(p, st, rest);
    free(rest);
    return ok && check_regex(p, st->arg, st->capture_count);
}

static bool
conn_name_valid(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > CONFORM_CONN_NAME_LEN_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!name_char(s[i]) && s[i] != '$' && s[i] != '{' && s[i] != '}') {
            return false;
        }
    }
    return true;
}

/* stat [GROUP] NAME OP VALUE  |  stat [GROUP] NAME -> VAR */
static bool
parse_stat(struct parser *p, struct conform_step *st, struct words *w)
{
    if (w->count != 4 && w->count != 5) {
        return fail(p, "usage: stat [GROUP] NAME OP VALUE | "
                       "stat [GROUP] NAME -> VAR");
    }
    size_t at = 1;
    if (w->count == 5) {
        st->group = dup_text(w->w[at++]);
        if (st->group == NULL) {
            return fail(p, "out of memory");
        }
    }
    st->arg = dup_text(w->w[at++]);
    const char *op = w->w[at++];
    const char *value = w->w[at];
    if (st->arg == NULL) {
        return fail(p, "out of memory");
    }
    if (strcmp(op, "->") == 0) {
        st->cmp = CONFORM_CMP_CAPTURE;
        if (!define(p, value)) {
            return false;
        }
        st->captures[0] = dup_text(value);
        st->capture_count = 1;
        return st->captures[0] != NULL || fail(p, "out of memory");
    }
    size_t n = conform_cmp_parse(op, &st->cmp);
    if (n == 0 || op[n] != '\0') {
        return fail(p, "stat: bad operator '%s' (= != < <= > >= ~ ->)", op);
    }
    st->value = dup_text(value);
    if (st->value == NULL) {
        return fail(p, "out of memory");
    }
    if (st->cmp == CONFORM_CMP_MATCH && !check_regex(p, st->value, 0)) {
        return false;
    }
    return check_text_vars(p, st->value);
}

static bool
parse_repeat(struct parser *p, struct conform_step *st, struct words *w)
{
    if (w->count < 2 || w->count > 3 ||
        !parse_u32(w->w[1], CONFORM_REPEAT_COUNT_MAX, &st->count)) {
        return fail(p, "usage: repeat N [VAR] (N up to %u)",
                    (unsigned)CONFORM_REPEAT_COUNT_MAX);
    }
    if (p->depth >= CONFORM_REPEAT_DEPTH_MAX) {
        return fail(p, "repeat nested more than %u deep",
                    (unsigned)CONFORM_REPEAT_DEPTH_MAX);
    }
    const char *var = w->count == 3 ? w->w[2] : "i";
    st->arg = dup_text(var);
    if (st->arg == NULL || !define(p, var)) {
        return st->arg == NULL ? fail(p, "out of memory") : false;
    }
    p->repeat_at[p->depth] = p->cur->step_count - 1;
    p->repeat_mult[p->depth + 1] = p->repeat_mult[p->depth] * st->count;
    p->depth++;
    return true;
}

static bool
parse_done(struct parser *p, struct conform_step *st)
{
    if (p->depth == 0) {
        return fail(p, "done without repeat");
    }
    p->depth--;
    size_t open = p->repeat_at[p->depth];
    size_t here = p->cur->step_count - 1;
    p->cur->steps[open].match = here;
    st->match = open;
    return true;
}

static bool
expect_no_args(struct parser *p, const struct words *w)
{
    if (w->count != 1) {
        return fail(p, "'%s' takes no arguments", w->w[0]);
    }
    return true;
}

static bool
parse_timed(struct parser *p, struct conform_step *st, const struct words *w)
{
    if (w->count != 2 || !parse_seconds(w->w[1], &st->seconds)) {
        return fail(p, "usage: %s SECONDS (e.g. 1 or 0.5, at most %.0f)",
                    w->w[0], CONFORM_WAIT_S_MAX);
    }
    if (st->kind == CONFORM_STEP_WAIT) {
        p->cur->has_wait = true;
    }
    add_real(p, st->seconds);
    return true;
}

struct step_word {
    const char *word;
    enum conform_step_kind kind;
};

static const struct step_word step_words[] = {
    {"send", CONFORM_STEP_SEND},
    {"send-chunks", CONFORM_STEP_SEND_CHUNKS},
    {"expect", CONFORM_STEP_EXPECT},
    {"expect-line", CONFORM_STEP_EXPECT_LINE},
    {"expect-close", CONFORM_STEP_EXPECT_CLOSE},
    {"expect-silence", CONFORM_STEP_EXPECT_SILENCE},
    {"wait", CONFORM_STEP_WAIT},
    {"sleep", CONFORM_STEP_SLEEP},
    {"conn", CONFORM_STEP_CONN},
    {"reconnect", CONFORM_STEP_RECONNECT},
    {"close", CONFORM_STEP_CLOSE},
    {"half-close", CONFORM_STEP_HALF_CLOSE},
    {"stat", CONFORM_STEP_STAT},
    {"repeat", CONFORM_STEP_REPEAT},
    {"done", CONFORM_STEP_DONE},
    {"let", CONFORM_STEP_LET},
    {"check", CONFORM_STEP_CHECK},
    {"expect-until", CONFORM_STEP_EXPECT_UNTIL},
    {"expect-lines", CONFORM_STEP_EXPECT_LINES},
    {"reset", CONFORM_STEP_RESET},
    {"send-bin", CONFORM_STEP_SEND_BIN},
    {"expect-bin", CONFORM_STEP_EXPECT_BIN},
};

/* send-bin / expect-bin FIELD=VALUE... */
static bool
parse_bin(struct parser *p, struct conform_step *st, const char *line)
{
    char why[CONFORM_ERR_LEN];
    st->bin = calloc(1, sizeof *st->bin);
    if (st->bin == NULL) {
        return fail(p, "out of memory");
    }
    if (!conform_bin_parse(after_keyword(line),
                           st->kind == CONFORM_STEP_EXPECT_BIN, st->bin,
                           why)) {
        free(st->bin);
        st->bin = NULL;
        return fail(p, "%s", why);
    }
    return check_bytes_vars(p, &st->bin->key) &&
           check_bytes_vars(p, &st->bin->extras) &&
           check_bytes_vars(p, &st->bin->value);
}

static bool
parse_step_args(struct parser *p, struct conform_step *st, struct words *w,
                const char *line)
{
    switch (st->kind) {
    case CONFORM_STEP_SEND:
    case CONFORM_STEP_EXPECT:
    case CONFORM_STEP_EXPECT_UNTIL:
        return parse_bytes_arg(p, st, after_keyword(line));
    case CONFORM_STEP_EXPECT_LINES:
        return parse_expect_lines(p, st, line);
    case CONFORM_STEP_SEND_BIN:
    case CONFORM_STEP_EXPECT_BIN:
        return parse_bin(p, st, line);
    case CONFORM_STEP_LET:
        return parse_let(p, st, w);
    case CONFORM_STEP_CHECK:
        return parse_check(p, st, w);
    case CONFORM_STEP_SEND_CHUNKS:
        return parse_send_chunks(p, st, line);
    case CONFORM_STEP_EXPECT_LINE:
        return parse_expect_line(p, st, line);
    case CONFORM_STEP_EXPECT_SILENCE:
        if (w->count != 2 ||
            !parse_u32(w->w[1], CONFORM_TIMEOUT_MS_MAX, &st->ms)) {
            return fail(p, "usage: expect-silence MS");
        }
        add_real(p, st->ms / 1000.0);
        return true;
    case CONFORM_STEP_WAIT:
    case CONFORM_STEP_SLEEP:
        return parse_timed(p, st, w);
    case CONFORM_STEP_CONN:
        if (w->count != 2 || !conn_name_valid(w->w[1])) {
            return fail(p, "usage: conn NAME ([A-Za-z0-9_.-], ${var})");
        }
        st->arg = dup_text(w->w[1]);
        return st->arg != NULL ? check_text_vars(p, st->arg)
                               : fail(p, "out of memory");
    case CONFORM_STEP_STAT:
        return parse_stat(p, st, w);
    case CONFORM_STEP_REPEAT:
        return parse_repeat(p, st, w);
    case CONFORM_STEP_DONE:
        return expect_no_args(p, w) && parse_done(p, st);
    case CONFORM_STEP_EXPECT_CLOSE:
    case CONFORM_STEP_RECONNECT:
    case CONFORM_STEP_CLOSE:
    case CONFORM_STEP_HALF_CLOSE:
    case CONFORM_STEP_RESET:
        return expect_no_args(p, w);
    }
    return fail(p, "internal: unknown step");
}

static bool
parse_step(struct parser *p, const char *line, struct words *w)
{
    for (size_t i = 0; i < sizeof(step_words) / sizeof(step_words[0]); i++) {
        if (strcmp(w->w[0], step_words[i].word) == 0) {
            struct conform_step *st = new_step(p, step_words[i].kind, line);
            return st != NULL && parse_step_args(p, st, w, line);
        }
    }
    return fail(p, "unknown step '%.40s'", w->w[0]);
}

static bool
parse_requires(struct parser *p, const struct words *w)
{
    struct conform_case *c = p->cur;
    for (size_t i = 1; i < w->count; i++) {
        if (c->require_count >= CONFORM_REQUIRES_MAX) {
            return fail(p, "more than %u requirements",
                        (unsigned)CONFORM_REQUIRES_MAX);
        }
        struct conform_require *r = &c->requires[c->require_count];
        memset(r, 0, sizeof(*r));
        const char *t = w->w[i];
        if (strcmp(t, "debugtime") == 0 || strcmp(t, "no-debugtime") == 0) {
            r->debugtime = t[0] == 'd';
            r->no_debugtime = t[0] == 'n';
            c->require_count++;
            continue;
        }
        if (strcmp(t, "ascii-auth") == 0 || strcmp(t, "sasl") == 0) {
            r->ascii_auth = t[0] == 'a';
            r->sasl = t[0] == 's';
            c->require_count++;
            continue;
        }
        if (strcmp(t, "meta") == 0 || strcmp(t, "no-meta") == 0) {
            r->meta = t[0] == 'm';
            r->no_meta = t[0] == 'n';
            c->require_count++;
            continue;
        }
        size_t name_len = strcspn(t, "=!<>~");
        size_t op_len = t[name_len] ? conform_cmp_parse(t + name_len, &r->cmp)
                                    : 0;
        const char *value = t + name_len + op_len;
        if (name_len == 0 || op_len == 0 || *value == '\0' ||
            name_len > CONFORM_SETTING_LEN_MAX ||
            strlen(value) > CONFORM_SETTING_LEN_MAX) {
            return fail(p, "bad requirement '%.80s' (want debugtime, "
                           "no-debugtime, meta, no-meta or SETTING=VALUE, "
                           "= != < <= > >= ~)",
                        t);
        }
        memcpy(r->name, t, name_len);
        r->name[name_len] = '\0';
        memcpy(r->value, value, strlen(value) + 1);
        c->require_count++;
    }
    return true;
}

static bool
parse_tags(struct parser *p, const struct words *w)
{
    for (size_t i = 1; i < w->count; i++) {
        if (strcmp(w->w[i], "destructive") == 0) {
            p->cur->destructive = true;
        } else if (strcmp(w->w[i], "slow") == 0) {
            p->cur->slow = true;
        } else if (strcmp(w->w[i], "final") == 0) {
            p->cur->final = true;
        } else {
            return fail(p, "unknown tag '%.40s' (destructive slow final)",
                        w->w[i]);
        }
    }
    return true;
}

static bool
parse_clauses(struct parser *p, const struct words *w)
{
    struct conform_case *c = p->cur;
    if (w->count < 2) {
        return fail(p, "clauses: needs at least one clause ID");
    }
    for (size_t i = 1; i < w->count; i++) {
        if (!clause_id_valid(w->w[i])) {
            return fail(p, "bad clause ID '%.80s'", w->w[i]);
        }
        if (c->clause_count >= CONFORM_CLAUSES_MAX) {
            return fail(p, "more than %u clauses",
                        (unsigned)CONFORM_CLAUSES_MAX);
        }
        memcpy(c->clauses[c->clause_count++], w->w[i], strlen(w->w[i]) + 1);
    }
    return true;
}

static bool
parse_header(struct parser *p, const struct words *w, bool *handled)
{
    const char *key = w->w[0];
    *handled = true;
    if (strcmp(key, "clauses:") == 0) {
        return parse_clauses(p, w);
    }
    if (strcmp(key, "requires:") == 0) {
        return parse_requires(p, w);
    }
    if (strcmp(key, "tags:") == 0) {
        return parse_tags(p, w);
    }
    if (strcmp(key, "server:") == 0) {
        if (w->count != 2 || strcmp(w->w[1], "mcref") != 0) {
            return fail(p, "server: takes one value, mcref");
        }
        p->cur->mcref_only = true;
        return true;
    }
    if (strcmp(key, "since:") == 0 || strcmp(key, "until:") == 0) {
        bool since = key[0] == 's';
        char *dst = since ? p->cur->since : p->cur->until;
        uint32_t parts[CONFORM_VERSION_PARTS];
        size_t used = 0;
        if (w->count != 2 || strlen(w->w[1]) > CONFORM_VERSION_LEN_MAX ||
            !conform_version_parse(w->w[1], parts, &used) ||
            w->w[1][used] != '\0') {
            return fail(p, "%s takes one release number, e.g. 1.6.27", key);
        }
        if (dst[0] != '\0') {
            return fail(p, "%s given twice", key);
        }
        memcpy(dst, w->w[1], strlen(w->w[1]) + 1);
        if (p->cur->since[0] != '\0' && p->cur->until[0] != '\0') {
            uint32_t from[CONFORM_VERSION_PARTS];
            uint32_t to[CONFORM_VERSION_PARTS];
            conform_version_parse(p->cur->since, from, NULL);
            conform_version_parse(p->cur->until, to, NULL);
            if (conform_version_cmp(from, to) >= 0) {
                return fail(p, "since: %s is not before until: %s",
                            p->cur->since, p->cur->until);
            }
        }
        return true;
    }
    if (strcmp(key, "timeout:") == 0) {
        if (w->count != 2 ||
            !parse_u32(w->w[1], CONFORM_TIMEOUT_MS_MAX, &p->cur->timeout_ms) ||
            p->cur->timeout_ms == 0) {
            return fail(p, "timeout: takes milliseconds, 1 to %u",
                        (unsigned)CONFORM_TIMEOUT_MS_MAX);
        }
        return true;
    }
    *handled = false;
    return true;
}

static bool
begin_case(struct parser *p, const struct words *w)
{
    if (p->cur != NULL) {
        return fail(p, "case inside case '%s' (missing end)", p->cur->name);
    }
    if (w->count != 2 || !case_name_valid(w->w[1])) {
        return fail(p, "usage: case NAME ([A-Za-z0-9_.-], up to %u)",
                    (unsigned)CONFORM_NAME_LEN_MAX);
    }
    struct conform_set *set = p->set;
    for (size_t i = 0; i < set->count; i++) {
        if (strcmp(set->cases[i].name, w->w[1]) == 0) {
            return fail(p, "case '%s' already defined at %s:%u", w->w[1],
                        set->cases[i].file, set->cases[i].line);
        }
    }
    if (set->count >= CONFORM_CASES_MAX) {
        return fail(p, "more than %u cases", (unsigned)CONFORM_CASES_MAX);
    }
    struct conform_case *cases =
        realloc(set->cases, (set->count + 1) * sizeof(*cases));
    if (cases == NULL) {
        return fail(p, "out of memory");
    }
    set->cases = cases;
    struct conform_case *c = &set->cases[set->count++];
    memset(c, 0, sizeof(*c));
    memcpy(c->name, w->w[1], strlen(w->w[1]) + 1);
    c->file = p->file;
    c->line = p->line;
    p->cur = c;
    p->depth = 0;
    p->repeat_mult[0] = 1.0;
    p->defined_count = 0;
    return define(p, "k");
}

static bool
end_case(struct parser *p)
{
    struct conform_case *c = p->cur;
    if (p->depth != 0) {
        return fail(p, "repeat without done in case '%s'", c->name);
    }
    if (c->clause_count == 0) {
        return fail(p, "case '%s' cites no clause (clauses: ...)", c->name);
    }
    if (c->step_count == 0) {
        return fail(p, "case '%s' has no steps", c->name);
    }
    if (c->real_s > CONFORM_SLOW_S && !c->slow) {
        return fail(p, "case '%s' may wait %.1f s in real time; "
                       "add 'tags: slow'", c->name, c->real_s);
    }
    p->cur = NULL;
    return true;
}

static bool
parse_line(struct parser *p, char *line)
{
    char *copy = dup_text(line);
    if (copy == NULL) {
        return fail(p, "out of memory");
    }
    struct words w;
    split_words(copy, &w);
    bool ok = true;
    if (strcmp(w.w[0], "case") == 0) {
        ok = begin_case(p, &w);
    } else if (p->cur == NULL) {
        ok = fail(p, "'%.40s' outside a case (expected 'case NAME')", w.w[0]);
    } else if (strcmp(w.w[0], "end") == 0) {
        ok = expect_no_args(p, &w) && end_case(p);
    } else if (w.too_many && strcmp(w.w[0], "send") != 0 &&
               strcmp(w.w[0], "expect") != 0 &&
               strcmp(w.w[0], "send-chunks") != 0 &&
               strcmp(w.w[0], "expect-line") != 0 &&
               strcmp(w.w[0], "expect-lines") != 0 &&
               strcmp(w.w[0], "expect-until") != 0 &&
               strcmp(w.w[0], "send-bin") != 0 &&
               strcmp(w.w[0], "expect-bin") != 0) {
        ok = fail(p, "too many words");
    } else {
        bool handled;
        ok = parse_header(p, &w, &handled);
        if (ok && !handled) {
            ok = parse_step(p, line, &w);
        }
    }
    free(copy);
    return ok;
}

static bool
add_file_name(struct conform_set *set, const char *name, const char **out)
{
    char **files = realloc(set->files, (set->file_count + 1) * sizeof(*files));
    if (files == NULL) {
        return false;
    }
    set->files = files;
    char *copy = dup_text(name);
    if (copy == NULL) {
        return false;
    }
    set->files[set->file_count++] = copy;
    *out = copy;
    return true;
}

bool
conform_set_parse(struct conform_set *set, const char *file_name,
                  const char *text, size_t len, char err[CONFORM_ERR_LEN])
{
    struct parser p = {.set = set, .err = err};
    if (!add_file_name(set, file_name, &p.file)) {
        snprintf(err, CONFORM_ERR_LEN, "%s: out of memory", file_name);
        return false;
    }
    char *buf = malloc(len + 1);
    if (buf == NULL) {
        snprintf(err, CONFORM_ERR_LEN, "%s: out of memory", file_name);
        return false;
    }
    size_t at = 0;
    bool ok = true;
    while (ok && at < len) {
        p.line++;
        const char *nl = memchr(text + at, '\n', len - at);
        size_t line_len = nl ? (size_t)(nl - (text + at)) : len - at;
        if (memchr(text + at, '\0', line_len) != NULL) {
            ok = fail(&p, "NUL byte in the file (write \\0 in a string)");
            break;
        }
        memcpy(buf, text + at, line_len);
        at += line_len + (nl ? 1 : 0);
        while (line_len > 0 && (buf[line_len - 1] == '\r' ||
                                buf[line_len - 1] == ' ' ||
                                buf[line_len - 1] == '\t')) {
            line_len--;
        }
        buf[line_len] = '\0';
        char *line = buf;
        while (*line == ' ' || *line == '\t') {
            line++;
        }
        if (*line == '\0' || *line == '#') {
            continue;
        }
        ok = parse_line(&p, line);
    }
    if (ok && p.cur != NULL) {
        ok = fail(&p, "end of file inside case '%s' (missing end)",
                  p.cur->name);
    }
    free(buf);
    if (!ok && p.cur != NULL) {
        /* Drop the half-parsed case so the set stays consistent. */
        case_free(p.cur);
        set->count--;
    }
    return ok;
}

static int
compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
read_file(const char *path, char **out, size_t *len,
          char err[CONFORM_ERR_LEN])
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, CONFORM_ERR_LEN, "%s: %s", path, strerror(errno));
        return false;
    }
    char *buf = malloc(CONFORM_FILE_LEN_MAX + 1);
    size_t n = buf ? fread(buf, 1, CONFORM_FILE_LEN_MAX + 1, f) : 0;
    bool bad = ferror(f) != 0;
    fclose(f);
    if (buf == NULL || bad || n > CONFORM_FILE_LEN_MAX) {
        snprintf(err, CONFORM_ERR_LEN, "%s: %s", path,
                 buf == NULL ? "out of memory"
                 : bad       ? "read error"
                             : "file too large");
        free(buf);
        return false;
    }
    *out = buf;
    *len = n;
    return true;
}

/* The sorted names of dir's *.case files (not starting with a dot). */
static bool
list_case_files(const char *dir, char ***names, size_t *count,
                char err[CONFORM_ERR_LEN])
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        snprintf(err, CONFORM_ERR_LEN, "%s: %s", dir, strerror(errno));
        return false;
    }
    *names = NULL;
    *count = 0;
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 6 ||
            strcmp(e->d_name + len - 5, ".case") != 0) {
            continue;
        }
        if (*count >= CONFORM_FILES_MAX) {
            snprintf(err, CONFORM_ERR_LEN, "%s: more than %u case files",
                     dir, (unsigned)CONFORM_FILES_MAX);
            ok = false;
            break;
        }
        char **grown = realloc(*names, (*count + 1) * sizeof(**names));
        char *copy = grown ? dup_text(e->d_name) : NULL;
        if (grown != NULL) {
            *names = grown;
        }
        if (copy == NULL) {
            snprintf(err, CONFORM_ERR_LEN, "out of memory");
            ok = false;
            break;
        }
        (*names)[(*count)++] = copy;
    }
    closedir(d);
    if (ok && *count > 0) {
        qsort(*names, *count, sizeof(**names), compare_names);
    }
    return ok;
}

bool
conform_set_load_dir(struct conform_set *set, const char *dir,
                     char err[CONFORM_ERR_LEN])
{
    char **names;
    size_t count;
    if (!list_case_files(dir, &names, &count, err)) {
        return false;
    }
    bool ok = true;
    if (count == 0) {
        snprintf(err, CONFORM_ERR_LEN, "%s: no .case files", dir);
        ok = false;
    }
    for (size_t i = 0; ok && i < count; i++) {
        size_t path_len = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(path_len);
        char *text = NULL;
        size_t len = 0;
        if (path == NULL) {
            snprintf(err, CONFORM_ERR_LEN, "out of memory");
            ok = false;
            break;
        }
        snprintf(path, path_len, "%s/%s", dir, names[i]);
        ok = read_file(path, &text, &len, err) &&
             conform_set_parse(set, path, text, len, err);
        free(text);
        free(path);
    }
    for (size_t i = 0; i < count; i++) {
        free(names[i]);
    }
    free(names);
    return ok;
}

bool
conform_set_load_file(struct conform_set *set, const char *path,
                      char err[CONFORM_ERR_LEN])
{
    char *text = NULL;
    size_t len = 0;
    bool ok = read_file(path, &text, &len, err) &&
              conform_set_parse(set, path, text, len, err);
    free(text);
    return ok;
}

bool
conform_version_parse(const char *s, uint32_t parts[CONFORM_VERSION_PARTS],
                      size_t *used)
{
    size_t i = 0;
    size_t n = 0;
    for (size_t k = 0; k < CONFORM_VERSION_PARTS; k++) {
        parts[k] = 0;
    }
    for (;;) {
        if (s[i] < '0' || s[i] > '9') {
            return false;   /* empty, or a dot not followed by a digit */
        }
        uint64_t v = 0;
        while (s[i] >= '0' && s[i] <= '9') {
            v = v * 10u + (uint64_t)(s[i] - '0');
            if (v > UINT32_MAX) {
                return false;
            }
            i++;
        }
        parts[n++] = (uint32_t)v;
        if (n == CONFORM_VERSION_PARTS || s[i] != '.' ||
            s[i + 1] < '0' || s[i + 1] > '9') {
            break;
        }
        i++;
    }
    if (used != NULL) {
        *used = i;
    }
    return true;
}

int
conform_version_cmp(const uint32_t a[CONFORM_VERSION_PARTS],
                    const uint32_t b[CONFORM_VERSION_PARTS])
{
    for (size_t k = 0; k < CONFORM_VERSION_PARTS; k++) {
        if (a[k] != b[k]) {
            return a[k] < b[k] ? -1 : 1;
        }
    }
    return 0;
}
