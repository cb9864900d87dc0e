/*
 * decimal.h - decimal numbers in and out, with memcached 1.6.18's rules.
 *
 * Pure: no allocation, no I/O. Inputs are byte ranges, never NUL-terminated
 * strings: parsing never reads outside [s, s + len). The acceptance rules are
 * those of memcached's safe_strtoull/safe_strtol ([num.parse], [num.range]):
 * optional leading whitespace (space, \t \n \v \f \r), one optional sign, at
 * least one digit, then the end of the range, a whitespace byte or a NUL (the
 * rest is ignored). Anything else, or a value outside 64 bits, is malformed.
 */
#ifndef MCREF_DECIMAL_H
#define MCREF_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* s is never NULL (an empty range is s with len 0).
 *
 * Parses an unsigned 64-bit value like strtoull. A '-' sign negates modulo
 * 2^64, and the result is then refused if it is negative as a signed value
 * (so "-0" is 0 and "-1" is malformed). Returns false when malformed. */
bool decimal_parse_u64(const uint8_t *s, size_t len, uint64_t *out);

/* Parses a signed 64-bit value like strtoll. Returns false when malformed or
 * outside [INT64_MIN, INT64_MAX]. */
bool decimal_parse_i64(const uint8_t *s, size_t len, int64_t *out);

/* Writes v in decimal, without a terminator, into buf (at least
 * LIMIT_U64_DIGITS bytes). Returns the number of digits written. */
size_t decimal_format_u64(uint64_t v, uint8_t *buf);

/* The number of decimal digits of v (1 for 0). */
size_t decimal_len_u64(uint64_t v);

#endif
