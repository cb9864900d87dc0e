/*
 * put.h - the composers' two writing steps: bytes and a decimal number put
 * at p, each returning where the next byte goes. The caller has sized dst.
 */
#ifndef MCREF_PROTO_PUT_H
#define MCREF_PROTO_PUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/decimal.h"

static inline uint8_t *
put_bytes(uint8_t *p, const void *src, size_t n)
{
    memcpy(p, src, n);
    return p + n;
}

static inline uint8_t *
put_u64(uint8_t *p, uint64_t v)
{
    return p + decimal_format_u64(v, p);
}

#endif
