/*
 * engine_config.h - the engine the engine unit tests drive, unless a test
 * says otherwise: a 4 MiB store that evicts, with CAS, a fixed hash seed,
 * flush_all allowed and a fixed version text.
 */
#ifndef MCREF_TESTS_UNIT_ENGINE_CONFIG_H
#define MCREF_TESTS_UNIT_ENGINE_CONFIG_H

#include "../../src/engine/engine.h"

static inline struct engine_config
test_engine_config(void)
{
    struct engine_config cfg = {
        .store = {.mem_limit = 4u << 20,
                  .value_len_max = 1u << 20,
                  .evict = true,
                  .cas_enabled = true,
                  .hash_seed = 7},
        .flush_enabled = true,
        .version = "1.6.18-mcref",
    };
    return cfg;
}

#endif
