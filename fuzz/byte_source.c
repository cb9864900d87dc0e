/* byte_source.c - a fuzzer's input read as small decisions; see the header. */
#include "byte_source.h"

#include "../src/common/check.h"

void
byte_source_init(struct byte_source *b, const uint8_t *data, size_t len)
{
    CHECK(b != NULL && (data != NULL || len == 0));
    b->data = data;
    b->len = len;
    b->pos = 0;
}

bool
byte_source_empty(const struct byte_source *b)
{
    return b->pos >= b->len;
}

uint8_t
byte_source_u8(struct byte_source *b)
{
    if (b->pos >= b->len) {
        return 0;
    }
    return b->data[b->pos++];
}

uint32_t
byte_source_u32(struct byte_source *b)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; i++) {
        v |= (uint32_t)byte_source_u8(b) << (8 * i);
    }
    return v;
}

uint32_t
byte_source_below(struct byte_source *b, uint32_t n)
{
    CHECK(n > 0);
    uint32_t v = n <= 256 ? byte_source_u8(b) : byte_source_u32(b);
    return v % n;
}
