/* authfile.c - `user:password` lines read once at start-up. */
#include "authfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/limits.h"

static bool
fail(char err[AUTHFILE_ERR_MAX], struct authfile *a, const char *path,
     const char *what, size_t line)
{
    if (line > 0) {
        snprintf(err, AUTHFILE_ERR_MAX, "mcref: password file %s, line %zu: %s",
                 path, line, what);
    } else {
        snprintf(err, AUTHFILE_ERR_MAX, "mcref: password file %s: %s", path,
                 what);
    }
    authfile_free(a);
    return false;
}

/* Reads the whole file; NULL (errno set, or EFBIG) on failure. */
static unsigned char *
read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    unsigned char *buf = malloc(LIMIT_AUTHFILE_SIZE + 1);
    if (buf == NULL) {
        fclose(f);
        return NULL;
    }
    size_t n = fread(buf, 1, LIMIT_AUTHFILE_SIZE + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > LIMIT_AUTHFILE_SIZE) {
        free(buf);
        errno = bad ? EIO : EFBIG;
        return NULL;
    }
    *len = n;
    return buf;
}

bool
authfile_load(const char *path, struct authfile *out,
              char err[AUTHFILE_ERR_MAX])
{
    memset(out, 0, sizeof *out);
    size_t len = 0;
    out->text = read_all(path, &len);
    if (out->text == NULL) {
        return fail(err, out, path, strerror(errno), 0);
    }
    size_t lines = 1;
    for (size_t i = 0; i < len; i++) {
        lines += out->text[i] == '\n';
    }
    out->users = calloc(lines, sizeof *out->users);
    if (out->users == NULL) {
        return fail(err, out, path, "out of memory", 0);
    }
    size_t count = 0;
    size_t line_no = 0;
    for (size_t pos = 0; pos < len;) {
        line_no++;
        unsigned char *start = out->text + pos;
        unsigned char *nl = memchr(start, '\n', len - pos);
        size_t line_len = nl != NULL ? (size_t)(nl - start) : len - pos;
        pos += line_len + (nl != NULL);
        if (line_len > 0 && start[line_len - 1] == '\r') {
            line_len--;
        }
        if (line_len == 0) {
            continue; /* blank lines are allowed */
        }
        unsigned char *colon = memchr(start, ':', line_len);
        if (colon == NULL) {
            return fail(err, out, path, "no ':' between user and password",
                        line_no);
        }
        size_t user_len = (size_t)(colon - start);
        size_t pass_len = line_len - user_len - 1;
        if (user_len == 0) {
            return fail(err, out, path, "empty user name", line_no);
        }
        if (user_len > LIMIT_AUTH_FIELD_LEN ||
            pass_len > LIMIT_AUTH_FIELD_LEN) {
            return fail(err, out, path, "user or password too long", line_no);
        }
        out->users[count++] = (struct auth_user){start, user_len, colon + 1,
                                                 pass_len};
    }
    if (count == 0) {
        return fail(err, out, path, "no user:password line", 0);
    }
    out->table.users = out->users;
    out->table.count = count;
    return true;
}

void
authfile_free(struct authfile *a)
{
    if (a->text != NULL) {
        /* volatile: the wipe is not optimised away. */
        volatile unsigned char *t = a->text;
        for (size_t i = 0; i <= LIMIT_AUTHFILE_SIZE; i++) {
            t[i] = 0;
        }
    }
    free(a->text);
    free(a->users);
    memset(a, 0, sizeof *a);
}
