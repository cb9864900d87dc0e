/*
 * conform_case.h - the case language of spec/cases/ (.case files): the parsed form
 * of a case (header and steps) and the parser that builds it.
 *
 * The parser reads files and checks everything that can be checked without
 * a server: syntax, escapes, regexes, variables used before they are
 * defined, repeat nesting, and the `slow` tag against real waiting time.
 * spec/cases/README.md is the reference for the language.
 */
#ifndef CONFORM_CASE_H
#define CONFORM_CASE_H
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conform_bin.h"
#include "conform_bytes.h"
#include "conform_limits.h"

enum conform_step_kind {
    CONFORM_STEP_SEND = 0,     /* send <bytes> */
    CONFORM_STEP_SEND_CHUNKS,  /* send-chunks SIZE MS <bytes> */
    CONFORM_STEP_EXPECT,       /* expect <bytes> */
    CONFORM_STEP_EXPECT_LINE,  /* expect-line /ERE/ [-> var...] */
    CONFORM_STEP_EXPECT_CLOSE, /* expect-close */
    CONFORM_STEP_EXPECT_SILENCE, /* expect-silence MS */
    CONFORM_STEP_WAIT,         /* wait SECONDS (server time) */
    CONFORM_STEP_SLEEP,        /* sleep SECONDS (real time) */
    CONFORM_STEP_CONN,         /* conn NAME */
    CONFORM_STEP_RECONNECT,    /* reconnect */
    CONFORM_STEP_CLOSE,        /* close */
    CONFORM_STEP_HALF_CLOSE,   /* half-close */
    CONFORM_STEP_STAT,         /* stat [GROUP] NAME OP VALUE | -> VAR */
    CONFORM_STEP_REPEAT,       /* repeat N [VAR] */
    CONFORM_STEP_DONE,         /* done (ends a repeat) */
    CONFORM_STEP_LET,          /* let VAR = SUM */
    CONFORM_STEP_CHECK,        /* check A OP B */
    CONFORM_STEP_EXPECT_UNTIL, /* expect-until <bytes> */
    CONFORM_STEP_EXPECT_LINES, /* expect-lines /ERE/ (up to an END line) */
    CONFORM_STEP_RESET,        /* reset (close with RST) */
    CONFORM_STEP_SEND_BIN,     /* send-bin FIELD=VALUE... (conform_bin.h) */
    CONFORM_STEP_EXPECT_BIN,   /* expect-bin FIELD=VALUE... */
};

/* Comparison of a stat or a requirement; CAPTURE stores into a variable. */
enum conform_cmp {
    CONFORM_CMP_EQ = 0,
    CONFORM_CMP_NE,
    CONFORM_CMP_LT,
    CONFORM_CMP_LE,
    CONFORM_CMP_GT,
    CONFORM_CMP_GE,
    CONFORM_CMP_MATCH,         /* ~ : the value matches an anchored ERE */
    CONFORM_CMP_CAPTURE,
};

struct conform_step {
    enum conform_step_kind kind;
    unsigned line;           /* in the case file, 1-based */
    char *text;              /* the source line, trimmed (owned) */
    struct conform_bytes bytes;  /* send, send-chunks, expect, expect-until */
    char *arg;               /* expect-line(s) regex (slashes unescaped),
                                conn name, stat name, repeat / let
                                variable, check's left side */
    char *group;             /* stat: the stats argument, or NULL */
    char *value;             /* stat, check: right side; let: the sum */
    enum conform_cmp cmp;    /* stat, check */
    char *captures[CONFORM_CAPTURES_MAX]; /* expect-line / stat capture */
    size_t capture_count;
    double seconds;          /* wait, sleep */
    uint32_t ms;             /* expect-silence; send-chunks pause */
    uint32_t count;          /* repeat count; send-chunks size */
    size_t match;            /* repeat: index of its done, and back */
    struct conform_bin *bin; /* send-bin, expect-bin (owned) */
};

/* One `requires:` condition. */
struct conform_require {
    bool debugtime;          /* the word `debugtime`; the rest is unused */
    bool no_debugtime;       /* the word `no-debugtime` */
    bool meta;               /* the word `meta`: the server answers `mn`
                                with `MN` (it speaks the meta protocol) */
    bool no_meta;            /* the word `no-meta`: it does not */
    bool ascii_auth;         /* `ascii-auth`: run only with --auth ascii */
    bool sasl;               /* `sasl`: run only with --auth sasl */
    char name[CONFORM_SETTING_LEN_MAX + 1];
    enum conform_cmp cmp;    /* never CAPTURE */
    char value[CONFORM_SETTING_LEN_MAX + 1];
};

struct conform_case {
    char name[CONFORM_NAME_LEN_MAX + 1];
    const char *file;        /* owned by the set */
    unsigned line;           /* of the `case` line */
    char clauses[CONFORM_CLAUSES_MAX][CONFORM_CLAUSE_LEN_MAX + 1];
    size_t clause_count;
    struct conform_require requires[CONFORM_REQUIRES_MAX];
    size_t require_count;
    bool destructive;        /* tags: destructive */
    bool slow;               /* tags: slow */
    bool final;              /* tags: final (ends the server; runs last) */
    bool mcref_only;         /* server: mcref */
    uint32_t timeout_ms;     /* timeout: MS; 0 means the run's default */
    char since[CONFORM_VERSION_LEN_MAX + 1]; /* since: VERSION; "" if none.
                                The behaviour appeared in that memcached
                                release: older servers skip the case. */
    char until[CONFORM_VERSION_LEN_MAX + 1]; /* until: VERSION; "" if none.
                                memcached changed the behaviour in that
                                release: it and newer servers skip the case
                                (mcref keeps the older behaviour). */
    bool has_wait;           /* a wait step: the clock is paused around it */
    double real_s;           /* worst-case real waiting (wait+sleep+pauses) */
    struct conform_step *steps;
    size_t step_count;
};

/* All cases of a run, in file order (files sorted by name). */
struct conform_set {
    struct conform_case *cases;
    size_t count;
    char **files;            /* names of the files read */
    size_t file_count;
};

/*
 * Parses one file's text and appends its cases to set. file_name is copied
 * and used in messages. False with err = "FILE:LINE: message" on the first
 * error; cases of earlier calls stay in set.
 */
bool conform_set_parse(struct conform_set *set, const char *file_name,
                       const char *text, size_t len,
                       char err[CONFORM_ERR_LEN]);

/*
 * Parses every *.case file of dir (sorted by name). Case names must be
 * unique across files. False with err set on the first problem.
 */
bool conform_set_load_dir(struct conform_set *set, const char *dir,
                          char err[CONFORM_ERR_LEN]);

/* Parses one .case file (e.g. a finding of mcref-fuzz) into set. */
bool conform_set_load_file(struct conform_set *set, const char *path,
                           char err[CONFORM_ERR_LEN]);

/* Frees everything; set is then empty. */
void conform_set_free(struct conform_set *set);

/* Parses "= != < <= > >= ~" at s; returns its length (0 if none). */
size_t conform_cmp_parse(const char *s, enum conform_cmp *cmp);
/* The operator's text, e.g. ">=". */
const char *conform_cmp_name(enum conform_cmp cmp);

/*
 * Compiles an expect-line pattern anchored as ^(pattern)$ with
 * REG_EXTENDED; *nsub is the number of the pattern's own groups (group g
 * of the pattern is group g+1 of re). The caller regfree()s re on success.
 * Shared by the parser (to check) and the runner (to match).
 */
bool conform_regex_compile(regex_t *re, const char *pattern, size_t *nsub,
                           char err[CONFORM_ERR_LEN]);

/*
 * Reads the release number at the start of s ("1.6.18", also the prefix of
 * "1.6.18-mcref-0.1.0"): up to CONFORM_VERSION_PARTS decimal numbers joined
 * by dots; missing parts are 0. *used (may be NULL) is the count of bytes
 * read. False when s does not start with a digit or a number is too big.
 */
bool conform_version_parse(const char *s, uint32_t parts[CONFORM_VERSION_PARTS],
                           size_t *used);

/* <0, 0, >0 as release a is older than, equal to, newer than b. */
int conform_version_cmp(const uint32_t a[CONFORM_VERSION_PARTS],
                        const uint32_t b[CONFORM_VERSION_PARTS]);

#endif
