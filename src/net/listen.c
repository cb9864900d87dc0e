/* listen.c - TCP and unix listening sockets, non-blocking, close-on-exec. */
#include "listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/check.h"
#include "../common/limits.h"

static bool
add_listener(struct listeners *ls, int fd, bool is_unix, const char *name,
             const char *path, char err[LISTEN_ERR_MAX])
{
    if (ls->count == LIMIT_LISTENERS) {
        close(fd);
        snprintf(err, LISTEN_ERR_MAX, "too many listening sockets (at most %d)",
                 LIMIT_LISTENERS);
        return false;
    }
    struct listener *l = &ls->l[ls->count++];
    l->fd = fd;
    l->is_unix = is_unix;
    snprintf(l->name, sizeof l->name, "%s", name);
    snprintf(l->path, sizeof l->path, "%s", path != NULL ? path : "");
    return true;
}

/* Splits "host", "host:port", "[v6]" or "[v6]:port" into its parts. */
static bool
split_host_port(const char *item, char *host, size_t host_len, char *port,
                size_t port_len, uint16_t default_port)
{
    snprintf(port, port_len, "%u", default_port);
    if (item[0] == '[') {
        const char *close = strchr(item, ']');
        if (close == NULL || (size_t)(close - item - 1) >= host_len) {
            return false;
        }
        memcpy(host, item + 1, (size_t)(close - item - 1));
        host[close - item - 1] = '\0';
        if (close[1] == ':') {
            snprintf(port, port_len, "%s", close + 2);
        } else if (close[1] != '\0') {
            return false;
        }
        return true;
    }
    const char *colon = strchr(item, ':');
    if (colon != NULL && strchr(colon + 1, ':') != NULL) {
        snprintf(host, host_len, "%s", item); /* a bare IPv6 address */
        return true;
    }
    size_t n = colon != NULL ? (size_t)(colon - item) : strlen(item);
    if (n >= host_len) {
        return false;
    }
    memcpy(host, item, n);
    host[n] = '\0';
    if (colon != NULL) {
        snprintf(port, port_len, "%s", colon + 1);
    }
    return true;
}

static void
address_name(const struct sockaddr *sa, char *out, size_t len)
{
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
        snprintf(out, len, "tcp:%s:%u", host, port);
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        port = ntohs(in6->sin6_port);
        snprintf(out, len, "tcp6:[%s]:%u", host, port);
    }
}

bool
listen_tcp(struct listeners *ls, const char *item, uint16_t default_port,
           int backlog, char err[LISTEN_ERR_MAX])
{
    char host[LIMIT_LISTEN_NAME_LEN] = "";
    char port[16];
    if (item != NULL &&
        !split_host_port(item, host, sizeof host, port, sizeof port,
                         default_port)) {
        snprintf(err, LISTEN_ERR_MAX, "cannot read the listen address \"%s\"",
                 item);
        return false;
    }
    if (item == NULL) {
        snprintf(port, sizeof port, "%u", default_port);
    }
    struct addrinfo hints = {
        .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
    };
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(item != NULL && host[0] != '\0' ? host : NULL, port,
                         &hints, &res);
    if (rc != 0) {
        snprintf(err, LISTEN_ERR_MAX, "cannot resolve \"%s\": %s",
                 item != NULL ? item : "*", gai_strerror(rc));
        return false;
    }
    size_t opened = 0;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        int fd = socket(ai->ai_family,
                        ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                        ai->ai_protocol);
        if (fd < 0) {
            if (errno == EAFNOSUPPORT) {
                continue; /* e.g. no IPv6 on this host */
            }
            snprintf(err, LISTEN_ERR_MAX, "socket(): %s", strerror(errno));
            freeaddrinfo(res);
            return false;
        }
        int on = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (ai->ai_family == AF_INET6) {
            /* Wildcard v6 and v4 sockets coexist, as in memcached. */
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
        }
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
            listen(fd, backlog) != 0) {
            char name[LIMIT_LISTEN_NAME_LEN];
            address_name(ai->ai_addr, name, sizeof name);
            snprintf(err, LISTEN_ERR_MAX, "failed to listen on %s: %s", name,
                     strerror(errno));
            close(fd);
            freeaddrinfo(res);
            return false;
        }
        struct sockaddr_storage bound;
        socklen_t bound_len = sizeof bound;
        getsockname(fd, (struct sockaddr *)&bound, &bound_len);
        char name[LIMIT_LISTEN_NAME_LEN];
        address_name((struct sockaddr *)&bound, name, sizeof name);
        if (!add_listener(ls, fd, false, name, NULL, err)) {
            freeaddrinfo(res);
            return false;
        }
        opened++;
    }
    freeaddrinfo(res);
    if (opened == 0) {
        snprintf(err, LISTEN_ERR_MAX, "no address to listen on for \"%s\"",
                 item != NULL ? item : "*");
        return false;
    }
    return true;
}

bool
listen_unix(struct listeners *ls, const char *path, unsigned mask,
            int backlog, char err[LISTEN_ERR_MAX])
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        snprintf(err, LISTEN_ERR_MAX, "unix socket path too long: %s", path);
        return false;
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, LISTEN_ERR_MAX, "socket(): %s", strerror(errno));
        return false;
    }
    /* A stale socket file from an earlier run would make bind fail. */
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
        unlink(path);
    }
    mode_t old = umask((mode_t)(~mask & 0777));
    int rc = bind(fd, (struct sockaddr *)&addr, sizeof addr);
    umask(old);
    if (rc != 0 || listen(fd, backlog) != 0) {
        snprintf(err, LISTEN_ERR_MAX, "failed to listen on unix:%s: %s", path,
                 strerror(errno));
        close(fd);
        return false;
    }
    char name[LIMIT_LISTEN_NAME_LEN];
    snprintf(name, sizeof name, "unix:%s", path);
    return add_listener(ls, fd, true, name, path, err);
}

void
listen_close_all(struct listeners *ls, bool unlink_paths)
{
    for (size_t i = 0; i < ls->count; i++) {
        if (ls->l[i].fd >= 0) {
            close(ls->l[i].fd);
            ls->l[i].fd = -1;
        }
        if (unlink_paths && ls->l[i].is_unix) {
            unlink(ls->l[i].path);
        }
    }
}
