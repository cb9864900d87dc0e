/*
 * output_check.h - is a byte stream a well-formed series of text and meta
 * protocol replies? The oracle of the session fuzzers and property tests.
 *
 * Accepts exactly: the fixed reply lines of proto/text.h, `CLIENT_ERROR ...`
 * and `SERVER_ERROR ...` lines, `VERSION <v>`, `STAT <name> <value>`, bare
 * decimal numbers (incr/decr), and `VALUE <key> <flags> <bytes>[ <cas>]`
 * followed by exactly <bytes> bytes and CRLF; the meta replies of spec §19
 * (`HD EN NF NS EX` with return flags, `MN`, `ME ...`, and `VA <len>` with
 * flags followed by its block). Every line ends in CRLF.
 */
#ifndef MCREF_OUTPUT_CHECK_H
#define MCREF_OUTPUT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Returns true when out[0..len) is well formed; otherwise false, with the
 * offset of the first bad byte in *bad_at and a reason in *why. A final
 * VALUE block cut short counts as bad. */
bool output_check(const uint8_t *out, size_t len, size_t *bad_at,
                  const char **why);

#endif
