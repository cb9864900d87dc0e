/*
 * conform_opts.c - parses mcref-conform's command line; see conform_opts.h.
 */
#include "conform_opts.h"

#include "conform_locate.h"

#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char conform_usage[] =
    "usage: mcref-conform [options] HOST:PORT | [V6]:PORT | SOCKET-PATH\n"
    "\n"
    "Runs the executable cases of spec/cases/ against a memcached-compatible\n"
    "server and reports clause by clause. Exit status: 0 all selected cases\n"
    "passed or were skipped, 1 a case failed, 2 usage or setup error.\n"
    "\n"
    "  --case PATTERN       run cases whose name matches (glob, or substring);\n"
    "                       a PATTERN that names a file runs that file's\n"
    "                       cases (e.g. a finding of mcref-fuzz);\n"
    "                       repeatable\n"
    "  --clause PATTERN     run cases citing a clause ID (exact, family prefix\n"
    "                       like 'store', or glob); repeatable\n"
    "  --list               list the selected cases and exit (no server)\n"
    "  --cases DIR          case directory (default $" CONFORM_CASES_ENV
    ", else the\n"
    "                       first with cases of <bin>/../share/mcref/cases,\n"
    "                       " CONFORM_DATADIR "/cases, <bin>/../../spec/cases\n"
    "                       and ./spec/cases)\n"
    "  --time MODE          auto (debugtime if the server has it), debugtime,\n"
    "                       or real (sleep)\n"
    "  --server KIND        auto (mcref if `version` says so), mcref, other:\n"
    "                       whether `server: mcref` cases run\n"
    "  --server-mcref       same as --server mcref\n"
    "  --auth MODE          none, ascii (-Y) or sasl (-S): the server asks for\n"
    "                       authentication; only cases that require it run\n"
    "  --allow-destructive  run destructive cases (flush_all, shutdown)\n"
    "  --skip-slow          skip `slow` cases when time is real\n"
    "  --format FMT         text (default), tap or json\n"
    "  --timeout MS         connect / read / write timeout (default 2000)\n"
    "  --case-timeout MS    limit for one whole case (default 120000)\n"
    "  --key-nonce HEX      fix the run's part of ${k} (default: random)\n"
    "  --fail-fast          stop after the first failure\n"
    "  -v, --verbose        print the conversation\n"
    "  -h, --help           this text\n";

enum {
    OPT_CASE = 256,
    OPT_CLAUSE,
    OPT_LIST,
    OPT_CASES,
    OPT_TIME,
    OPT_SERVER,
    OPT_SERVER_MCREF,
    OPT_DESTRUCTIVE,
    OPT_SKIP_SLOW,
    OPT_FORMAT,
    OPT_TIMEOUT,
    OPT_CASE_TIMEOUT,
    OPT_NONCE,
    OPT_FAIL_FAST,
    OPT_AUTH,
};

static const struct option long_options[] = {
    {"case", required_argument, NULL, OPT_CASE},
    {"clause", required_argument, NULL, OPT_CLAUSE},
    {"list", no_argument, NULL, OPT_LIST},
    {"cases", required_argument, NULL, OPT_CASES},
    {"time", required_argument, NULL, OPT_TIME},
    {"server", required_argument, NULL, OPT_SERVER},
    {"server-mcref", no_argument, NULL, OPT_SERVER_MCREF},
    {"auth", required_argument, NULL, OPT_AUTH},
    {"allow-destructive", no_argument, NULL, OPT_DESTRUCTIVE},
    {"skip-slow", no_argument, NULL, OPT_SKIP_SLOW},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"case-timeout", required_argument, NULL, OPT_CASE_TIMEOUT},
    {"key-nonce", required_argument, NULL, OPT_NONCE},
    {"fail-fast", no_argument, NULL, OPT_FAIL_FAST},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static bool
parse_ms(const char *s, uint32_t *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s < '0' || *s > '9' || *end != '\0' || v == 0 ||
        v > CONFORM_TIMEOUT_MS_MAX) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool
add_pattern(const char **list, size_t *count, const char *p,
            char err[CONFORM_ERR_LEN])
{
    if (*count >= CONFORM_PATTERNS_MAX) {
        snprintf(err, CONFORM_ERR_LEN, "more than %u patterns",
                 (unsigned)CONFORM_PATTERNS_MAX);
        return false;
    }
    list[(*count)++] = p;
    return true;
}

static bool
parse_enum(const char *s, const char *const names[], size_t n, int *out)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return true;
        }
    }
    return false;
}

static bool
apply(struct conform_opts *o, int opt, const char *arg,
      char err[CONFORM_ERR_LEN])
{
    static const char *const times[] = {"auto", "debugtime", "real"};
    static const char *const servers[] = {"auto", "mcref", "other"};
    static const char *const auths[] = {"none", "ascii", "sasl"};
    static const char *const formats[] = {"text", "tap", "json"};
    int v;
    char *end;
    switch (opt) {
    case OPT_CASE:
        return add_pattern(o->case_patterns, &o->case_pattern_count, arg, err);
    case OPT_CLAUSE:
        return add_pattern(o->clause_patterns, &o->clause_pattern_count, arg,
                           err);
    case OPT_LIST: o->list = true; return true;
    case OPT_CASES: o->cases_dir = arg; return true;
    case OPT_TIME:
        if (!parse_enum(arg, times, 3, &v)) {
            break;
        }
        o->time_mode = (enum conform_time_mode)v;
        return true;
    case OPT_SERVER:
        if (!parse_enum(arg, servers, 3, &v)) {
            break;
        }
        o->server = (enum conform_server_kind)v;
        return true;
    case OPT_SERVER_MCREF: o->server = CONFORM_SERVER_MCREF; return true;
    case OPT_AUTH:
        if (!parse_enum(arg, auths, 3, &v)) {
            break;
        }
        o->auth = (enum conform_auth)v;
        return true;
    case OPT_DESTRUCTIVE: o->allow_destructive = true; return true;
    case OPT_SKIP_SLOW: o->skip_slow = true; return true;
    case OPT_FORMAT:
        if (!parse_enum(arg, formats, 3, &v)) {
            break;
        }
        o->format = (enum conform_format)v;
        return true;
    case OPT_TIMEOUT:
        if (!parse_ms(arg, &o->timeout_ms)) {
            break;
        }
        return true;
    case OPT_CASE_TIMEOUT:
        if (!parse_ms(arg, &o->case_ms)) {
            break;
        }
        return true;
    case OPT_NONCE:
        o->key_nonce = (uint32_t)strtoul(arg, &end, 16);
        if (*arg == '\0' || *end != '\0' || strlen(arg) > 4) {
            break;
        }
        o->nonce_set = true;
        return true;
    case OPT_FAIL_FAST: o->fail_fast = true; return true;
    case 'v': o->verbose = true; return true;
    case 'h': o->help = true; return true;
    default:
        snprintf(err, CONFORM_ERR_LEN, "unknown option (see --help)");
        return false;
    }
    snprintf(err, CONFORM_ERR_LEN, "bad value '%.100s' (see --help)", arg);
    return false;
}

bool
conform_opts_parse(struct conform_opts *o, int argc, char **argv,
                   char err[CONFORM_ERR_LEN])
{
    memset(o, 0, sizeof(*o));
    o->timeout_ms = CONFORM_TIMEOUT_MS_DEFAULT;
    o->case_ms = CONFORM_CASE_MS_DEFAULT;
    const char *env = getenv(CONFORM_CASES_ENV);
    /* NULL: conform_main looks for them (conform_locate.h). */
    o->cases_dir = env != NULL && *env != '\0' ? env : NULL;
    optind = 1;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "vh", long_options, NULL)) != -1) {
        if (opt == '?' || opt == ':') {
            snprintf(err, CONFORM_ERR_LEN, "bad option '%.100s' (see --help)",
                     argv[optind - 1]);
            return false;
        }
        if (!apply(o, opt, optarg, err)) {
            return false;
        }
    }
    if (optind < argc) {
        o->target = argv[optind++];
    }
    if (optind < argc) {
        snprintf(err, CONFORM_ERR_LEN, "unexpected argument '%.100s'",
                 argv[optind]);
        return false;
    }
    if (o->target == NULL && !o->list && !o->help) {
        snprintf(err, CONFORM_ERR_LEN, "no server given (see --help)");
        return false;
    }
    return true;
}

static bool
has_glob(const char *p)
{
    return strpbrk(p, "*?[") != NULL;
}

static bool
clause_matches(const char *pattern, const char *id)
{
    if (has_glob(pattern)) {
        return fnmatch(pattern, id, 0) == 0;
    }
    size_t n = strlen(pattern);
    return strncmp(pattern, id, n) == 0 && (id[n] == '\0' || id[n] == '.');
}

bool
conform_opts_selects(const struct conform_opts *o,
                     const struct conform_case *c)
{
    bool by_name = o->case_pattern_count == 0;
    for (size_t i = 0; !by_name && i < o->case_pattern_count; i++) {
        const char *p = o->case_patterns[i];
        by_name = has_glob(p) ? fnmatch(p, c->name, 0) == 0
                              : strstr(c->name, p) != NULL;
    }
    bool by_clause = o->clause_pattern_count == 0;
    for (size_t i = 0; !by_clause && i < o->clause_pattern_count; i++) {
        for (size_t j = 0; !by_clause && j < c->clause_count; j++) {
            by_clause = clause_matches(o->clause_patterns[i], c->clauses[j]);
        }
    }
    return by_name && by_clause;
}
