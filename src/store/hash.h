/*
 * hash.h - the key hash of the store's index.
 *
 * Pure and seeded: the same key and seed give the same hash in every process,
 * which keeps the index, and so the store, deterministic ([det.store]).
 */
#ifndef MCREF_HASH_H
#define MCREF_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t hash_key(const uint8_t *key, size_t len, uint64_t seed);

#endif
