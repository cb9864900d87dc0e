/*
 * meta_check.h - what every answer of the parser to a meta line must
 * satisfy, derived from the [meta.*] clauses (spec/protocol.md and
 * shared/protocol-facts.md §6) without the parser's code: numbers are read
 * with libc's strtoll/strtoull as memcached reads them, base64 by a bit
 * accumulator, flag errors by locating the first fatal flag and then the
 * last faulty one before it. Part of fuzz_parse's oracle (parse_check).
 */
#ifndef MCREF_FUZZ_META_CHECK_H
#define MCREF_FUZZ_META_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../src/proto/text.h"

/* The tokens of a meta line, split by the caller (parse_check). */
struct meta_check_line {
    const uint8_t *data;      /* the request's first byte */
    const struct slice *tok;  /* tok[0] is the command name */
    uint32_t count;
    size_t line_end;          /* bytes of the line, terminator included */
};

/* Whether the line names a meta command the parser must not drop: mn and
 * me always, mg ms md ma with a key. */
bool meta_check_is_meta_line(const struct meta_check_line *l);

/* A PROTO_REQUEST answer with a REQ_META_* command. */
void meta_check_request(const struct meta_check_line *l,
                        uint32_t value_len_max, const struct request *req,
                        size_t consumed,
                        const struct proto_text_parser *after);

#endif
