/*
 * binary_check.h - is a byte stream a well-formed series of binary-protocol
 * responses ([bin.*])? The oracle of the session fuzzer for connections
 * that speak binary.
 *
 * Accepts exactly: 24-byte headers with magic 0x81, data type 0, a status
 * memcached sends, extras and key no longer than the body, each followed by
 * its whole body; a success of a storage opcode has no body, a failure has
 * no extras and no key beyond getk's echo. A packet cut short is bad.
 */
#ifndef MCREF_BINARY_CHECK_H
#define MCREF_BINARY_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool binary_check(const uint8_t *out, size_t len, size_t *bad_at,
                  const char **why);

#endif
