/*
 * limits.h - every bound mcref has, named once.
 *
 * Spec clauses that fix a value are cited beside it. Anything that loops,
 * buffers or counts is bounded by one of these.
 */
#ifndef MCREF_LIMITS_H
#define MCREF_LIMITS_H

/* [key.length] */
#define LIMIT_KEY_LEN 250u

/* [frame.line-limit]: content bytes of a command line, terminator excluded. */
#define LIMIT_LINE_LEN 2048u

/* [frame.get-line-limit]: a get/gets line may be this long. */
#define LIMIT_GET_LINE_LEN (4u << 20)

/* [cmd.token-count]: tokens examined on one line (memcached's MAX_TOKENS - 1). */
#define LIMIT_TOKENS 23u

/* [item.value-max]: the -I range and default, in bytes. */
#define LIMIT_VALUE_LEN_DEFAULT (1u << 20)
#define LIMIT_VALUE_LEN_MIN 1024u
#define LIMIT_VALUE_LEN_MAX (1u << 30)

/* [store.bad-line]: the largest data length accepted on a storage line. */
#define LIMIT_DATA_LEN_FIELD 2147483645u

/* [expiry.relative-max]: exptimes up to this are relative seconds. */
#define LIMIT_RELATIVE_EXPTIME 2592000

/* [client.exptime-range]: an absolute exptime before this (2000-01-01) is
 * a relative time the client meant, sent too large. */
#define LIMIT_CLIENT_ABSOLUTE_EXPTIME_MIN 946684800u

/* [mem.make-room]: second chances given per write. */
#define LIMIT_MOVES_PER_WRITE 16u

/* [mem.elastic]: the log's smallest cap (or -m if smaller), the unit its cap
 * changes by, the compaction credit each written byte earns and the most
 * that can be saved (so the live bytes one write may move below -m, beyond
 * its first record), and the records one store_tick may look at (a turn is
 * a pause between requests: 4096 records of 1 KiB took 0.2-0.5 ms, a tail
 * every request waiting then shared; 512 take an eighth of that). */
#define LIMIT_LOG_CAP_MIN (1u << 20)
#define LIMIT_LOG_CAP_STEP (64u << 10)
#define LIMIT_COMPACT_CREDIT_PER_BYTE 8u
#define LIMIT_COMPACT_CREDIT_MAX (8u << 20)
#define LIMIT_TICK_RECORDS 512u
/* [mem.elastic]: memory given back after one operation or tick at most (one
 * madvise call: a pause, as a tick is, so kept as short). */
#define LIMIT_RELEASE_BYTES (2u << 20)

/* [admin.dump-walk]: records a key dump examines per step, and the most
 * reply bytes `stats cachedump` gives (memcached's 2 MB). */
#define LIMIT_DUMP_RECORDS 1024u
#define LIMIT_CACHEDUMP_BYTES (2u << 20)

/* [conn.output-bound]: stop reading a connection past this much pending output. */
#define LIMIT_OUTPUT_PAUSE (256u << 10)

/* [conn.output-bound]: slack in the hard bound beyond pause + 2 x -I. */
#define LIMIT_OUTPUT_HARD_SLACK (4u << 20)

/* Default -c and -m, as memcached. */
#define LIMIT_CONNS_DEFAULT 1024u
#define LIMIT_MEM_MB_DEFAULT 64u

/* Bytes read from a socket at once, into the loop's shared buffer. */
#define LIMIT_READ_CHUNK (64u << 10)

/* Digits of the largest u64, 18446744073709551615. */
#define LIMIT_U64_DIGITS 20u

#endif
