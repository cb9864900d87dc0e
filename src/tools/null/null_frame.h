/*
 * null_frame.h - request framing for mcref-null, the do-nothing server that
 * benchmarks compare mcref with (README "CPU and latency (issue 12)").
 *
 * It frames the requests mcref-bench sends, in the text, meta and binary
 * protocols, as a real server must (a storage command's data block is
 * skipped by its length, a binary packet's body by its body length), and
 * answers each as a server that holds nothing: a text set is STORED, a get
 * a miss (END), `ms` HD, `mg` EN, `mn` MN; a binary GET "not found", a SET
 * success; quiet requests answer nothing. It stores nothing, so what such a
 * server costs is the framing and the system calls, nothing else.
 * Pure: no I/O; the caller owns every buffer.
 */
#ifndef MCREF_NULL_FRAME_H
#define MCREF_NULL_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest request line ("\r\n" included; longer is closed) and the
 * longest reply one request gets. */
enum {
    NULL_LINE_MAX = 2048,
    NULL_REPLY_MAX = 64,
    NULL_TOKENS_MAX = 24, /* tokens of a line looked at (meta flags) */
};

enum null_mode {
    NULL_MODE_UNKNOWN, /* decided by the connection's first byte */
    NULL_MODE_TEXT,    /* text and meta share a connection */
    NULL_MODE_BINARY,  /* first byte 0x80 */
};

/* One connection's framing state, carried between reads. */
struct null_frame {
    enum null_mode mode;
    uint64_t skip;                 /* data bytes still to swallow */
    uint8_t owed[NULL_REPLY_MAX];  /* the reply due once they are */
    size_t owed_len;
    bool close;                    /* `quit`, or a request it cannot frame */
};

void null_frame_init(struct null_frame *f);

/*
 * Consumes as many whole requests of in[0, len) as it finds (and data
 * bytes being skipped, which need not be whole), appending their replies
 * to out[*out_len, out_cap). Stops before an incomplete request line or
 * packet header, when out has less than NULL_REPLY_MAX bytes of room, or
 * once f->close is set. Returns the bytes consumed. An incomplete line of
 * NULL_LINE_MAX bytes or more sets f->close (nothing could frame it).
 */
size_t null_frame_input(struct null_frame *f, const uint8_t *in, size_t len,
                        uint8_t *out, size_t out_cap, size_t *out_len);

#endif
