/* version.h - mcref's version, and the memcached version it answers as. */
#ifndef MCREF_VERSION_H
#define MCREF_VERSION_H

#define MCREF_VERSION "0.1.0"

/* The memcached release whose protocol and flags mcref follows. */
#define MCREF_PROTOCOL_VERSION "1.6.18"

/* What `version` answers: memcached's number first, for clients that parse
 * it, then mcref's. */
#define MCREF_VERSION_REPLY MCREF_PROTOCOL_VERSION "-mcref-" MCREF_VERSION

#endif
