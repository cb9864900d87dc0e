/*
 * authfile.h - a password file read into an auth table ([auth.file]).
 *
 * The format is memcached's (MEMCACHED_SASL_PWDB for -S, the -Y file):
 * one `user:password` per line; the password is everything after the first
 * ':' (a trailing "\r" dropped). An empty or unreadable file, a line
 * without ':', an empty user or a field over LIMIT_AUTH_FIELD_LEN bytes is an
 * error naming the file and the line, never the credentials.
 */
#ifndef MCREF_AUTHFILE_H
#define MCREF_AUTHFILE_H

#include <stddef.h>

#include "../engine/auth.h"

#include "../common/limits.h"

#define AUTHFILE_ERR_MAX 512u

struct authfile {
    struct auth_table table;  /* points into users and text */
    struct auth_user *users;
    unsigned char *text;
};

/* Loads path into *out; false with a message in err. */
bool authfile_load(const char *path, struct authfile *out,
                   char err[AUTHFILE_ERR_MAX]);

/* Frees what authfile_load kept, wiping the credentials first. */
void authfile_free(struct authfile *a);

#endif
