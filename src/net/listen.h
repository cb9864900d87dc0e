/*
 * listen.h - opening the listening sockets: TCP over IPv4 and IPv6, and unix
 * domain sockets.
 *
 * Errors come back as false with a message in the caller's buffer; nothing
 * here exits or prints.
 */
#ifndef MCREF_LISTEN_H
#define MCREF_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/limits.h"

enum { LISTEN_ERR_MAX = 256 };

struct listener {
    int fd;
    bool is_unix;
    char name[LIMIT_LISTEN_NAME_LEN]; /* "tcp:127.0.0.1:11211", "unix:/path" */
    char path[LIMIT_LISTEN_NAME_LEN]; /* the unix socket's path, to unlink */
};

struct listeners {
    struct listener l[LIMIT_LISTENERS];
    size_t count;
};

/*
 * Opens TCP listeners for one -l item: "host", "host:port", "[v6]",
 * "[v6]:port", or NULL for every interface (IPv4 and IPv6). default_port
 * applies when the item names none. Appends to *ls.
 */
bool listen_tcp(struct listeners *ls, const char *item, uint16_t default_port,
                int backlog, char err[LISTEN_ERR_MAX]);

/* Opens a unix domain socket at path with permissions mask (as chmod). */
bool listen_unix(struct listeners *ls, const char *path, unsigned mask,
                 int backlog, char err[LISTEN_ERR_MAX]);

/* Closes every listener (and unlinks unix socket paths when `unlink_paths`). */
void listen_close_all(struct listeners *ls, bool unlink_paths);

#endif
