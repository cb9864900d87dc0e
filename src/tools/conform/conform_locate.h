/*
 * conform_locate.h - where mcref-conform finds spec/cases when neither
 * --cases nor $MCREF_CONFORM_CASES says.
 *
 * In order: the installed data directory next to the binary
 * (<bin>/../share/mcref/cases, so any PREFIX works), the data directory
 * compiled in (CONFORM_DATADIR, /usr/local/share/mcref/cases unless the
 * build says otherwise), the source tree around a built binary
 * (<bin>/../../spec/cases for build/<profile>/mcref-conform), and last
 * ./spec/cases. The first that holds a .case file wins.
 */
#ifndef MCREF_CONFORM_LOCATE_H
#define MCREF_CONFORM_LOCATE_H

#include <stdbool.h>
#include <stddef.h>

#ifndef CONFORM_DATADIR
#define CONFORM_DATADIR "/usr/local/share/mcref"
#endif

enum { CONFORM_PATH_MAX = 4096, CONFORM_LOCATE_CANDIDATES = 4 };

/*
 * Fills candidates[] with the places to look, for a binary at exe_path
 * (NULL when unknown: the relative ones are left out). Returns how many.
 */
size_t conform_locate_candidates(const char *exe_path,
                                 char candidates[][CONFORM_PATH_MAX]);

/*
 * The first candidate that holds a .case file, copied to out. False when
 * none does; then `tried` lists them, one per line, for the message.
 */
bool conform_locate_cases(const char *exe_path, char out[CONFORM_PATH_MAX],
                          char *tried, size_t tried_len);

#endif
