/* daemon.c - fork and detach, pid file, privileges, limits, signal mask. */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "../common/limits.h"

/* The write end of the pipe the parent waits on, in the child; -1 otherwise.
 * A process-wide fact, so it lives here in app/. */
static int ready_fd = -1;

/* Whether stderr went to /dev/null when detaching (-d without -v): then
 * what must still be said goes to syslog. */
static bool stderr_detached = false;

/* The write end of the signal pipe, for the handler (async-signal-safe). */
static int signal_write_fd = -1;

#ifdef MCREF_COVERAGE
/* gcov's writer: _exit below skips the exit handler that would call it. */
void __gcov_dump(void);
#endif

bool
daemon_detach(bool keep_stderr, char err[DAEMON_ERR_MAX])
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(err, DAEMON_ERR_MAX, "pipe: %s", strerror(errno));
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, DAEMON_ERR_MAX, "failed to daemon() in order to "
                                      "daemonize: %s",
                 strerror(errno));
        return false;
    }
    if (pid > 0) {
        /* The parent: exit 0 once the daemon says it is up. */
        close(fds[1]);
        char byte;
        ssize_t n;
        do {
            n = read(fds[0], &byte, 1);
        } while (n < 0 && errno == EINTR);
#ifdef MCREF_COVERAGE
        __gcov_dump();
#endif
        _exit(n == 1 ? 0 : 1);
    }
    close(fds[0]);
    ready_fd = fds[1];
    if (setsid() < 0 || chdir("/") != 0) {
        snprintf(err, DAEMON_ERR_MAX, "setsid/chdir: %s", strerror(errno));
        return false;
    }
    int null = open("/dev/null", O_RDWR);
    if (null < 0) {
        snprintf(err, DAEMON_ERR_MAX, "/dev/null: %s", strerror(errno));
        return false;
    }
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    if (!keep_stderr) {
        dup2(null, STDERR_FILENO);
        stderr_detached = true;
    }
    if (null > STDERR_FILENO) {
        close(null);
    }
    return true;
}

void
daemon_ready(void)
{
    if (ready_fd >= 0) {
        char byte = 1;
        ssize_t ignored = write(ready_fd, &byte, 1);
        (void)ignored; /* the parent may be gone; nothing to do then */
        close(ready_fd);
        ready_fd = -1;
    }
}

bool
daemon_write_pidfile(const char *path, char err[DAEMON_ERR_MAX])
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        snprintf(err, DAEMON_ERR_MAX, "Could not open the pid file %s for "
                                      "writing: %s",
                 path, strerror(errno));
        return false;
    }
    fprintf(f, "%ld\n", (long)getpid());
    if (fclose(f) != 0) {
        snprintf(err, DAEMON_ERR_MAX, "Could not close the pid file %s: %s",
                 path, strerror(errno));
        return false;
    }
    return true;
}

bool
daemon_remove_pidfile(const char *path)
{
    if (path == NULL || unlink(path) == 0 || errno == ENOENT) {
        return true;
    }
    /* Said at every verbosity: a stale pid file misleads whoever starts
     * the next server. */
    int why = errno;
    fprintf(stderr, "Could not remove the pid file %s: %s\n", path,
            strerror(why));
    if (stderr_detached) {
        openlog("mcref", LOG_PID, LOG_DAEMON);
        syslog(LOG_ERR, "Could not remove the pid file %s: %s", path,
               strerror(why));
        closelog();
    }
    return false;
}

bool
daemon_is_root(void)
{
    return getuid() == 0 || geteuid() == 0;
}

bool
daemon_become(const char *user, char err[DAEMON_ERR_MAX])
{
    struct passwd *pw = getpwnam(user);
    if (pw == NULL) {
        snprintf(err, DAEMON_ERR_MAX, "can't find the user %s to switch to",
                 user);
        return false;
    }
    if (setgroups(0, NULL) != 0 || initgroups(pw->pw_name, pw->pw_gid) != 0 ||
        setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
        snprintf(err, DAEMON_ERR_MAX, "failed to assume identity of user %s: "
                                      "%s",
                 user, strerror(errno));
        return false;
    }
    return true;
}

bool
daemon_fit_files(uint32_t maxconns, char err[DAEMON_ERR_MAX])
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        snprintf(err, DAEMON_ERR_MAX, "getrlimit: %s", strerror(errno));
        return false;
    }
    rlim_t want = (rlim_t)maxconns + LIMIT_OWN_FDS;
    if (rl.rlim_cur >= want) {
        return true;
    }
    rl.rlim_cur = want;
    if (rl.rlim_max < want) {
        rl.rlim_max = want; /* succeeds only as root */
    }
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        snprintf(err, DAEMON_ERR_MAX, "failed to set rlimit for open files. "
                                      "Try starting as root or requesting "
                                      "smaller maxconns value.");
        return false;
    }
    return true;
}

void
daemon_enable_cores(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_CORE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_CORE, &rl);
    }
}

bool
daemon_lock_memory(char err[DAEMON_ERR_MAX])
{
    if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
        snprintf(err, DAEMON_ERR_MAX, "warning: -k invalid, mlockall() failed: "
                                      "%s",
                 strerror(errno));
        return false;
    }
    return true;
}

static void
on_signal(int signo)
{
    int saved = errno;
    uint8_t byte = (uint8_t)signo;
    ssize_t ignored = write(signal_write_fd, &byte, 1);
    (void)ignored; /* a full pipe already holds a pending stop */
    errno = saved;
}

int
daemon_signal_pipe(char err[DAEMON_ERR_MAX])
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        snprintf(err, DAEMON_ERR_MAX, "pipe: %s", strerror(errno));
        return -1;
    }
    signal_write_fd = fds[1];
    struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    struct sigaction ign = {.sa_handler = SIG_IGN};
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0 ||
        sigaction(SIGUSR1, &sa, NULL) != 0 || sigaction(SIGPIPE, &ign, NULL) != 0 ||
        sigaction(SIGHUP, &ign, NULL) != 0) {
        snprintf(err, DAEMON_ERR_MAX, "sigaction: %s", strerror(errno));
        return -1;
    }
    return fds[0];
}
