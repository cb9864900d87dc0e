/*
 * cc_opts.h - mcref-clientcheck's command line: parsing and checking.
 *
 * cc_opts_parse() fills a caller-owned struct from argv; it prints nothing
 * and never exits. Strings point into argv.
 */
#ifndef CC_OPTS_H
#define CC_OPTS_H

#include <stdbool.h>
#include <stdint.h>

enum { CC_PROFILES_MAX = 16, CC_ERR_LEN = 256 };

enum cc_format { CC_FORMAT_TEXT, CC_FORMAT_TAP, CC_FORMAT_JSON };

struct cc_opts {
    /* Profiles to run, in order: "strict" (no faults) or a fault profile
     * of mcref's -o faults= (none segments delays disconnects oom connect
     * all), or a list kind:percent+... */
    const char *profiles[CC_PROFILES_MAX];
    unsigned profile_count;
    enum cc_format format;
    uint32_t timeout_s;  /* per profile: the command is killed after it */
    uint64_t seed;       /* --seed: the faults' seed, the same for each */
    bool reject;         /* --reject: -o client_check=reject */
    bool allow_violations; /* --allow-violations: rules broken still pass */
    const char *server;  /* --server: the mcref binary; NULL = find it */
    char *const *command; /* after "--": argv of the command, NULL-ended */
    bool help;
    char profile_text[1024]; /* the profiles point into this copy */
};

/* The profiles run when --profiles is not given. */
#define CC_DEFAULT_PROFILES "strict,segments,delays,disconnects,oom,connect,all"

/* Parses argv (argv[0] is the program). False, with a message in err,
 * when it is malformed. */
bool cc_opts_parse(struct cc_opts *o, int argc, char **argv,
                   char err[CC_ERR_LEN]);

/* The help text. */
const char *cc_opts_usage(void);

#endif
