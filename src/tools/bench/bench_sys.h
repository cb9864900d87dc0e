/*
 * bench_sys.h - what mcref-bench asks of the OS besides sockets: the
 * monotonic clock, a server's CPU time and RSS from /proc, the fd limit.
 *
 * Errors are return values; nothing here prints or exits.
 */
#ifndef BENCH_SYS_H
#define BENCH_SYS_H
#include <stdbool.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in ns. */
uint64_t bench_sys_now_ns(void);

/* CLOCK_REALTIME in ns mixed with the pid: a default seed. */
uint64_t bench_sys_entropy(void);

/* Sleeps ms milliseconds (restarting after signals). */
void bench_sys_sleep_ms(uint64_t ms);

/* CPU time a process has used, in microseconds. */
struct bench_cpu {
    uint64_t user_us;   /* utime: the server's own code */
    uint64_t sys_us;    /* stime: the kernel working for it (sockets, epoll) */
};

/*
 * utime and stime of process pid (all its threads), from /proc/PID/stat.
 * Resolution is one clock tick (usually 10 ms).
 */
bool bench_sys_cpu(long pid, struct bench_cpu *cpu);

/* VmRSS of process pid in bytes, from /proc/PID/status. */
bool bench_sys_rss_bytes(long pid, uint64_t *rss_bytes);

/*
 * Makes sure RLIMIT_NOFILE allows fd_count descriptors, raising the soft
 * limit and, when that is not enough and we may, the hard one.
 */
bool bench_sys_raise_nofile(uint64_t fd_count);

#endif
