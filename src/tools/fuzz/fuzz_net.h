/*
 * fuzz_net.h - the target as a socket (TCP or unix): the fuzz_target of
 * fuzz_exec.h that mcref-fuzz uses. The only file that makes socket calls.
 * It connects to the one address it was given, nowhere else.
 */
#ifndef FUZZ_NET_H
#define FUZZ_NET_H
#include <stdbool.h>
#include <stdint.h>

#include "../common/tool_addr.h"
#include "fuzz_exec.h"

struct fuzz_net {
    struct tool_addr addr;
    int fd;
    uint32_t timeout_ms;  /* for expected bytes: longer is a hang */
    uint32_t quiet_ms;    /* when the end is not known: silence that ends */
    uint64_t bytes_sent;
};

void fuzz_net_init(struct fuzz_net *n, const struct tool_addr *a,
                   uint32_t timeout_ms);
/* The fuzz_target over n. */
struct fuzz_target fuzz_net_target(struct fuzz_net *n);

/* Sends probe, reads up to want bytes (until timeout_ms), on a connection
 * of its own: what the target answers, for capability probes (`mn`). */
bool fuzz_net_probe(struct fuzz_net *n, const char *probe,
                    struct fuzz_buf *reply, char *err, size_t err_len);

#endif
