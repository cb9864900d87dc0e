/*
 * fuzz_oracle.h - mcref's own session, in this process, as the reference a
 * target's replies are compared with. Configured as `mcref -m 64` (which
 * is memcached's default too): CAS on, eviction on, 1 MiB values.
 */
#ifndef FUZZ_ORACLE_H
#define FUZZ_ORACLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_buf.h"

struct engine;
struct fuzz_oracle;

/* A fresh engine and session. NULL if the engine cannot be created. */
struct fuzz_oracle *fuzz_oracle_create(void);
void fuzz_oracle_destroy(struct fuzz_oracle **o);

/*
 * Gives the session len bytes (in pieces of split bytes when split > 0) at
 * real time now_s and appends every reply byte to out. Returns false once
 * the session has closed the connection (quit, a protocol error), after
 * which it takes nothing more.
 */
bool fuzz_oracle_input(struct fuzz_oracle *o, const uint8_t *data,
                       size_t len, size_t split, uint32_t now_s,
                       struct fuzz_buf *out);

#endif
