/*
 * text.h - memcached's text protocol: a pure parser and composer.
 *
 * Bytes in, requests out; replies in, bytes out. No I/O, no clock, no
 * allocation. The rules are spec/protocol.md §1-§4, §7-§13, §16; the parser's
 * states are in spec/parser.md.
 *
 * Parsing is incremental and split-proof: given any prefix of a stream, the
 * parser either returns the next request (telling how many bytes it used),
 * asks for more input having used none (or only bytes it was told to
 * discard), or says the connection must be closed. The same bytes give the
 * same requests however they are split ([frame.split]).
 */
#ifndef MCREF_PROTO_TEXT_H
#define MCREF_PROTO_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "request.h"
#include "response.h"

struct proto_text_parser { /* widest field first: 16 bytes, not 24 */
    uint64_t swallow_left;  /* bytes of a refused data block still to drop */
    uint32_t value_len_max; /* -I: longer data blocks are refused */
    uint32_t scanned;       /* bytes of the pending line known to have no \n */
};

enum proto_status {
    PROTO_REQUEST,    /* *req is a request of *consumed bytes */
    PROTO_INCOMPLETE, /* no request. Drop *consumed bytes (part of a refused
                         data block) and call again with the rest; when
                         *consumed is 0, more input is needed first, and
                         *needed, when not 0, is how many bytes the pending
                         request needs in all */
    PROTO_CLOSE,      /* close the connection without a reply */
};

void proto_text_init(struct proto_text_parser *p, uint32_t value_len_max);

/*
 * Parses the next request from data[0..len). Reads nothing outside that
 * range. Slices in *req are offsets from data. *consumed is always set;
 * *needed is set for PROTO_INCOMPLETE.
 */
enum proto_status proto_text_parse(struct proto_text_parser *p,
                                   const uint8_t *data, size_t len,
                                   struct request *req, size_t *consumed,
                                   size_t *needed);

/* Whether the parser is between requests (nothing partially consumed). */
bool proto_text_idle(const struct proto_text_parser *p);

/*
 * Takes the next key from *rest (a slice of base), skipping spaces; returns
 * false when none is left. For walking a retrieval request's keys.
 */
bool proto_text_next_key(const uint8_t *base, struct slice *rest,
                         struct slice *key);

/* Whether word (a slice of base) names a text or meta command mcref
 * carries out. */
bool proto_text_command_known(const uint8_t *base, struct slice word);

/* ---- replies ---------------------------------------------------------- */

/* Every fixed reply line of the text protocol: enum, wire text. */
#define PROTO_REPLIES(X)                                                     \
    X(STORED, "STORED")                                                      \
    X(NOT_STORED, "NOT_STORED")                                              \
    X(EXISTS, "EXISTS")                                                      \
    X(NOT_FOUND, "NOT_FOUND")                                                \
    X(DELETED, "DELETED")                                                    \
    X(TOUCHED, "TOUCHED")                                                    \
    X(END, "END")                                                            \
    X(OK, "OK")                                                              \
    X(RESET, "RESET")                                                        \
    X(ERROR, "ERROR")                                                        \
    X(FORMAT, "CLIENT_ERROR bad command line format")                        \
    X(BAD_CHUNK, "CLIENT_ERROR bad data chunk")                              \
    X(TOO_LARGE, "SERVER_ERROR object too large for cache")                  \
    X(EXPTIME, "CLIENT_ERROR invalid exptime argument")                      \
    X(DELTA, "CLIENT_ERROR invalid numeric delta argument")                  \
    X(DELETE_USAGE,                                                          \
      "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]") \
    X(NON_NUMERIC,                                                           \
      "CLIENT_ERROR cannot increment or decrement non-numeric value")        \
    X(NO_MEMORY_STORE, "SERVER_ERROR out of memory storing object")          \
    X(NO_MEMORY, "SERVER_ERROR out of memory")                               \
    X(FLUSH_DISABLED, "CLIENT_ERROR flush_all not allowed")                  \
    X(SHUTDOWN_DISABLED, "ERROR: shutdown not enabled")                      \
    X(SHUTDOWN_MODE, "CLIENT_ERROR invalid shutdown mode")                   \
    X(TOO_MANY_CONNS, "ERROR Too many open connections")                    \
    X(UNAUTHENTICATED, "CLIENT_ERROR unauthenticated")                      \
    X(AUTH_FAILURE, "CLIENT_ERROR authentication failure")                  \
    X(AUTH_TOKEN_FORMAT, "CLIENT_ERROR bad authentication token format")     \
    X(STATS_ARGS, "CLIENT_ERROR bad command line")                           \
    X(SLAB_ID, "CLIENT_ERROR Illegal slab id")                               \
    X(BADCLASS, "BADCLASS invalid class id")                                 \
    X(CRAWLER_SLEEP, "CLIENT_ERROR sleep must be one second or less")        \
    X(CRAWLER_DISABLED, "CLIENT_ERROR lru crawler disabled")                 \
    X(MEMLIMIT_SMALL,                                                        \
      "MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m")              \
    X(MEMLIMIT_UNITS,                                                        \
      "MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes")           \
    X(MEMLIMIT_FAILED,                                                       \
      "MEMLIMIT_ADJUST_FAILED out of bounds or unable to adjust")            \
    X(MGDUMP_END, "EN")                                                      \
    X(CACHEDUMP_OFF, "CLIENT_ERROR stats cachedump not allowed")             \
    X(METADUMP_OFF, "ERROR metadump not allowed")                            \
    X(MGDUMP_OFF, "ERROR key dump not allowed")

enum proto_reply {
#define PROTO_REPLY_ENUM(name, text) PROTO_REPLY_##name,
    PROTO_REPLIES(PROTO_REPLY_ENUM)
#undef PROTO_REPLY_ENUM
    PROTO_REPLY_COUNT
};

/* The reply line for a parse error (never REQERR_NONE). */
enum proto_reply proto_text_error_reply(enum request_error error);

/* Bytes of a reply line, "\r\n" included, and their count. */
const uint8_t *proto_text_reply(enum proto_reply reply, size_t *len);

/* The reply's name, for logs and test messages. */
const char *proto_text_reply_name(enum proto_reply reply);

/* Upper bounds of what the composers below write: "VALUE <key> <flags>
 * <bytes> <cas>\r\n", and a number line. */
#define PROTO_VALUE_HEADER_MAX                                             \
    (6u + LIMIT_KEY_LEN + 1u + LIMIT_U32_DIGITS + 1u + LIMIT_U32_DIGITS + \
     1u + LIMIT_U64_DIGITS + 2u)
#define PROTO_NUMBER_MAX (LIMIT_U64_DIGITS + 2u)
#define PROTO_STAT_MAX (5 + LIMIT_STAT_NAME_LEN + 1 + LIMIT_STAT_VALUE_LEN + 2)

/* "VALUE <key> <flags> <bytes>[ <cas>]\r\n" into dst; returns its length. */
size_t proto_text_value_header(uint8_t *dst, const uint8_t *key,
                               size_t key_len, uint32_t flags,
                               uint64_t value_len, bool with_cas,
                               uint64_t cas);

/* "<digits>\r\n" (incr/decr); returns its length. */
size_t proto_text_number(uint8_t *dst, uint64_t value);

/* "STAT <name> <value>\r\n"; the name and value are ours, not the client's. */
size_t proto_text_stat_u64(uint8_t *dst, const char *name, uint64_t value);
size_t proto_text_stat_str(uint8_t *dst, const char *name, const char *value);

/* [get.reply] and every text reply: the text protocol's composer
 * (proto_compose_fn, response.h). */
void proto_text_compose(const struct request *req, const uint8_t *base,
                        const struct response *resp, uint8_t *dst,
                        struct proto_out *out, bool want_trace);

/* Sets *out to the fixed line `reply` (as its tail), with its trace. For
 * composers of protocols that share the text protocol's lines. */
void proto_text_line_out(enum proto_reply reply, struct proto_out *out,
                         bool want_trace);

#endif
