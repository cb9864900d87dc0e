/*
 * conform_bin.h - binary-protocol packets in the case language, written
 * as header fields rather than hex: `send-bin op=get key="${k}a" opaque=7`
 * and `expect-bin op=get status=not-found value="Not found" opaque=7`.
 *
 * Fields (spec/cases/README.md): op, magic, status, opaque, cas, key,
 * extras, value (quoted byte strings as `send` takes), the extras
 * shorthands flags, exptime, delta, initial, the 8-byte value shorthand
 * number, and, to write malformed packets, keylen, extlen, bodylen,
 * datatype, vbucket. No I/O.
 */
#ifndef CONFORM_BIN_H
#define CONFORM_BIN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conform_bytes.h"
#include "conform_limits.h"

enum conform_bin_cas {
    CONFORM_BIN_CAS_ANY = 0, /* expect: not checked (the default) */
    CONFORM_BIN_CAS_VALUE,   /* exactly cas */
    CONFORM_BIN_CAS_NONZERO, /* cas=nonzero */
};

struct conform_bin {
    bool expect;            /* an expect-bin: magic 0x81 by default */
    uint8_t magic;
    uint8_t opcode;
    uint16_t status;        /* expect; the vbucket of a send */
    uint8_t datatype;
    uint32_t opaque;
    uint64_t cas;
    enum conform_bin_cas cas_mode;
    char cas_text[CONFORM_BIN_CAS_TEXT_MAX]; /* cas=${var}, or "" */
    struct conform_bytes key, extras, value;
    bool has_key, has_extras, has_value;
    bool has_flags, has_exptime, has_delta, has_initial, has_number;
    uint32_t flags, exptime;
    uint64_t delta, initial, number;
    int64_t keylen, extlen, bodylen; /* -1: from the parts */
};

/* Parses the fields after the keyword; false with err set. op is
 * required. out owns its memory (conform_bin_free). */
bool conform_bin_parse(const char *text, bool expect, struct conform_bin *out,
                       char err[CONFORM_ERR_LEN]);
void conform_bin_free(struct conform_bin *b);

/* Sets b->cas from the expanded text of its cas=${var} (a decimal or 0x
 * number); false with err set. */
bool conform_bin_set_cas(struct conform_bin *b, const char *text, size_t len,
                         char err[CONFORM_ERR_LEN]);

/* The extras the shorthand fields give (0 to 20 bytes), into out[20]. */
size_t conform_bin_shorthand_extras(const struct conform_bin *b,
                                    uint8_t out[20]);

/*
 * Writes the packet (header, extras, key, value) to out, given the
 * expanded parts; the lengths come from the parts unless overridden.
 */
bool conform_bin_build(const struct conform_bin *b, const uint8_t *ext,
                       size_t ext_len, const uint8_t *key, size_t key_len,
                       const uint8_t *val, size_t val_len,
                       struct conform_buf *out);

/* The body length of a received header (24 bytes). */
uint32_t conform_bin_body_len(const uint8_t header[24]);

/*
 * Checks a received packet pkt[0, 24 + body) against b and the expanded
 * expected parts; false with err naming the first field that differs.
 */
bool conform_bin_match(const struct conform_bin *b, const uint8_t *pkt,
                       size_t len, const uint8_t *ext, size_t ext_len,
                       const uint8_t *key, size_t key_len, const uint8_t *val,
                       size_t val_len, char err[CONFORM_ERR_LEN]);

#endif
