/* decimal.c - decimal parsing and formatting with memcached's acceptance rules. */
#include "decimal.h"

#include "check.h"
#include "limits.h"

static bool
is_space_byte(uint8_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/*
 * Scans [s, s+len) as strtoull would, returning the magnitude and whether a
 * '-' was seen. *overflow is set when the digits exceed 64 bits. Returns false
 * when there is no digit, or when the digits are followed by a byte other than
 * whitespace or NUL.
 */
static bool
scan_digits(const uint8_t *s, size_t len, uint64_t *magnitude, bool *negative,
            bool *overflow)
{
    size_t i = 0;
    while (i < len && is_space_byte(s[i])) {
        i++;
    }
    *negative = false;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        *negative = s[i] == '-';
        i++;
    }
    size_t first_digit = i;
    uint64_t value = 0;
    *overflow = false;
    /* 19 digits always fit in 64 bits: no overflow test for those (every
     * request's numbers pass here, most of them short). */
    size_t safe_end = len - i > 19 ? i + 19 : len;
    while (i < safe_end && s[i] >= '0' && s[i] <= '9') {
        value = value * 10 + (uint64_t)(s[i] - '0');
        i++;
    }
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        uint64_t digit = (uint64_t)(s[i] - '0');
        if (value > (UINT64_MAX - digit) / 10) {
            *overflow = true;
        } else {
            value = value * 10 + digit;
        }
        i++;
    }
    if (i == first_digit) {
        return false;
    }
    if (i < len && !is_space_byte(s[i]) && s[i] != '\0') {
        return false;
    }
    *magnitude = value;
    return true;
}

/*
 * The common case, decided first: 1 to 18 bytes, all digits. Such a value is
 * below 10^18, so it is what scan_digits would give, with no sign, overflow
 * or range question. False means "not this case", not "malformed".
 */
static bool
short_digits(const uint8_t *s, size_t len, uint64_t *value)
{
    if (len == 0 || len > 18) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)s[i] - '0';
        if (d > 9) {
            return false;
        }
        v = v * 10 + d;
    }
    *value = v;
    return true;
}

bool
decimal_parse_u64(const uint8_t *s, size_t len, uint64_t *out)
{
    CHECK(s != NULL);
    CHECK(out != NULL);
    if (short_digits(s, len, out)) {
        return true;
    }
    uint64_t magnitude;
    bool negative;
    bool overflow;
    if (!scan_digits(s, len, &magnitude, &negative, &overflow) || overflow) {
        return false;
    }
    uint64_t value = negative ? (uint64_t)0 - magnitude : magnitude;
    /* memcached refuses a '-' only when the result is negative as signed. */
    if (negative && value > (uint64_t)INT64_MAX) {
        return false;
    }
    *out = value;
    return true;
}

bool
decimal_parse_i64(const uint8_t *s, size_t len, int64_t *out)
{
    CHECK(s != NULL);
    CHECK(out != NULL);
    uint64_t v;
    if (short_digits(s, len, &v)) {
        *out = (int64_t)v;
        return true;
    }
    uint64_t magnitude;
    bool negative;
    bool overflow;
    if (!scan_digits(s, len, &magnitude, &negative, &overflow) || overflow) {
        return false;
    }
    if (negative) {
        if (magnitude > (uint64_t)INT64_MAX + 1) {
            return false;
        }
        *out = magnitude == (uint64_t)INT64_MAX + 1
                   ? INT64_MIN
                   : -(int64_t)magnitude;
    } else {
        if (magnitude > (uint64_t)INT64_MAX) {
            return false;
        }
        *out = (int64_t)magnitude;
    }
    return true;
}

size_t
decimal_len_u64(uint64_t v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

size_t
decimal_format_u64(uint64_t v, uint8_t *buf)
{
    CHECK(buf != NULL);
    size_t n = decimal_len_u64(v);
    CHECK(n <= LIMIT_U64_DIGITS);
    for (size_t i = n; i > 0; i--) {
        buf[i - 1] = (uint8_t)('0' + v % 10);
        v /= 10;
    }
    return n;
}
