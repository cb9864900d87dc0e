/*
 * soak.c - a verifying load generator for long runs (make soak, make test).
 *
 * Many connections on one epoll loop, each with its own key space, so the
 * exact bytes of every reply are known in advance: the client keeps a model
 * of its keys (value, flags, version), writes a pipelined batch, and appends
 * the reply each request must get to an "expected" buffer; what the server
 * sends is compared byte for byte. Roles: active (pipelined batches, short
 * think time), slow readers (pipelined gets of a large value, read at a
 * bounded byte rate), idle (a batch every 5-25 s), churning (a few batches,
 * close, reconnect; the key space survives in the server). A text
 * connection mixes text and meta commands; a share of the connections
 * (--binary-pct) speak the binary protocol from their first byte, in the
 * same roles (soak_binary.c builds their batches). The model and its
 * structures are in soak.h; this file has the text and meta batches, the
 * comparison (misses of evicted items, CAS captures), the connections and
 * the main loop.
 *
 * With --server-pid the server's RSS is sampled every second; after the
 * warm-up (--warmup seconds) its growth must stay under --rss-growth-kb.
 * Exit status 0 only when no reply differed, nothing stalled, no connection
 * failed, and memory stayed flat.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "soak.h"

static const char *const role_names[] = {"active", "slow", "idle", "churn"};

/* ---- helpers ----------------------------------------------------------- */

static uint64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

uint64_t
rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return mix64(*s);
}

uint32_t
rnd_below(uint64_t *s, uint32_t n)
{
    return (uint32_t)(rnd(s) % n);
}

void
buf_reserve(struct buf *b, size_t more)
{
    if (b->len + more <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more) {
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (p == NULL) {
        fprintf(stderr, "soak: out of memory\n");
        exit(2);
    }
    b->p = p;
    b->cap = cap;
}

void
buf_add(struct buf *b, const void *data, size_t n)
{
    if (n == 0) {
        return; /* data may be NULL then */
    }
    buf_reserve(b, n);
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

__attribute__((format(printf, 2, 3))) static void
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[512];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        fprintf(stderr, "soak: line too long\n");
        exit(2);
    }
    buf_add(b, tmp, (size_t)n);
}

void
buf_clear(struct buf *b)
{
    b->len = 0;
    b->off = 0;
}

struct conn;
static void rec_add(struct conn *c, int slot, size_t start, const char *alt,
                    bool is_store);

__attribute__((format(printf, 3, 4))) static void
fail(struct soak *s, struct conn *c, const char *fmt, ...)
{
    s->st.errors++;
    if (s->st.errors > MAX_ERRORS_SHOWN) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "soak: ERROR conn %u (%s): ", c ? c->id : 0,
            c ? role_names[c->role] : "-");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- the model: keys and values ------------------------------------------ */

size_t
key_of(const struct conn *c, int slot, char *out, size_t cap)
{
    int n = slot == -1   ? snprintf(out, cap, "soak:%u:big", c->id)
            : slot == -2 ? snprintf(out, cap, "soak:%u:n", c->id)
                         : snprintf(out, cap, "soak:%u:%d", c->id, slot);
    return (size_t)n;
}

size_t
value_len(const struct conn *c, int slot, uint32_t version)
{
    if (slot == -1) {
        return BIG_VALUE - (version % 7);
    }
    uint64_t h = mix64(((uint64_t)c->id << 32) ^ ((uint64_t)slot << 24) ^
                       version);
    return (size_t)(h % VALUE_MAX); /* 0 included: empty values too */
}

/* Every byte value, CR and LF included: values are binary-safe. */
void
value_fill(const struct conn *c, int slot, uint32_t version, char *out,
           size_t n)
{
    uint64_t st = mix64(((uint64_t)c->id << 32) ^
                        ((uint64_t)(slot + 3) << 20) ^ version ^ 0x5eed);
    for (size_t i = 0; i < n; i += 8) {
        uint64_t r = rnd(&st);
        size_t k = n - i < 8 ? n - i : 8;
        memcpy(out + i, &r, k);
    }
}

struct slot *
slot_of(struct conn *c, int slot)
{
    return slot == -1 ? &c->big : &c->slots[slot];
}

/* The VALUE block of a text get for `slot` as the model has it. */
static void
expect_value_text(struct soak *s, struct conn *c, int slot, bool with_end)
{
    struct slot *sl = slot_of(c, slot);
    char key[64];
    key_of(c, slot, key, sizeof key);
    if (sl->exists) {
        size_t start = c->exp.len;
        size_t n = value_len(c, slot, sl->version);
        value_fill(c, slot, sl->version, s->big_cache, n);
        buf_printf(&c->exp, "VALUE %s %u %zu\r\n", key, sl->flags, n);
        buf_add(&c->exp, s->big_cache, n);
        buf_add(&c->exp, "\r\n", 2);
        rec_add(c, slot, start, "", false);
    }
    if (with_end) {
        buf_add(&c->exp, "END\r\n", 5);
    }
}

/* A new version of `slot` written with a text set or a meta ms. */
static void
op_store(struct soak *s, struct conn *c, int slot, bool meta, bool quiet)
{
    struct slot *sl = slot_of(c, slot);
    sl->version++;
    sl->flags = (uint32_t)rnd_below(&c->rng, 65536);
    sl->exists = true;
    char key[64];
    key_of(c, slot, key, sizeof key);
    size_t n = value_len(c, slot, sl->version);
    value_fill(c, slot, sl->version, s->big_cache, n);
    if (meta) {
        buf_printf(&c->out, "ms %s %zu F%u T0%s\r\n", key, n, sl->flags,
                   quiet ? " q" : "");
    } else {
        buf_printf(&c->out, "set %s %u 0 %zu%s\r\n", key, sl->flags, n,
                   quiet ? " noreply" : "");
    }
    buf_add(&c->out, s->big_cache, n);
    buf_add(&c->out, "\r\n", 2);
    if (!quiet) {
        buf_add(&c->exp, meta ? "HD\r\n" : "STORED\r\n", meta ? 4 : 8);
    }
    rec_add(c, slot, c->exp.len, NULL, true);
}

static void
op_get_text(struct soak *s, struct conn *c, int nkeys)
{
    buf_add(&c->out, "get", 3);
    int slots[4];
    for (int i = 0; i < nkeys; i++) {
        slots[i] = (int)rnd_below(&c->rng, SLOTS);
        char key[64];
        size_t kl = key_of(c, slots[i], key, sizeof key);
        buf_add(&c->out, " ", 1);
        buf_add(&c->out, key, kl);
    }
    buf_add(&c->out, "\r\n", 2);
    for (int i = 0; i < nkeys; i++) {
        expect_value_text(s, c, slots[i], false);
    }
    buf_add(&c->exp, "END\r\n", 5);
}

static void
op_get_meta(struct soak *s, struct conn *c, int slot)
{
    struct slot *sl = slot_of(c, slot);
    char key[64];
    key_of(c, slot, key, sizeof key);
    buf_printf(&c->out, "mg %s v f\r\n", key);
    if (!sl->exists) {
        buf_add(&c->exp, "EN\r\n", 4);
        return;
    }
    size_t start = c->exp.len;
    size_t n = value_len(c, slot, sl->version);
    value_fill(c, slot, sl->version, s->big_cache, n);
    buf_printf(&c->exp, "VA %zu f%u\r\n", n, sl->flags);
    buf_add(&c->exp, s->big_cache, n);
    buf_add(&c->exp, "\r\n", 2);
    rec_add(c, slot, start, "EN\r\n", false);
}

static void
op_delete(struct conn *c, bool meta)
{
    int slot = (int)rnd_below(&c->rng, SLOTS);
    struct slot *sl = &c->slots[slot];
    char key[64];
    key_of(c, slot, key, sizeof key);
    buf_printf(&c->out, meta ? "md %s\r\n" : "delete %s\r\n", key);
    const char *r = meta ? (sl->exists ? "HD\r\n" : "NF\r\n")
                         : (sl->exists ? "DELETED\r\n" : "NOT_FOUND\r\n");
    size_t start = c->exp.len;
    buf_add(&c->exp, r, strlen(r));
    if (sl->exists) {
        rec_add(c, slot, start, meta ? "NF\r\n" : "NOT_FOUND\r\n", false);
    }
    sl->exists = false;
}

static void
op_counter(struct conn *c)
{
    char key[64];
    key_of(c, -2, key, sizeof key);
    uint32_t pick = rnd_below(&c->rng, 4);
    if (pick == 0 || !c->counter_exists) {
        c->counter = rnd_below(&c->rng, 1000000);
        c->counter_exists = true;
        char num[24];
        int n = snprintf(num, sizeof num, "%llu",
                         (unsigned long long)c->counter);
        buf_printf(&c->out, "set %s 0 0 %d\r\n%s\r\n", key, n, num);
        buf_add(&c->exp, "STORED\r\n", 8);
        rec_add(c, -2, c->exp.len, NULL, true);
        return;
    }
    uint32_t d = 1 + rnd_below(&c->rng, 1000);
    if (pick == 1) {
        c->counter = c->counter >= d ? c->counter - d : 0;
        buf_printf(&c->out, "decr %s %u\r\n", key, d);
    } else {
        c->counter += d;
        buf_printf(&c->out, "incr %s %u\r\n", key, d);
    }
    size_t start = c->exp.len;
    buf_printf(&c->exp, "%llu\r\n", (unsigned long long)c->counter);
    rec_add(c, -2, start, "NOT_FOUND\r\n", false);
}

/* One pipelined batch of text and meta commands; returns how many. */
static uint32_t
build_batch_text(struct soak *s, struct conn *c)
{
    if (c->role == ROLE_SLOW) {
        if (!c->big.exists || rnd_below(&c->rng, 8) == 0) {
            op_store(s, c, -1, rnd_below(&c->rng, 2), false);
        }
        uint32_t n = 1 + rnd_below(&c->rng, 8);
        for (uint32_t i = 0; i < n; i++) {
            char key[64];
            key_of(c, -1, key, sizeof key);
            buf_printf(&c->out, "get %s\r\n", key);
            expect_value_text(s, c, -1, true);
        }
        return n;
    }
    uint32_t n = c->role == ROLE_ACTIVE ? 1 + rnd_below(&c->rng, s->o.pipeline)
                                        : 1 + rnd_below(&c->rng, 4);
    bool last_quiet = false;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t op = rnd_below(&c->rng, 100);
        int slot = (int)rnd_below(&c->rng, SLOTS);
        last_quiet = false;
        if (op < 15) {
            last_quiet = rnd_below(&c->rng, 5) == 0;
            op_store(s, c, slot, false, last_quiet);
        } else if (op < 30) {
            last_quiet = rnd_below(&c->rng, 5) == 0;
            op_store(s, c, slot, true, last_quiet);
        } else if (op < 50) {
            op_get_text(s, c, 1);
        } else if (op < 60) {
            op_get_text(s, c, 2 + (int)rnd_below(&c->rng, 3));
        } else if (op < 80) {
            op_get_meta(s, c, slot);
        } else if (op < 85) {
            op_delete(c, false);
        } else if (op < 90) {
            op_delete(c, true);
        } else if (op < 97) {
            op_counter(c);
        } else {
            buf_add(&c->out, "mn\r\n", 4);
            buf_add(&c->exp, "MN\r\n", 4);
        }
    }
    /* A quiet last request is fenced, so the batch ends with a reply and
     * no request is in flight when a churning connection closes. */
    if (last_quiet) {
        buf_add(&c->out, "mn\r\n", 4);
        buf_add(&c->exp, "MN\r\n", 4);
    }
    return n;
}

/* The batch's expectations and the model's view of it, dropped. */
static void
batch_reset(struct conn *c)
{
    buf_clear(&c->out);
    buf_clear(&c->exp);
    buf_clear(&c->alts);
    buf_clear(&c->carry);
    c->nrecs = 0;
    c->nholes = 0;
    c->ncells = 0;
}

/* After a batch (or a failure in one): each CAS the batch was to learn is
 * known if its reply came, unknown otherwise (the next hit captures it). */
static void
model_settle(struct conn *c)
{
    for (int slot = -1; slot < SLOTS; slot++) {
        struct slot *sl = slot_of(c, slot);
        if (sl->cas_cell >= 0) {
            const struct cell *cl = (size_t)sl->cas_cell < c->ncells
                                        ? &c->cells[sl->cas_cell]
                                        : NULL;
            sl->cas_cell = cl != NULL && cl->filled ? CAS_KNOWN : CAS_UNKNOWN;
            sl->cas = cl != NULL ? cl->value : 0;
        }
    }
    batch_reset(c);
}

/* One pipelined batch: requests into out, their replies into exp. */
static void
build_batch(struct soak *s, struct conn *c)
{
    batch_reset(c);
    if (c->binary) {
        uint32_t n = build_batch_binary(s, c);
        s->st.requests += n;
        s->st.bin_requests += n;
    } else {
        s->st.requests += build_batch_text(s, c);
    }
}

/* Grows an array of `size`-byte elements to hold one more. */
void *
grow(void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) {
        return p;
    }
    *cap = *cap ? *cap * 2 : 16;
    p = realloc(p, *cap * size);
    if (p == NULL) {
        fprintf(stderr, "soak: out of memory\n");
        exit(2);
    }
    return p;
}

/* The reply from exp's `start` to its end, which may instead come as the
 * alts[alt_off..+alt_len) miss form (unless is_store). */
void
rec_push(struct conn *c, int slot, size_t start, bool is_store,
         size_t alt_off, size_t alt_len, enum evict_effect effect)
{
    c->recs = grow(c->recs, &c->caprecs, c->nrecs, sizeof *c->recs);
    c->recs[c->nrecs++] = (struct rec){
        .start = start, .len = c->exp.len - start, .slot = slot,
        .is_store = is_store, .effect = effect, .alt_off = alt_off,
        .alt_len = alt_len};
}

/* The text form: alt NULL for a store. */
static void
rec_add(struct conn *c, int slot, size_t start, const char *alt, bool is_store)
{
    size_t off = c->alts.len, len = alt != NULL ? strlen(alt) : 0;
    buf_add(&c->alts, alt != NULL ? alt : "", len);
    rec_push(c, slot, start, is_store, off, len, EFFECT_GONE);
}

/* The model after the batch: a slot seen evicted stays gone unless the
 * batch stored it again later. */
static void
model_evicted(struct conn *c, size_t i)
{
    int slot = c->recs[i].slot;
    for (size_t j = i + 1; j < c->nrecs; j++) {
        if (c->recs[j].is_store && c->recs[j].slot == slot) {
            return;
        }
    }
    if (slot == -2) {
        c->counter_exists = false;
    } else if (c->recs[i].effect == EFFECT_REVIVED) {
        slot_of(c, slot)->exists = true;
        slot_of(c, slot)->cas_cell = CAS_UNKNOWN;
    } else {
        slot_of(c, slot)->exists = false;
    }
}

enum evicted { EV_NONE, EV_SPLICED, EV_WAIT };

/* Whether the item of rec i was already seen evicted in this batch (a
 * second miss of one eviction counts once). */
static bool
evicted_before(const struct conn *c, size_t i)
{
    for (size_t j = i; j-- > 0;) {
        if (c->recs[j].slot != c->recs[i].slot) {
            continue;
        }
        if (c->recs[j].is_store) {
            return false;
        }
        if (c->recs[j].taken) {
            return true;
        }
    }
    return false;
}

/* Whether rec r's miss form agrees with the bytes received, those already
 * consumed (exp before exp.off) and buf[0..n) (from exp.off): 1 yes, 0 no,
 * -1 not enough bytes yet to tell. */
static int
alt_fits(const struct conn *c, const struct rec *r, const char *buf, size_t n)
{
    const char *alt = c->alts.p + r->alt_off;
    for (size_t k = 0; k < r->alt_len; k++) {
        size_t pos = r->start + k;
        if (pos >= c->exp.off + n) {
            return -1;
        }
        char got = pos < c->exp.off ? c->exp.p[pos] : buf[pos - c->exp.off];
        if (got != alt[k]) {
            return 0;
        }
    }
    return 1;
}

/* A mismatch at exp offset `at`: if it falls in a reply that may come as a
 * miss (or right where a quiet request's silence was expected), and the
 * miss form agrees with what was received, expect the miss form instead.
 * Several replies may qualify (a quiet request's then the next one's): the
 * first whose miss form fits is taken; EV_WAIT when one needs more bytes
 * to tell. */
static enum evicted
try_evicted(struct soak *s, struct conn *c, size_t at, const char *buf,
            size_t n)
{
    for (size_t i = 0; i < c->nrecs; i++) {
        struct rec *r = &c->recs[i];
        if (r->is_store || r->taken || at < r->start ||
            (at >= r->start + r->len && r->len > 0)) {
            continue;
        }
        if (r->alt_len > 0) {
            int fits = alt_fits(c, r, buf, n);
            if (fits < 0) {
                return EV_WAIT;
            }
            if (fits == 0) {
                continue;
            }
        }
        if (r->start + r->len > c->exp.len) {
            fprintf(stderr, "soak: internal error: a record past the batch\n");
            abort();
        }
        /* Bytes already matched in this reply must match the miss form. */
        const char *alt = r->alt_len > 0 ? c->alts.p + r->alt_off : "";
        size_t seen = c->exp.off > r->start ? c->exp.off - r->start : 0;
        size_t tail = c->exp.len - (r->start + r->len);
        if (seen > 0) {
            char *after = c->exp.p + r->start + r->len;
            for (size_t k = 0; k < seen; k++) {
                char want = k < r->alt_len ? alt[k]
                            : k - r->alt_len < tail ? after[k - r->alt_len]
                                                    : 0;
                if (want != c->exp.p[r->start + k]) {
                    return EV_NONE;
                }
            }
        }
        buf_reserve(&c->exp, r->alt_len);
        memmove(c->exp.p + r->start + r->alt_len, c->exp.p + r->start + r->len,
                tail);
        memcpy(c->exp.p + r->start, alt, r->alt_len);
        c->exp.len = r->start + r->alt_len + tail;
        for (size_t j = i + 1; j < c->nrecs; j++) {
            c->recs[j].start = c->recs[j].start - r->len + r->alt_len;
        }
        /* The hit's CAS holes go with it; the later ones move. */
        size_t kept = 0;
        for (size_t j = 0; j < c->nholes; j++) {
            struct hole h = c->holes[j];
            if (h.off >= r->start && h.off < r->start + r->len) {
                continue;
            }
            if (h.off >= r->start + r->len) {
                h.off = h.off - r->len + r->alt_len;
            }
            c->holes[kept++] = h;
        }
        c->nholes = kept;
        r->len = r->alt_len;
        r->taken = true;
        if (!evicted_before(c, i)) {
            s->st.evicted_misses++;
        }
        model_evicted(c, i);
        return EV_SPLICED;
    }
    return EV_NONE;
}

/* ---- connections ------------------------------------------------------- */

static void
set_events(struct soak *s, struct conn *c, bool out)
{
    uint32_t ev = (c->role == ROLE_SLOW ? 0 : EPOLLIN) | (out ? EPOLLOUT : 0);
    struct epoll_event e = {.events = ev, .data.ptr = c};
    if (epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &e) != 0) {
        perror("soak: epoll_ctl");
        exit(2);
    }
    c->want_out = out;
}

static void
conn_close(struct soak *s, struct conn *c, enum cstate next)
{
    if (c->fd >= 0) {
        epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
    }
    model_settle(c);
    c->state = next;
}

static void
conn_failed(struct soak *s, struct conn *c)
{
    s->st.conn_failures++;
    conn_close(s, c, C_FAILED);
}

static void
conn_connect(struct soak *s, struct conn *c)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail(s, c, "socket: %s", strerror(errno));
        conn_failed(s, c);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (c->role == ROLE_SLOW) {
        /* A small receive window, so the server really holds the rest. */
        int rcv = 16384;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    }
    int rc = connect(fd, (struct sockaddr *)&s->addr, sizeof s->addr);
    if (rc != 0 && errno != EINPROGRESS) {
        fail(s, c, "connect: %s", strerror(errno));
        close(fd);
        conn_failed(s, c);
        return;
    }
    c->fd = fd;
    c->state = C_CONNECTING;
    c->batch_start_ms = now_ms();
    struct epoll_event e = {.events = EPOLLOUT, .data.ptr = c};
    if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &e) != 0) {
        perror("soak: epoll_ctl add");
        exit(2);
    }
    c->want_out = true;
    s->st.connects++;
}

static void
flush_out(struct soak *s, struct conn *c)
{
    while (c->out.off < c->out.len) {
        ssize_t n = write(c->fd, c->out.p + c->out.off, c->out.len - c->out.off);
        if (n > 0) {
            c->out.off += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c->want_out) {
                set_events(s, c, true);
            }
            return;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        fail(s, c, "write: %s", n < 0 ? strerror(errno) : "0");
        conn_failed(s, c);
        return;
    }
    if (c->want_out) {
        set_events(s, c, false);
    }
}

static void
show_bytes(const char *what, const char *p, size_t n)
{
    fprintf(stderr, "  %s: \"", what);
    for (size_t i = 0; i < n && i < 80; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch >= 32 && ch < 127 && ch != '"' && ch != '\\') {
            fputc(ch, stderr);
        } else {
            fprintf(stderr, "\\x%02x", ch);
        }
    }
    fprintf(stderr, "\"\n");
}

static void
schedule_next(struct soak *s, struct conn *c, uint64_t now)
{
    switch (c->role) {
    case ROLE_ACTIVE:
        c->next_at_ms = now + rnd_below(&c->rng, s->o.think_ms + 1);
        break;
    case ROLE_SLOW:
        c->next_at_ms = now + 200 + rnd_below(&c->rng, 800);
        break;
    case ROLE_IDLE:
        c->next_at_ms = now + 5000 + rnd_below(&c->rng, 20000);
        break;
    case ROLE_CHURN:
        c->next_at_ms = now + 20 + rnd_below(&c->rng, 200);
        break;
    }
}

static void
batch_done(struct soak *s, struct conn *c, uint64_t now)
{
    s->st.batches++;
    s->st.by_role_batches[c->role]++;
    s->st.bin_batches += c->binary;
    model_settle(c);
    c->state = C_READY;
    schedule_next(s, c, now);
    if (c->role == ROLE_CHURN && --c->batches_left == 0) {
        c->batches_left = 1 + rnd_below(&c->rng, 3);
        conn_close(s, c, C_DOWN);
        s->st.reconnects++;
    }
}

/* A captured CAS, complete: checked, then written where the batch uses
 * it. Returns false (and sets c->why) when it cannot be right. */
static bool
capture_done(struct soak *s, struct conn *c, size_t h)
{
    const uint8_t *p = (const uint8_t *)c->exp.p + c->holes[h].off;
    uint64_t v = 0;
    for (int i = 0; i < CAS_LEN; i++) {
        v = v << 8 | p[i];
    }
    struct cell *cl = &c->cells[c->holes[h].cell];
    if (cl->filled) { /* matched again after a miss form was spliced in */
        return cl->value == v;
    }
    if (v == 0) {
        c->why = "an item's CAS is 0";
        return false;
    }
    if (cl->fresh) {
        if (v <= c->cas_high) {
            c->why = "a new CAS not above the connection's earlier ones";
            return false;
        }
        c->cas_high = v;
    }
    cl->value = v;
    cl->filled = true;
    s->st.cas_captured++;
    for (size_t j = h + 1; j < c->nholes; j++) {
        if (c->holes[j].cell == c->holes[h].cell && !c->holes[j].capture) {
            memcpy(c->exp.p + c->holes[j].off, p, CAS_LEN);
        }
    }
    return true;
}

/* How many of buf's n bytes match exp from its offset: a capture hole
 * takes any bytes (and is checked once complete). */
static size_t
match_bytes(struct soak *s, struct conn *c, const char *buf, size_t n)
{
    size_t base = c->exp.off, at = 0;
    for (size_t h = 0; h < c->nholes && at < n; h++) {
        const struct hole *ho = &c->holes[h];
        if (!ho->capture || ho->off + CAS_LEN <= base + at) {
            continue;
        }
        size_t hs = ho->off > base ? ho->off - base : 0;
        if (hs >= n) {
            break;
        }
        while (at < hs && buf[at] == c->exp.p[base + at]) {
            at++;
        }
        if (at < hs) {
            return at;
        }
        size_t he = ho->off + CAS_LEN - base;
        size_t take = (he < n ? he : n) - at;
        memcpy(c->exp.p + base + at, buf + at, take);
        at += take;
        if (at == he && !capture_done(s, c, h)) {
            return hs;
        }
    }
    while (at < n && buf[at] == c->exp.p[base + at]) {
        at++;
    }
    return at;
}

/* Bytes from the server, compared with what the model expects. */
static void
take_input(struct soak *s, struct conn *c, size_t limit, uint64_t now)
{
    char buf[65536 + 1024];
    while (limit > 0 && c->state != C_FAILED) {
        /* Bytes kept from the last read (EV_WAIT) come first. */
        size_t have = c->carry.len;
        if (have > 0) {
            memcpy(buf, c->carry.p, have);
        }
        size_t want = limit < 65536 ? limit : 65536;
        if (s->o.max_read > 0 && want > s->o.max_read) {
            want = s->o.max_read; /* replies cut anywhere: split-proof */
        }
        ssize_t got = read(c->fd, buf + have, want);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        }
        if (got <= 0) {
            fail(s, c, "%s after %zu of %zu expected bytes",
                 got == 0 ? "connection closed by the server" : strerror(errno),
                 c->exp.off, c->exp.len);
            conn_failed(s, c);
            return;
        }
        s->st.bytes_in += (uint64_t)got;
        if (c->role == ROLE_SLOW) {
            c->read_budget -= (uint64_t)got;
        }
        limit -= (size_t)got;
        buf_clear(&c->carry);
        ssize_t n = (ssize_t)have + got;
        size_t left, cmp, at;
        enum evicted ev = EV_NONE;
        for (;;) {
            left = c->exp.len - c->exp.off;
            cmp = (size_t)n < left ? (size_t)n : left;
            c->why = NULL;
            at = match_bytes(s, c, buf, cmp);
            if (at == cmp && (size_t)n <= left) {
                break;
            }
            ev = try_evicted(s, c, c->exp.off + at, buf, (size_t)n);
            if (ev != EV_SPLICED) {
                break;
            }
        }
        if (ev == EV_WAIT) {
            c->exp.off += at;
            buf_add(&c->carry, buf + at, (size_t)n - at);
            continue;
        }
        if (at < cmp || (size_t)n > left) {
            s->st.mismatches++;
            s->st.bin_mismatches += c->binary;
            fail(s, c, "%s reply differs at byte %zu of the batch's %zu%s%s",
                 c->binary ? "binary" : "text", c->exp.off + at, c->exp.len,
                 c->why ? ": " : "", c->why ? c->why : "");
            if (s->st.errors <= MAX_ERRORS_SHOWN) {
                show_bytes("expected", c->exp.p + c->exp.off + at, left - at);
                show_bytes("received", buf + at, (size_t)n - at);
            }
            conn_failed(s, c);
            return;
        }
        c->exp.off += (size_t)n;
        if (c->exp.off == c->exp.len && c->out.off == c->out.len) {
            batch_done(s, c, now);
            return;
        }
    }
}

static void
start_batch(struct soak *s, struct conn *c, uint64_t now)
{
    build_batch(s, c);
    c->state = C_BUSY;
    c->batch_start_ms = now;
    flush_out(s, c);
}

static void
on_event(struct soak *s, struct conn *c, uint32_t ev, uint64_t now)
{
    if (c->state == C_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            fail(s, c, "connect: %s", strerror(err));
            conn_failed(s, c);
            return;
        }
        c->state = C_READY;
        set_events(s, c, false);
        return;
    }
    if (c->state != C_BUSY && c->state != C_READY) {
        return;
    }
    if (ev & EPOLLOUT) {
        flush_out(s, c);
    }
    if (c->state == C_FAILED) {
        return;
    }
    if (c->role != ROLE_SLOW && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
        if (c->state == C_READY) {
            /* Nothing asked: any byte (or a close) is an error. */
            batch_reset(c);
        }
        take_input(s, c, SIZE_MAX, now);
    } else if (c->role == ROLE_SLOW && (ev & (EPOLLHUP | EPOLLERR))) {
        fail(s, c, "connection reset or closed");
        conn_failed(s, c);
    }
}

/* Timers: connect ramp, batches due, slow reads, stalls, reconnects. */
static void
tick(struct soak *s, uint64_t now, uint64_t dt, bool stopping,
     uint32_t *to_connect)
{
    uint32_t connects = 0;
    for (uint32_t i = 0; i < s->o.conns; i++) {
        struct conn *c = &s->conns[i];
        switch (c->state) {
        case C_DOWN:
            if (!stopping && now >= c->next_at_ms &&
                (*to_connect == 0 || connects < CONNECTS_PER_TICK)) {
                if (*to_connect > 0) {
                    connects++;
                    (*to_connect)--;
                }
                conn_connect(s, c);
            }
            break;
        case C_READY:
            if (!stopping && now >= c->next_at_ms) {
                start_batch(s, c, now);
            }
            break;
        case C_CONNECTING:
        case C_BUSY:
            if (now - c->batch_start_ms > s->o.timeout_ms) {
                s->st.stalls++;
                fail(s, c, "no progress for %u ms (%s; %zu of %zu reply bytes)",
                     s->o.timeout_ms,
                     c->state == C_CONNECTING ? "connecting" : "in a batch",
                     c->exp.off, c->exp.len);
                conn_failed(s, c);
            } else if (c->state == C_BUSY && c->role == ROLE_SLOW) {
                uint64_t cap = (uint64_t)s->o.slow_bps;
                c->read_budget += (uint64_t)s->o.slow_bps * dt / 1000;
                if (c->read_budget > cap) {
                    c->read_budget = cap;
                }
                if (c->read_budget > 0) {
                    take_input(s, c, (size_t)c->read_budget, now);
                }
            }
            break;
        case C_FAILED:
            break;
        }
    }
}

static uint64_t
read_rss_kb(int pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    char line[256];
    uint64_t kb = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = strtoull(line + 6, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb;
}

/* The server's `stats` value `name`, or -1 (a blocking side connection). */
static long long
server_stat(const struct sockaddr_in *addr, const char *name)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (fd < 0 || connect(fd, (const struct sockaddr *)addr, sizeof *addr) != 0 ||
        write(fd, "stats\r\n", 7) != 7) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    char reply[65536];
    size_t got = 0;
    while (got < sizeof reply - 1) {
        ssize_t n = read(fd, reply + got, sizeof reply - 1 - got);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
        reply[got] = '\0';
        if (strstr(reply, "END\r\n") != NULL) {
            break;
        }
    }
    close(fd);
    reply[got] = '\0';
    char pat[80];
    snprintf(pat, sizeof pat, "STAT %s ", name);
    const char *at = strstr(reply, pat);
    return at ? strtoll(at + strlen(pat), NULL, 10) : -1;
}

/* ---- main -------------------------------------------------------------- */

static void
usage(void)
{
    fprintf(stderr,
            "usage: soak -p PORT [-c CONNS] [-t SECONDS] [--server-pid PID]\n"
            "  [--warmup S] [--rss-growth-kb KB] [--seed N] [--pipeline N]\n"
            "  [--slow-pct N] [--idle-pct N] [--churn-pct N] [--think-ms N]\n"
            "  [--slow-bps N] [--timeout-ms N] [--binary-pct N | --binary]"
            " [-q]\n"
            "  [--max-read N]\n"
            "  --binary-pct N: that share of the connections speak the binary"
            " protocol\n  (default 25); --binary: all of them\n"
            "  --max-read N: read at most N bytes at a time (replies split"
            " anywhere)\n");
    exit(2);
}

static uint64_t
num_arg(int *i, int argc, char **argv)
{
    if (*i + 1 >= argc) {
        usage();
    }
    char *end;
    const char *a = argv[++*i];
    unsigned long long v = strtoull(a, &end, 10);
    if (*a == '\0' || *end != '\0') {
        usage();
    }
    return v;
}

static void
parse_opts(struct opts *o, int argc, char **argv)
{
    *o = (struct opts){.host = "127.0.0.1", .conns = 2000, .seconds = 60,
                       .warmup = 0, .seed = 1, .slow_pct = 2, .idle_pct = 40,
                       .churn_pct = 8, .pipeline = 16, .think_ms = 20,
                       .slow_bps = 262144, .timeout_ms = 20000,
                       .rss_growth_kb = 0, .binary_pct = 25};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-p")) {
            o->port = (int)num_arg(&i, argc, argv);
        } else if (!strcmp(a, "-c")) {
            o->conns = (uint32_t)num_arg(&i, argc, argv);
        } else if (!strcmp(a, "-t")) {
            o->seconds = (uint32_t)num_arg(&i, argc, argv);
        } else if (!strcmp(a, "--server-pid")) {
            o->server_pid = (int)num_arg(&i, argc, argv);
        } else if (!strcmp(a, "--warmup")) {
            o->warmup = (uint32_t)num_arg(&i, argc, argv);
        } else if (!strcmp(a, "--rss-growth-kb")) {
            o->rss_growth_kb = num_arg(&i, argc, argv);
        } else if (!strcmp(a, "--seed")) {
            o->seed = num_arg(&i, argc, argv);
        } else if (!strcmp(a, "--pipeline")) {
            o->pipeline = (uint32_t)num_arg(&i, argc, argv);
        } else if (!strcmp(a, "--slow-pct")) {
            o->slow_pct = (uint32_t)num_arg(&i, argc, argv);
        } else if (!strcmp(a, "--idle-pct")) {
            o->idle_pct = (uint32_t)num_arg(&i, argc, argv);
        } else if (!strcmp(a, "--churn-pct")) {
            o->churn_pct = (uint32_t)num_arg(&i, argc, argv);
        } else if (!strcmp(a, "--think-ms")) {
            o->think_ms = (uint32_t)num_arg(&i, argc, argv);
        } else if (!strcmp(a, "--slow-bps")) {
            o->slow_bps = (uint32_t)num_arg(&i, argc, argv);
        } else if (!strcmp(a, "--timeout-ms")) {
            o->timeout_ms = (uint32_t)num_arg(&i, argc, argv);
        } else if (!strcmp(a, "--binary")) {
            o->binary_pct = 100;
        } else if (!strcmp(a, "--max-read")) {
            o->max_read = (uint32_t)num_arg(&i, argc, argv);
        } else if (!strcmp(a, "--binary-pct")) {
            o->binary_pct = (uint32_t)num_arg(&i, argc, argv);
        } else if (!strcmp(a, "-q")) {
            o->quiet = true;
        } else {
            usage();
        }
    }
    if (o->port <= 0 || o->conns == 0 || o->pipeline == 0 ||
        o->pipeline > MAX_PIPELINE || o->binary_pct > 100 ||
        o->slow_pct + o->idle_pct + o->churn_pct > 100) {
        usage();
    }
    if (o->warmup == 0) {
        o->warmup = o->seconds / 3;
    }
}

static void
raise_nofile(uint32_t need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        return;
    }
    if (rl.rlim_cur < need) {
        rl.rlim_cur = need < rl.rlim_max ? need : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < need) {
        fprintf(stderr, "soak: ulimit -n is %llu; %u connections need %u\n",
                (unsigned long long)rl.rlim_cur, need - 64, need);
        exit(2);
    }
}

int
main(int argc, char **argv)
{
    struct soak s = {0};
    parse_opts(&s.o, argc, argv);
    raise_nofile(s.o.conns + 64);
    s.addr.sin_family = AF_INET;
    s.addr.sin_port = htons((uint16_t)s.o.port);
    inet_pton(AF_INET, s.o.host, &s.addr.sin_addr);
    s.ep = epoll_create1(EPOLL_CLOEXEC);
    s.conns = calloc(s.o.conns, sizeof *s.conns);
    s.big_cache = malloc(BIG_VALUE + 16);
    if (s.ep < 0 || s.conns == NULL || s.big_cache == NULL) {
        perror("soak: setup");
        return 2;
    }
    uint64_t start = now_ms();
    for (uint32_t i = 0; i < s.o.conns; i++) {
        struct conn *c = &s.conns[i];
        c->id = i;
        c->fd = -1;
        c->rng = mix64(s.o.seed * 0x9e3779b97f4a7c15ULL + i + 1);
        uint32_t r = (uint32_t)(mix64(s.o.seed ^ ((uint64_t)i << 8)) % 100);
        c->role = r < s.o.slow_pct                               ? ROLE_SLOW
                  : r < s.o.slow_pct + s.o.idle_pct                ? ROLE_IDLE
                  : r < s.o.slow_pct + s.o.idle_pct + s.o.churn_pct ? ROLE_CHURN
                                                                     : ROLE_ACTIVE;
        c->batches_left = 1 + rnd_below(&c->rng, 3);
        c->next_at_ms = start;
        /* The protocol is the connection's for life, churn included: a
         * binary one's first byte is always 0x80. */
        c->binary = mix64(s.o.seed ^ ((uint64_t)i << 16) ^ 0xb1) % 100 <
                    s.o.binary_pct;
        s.st.bin_conns += c->binary;
        c->opaque = (uint32_t)rnd(&c->rng);
        c->big.cas_cell = CAS_UNKNOWN;
        for (int k = 0; k < SLOTS; k++) {
            c->slots[k].cas_cell = CAS_UNKNOWN;
        }
    }
    uint32_t to_connect = s.o.conns;
    uint64_t end = start + (uint64_t)s.o.seconds * 1000;
    uint64_t next_rss = start, last_tick = start;
    uint64_t drain_until = 0;
    struct epoll_event evs[1024];
    for (;;) {
        int n = epoll_wait(s.ep, evs, 1024, TICK_MS);
        uint64_t now = now_ms();
        for (int i = 0; i < n; i++) {
            on_event(&s, evs[i].data.ptr, evs[i].events, now);
        }
        bool stopping = now >= end;
        if (now - last_tick >= TICK_MS || n == 0) {
            tick(&s, now, now - last_tick, stopping, &to_connect);
            last_tick = now;
        }
        if (s.o.server_pid > 0 && now >= next_rss &&
            s.st.rss_n < RSS_MAX_SAMPLES) {
            s.st.rss_kb[s.st.rss_n++] = read_rss_kb(s.o.server_pid);
            next_rss += 1000;
        }
        if (stopping) {
            if (drain_until == 0) {
                drain_until = now + s.o.timeout_ms;
            }
            bool busy = false;
            for (uint32_t i = 0; i < s.o.conns && !busy; i++) {
                busy = s.conns[i].state == C_BUSY ||
                       s.conns[i].state == C_CONNECTING;
            }
            if (!busy || now > drain_until) {
                break;
            }
        }
    }
    uint32_t open = 0, failed = 0;
    for (uint32_t i = 0; i < s.o.conns; i++) {
        open += s.conns[i].state == C_READY;
        failed += s.conns[i].state == C_FAILED;
    }
    double secs = (double)(now_ms() - start) / 1000.0;
    printf("soak: %u connections (%u open at the end, %u failed), %.1f s\n",
           s.o.conns, open, failed, secs);
    printf("soak: %llu batches (active %llu, slow %llu, idle %llu, churn %llu)"
           ", %llu requests (%.0f/s), %llu reply bytes checked\n",
           (unsigned long long)s.st.batches,
           (unsigned long long)s.st.by_role_batches[ROLE_ACTIVE],
           (unsigned long long)s.st.by_role_batches[ROLE_SLOW],
           (unsigned long long)s.st.by_role_batches[ROLE_IDLE],
           (unsigned long long)s.st.by_role_batches[ROLE_CHURN],
           (unsigned long long)s.st.requests, (double)s.st.requests / secs,
           (unsigned long long)s.st.bytes_in);
    printf("soak: %llu connects (%llu churn reconnects); errors %llu "
           "(mismatches %llu, stalls %llu, failed connections %llu)\n",
           (unsigned long long)s.st.connects,
           (unsigned long long)s.st.reconnects,
           (unsigned long long)s.st.errors,
           (unsigned long long)s.st.mismatches,
           (unsigned long long)s.st.stalls,
           (unsigned long long)s.st.conn_failures);
    printf("soak: binary: %llu connections, %llu batches, %llu requests, "
           "%llu CAS values learnt and checked, %llu mismatches\n",
           (unsigned long long)s.st.bin_conns,
           (unsigned long long)s.st.bin_batches,
           (unsigned long long)s.st.bin_requests,
           (unsigned long long)s.st.cas_captured,
           (unsigned long long)s.st.bin_mismatches);
    long long evictions = server_stat(&s.addr, "evictions");
    bool evict_ok = evictions >= 0 && (uint64_t)evictions >= s.st.evicted_misses;
    printf("soak: %llu replies were misses where the item had been evicted "
           "(server evictions %lld)\n",
           (unsigned long long)s.st.evicted_misses, evictions);
    if (!evict_ok) {
        fprintf(stderr, "soak: ERROR more misses than evictions: items lost\n");
    }
    bool rss_ok = true;
    if (s.o.server_pid > 0 && s.st.rss_n > 0) {
        uint32_t w = s.o.warmup < s.st.rss_n ? s.o.warmup : s.st.rss_n - 1;
        uint64_t at_w = s.st.rss_kb[w], max_after = 0, peak = 0;
        for (uint32_t i = 0; i < s.st.rss_n; i++) {
            peak = s.st.rss_kb[i] > peak ? s.st.rss_kb[i] : peak;
            if (i >= w && s.st.rss_kb[i] > max_after) {
                max_after = s.st.rss_kb[i];
            }
        }
        uint64_t growth = max_after - at_w;
        uint64_t bound = s.o.rss_growth_kb ? s.o.rss_growth_kb
                                           : 8192 + at_w / 10;
        rss_ok = growth <= bound;
        printf("soak: server RSS %llu KiB after the %u s warm-up, max %llu KiB "
               "after it (growth %llu KiB, bound %llu), peak %llu, final %llu"
               " KiB\n",
               (unsigned long long)at_w, w, (unsigned long long)max_after,
               (unsigned long long)growth, (unsigned long long)bound,
               (unsigned long long)peak,
               (unsigned long long)s.st.rss_kb[s.st.rss_n - 1]);
        if (!s.o.quiet) {
            printf("soak: RSS KiB per second:");
            for (uint32_t i = 0; i < s.st.rss_n; i++) {
                printf(" %llu", (unsigned long long)s.st.rss_kb[i]);
            }
            printf("\n");
        }
        if (!rss_ok) {
            fprintf(stderr, "soak: ERROR server memory grew after warm-up\n");
        }
    }
    bool ok = s.st.errors == 0 && failed == 0 && rss_ok && evict_ok;
    for (uint32_t i = 0; i < s.o.conns; i++) {
        struct conn *c = &s.conns[i];
        if (c->fd >= 0) {
            close(c->fd);
        }
        free(c->out.p);
        free(c->exp.p);
        free(c->alts.p);
        free(c->carry.p);
        free(c->recs);
        free(c->holes);
        free(c->cells);
    }
    free(s.conns);
    free(s.big_cache);
    close(s.ep);
    printf("soak: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
