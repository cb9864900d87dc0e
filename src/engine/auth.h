/*
 * auth.h - the credentials a server accepts, and their checks ([auth.*]).
 *
 * The application reads the password file (memcached's MEMCACHED_SASL_PWDB
 * format, lines `user:password`) and hands the engine this table as data;
 * the engine never reads files. Checks take the same time whatever the
 * bytes compared, and nothing here logs.
 */
#ifndef MCREF_AUTH_H
#define MCREF_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/limits.h"

struct auth_user {
    const uint8_t *user;
    size_t user_len;
    const uint8_t *pass;
    size_t pass_len;
};

struct auth_table {
    const struct auth_user *users;
    size_t count;
};

/* Whether user/pass is one of the table's pairs, in time that depends only
 * on the table's size. */
bool auth_check(const struct auth_table *t, const uint8_t *user,
                size_t user_len, const uint8_t *pass, size_t pass_len);

/* [auth.sasl-plain]: checks SASL PLAIN data (`authzid NUL user NUL pass`;
 * the authzid, when given, must be the user). False when malformed. */
bool auth_plain(const struct auth_table *t, const uint8_t *data, size_t len);

/* [auth.ascii]: the outcomes of an ascii authentication's data. */
enum auth_result {
    AUTH_OK,
    AUTH_FAILED,     /* well formed, not a known pair */
    AUTH_BAD_FORMAT, /* fewer than two space-separated tokens */
};

/* Checks `user password` (tokens split by spaces; more are ignored, as in
 * memcached). */
enum auth_result auth_ascii(const struct auth_table *t, const uint8_t *data,
                            size_t len);

#endif
