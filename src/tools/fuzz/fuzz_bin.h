/*
 * fuzz_bin.h - the binary protocol in mcref-fuzz: requests written from
 * the packet grammar (every opcode memcached 1.6.18 answers but stat and
 * SASL, quiet variants followed by a NOOP, boundary key / extras / body
 * lengths, CAS, opaque, a bad magic only as a stream's last packet since
 * it closes), the expansion of ${k} inside a packet's key (lengths fixed
 * up), and the rendering of replies packet by packet as text lines so the
 * comparison, the shapes and the minimiser work as for text.
 *
 * A stored binary request is one packet whose key may hold ${k}; its
 * header's key and body lengths count the 4 bytes of the variable.
 */
#ifndef FUZZ_BIN_H
#define FUZZ_BIN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_buf.h"
#include "fuzz_compare.h"

#define FUZZ_BIN_HEADER 24u
#define FUZZ_BIN_REQ 0x80u
#define FUZZ_BIN_RES 0x81u
#define FUZZ_BIN_NOOP 0x0au
/* The sentinel NOOP's opaque: no generated request uses it. */
#define FUZZ_BIN_SENTINEL_OPAQUE 0x5e471e1u

/* One generated request appended to out (packets, maybe a NOOP after a
 * quiet one); returns its clause. *alone: it must end its batch. */
const char *fuzz_bin_gen(uint64_t *rng, bool allow_flush, struct fuzz_buf *out,
                         bool *alone, bool *destructive);
/* A last packet whose magic is not 0x80 ([bin.magic]: closes). */
void fuzz_bin_bad_magic(uint64_t *rng, struct fuzz_buf *out);

/* A NOOP request with opaque, into out[24]; its reply into reply[24]. */
void fuzz_bin_noop(uint32_t opaque, uint8_t out[24], uint8_t reply[24]);

/* Is this stored request a binary packet (magic 0x80, a whole header)? */
bool fuzz_bin_is_packet(const uint8_t *p, size_t len);

/* Expands ${k} inside the key of each packet of p (prefix: 10 bytes),
 * adjusting the key and body lengths. */
void fuzz_bin_expand(const uint8_t *p, size_t len, const char *prefix,
                     struct fuzz_buf *out);

/* Renders reply bytes (starting with magic 0x81) packet by packet as
 * lines `op=NAME st=NAME opq=N cas=N dt=N ext=HEX key="..." val="..."`,
 * with the allowances: CAS by order of first appearance (loose), the
 * VERSION value as `*`. Bytes that are not a whole packet follow as
 * `raw=HEX`. */
void fuzz_bin_render(struct fuzz_norm *n, const uint8_t *in, size_t len,
                     struct fuzz_buf *out);

/* The names the case language uses ("0x.." when it has none). */
void fuzz_bin_op_name(uint8_t op, char out[16]);
void fuzz_bin_status_name(uint16_t st, char out[16]);

#endif
