/*
 * output_check.h - is a byte stream a well-formed series of text protocol
 * replies? The oracle of the session fuzzers and property tests.
 *
 * Accepts exactly: the fixed reply lines of proto/text.h, `CLIENT_ERROR ...`
 * and `SERVER_ERROR ...` lines, `VERSION <v>`, `STAT <name> <value>`, bare
 * decimal numbers (incr/decr), and `VALUE <key> <flags> <bytes>[ <cas>]`
 * followed by exactly <bytes> bytes and CRLF; the meta codes `HD NS EX NF EN
 * MN` with return flags, `ME <key> ...`, and `VA <bytes>[ flags]` followed by
 * exactly <bytes> bytes and CRLF. Every line ends in CRLF.
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
