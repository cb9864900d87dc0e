/* settings.c - parsing and validating memcached's flags. */
#include "settings.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../common/limits.h"
#include "../engine/faults.h"
#include "version.h"

/* memcached's exit codes: EX_USAGE for most validation errors, 1 for some. */
enum { EXIT_USAGE = 64, EXIT_OTHER = 1 };

static const char usage_text[] =
    "mcref " MCREF_VERSION " - a memcached-compatible cache server "
    "(memcached " MCREF_PROTOCOL_VERSION " flags)\n"
    "\n"
    "Supported:\n"
    "-p, --port=<num>          TCP port to listen on (default: 11211; 0 = no TCP;\n"
    "                          -1 = any free port, see MEMCACHED_PORT_FILENAME)\n"
    "-U, --udp-port=<num>      UDP port: only 0 (off, the default); mcref has no UDP\n"
    "-s, --unix-socket=<file>  UNIX socket to listen on (disables TCP)\n"
    "-a, --unix-mask=<mask>    access mask for the UNIX socket, in octal (default: 700)\n"
    "-A, --enable-shutdown     enable the ascii \"shutdown\" command\n"
    "-l, --listen=<addr>       interfaces to listen on (default: all), comma separated;\n"
    "                          host, host:port, [ipv6] or [ipv6]:port; repeatable\n"
    "-d, --daemon              run as a daemon\n"
    "-r, --enable-coredumps    maximize the core file limit\n"
    "-u, --user=<user>         assume the identity of <user> (only when run as root)\n"
    "-m, --memory-limit=<num>  item memory: megabytes, or with a k, m or g suffix\n"
    "                          (64, 64m, 512k, 2g; default: 64)\n"
    "-M, --disable-evictions   return an error when memory is full, do not evict\n"
    "-c, --conn-limit=<num>    client connections at once (default: 1024)\n"
    "-R, --max-reqs-per-event=<n> requests one connection may run before the\n"
    "                          others get a turn (default: 20; conn_yields)\n"
    "-k, --lock-memory         lock down all paged memory\n"
    "-v, --verbose             errors and warnings; -vv: also every command and\n"
    "                          reply; -vvv: also internal state\n"
    "-h, --help                print this help and exit\n"
    "-i, --license             print the licence and exit\n"
    "-V, --version             print the version and exit\n"
    "-P, --pidfile=<file>      save the PID in <file>; removed on exit\n"
    "-e, --memory-file=<file>  keep item memory in <file> (tmpfs, e.g. /dev/shm);\n"
    "                          stop with SIGUSR1 (or shutdown graceful) to restart\n"
    "                          with every item\n"
    "-C, --disable-cas         disable CAS uniques\n"
    "-b, --listen-backlog=<n>  the listen backlog (default: 1024)\n"
    "-I, --max-item-size=<n>   largest value, with k or m suffix (default: 1m,\n"
    "                          min: 1k, max: 1g, at most half of -m)\n"
    "-F, --disable-flush-all   disable flush_all\n"
    "-o, --extended            comma separated sub-options:\n"
    "    idle_timeout=<s>      close connections idle this long (default: 0, off)\n"
    "    read_buf_mem_limit=<mb> input buffered over all connections (default:\n"
    "                          -m, at least 64; 0: no bound)\n"
    "    hashpower=<n>         initial index size, 2^n buckets (12-32)\n"
    "    test_clock            enable the debugtime command (for tests)\n"
    "    client_check[=reject] strict mode: record requests that break a client\n"
    "                          rule (spec section 21); =reject answers them with\n"
    "                          an error\n"
    "    client_check_report=<file>  append findings and faults as JSON lines\n"
    "    faults=<profile|list> inject faults: none segments delays disconnects\n"
    "                          oom connect all, or kind:percent+... (kinds: cut\n"
    "                          delay close_before close_inside idle_close oom\n"
    "                          evict reject_conn slow_accept)\n"
    "    fault_seed=<n>        the faults' seed (default: from the clock; printed)\n"
    "\n"
    "Environment: MEMCACHED_PORT_FILENAME=<file>: once listening, write the TCP\n"
    "ports there, one \"TCP INET: <port>\" or \"TCP INET6: <port>\" line each.\n"
    "\n"
    "Accepted, without effect in mcref (harmless):\n"
    "-t, --threads=<num>       mcref serves from one thread (it says so at -v)\n"
    "-f, --slab-growth-factor, -n, --slab-min-size, -L, --enable-largepages:\n"
    "                          mcref has no slab classes (items live in one log)\n"
    "-X, --disable-dumping     disable stats cachedump and lru_crawler metadump\n"
    "-W, --disable-watch       mcref has no watch command\n"
    "-B, --protocol=<name>     ascii, binary or auto (default: auto)\n"
    "-S, --enable-sasl         SASL PLAIN against the password file named by\n"
    "                          $MEMCACHED_SASL_PWDB (lines user:password)\n"
    "-Y, --auth-file=<file>    ascii authentication (lines user:password)\n"
    "-o maxconns_fast, modern, no_modern, hash_algorithm, tail_repair_time,\n"
    "   no_lru_crawler, lru_crawler_sleep, lru_crawler_tocrawl, no_lru_maintainer,\n"
    "   hot_lru_pct, warm_lru_pct, hot_max_factor, warm_max_factor,\n"
    "   temporary_ttl, slab_reassign, slab_automove, slab_automove_ratio,\n"
    "   slab_automove_window, slab_chunk_max, slab_sizes, no_hashexpand,\n"
    "   watcher_logbuf_size, worker_logbuf_size,\n"
    "   sock_cookie_id:        tune machinery mcref does not have\n"
    "\n"
    "Refused (mcref does not have them):\n"
    "-Z/--enable-ssl, -N/--napi-ids, -D (stats detail),\n"
    "-U <port> other than 0, -o track_sizes, drop_privileges,\n"
    "proxy_config and the ext_* and ssl_* sub-options.\n";

static const char license_text[] =
    "mcref " MCREF_VERSION "\n"
    "mcref is written from the behaviour of memcached; it contains none of\n"
    "memcached's code. See the README of its source for its terms.\n";

static void
defaults(struct settings *s)
{
    memset(s, 0, sizeof *s);
    s->port = 11211;
    s->unix_mask = 0700;
    s->mem_limit = (uint64_t)LIMIT_MEM_MB_DEFAULT * 1024 * 1024;
    s->maxconns = LIMIT_CONNS_DEFAULT;
    s->item_size_max = LIMIT_VALUE_LEN_DEFAULT;
    s->threads = 4; /* memcached's default, shown by `stats settings` */
    s->reqs_per_event = 20;
    s->backlog = 1024;
    s->read_buf_mem_limit_mb = -1;
}

static void
note(struct settings *s, const char *text)
{
    if (s->note_count < LIMIT_SETTINGS_NOTES) {
        s->notes[s->note_count++] = text;
    }
}

/* A whole decimal number within [min, max]. */
static bool
whole(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    if (text == NULL || *text == '\0' || *text == '-') {
        return false;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

/* [item.value-max]: memcached's -I, with an optional k or m suffix. */
static bool
item_size(const char *text, uint64_t *out)
{
    char digits[32];
    size_t n = strlen(text);
    if (n == 0 || n >= sizeof digits) {
        return false;
    }
    memcpy(digits, text, n + 1);
    uint64_t unit = 1;
    char last = digits[n - 1];
    if (last == 'k' || last == 'K') {
        unit = 1024;
        digits[n - 1] = '\0';
    } else if (last == 'm' || last == 'M') {
        unit = 1024 * 1024;
        digits[n - 1] = '\0';
    } else if (last == 'g' || last == 'G') {
        unit = 1024 * 1024 * 1024;
        digits[n - 1] = '\0';
    }
    uint64_t v;
    if (!whole(digits, 0, UINT32_MAX, &v)) {
        return false;
    }
    *out = v * unit;
    return true;
}

/*
 * [cli.memory-size]: -m as megabytes, or with a k, m or g suffix (either
 * case) in KiB, MiB or GiB. memcached reads -m with atoi, so there "64m" is
 * 64 MB by luck and "1g" is silently 1 MB; mcref gives each suffix its real
 * meaning and refuses anything else. The result is in bytes.
 */
static bool
memory_size(const char *text, uint64_t *bytes)
{
    size_t n = text != NULL ? strlen(text) : 0;
    if (n == 0 || n > 24) {
        return false;
    }
    char digits[32];
    memcpy(digits, text, n + 1);
    uint64_t unit = 1024 * 1024;
    switch (digits[n - 1]) {
    case 'k': case 'K': unit = 1024; break;
    case 'm': case 'M': unit = 1024 * 1024; break;
    case 'g': case 'G': unit = 1024 * 1024 * 1024; break;
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': break;
    default: return false;
    }
    if (digits[n - 1] < '0' || digits[n - 1] > '9') {
        digits[n - 1] = '\0';
    }
    for (const char *d = digits; *d != '\0'; d++) {
        if (*d < '0' || *d > '9') {
            return false; /* strtoull would take " 64" or "+64" */
        }
    }
    uint64_t v;
    /* 2^44 bytes (16 TiB) is far beyond any machine this runs on. */
    if (!whole(digits, 0, ((uint64_t)1 << 44) / unit, &v)) {
        return false;
    }
    *bytes = v * unit;
    return true;
}

static bool
append_listen(struct settings *s, const char *item, FILE *err)
{
    size_t have = strlen(s->listen);
    size_t add = strlen(item);
    if (have + add + 2 > sizeof s->listen) {
        fprintf(err, "mcref: -l: too many listen addresses\n");
        return false;
    }
    if (have > 0) {
        s->listen[have++] = ',';
    }
    memcpy(s->listen + have, item, add + 1);
    return true;
}

/* The -o sub-options that tune machinery mcref does not have. */
static const char *const ignored_suboptions[] = {
    "maxconns_fast", "modern", "no_modern", "hash_algorithm",
    "tail_repair_time", "no_lru_crawler", "lru_crawler", "lru_crawler_sleep",
    "lru_crawler_tocrawl", "no_lru_maintainer", "lru_maintainer",
    "hot_lru_pct", "warm_lru_pct", "hot_max_factor", "warm_max_factor",
    "temporary_ttl", "slab_reassign", "slab_automove", "slab_automove_ratio",
    "slab_automove_window", "slab_chunk_max", "slab_sizes", "no_hashexpand",
    "watcher_logbuf_size", "worker_logbuf_size",
    "sock_cookie_id", "no_maxconns_fast", "no_inline_ascii_resp",
    "inline_ascii_resp"};

/* The -o sub-options memcached has and mcref refuses. */
static bool
refused_suboption(const char *name)
{
    static const char *const refused[] = {"track_sizes", "drop_privileges",
                                          "no_drop_privileges", "proxy_config",
                                          "proxy_arg", "proxy_uring"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        if (strcmp(name, refused[i]) == 0) {
            return true;
        }
    }
    return strncmp(name, "ext_", 4) == 0 || strncmp(name, "ssl_", 4) == 0;
}

static bool
suboption(struct settings *s, char *item, FILE *err, int *exit_code)
{
    char *value = strchr(item, '=');
    if (value != NULL) {
        *value++ = '\0';
    }
    uint64_t v;
    if (strcmp(item, "idle_timeout") == 0) {
        if (!whole(value, 0, UINT32_MAX, &v)) {
            fprintf(err, "mcref: idle_timeout takes a whole number of "
                         "seconds\n");
            *exit_code = EXIT_USAGE;
            return false;
        }
        s->idle_timeout = (uint32_t)v;
        return true;
    }
    if (strcmp(item, "hashpower") == 0) {
        if (!whole(value, 12, 32, &v)) {
            fprintf(err, "Initial hashtable multiplier of %s is out of range "
                         "(12-32)\n",
                    value != NULL ? value : "");
            *exit_code = EXIT_USAGE;
            return false;
        }
        s->hashpower = (uint32_t)v;
        return true;
    }
    if (strcmp(item, "read_buf_mem_limit") == 0) {
        if (!whole(value, 0, 1u << 20, &v)) {
            fprintf(err, "mcref: read_buf_mem_limit takes a whole number of "
                         "megabytes\n");
            *exit_code = EXIT_USAGE;
            return false;
        }
        s->read_buf_mem_limit_mb = (int64_t)v;
        return true;
    }
    if (strcmp(item, "test_clock") == 0) {
        s->test_clock = true;
        return true;
    }
    if (strcmp(item, "client_check") == 0) {
        if (value != NULL && strcmp(value, "reject") != 0) {
            fprintf(err, "mcref: client_check takes no value or =reject\n");
            *exit_code = EXIT_USAGE;
            return false;
        }
        s->client_check = true;
        s->client_check_reject = value != NULL;
        return true;
    }
    if (strcmp(item, "client_check_report") == 0) {
        if (value == NULL || *value == '\0' ||
            strlen(value) >= sizeof s->client_check_report) {
            fprintf(err, "mcref: client_check_report takes a file name\n");
            *exit_code = EXIT_USAGE;
            return false;
        }
        memcpy(s->client_check_report, value, strlen(value) + 1);
        return true;
    }
    if (strcmp(item, "faults") == 0) {
        struct fault_plan plan;
        char why[512];
        if (value == NULL) {
            value = "";
        }
        if (!faults_parse(value, &plan, why, sizeof why)) {
            fprintf(err, "mcref: %s\n", why);
            *exit_code = EXIT_USAGE;
            return false;
        }
        memcpy(s->faults, value, strlen(value) + 1);
        return true;
    }
    if (strcmp(item, "fault_seed") == 0) {
        if (!whole(value, 0, UINT64_MAX, &v)) {
            fprintf(err, "mcref: fault_seed takes a whole number\n");
            *exit_code = EXIT_USAGE;
            return false;
        }
        s->fault_seed = v;
        s->fault_seed_set = true;
        return true;
    }
    for (size_t i = 0;
         i < sizeof ignored_suboptions / sizeof ignored_suboptions[0]; i++) {
        if (strcmp(item, ignored_suboptions[i]) == 0) {
            note(s, "an -o sub-option that tunes machinery mcref does not "
                    "have was ignored");
            return true;
        }
    }
    if (refused_suboption(item)) {
        fprintf(err, "mcref: the -o sub-option \"%s\" is not supported by "
                     "mcref\n",
                item);
        *exit_code = EXIT_USAGE;
        return false;
    }
    fprintf(err, "Illegal suboption \"%s\"\n", item);
    *exit_code = EXIT_OTHER;
    return false;
}

static bool
suboptions(struct settings *s, const char *arg, FILE *err, int *exit_code)
{
    char list[512];
    if (strlen(arg) >= sizeof list) {
        fprintf(err, "mcref: -o: sub-options too long\n");
        *exit_code = EXIT_USAGE;
        return false;
    }
    memcpy(list, arg, strlen(arg) + 1);
    char *save = NULL;
    for (char *item = strtok_r(list, ",", &save); item != NULL;
         item = strtok_r(NULL, ",", &save)) {
        if (!suboption(s, item, err, exit_code)) {
            return false;
        }
    }
    return true;
}

static enum settings_outcome
fail(int *exit_code, int code)
{
    *exit_code = code;
    return SETTINGS_FAIL;
}

/* Checks between flags, after all are read (memcached's order). */
static enum settings_outcome
validate(const struct settings *s, FILE *err, int *exit_code)
{
    if (s->sasl && s->auth_file != NULL) {
        fprintf(err, "mcref: -S and -Y cannot be used together\n");
        return fail(exit_code, EXIT_USAGE);
    }
    if (s->item_size_max < LIMIT_VALUE_LEN_MIN) {
        fprintf(err, "Item max size cannot be less than 1024 bytes.\n");
        return fail(exit_code, EXIT_USAGE);
    }
    if (s->item_size_max > LIMIT_VALUE_LEN_MAX) {
        fprintf(err, "Cannot set item size limit higher than 1 GB.\n");
        return fail(exit_code, EXIT_USAGE);
    }
    if ((uint64_t)s->item_size_max > s->mem_limit / 2) {
        fprintf(err, "Cannot set item size limit higher than 1/2 of memory "
                     "max.\n");
        return fail(exit_code, EXIT_USAGE);
    }
    if (s->udp_port != 0) {
        fprintf(err, "mcref: UDP is not supported by mcref (-U %u); -U 0, "
                     "the default, keeps it off\n",
                s->udp_port);
        return fail(exit_code, EXIT_USAGE);
    }
    if (s->port == 0 && !s->port_ephemeral && s->unix_path == NULL) {
        fprintf(err, "mcref: nothing to listen on: -p 0 and no -s\n");
        return fail(exit_code, EXIT_USAGE);
    }
    return SETTINGS_RUN;
}

/*
 * The flags, in memcached's groups. Each group's handler takes the flags it
 * knows and answers STEP_NOT_MINE for the others, so settings_parse only
 * asks the groups in turn.
 */
enum step { STEP_NEXT, STEP_NOT_MINE, STEP_DONE, STEP_FAIL };

struct parse_ctx {
    struct settings *s;
    FILE *out;
    FILE *err;
    int *exit_code;
};

static enum step
step_fail(struct parse_ctx *p, int code)
{
    *p->exit_code = code;
    return STEP_FAIL;
}

static enum step
step_refuse(struct parse_ctx *p, const char *flag, const char *what)
{
    fprintf(p->err, "mcref: %s (%s) is not supported by mcref\n", flag, what);
    return step_fail(p, EXIT_USAGE);
}

/* -p -U -s -a -l -b -B: where and how the server listens. */
static enum step
listening_flag(struct parse_ctx *p, int c, const char *arg)
{
    struct settings *s = p->s;
    uint64_t v;
    switch (c) {
    case 'p':
        if (strcmp(arg, "-1") == 0) {
            /* memcached's "any free port": read it back from the ports
             * file (MEMCACHED_PORT_FILENAME). */
            s->port = 0;
            s->port_ephemeral = true;
            return STEP_NEXT;
        }
        if (!whole(arg, 0, 65535, &v)) {
            fprintf(p->err, "ERROR: Invalid port number %s.\n", arg);
            return step_fail(p, EXIT_USAGE);
        }
        s->port = (uint32_t)v;
        s->port_ephemeral = false;
        return STEP_NEXT;
    case 'U':
        if (!whole(arg, 0, 65535, &v)) {
            fprintf(p->err, "ERROR: Invalid port number %s.\n", arg);
            return step_fail(p, EXIT_USAGE);
        }
        s->udp_port = (uint32_t)v;
        return STEP_NEXT;
    case 's':
        s->unix_path = arg;
        return STEP_NEXT;
    case 'a': {
        errno = 0;
        char *end;
        unsigned long mask = strtoul(arg, &end, 8);
        if (errno != 0 || *arg == '\0' || *end != '\0' || mask > 0777) {
            fprintf(p->err, "mcref: -a takes an octal mask, like 700\n");
            return step_fail(p, EXIT_USAGE);
        }
        s->unix_mask = (unsigned)mask;
        return STEP_NEXT;
    }
    case 'l':
        return append_listen(s, arg, p->err) ? STEP_NEXT
                                              : step_fail(p, EXIT_USAGE);
    case 'b':
        if (!whole(arg, 0, INT32_MAX, &v)) {
            fprintf(p->err, "mcref: -b takes a whole number\n");
            return step_fail(p, EXIT_USAGE);
        }
        s->backlog = (int)v;
        return STEP_NEXT;
    case 'B':
        if (strcmp(arg, "binary") == 0) {
            s->binding = SETTINGS_BIND_BINARY;
        } else if (strcmp(arg, "ascii") == 0) {
            s->binding = SETTINGS_BIND_ASCII;
        } else if (strcmp(arg, "auto") == 0) {
            s->binding = SETTINGS_BIND_AUTO;
        } else {
            fprintf(p->err, "Invalid value for binding protocol: %s\n"
                            " -- should be one of auto, binary, or ascii\n",
                    arg);
            return step_fail(p, EXIT_USAGE);
        }
        return STEP_NEXT;
    default:
        return STEP_NOT_MINE;
    }
}

/* -d -u -P -e -r -k -c -A: the process, its identity and its limits. */
static enum step
process_flag(struct parse_ctx *p, int c, const char *arg)
{
    struct settings *s = p->s;
    uint64_t v;
    switch (c) {
    case 'd':
        s->daemonize = true;
        return STEP_NEXT;
    case 'u':
        s->user = arg;
        return STEP_NEXT;
    case 'P':
        s->pidfile = arg;
        return STEP_NEXT;
    case 'e':
        if (arg[0] == '\0') {
            fprintf(p->err, "mcref: -e needs a file name\n");
            return step_fail(p, EXIT_USAGE);
        }
        s->memory_file = arg;
        return STEP_NEXT;
    case 'r':
        s->coredumps = true;
        return STEP_NEXT;
    case 'k':
        s->lock_memory = true;
        return STEP_NEXT;
    case 'c':
        if (!whole(arg, 1, 10000000, &v)) {
            fprintf(p->err, "Maximum connections must be greater than 0\n");
            return step_fail(p, EXIT_OTHER);
        }
        s->maxconns = (uint32_t)v;
        return STEP_NEXT;
    case 'A':
        s->shutdown_enabled = true;
        return STEP_NEXT;
    default:
        return STEP_NOT_MINE;
    }
}

/* -m -M -I -C -F: item memory and what may be done with items. */
static enum step
memory_flag(struct parse_ctx *p, int c, const char *arg)
{
    struct settings *s = p->s;
    uint64_t v;
    switch (c) {
    case 'm':
        if (!memory_size(arg, &v)) {
            fprintf(p->err, "mcref: -m %s: the memory limit is a whole number "
                            "of megabytes, or one with a k, m or g suffix "
                            "(-m 64, -m 64m, -m 512k, -m 2g)\n",
                    arg);
            return step_fail(p, EXIT_USAGE);
        }
        s->mem_limit = v;
        return STEP_NEXT;
    case 'M':
        s->no_evict = true;
        return STEP_NEXT;
    case 'I':
        if (!item_size(arg, &v) || v > UINT32_MAX) {
            fprintf(p->err, "Cannot set item size limit higher than 1 GB.\n");
            return step_fail(p, EXIT_USAGE);
        }
        s->item_size_max = (uint32_t)v;
        return STEP_NEXT;
    case 'C':
        s->cas_disabled = true;
        return STEP_NEXT;
    case 'F':
        s->flush_disabled = true;
        return STEP_NEXT;
    default:
        return STEP_NOT_MINE;
    }
}

/* -f -n -L -W: slab tuning and watching, which mcref does not have:
 * validated as memcached does, then noted for -v; -X: no key dumps. */
static enum step
slab_flag(struct parse_ctx *p, int c, const char *arg)
{
    uint64_t v;
    switch (c) {
    case 'f': {
        char *end;
        double factor = strtod(arg, &end);
        if (*end != '\0' || factor <= 1.0) {
            fprintf(p->err, "Factor must be greater than 1\n");
            return step_fail(p, EXIT_OTHER);
        }
        note(p->s, "-f: mcref has no slab classes; ignored");
        return STEP_NEXT;
    }
    case 'n':
        if (!whole(arg, 1, UINT32_MAX, &v)) {
            fprintf(p->err, "Chunk size must be greater than 0\n");
            return step_fail(p, EXIT_OTHER);
        }
        note(p->s, "-n: mcref has no slab classes; ignored");
        return STEP_NEXT;
    case 'L':
        note(p->s, "-L: mcref preallocates nothing; its item memory uses "
                    "transparent huge pages where the system allows "
                    "(not with -e)");
        return STEP_NEXT;
    case 'X':
        p->s->dump_disabled = true; /* [admin.dump-disabled] */
        return STEP_NEXT;
    case 'W':
        note(p->s, "-W: mcref has no watch command; ignored");
        return STEP_NEXT;
    default:
        return STEP_NOT_MINE;
    }
}

/* -t -R: threads and the requests a connection runs per turn. */
static enum step
event_flag(struct parse_ctx *p, int c, const char *arg)
{
    uint64_t v;
    switch (c) {
    case 't':
        if (!whole(arg, 1, 1024, &v)) {
            fprintf(p->err, "Number of threads must be greater than 0\n");
            return step_fail(p, EXIT_OTHER);
        }
        p->s->threads = (uint32_t)v;
        note(p->s, "-t: one thread serves every connection; ignored");
        return STEP_NEXT;
    case 'R':
        if (!whole(arg, 1, UINT32_MAX, &v)) {
            fprintf(p->err, "Number of requests per event must be greater "
                            "than 0\n");
            return step_fail(p, EXIT_OTHER);
        }
        p->s->reqs_per_event = (uint32_t)v;
        return STEP_NEXT;
    default:
        return STEP_NOT_MINE;
    }
}

/* -v -h -i -V: talking about itself. */
static enum step
info_flag(struct parse_ctx *p, int c)
{
    switch (c) {
    case 'v':
        p->s->verbosity++;
        return STEP_NEXT;
    case 'h':
        fputs(usage_text, p->out);
        return STEP_DONE;
    case 'i':
        fputs(license_text, p->out);
        return STEP_DONE;
    case 'V':
        fprintf(p->out, "mcref %s (memcached %s compatible)\n", MCREF_VERSION,
                MCREF_PROTOCOL_VERSION);
        return STEP_DONE;
    default:
        return STEP_NOT_MINE;
    }
}

/* -S -Y (authentication), and -D -N -Z: memcached features mcref does
 * not have. */
static enum step
refused_flag(struct parse_ctx *p, int c)
{
    switch (c) {
    case 'D': return step_refuse(p, "-D", "stats detail prefixes");
    case 'S':
        p->s->sasl = true;
        return STEP_NEXT;
    case 'Y':
        p->s->auth_file = optarg;
        return STEP_NEXT;
    case 'N': return step_refuse(p, "-N", "NAPI ids");
    case 'Z': return step_refuse(p, "-Z", "TLS");
    default: return STEP_NOT_MINE;
    }
}

/* One flag from getopt, through the groups in turn. */
static enum step
one_flag(struct parse_ctx *p, int c, const char *arg)
{
    enum step r = listening_flag(p, c, arg);
    if (r == STEP_NOT_MINE) r = process_flag(p, c, arg);
    if (r == STEP_NOT_MINE) r = memory_flag(p, c, arg);
    if (r == STEP_NOT_MINE) r = slab_flag(p, c, arg);
    if (r == STEP_NOT_MINE) r = event_flag(p, c, arg);
    if (r == STEP_NOT_MINE) r = info_flag(p, c);
    if (r == STEP_NOT_MINE) r = refused_flag(p, c);
    if (r == STEP_NOT_MINE && c == 'o') {
        r = suboptions(p->s, arg, p->err, p->exit_code) ? STEP_NEXT
                                                        : STEP_FAIL;
    }
    return r;
}

static const struct option long_options[] = {
    {"unix-mask", required_argument, 0, 'a'},
    {"enable-shutdown", no_argument, 0, 'A'},
    {"enable-ssl", no_argument, 0, 'Z'},
    {"port", required_argument, 0, 'p'},
    {"unix-socket", required_argument, 0, 's'},
    {"udp-port", required_argument, 0, 'U'},
    {"memory-limit", required_argument, 0, 'm'},
    {"disable-evictions", no_argument, 0, 'M'},
    {"conn-limit", required_argument, 0, 'c'},
    {"lock-memory", no_argument, 0, 'k'},
    {"help", no_argument, 0, 'h'},
    {"license", no_argument, 0, 'i'},
    {"version", no_argument, 0, 'V'},
    {"enable-coredumps", no_argument, 0, 'r'},
    {"verbose", optional_argument, 0, 'v'},
    {"daemon", no_argument, 0, 'd'},
    {"listen", required_argument, 0, 'l'},
    {"user", required_argument, 0, 'u'},
    {"pidfile", required_argument, 0, 'P'},
    {"slab-growth-factor", required_argument, 0, 'f'},
    {"slab-min-size", required_argument, 0, 'n'},
    {"threads", required_argument, 0, 't'},
    {"enable-largepages", no_argument, 0, 'L'},
    {"max-reqs-per-event", required_argument, 0, 'R'},
    {"disable-cas", no_argument, 0, 'C'},
    {"listen-backlog", required_argument, 0, 'b'},
    {"protocol", required_argument, 0, 'B'},
    {"max-item-size", required_argument, 0, 'I'},
    {"enable-sasl", no_argument, 0, 'S'},
    {"disable-flush-all", no_argument, 0, 'F'},
    {"disable-dumping", no_argument, 0, 'X'},
    {"disable-watch", no_argument, 0, 'W'},
    {"auth-file", required_argument, 0, 'Y'},
    {"memory-file", required_argument, 0, 'e'},
    {"extended", required_argument, 0, 'o'},
    {"napi-ids", required_argument, 0, 'N'},
    {0, 0, 0, 0},
};

static const char short_options[] =
    "a:Ap:s:U:m:Mc:khiVrvdl:u:P:f:n:t:D:LR:Cb:B:I:SFXWY:e:o:N:Z";

enum settings_outcome
settings_parse(struct settings *s, int argc, char **argv, FILE *out,
               FILE *err, int *exit_code)
{
    defaults(s);
    *exit_code = 0;
    struct parse_ctx p = {s, out, err, exit_code};
    /* 0, not 1: glibc then forgets a scan that stopped inside a cluster
     * (`-hv` returns at h), which would otherwise go on in this argv. */
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) !=
           -1) {
        switch (one_flag(&p, c, optarg)) {
        case STEP_NEXT:
            break;
        case STEP_DONE:
            return SETTINGS_DONE;
        case STEP_FAIL:
            return SETTINGS_FAIL;
        case STEP_NOT_MINE:
            fprintf(err, "mcref: unknown or incomplete option \"%s\" "
                         "(see -h)\n",
                    argv[optind - 1]);
            return fail(exit_code, EXIT_OTHER);
        }
    }
    if (optind < argc) {
        fprintf(err, "mcref: unexpected argument \"%s\" (see -h)\n",
                argv[optind]);
        return fail(exit_code, EXIT_OTHER);
    }
    return validate(s, err, exit_code);
}
