/*
 * null_frame.h - request framing for mcref-null, the do-nothing server that
 * benchmarks compare mcref with (README "CPU and latency (issue 12)").
 *
 * It frames the requests mcref-bench sends, in the text, meta and binary
 * protocols, as a real server must (a storage command's data block is
 * skipped by its length, a binary packet's body by its body length), and
 * answers each as a server that stores nothing: a text set is STORED, `ms`
 * HD, `mn` MN, a binary SET a success; quiet requests that succeed answer
 * nothing. Gets either all miss (END, `mg` EN, binary GET "not found"; quiet
 * gets silent) or, with a hit size (null_frame_init_hits: the benchmark's
 * value size), all hit with a canned value of that many bytes, as a real
 * cache answers a warmed-up benchmark: text `VALUE <key> 0 <n>` per key then
 * END, `mg` `VA <n>` (with `k` and `O` echoed), binary GET/GETK/GETQ/GETKQ a
 * success with 4 bytes of flags (and the key for the K ones). So what such a
 * server costs is the framing, the reply bytes and the system calls, nothing
 * else. Pure: no I/O; the caller owns every buffer.
 */
#ifndef MCREF_NULL_FRAME_H
#define MCREF_NULL_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "null_limits.h"


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
    /* Gets hit with hit_size bytes (else they miss). */
    bool hits;
    uint64_t hit_size;
    /* A hit being answered: after owed, `fill` value bytes, then "\r\n"
     * when fill_crlf; a text get's keys still to answer (then END). */
    uint64_t fill;
    bool fill_crlf;
    bool text_get;
    bool text_get_cas; /* gets/gats: the VALUE line carries a CAS */
    uint8_t keys[NULL_LINE_MAX];
    size_t keys_len, keys_pos;
};

/* Every get misses. */
void null_frame_init(struct null_frame *f);

/* Every get hits with a value of hit_size (< NULL_DATA_MAX) bytes. */
void null_frame_init_hits(struct null_frame *f, uint64_t hit_size);

/*
 * Consumes as many whole requests of in[0, len) as it finds (and data
 * bytes being skipped, which need not be whole), appending their replies
 * to out[*out_len, out_cap) (a hit's value may span calls: the rest comes
 * out first on the next one). Stops before an incomplete request line or
 * packet header, when out has less than NULL_REPLY_MAX bytes of room, or
 * once f->close is set. Returns the bytes consumed. An incomplete line of
 * NULL_LINE_MAX bytes or more sets f->close (nothing could frame it).
 */
/* Whether replies are due with no more input (a hit's value not yet all
 * appended): the caller calls null_frame_input again, with len 0 if need be,
 * once it has room. */
bool null_frame_owes(const struct null_frame *f);

size_t null_frame_input(struct null_frame *f, const uint8_t *in, size_t len,
                        uint8_t *out, size_t out_cap, size_t *out_len);

#endif
