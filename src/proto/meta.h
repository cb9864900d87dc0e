/*
 * meta.h - memcached's meta protocol (mg ms md ma mn me): the line parser
 * and the meta error texts.
 *
 * A meta command is a text line: proto/text frames it, splits its tokens and
 * hands them here; for ms it then reads (or swallows) the data block as it
 * does for set. Pure: no I/O, no allocation. Rules: spec/protocol.md
 * [meta.*]; the flag parser is the one all meta commands share in memcached
 * 1.6.18, plus the flags added since (E on every command, md x).
 */
#ifndef MCREF_PROTO_META_H
#define MCREF_PROTO_META_H

#include <stddef.h>
#include <stdint.h>

#include "request.h"
#include "response.h"

/* What the text parser does after a meta line. */
enum meta_framing {
    META_FRAME_LINE,    /* the line is the whole request */
    META_FRAME_DATA,    /* ms: a data block of req->value_len bytes + \r\n
                           follows, framed as set's ([meta.ms-store]) */
    META_FRAME_SWALLOW, /* ms refused after a valid datalen: drop the
                           value_len + 2 bytes that follow ([meta.ms-swallow],
                           [meta.ms-swallow-all]) */
};

/*
 * Parses the meta command line whose tokens are tok[0..count) (slices of
 * data; tok[0] is the command name, count >= 1). cmd is REQ_META_*. Fills
 * req->cmd, req->key (the key token as sent), req->error and req->meta;
 * req->noreply stays false (`q` is META_BIT('q') in meta.seen: it hides
 * only some replies and never an error). Every other field of *req must be
 * zero already, except req->meta, which this function sets whole (apart
 * from key_buf beyond key_len). For ms, sets req->value_len when the
 * datalen is valid.
 */
enum meta_framing proto_meta_parse(enum request_cmd cmd, const uint8_t *data,
                                   const struct slice *tok, uint32_t count,
                                   struct request *req);

/*
 * [meta.base64-key]: decodes standard base64 (RFC 4648 alphabet, padded to a
 * multiple of 4, `=` only at the end) from src[0..len) into dst (room for
 * len / 4 * 3 bytes). Refuses anything else, including the characters
 * memcached 1.6.18 skips. Returns the decoded length, 0 when refused.
 */
size_t proto_meta_base64_decode(const uint8_t *src, size_t len, uint8_t *dst);

/*
 * The meta error lines, one row per enum meta_error (request.h) except
 * META_ERR_NONE: X(name, text) with META_ERR_<name>. The meta composer
 * turns an error into its line from this table and nowhere else.
 */
#define META_ERRORS(X)                                                      \
    X(FORMAT, "CLIENT_ERROR bad command line format")                       \
    X(INVALID_FLAG, "CLIENT_ERROR invalid flag")                            \
    X(DUPLICATE_FLAG, "CLIENT_ERROR duplicate flag")                        \
    X(INVALID_OR_DUP, "CLIENT_ERROR invalid or duplicate flag")             \
    X(BAD_TOKEN, "CLIENT_ERROR bad token in command line format")           \
    X(TOO_MANY_FLAGS, "CLIENT_ERROR options flags too long")                \
    X(OPAQUE_TOO_LONG, "CLIENT_ERROR opaque token too long")                \
    X(KEY_DECODE, "CLIENT_ERROR error decoding key")                        \
    X(MS_MODE, "CLIENT_ERROR invalid mode for ms M token")                  \
    X(MS_MODE_LEN, "CLIENT_ERROR incorrect length for M token")             \
    X(MA_MODE, "CLIENT_ERROR invalid mode for ma M token")                  \
    X(TOO_MANY_FLAGS_MG, "CLIENT_ERROR options flags are too long")         \
    X(BAD_INITIAL, "CLIENT_ERROR invalid numeric initial value")            \
    X(BAD_DELTA, "CLIENT_ERROR invalid numeric delta value")

/* The meta protocol's return codes, each with a space or CRLF after it as
 * the composer writes it: X(name, text) with META_CODE_<name>. */
#define META_CODES(X) \
    X(HD, "HD")       \
    X(VA, "VA")       \
    X(EN, "EN")       \
    X(NF, "NF")       \
    X(NS, "NS")       \
    X(EX, "EX")       \
    X(MN, "MN")       \
    X(ME, "ME")

enum meta_code {
#define META_CODE_ENUM(name, text) META_CODE_##name,
    META_CODES(META_CODE_ENUM)
#undef META_CODE_ENUM
    META_CODE_COUNT
};

/* [meta.base64]: standard padded base64 of src[0..len) into dst (room for
 * (len + 2) / 3 * 4 bytes); returns its length. */
size_t proto_meta_base64_encode(const uint8_t *src, size_t len, uint8_t *dst);

/* The meta protocol's composer (proto_compose_fn): the replies to
 * REQ_META_* requests ([meta.*]). */
void proto_meta_compose(const struct request *req, const uint8_t *base,
                        const struct response *resp, uint8_t *dst,
                        struct proto_out *out, bool want_trace);

/* The composer of a text-line connection ([meta.interleave]): meta
 * commands' replies by proto_meta_compose, every other by the text
 * protocol's. */
void proto_line_compose(const struct request *req, const uint8_t *base,
                        const struct response *resp, uint8_t *dst,
                        struct proto_out *out, bool want_trace);

#endif
