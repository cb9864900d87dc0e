/* fuzz_oracle.c - see fuzz_oracle.h. */
#include "fuzz_oracle.h"

#include <stdlib.h>
#include <string.h>

#include "../../engine/session.h"

#define ORACLE_MEM (64u << 20)
#define ORACLE_VALUE_MAX (1u << 20)
#define ORACLE_SEGMENTS 16u

struct fuzz_oracle {
    struct engine *e;
    struct session s;
    bool closed;
};

struct fuzz_oracle *
fuzz_oracle_create(void)
{
    struct fuzz_oracle *o = calloc(1, sizeof *o);
    if (o == NULL) {
        return NULL;
    }
    struct engine_config cfg = {
        .store = {.mem_limit = ORACLE_MEM,
                  .value_len_max = ORACLE_VALUE_MAX,
                  .evict = true,
                  .cas_enabled = true,
                  .hash_seed = 1,
                  .index_size_log2 = 0},
        .flush_enabled = true,
        .version = "1.6.18",
    };
    o->e = engine_create(&cfg, NULL);
    if (o->e == NULL) {
        free(o);
        return NULL;
    }
    session_init(&o->s, o->e);
    return o;
}

void
fuzz_oracle_destroy(struct fuzz_oracle **po)
{
    struct fuzz_oracle *o = *po;
    if (o == NULL) {
        return;
    }
    session_deinit(&o->s);
    engine_destroy(&o->e);
    free(o);
    *po = NULL;
}

static void
drain(struct fuzz_oracle *o, uint32_t now_s, struct fuzz_buf *out)
{
    struct outq_segment seg[ORACLE_SEGMENTS];
    size_t n;
    while ((n = session_output(&o->s, seg, ORACLE_SEGMENTS)) > 0) {
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
            fuzz_buf_add(out, seg[i].base, seg[i].len);
            total += seg[i].len;
        }
        session_sent(&o->s, total, now_s);
    }
    while (session_yielded(&o->s)) {
        session_resume(&o->s, now_s);
        drain(o, now_s, out);
    }
}

bool
fuzz_oracle_input(struct fuzz_oracle *o, const uint8_t *data, size_t len,
                  size_t split, uint32_t now_s, struct fuzz_buf *out)
{
    size_t piece = split == 0 ? len : split;
    while (!o->closed && len > 0) {
        size_t n = piece < len ? piece : len;
        session_input(&o->s, data, n, now_s);
        drain(o, now_s, out);
        data += n;
        len -= n;
        if (session_state(&o->s) != SESSION_OPEN) {
            o->closed = true;
        }
    }
    return !o->closed;
}
