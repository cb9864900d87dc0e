/* output_check.c - the text and meta protocols' reply grammar, checked. */
#include "output_check.h"

#include <string.h>

static bool
is_digits(const uint8_t *s, size_t n)
{
    if (n == 0 || n > 20) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

static bool
equals(const uint8_t *s, size_t n, const char *word)
{
    return n == strlen(word) && memcmp(s, word, n) == 0;
}

static bool
starts(const uint8_t *s, size_t n, const char *prefix)
{
    size_t p = strlen(prefix);
    return n > p && memcmp(s, prefix, p) == 0;
}

static uint64_t
number(const uint8_t *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    return v;
}

/* Splits a VALUE line's fields after "VALUE "; returns the data length. */
static bool
value_line(const uint8_t *s, size_t n, uint64_t *bytes)
{
    const uint8_t *field[5];
    size_t len[5];
    size_t count = 0;
    size_t i = 0;
    while (i < n && count < 5) {
        size_t start = i;
        while (i < n && s[i] != ' ') {
            i++;
        }
        field[count] = s + start;
        len[count] = i - start;
        count++;
        if (i < n) {
            i++; /* one space between fields */
        }
    }
    if (i != n || (count != 3 && count != 4)) {
        return false;
    }
    if (len[0] == 0 || len[0] > 250 || !is_digits(field[1], len[1]) ||
        !is_digits(field[2], len[2]) ||
        (count == 4 && !is_digits(field[3], len[3]))) {
        return false;
    }
    *bytes = number(field[2], len[2]);
    return true;
}

static bool
fixed_line(const uint8_t *s, size_t n)
{
    static const char *const words[] = {
        "STORED", "NOT_STORED", "EXISTS", "NOT_FOUND", "DELETED", "TOUCHED",
        "END", "OK", "RESET", "ERROR", "ERROR: shutdown not enabled",
        "ERROR Too many open connections", "BADCLASS invalid class id",
        "EN"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (equals(s, n, words[i])) {
            return true;
        }
    }
    /* [stats.cachedump], [admin.mgdump], [admin.cache-memlimit] */
    return starts(s, n, "CLIENT_ERROR ") || starts(s, n, "SERVER_ERROR ") ||
           starts(s, n, "VERSION ") || is_digits(s, n) ||
           starts(s, n, "ITEM ") || starts(s, n, "mg ") ||
           starts(s, n, "MEMLIMIT_");
}

static bool
stat_line(const uint8_t *s, size_t n)
{
    if (!starts(s, n, "STAT ")) {
        return false;
    }
    const uint8_t *name = s + 5;
    const uint8_t *space = memchr(name, ' ', n - 5);
    return space != NULL && space > name && (size_t)(space - s) + 1 < n;
}

/* [meta.commands]: return flags, each a space, a letter and its value (which
 * may be empty: `W`, `b`, `O`). */
static bool
meta_flags(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (s[i] != ' ' || i + 1 >= n) {
            return false;
        }
        uint8_t letter = s[i + 1];
        if (!((letter >= 'a' && letter <= 'z') ||
              (letter >= 'A' && letter <= 'Z'))) {
            return false;
        }
        i += 2;
        while (i < n && s[i] != ' ') {
            /* [key.bytes]: `k` echoes a key as it is (any byte but space,
             * NUL and \n; a binary key as base64, [meta.base64-mark]). */
            if (s[i] == '\0' || s[i] == '\n') {
                return false;
            }
            i++;
        }
    }
    return true;
}

/* The meta codes of §19 that carry no data block. */
static bool
meta_line(const uint8_t *s, size_t n)
{
    static const char *const codes[] = {"HD", "EN", "NF", "NS", "EX"};
    if (equals(s, n, "MN")) {
        return true;
    }
    if (starts(s, n, "ME ")) { /* [meta.me]: the key and key=value fields */
        return true;
    }
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        if (n >= 2 && memcmp(s, codes[i], 2) == 0) {
            return meta_flags(s + 2, n - 2);
        }
    }
    return false;
}

/* "VA <len>[ flags]": the data length. */
static bool
meta_value_line(const uint8_t *s, size_t n, uint64_t *bytes)
{
    size_t i = 0;
    while (i < n && s[i] != ' ') {
        i++;
    }
    if (!is_digits(s, i)) {
        return false;
    }
    *bytes = number(s, i);
    return meta_flags(s + i, n - i);
}

bool
output_check(const uint8_t *out, size_t len, size_t *bad_at, const char **why)
{
    size_t at = 0;
    while (at < len) {
        const uint8_t *line = out + at;
        const uint8_t *nl = memchr(line, '\n', len - at);
        if (nl != NULL && starts(line, (size_t)(nl - line), "key=") &&
            nl[-1] != '\r') {
            at = (size_t)(nl - out) + 1; /* [admin.metadump]: LF only */
            continue;
        }
        if (nl == NULL || nl == line || nl[-1] != '\r') {
            *bad_at = at;
            *why = "a reply line not ended by CRLF";
            return false;
        }
        size_t n = (size_t)(nl - line) - 1;
        size_t next = at + n + 2;
        bool meta_value = starts(line, n, "VA ");
        if (starts(line, n, "VALUE ") || meta_value) {
            uint64_t bytes = 0; /* gcc -O1 cannot see both paths set it */
            if (meta_value ? !meta_value_line(line + 3, n - 3, &bytes)
                           : !value_line(line + 6, n - 6, &bytes)) {
                *bad_at = at;
                *why = "a malformed VALUE line";
                return false;
            }
            if (bytes + 2 > len - next) {
                *bad_at = at;
                *why = "a VALUE block cut short";
                return false;
            }
            if (out[next + bytes] != '\r' || out[next + bytes + 1] != '\n') {
                *bad_at = next + bytes;
                *why = "a VALUE block whose data is not followed by CRLF";
                return false;
            }
            next += bytes + 2;
        } else if (!fixed_line(line, n) && !stat_line(line, n) &&
                   !meta_line(line, n)) {
            *bad_at = at;
            *why = "an unknown reply line";
            return false;
        }
        at = next;
    }
    return true;
}
