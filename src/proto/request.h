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

#include "../common/limits.h"

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
    REQ_LRU_CRAWLER,  /* [admin.lru-crawler]: mode is enum request_crawler */
    REQ_CACHE_MEMLIMIT, /* [admin.cache-memlimit]: mem_mb */
    /* The meta protocol ([meta.*]): a meta command is a text line. */
    REQ_META_GET,    /* mg */
    REQ_META_SET,    /* ms: value and value_len as for set */
    REQ_META_DELETE, /* md */
    REQ_META_ARITH,  /* ma */
    REQ_META_NOOP,   /* mn */
    REQ_META_DEBUG,  /* me */
    /* The binary protocol ([bin.*]): one packet; `bin.opcode` says which. */
    REQ_BINARY,
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
    REQERR_STATS_ARGS,   /* stats cachedump with too few arguments */
    REQERR_SLAB_ID,      /* stats cachedump: a class id of 64 or more */
    REQERR_BADCLASS,     /* lru_crawler metadump/mgdump: a bad class list */
    REQERR_CRAWLER_SLEEP, /* lru_crawler sleep over one second */
    REQERR_MEMLIMIT_SMALL, /* cache_memlimit below 8 MB */
    REQERR_MEMLIMIT_UNITS, /* cache_memlimit above 1000000000 (MB) */
    /* Meta lines ([meta.errors]); `meta.error_detail` refines some. */
    REQERR_META,         /* a meta error: meta.error says which */
};

/*
 * The meta protocol's errors, each one reply line of the meta reply table
 * (proto/meta.h). The parser picks the one memcached answers for the command
 * at hand (mg/ms say `invalid flag` where md/ma say `invalid or duplicate
 * flag`, [meta.errors]).
 */
enum meta_error {
    META_ERR_NONE = 0,
    META_ERR_FORMAT,          /* bad command line format */
    META_ERR_INVALID_FLAG,    /* invalid flag */
    META_ERR_DUPLICATE_FLAG,  /* duplicate flag */
    META_ERR_INVALID_OR_DUP,  /* invalid or duplicate flag (md, ma) */
    META_ERR_BAD_TOKEN,       /* bad token in command line format */
    META_ERR_TOO_MANY_FLAGS,  /* options flags (are) too long */
    META_ERR_OPAQUE_TOO_LONG, /* opaque token too long */
    META_ERR_KEY_DECODE,      /* error decoding key (b) */
    META_ERR_MS_MODE,         /* invalid mode for ms M token */
    META_ERR_MS_MODE_LEN,     /* incorrect length for M token */
    META_ERR_MA_MODE,         /* invalid mode for ma M token */
    /* Added with the parser (metaparse): texts 1.6.18 also sends. */
    META_ERR_TOO_MANY_FLAGS_MG, /* options flags are too long (mg, and ms
                                   as since 1.6.40; md ma:
                                   META_ERR_TOO_MANY_FLAGS) */
    META_ERR_BAD_INITIAL,     /* invalid numeric initial value (mg ms J) */
    META_ERR_BAD_DELTA,       /* invalid numeric delta value (mg ms D) */
};

/* A meta flag letter's bit in meta_request.seen ('A'..'Z', 'a'..'z'). */
#define META_BIT(letter)                                              \
    ((letter) >= 'a' ? (uint64_t)1 << (26 + (letter) - 'a')           \
                     : (uint64_t)1 << ((letter) - 'A'))

/*
 * One meta command's flags, decoded. `order` keeps every flag letter in the
 * order the client sent them (return flags are answered in that order);
 * numeric tokens are decoded once here, valid when their letter is in
 * `seen`. The key, when base64 (`b`), is decoded into key_buf.
 */
struct meta_request {
    uint64_t seen;                    /* META_BIT of each flag present */
    uint8_t order[LIMIT_META_FLAGS];    /* flag letters as sent */
    uint8_t count;
    enum meta_error error;            /* with REQERR_META */
    struct slice opaque;              /* O: the token after the letter */
    struct slice key_token;           /* the key as sent (base64 or not) */
    int32_t ttl;                      /* T */
    int32_t vivify_ttl;               /* N */
    int32_t recache_ttl;              /* R */
    uint64_t compare_cas;             /* C */
    uint64_t explicit_cas;            /* E: the CAS the item gets */
    uint64_t delta;                   /* D (ma), default 1 */
    uint64_t initial;                 /* J (ma), default 0 */
    uint32_t client_flags;            /* F (ms) */
    uint8_t mode;                     /* M: the mode letter as sent */
    bool key_decoded;                 /* b: the key is key_buf[0..key_len) */
    uint8_t key_len;
    uint8_t key_buf[LIMIT_KEY_LEN];
};

enum request_shutdown {
    SHUTDOWN_NOW,
    SHUTDOWN_GRACEFUL,
    SHUTDOWN_BAD_MODE,
};

/* What `stats` asks for beyond its first argument. */
enum request_stats {
    STATS_PLAIN,      /* `arg` names the group (or none) */
    STATS_CACHEDUMP,  /* [stats.cachedump]: classes (one bit), dump_limit */
};

/* [admin.lru-crawler]: the subcommands memcached's crawler has. */
enum request_crawler {
    CRAWLER_METADUMP, /* classes */
    CRAWLER_MGDUMP,   /* classes ([admin.mgdump]) */
    CRAWLER_CRAWL,
    CRAWLER_TOCRAWL,
    CRAWLER_SLEEP,
    CRAWLER_ENABLE,
    CRAWLER_DISABLE,
};

enum request_debugtime {
    DEBUGTIME_STEP,
    DEBUGTIME_PAUSE,
    DEBUGTIME_RESUME,
};

/*
 * What the binary parser found wrong with a packet ([bin.errors]). The
 * packet is still a request: the engine answers the matching status.
 */
enum binary_error {
    BIN_ERR_NONE = 0,
    BIN_ERR_INVALID,   /* bad extras/key/body lengths: 0x04, then close */
    BIN_ERR_LENGTHS,   /* key + extras longer than the body: 0x81, close */
    BIN_ERR_UNKNOWN,   /* unknown opcode: 0x81, body dropped, stays open */
    BIN_ERR_TOO_LARGE, /* value above -I: 0x03, value dropped */
    BIN_ERR_SASL_TOO_LONG, /* SASL data over LIMIT_SASL_DATA_LEN (mcref's
                              own bound, no client rule): 0x04, close */
    BIN_ERR_REJECTED,  /* strict mode's =reject ([client.*]): 0x04, stays
                          open; never set by the parser */
};

/* A binary packet's header fields and extras, decoded. */
struct binary_request {
    uint8_t opcode;
    enum binary_error error;
    bool quiet;          /* a quiet opcode ([bin.quiet]) */
    bool with_key;       /* getk/gatk: the reply carries the key */
    bool has_delay;      /* flush: extras given */
    uint32_t opaque;
    uint32_t raw_exptime; /* the extras' exptime as sent */
    uint64_t initial;     /* incr/decr */
    uint8_t header[24];   /* the header as sent, for -vv */
};

struct request {
    enum request_cmd cmd;
    enum request_error error;
    bool noreply;
    uint8_t mode;           /* request_shutdown/_debugtime/_stats/_crawler */
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
    struct binary_request bin; /* REQ_BINARY only */
    uint64_t classes;       /* cachedump, metadump, mgdump: bit n = class n */
    uint32_t dump_limit;    /* cachedump: items at most (0: no limit) */
    uint32_t mem_mb;        /* cache_memlimit */
    struct meta_request meta; /* REQ_META_*: flags and key. Set by the
                                 meta parser only (other requests leave it
                                 as it was); keep it the last field */
};

/*
 * Takes the next key from *rest (a retrieval's `keys`, a slice of base),
 * skipping spaces; false when none is left. Whatever protocol filled the
 * request, this walks its keys.
 */
bool request_next_key(const uint8_t *base, struct slice *rest,
                      struct slice *key);

#endif
