/*
 * test_toolcommon_addr.c - the tools' server address: IPv4, bracketed IPv6,
 * unix paths, and every malformed form rejected with a message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "tool_addr.h"

static void
test_ipv4_host_port(void **state)
{
    (void)state;
    struct tool_addr a;
    char err[128] = "";
    assert_true(tool_addr_parse(&a, "127.0.0.1:11211", err, sizeof(err)));
    assert_int_equal(a.family, AF_INET);
    const struct sockaddr_in *in = (const struct sockaddr_in *)&a.storage;
    assert_int_equal(ntohs(in->sin_port), 11211);
    assert_int_equal(ntohl(in->sin_addr.s_addr), 0x7f000001);
    assert_int_equal(a.len, sizeof(struct sockaddr_in));
}

static void
test_bracketed_ipv6(void **state)
{
    (void)state;
    struct tool_addr a;
    char err[128] = "";
    assert_true(tool_addr_parse(&a, "[::1]:22122", err, sizeof(err)));
    assert_int_equal(a.family, AF_INET6);
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a.storage;
    assert_int_equal(ntohs(in6->sin6_port), 22122);
    assert_memory_equal(&in6->sin6_addr, &in6addr_loopback,
                        sizeof(in6addr_loopback));
}

static void
test_unix_path(void **state)
{
    (void)state;
    struct tool_addr a;
    char err[128] = "";
    assert_true(tool_addr_parse(&a, "/tmp/mc.sock", err, sizeof(err)));
    assert_int_equal(a.family, AF_UNIX);
    const struct sockaddr_un *un = (const struct sockaddr_un *)&a.storage;
    assert_string_equal(un->sun_path, "/tmp/mc.sock");
}

static void
test_unix_path_too_long(void **state)
{
    (void)state;
    char path[200];
    memset(path, 'a', sizeof(path) - 1);
    path[0] = '/';
    path[sizeof(path) - 1] = '\0';
    struct tool_addr a;
    char err[256] = "";
    assert_false(tool_addr_parse(&a, path, err, sizeof(err)));
    assert_non_null(strstr(err, "too long"));
}

static void
test_malformed_addresses_rejected(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "localhost",      /* no port */
        ":11211",         /* no host */
        "127.0.0.1:",     /* no port text */
        "::1:11211",      /* bare IPv6 */
        "[::1]11211",     /* no colon after the bracket */
        "[::1",           /* unclosed bracket */
        "127.0.0.1:http", /* ports are numeric */
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tool_addr a;
        char err[256] = "";
        assert_false(tool_addr_parse(&a, bad[i], err, sizeof(err)));
        assert_true(strlen(err) > 0);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_host_port),
        cmocka_unit_test(test_bracketed_ipv6),
        cmocka_unit_test(test_unix_path),
        cmocka_unit_test(test_unix_path_too_long),
        cmocka_unit_test(test_malformed_addresses_rejected),
    };
    return cmocka_run_group_tests_name("toolcommon_addr", tests, NULL, NULL);
}
