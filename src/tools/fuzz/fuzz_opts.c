/* fuzz_opts.c - see fuzz_opts.h. */
#include "fuzz_opts.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "Usage: mcref-fuzz [options] HOST:PORT | [V6]:PORT | /path/to/unix.sock\n"
    "\n"
    "Sends request streams generated from the memcached protocol's grammar\n"
    "to the server and compares each reply with mcref's own session, run\n"
    "in this process. Differences beyond spec/differences.md are minimised\n"
    "and written as .case files that mcref-conform --case FILE replays.\n"
    "Exit status: 0 nothing found, 1 findings, 2 usage or connection error.\n"
    "\n"
    "  --seed N             run seed (default: from the clock; printed)\n"
    "  --seconds N          stop after N seconds (default 60 unless --runs)\n"
    "  --runs N             stop after N streams\n"
    "  --requests N         at most N requests per stream (default 24)\n"
    "  --protocol P         text (default), meta, mixed or binary\n"
    "  --out DIR            findings folder (default ./mcref-fuzz-findings)\n"
    "  --flush              also send flush_all (flushes the whole target)\n"
    "  --cas-exact          compare CAS uniques by value (only meaningful\n"
    "                       for a fresh server and --runs 1; by default a\n"
    "                       unique is compared by the order it first shows)\n"
    "  --commands LIST      only these commands (comma-separated, e.g. for\n"
    "                       a proxy: get,gets,set,add,replace,append,\n"
    "                       prepend,cas,delete,incr,decr,touch)\n"
    "  --known-clauses LIST findings in a pipeline where a request cites\n"
    "                       one of these clauses (space- or\n"
    "                       comma-separated) are known differences: counted,\n"
    "                       not written, not failing (spec/proxy.md's list)\n"
    "  --timeout MS         wait for a reply at most MS (default 2000)\n"
    "  --min-budget N       executions per minimisation (default 200)\n"
    "  --json               the summary as JSON\n"
    "  -q, --quiet          no progress line\n"
    "  -h, --help           this text\n";

void
fuzz_opts_usage(FILE *f)
{
    fputs(USAGE, f);
}

static bool
number(const char *s, uint64_t max, uint64_t *v)
{
    char *end;
    if (s[0] < '0' || s[0] > '9') {
        return false;
    }
    unsigned long long x = strtoull(s, &end, 0);
    if (*end != '\0' || x > max) {
        return false;
    }
    *v = x;
    return true;
}

enum {
    OPT_SEED = 256, OPT_SECONDS, OPT_RUNS, OPT_REQUESTS, OPT_PROTOCOL,
    OPT_OUT, OPT_FLUSH, OPT_CAS_EXACT, OPT_COMMANDS, OPT_TIMEOUT,
    OPT_MIN_BUDGET, OPT_JSON, OPT_KNOWN,
};

bool
fuzz_opts_parse(struct fuzz_opts *o, int argc, char **argv)
{
    static const struct option longs[] = {
        {"seed", required_argument, NULL, OPT_SEED},
        {"seconds", required_argument, NULL, OPT_SECONDS},
        {"runs", required_argument, NULL, OPT_RUNS},
        {"requests", required_argument, NULL, OPT_REQUESTS},
        {"protocol", required_argument, NULL, OPT_PROTOCOL},
        {"out", required_argument, NULL, OPT_OUT},
        {"flush", no_argument, NULL, OPT_FLUSH},
        {"cas-exact", no_argument, NULL, OPT_CAS_EXACT},
        {"commands", required_argument, NULL, OPT_COMMANDS},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"min-budget", required_argument, NULL, OPT_MIN_BUDGET},
        {"json", no_argument, NULL, OPT_JSON},
        {"known-clauses", required_argument, NULL, OPT_KNOWN},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->max_requests = 24;
    o->out_dir = "mcref-fuzz-findings";
    o->timeout_ms = 2000;
    o->min_budget = 200;
    optind = 1;
    int c;
    uint64_t v = 0;
    while ((c = getopt_long(argc, argv, "qh", longs, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case OPT_SEED:
            ok = number(optarg, UINT64_MAX, &o->seed);
            o->seed_given = true;
            break;
        case OPT_SECONDS:
            ok = number(optarg, 86400u * 365u, &v);
            o->seconds = (uint32_t)v;
            break;
        case OPT_RUNS: ok = number(optarg, UINT64_MAX, &o->runs); break;
        case OPT_REQUESTS:
            ok = number(optarg, 10000, &v) && v >= 1;
            o->max_requests = (uint32_t)v;
            break;
        case OPT_PROTOCOL:
            o->protocol_given = true;
            if (strcmp(optarg, "text") == 0) {
                o->protocol = FUZZ_PROTO_TEXT;
            } else if (strcmp(optarg, "meta") == 0) {
                o->protocol = FUZZ_PROTO_META;
            } else if (strcmp(optarg, "mixed") == 0) {
                o->protocol = FUZZ_PROTO_MIXED;
            } else if (strcmp(optarg, "binary") == 0) {
                o->protocol = FUZZ_PROTO_BINARY;
            } else {
                ok = false;
            }
            break;
        case OPT_OUT: o->out_dir = optarg; break;
        case OPT_FLUSH: o->allow_flush = true; break;
        case OPT_CAS_EXACT: o->cas_exact = true; break;
        case OPT_COMMANDS: o->commands = optarg; break;
        case OPT_TIMEOUT:
            ok = number(optarg, 600000, &v) && v >= 10;
            o->timeout_ms = (uint32_t)v;
            break;
        case OPT_MIN_BUDGET:
            ok = number(optarg, 1000000, &v);
            o->min_budget = (uint32_t)v;
            break;
        case OPT_JSON: o->json = true; break;
        case OPT_KNOWN: o->known_clauses = optarg; break;
        case 'q': o->quiet = true; break;
        case 'h': o->help = true; return true;
        default: return false;
        }
        if (!ok) {
            fprintf(stderr, "mcref-fuzz: bad value for %s: %s\n",
                    argv[optind - 1], optarg);
            return false;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "mcref-fuzz: give exactly one server address\n");
        return false;
    }
    o->target = argv[optind];
    if (o->seconds == 0 && o->runs == 0) {
        o->seconds = 60;
    }
    return true;
}
