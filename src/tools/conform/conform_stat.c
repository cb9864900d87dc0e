/*
 * conform_stat.c - stats replies and comparisons; see conform_stat.h.
 */
#include "conform_stat.h"

#include <stdio.h>
#include <string.h>

static void
copy_cut(char *dst, size_t cap, const uint8_t *src, size_t len)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

enum conform_stats_parse
conform_stats_parse(const uint8_t *data, size_t len,
                    struct conform_stats *out, size_t *consumed,
                    char err[CONFORM_ERR_LEN])
{
    out->count = 0;
    size_t at = 0;
    for (;;) {
        const uint8_t *nl = memchr(data + at, '\n', len - at);
        if (nl == NULL) {
            return CONFORM_STATS_MORE;
        }
        size_t line_len = (size_t)(nl - (data + at));
        const uint8_t *line = data + at;
        if (line_len == 0 || line[line_len - 1] != '\r') {
            snprintf(err, CONFORM_ERR_LEN,
                     "stats: line %zu does not end in \\r\\n",
                     out->count + 1);
            return CONFORM_STATS_BAD;
        }
        line_len--;
        at += line_len + 2;
        if (line_len == 3 && memcmp(line, "END", 3) == 0) {
            *consumed = at;
            return CONFORM_STATS_DONE;
        }
        if (line_len < 5 || memcmp(line, "STAT ", 5) != 0) {
            snprintf(err, CONFORM_ERR_LEN,
                     "stats: expected STAT or END, got %.*s",
                     (int)(line_len > 60 ? 60 : line_len), (const char *)line);
            return CONFORM_STATS_BAD;
        }
        const uint8_t *name = line + 5;
        size_t rest = line_len - 5;
        const uint8_t *sp = memchr(name, ' ', rest);
        size_t name_len = sp ? (size_t)(sp - name) : rest;
        if (out->count < CONFORM_STATS_MAX) {
            struct conform_stat *st = &out->items[out->count];
            copy_cut(st->name, sizeof(st->name), name, name_len);
            if (sp != NULL) {
                copy_cut(st->value, sizeof(st->value), sp + 1,
                         rest - name_len - 1);
            } else {
                st->value[0] = '\0';
            }
            out->count++;
        }
    }
}

const char *
conform_stats_get(const struct conform_stats *s, const char *name)
{
    for (size_t i = 0; i < s->count; i++) {
        if (strcmp(s->items[i].name, name) == 0) {
            return s->items[i].value;
        }
    }
    return NULL;
}

/* Reads a decimal at *s (1..19 digits, <= INT64_MAX); advances *s. */
static bool
read_term(const char **s, int64_t *out)
{
    const char *p = *s;
    uint64_t n = 0;
    size_t digits = 0;
    while (*p >= '0' && *p <= '9') {
        n = n * 10 + (uint64_t)(*p - '0');
        if (n > (uint64_t)INT64_MAX) {
            return false;
        }
        p++;
        digits++;
    }
    if (digits == 0) {
        return false;
    }
    *out = (int64_t)n;
    *s = p;
    return true;
}

bool
conform_eval(const char *text, int64_t *out)
{
    const char *s = text;
    int64_t acc;
    if (!read_term(&s, &acc)) {
        return false;
    }
    while (*s == '+' || *s == '-') {
        char op = *s++;
        int64_t term;
        if (!read_term(&s, &term)) {
            return false;
        }
        bool overflow = op == '+' ? __builtin_add_overflow(acc, term, &acc)
                                  : __builtin_sub_overflow(acc, term, &acc);
        if (overflow || acc < 0) {
            return false;
        }
    }
    if (*s != '\0') {
        return false;
    }
    *out = acc;
    return true;
}

static bool
order(int c, enum conform_cmp cmp)
{
    switch (cmp) {
    case CONFORM_CMP_EQ: return c == 0;
    case CONFORM_CMP_NE: return c != 0;
    case CONFORM_CMP_LT: return c < 0;
    case CONFORM_CMP_LE: return c <= 0;
    case CONFORM_CMP_GT: return c > 0;
    case CONFORM_CMP_GE: return c >= 0;
    case CONFORM_CMP_MATCH:
    case CONFORM_CMP_CAPTURE: break;
    }
    return false;
}

bool
conform_compare(const char *actual, enum conform_cmp cmp,
                const char *expected, bool *result,
                char err[CONFORM_ERR_LEN])
{
    if (cmp == CONFORM_CMP_CAPTURE) {
        snprintf(err, CONFORM_ERR_LEN, "internal: compare with ->");
        return false;
    }
    if (cmp == CONFORM_CMP_MATCH) {
        regex_t re;
        size_t nsub;
        if (!conform_regex_compile(&re, expected, &nsub, err)) {
            return false;
        }
        *result = regexec(&re, actual, 0, NULL, 0) == 0;
        regfree(&re);
        return true;
    }
    int64_t a;
    int64_t e;
    if (conform_eval(actual, &a) && conform_eval(expected, &e)) {
        *result = order(a < e ? -1 : a > e ? 1 : 0, cmp);
        return true;
    }
    if (cmp != CONFORM_CMP_EQ && cmp != CONFORM_CMP_NE) {
        snprintf(err, CONFORM_ERR_LEN,
                 "cannot compare '%.100s' %s '%.100s': not numbers", actual,
                 conform_cmp_name(cmp), expected);
        return false;
    }
    *result = order(strcmp(actual, expected) == 0 ? 0 : 1, cmp);
    return true;
}
