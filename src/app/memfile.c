/* memfile.c - -e: the log in a shared file mapping, and FILE.meta. */
#include "memfile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/limits.h"
#include "version.h"

static const char META_MAGIC[] = "mcref-memory-file 1";

struct memfile {
    char *path;
    char *meta_path;
    int fd;
    uint64_t size;
    uint64_t found_size; /* the data file's size when opened */
    uint8_t *base;       /* the mapping, while the store holds it */
    uint64_t mapped;
    struct store_memory memory;
};

static uint64_t
page_size(void)
{
    long n = sysconf(_SC_PAGESIZE);
    return n > 0 ? (uint64_t)n : 4096u;
}

static void *
file_reserve(void *ctx, uint64_t len)
{
    struct memfile *m = ctx;
    if (len > m->size || m->base != NULL) {
        return NULL;
    }
    void *p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED,
                   m->fd, 0);
    if (p == MAP_FAILED) {
        return NULL;
    }
    m->base = p;
    m->mapped = len;
    return p;
}

/* Whole pages inside [p, p + len) become holes in the file (memory.c
 * explains the rounding); madvise(REMOVE) where the file system cannot. */
static void
file_release(void *ctx, void *p, uint64_t len)
{
    struct memfile *m = ctx;
    uint64_t page = page_size();
    uintptr_t from = ((uintptr_t)p + page - 1) / page * page;
    uintptr_t to = ((uintptr_t)p + len + page - 1) / page * page;
    if (to <= from) {
        return;
    }
    off_t off = (off_t)(from - (uintptr_t)m->base);
    if (fallocate(m->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off,
                  (off_t)(to - from)) != 0) {
        (void)madvise((void *)from, to - from, MADV_REMOVE);
    }
}

static void
file_unreserve(void *ctx, void *p, uint64_t len)
{
    struct memfile *m = ctx;
    munmap(p, (size_t)len);
    m->base = NULL;
    m->mapped = 0;
}

static char *
concat(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 1);
    if (s != NULL) {
        memcpy(s, a, na);
        memcpy(s + na, b, nb + 1);
    }
    return s;
}

static bool
resize(int fd, uint64_t size)
{
    return ftruncate(fd, 0) == 0 && ftruncate(fd, (off_t)size) == 0;
}

struct memfile *
memfile_open(const char *path, uint64_t size, char err[MEMFILE_MSG_MAX])
{
    struct memfile *m = calloc(1, sizeof *m);
    if (m == NULL) {
        snprintf(err, MEMFILE_MSG_MAX, "-e %s: out of memory", path);
        return NULL;
    }
    m->path = concat(path, "");
    m->meta_path = concat(path, ".meta");
    m->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    struct stat st;
    bool opened = m->path != NULL && m->meta_path != NULL && m->fd >= 0 &&
                  fstat(m->fd, &st) == 0;
    if (!opened || !S_ISREG(st.st_mode)) {
        snprintf(err, MEMFILE_MSG_MAX, "-e %s: %s", path,
                 opened ? "not a regular file" : strerror(errno));
        memfile_close(&m);
        return NULL;
    }
    m->size = size;
    m->found_size = (uint64_t)st.st_size;
    if (m->found_size != size && !resize(m->fd, size)) {
        snprintf(err, MEMFILE_MSG_MAX, "-e %s: cannot size it to %" PRIu64
                 " bytes: %s", path, size, strerror(errno));
        memfile_close(&m);
        return NULL;
    }
    m->memory = (struct store_memory){m, file_reserve, file_release,
                                      file_unreserve};
    return m;
}

const struct store_memory *
memfile_memory(struct memfile *m)
{
    return &m->memory;
}

void
memfile_reset(struct memfile *m)
{
    (void)resize(m->fd, m->size);
    m->found_size = m->size;
}

/* FNV-1a, 64 bits: FILE.meta's own checksum (a few hundred bytes). */
static uint64_t
fnv1a(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (uint8_t)p[i]) * 0x100000001b3u;
    }
    return h;
}

/* The image's fields, in the order FILE.meta lists them. */
#define IMAGE_FIELDS(X)                                                   \
    X(mem_limit, UINT64_MAX) X(value_len_max, UINT32_MAX)                 \
    X(cas_enabled, 1) X(evict, 1) X(cap, UINT64_MAX) X(head, UINT64_MAX)  \
    X(tail, UINT64_MAX) X(wrapped, 1) X(lap_end, UINT64_MAX)              \
    X(head_abs, UINT64_MAX) X(tail_abs, UINT64_MAX)                       \
    X(crawl_abs, UINT64_MAX) X(credit, UINT64_MAX)                        \
    X(cas_last, UINT64_MAX) X(cas_given_max, UINT64_MAX)                  \
    X(flush_abs, UINT64_MAX) X(flush_pending_s, UINT32_MAX)               \
    X(last_now_s, UINT32_MAX) X(records_sum, UINT64_MAX)

bool
memfile_save_image(struct memfile *m, const struct store_image *img,
                   uint64_t stop_time_s, char err[MEMFILE_MSG_MAX])
{
    char text[LIMIT_MEMFILE_META];
    int n = snprintf(text, sizeof text, "%s\nversion %s\nstop_time %" PRIu64
                     "\n", META_MAGIC, MCREF_VERSION, stop_time_s);
#define PRINT_FIELD(name, max)                                            \
    n += snprintf(text + n, sizeof text - (size_t)n, #name " %" PRIu64 "\n", \
                  (uint64_t)img->name);
    IMAGE_FIELDS(PRINT_FIELD)
#undef PRINT_FIELD
    n += snprintf(text + n, sizeof text - (size_t)n, "sum %016" PRIx64 "\n",
                  fnv1a(text, (size_t)n));
    char *tmp = concat(m->meta_path, ".tmp");
    if (tmp == NULL) {
        snprintf(err, MEMFILE_MSG_MAX, "%s: out of memory", m->meta_path);
        return false;
    }
    /* The data first, then the image that vouches for it. */
    bool ok = (m->base == NULL || msync(m->base, m->mapped, MS_SYNC) == 0) &&
              fsync(m->fd) == 0;
    int fd = ok ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)
                : -1;
    ok = fd >= 0 && write(fd, text, (size_t)n) == n && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0) {
        ok = false;
    }
    ok = ok && rename(tmp, m->meta_path) == 0;
    if (!ok) {
        snprintf(err, MEMFILE_MSG_MAX, "%s: %s", m->meta_path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return ok;
}

/* "name <decimal>\n" at *p, at most max; advances *p. */
static bool
take_field(const char **p, const char *end, const char *name, uint64_t max,
           uint64_t *out)
{
    size_t len = strlen(name);
    if ((size_t)(end - *p) <= len || memcmp(*p, name, len) != 0 ||
        (*p)[len] != ' ') {
        return false;
    }
    const char *q = *p + len + 1;
    uint64_t v = 0;
    bool digits = false;
    while (q < end && *q >= '0' && *q <= '9') {
        uint64_t d = (uint64_t)(*q - '0');
        if (v > (UINT64_MAX - d) / 10) {
            return false;
        }
        v = v * 10 + d;
        digits = true;
        q++;
    }
    if (!digits || q >= end || *q != '\n' || v > max) {
        return false;
    }
    *out = v;
    *p = q + 1;
    return true;
}

static bool
parse_image(const char *text, size_t n, struct store_image *img,
            char why[MEMFILE_MSG_MAX])
{
    /* The last line is "sum <16 hex digits>" over everything before it. */
    enum { SUM_LINE = 4 + 16 + 1 };
    if (n < SUM_LINE || text[n - 1] != '\n' ||
        memcmp(text + n - SUM_LINE, "sum ", 4) != 0 ||
        (n > SUM_LINE && text[n - SUM_LINE - 1] != '\n')) {
        snprintf(why, MEMFILE_MSG_MAX, "its image is truncated or damaged");
        return false;
    }
    char want[17];
    snprintf(want, sizeof want, "%016" PRIx64, fnv1a(text, n - SUM_LINE));
    if (memcmp(text + n - SUM_LINE + 4, want, 16) != 0) {
        snprintf(why, MEMFILE_MSG_MAX, "its image fails its checksum");
        return false;
    }
    const char *p = text, *end = text + n - SUM_LINE;
    size_t magic = strlen(META_MAGIC);
    if ((size_t)(end - p) <= magic || memcmp(p, META_MAGIC, magic) != 0 ||
        p[magic] != '\n') {
        snprintf(why, MEMFILE_MSG_MAX, "its image is not an mcref image");
        return false;
    }
    p += magic + 1;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t vlen = strlen(MCREF_VERSION);
    if (nl == NULL || (size_t)(nl - p) != 8 + vlen ||
        memcmp(p, "version ", 8) != 0 || memcmp(p + 8, MCREF_VERSION, vlen)) {
        snprintf(why, MEMFILE_MSG_MAX,
                 "its image was written by another mcref version (%.*s)",
                 nl != NULL && nl - p < 64 ? (int)(nl - p) : 0, p);
        return false;
    }
    p = nl + 1;
    uint64_t v;
    bool ok = take_field(&p, end, "stop_time", UINT64_MAX, &v);
#define TAKE_FIELD(name, max)                                             \
    ok = ok && take_field(&p, end, #name, max, &v);                       \
    if (ok) {                                                             \
        img->name = (__typeof__(img->name))v;                             \
    }
    IMAGE_FIELDS(TAKE_FIELD)
#undef TAKE_FIELD
    if (!ok || p != end) {
        snprintf(why, MEMFILE_MSG_MAX, "its image has a bad field");
        return false;
    }
    return true;
}

bool
memfile_take_image(struct memfile *m, struct store_image *img,
                   char why[MEMFILE_MSG_MAX])
{
    int fd = open(m->meta_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, MEMFILE_MSG_MAX,
                 "no %s: the last stop was not graceful (SIGUSR1 or "
                 "`shutdown graceful`)", m->meta_path);
        return false;
    }
    char text[LIMIT_MEMFILE_META];
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, text + n, sizeof text - n);
        if (r <= 0) {
            break;
        }
        n += (size_t)r;
        if (n == sizeof text) {
            break;
        }
    }
    close(fd);
    /* Used once: a later unclean stop must not find it again. */
    unlink(m->meta_path);
    if (n == sizeof text) {
        snprintf(why, MEMFILE_MSG_MAX, "%s is too large to be an image",
                 m->meta_path);
        return false;
    }
    char detail[MEMFILE_MSG_MAX];
    if (!parse_image(text, n, img, detail)) {
        snprintf(why, MEMFILE_MSG_MAX, "%.100s: %.140s", m->meta_path, detail);
        return false;
    }
    if (m->found_size != m->size || img->mem_limit > m->size) {
        snprintf(why, MEMFILE_MSG_MAX,
                 "%s is %" PRIu64 " bytes; this -m needs %" PRIu64
                 " (truncated, or written with another -m)",
                 m->path, m->found_size, m->size);
        return false;
    }
    return true;
}

void
memfile_close(struct memfile **m)
{
    if (m == NULL || *m == NULL) {
        return;
    }
    if ((*m)->fd >= 0) {
        close((*m)->fd);
    }
    free((*m)->path);
    free((*m)->meta_path);
    free(*m);
    *m = NULL;
}
