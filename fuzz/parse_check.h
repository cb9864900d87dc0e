/*
 * parse_check.h - what every answer of the text parser must satisfy, checked
 * from the bytes alone. The per-call oracle of fuzz_parse.
 *
 * These checks re-derive from the input what they can without a second
 * parser: where the line ends ([frame.line]), its tokens ([frame.tokens],
 * [frame.nul]), that every slice lies inside the request's bytes and names
 * the right token, how many bytes a storage request uses ([store.*]), and the
 * parser's state afterwards. A failed check aborts through CHECK().
 */
#ifndef MCREF_FUZZ_PARSE_CHECK_H
#define MCREF_FUZZ_PARSE_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "../src/proto/text.h"

/* A PROTO_REQUEST answer for data[0..len): req used `consumed` bytes, and
 * `after` is the parser's state once it returned. */
void parse_check_request(const uint8_t *data, size_t len,
                         uint32_t value_len_max, const struct request *req,
                         size_t consumed,
                         const struct proto_text_parser *after);

/* A PROTO_INCOMPLETE answer that used nothing, with its *needed. */
void parse_check_incomplete(const uint8_t *data, size_t len, size_t needed);

/* A PROTO_CLOSE answer for data[0..len). */
void parse_check_close(const uint8_t *data, size_t len);

#endif
