/*
 * record.h - the byte layout of one item in the store's log.
 *
 * Records are byte-packed and unaligned (the log's alignment unit excepted);
 * multi-byte fields are little-endian. Layout, in order:
 *
 *   bits       1 byte   REC_* flags
 *   key_len    1 byte   1..250
 *   next       4 bytes  ref of the next record in the same hash chain, 0 = end
 *   cas        8 bytes  only when the store keeps CAS uniques
 *   value_len  1-5 bytes, LEB128 varint
 *   deadline   4 bytes  only with REC_HAS_DEADLINE (unix seconds, 0 = never)
 *   flags      4 bytes  only with REC_HAS_FLAGS (client flags, never 0 here)
 *   key, value
 *
 * The log keeps where each lap ends itself (log.h), so no gap byte is
 * written; REC_GAP (bit 7 alone; on a live record, bit 7 is REC_KEY_BINARY)
 * stays the one first byte no record has, and record_decode refuses it.
 * Sizes follow [mem.item-size]. Everything here is pure arithmetic on
 * memory the caller owns.
 */
#ifndef MCREF_RECORD_H
#define MCREF_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/check.h"

enum record_bits {
    REC_LIVE = 1u << 0,         /* in the index; cleared when unlinked */
    REC_FETCHED = 1u << 1,      /* read since stored (for *_unfetched stats) */
    REC_ACTIVE = 1u << 2,       /* accessed since written or moved */
    REC_HAS_DEADLINE = 1u << 3, /* carries a deadline field */
    REC_HAS_FLAGS = 1u << 4,    /* carries a client flags field */
    REC_STALE = 1u << 5,        /* invalidated ([meta.stale]) */
    REC_WIN_SENT = 1u << 6,     /* a win token went out ([meta.win]) */
    /* The key came in base64 ([meta.base64-mark]); only on a live record,
     * so that a dead one never reads as a gap. */
    REC_KEY_BINARY = 1u << 7,
    /* Not a record: the rest of this lap is unused. Exactly this byte, the
     * one pattern no record has (live records have REC_LIVE). */
    REC_GAP = 1u << 7,
};

/* Whether a record's first byte marks a gap. */
static inline bool
record_is_gap(uint8_t bits)
{
    return bits == REC_GAP;
}

enum {
    REC_OFF_BITS = 0,
    REC_OFF_KEY_LEN = 1,
    REC_OFF_NEXT = 2,
    REC_OFF_CAS = 6,
    REC_FIXED_NO_CAS = 6,
    REC_FIXED_CAS = 14,
    REC_VARINT_MAX = 5,
    REC_HEADER_MAX = REC_FIXED_CAS + REC_VARINT_MAX + 4 + 4,
};

_Static_assert(REC_HEADER_MAX <= 32, "item header beside key and value <= 32");

/* A decoded record: positions are offsets from its first byte. */
struct record {
    uint8_t bits;
    uint8_t key_len;
    uint32_t value_len;
    uint32_t deadline_s; /* 0 when it has no deadline field, or never */
    uint32_t flags;
    uint32_t key_off;
    uint32_t value_off;
    uint64_t size;       /* whole record, alignment padding included */
};

static inline uint32_t
rec_load32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline void
rec_store32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline uint64_t
rec_load64(const uint8_t *p)
{
    return (uint64_t)rec_load32(p) | (uint64_t)rec_load32(p + 4) << 32;
}

static inline void
rec_store64(uint8_t *p, uint64_t v)
{
    rec_store32(p, (uint32_t)v);
    rec_store32(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t
rec_varint_len(uint64_t v)
{
    uint32_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* align is the log's, a power of two (log_init checks it): a mask, not a
 * division, on every record decoded. */
static inline uint64_t
rec_round_up(uint64_t n, uint32_t align)
{
    return (n + align - 1) & ~(uint64_t)(align - 1);
}

/* [mem.item-size]: bytes a record occupies in the log. */
static inline uint64_t
record_size(bool with_cas, uint32_t align, size_t key_len, uint64_t value_len,
            bool has_deadline, bool has_flags)
{
    uint64_t n = (with_cas ? REC_FIXED_CAS : REC_FIXED_NO_CAS) +
                 rec_varint_len(value_len) + (has_deadline ? 4u : 0u) +
                 (has_flags ? 4u : 0u) + key_len + value_len;
    return rec_round_up(n, align);
}

/* Reads the record starting at p. The caller guarantees p is a record. */
static inline void
record_decode(const uint8_t *p, bool with_cas, uint32_t align,
              struct record *r)
{
    r->bits = p[REC_OFF_BITS];
    CHECK(!record_is_gap(r->bits));
    r->key_len = p[REC_OFF_KEY_LEN];
    uint32_t at = with_cas ? REC_FIXED_CAS : REC_FIXED_NO_CAS;
    uint64_t value_len = 0;
    for (uint32_t shift = 0;; shift += 7) {
        uint8_t byte = p[at++];
        value_len |= (uint64_t)(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) {
            break;
        }
        CHECK(shift < 28);
    }
    r->value_len = (uint32_t)value_len;
    r->deadline_s = 0;
    if (r->bits & REC_HAS_DEADLINE) {
        r->deadline_s = rec_load32(p + at);
        at += 4;
    }
    r->flags = 0;
    if (r->bits & REC_HAS_FLAGS) {
        r->flags = rec_load32(p + at);
        at += 4;
    }
    r->key_off = at;
    r->value_off = at + r->key_len;
    r->size = rec_round_up((uint64_t)r->value_off + r->value_len, align);
}

/* Offset of the deadline field in a record that has one. */
static inline uint32_t
record_deadline_off(const uint8_t *p, bool with_cas)
{
    uint32_t at = with_cas ? REC_FIXED_CAS : REC_FIXED_NO_CAS;
    while (p[at] & 0x80) {
        at++;
    }
    return at + 1;
}

/*
 * Writes a record header at p and returns the offset where the key goes.
 * The value follows the key; the caller copies both.
 */
static inline uint32_t
record_encode_header(uint8_t *p, bool with_cas, uint8_t bits, size_t key_len,
                     uint64_t cas, uint64_t value_len, uint32_t deadline_s,
                     uint32_t flags)
{
    CHECK(bits & REC_LIVE); /* so never a gap's byte */
    CHECK(key_len >= 1);
    CHECK(key_len <= 255);
    CHECK(((bits & REC_HAS_FLAGS) != 0) == (flags != 0));
    p[REC_OFF_BITS] = bits;
    p[REC_OFF_KEY_LEN] = (uint8_t)key_len;
    rec_store32(p + REC_OFF_NEXT, 0);
    uint32_t at = REC_FIXED_NO_CAS;
    if (with_cas) {
        rec_store64(p + REC_OFF_CAS, cas);
        at = REC_FIXED_CAS;
    }
    uint64_t v = value_len;
    while (v >= 0x80) {
        p[at++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[at++] = (uint8_t)v;
    if (bits & REC_HAS_DEADLINE) {
        rec_store32(p + at, deadline_s);
        at += 4;
    }
    if (bits & REC_HAS_FLAGS) {
        rec_store32(p + at, flags);
        at += 4;
    }
    return at;
}

#endif
