/*
 * conform_bytes.h - byte strings of the case language: growable buffers,
 * quoted strings with C escapes, `*N` repeats and ${var} references,
 * variables, and the escaped form used to show bytes in reports.
 *
 * No I/O. Everything is bounded by conform_limits.h; a string that would
 * grow past its bound is an error, never a truncation.
 */
#ifndef CONFORM_BYTES_H
#define CONFORM_BYTES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conform_limits.h"

/* A growable byte buffer. Zero-initialised is empty; owns data. */
struct conform_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

/*
 * Appends n bytes; false (b unchanged) when the result would exceed max
 * bytes or memory runs out. data is always NUL-terminated past len, so a
 * buffer of text can be handed to libc string functions.
 */
bool conform_buf_append(struct conform_buf *b, const void *p, size_t n,
                        size_t max);
/* Forgets the contents, keeps the memory. */
void conform_buf_reset(struct conform_buf *b);
/* Frees the memory; b is then empty. */
void conform_buf_free(struct conform_buf *b);

/* One piece of a quoted string: literal bytes, or the name of a variable. */
struct conform_piece {
    bool is_var;
    uint8_t *data;      /* owned; literal bytes or the name (NUL-ended) */
    size_t len;
};

/* One "quoted string", possibly followed by *repeat. */
struct conform_quoted {
    struct conform_piece *pieces;
    size_t piece_count;
    uint32_t repeat;    /* 1 without *N; 0 is allowed (contributes nothing) */
};

/* A list of quoted strings, concatenated when expanded. */
struct conform_bytes {
    struct conform_quoted *strs;
    size_t str_count;
    uint64_t static_len; /* length of the literal pieces, repeats included */
    bool has_vars;
};

/*
 * Parses text[0, len): one or more quoted strings separated by spaces or
 * tabs, each optionally followed (without a space) by *N. Escapes: \r \n
 * \t \0 \\ \" \$ and \xNN; ${name} refers to a variable. On success out
 * owns its memory (free with conform_bytes_free). On failure out is empty
 * and err says what is wrong and at which column (1-based within text).
 */
bool conform_bytes_parse(const char *text, size_t len,
                         struct conform_bytes *out,
                         char err[CONFORM_ERR_LEN]);
/* Frees b's memory; safe on a zeroed or already freed b. */
void conform_bytes_free(struct conform_bytes *b);

/* A variable name is [A-Za-z_][A-Za-z0-9_]*, 1..CONFORM_VAR_NAME_LEN_MAX. */
bool conform_var_name_valid(const char *name, size_t len);

struct conform_var {
    char name[CONFORM_VAR_NAME_LEN_MAX + 1];
    uint8_t value[CONFORM_VAR_VALUE_LEN_MAX];
    size_t value_len;
};

/* The variables of one running case. Fixed size; no allocation. */
struct conform_vars {
    struct conform_var vars[CONFORM_VARS_MAX];
    size_t count;
};

void conform_vars_init(struct conform_vars *v);
/* Sets or replaces name; false when the table is full or value too long. */
bool conform_vars_set(struct conform_vars *v, const char *name,
                      const uint8_t *value, size_t value_len);
/* The variable called name[0, name_len), or NULL. */
const struct conform_var *conform_vars_get(const struct conform_vars *v,
                                           const char *name,
                                           size_t name_len);

/*
 * Appends the expansion of b to out (which is not reset first). False with
 * err set when a variable is undefined or the result would pass
 * CONFORM_BYTES_MAX.
 */
bool conform_bytes_expand(const struct conform_bytes *b,
                          const struct conform_vars *v,
                          struct conform_buf *out,
                          char err[CONFORM_ERR_LEN]);

/*
 * Appends text with every ${name} replaced by the variable's value (other
 * bytes, a lone $ included, are copied). For regexes, stat values and
 * connection names. False with err set on an undefined variable, a bad
 * ${...}, or a result longer than max.
 */
bool conform_text_expand(const char *text, size_t len,
                         const struct conform_vars *v, struct conform_buf *out,
                         size_t max, char err[CONFORM_ERR_LEN]);

/*
 * Writes data[0, len) into out (NUL-terminated, at most out_cap bytes with
 * the NUL) in the case language's own syntax: "quoted" with escapes, runs
 * of 8 or more equal bytes as "x"*N. What does not fit is replaced by
 * " ...(+N bytes)". out_cap must be at least 48. Returns the length
 * written (without the NUL).
 */
size_t conform_escape(const uint8_t *data, size_t len, char *out,
                      size_t out_cap);

#endif
