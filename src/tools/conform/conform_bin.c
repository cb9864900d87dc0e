/* conform_bin.c - binary packets from header fields, and their checks. */
#include "conform_bin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct name_code {
    const char *name;
    unsigned code;
};

static const struct name_code opcodes[] = {
    {"get", 0x00}, {"set", 0x01}, {"add", 0x02}, {"replace", 0x03},
    {"delete", 0x04}, {"incr", 0x05}, {"decr", 0x06}, {"quit", 0x07},
    {"flush", 0x08}, {"getq", 0x09}, {"noop", 0x0a}, {"version", 0x0b},
    {"getk", 0x0c}, {"getkq", 0x0d}, {"append", 0x0e}, {"prepend", 0x0f},
    {"stat", 0x10}, {"setq", 0x11}, {"addq", 0x12}, {"replaceq", 0x13},
    {"deleteq", 0x14}, {"incrq", 0x15}, {"decrq", 0x16}, {"quitq", 0x17},
    {"flushq", 0x18}, {"appendq", 0x19}, {"prependq", 0x1a},
    {"verbosity", 0x1b}, {"touch", 0x1c}, {"gat", 0x1d}, {"gatq", 0x1e},
    {"sasl-list", 0x20}, {"sasl-auth", 0x21}, {"sasl-step", 0x22},
    {"gatk", 0x23}, {"gatkq", 0x24},
};

static const struct name_code statuses[] = {
    {"ok", 0x00}, {"not-found", 0x01}, {"exists", 0x02},
    {"too-large", 0x03}, {"invalid", 0x04}, {"not-stored", 0x05},
    {"non-numeric", 0x06}, {"auth-error", 0x20}, {"auth-continue", 0x21},
    {"unknown", 0x81}, {"no-memory", 0x82},
};

static bool
lookup(const struct name_code *t, size_t n, const char *s, size_t len,
       unsigned *out)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(t[i].name) == len && memcmp(t[i].name, s, len) == 0) {
            *out = t[i].code;
            return true;
        }
    }
    return false;
}

/* A decimal or 0x-hex number of s[0, len), at most max. */
static bool
number(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    char buf[32];
    if (len == 0 || len >= sizeof buf || s[0] == '-' || s[0] == '+') {
        return false;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    unsigned long long v = strtoull(buf, &end, 0);
    if (*end != '\0' || v > max) {
        return false;
    }
    *out = v;
    return true;
}

bool
conform_bin_set_cas(struct conform_bin *b, const char *text, size_t len,
                    char err[CONFORM_ERR_LEN])
{
    if (!number(text, len, UINT64_MAX, &b->cas)) {
        snprintf(err, CONFORM_ERR_LEN, "cas: bad number '%.*s'", (int)len,
                 text);
        return false;
    }
    return true;
}

void
conform_bin_free(struct conform_bin *b)
{
    conform_bytes_free(&b->key);
    conform_bytes_free(&b->extras);
    conform_bytes_free(&b->value);
}

/* The end of a field value that starts with a quote: past the last of its
 * quoted strings (each with its *N; they may be separated by spaces, as in
 * `key="${k}" "a"*240`, since a field name never starts with a quote). */
static size_t
quoted_span(const char *s)
{
    size_t i = 0;
    for (;;) {
        size_t j = i;
        while (i > 0 && (s[j] == ' ' || s[j] == '\t')) {
            j++;
        }
        if (s[j] != '"') {
            return i;
        }
        i = j;
        i++;
        while (s[i] != '\0' && s[i] != '"') {
            i += s[i] == '\\' && s[i + 1] != '\0' ? 2 : 1;
        }
        if (s[i] == '"') {
            i++;
        }
        if (s[i] == '*') {
            i++;
            while (s[i] >= '0' && s[i] <= '9') {
                i++;
            }
        }
    }
}

static bool
field(struct conform_bin *b, const char *name, size_t nlen, const char *v,
      size_t vlen, char err[CONFORM_ERR_LEN])
{
#define IS(word) (nlen == sizeof(word) - 1 && memcmp(name, word, nlen) == 0)
    uint64_t n = 0;
    unsigned code;
    bool quoted = vlen > 0 && v[0] == '"';
    if (IS("key") || IS("extras") || IS("value")) {
        struct conform_bytes *dst = IS("key") ? &b->key
                                    : IS("extras") ? &b->extras
                                                   : &b->value;
        bool *has = IS("key") ? &b->has_key
                    : IS("extras") ? &b->has_extras
                                   : &b->has_value;
        if (!quoted || *has) {
            snprintf(err, CONFORM_ERR_LEN, "%.*s needs one quoted string",
                     (int)nlen, name);
            return false;
        }
        *has = true;
        return conform_bytes_parse(v, vlen, dst, err);
    }
    if (IS("op")) {
        if (lookup(opcodes, sizeof opcodes / sizeof opcodes[0], v, vlen,
                   &code)) {
            b->opcode = (uint8_t)code;
            return true;
        }
        if (number(v, vlen, 0xff, &n)) {
            b->opcode = (uint8_t)n;
            return true;
        }
        snprintf(err, CONFORM_ERR_LEN, "unknown op '%.*s'", (int)vlen, v);
        return false;
    }
    if (IS("status")) {
        if (lookup(statuses, sizeof statuses / sizeof statuses[0], v, vlen,
                   &code)) {
            b->status = (uint16_t)code;
            return true;
        }
        if (number(v, vlen, 0xffff, &n)) {
            b->status = (uint16_t)n;
            return true;
        }
        snprintf(err, CONFORM_ERR_LEN, "unknown status '%.*s'", (int)vlen, v);
        return false;
    }
    if (IS("cas")) {
        if (vlen == 7 && memcmp(v, "nonzero", 7) == 0) {
            b->cas_mode = CONFORM_BIN_CAS_NONZERO;
            return true;
        }
        if (vlen == 3 && memcmp(v, "any", 3) == 0) {
            b->cas_mode = CONFORM_BIN_CAS_ANY;
            return true;
        }
        b->cas_mode = CONFORM_BIN_CAS_VALUE;
        if (vlen >= 2 && v[0] == '$' && v[1] == '{') {
            /* A captured CAS: expanded when the step runs. */
            if (vlen >= sizeof b->cas_text) {
                snprintf(err, CONFORM_ERR_LEN, "cas: '%.*s' too long",
                         (int)vlen, v);
                return false;
            }
            memcpy(b->cas_text, v, vlen);
            b->cas_text[vlen] = '\0';
            return true;
        }
    }
    if (!(IS("magic") || IS("opaque") || IS("cas") || IS("flags") ||
          IS("exptime") || IS("delta") || IS("initial") || IS("number") ||
          IS("keylen") || IS("extlen") || IS("bodylen") || IS("datatype") ||
          IS("vbucket"))) {
        snprintf(err, CONFORM_ERR_LEN, "unknown field '%.*s'", (int)nlen,
                 name);
        return false;
    }
    uint64_t max = IS("magic") || IS("extlen") || IS("datatype") ? 0xff
                   : IS("keylen") || IS("vbucket")               ? 0xffff
                   : IS("opaque") || IS("bodylen") || IS("flags") ||
                           IS("exptime")
                       ? 0xffffffffu
                       : UINT64_MAX;
    if (!number(v, vlen, max, &n)) {
        snprintf(err, CONFORM_ERR_LEN, "%.*s: bad number '%.*s'", (int)nlen,
                 name, (int)vlen, v);
        return false;
    }
    if (IS("magic")) {
        b->magic = (uint8_t)n;
    } else if (IS("opaque")) {
        b->opaque = (uint32_t)n;
    } else if (IS("cas")) {
        b->cas = n;
    } else if (IS("flags")) {
        b->has_flags = true;
        b->flags = (uint32_t)n;
    } else if (IS("exptime")) {
        b->has_exptime = true;
        b->exptime = (uint32_t)n;
    } else if (IS("delta")) {
        b->has_delta = true;
        b->delta = n;
    } else if (IS("initial")) {
        b->has_initial = true;
        b->initial = n;
    } else if (IS("number")) {
        b->has_number = true;
        b->number = n;
    } else if (IS("keylen")) {
        b->keylen = (int64_t)n;
    } else if (IS("extlen")) {
        b->extlen = (int64_t)n;
    } else if (IS("bodylen")) {
        b->bodylen = (int64_t)n;
    } else if (IS("datatype")) {
        b->datatype = (uint8_t)n;
    } else if (IS("vbucket")) {
        b->status = (uint16_t)n;
    } else {
        snprintf(err, CONFORM_ERR_LEN, "unknown field '%.*s'", (int)nlen,
                 name);
        return false;
    }
    return true;
#undef IS
}

bool
conform_bin_parse(const char *text, bool expect, struct conform_bin *out,
                  char err[CONFORM_ERR_LEN])
{
    memset(out, 0, sizeof *out);
    out->expect = expect;
    out->magic = expect ? 0x81 : 0x80;
    out->keylen = out->extlen = out->bodylen = -1;
    bool has_op = false;
    const char *s = text;
    for (;;) {
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        const char *name = s;
        while ((*s >= 'a' && *s <= 'z') || *s == '-') {
            s++;
        }
        size_t nlen = (size_t)(s - name);
        if (nlen == 0 || *s != '=') {
            snprintf(err, CONFORM_ERR_LEN, "expected FIELD=VALUE at '%.20s'",
                     name);
            conform_bin_free(out);
            return false;
        }
        s++;
        size_t vlen;
        if (*s == '"') {
            vlen = quoted_span(s);
        } else {
            vlen = 0;
            while (s[vlen] != '\0' && s[vlen] != ' ' && s[vlen] != '\t') {
                vlen++;
            }
        }
        if (!field(out, name, nlen, s, vlen, err)) {
            conform_bin_free(out);
            return false;
        }
        has_op |= nlen == 2 && memcmp(name, "op", 2) == 0;
        s += vlen;
        if (*s != '\0' && *s != ' ' && *s != '\t') {
            snprintf(err, CONFORM_ERR_LEN, "junk after %.*s=", (int)nlen,
                     name);
            conform_bin_free(out);
            return false;
        }
    }
    if (!has_op) {
        snprintf(err, CONFORM_ERR_LEN, "op=NAME is required");
        conform_bin_free(out);
        return false;
    }
    bool shorthand = out->has_flags || out->has_exptime || out->has_delta ||
                     out->has_initial;
    if (shorthand && out->has_extras) {
        snprintf(err, CONFORM_ERR_LEN,
                 "extras= and flags/exptime/delta/initial exclude each other");
        conform_bin_free(out);
        return false;
    }
    if (out->has_number && out->has_value) {
        snprintf(err, CONFORM_ERR_LEN, "value= and number= exclude each other");
        conform_bin_free(out);
        return false;
    }
    return true;
}

static uint8_t *
put_be(uint8_t *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++) {
        p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
    }
    return p + bytes;
}

static uint64_t
get_be(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

size_t
conform_bin_shorthand_extras(const struct conform_bin *b, uint8_t out[20])
{
    uint8_t *p = out;
    if (b->has_delta || b->has_initial) {
        /* increment/decrement: delta, initial, exptime */
        p = put_be(p, b->delta, 8);
        p = put_be(p, b->initial, 8);
        p = put_be(p, b->exptime, 4);
    } else if (b->has_flags) {
        /* set/add/replace (or a get's reply: the flags alone) */
        p = put_be(p, b->flags, 4);
        if (b->has_exptime) {
            p = put_be(p, b->exptime, 4);
        }
    } else if (b->has_exptime) {
        p = put_be(p, b->exptime, 4); /* touch, gat, flush */
    }
    return (size_t)(p - out);
}

bool
conform_bin_build(const struct conform_bin *b, const uint8_t *ext,
                  size_t ext_len, const uint8_t *key, size_t key_len,
                  const uint8_t *val, size_t val_len, struct conform_buf *out)
{
    uint8_t h[24];
    uint64_t body = ext_len + key_len + val_len;
    h[0] = b->magic;
    h[1] = b->opcode;
    put_be(h + 2, b->keylen >= 0 ? (uint64_t)b->keylen : key_len, 2);
    h[4] = (uint8_t)(b->extlen >= 0 ? (uint64_t)b->extlen : ext_len);
    h[5] = b->datatype;
    put_be(h + 6, b->status, 2);
    put_be(h + 8, b->bodylen >= 0 ? (uint64_t)b->bodylen : body, 4);
    put_be(h + 12, b->opaque, 4);
    put_be(h + 16, b->cas, 8);
    return conform_buf_append(out, h, 24, CONFORM_BYTES_MAX) &&
           conform_buf_append(out, ext, ext_len, CONFORM_BYTES_MAX) &&
           conform_buf_append(out, key, key_len, CONFORM_BYTES_MAX) &&
           conform_buf_append(out, val, val_len, CONFORM_BYTES_MAX);
}

uint32_t
conform_bin_body_len(const uint8_t header[24])
{
    return (uint32_t)get_be(header + 8, 4);
}

static bool
differs(char err[CONFORM_ERR_LEN], const char *what, uint64_t got,
        uint64_t want)
{
    snprintf(err, CONFORM_ERR_LEN, "%s: got 0x%llx, want 0x%llx", what,
             (unsigned long long)got, (unsigned long long)want);
    return false;
}

static bool
part_differs(char err[CONFORM_ERR_LEN], const char *what, const uint8_t *got,
             size_t got_len, const uint8_t *want, size_t want_len)
{
    char g[CONFORM_ERR_LEN / 2];
    char w[CONFORM_ERR_LEN / 2 - 64];
    size_t gl = 0;
    size_t wl = 0;
    for (size_t i = 0; i < got_len && gl + 5 < sizeof g; i++) {
        gl += (size_t)snprintf(g + gl, sizeof g - gl,
                               got[i] >= 32 && got[i] < 127 && got[i] != '\\'
                                   ? "%c" : "\\x%02x",
                               got[i]);
    }
    for (size_t i = 0; i < want_len && wl + 5 < sizeof w; i++) {
        wl += (size_t)snprintf(w + wl, sizeof w - wl,
                               want[i] >= 32 && want[i] < 127 && want[i] != '\\'
                                   ? "%c" : "\\x%02x",
                               want[i]);
    }
    snprintf(err, CONFORM_ERR_LEN, "%s: got \"%.*s\" (%zu bytes), want \"%.*s\"",
             what, (int)gl, g, got_len, (int)wl, w);
    return false;
}

bool
conform_bin_match(const struct conform_bin *b, const uint8_t *pkt, size_t len,
                  const uint8_t *ext, size_t ext_len, const uint8_t *key,
                  size_t key_len, const uint8_t *val, size_t val_len,
                  char err[CONFORM_ERR_LEN])
{
    if (len < 24) {
        return differs(err, "packet length", len, 24);
    }
    uint64_t got_key = get_be(pkt + 2, 2);
    uint64_t got_ext = pkt[4];
    uint64_t got_body = get_be(pkt + 8, 4);
    if (pkt[0] != b->magic) {
        return differs(err, "magic", pkt[0], b->magic);
    }
    if (pkt[1] != b->opcode) {
        return differs(err, "opcode", pkt[1], b->opcode);
    }
    if (get_be(pkt + 6, 2) != b->status) {
        return differs(err, "status", get_be(pkt + 6, 2), b->status);
    }
    if (get_be(pkt + 12, 4) != b->opaque) {
        return differs(err, "opaque", get_be(pkt + 12, 4), b->opaque);
    }
    uint64_t cas = get_be(pkt + 16, 8);
    if (b->cas_mode == CONFORM_BIN_CAS_VALUE && cas != b->cas) {
        return differs(err, "cas", cas, b->cas);
    }
    if (b->cas_mode == CONFORM_BIN_CAS_NONZERO && cas == 0) {
        return differs(err, "cas (want nonzero)", cas, 1);
    }
    if (pkt[5] != b->datatype) {
        return differs(err, "data type", pkt[5], b->datatype);
    }
    if (got_key + got_ext > got_body || len != 24 + got_body) {
        return differs(err, "body length", got_body, len - 24);
    }
    const uint8_t *body = pkt + 24;
    if (got_ext != ext_len || memcmp(body, ext, ext_len) != 0) {
        return part_differs(err, "extras", body, got_ext, ext, ext_len);
    }
    if (got_key != key_len || memcmp(body + got_ext, key, key_len) != 0) {
        return part_differs(err, "key", body + got_ext, got_key, key,
                            key_len);
    }
    size_t got_val = got_body - got_key - got_ext;
    const uint8_t *v = body + got_ext + got_key;
    if (got_val != val_len || memcmp(v, val, val_len) != 0) {
        return part_differs(err, "value", v, got_val, val, val_len);
    }
    return true;
}
