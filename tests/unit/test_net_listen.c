/*
 * test_net_listen.c - listening sockets (TCP v4/v6, unix) and the log's
 * escaping of untrusted bytes. Loopback only; ports are chosen by the kernel.
 */
#include "clause.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/net/listen.h"
#include "../../src/net/loop.h"

static unsigned
bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
    if (ss.ss_family == AF_INET) {
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void
test_tcp_v4_and_port_in_use(void **state)
{
    (void)state;
    static struct listeners ls;
    memset(&ls, 0, sizeof ls);
    char err[LISTEN_ERR_MAX];
    assert_true(listen_tcp(&ls, "127.0.0.1:0", 11211, 16, err));
    assert_int_equal(ls.count, 1);
    assert_false(ls.l[0].is_unix);
    assert_non_null(strstr(ls.l[0].name, "tcp:127.0.0.1:"));
    char item[64];
    snprintf(item, sizeof item, "127.0.0.1:%u", bound_port(ls.l[0].fd));
    /* The same port again: refused, with the address in the message. */
    assert_false(listen_tcp(&ls, item, 11211, 16, err));
    assert_non_null(strstr(err, "failed to listen on"));
    listen_close_all(&ls, true);
    assert_int_equal(ls.l[0].fd, -1);
}

/* Whether this machine can listen on IPv6 loopback, found without the code
 * under test: a plain socket bound to [::1]:0. */
static bool
have_ipv6_loopback(void)
{
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0) {
        return false;
    }
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    bool ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static void
test_tcp_v6_and_wildcard(void **state)
{
    (void)state;
    static struct listeners ls;
    memset(&ls, 0, sizeof ls);
    char err[LISTEN_ERR_MAX];
    bool v6 = have_ipv6_loopback();
    /* With IPv6 loopback the listener must come up, and as tcp6; without
     * it, it must be refused with a message, not half made. */
    assert_int_equal(listen_tcp(&ls, "[::1]:0", 11211, 16, err), v6);
    if (v6) {
        assert_int_equal(ls.count, 1);
        assert_non_null(strstr(ls.l[0].name, "tcp6:[::1]:"));
        assert_int_not_equal(bound_port(ls.l[0].fd), 0);
    } else {
        assert_int_equal(ls.count, 0);
        assert_true(err[0] != '\0');
    }
    size_t before = ls.count;
    assert_true(listen_tcp(&ls, NULL, 0, 16, err)); /* every interface */
    assert_true(ls.count > before);
    /* A bare IPv6 address (no brackets) is a host too. */
    before = ls.count;
    assert_int_equal(listen_tcp(&ls, "::1", 0, 16, err), v6);
    assert_int_equal(ls.count, before + (v6 ? 1 : 0));
    if (v6) {
        assert_non_null(strstr(ls.l[ls.count - 1].name, "tcp6:[::1]:"));
    }
    before = ls.count;
    assert_true(listen_tcp(&ls, "localhost", 0, 16, err));
    assert_true(ls.count > before);
    listen_close_all(&ls, false);
}

static void
test_bad_addresses(void **state)
{
    (void)state;
    static struct listeners ls;
    memset(&ls, 0, sizeof ls);
    char err[LISTEN_ERR_MAX];
    assert_false(listen_tcp(&ls, "[::1", 0, 16, err));
    assert_non_null(strstr(err, "cannot read the listen address"));
    assert_false(listen_tcp(&ls, "[::1]x", 0, 16, err));
    assert_false(listen_tcp(&ls, "127.0.0.1:notaport", 0, 16, err));
    assert_non_null(strstr(err, "cannot resolve"));
    assert_false(listen_tcp(&ls, "no-such-host.invalid", 0, 16, err));
    char longhost[300];
    memset(longhost, 'h', sizeof longhost - 1);
    longhost[sizeof longhost - 1] = '\0';
    assert_false(listen_tcp(&ls, longhost, 0, 16, err));
    assert_int_equal(ls.count, 0);
}

static void
test_too_many_listeners(void **state)
{
    (void)state;
    static struct listeners ls;
    memset(&ls, 0, sizeof ls);
    char err[LISTEN_ERR_MAX];
    bool ok = true;
    for (int i = 0; i <= LIMIT_LISTENERS && ok; i++) {
        ok = listen_tcp(&ls, "127.0.0.1:0", 0, 4, err);
    }
    assert_false(ok);
    assert_non_null(strstr(err, "too many listening sockets"));
    assert_int_equal(ls.count, LIMIT_LISTENERS);
    listen_close_all(&ls, false);
}

static void
test_unix_socket(void **state)
{
    (void)state;
    static struct listeners ls;
    memset(&ls, 0, sizeof ls);
    char err[LISTEN_ERR_MAX];
    char path[64];
    snprintf(path, sizeof path, "/tmp/mcref-test-%d.sock", (int)getpid());
    assert_true(listen_unix(&ls, path, 0700, 16, err));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_true(ls.l[0].is_unix);
    /* A stale socket file from an earlier run is replaced. */
    listen_close_all(&ls, false);
    memset(&ls, 0, sizeof ls);
    assert_true(listen_unix(&ls, path, 0755, 16, err));
    listen_close_all(&ls, true);
    assert_int_equal(stat(path, &st), -1);
    char longpath[200];
    memset(longpath, 'p', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = '\0';
    assert_false(listen_unix(&ls, longpath, 0700, 16, err));
    assert_non_null(strstr(err, "too long"));
    assert_false(listen_unix(&ls, "/nonexistent-dir/s.sock", 0700, 16, err));
}

static void
test_escape(void **state)
{
    (void)state;
    char out[32];
    size_t n = 0;
    loop_escape(out, sizeof out, &n, (const uint8_t *)"get a\x01\\\xff", 8);
    assert_string_equal(out, "get a\\x01\\x5c\\xff");
    /* It stops whole at the cap, always terminated. */
    char small[8];
    n = 0;
    loop_escape(small, sizeof small, &n, (const uint8_t *)"\x01\x02\x03", 3);
    assert_string_equal(small, "\\x01");
}

static int log_calls;

static void
count_log(void *ctx, const char *text, size_t len)
{
    (void)ctx;
    (void)text;
    assert_true(len > 0);
    log_calls++;
}

static void
test_log_levels(void **state)
{
    (void)state;
    struct engine_config cfg = {
        .store = {.mem_limit = 1 << 16, .value_len_max = 1024, .evict = true},
        .version = "x",
        .verbosity = 1,
    };
    struct engine *e = engine_create(&cfg, NULL);
    assert_non_null(e);
    static struct loop l;
    l.engine = e;
    loop_log(&l, 1, "no sink: %d", 1); /* nothing happens */
    l.log.write = count_log;
    loop_log(&l, 1, "shown %d", 1);
    loop_log(&l, 2, "hidden %d", 2);
    assert_int_equal(log_calls, 1);
    engine_destroy(&e);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_v4_and_port_in_use),
        cmocka_unit_test(test_tcp_v6_and_wildcard),
        cmocka_unit_test(test_bad_addresses),
        cmocka_unit_test(test_too_many_listeners),
        cmocka_unit_test(test_unix_socket),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_log_levels),
    };
    return cmocka_run_group_tests_name("net_listen", tests, NULL, NULL);
}
