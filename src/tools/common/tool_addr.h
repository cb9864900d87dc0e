/*
 * tool_addr.h - a server address as the tools take it on the command line:
 * HOST:PORT (IPv4 or a name), [V6]:PORT, or a unix socket path (anything
 * holding a '/'). Resolved once, before any connection is opened. Shared by
 * mcref-bench and mcref-conform.
 */
#ifndef MCREF_TOOL_ADDR_H
#define MCREF_TOOL_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct tool_addr {
    struct sockaddr_storage storage;
    socklen_t len;
    int family; /* AF_INET, AF_INET6 or AF_UNIX */
};

/* Returns false, with a message in err (err_len bytes), when text is not a
 * usable address. A bare IPv6 address needs brackets. */
bool tool_addr_parse(struct tool_addr *a, const char *text, char *err,
                     size_t err_len);

#endif
