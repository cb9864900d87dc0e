/*
 * meta_lines_drv.c - the parser's verdict on each request of a stream, for
 * fuzz/diff/meta_lines.py: one line per request on stdout, the meta error
 * line the request would be answered with, ERROR, MN, or OK. Built by the
 * script against build/release/libproto.a; not part of the server.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../src/proto/meta.h"
#include "../../src/proto/text.h"

static const char *const error_texts[] = {
#define ERROR_TEXT(name, text) [META_ERR_##name] = text,
    META_ERRORS(ERROR_TEXT)
#undef ERROR_TEXT
};

int
main(void)
{
    static uint8_t buf[8u << 20];
    size_t len = fread(buf, 1, sizeof buf, stdin);
    struct proto_text_parser p;
    proto_text_init(&p, 1u << 20);
    size_t at = 0;
    for (;;) {
        struct request r;
        size_t used;
        size_t needed;
        enum proto_status st =
            proto_text_parse(&p, buf + at, len - at, &r, &used, &needed);
        at += used;
        if (st == PROTO_CLOSE) {
            puts("CLOSE");
            return 0;
        }
        if (st == PROTO_INCOMPLETE) {
            if (used == 0) {
                return 0;
            }
            continue;
        }
        if (r.error == REQERR_META) {
            puts(error_texts[r.meta.error]);
        } else if (r.error == REQERR_UNKNOWN) {
            puts("ERROR");
        } else if (r.error != REQERR_NONE) {
            printf("REQERR %d\n", (int)r.error);
        } else {
            puts(r.cmd == REQ_META_NOOP ? "MN" : "OK");
        }
    }
}
