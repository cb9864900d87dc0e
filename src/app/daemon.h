/*
 * daemon.h - the process side: detaching (-d), the pid file (-P), dropping
 * root (-u), and resource limits (-c, -r, -k).
 *
 * Failures return false with a message in err; exiting is main's call.
 */
#ifndef MCREF_DAEMON_H
#define MCREF_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { DAEMON_ERR_MAX = 256 };

/*
 * Detaches from the terminal: forks, and the parent waits until the child
 * calls daemon_ready() (exiting 0) or dies (exiting 1). The child starts a
 * new session, moves to /, and points stdin (and stdout, stderr unless
 * keep_stderr) at /dev/null. Returns in the child only.
 */
bool daemon_detach(bool keep_stderr, char err[DAEMON_ERR_MAX]);

/* Tells a waiting parent that the daemon is up. No-op without -d. */
void daemon_ready(void);

/* Write the pid file; main calls it after giving up root (-u), as memcached
 * does, so that the same user can remove it at exit. */
bool daemon_write_pidfile(const char *path, char err[DAEMON_ERR_MAX]);

/* Removes it (NULL or already gone: true). A failure is reported on stderr
 * whatever the verbosity, and to syslog when -d sent stderr to /dev/null. */
bool daemon_remove_pidfile(const char *path);

/* Becomes `user` (uid, gid and supplementary groups). */
bool daemon_become(const char *user, char err[DAEMON_ERR_MAX]);

/* Whether the process runs as root. */
bool daemon_is_root(void);

/* Raises the open-file limit to fit maxconns connections and our own fds. */
bool daemon_fit_files(uint32_t maxconns, char err[DAEMON_ERR_MAX]);

/* -r: core files as large as allowed. */
void daemon_enable_cores(void);

/* -k: locks memory; false (a warning, as memcached) when not permitted. */
bool daemon_lock_memory(char err[DAEMON_ERR_MAX]);

/*
 * Routes SIGTERM, SIGINT and SIGUSR1 into a pipe: each one delivered writes
 * its number as one byte, for the event loop to read from the returned fd.
 * Ignores SIGPIPE and SIGHUP. Returns -1 (with err) on failure.
 */
int daemon_signal_pipe(char err[DAEMON_ERR_MAX]);

#endif
