/* tool_addr.c - parsing and resolving a tool's server address. */
#include "tool_addr.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

/* Host text of HOST:PORT or [V6]:PORT, bounded like a DNS name. */
enum { ADDR_HOST_LEN_MAX = 255 };

static bool
parse_unix(struct tool_addr *a, const char *path, char *err, size_t err_len)
{
    struct sockaddr_un *un = (struct sockaddr_un *)&a->storage;
    size_t len = strlen(path);
    if (len >= sizeof(un->sun_path)) {
        snprintf(err, err_len, "unix socket path too long: %s", path);
        return false;
    }
    un->sun_family = AF_UNIX;
    memcpy(un->sun_path, path, len + 1);
    a->len = (socklen_t)sizeof(*un);
    a->family = AF_UNIX;
    return true;
}

/* Splits HOST:PORT or [V6]:PORT into host (copied) and port text. */
static bool
split_host_port(const char *text, char host[ADDR_HOST_LEN_MAX + 1],
                const char **port)
{
    const char *host_start = text;
    const char *host_end;
    if (text[0] == '[') {
        host_start = text + 1;
        host_end = strchr(host_start, ']');
        if (host_end == NULL || host_end[1] != ':') {
            return false;
        }
        *port = host_end + 2;
    } else {
        host_end = strrchr(text, ':');
        if (host_end == NULL || memchr(text, ':', (size_t)(host_end - text))) {
            return false; /* a bare IPv6 address needs brackets */
        }
        *port = host_end + 1;
    }
    size_t host_len = (size_t)(host_end - host_start);
    if (host_len == 0 || host_len > ADDR_HOST_LEN_MAX || **port == '\0') {
        return false;
    }
    memcpy(host, host_start, host_len);
    host[host_len] = '\0';
    return true;
}

bool
tool_addr_parse(struct tool_addr *a, const char *text, char *err,
                size_t err_len)
{
    memset(a, 0, sizeof(*a));
    if (strchr(text, '/') != NULL) {
        return parse_unix(a, text, err, err_len);
    }
    char host[ADDR_HOST_LEN_MAX + 1];
    const char *port;
    if (!split_host_port(text, host, &port)) {
        snprintf(err, err_len,
                 "bad server '%s': want HOST:PORT, [V6]:PORT or a path", text);
        return false;
    }
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = AI_NUMERICSERV,
    };
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0 || res == NULL) {
        snprintf(err, err_len, "cannot resolve '%s': %s", text,
                 gai_strerror(rc));
        return false;
    }
    memcpy(&a->storage, res->ai_addr, res->ai_addrlen);
    a->len = res->ai_addrlen;
    a->family = res->ai_family;
    freeaddrinfo(res);
    return true;
}
