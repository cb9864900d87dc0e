/*
 * bench_opts.c - parses and checks mcref-bench's command line; see
 * bench_opts.h. Reports problems through err, never by exiting.
 */
#include "bench_opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bench_limits.h"

#define DEFAULT_SERVER "127.0.0.1:11211"
#define DEFAULT_KEYS 10000u
#define DEFAULT_KEY_LEN 20u
#define DEFAULT_VALUE_LEN 100u
#define DEFAULT_DURATION_S 5u
#define DEFAULT_THETA 0.99

/* Long-only options get codes above any single character. */
enum {
    OPT_RATIO = 256,
    OPT_KEYS,
    OPT_KEY_DIST,
    OPT_KEY_LEN,
    OPT_VALUE_SIZE,
    OPT_MGET,
    OPT_RATE,
    OPT_ACTIVE,
    OPT_WARMUP,
    OPT_SEED,
    OPT_SERVER_PID,
    OPT_JSON,
    OPT_FILL,
    OPT_IDLE_CONNS,
    OPT_PROTOCOL,
    OPT_CACHE_ASIDE,
    OPT_RSS_EVERY,
    OPT_RSS_AFTER,
};

static const struct option long_options[] = {
    {"server", required_argument, NULL, 's'},
    {"conns", required_argument, NULL, 'c'},
    {"pipeline", required_argument, NULL, 'P'},
    {"duration", required_argument, NULL, 'd'},
    {"requests", required_argument, NULL, 'n'},
    {"help", no_argument, NULL, 'h'},
    {"ratio", required_argument, NULL, OPT_RATIO},
    {"keys", required_argument, NULL, OPT_KEYS},
    {"key-dist", required_argument, NULL, OPT_KEY_DIST},
    {"key-len", required_argument, NULL, OPT_KEY_LEN},
    {"value-size", required_argument, NULL, OPT_VALUE_SIZE},
    {"mget", required_argument, NULL, OPT_MGET},
    {"rate", required_argument, NULL, OPT_RATE},
    {"active", required_argument, NULL, OPT_ACTIVE},
    {"warmup", no_argument, NULL, OPT_WARMUP},
    {"seed", required_argument, NULL, OPT_SEED},
    {"server-pid", required_argument, NULL, OPT_SERVER_PID},
    {"json", no_argument, NULL, OPT_JSON},
    {"fill", no_argument, NULL, OPT_FILL},
    {"idle-conns", required_argument, NULL, OPT_IDLE_CONNS},
    {"protocol", required_argument, NULL, OPT_PROTOCOL},
    {"cache-aside", no_argument, NULL, OPT_CACHE_ASIDE},
    {"rss-every", required_argument, NULL, OPT_RSS_EVERY},
    {"rss-after", required_argument, NULL, OPT_RSS_AFTER},
    {NULL, 0, NULL, 0},
};

void
bench_opts_usage(FILE *out, const char *prog)
{
    fprintf(out,
        "usage: %s [options]\n"
        "Load generator for memcached-compatible servers (text, meta or binary"
        " protocol).\n"
        "\n"
        "  -s, --server ADDR     HOST:PORT, [V6]:PORT or a unix socket path"
        " (%s)\n"
        "  -c, --conns N         connections (1)\n"
        "  -P, --pipeline N      requests in flight per connection (1)\n"
        "      --ratio G:S       get:set mix, e.g. 90:10 or 0:100 (90:10)\n"
        "      --keys N          key space (%u)\n"
        "      --key-dist D      uniform | zipf[:THETA], 0<THETA<=4"
        " (uniform; zipf: %.2f)\n"
        "      --key-len N       key bytes: \"%s\" + zero-padded id (%u)\n"
        "      --value-size N    value bytes of each set (%u)\n"
        "      --mget K          a get asks for K keys at once (1)\n"
        "  -d, --duration S      measured seconds (%u unless -n is given)\n"
        "  -n, --requests N      stop after N requests in all\n"
        "      --rate R          requests/s per connection, paced (closed"
        " loop)\n"
        "      --active N        only N of the -c connections send; the rest"
        " idle\n"
        "      --warmup          set every key once before measuring\n"
        "      --seed S          PRNG seed (printed; each connection's"
        " request\n"
        "                        sequence replays from it)\n"
        "      --server-pid PID  report server CPU us/op (and RSS in --fill)\n"
        "      --json            one-line JSON result\n"
        "      --fill            set new keys until `stats` shows evictions;"
        "\n"
        "                        report curr_items before the first one,"
        " RSS\n"
        "                        then and bytes/item (bounded by -d, %llu s)"
        "\n"
        "      --idle-conns N    open N idle connections; report server RSS"
        " per\n"
        "                        connection (needs --server-pid)\n"
        "      --protocol P      text | meta: gets as `mg <key> v`, sets as"
        "\n"
        "                        `ms <key> <len> T0 F0`; with -P > 1 both"
        " are\n"
        "                        quiet (`mg <key> v k q`: k matches hits to"
        "\n"
        "                        requests) and each batch ends in `mn`"
        " (text)\n"
        "                        | binary: GET and SET packets (loud; the"
        " whole\n"
        "                        connection binary, handshake NOOP)\n"
        "      --cache-aside     gets only; each miss is followed by a set"
        " of\n"
        "                        that key (cache-aside); reports the hit"
        " ratio\n"
        "      --rss-every MS    sample the server's VmRSS every MS ms during"
        "\n"
        "                        the load (needs --server-pid): time series,"
        "\n"
        "                        peak and final RSS\n"
        "      --rss-after MS    keep sampling MS ms after the load ends (0)"
        "\n"
        "  -h, --help            this text\n"
        "\n"
        "Latency runs from a request's send (its scheduled time with --rate)"
        "\n"
        "to its reply being parsed; its distribution is printed in log"
        " buckets.\n"
        "Any unexpected reply is an error.\n"
        "Exit status: 0 done, 1 usage or setup failure, 2 done with errors."
        "\n",
        prog, DEFAULT_SERVER, DEFAULT_KEYS, DEFAULT_THETA, BENCH_KEY_PREFIX,
        DEFAULT_KEY_LEN, DEFAULT_VALUE_LEN, DEFAULT_DURATION_S,
        (unsigned long long)BENCH_FILL_DURATION_S);
}

/* The format attribute lets the compiler check every caller's format. */
static void set_err(char err[BENCH_ERR_LEN], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_err(char err[BENCH_ERR_LEN], const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, BENCH_ERR_LEN, fmt, ap);
    va_end(ap);
}

/* A decimal in [lo, hi]; rejects signs, blanks and trailing bytes. */
static bool
parse_range(const char *s, uint64_t lo, uint64_t hi, uint64_t *value)
{
    if (s[0] < '0' || s[0] > '9') {
        return false;
    }
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi) {
        return false;
    }
    *value = v;
    return true;
}

static bool
parse_ratio(const char *s, uint64_t *get_part, uint64_t *set_part)
{
    const char *colon = strchr(s, ':');
    char get_text[32];
    size_t get_len = colon ? (size_t)(colon - s) : 0;
    if (colon == NULL || get_len == 0 || get_len >= sizeof(get_text)) {
        return false;
    }
    memcpy(get_text, s, get_len);
    get_text[get_len] = '\0';
    return parse_range(get_text, 0, BENCH_RATIO_PART_MAX, get_part)
           && parse_range(colon + 1, 0, BENCH_RATIO_PART_MAX, set_part)
           && *get_part + *set_part > 0;
}

static bool
parse_dist(const char *s, enum bench_dist *dist, double *theta)
{
    if (strcmp(s, "uniform") == 0) {
        *dist = BENCH_DIST_UNIFORM;
        return true;
    }
    if (strcmp(s, "zipf") == 0) {
        *dist = BENCH_DIST_ZIPF;
        *theta = DEFAULT_THETA;
        return true;
    }
    if (strncmp(s, "zipf:", 5) != 0) {
        return false;
    }
    errno = 0;
    char *end;
    double t = strtod(s + 5, &end);
    if (errno != 0 || end == s + 5 || *end != '\0'
        || !(t > 0.0 && t <= BENCH_ZIPF_THETA_MAX)) {
        return false;
    }
    *dist = BENCH_DIST_ZIPF;
    *theta = t;
    return true;
}

static bool
parse_protocol(const char *s, enum bench_protocol *protocol)
{
    if (strcmp(s, "text") == 0) {
        *protocol = BENCH_PROTO_TEXT;
        return true;
    }
    if (strcmp(s, "meta") == 0) {
        *protocol = BENCH_PROTO_META;
        return true;
    }
    if (strcmp(s, "binary") == 0) {
        *protocol = BENCH_PROTO_BINARY;
        return true;
    }
    return false;
}

static void
set_defaults(struct bench_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->server = DEFAULT_SERVER;
    o->conns = 1;
    o->pipeline = 1;
    o->get_part = 90;
    o->set_part = 10;
    o->keys = DEFAULT_KEYS;
    o->dist = BENCH_DIST_UNIFORM;
    o->theta = DEFAULT_THETA;
    o->key_len = DEFAULT_KEY_LEN;
    o->value_len = DEFAULT_VALUE_LEN;
    o->mget = 1;
}

/* The name of option code c, for messages. */
static const char *
option_name(int c)
{
    for (const struct option *opt = long_options; opt->name != NULL; opt++) {
        if (opt->val == c) {
            return opt->name;
        }
    }
    return "?";
}

/* Options whose absence means something (a default derived later). */
struct given {
    bool active;
    bool ratio;
};

/* Applies one option; false with err set when its argument is bad. */
static bool
apply_option(struct bench_opts *o, int c, const char *arg,
             struct given *given, char err[BENCH_ERR_LEN])
{
    bool ok = true;
    uint64_t pid;
    switch (c) {
    case 's':
        o->server = arg;
        ok = arg[0] != '\0';
        break;
    case 'c':
        ok = parse_range(arg, 1, BENCH_CONNS_MAX, &o->conns);
        break;
    case 'P':
        ok = parse_range(arg, 1, BENCH_PIPELINE_MAX, &o->pipeline);
        break;
    case 'd':
        ok = parse_range(arg, 1, BENCH_DURATION_MAX_S, &o->duration_s);
        break;
    case 'n':
        ok = parse_range(arg, 1, BENCH_REQUESTS_MAX, &o->requests);
        break;
    case OPT_RATIO:
        ok = parse_ratio(arg, &o->get_part, &o->set_part);
        given->ratio = true;
        break;
    case OPT_KEYS:
        ok = parse_range(arg, 1, BENCH_KEYS_MAX, &o->keys);
        break;
    case OPT_KEY_DIST:
        ok = parse_dist(arg, &o->dist, &o->theta);
        break;
    case OPT_KEY_LEN:
        ok = parse_range(arg, BENCH_KEY_PREFIX_LEN + 1, BENCH_KEY_LEN_MAX,
                         &o->key_len);
        break;
    case OPT_VALUE_SIZE:
        ok = parse_range(arg, 0, BENCH_VALUE_LEN_MAX, &o->value_len);
        break;
    case OPT_MGET:
        ok = parse_range(arg, 1, BENCH_MGET_KEYS_MAX, &o->mget);
        break;
    case OPT_RATE:
        ok = parse_range(arg, 1, BENCH_RATE_MAX, &o->rate);
        break;
    case OPT_ACTIVE:
        ok = parse_range(arg, 0, BENCH_CONNS_MAX, &o->active);
        given->active = true;
        break;
    case OPT_WARMUP:
        o->warmup = true;
        break;
    case OPT_SEED:
        ok = parse_range(arg, 0, UINT64_MAX, &o->seed);
        o->seed_given = true;
        break;
    case OPT_SERVER_PID:
        ok = parse_range(arg, 1, INT32_MAX, &pid);
        o->server_pid = (long)pid;
        break;
    case OPT_JSON:
        o->json = true;
        break;
    case OPT_FILL:
        o->mode = BENCH_MODE_FILL;
        break;
    case OPT_IDLE_CONNS:
        ok = parse_range(arg, 1, BENCH_CONNS_MAX, &o->idle_conns);
        o->mode = BENCH_MODE_IDLE;
        break;
    case OPT_PROTOCOL:
        ok = parse_protocol(arg, &o->protocol);
        break;
    case OPT_CACHE_ASIDE:
        o->cache_aside = true;
        break;
    case OPT_RSS_EVERY:
        ok = parse_range(arg, BENCH_RSS_EVERY_MIN_MS, BENCH_RSS_EVERY_MAX_MS,
                         &o->rss_every_ms);
        break;
    case OPT_RSS_AFTER:
        ok = parse_range(arg, 0, BENCH_RSS_AFTER_MAX_MS, &o->rss_after_ms);
        break;
    default:
        set_err(err, "unknown option (see -h)");
        return false;
    }
    if (!ok) {
        set_err(err, "bad value '%s' for --%s (see -h)", arg,
                option_name(c));
    }
    return ok;
}

/* Cross-checks that single options cannot make. */
static bool
check_combination(struct bench_opts *o, const struct given *given,
                  char err[BENCH_ERR_LEN])
{
    if (!given->active) {
        o->active = o->conns;
    }
    if (o->active > o->conns) {
        set_err(err, "--active %llu is above -c %llu",
                (unsigned long long)o->active, (unsigned long long)o->conns);
        return false;
    }
    if (o->mode == BENCH_MODE_IDLE && o->server_pid == 0) {
        set_err(err, "--idle-conns needs --server-pid to read RSS");
        return false;
    }
    if (o->mode != BENCH_MODE_IDLE && o->active == 0) {
        set_err(err, "--active 0 leaves nothing to measure");
        return false;
    }
    if (o->rss_every_ms == 0 && o->rss_after_ms > 0) {
        set_err(err, "--rss-after needs --rss-every");
        return false;
    }
    if (o->rss_every_ms > 0
        && (o->server_pid == 0 || o->mode != BENCH_MODE_LOAD)) {
        set_err(err, "--rss-every needs --server-pid and a load run");
        return false;
    }
    if (o->cache_aside
        && (o->mode != BENCH_MODE_LOAD || given->ratio || o->mget != 1)) {
        set_err(err, "--cache-aside is a load run of single-key gets: "
                     "no --ratio, --mget, --fill or --idle-conns");
        return false;
    }
    if (o->protocol == BENCH_PROTO_META
        && (o->mode == BENCH_MODE_FILL || o->mget != 1)) {
        set_err(err, "--protocol meta: no --fill or --mget (text only)");
        return false;
    }
    if (o->protocol == BENCH_PROTO_BINARY
        && (o->mode != BENCH_MODE_LOAD || o->mget != 1)) {
        set_err(err, "--protocol binary: a load run of single-key gets "
                     "(no --fill, --mget or --idle-conns)");
        return false;
    }
    if (o->mode == BENCH_MODE_FILL && o->duration_s == 0) {
        o->duration_s = BENCH_FILL_DURATION_S;
    }
    if (o->mode == BENCH_MODE_LOAD && o->duration_s == 0 && o->requests == 0) {
        o->duration_s = DEFAULT_DURATION_S;
    }
    return true;
}

enum bench_opts_status
bench_opts_parse(struct bench_opts *o, int argc, char **argv,
                 char err[BENCH_ERR_LEN])
{
    set_defaults(o);
    err[0] = '\0';
    struct given given = {false, false};
    bool fill = false;
    int c;
    opterr = 0; /* errors are reported through err, not stderr */
    while ((c = getopt_long(argc, argv, ":s:c:P:d:n:h", long_options, NULL))
           != -1) {
        if (c == 'h') {
            return BENCH_OPTS_HELP;
        }
        if (c == '?' || c == ':') {
            set_err(err, "%s option '%s' (see -h)",
                    c == '?' ? "unknown" : "missing value for",
                    argv[optind - 1]);
            return BENCH_OPTS_ERROR;
        }
        if (!apply_option(o, c, optarg, &given, err)) {
            return BENCH_OPTS_ERROR;
        }
        fill = fill || c == OPT_FILL;
    }
    if (optind < argc) {
        set_err(err, "unexpected argument '%s'", argv[optind]);
        return BENCH_OPTS_ERROR;
    }
    if (fill && o->idle_conns > 0) {
        set_err(err, "--fill and --idle-conns are separate runs");
        return BENCH_OPTS_ERROR;
    }
    return check_combination(o, &given, err) ? BENCH_OPTS_OK
                                                   : BENCH_OPTS_ERROR;
}
