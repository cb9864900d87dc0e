/*
 * byte_source.h - reading a fuzzer's input as a stream of small decisions.
 *
 * Harnesses that decode operations or arguments from bytes (fuzz_store,
 * fuzz_settings) take them from a byte_source. Reading past the end never
 * fails: it yields zeros and marks the source exhausted, so every input,
 * however short, decodes to something, and a harness can stop at the end.
 * The source only borrows data; it never copies or allocates.
 */
#ifndef MCREF_FUZZ_BYTE_SOURCE_H
#define MCREF_FUZZ_BYTE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct byte_source {
    const uint8_t *data;
    size_t len;
    size_t pos;
};

void byte_source_init(struct byte_source *b, const uint8_t *data, size_t len);

/* Whether every byte has been read. */
bool byte_source_empty(const struct byte_source *b);

/* The next byte, or 0 past the end. */
uint8_t byte_source_u8(struct byte_source *b);

/* The next 4 bytes, little-endian (missing bytes read as 0). */
uint32_t byte_source_u32(struct byte_source *b);

/* A value below n (n > 0), from one byte when n <= 256, else four. */
uint32_t byte_source_below(struct byte_source *b, uint32_t n);

#endif
