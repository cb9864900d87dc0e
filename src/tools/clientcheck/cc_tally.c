/* cc_tally.c - counting the report's JSON lines by clause and fault. */
#include "cc_tally.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
cc_tally_init(struct cc_tally *t)
{
    memset(t, 0, sizeof *t);
}

/* The string value of "key":"..." (escapes kept), into out. */
static bool
string_field(const char *line, size_t len, const char *key, char *out,
             size_t out_len)
{
    char pat[32];
    size_t pn = (size_t)snprintf(pat, sizeof pat, "\"%s\":\"", key);
    for (size_t i = 0; i + pn <= len; i++) {
        if (memcmp(line + i, pat, pn) != 0) {
            continue;
        }
        size_t j = i + pn;
        size_t n = 0;
        while (j < len && line[j] != '"') {
            if (line[j] == '\\' && j + 1 < len) {
                if (n + 2 < out_len) {
                    out[n++] = line[j];
                    out[n++] = line[j + 1];
                }
                j += 2;
                continue;
            }
            if (n + 1 < out_len) {
                out[n++] = line[j];
            }
            j++;
        }
        out[n] = '\0';
        return j < len;
    }
    return false;
}

static uint64_t
number_field(const char *line, size_t len, const char *key)
{
    char pat[32];
    size_t pn = (size_t)snprintf(pat, sizeof pat, "\"%s\":", key);
    for (size_t i = 0; i + pn <= len; i++) {
        if (memcmp(line + i, pat, pn) == 0) {
            uint64_t v = 0;
            for (size_t j = i + pn; j < len && line[j] >= '0' &&
                                    line[j] <= '9';
                 j++) {
                v = v * 10 + (uint64_t)(line[j] - '0');
            }
            return v;
        }
    }
    return 0;
}

static struct cc_count *
slot(struct cc_count *list, unsigned *count, const char *name)
{
    for (unsigned i = 0; i < *count; i++) {
        if (strcmp(list[i].name, name) == 0) {
            return &list[i];
        }
    }
    if (*count == CC_NAMES_MAX) {
        return NULL;
    }
    struct cc_count *c = &list[(*count)++];
    memset(c, 0, sizeof *c);
    memcpy(c->name, name, strlen(name) + 1);
    return c;
}

void
cc_tally_line(struct cc_tally *t, const char *line, size_t len)
{
    char name[CC_NAME_LEN];
    struct cc_count *c = NULL;
    bool finding = false;
    if (string_field(line, len, "clause", name, sizeof name)) {
        c = slot(t->clauses, &t->clause_count, name);
        finding = true;
    } else if (string_field(line, len, "fault", name, sizeof name)) {
        c = slot(t->faults, &t->fault_count, name);
    } else {
        if (len > 0) {
            t->unreadable++;
        }
        return;
    }
    if (finding) {
        t->violations++;
    } else {
        t->fault_total++;
    }
    if (c == NULL) {
        return; /* more names than slots: counted in the totals only */
    }
    if (c->count++ == 0) {
        c->conn = number_field(line, len, "conn");
        c->request = number_field(line, len, "request");
        if (finding) {
            string_field(line, len, "excerpt", c->excerpt,
                         sizeof c->excerpt);
        }
    }
}
