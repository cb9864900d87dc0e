/* binary_check.c - binary response streams, checked packet by packet. */
#include "binary_check.h"

#include "../src/proto/binary.h"

static uint32_t
be(const uint8_t *p, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static bool
known_status(uint32_t code)
{
    for (unsigned st = 0; st < BIN_STATUS_COUNT; st++) {
        if (proto_binary_status_code((enum bin_status)st) == code) {
            return true;
        }
    }
    return false;
}

static bool
bad(size_t at, const char *what, size_t *bad_at, const char **why)
{
    *bad_at = at;
    *why = what;
    return false;
}

bool
binary_check(const uint8_t *out, size_t len, size_t *bad_at, const char **why)
{
    size_t at = 0;
    while (at < len) {
        if (len - at < BIN_HEADER_LEN) {
            return bad(at, "a header cut short", bad_at, why);
        }
        const uint8_t *h = out + at;
        uint32_t key = be(h + 2, 2);
        uint32_t ext = h[4];
        uint32_t status = be(h + 6, 2);
        uint32_t body = be(h + 8, 4);
        if (h[0] != BIN_MAGIC_RESPONSE) {
            return bad(at, "not a response magic", bad_at, why);
        }
        if (h[5] != 0) {
            return bad(at + 5, "a data type other than 0", bad_at, why);
        }
        if (!known_status(status)) {
            return bad(at + 6, "an unknown status", bad_at, why);
        }
        if ((uint64_t)key + ext > body) {
            return bad(at + 8, "extras and key longer than the body", bad_at,
                       why);
        }
        if (status != 0 && (ext != 0 || be(h + 16, 4) != 0 ||
                            be(h + 20, 4) != 0)) {
            return bad(at, "a failure with extras or a CAS", bad_at, why);
        }
        if (status != 0 && key != 0 && h[1] != BIN_OP_GETK &&
            h[1] != BIN_OP_GATK) {
            return bad(at, "a failure with a key", bad_at, why);
        }
        if (ext != 0 && ext != 4) {
            return bad(at + 4, "extras neither 0 nor 4 bytes", bad_at, why);
        }
        if (len - at - BIN_HEADER_LEN < body) {
            return bad(at, "a body cut short", bad_at, why);
        }
        at += BIN_HEADER_LEN + body;
    }
    return true;
}
