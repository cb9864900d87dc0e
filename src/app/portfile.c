/* portfile.c - memcached's MEMCACHED_PORT_FILENAME ports file. */
#include "portfile.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* "TCP INET: 11211" for an IPv4 or IPv6 listener; false for others. */
static bool
port_line(int fd, char *line, size_t len)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        return false;
    }
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
        snprintf(line, len, "TCP INET: %u\n", (unsigned)ntohs(in->sin_port));
        return true;
    }
    if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
        snprintf(line, len, "TCP INET6: %u\n",
                 (unsigned)ntohs(in6->sin6_port));
        return true;
    }
    return false;
}

bool
portfile_write(const char *path, const struct listeners *ls,
               char err[PORTFILE_ERR_MAX])
{
    char temp[4096];
    if ((size_t)snprintf(temp, sizeof temp, "%s.lck", path) >= sizeof temp) {
        snprintf(err, PORTFILE_ERR_MAX, "%s: the ports file name is too long",
                 PORTFILE_ENV);
        return false;
    }
    FILE *f = fopen(temp, "w");
    if (f == NULL) {
        snprintf(err, PORTFILE_ERR_MAX, "Failed to open \"%.200s.lck\": %s",
                 path, strerror(errno));
        return false;
    }
    for (size_t i = 0; i < ls->count; i++) {
        char line[64];
        if (!ls->l[i].is_unix && port_line(ls->l[i].fd, line, sizeof line)) {
            fputs(line, f);
        }
    }
    if (fclose(f) != 0 || rename(temp, path) != 0) {
        snprintf(err, PORTFILE_ERR_MAX, "Failed to write \"%.200s\": %s", path,
                 strerror(errno));
        return false;
    }
    return true;
}
