/*
 * fuzz_main.c - mcref-fuzz: a differential fuzzer for any memcached server,
 * with mcref's own session as the oracle (man/mcref-fuzz.1).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/tool_addr.h"
#include "fuzz_net.h"
#include "fuzz_opts.h"
#include "fuzz_run.h"

int
main(int argc, char **argv)
{
    struct fuzz_opts o;
    if (!fuzz_opts_parse(&o, argc, argv)) {
        fuzz_opts_usage(stderr);
        return 2;
    }
    if (o.help) {
        fuzz_opts_usage(stdout);
        return 0;
    }
    if (!o.seed_given) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        o.seed = (uint64_t)ts.tv_sec * 1000003u ^ (uint64_t)ts.tv_nsec ^
                 (uint64_t)getpid();
    }
    struct tool_addr addr;
    char err[256];
    if (!tool_addr_parse(&addr, o.target, err, sizeof err)) {
        fprintf(stderr, "mcref-fuzz: %s\n", err);
        return 2;
    }
    struct fuzz_net net;
    fuzz_net_init(&net, &addr, o.timeout_ms);
    /* Does the target speak meta? Then `mn` ends each batch. */
    struct fuzz_buf reply = {0};
    if (!fuzz_net_probe(&net, "mn\r\n", &reply, err, sizeof err)) {
        fprintf(stderr, "mcref-fuzz: %s: %s\n", o.target, err);
        return 2;
    }
    bool meta = reply.len == 4 && memcmp(reply.p, "MN\r\n", 4) == 0;
    fuzz_buf_free(&reply);
    if (!meta && o.protocol != FUZZ_PROTO_TEXT &&
        o.protocol != FUZZ_PROTO_BINARY) {
        fprintf(stderr, "mcref-fuzz: %s does not answer `mn`: it does not "
                "speak the meta protocol (use --protocol text)\n", o.target);
        return 2;
    }
    fprintf(stderr, "mcref-fuzz: seed %llu (replay with --seed %llu), "
            "target %s, %s\n", (unsigned long long)o.seed,
            (unsigned long long)o.seed, o.target,
            o.protocol == FUZZ_PROTO_BINARY ? "binary (NOOP sentinel)"
            : meta                          ? "meta sentinel"
                                            : "text sentinel");
    struct fuzz_target t = fuzz_net_target(&net);
    struct fuzz_exec_opts eo = {.sentinel_meta = meta,
                                .binary = o.protocol == FUZZ_PROTO_BINARY,
                                .cas_loose = !o.cas_exact,
                                .nonce_seed = o.seed ^ (uint64_t)time(NULL) ^
                                              ((uint64_t)getpid() << 32)};
    static struct fuzz_summary sum;
    fuzz_run(&o, &t, &eo, &sum);
    fuzz_summary_print(&sum, &o, stdout);
    return sum.finding_count > 0 || sum.gone ? 1 : 0;
}
