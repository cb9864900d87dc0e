/* client_check.c - counts and records the client rule findings of strict
 * mode; proto/client_lint.c decides them. */
#include "client_check.h"

#include <stdio.h>
#include <string.h>

#include "../common/check.h"

static const char *const clauses[CLIENT_RULE_COUNT] = {
#define CLIENT_RULE_ID(name, id) [CLIENT_##name] = id,
    CLIENT_RULES(CLIENT_RULE_ID)
#undef CLIENT_RULE_ID
};

const char *
client_rule_clause(enum client_rule rule)
{
    CHECK((unsigned)rule < CLIENT_RULE_COUNT);
    return clauses[rule];
}

void
client_check_init(struct client_check *c, bool reject)
{
    memset(c, 0, sizeof *c);
    c->reject = reject;
}

void
client_check_escape(char *out, size_t out_len, const uint8_t *bytes,
                    size_t len)
{
    CHECK(out_len >= 8);
    size_t n = 0;
    size_t room = out_len - 4; /* "..." and the NUL */
    for (size_t i = 0; i < len; i++) {
        char piece[8];
        uint8_t b = bytes[i];
        size_t k;
        if (b == '\r') {
            k = (size_t)snprintf(piece, sizeof piece, "\\r");
        } else if (b == '\n') {
            k = (size_t)snprintf(piece, sizeof piece, "\\n");
        } else if (b == '\\' || b == '"') {
            k = (size_t)snprintf(piece, sizeof piece, "\\%c", b);
        } else if (b < 0x20 || b >= 0x7f) {
            k = (size_t)snprintf(piece, sizeof piece, "\\u%04x", b);
        } else {
            piece[0] = (char)b;
            k = 1;
        }
        if (n + k > room) {
            memcpy(out + n, "...", 3);
            n += 3;
            break;
        }
        memcpy(out + n, piece, k);
        n += k;
    }
    out[n] = '\0';
}

void
client_check_escape_hex(char *out, size_t out_len, const uint8_t *bytes,
                        size_t len)
{
    static const char digits[] = "0123456789abcdef";
    CHECK(out_len >= 8);
    size_t n = 0;
    size_t room = out_len - 4; /* "..." and the NUL */
    for (size_t i = 0; i < len; i++) {
        size_t k = i > 0 && i % 4 == 0 ? 3 : 2;
        if (n + k > room) {
            memcpy(out + n, "...", 3);
            n += 3;
            break;
        }
        if (k == 3) {
            out[n++] = ' ';
        }
        out[n++] = digits[bytes[i] >> 4];
        out[n++] = digits[bytes[i] & 15];
    }
    out[n] = '\0';
}

typedef void (*escape_fn)(char *out, size_t out_len, const uint8_t *bytes,
                          size_t len);

static void
record(struct client_check *c, uint32_t rules, uint64_t conn,
       uint64_t request, const uint8_t *bytes, size_t len, escape_fn escape)
{
    CHECK(c != NULL);
    for (unsigned r = 0; r < CLIENT_RULE_COUNT; r++) {
        if ((rules & (1u << r)) == 0) {
            continue;
        }
        c->counts[r]++;
        c->total++;
        if (c->sink != NULL) {
            struct client_finding f = {.rule = (enum client_rule)r,
                                       .conn = conn,
                                       .request = request};
            escape(f.excerpt, sizeof f.excerpt, bytes, len);
            c->sink(c->sink_ctx, &f);
        }
    }
}

void
client_check_record(struct client_check *c, uint32_t rules, uint64_t conn,
                    uint64_t request, const uint8_t *bytes, size_t len)
{
    record(c, rules, conn, request, bytes, len, client_check_escape);
}

void
client_check_record_binary(struct client_check *c, uint32_t rules,
                           uint64_t conn, uint64_t request,
                           const uint8_t *bytes, size_t len)
{
    record(c, rules, conn, request, bytes, len, client_check_escape_hex);
}
