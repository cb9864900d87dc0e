/*
 * test_engine_turns.c - -R in the session: at most N requests per turn, the
 * rest kept and run by session_resume(), replies unchanged ([conn.yield]).
 */
#include "clause.h"
#include "engine_config.h"

#include <stdlib.h>
#include <string.h>

#include "../../src/engine/session.h"

#define NOW 1700000000u

static struct engine *
engine_open(void)
{
    struct engine_config cfg = test_engine_config();
    cfg.settings = (struct engine_settings){.maxconns = 1024,
                                            .reqs_per_event = 3};
    struct engine *e = engine_create(&cfg, NULL);
    assert_non_null(e);
    return e;
}

/* Takes every queued reply byte into out; returns how many. */
static size_t
take(struct session *s, char *out, size_t cap)
{
    size_t got = 0;
    for (;;) {
        struct outq_segment seg[8];
        size_t n = session_output(s, seg, 8);
        if (n == 0) {
            out[got] = '\0';
            return got;
        }
        size_t len = 0;
        for (size_t i = 0; i < n; i++) {
            assert_true(got + seg[i].len < cap);
            memcpy(out + got, seg[i].base, seg[i].len);
            got += seg[i].len;
            len += seg[i].len;
        }
        session_sent(s, len, NOW);
    }
}

static unsigned
count(const char *text, const char *what)
{
    unsigned n = 0;
    for (const char *p = strstr(text, what); p != NULL;
         p = strstr(p + 1, what)) {
        n++;
    }
    return n;
}

static void
test_turns_of_three(void **state)
{
    (void)state;
    struct engine *e = engine_open();
    struct session s;
    session_init(&s, e);
    session_set_turn_limit(&s, 3);
    char out[4096];
    const char *seven = "set a 0 0 1\r\nx\r\nget a\r\nincr a 1\r\n"
                        "delete a\r\nget a\r\nversion\r\nget b\r\n";
    session_input(&s, (const uint8_t *)seven, strlen(seven), NOW);
    take(&s, out, sizeof out);
    assert_string_equal(out, "STORED\r\nVALUE a 0 1\r\nx\r\nEND\r\n"
                             "CLIENT_ERROR cannot increment or decrement "
                             "non-numeric value\r\n");
    assert_true(session_yielded(&s));
    assert_false(session_wants_input(&s));
    assert_false(session_idle(&s));
    session_resume(&s, NOW);
    take(&s, out, sizeof out);
    assert_string_equal(out, "DELETED\r\nEND\r\nVERSION 1.6.18-mcref\r\n");
    assert_true(session_yielded(&s));
    session_resume(&s, NOW);
    take(&s, out, sizeof out);
    assert_string_equal(out, "END\r\n");
    /* The last turn ran out of input, not of budget: no yield. */
    assert_false(session_yielded(&s));
    assert_true(session_wants_input(&s));
    assert_true(session_idle(&s));
    session_deinit(&s);
    engine_destroy(&e);
}

static void
test_exactly_the_limit_does_not_yield(void **state)
{
    (void)state;
    struct engine *e = engine_open();
    struct session s;
    session_init(&s, e);
    session_set_turn_limit(&s, 3);
    char out[4096];
    const char *three = "version\r\nversion\r\nversion\r\n";
    session_input(&s, (const uint8_t *)three, strlen(three), NOW);
    take(&s, out, sizeof out);
    assert_int_equal(count(out, "VERSION"), 3);
    assert_false(session_yielded(&s));
    /* A new input is a new turn: three more run at once. */
    session_input(&s, (const uint8_t *)three, strlen(three), NOW);
    take(&s, out, sizeof out);
    assert_int_equal(count(out, "VERSION"), 3);
    assert_false(session_yielded(&s));
    session_deinit(&s);
    engine_destroy(&e);
}

/* A turn can end with half a request left; the resumed turn waits for the
 * rest, which then arrives as input. Without a limit nothing yields. */
static void
test_partial_tail_and_no_limit(void **state)
{
    (void)state;
    struct engine *e = engine_open();
    struct session s;
    session_init(&s, e);
    session_set_turn_limit(&s, 1);
    char out[4096];
    const char *in = "version\r\nget a";
    session_input(&s, (const uint8_t *)in, strlen(in), NOW);
    take(&s, out, sizeof out);
    assert_int_equal(count(out, "VERSION"), 1);
    assert_true(session_yielded(&s));
    session_resume(&s, NOW);
    assert_false(session_yielded(&s));
    assert_true(session_wants_input(&s));
    session_input(&s, (const uint8_t *)"\r\n", 2, NOW);
    take(&s, out, sizeof out);
    assert_string_equal(out, "END\r\n");
    session_deinit(&s);

    session_init(&s, e); /* no limit set: the default */
    char many[20 * 9 + 1] = "";
    for (int i = 0; i < 20; i++) {
        strcat(many, "version\r\n");
    }
    session_input(&s, (const uint8_t *)many, strlen(many), NOW);
    take(&s, out, sizeof out);
    assert_int_equal(count(out, "VERSION"), 20);
    assert_false(session_yielded(&s));
    session_deinit(&s);
    engine_destroy(&e);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("conn.yield", test_turns_of_three),
        CLAUSE_TEST("conn.yield", test_exactly_the_limit_does_not_yield),
        CLAUSE_TEST("conn.yield", test_partial_tail_and_no_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
