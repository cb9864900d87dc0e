/*
 * bench_sys.c - clock, /proc and rlimit helpers for mcref-bench; see
 * bench_sys.h.
 */
#include "bench_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench_keys.h"
#include "bench_limits.h"

uint64_t
bench_sys_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t
bench_sys_entropy(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t s = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    s ^= (uint64_t)getpid() << 32;
    return bench_splitmix64(&s);
}

void
bench_sys_sleep_ms(uint64_t ms)
{
    struct timespec ts = {
        .tv_sec = (time_t)(ms / 1000),
        .tv_nsec = (long)(ms % 1000) * 1000000L,
    };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Reads /proc/PID/<name> whole into buf (NUL-terminated). */
static bool
read_proc(long pid, const char *name, char buf[BENCH_PROC_READ_MAX])
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/%s", pid, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    size_t len = 0;
    while (len < BENCH_PROC_READ_MAX - 1) {
        ssize_t n = read(fd, buf + len, BENCH_PROC_READ_MAX - 1 - len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    return len > 0;
}

bool
bench_sys_cpu(long pid, struct bench_cpu *cpu)
{
    char buf[BENCH_PROC_READ_MAX];
    if (!read_proc(pid, "stat", buf)) {
        return false;
    }
    /* The command name (field 2) may hold spaces and parentheses; the
       fields after the last ')' are plain numbers. */
    char *p = strrchr(buf, ')');
    if (p == NULL) {
        return false;
    }
    /* After ')' come fields 3 (state), 4, ... ; utime and stime are
       fields 14 and 15, the 12th and 13th tokens. */
    unsigned long long utime = 0, stime = 0;
    int found = 0;
    char *save = NULL;
    char *tok = strtok_r(p + 1, " ", &save);
    for (int field = 3; tok != NULL && field <= 15; field++) {
        if (field == 14 || field == 15) {
            char *end;
            unsigned long long v = strtoull(tok, &end, 10);
            if (end == tok) {
                return false;
            }
            *(field == 14 ? &utime : &stime) = v;
            found++;
        }
        tok = strtok_r(NULL, " ", &save);
    }
    long ticks = sysconf(_SC_CLK_TCK);
    if (found != 2 || ticks <= 0) {
        return false;
    }
    cpu->user_us = utime * 1000000ull / (unsigned long long)ticks;
    cpu->sys_us = stime * 1000000ull / (unsigned long long)ticks;
    return true;
}

bool
bench_sys_rss_bytes(long pid, uint64_t *rss_bytes)
{
    char buf[BENCH_PROC_READ_MAX];
    if (!read_proc(pid, "status", buf)) {
        return false;
    }
    const char *p = strstr(buf, "\nVmRSS:");
    unsigned long long kib;
    if (p == NULL || sscanf(p + 7, " %llu kB", &kib) != 1) {
        return false;
    }
    *rss_bytes = kib * 1024ull;
    return true;
}

bool
bench_sys_raise_nofile(uint64_t fd_count)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        return false;
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= fd_count) {
        return true;
    }
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < fd_count) {
        rl.rlim_max = fd_count; /* only a privileged process may */
    }
    rl.rlim_cur = fd_count;
    return setrlimit(RLIMIT_NOFILE, &rl) == 0;
}
