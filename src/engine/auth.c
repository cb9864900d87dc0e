/* auth.c - credential checks in constant time ([auth.constant-time]). */
#include "auth.h"

#include <string.h>

#include "../common/check.h"
#include "../common/limits.h"

/* 0 when a[0..alen) equals b[0..blen), without branching on the bytes:
 * always LIMIT_AUTH_FIELD_LEN steps. */
static unsigned
differs(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    unsigned diff =
        (unsigned)(alen != blen) | (unsigned)(alen > LIMIT_AUTH_FIELD_LEN);
    for (size_t i = 0; i < LIMIT_AUTH_FIELD_LEN; i++) {
        uint8_t x = i < alen ? a[i] : 0;
        uint8_t y = i < blen ? b[i] : 0;
        diff |= (unsigned)(x ^ y);
    }
    return diff;
}

bool
auth_check(const struct auth_table *t, const uint8_t *user, size_t user_len,
           const uint8_t *pass, size_t pass_len)
{
    CHECK(t != NULL);
    unsigned found = 0;
    for (size_t i = 0; i < t->count; i++) {
        const struct auth_user *u = &t->users[i];
        unsigned d = differs(u->user, u->user_len, user, user_len) |
                     differs(u->pass, u->pass_len, pass, pass_len);
        found |= (unsigned)(d == 0);
    }
    return found != 0;
}

bool
auth_plain(const struct auth_table *t, const uint8_t *data, size_t len)
{
    const uint8_t *nul1 = memchr(data, 0, len);
    if (nul1 == NULL) {
        return false;
    }
    size_t authz_len = (size_t)(nul1 - data);
    const uint8_t *user = nul1 + 1;
    size_t rest = len - authz_len - 1;
    const uint8_t *nul2 = memchr(user, 0, rest);
    if (nul2 == NULL) {
        return false;
    }
    size_t user_len = (size_t)(nul2 - user);
    const uint8_t *pass = nul2 + 1;
    size_t pass_len = rest - user_len - 1;
    if (authz_len > 0 &&
        (authz_len != user_len || memcmp(data, user, user_len) != 0)) {
        return false;
    }
    return auth_check(t, user, user_len, pass, pass_len);
}

/* The next space-separated token of data[*pos..len); false when none. */
static bool
next_token(const uint8_t *data, size_t len, size_t *pos, size_t *start,
           size_t *tok_len)
{
    while (*pos < len && data[*pos] == ' ') {
        (*pos)++;
    }
    *start = *pos;
    while (*pos < len && data[*pos] != ' ') {
        (*pos)++;
    }
    *tok_len = *pos - *start;
    return *tok_len > 0;
}

enum auth_result
auth_ascii(const struct auth_table *t, const uint8_t *data, size_t len)
{
    size_t pos = 0;
    size_t user;
    size_t user_len;
    size_t pass;
    size_t pass_len;
    if (!next_token(data, len, &pos, &user, &user_len) ||
        !next_token(data, len, &pos, &pass, &pass_len)) {
        return AUTH_BAD_FORMAT;
    }
    return auth_check(t, data + user, user_len, data + pass, pass_len)
               ? AUTH_OK
               : AUTH_FAILED;
}
