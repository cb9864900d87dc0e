/* cc_opts.c - mcref-clientcheck's command line. */
#include "cc_opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
number(const char *text, uint64_t max, uint64_t *out)
{
    if (text == NULL || *text < '0' || *text > '9') {
        return false;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || v > max) {
        return false;
    }
    *out = v;
    return true;
}

static bool
profile_ok(const char *p)
{
    if (strcmp(p, "strict") == 0) {
        return true;
    }
    for (const char *c = p; *c != '\0'; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
              *c == '_' || *c == ':' || *c == '+' || *c == '.')) {
            return false;
        }
    }
    return *p != '\0';
}

static bool
split_profiles(struct cc_opts *o, const char *list, char err[CC_ERR_LEN])
{
    if (strlen(list) >= sizeof o->profile_text) {
        snprintf(err, CC_ERR_LEN, "--profiles: the list is too long");
        return false;
    }
    memcpy(o->profile_text, list, strlen(list) + 1);
    o->profile_count = 0;
    char *save = NULL;
    for (char *p = strtok_r(o->profile_text, ",", &save); p != NULL;
         p = strtok_r(NULL, ",", &save)) {
        if (o->profile_count == CC_PROFILES_MAX) {
            snprintf(err, CC_ERR_LEN, "--profiles: at most %d profiles",
                     CC_PROFILES_MAX);
            return false;
        }
        if (!profile_ok(p)) {
            snprintf(err, CC_ERR_LEN, "--profiles: bad profile \"%s\"", p);
            return false;
        }
        o->profiles[o->profile_count++] = p;
    }
    if (o->profile_count == 0) {
        snprintf(err, CC_ERR_LEN, "--profiles: no profile given");
        return false;
    }
    return true;
}

/* "--name=value" or "--name value": the value, advancing *i. */
static const char *
value_of(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0) {
        return NULL;
    }
    if (a[n] == '=') {
        return a + n + 1;
    }
    if (a[n] == '\0' && *i + 1 < argc) {
        return argv[++*i];
    }
    return NULL;
}

bool
cc_opts_parse(struct cc_opts *o, int argc, char **argv, char err[CC_ERR_LEN])
{
    memset(o, 0, sizeof *o);
    o->format = CC_FORMAT_TEXT;
    o->timeout_s = 120;
    o->seed = 1;
    err[0] = '\0';
    bool profiles_given = false;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        const char *v;
        uint64_t n;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            o->help = true;
            return true;
        } else if (strcmp(a, "--reject") == 0) {
            o->reject = true;
        } else if (strcmp(a, "--allow-violations") == 0) {
            o->allow_violations = true;
        } else if ((v = value_of(argc, argv, &i, "--profiles")) != NULL) {
            if (!split_profiles(o, v, err)) {
                return false;
            }
            profiles_given = true;
        } else if ((v = value_of(argc, argv, &i, "--format")) != NULL) {
            if (strcmp(v, "text") == 0) {
                o->format = CC_FORMAT_TEXT;
            } else if (strcmp(v, "tap") == 0) {
                o->format = CC_FORMAT_TAP;
            } else if (strcmp(v, "json") == 0) {
                o->format = CC_FORMAT_JSON;
            } else {
                snprintf(err, CC_ERR_LEN, "--format: text, tap or json");
                return false;
            }
        } else if ((v = value_of(argc, argv, &i, "--timeout")) != NULL) {
            if (!number(v, 86400, &n) || n == 0) {
                snprintf(err, CC_ERR_LEN, "--timeout: 1 to 86400 seconds");
                return false;
            }
            o->timeout_s = (uint32_t)n;
        } else if ((v = value_of(argc, argv, &i, "--seed")) != NULL) {
            if (!number(v, UINT64_MAX, &n)) {
                snprintf(err, CC_ERR_LEN, "--seed: a whole number");
                return false;
            }
            o->seed = n;
        } else if ((v = value_of(argc, argv, &i, "--server")) != NULL) {
            o->server = v;
        } else {
            snprintf(err, CC_ERR_LEN, "unknown option \"%s\" (the command "
                                      "goes after --)", a);
            return false;
        }
    }
    if (i >= argc) {
        snprintf(err, CC_ERR_LEN, "no command: mcref-clientcheck [options] "
                                  "-- CMD [ARGS...]");
        return false;
    }
    o->command = argv + i;
    if (!profiles_given && !split_profiles(o, CC_DEFAULT_PROFILES, err)) {
        return false;
    }
    return true;
}

const char *
cc_opts_usage(void)
{
    return "usage: mcref-clientcheck [options] -- CMD [ARGS...]\n"
           "\n"
           "Runs CMD (a memcached client's test suite) against a fresh mcref for\n"
           "each profile, with MEMCACHED_SERVERS and MCREF_ADDR set to its\n"
           "HOST:PORT, and reports whether CMD passed, which client rules it\n"
           "broke (spec section 21, by clause) and which faults it met.\n"
           "Exit status: 0 when CMD passed under every profile and broke no\n"
           "rule; 1 otherwise; 2 on a usage or setup error.\n"
           "\n"
           "  --profiles LIST   comma separated, run in order (default:\n"
           "                    " CC_DEFAULT_PROFILES ")\n"
           "                    strict: strict mode only; any other: a fault\n"
           "                    profile or list of mcref -o faults= (strict too)\n"
           "  --format F        text (default), tap or json\n"
           "  --timeout S       seconds per profile before CMD is killed (120)\n"
           "  --seed N          the faults' seed (default 1)\n"
           "  --reject          -o client_check=reject: rule breakers get errors\n"
           "  --allow-violations  broken rules are reported but do not fail\n"
           "  --server PATH     the mcref binary (default: beside this tool,\n"
           "                    else mcref on PATH)\n"
           "  -h, --help        this text\n";
}
