/*
 * test_engine_clock.c - the test clock's steps ([misc.debugtime]) through
 * the engine's clock functions, at the bounds of a 32-bit clock
 * ([expiry.clock]).
 */
#include "clause.h"

#include "../../src/engine/engine.h"

#define REAL 1700000000u
#define SPAN 4294967295LL /* the clock's last second, and its widest move */

static struct engine *
open_engine(void)
{
    struct engine_config cfg = {
        .store = {.mem_limit = 1u << 20,
                  .value_len_max = 1u << 10,
                  .evict = true,
                  .cas_enabled = true,
                  .hash_seed = 7},
        .test_clock = true,
        .version = "1.6.18-mcref",
    };
    struct engine *e = engine_create(&cfg, NULL);
    assert_non_null(e);
    return e;
}

/* Steps add up: +a, then -b (more than the clock's span, so the clock only
 * holds), then +c, stand at REAL + a - b + c when that is ahead of where
 * the clock stood. */
static void
test_steps_are_cumulative(void **state)
{
    (void)state;
    struct engine *e = open_engine();
    assert_int_equal(engine_now(e, REAL), REAL);
    const long long a = SPAN / 10, b = SPAN + SPAN / 20, c = SPAN + SPAN / 2;
    engine_clock_step(e, REAL, a);
    assert_int_equal(engine_now(e, REAL), REAL + a);
    engine_clock_step(e, REAL, -b);
    assert_int_equal(engine_now(e, REAL), REAL + a); /* held */
    engine_clock_step(e, REAL, c);
    assert_int_equal(engine_now(e, REAL), REAL + a - b + c);
    /* Past the clock's end it stops there. */
    engine_clock_step(e, REAL, SPAN);
    assert_int_equal(engine_now(e, REAL), (uint32_t)SPAN);
    engine_destroy(&e);
}

/* A paused clock moves only by steps, and resumes from where it stood. */
static void
test_paused_steps(void **state)
{
    (void)state;
    struct engine *e = open_engine();
    engine_clock_pause(e, REAL);
    engine_clock_step(e, REAL + 50, 7);
    assert_int_equal(engine_now(e, REAL + 100), REAL + 7);
    engine_clock_resume(e, REAL + 100);
    assert_int_equal(engine_now(e, REAL + 103), REAL + 10);
    engine_destroy(&e);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        CLAUSE_TEST("misc.debugtime", test_steps_are_cumulative),
        CLAUSE_TEST("misc.debugtime", test_paused_steps),
    };
    return cmocka_run_group_tests_name("engine_clock", tests, NULL, NULL);
}
