/* cc_run.c - start mcref, run the command, stop mcref, read the report. */
#include "cc_run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
    START_WAIT_MS = 5000, /* the server writes its ports file by then */
    STOP_WAIT_MS = 3000,  /* SIGTERM, then SIGKILL */
    POLL_MS = 10,
};

static uint64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits up to ms for pid; true (status set) when it ended. */
static bool
wait_for(pid_t pid, uint64_t ms, int *status)
{
    uint64_t until = now_ms() + ms;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR)) {
            return true;
        }
        if (now_ms() >= until) {
            return false;
        }
        sleep_ms(POLL_MS);
    }
}

static void
stop(pid_t pid, bool group)
{
    int status;
    kill(group ? -pid : pid, SIGTERM);
    if (!wait_for(pid, STOP_WAIT_MS, &status)) {
        kill(group ? -pid : pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
}

/* The port from a "TCP INET: <port>" line of the ports file, or 0. */
static unsigned
read_port(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    char line[128];
    unsigned port = 0;
    while (port == 0 && fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "TCP INET: %u", &port) != 1) {
            port = 0;
        }
    }
    fclose(f);
    return port;
}

/* Why the server did not start: the first line it printed. */
static void
first_line(const char *path, char *out, size_t len)
{
    snprintf(out, len, "the server exited at start");
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return;
    }
    char line[200];
    if (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        snprintf(out, len, "the server exited at start: %s", line);
    }
    fclose(f);
}

static pid_t
start_server(const struct cc_run_config *cfg, const char *ports,
             const char *report, const char *log, char why[256])
{
    char extended[1024];
    int n;
    if (strcmp(cfg->profile, "strict") == 0) {
        n = snprintf(extended, sizeof extended,
                     "client_check%s,client_check_report=%s",
                     cfg->reject ? "=reject" : "", report);
    } else {
        n = snprintf(extended, sizeof extended,
                     "client_check%s,client_check_report=%s,faults=%s,"
                     "fault_seed=%llu",
                     cfg->reject ? "=reject" : "", report, cfg->profile,
                     (unsigned long long)cfg->seed);
    }
    if (n < 0 || (size_t)n >= sizeof extended) {
        snprintf(why, 256, "the server's options are too long");
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, 256, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        setenv("MEMCACHED_PORT_FILENAME", ports, 1);
        char *argv[16];
        int a = 0;
        argv[a++] = (char *)cfg->server;
        argv[a++] = "-p";
        argv[a++] = "-1";
        argv[a++] = "-l";
        argv[a++] = "127.0.0.1";
        argv[a++] = "-U";
        argv[a++] = "0";
        argv[a++] = "-v";
        if (geteuid() == 0) {
            argv[a++] = "-u";
            argv[a++] = "root";
        }
        argv[a++] = "-o";
        argv[a++] = extended;
        argv[a] = NULL;
        execvp(cfg->server, argv);
        fprintf(stderr, "mcref-clientcheck: cannot run %s: %s\n", cfg->server,
                strerror(errno));
        _exit(127);
    }
    return pid;
}

static pid_t
start_command(const struct cc_run_config *cfg, const char *addr)
{
    pid_t pid = fork();
    if (pid != 0) {
        return pid;
    }
    setpgid(0, 0);
    dup2(STDERR_FILENO, STDOUT_FILENO); /* our stdout is the report */
    setenv("MEMCACHED_SERVERS", addr, 1);
    setenv("MCREF_ADDR", addr, 1);
    setenv("MCREF_PROFILE", cfg->profile, 1);
    execvp(cfg->command[0], cfg->command);
    fprintf(stderr, "mcref-clientcheck: cannot run %s: %s\n", cfg->command[0],
            strerror(errno));
    _exit(127);
}

static void
read_report(const char *path, struct cc_tally *t)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n') {
            n--;
        }
        cc_tally_line(t, line, (size_t)n);
    }
    free(line);
    fclose(f);
}

void
cc_run(const struct cc_run_config *cfg, struct cc_run_result *out)
{
    memset(out, 0, sizeof *out);
    cc_tally_init(&out->tally);
    char ports[512], report[512], log[512];
    snprintf(ports, sizeof ports, "%s/%s.ports", cfg->workdir, "server");
    snprintf(report, sizeof report, "%s/report.jsonl", cfg->workdir);
    snprintf(log, sizeof log, "%s/server.log", cfg->workdir);
    unlink(ports);
    unlink(report);
    pid_t server = start_server(cfg, ports, report, log, out->why);
    if (server < 0) {
        out->outcome = CC_SETUP;
        return;
    }
    unsigned port = 0;
    uint64_t until = now_ms() + START_WAIT_MS;
    int status;
    while ((port = read_port(ports)) == 0 && now_ms() < until) {
        if (waitpid(server, &status, WNOHANG) == server) {
            first_line(log, out->why, sizeof out->why);
            out->outcome = CC_SETUP;
            return;
        }
        sleep_ms(POLL_MS);
    }
    if (port == 0) {
        stop(server, false);
        snprintf(out->why, sizeof out->why, "the server did not listen");
        out->outcome = CC_SETUP;
        return;
    }
    snprintf(out->addr, sizeof out->addr, "127.0.0.1:%u", port);
    uint64_t started = now_ms();
    pid_t cmd = start_command(cfg, out->addr);
    if (cmd < 0) {
        stop(server, false);
        snprintf(out->why, sizeof out->why, "fork: %s", strerror(errno));
        out->outcome = CC_SETUP;
        return;
    }
    setpgid(cmd, cmd); /* also here: no race with the child's own call */
    if (wait_for(cmd, (uint64_t)cfg->timeout_s * 1000, &status)) {
        if (WIFEXITED(status)) {
            out->status = WEXITSTATUS(status);
            out->outcome = out->status == 0 ? CC_PASSED : CC_FAILED;
        } else {
            out->status = WIFSIGNALED(status) ? WTERMSIG(status) : -1;
            out->outcome = CC_FAILED;
        }
        kill(-cmd, SIGKILL); /* anything it left behind */
    } else {
        out->outcome = CC_TIMED_OUT;
        stop(cmd, true);
    }
    out->seconds = (double)(now_ms() - started) / 1000.0;
    stop(server, false);
    read_report(report, &out->tally);
}
