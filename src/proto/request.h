/*
 * request.h - one client request, whatever protocol it arrived in.
 *
 * A parser fills it; the engine executes it. Byte ranges are slices: offsets
 * from the start of the input the parser was given (the request's first
 * byte), valid for as long as the caller keeps those input bytes. The type
 * has room for the meta and binary protocols: commands are verbs, errors are
 * codes, and no field holds protocol text beyond slices of the input.
 */
#ifndef MCREF_REQUEST_H
#define MCREF_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

struct slice {
    uint32_t off;
    uint32_t len;
};

enum request_cmd {
    REQ_INVALID = 0, /* nothing to execute: `error` says what to answer */
    REQ_GET,
    REQ_GETS,
    REQ_GAT,
    REQ_GATS,
    REQ_SET,
    REQ_ADD,
    REQ_REPLACE,
    REQ_APPEND,
    REQ_PREPEND,
    REQ_CAS,
    REQ_DELETE,
    REQ_INCR,
    REQ_DECR,
    REQ_TOUCH,
    REQ_FLUSH_ALL,
    REQ_VERSION,
    REQ_VERBOSITY,
    REQ_QUIT,
    REQ_SHUTDOWN,
    REQ_STATS,
    REQ_DEBUGTIME,
};

/* What went wrong while parsing. A request with an error is still answered
 * (unless noreply silences it); cmd keeps the command when one was known. */
enum request_error {
    REQERR_NONE = 0,
    REQERR_UNKNOWN,      /* unknown command, wrong token count, empty line */
    REQERR_FORMAT,       /* malformed line: key too long, bad number */
    REQERR_BAD_CHUNK,    /* data block not ended by \r\n */
    REQERR_TOO_LARGE,    /* data length above the value limit */
    REQERR_EXPTIME,      /* malformed exptime (touch, gat, flush_all) */
    REQERR_DELTA,        /* malformed incr/decr delta */
    REQERR_DELETE_USAGE, /* delete with a hold time other than 0 */
};

enum request_shutdown {
    SHUTDOWN_NOW,
    SHUTDOWN_GRACEFUL,
    SHUTDOWN_BAD_MODE,
};

enum request_debugtime {
    DEBUGTIME_STEP,
    DEBUGTIME_PAUSE,
    DEBUGTIME_RESUME,
};

struct request {
    enum request_cmd cmd;
    enum request_error error;
    bool noreply;
    uint8_t mode;           /* enum request_shutdown or request_debugtime */
    struct slice line;      /* the command line without its terminator */
    struct slice key;       /* single-key commands */
    struct slice keys;      /* retrieval: the part of the line with the keys */
    uint32_t key_count;     /* retrieval: keys in `keys` */
    uint32_t bad_key_index; /* retrieval: first key over 250 bytes, or
                               key_count when every key is fine */
    uint32_t flags;
    int32_t exptime;        /* storage, touch, gat/gats; flush_all's delay */
    uint32_t value_len;     /* storage: the length the line declared */
    struct slice value;     /* storage: the data block, terminator excluded */
    uint64_t cas_unique;
    uint64_t delta;
    int64_t time_step;      /* debugtime */
    uint32_t level;         /* verbosity */
    struct slice arg;       /* stats: its first argument, if any */
};

#endif
