/* fuzz_bin.c - see fuzz_bin.h. */
#include "fuzz_bin.h"

#include <stdio.h>
#include <string.h>

#include "fuzz_gen.h"

struct name_code {
    const char *name;
    unsigned code;
};

/* The case language's names (src/tools/conform/conform_bin.c). */
static const struct name_code opcodes[] = {
    {"get", 0x00}, {"set", 0x01}, {"add", 0x02}, {"replace", 0x03},
    {"delete", 0x04}, {"incr", 0x05}, {"decr", 0x06}, {"quit", 0x07},
    {"flush", 0x08}, {"getq", 0x09}, {"noop", 0x0a}, {"version", 0x0b},
    {"getk", 0x0c}, {"getkq", 0x0d}, {"append", 0x0e}, {"prepend", 0x0f},
    {"stat", 0x10}, {"setq", 0x11}, {"addq", 0x12}, {"replaceq", 0x13},
    {"deleteq", 0x14}, {"incrq", 0x15}, {"decrq", 0x16}, {"quitq", 0x17},
    {"flushq", 0x18}, {"appendq", 0x19}, {"prependq", 0x1a},
    {"verbosity", 0x1b}, {"touch", 0x1c}, {"gat", 0x1d}, {"gatq", 0x1e},
    {"gatk", 0x23}, {"gatkq", 0x24},
};

static const struct name_code statuses[] = {
    {"ok", 0x00}, {"not-found", 0x01}, {"exists", 0x02},
    {"too-large", 0x03}, {"invalid", 0x04}, {"not-stored", 0x05},
    {"non-numeric", 0x06}, {"unknown", 0x81}, {"no-memory", 0x82},
};

void
fuzz_bin_op_name(uint8_t op, char out[16])
{
    for (size_t i = 0; i < sizeof opcodes / sizeof opcodes[0]; i++) {
        if (opcodes[i].code == op) {
            snprintf(out, 16, "%s", opcodes[i].name);
            return;
        }
    }
    snprintf(out, 16, "0x%02x", op);
}

void
fuzz_bin_status_name(uint16_t st, char out[16])
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        if (statuses[i].code == st) {
            snprintf(out, 16, "%s", statuses[i].name);
            return;
        }
    }
    snprintf(out, 16, "0x%04x", st);
}

static void
put_be(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[n - 1 - i] = (uint8_t)(v >> (8 * i));
    }
}

static uint64_t
get_be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

/* differences.md row 3 [incr.no-padding]: a value of digits then spaces
 * (memcached pads a counter that shrank in place) loses the spaces. */
static size_t
unpadded(const uint8_t *d, size_t len)
{
    size_t i = 0;
    while (i < len && d[i] >= '0' && d[i] <= '9') {
        i++;
    }
    if (i == 0 || i == len) {
        return len;
    }
    for (size_t j = i; j < len; j++) {
        if (d[j] != ' ') {
            return len;
        }
    }
    return i;
}

/* Appends one request packet; lengths from the parts. */
static void
packet(struct fuzz_buf *out, uint8_t magic, uint8_t op, uint32_t opaque,
       uint64_t cas, const uint8_t *ext, size_t ext_len, const char *key,
       size_t key_len, const uint8_t *val, size_t val_len)
{
    uint8_t h[FUZZ_BIN_HEADER] = {0};
    h[0] = magic;
    h[1] = op;
    put_be(h + 2, key_len, 2);
    h[4] = (uint8_t)ext_len;
    put_be(h + 8, ext_len + key_len + val_len, 4);
    put_be(h + 12, opaque, 4);
    put_be(h + 16, cas, 8);
    fuzz_buf_add(out, h, sizeof h);
    fuzz_buf_add(out, ext, ext_len);
    fuzz_buf_add(out, key, key_len);
    fuzz_buf_add(out, val, val_len);
}

void
fuzz_bin_noop(uint32_t opaque, uint8_t out[24], uint8_t reply[24])
{
    memset(out, 0, 24);
    out[0] = FUZZ_BIN_REQ;
    out[1] = FUZZ_BIN_NOOP;
    put_be(out + 12, opaque, 4);
    memcpy(reply, out, 24);
    reply[0] = FUZZ_BIN_RES;
}

bool
fuzz_bin_is_packet(const uint8_t *p, size_t len)
{
    return len >= FUZZ_BIN_HEADER && p[0] == FUZZ_BIN_REQ;
}

/* A key: ${k} and a short name, or [bin.key-length]'s edges. */
static const char *
gen_key(uint64_t *rng, char key[300], size_t *len)
{
    uint32_t r = fuzz_rng_below(rng, 100);
    if (r < 4) {
        *len = 0;
        key[0] = '\0';
        return "bin.key-length";
    }
    if (r < 10) {
        /* 250 (the limit) or 251 bytes once ${k} is expanded. */
        size_t want = r < 7 ? 250 : 251;
        memcpy(key, FUZZ_KEY_VAR, FUZZ_KEY_VAR_LEN);
        size_t n = want - FUZZ_KEY_PREFIX_LEN;
        memset(key + FUZZ_KEY_VAR_LEN, 'L', n);
        *len = FUZZ_KEY_VAR_LEN + n;
        return "bin.key-length";
    }
    *len = (size_t)snprintf(key, 300, FUZZ_KEY_VAR "%c",
                            "abcn"[fuzz_rng_below(rng, 4)]);
    return NULL;
}

static size_t
gen_value(uint64_t *rng, uint8_t val[2100])
{
    uint32_t r = fuzz_rng_below(rng, 100);
    size_t n = r < 10   ? 0
               : r < 30 ? (size_t)snprintf((char *)val, 32, "%u",
                                          fuzz_rng_below(rng, 1000))
               : r < 35 ? 2048
                        : 1 + fuzz_rng_below(rng, 40);
    if (r >= 30) {
        for (size_t i = 0; i < n; i++) {
            val[i] = (uint8_t)(r < 35 ? 'v' : fuzz_rng_below(rng, 256));
        }
    }
    return n;
}

/* A CAS for a request: mostly 0, else one no item has. */
static uint64_t
gen_cas(uint64_t *rng)
{
    return fuzz_rng_chance(rng, 80) ? 0
           : fuzz_rng_chance(rng, 50) ? 0xfffffffffff1ull
                                      : UINT64_MAX;
}

/* The extras an opcode wants, sometimes of a wrong length. */
static size_t
gen_extras(uint64_t *rng, size_t want, uint8_t ext[24], const char **clause)
{
    memset(ext, 0, 24);
    size_t n = want;
    if (fuzz_rng_chance(rng, 6)) {
        n = want == 0 ? 4 : (fuzz_rng_chance(rng, 50) ? 0 : want - 1);
        *clause = "bin.lengths";
    }
    return n;
}

const char *
fuzz_bin_gen(uint64_t *rng, bool allow_flush, struct fuzz_buf *out,
             bool *alone, bool *destructive)
{
    static const uint8_t quiet_of[] = {
        [0x00] = 0x09, [0x0c] = 0x0d, [0x01] = 0x11, [0x02] = 0x12,
        [0x03] = 0x13, [0x04] = 0x14, [0x05] = 0x15, [0x06] = 0x16,
        [0x0e] = 0x19, [0x0f] = 0x1a, [0x1d] = 0x1e, [0x23] = 0x24,
        [0x08] = 0x18,
    };
    char key[300];
    size_t key_len;
    uint8_t ext[24];
    static uint8_t val[2100];
    size_t val_len = 0;
    const char *clause = gen_key(rng, key, &key_len);
    uint32_t opaque = fuzz_rng_chance(rng, 50) ? 0 : (uint32_t)fuzz_rng_next(rng);
    if (opaque == FUZZ_BIN_SENTINEL_OPAQUE) {
        opaque = 1;
    }
    uint64_t cas = 0;
    size_t ext_len = 0;
    uint8_t op;
    const char *own;
    uint32_t r = fuzz_rng_below(rng, 100);
    /* differences.md row 3 [incr.no-padding]: memcached pads a counter
     * that shrank in place, which append and prepend would show; so
     * counters live on ${k}n only and nothing is appended to it. */
    if (key_len == FUZZ_KEY_VAR_LEN + 1 && ((r >= 66 && r < 76) ||
                                            (r >= 50 && r < 58))) {
        key[FUZZ_KEY_VAR_LEN] = r >= 66 ? 'n' : "abc"[r % 3];
    }
    if (r < 25) {
        static const uint8_t gets[] = {0x00, 0x0c};
        op = gets[fuzz_rng_below(rng, 2)];
        own = "bin.get";
        ext_len = gen_extras(rng, 0, ext, &clause);
    } else if (r < 50) {
        static const uint8_t stores[] = {0x01, 0x02, 0x03};
        op = stores[fuzz_rng_below(rng, 3)];
        own = "bin.store";
        ext_len = gen_extras(rng, 8, ext, &clause);
        put_be(ext, fuzz_rng_chance(rng, 20) ? UINT32_MAX
                                              : fuzz_rng_below(rng, 100), 4);
        put_be(ext + 4, fuzz_rng_chance(rng, 10) ? 100000 : 0, 4);
        val_len = gen_value(rng, val);
        cas = gen_cas(rng);
    } else if (r < 58) {
        op = fuzz_rng_chance(rng, 50) ? 0x0e : 0x0f;
        own = "bin.append";
        ext_len = gen_extras(rng, 0, ext, &clause);
        val_len = gen_value(rng, val);
        cas = gen_cas(rng);
    } else if (r < 66) {
        op = 0x04;
        own = "bin.delete";
        ext_len = gen_extras(rng, 0, ext, &clause);
        cas = gen_cas(rng);
    } else if (r < 76) {
        op = fuzz_rng_chance(rng, 50) ? 0x05 : 0x06;
        own = "bin.incr";
        ext_len = gen_extras(rng, 20, ext, &clause);
        /* A delta of 2^64-1 only on decr (it clamps at 0): an incr by it
         * takes a counter of 0 to 2^64-1, and memcached 1.6.18 may answer a
         * later incr or decr of a value of 2^63 or more 0x0006 Non-numeric
         * (spec/differences.md D1, its strchr past the value's end). */
        uint32_t d = fuzz_rng_below(rng, 4);
        uint64_t big = op == 0x06 ? UINT64_MAX : UINT32_MAX;
        put_be(ext, d == 0 ? 0 : d == 1 ? big : fuzz_rng_below(rng, 50), 8);
        /* An initial of at most 2^32-1: after one of 19 or 20 digits
         * memcached 1.6.18 sometimes answers a later incr or decr of that
         * counter 0x0006 Non-numeric where mcref counts (a memcached
         * finding, not yet in differences.md). */
        put_be(ext + 8, fuzz_rng_chance(rng, 10) ? UINT32_MAX
                                                  : fuzz_rng_below(rng, 50), 8);
        put_be(ext + 16, fuzz_rng_chance(rng, 30) ? UINT32_MAX : 0, 4);
        /* No CAS: on a non-numeric value mcref answers 0x0002 where
         * memcached 1.6.18 answers 0x0006 (a finding, /work/notes). */
    } else if (r < 86) {
        static const uint8_t touches[] = {0x1c, 0x1d, 0x23};
        op = touches[fuzz_rng_below(rng, 3)];
        own = op == 0x1c ? "bin.touch" : "bin.get";
        ext_len = gen_extras(rng, 4, ext, &clause);
        put_be(ext, fuzz_rng_chance(rng, 50) ? 0 : 100000, 4);
    } else if (r < 96) {
        static const uint8_t misc[] = {0x0a, 0x0b, 0x1b};
        op = misc[fuzz_rng_below(rng, 3)];
        own = op == 0x1b ? "bin.unknown" : "bin.misc";
        /* [bin.unknown] (verbosity included): memcached 1.6.18 eats the
         * next packet after a non-empty body, so the body stays empty. */
        key_len = 0;
        clause = NULL;
    } else if (r < 98 && allow_flush) {
        op = 0x08;
        own = "bin.flush";
        key_len = 0;
        ext_len = fuzz_rng_chance(rng, 50) ? 4 : 0;
        memset(ext, 0, sizeof ext);
        *destructive = true;
    } else if (r < 99) {
        /* An opcode 1.6.18 does not know (not SASL's 0x20-0x22). */
        static const uint8_t unknown[] = {0x25, 0x30, 0x3f, 0xfe};
        op = unknown[fuzz_rng_below(rng, 4)];
        own = "bin.unknown";
        key_len = 0; /* as verbosity above */
        clause = NULL;
    } else {
        op = fuzz_rng_chance(rng, 50) ? 0x07 : 0x17;
        own = "bin.misc";
        key_len = 0;
        *alone = true;
    }
    bool quiet = op < sizeof quiet_of && quiet_of[op] != 0 &&
                 fuzz_rng_chance(rng, 35);
    if (quiet) {
        op = quiet_of[op];
        own = "bin.quiet";
    }
    packet(out, FUZZ_BIN_REQ, op, opaque, cas, ext, ext_len, key, key_len,
           val, val_len);
    if (quiet && fuzz_rng_chance(rng, 50)) {
        packet(out, FUZZ_BIN_REQ, FUZZ_BIN_NOOP, opaque + 1, 0, NULL, 0, NULL,
               0, NULL, 0);
    }
    return clause != NULL ? clause : own;
}

void
fuzz_bin_bad_magic(uint64_t *rng, struct fuzz_buf *out)
{
    static const uint8_t magics[] = {0x00, 0x81, 0x7f, 'g'};
    packet(out, magics[fuzz_rng_below(rng, 4)], 0x0a, 0, 0, NULL, 0, NULL, 0,
           NULL, 0);
}

void
fuzz_bin_expand(const uint8_t *p, size_t len, const char *prefix,
                struct fuzz_buf *out)
{
    size_t i = 0;
    while (i + FUZZ_BIN_HEADER <= len && p[i] == FUZZ_BIN_REQ) {
        size_t key_len = (size_t)get_be(p + i + 2, 2);
        size_t ext_len = p[i + 4];
        size_t body = (size_t)get_be(p + i + 8, 4);
        size_t whole = FUZZ_BIN_HEADER + body;
        if (whole > len - i || ext_len + key_len > body) {
            break;
        }
        const uint8_t *k = p + i + FUZZ_BIN_HEADER + ext_len;
        struct fuzz_buf key = {0};
        for (size_t j = 0; j < key_len;) {
            if (j + FUZZ_KEY_VAR_LEN <= key_len &&
                memcmp(k + j, FUZZ_KEY_VAR, FUZZ_KEY_VAR_LEN) == 0) {
                fuzz_buf_add(&key, prefix, FUZZ_KEY_PREFIX_LEN);
                j += FUZZ_KEY_VAR_LEN;
            } else {
                fuzz_buf_add(&key, k + j, 1);
                j++;
            }
        }
        uint8_t h[FUZZ_BIN_HEADER];
        memcpy(h, p + i, sizeof h);
        put_be(h + 2, key.len, 2);
        put_be(h + 8, body - key_len + key.len, 4);
        fuzz_buf_add(out, h, sizeof h);
        fuzz_buf_add(out, p + i + FUZZ_BIN_HEADER, ext_len);
        fuzz_buf_add(out, key.p, key.len);
        fuzz_buf_add(out, k + key_len, body - ext_len - key_len);
        fuzz_buf_free(&key);
        i += whole;
    }
    fuzz_buf_add(out, p + i, len - i);
}

static void
escaped(struct fuzz_buf *out, const uint8_t *p, size_t len)
{
    fuzz_buf_add(out, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\') {
            fuzz_buf_add(out, p + i, 1);
        } else {
            fuzz_buf_addf(out, "\\x%02x", p[i]);
        }
    }
    fuzz_buf_add(out, "\"", 1);
}

void
fuzz_bin_render(struct fuzz_norm *n, const uint8_t *in, size_t len,
                struct fuzz_buf *out)
{
    size_t i = 0;
    while (i + FUZZ_BIN_HEADER <= len && in[i] == FUZZ_BIN_RES) {
        const uint8_t *h = in + i;
        size_t key_len = (size_t)get_be(h + 2, 2);
        size_t ext_len = h[4];
        size_t body = (size_t)get_be(h + 8, 4);
        if (body > len - i - FUZZ_BIN_HEADER || ext_len + key_len > body) {
            break;
        }
        char op[16];
        char st[16];
        fuzz_bin_op_name(h[1], op);
        uint16_t status = (uint16_t)get_be(h + 6, 2);
        fuzz_bin_status_name(status, st);
        uint64_t cas = get_be(h + 16, 8);
        if (cas != 0 && n->cas_loose) {
            cas = fuzz_norm_cas(n, cas);
        }
        fuzz_buf_addf(out, "op=%s st=%s opq=%u cas=%llu dt=%u ext=", op, st,
                      (unsigned)get_be(h + 12, 4), (unsigned long long)cas,
                      h[5]);
        const uint8_t *b = h + FUZZ_BIN_HEADER;
        escaped(out, b, ext_len);
        fuzz_buf_add(out, " key=", 5);
        escaped(out, b + ext_len, key_len);
        fuzz_buf_add(out, " val=", 5);
        if (h[1] == 0x0b && status == 0) {
            /* differences.md row 1 [misc.version]: any version text. */
            fuzz_buf_add(out, "*", 1);
        } else {
            const uint8_t *v = b + ext_len + key_len;
            escaped(out, v, unpadded(v, body - ext_len - key_len));
        }
        fuzz_buf_add(out, "\r\n", 2);
        i += FUZZ_BIN_HEADER + body;
    }
    if (i < len) {
        fuzz_buf_add(out, "raw=", 4);
        escaped(out, in + i, len - i);
        fuzz_buf_add(out, "\r\n", 2);
    }
}
