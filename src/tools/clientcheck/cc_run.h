/*
 * cc_run.h - one profile's run: a fresh mcref on a free loopback port, the
 * user's command against it, the server stopped, its report read.
 *
 * The server is started with -p -1 (any free port) and learns us its port
 * through memcached's ports file (MEMCACHED_PORT_FILENAME). The command
 * runs in its own process group, with MEMCACHED_SERVERS, MCREF_ADDR and
 * MCREF_PROFILE in its environment, its output on our standard error, and
 * is killed (the whole group) when the timeout passes.
 */
#ifndef CC_RUN_H
#define CC_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "cc_tally.h"

enum cc_outcome {
    CC_PASSED,     /* the command exited 0 */
    CC_FAILED,     /* it exited with another status, or by a signal */
    CC_TIMED_OUT,  /* it was killed at the timeout */
    CC_SETUP,      /* the server or the command could not be started */
};

struct cc_run_config {
    const char *server;       /* the mcref binary */
    const char *profile;      /* "strict" or a fault profile or list */
    uint64_t seed;
    bool reject;
    uint32_t timeout_s;
    char *const *command;
    const char *workdir;      /* a private directory for files */
};

struct cc_run_result {
    enum cc_outcome outcome;
    int status;               /* exit status, or the signal number */
    char addr[64];            /* 127.0.0.1:PORT */
    double seconds;
    struct cc_tally tally;
    char why[256];            /* for CC_SETUP */
};

void cc_run(const struct cc_run_config *cfg, struct cc_run_result *out);

#endif
