/*
 * test_conform_locate.c - mcref-conform finds its cases from where it is
 * installed or built, in a fixed order, or says where it looked.
 */
#include "clause.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conform_locate.h"

static void
test_candidates_in_order(void **state)
{
    (void)state;
    char c[CONFORM_LOCATE_CANDIDATES][CONFORM_PATH_MAX];
    size_t n = conform_locate_candidates("/opt/x/bin/mcref-conform", c);
    assert_int_equal(n, 4);
    assert_string_equal(c[0], "/opt/x/bin/../share/mcref/cases");
    assert_string_equal(c[1], CONFORM_DATADIR "/cases");
    assert_string_equal(c[2], "/opt/x/bin/../../spec/cases");
    assert_string_equal(c[3], "spec/cases");
    n = conform_locate_candidates(NULL, c);
    assert_int_equal(n, 2);
    assert_string_equal(c[0], CONFORM_DATADIR "/cases");
}

static void
touch(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
}

static void
test_installed_tree_wins_and_misses_are_listed(void **state)
{
    (void)state;
    char root[] = "/tmp/mcref-locate-XXXXXX";
    assert_non_null(mkdtemp(root));
    char p[512], exe[512], out[CONFORM_PATH_MAX], tried[8192];
    snprintf(p, sizeof p, "%s/bin", root);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(exe, sizeof exe, "%s/bin/mcref-conform", root);
    /* Nothing there yet (and no spec/cases in the test's directory). */
    assert_int_equal(chdir(root), 0);
    assert_false(conform_locate_cases(exe, out, tried, sizeof tried));
    assert_non_null(strstr(tried, "/bin/../share/mcref/cases\n"));
    assert_non_null(strstr(tried, "  spec/cases\n"));
    /* An empty directory is not enough: it must hold a .case file. */
    snprintf(p, sizeof p, "%s/share", root);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/share/mcref", root);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/share/mcref/cases", root);
    assert_int_equal(mkdir(p, 0755), 0);
    assert_false(conform_locate_cases(exe, out, tried, sizeof tried));
    snprintf(p, sizeof p, "%s/share/mcref/cases/x.case", root);
    touch(p);
    assert_true(conform_locate_cases(exe, out, tried, sizeof tried));
    snprintf(p, sizeof p, "%s/bin/../share/mcref/cases", root);
    assert_string_equal(out, p);
    snprintf(p, sizeof p, "rm -rf %s", root);
    assert_int_equal(system(p), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_candidates_in_order),
        cmocka_unit_test(test_installed_tree_wins_and_misses_are_listed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
