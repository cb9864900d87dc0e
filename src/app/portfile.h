/*
 * portfile.h - memcached's ports file: with MEMCACHED_PORT_FILENAME set, a
 * server that listens on TCP writes each listener's port there, so a test
 * harness that started it with -p -1 (any free port) can read the port back.
 *
 * The format is memcached 1.6.18's: one line per TCP listener,
 * "TCP INET: <port>" or "TCP INET6: <port>", written to "<file>.lck" and
 * renamed to <file> once complete, so a reader never sees half of it. The
 * file is left in place at exit, as memcached leaves it.
 */
#ifndef MCREF_PORTFILE_H
#define MCREF_PORTFILE_H

#include <stdbool.h>

#include "../net/listen.h"

enum { PORTFILE_ERR_MAX = 256 };

/* The name of the environment variable memcached reads. */
#define PORTFILE_ENV "MEMCACHED_PORT_FILENAME"

/* Writes the TCP listeners of ls to path (unix sockets are not listed).
 * False, with a message in err, when the file cannot be written. */
bool portfile_write(const char *path, const struct listeners *ls,
                    char err[PORTFILE_ERR_MAX]);

#endif
