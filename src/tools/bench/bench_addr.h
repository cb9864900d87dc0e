/*
 * bench_addr.h - turns the -s argument into a socket address.
 *
 * HOST:PORT (IPv4 or a name), [V6]:PORT, or a unix socket path (anything
 * holding a '/'). Resolved once, before any connection is opened.
 */
#ifndef BENCH_ADDR_H
#define BENCH_ADDR_H
#include <sys/socket.h>

#include "bench_opts.h"

struct bench_addr {
    struct sockaddr_storage storage;
    socklen_t len;
    int family;     /* AF_INET, AF_INET6 or AF_UNIX */
};

/* Returns false with err set when text is not a usable address. */
bool bench_addr_parse(struct bench_addr *a, const char *text,
                      char err[BENCH_ERR_LEN]);

#endif
