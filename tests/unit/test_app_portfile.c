/*
 * test_app_portfile.c - memcached's MEMCACHED_PORT_FILENAME file: one
 * "TCP INET: <port>" / "TCP INET6: <port>" line per TCP listener, unix
 * sockets left out, written whole (through <file>.lck and a rename).
 */
#include "clause.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../src/app/portfile.h"

/* A listening socket on a free loopback port; its port in *port. */
static int
listen_any(int family, unsigned *port)
{
    int fd = socket(family, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t sl;
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sl = sizeof *in;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_addr = in6addr_loopback;
        sl = sizeof *in6;
    }
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 1) != 0) {
        close(fd);
        return -1;
    }
    sl = sizeof ss;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &sl), 0);
    *port = family == AF_INET
                ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
                : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

static void
test_ports_file(void **state)
{
    (void)state;
    struct listeners ls;
    memset(&ls, 0, sizeof ls);
    unsigned p4 = 0, p6 = 0;
    ls.l[0].fd = listen_any(AF_INET, &p4);
    assert_true(ls.l[0].fd >= 0);
    ls.l[1].fd = -1;
    ls.l[1].is_unix = true; /* left out, whatever its fd */
    ls.count = 2;
    int fd6 = listen_any(AF_INET6, &p6);
    if (fd6 >= 0) {
        ls.l[2].fd = fd6;
        ls.count = 3;
    }
    char dir[] = "/tmp/mcref-portfile-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], lck[160];
    snprintf(path, sizeof path, "%s/ports", dir);
    snprintf(lck, sizeof lck, "%s.lck", path);
    char err[PORTFILE_ERR_MAX];
    assert_true(portfile_write(path, &ls, err));
    assert_int_equal(access(lck, F_OK), -1); /* renamed, not left */
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char text[256] = "";
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    char want[256];
    if (fd6 >= 0) {
        snprintf(want, sizeof want, "TCP INET: %u\nTCP INET6: %u\n", p4, p6);
    } else {
        snprintf(want, sizeof want, "TCP INET: %u\n", p4);
    }
    assert_string_equal(text, want);
    unlink(path);
    close(ls.l[0].fd);
    if (fd6 >= 0) {
        close(fd6);
    }
    /* An unwritable place is an error with the file's name. */
    snprintf(path, sizeof path, "%s/no/such/dir/ports", dir);
    assert_false(portfile_write(path, &ls, err));
    assert_non_null(strstr(err, "no/such/dir/ports.lck"));
    rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ports_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
