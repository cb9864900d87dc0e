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

/* Digits of the largest u64, 18446744073709551615, and of the largest u32,
 * 4294967295 (a flags or a length field). */
#define LIMIT_U64_DIGITS 20u
#define LIMIT_U32_DIGITS 10u

/* ---- Lines and replies (src/proto) ---- */

/* [meta.token-limit]: tokens a meta line may have, counted as memcached
 * counts them (command, key, datalen, flags, and one for the line's end). */
#define LIMIT_META_TOKENS 20u

/* [meta.flags]: most flag tokens a meta line may carry (memcached: 20 tokens
 * in all). */
#define LIMIT_META_FLAGS 24u

/* [meta.opaque]: bytes of an opaque after its `O` (memcached's documented
 * 32; 1.6.18 refuses one byte less, [meta.opaque] says why we do not). */
#define LIMIT_META_OPAQUE_LEN 32u

/* [stats.cachedump], [admin.lru-crawler]: slab class ids memcached accepts
 * are below this (mcref has one class, 1). */
#define LIMIT_CLASS_ID 64u

/* [auth.sasl]: the most SASL data (after the mechanism name) a binary
 * packet may carry. */
#define LIMIT_SASL_DATA_LEN 1024

/* The most bytes a composer writes into its caller's buffer at once. */
#define LIMIT_REPLY_HEAD_LEN 1024u

/* [stats.general]: the longest statistic name and string value a stat line
 * carries. */
#define LIMIT_STAT_NAME_LEN 64
#define LIMIT_STAT_VALUE_LEN 128

/* [misc.version]: the most bytes of a version string a VERSION reply
 * carries. */
#define LIMIT_VERSION_LEN 128u

/* ---- Sessions and replies (src/engine) ---- */

/* [conn.input-budget]: a session's stash grows in steps of this many bytes. */
#define LIMIT_STASH_ROUND 4096

/* [conn.output-bound]: bytes one reply block holds (values this large are
 * referenced, not copied), and the free blocks kept for reuse, shared by all
 * connections (256 x 16 KiB = 4 MiB). */
#define LIMIT_REPLY_BLOCK (16 * 1024)
#define LIMIT_FREE_REPLY_BLOCKS 256

/* [auth.file]: the longest user name and password compared (longer ones
 * never match), and the largest password file read. */
#define LIMIT_AUTH_FIELD_LEN 256u
#define LIMIT_AUTHFILE_SIZE (1u << 20)

/* [client.*] findings: an excerpt's size, enough to recognise a request. */
#define LIMIT_CLIENT_EXCERPT 160

/* Spec §21.1, faults a client must survive: a cut's largest write and the
 * reply bytes it applies to at most (then writes are whole again: a 1 MiB
 * value is not sent one byte at a time), a delay's longest wait, a slow
 * accept's longest wait, and the longest profile or list text. */
#define LIMIT_FAULT_CUT_MAX 8
#define LIMIT_FAULT_CUT_SPAN 4096
#define LIMIT_FAULT_DELAY_MAX_MS 100
#define LIMIT_FAULT_ACCEPT_MAX_MS 300
#define LIMIT_FAULT_LIST_LEN 256

/* ---- The store (src/store) ---- */

/* [mem.log]: the smallest log, in bytes. */
#define LIMIT_LOG_MIN 64

/* [meta.mg-access]: the log keeps one write time per this many bytes, not
 * one per item (item headers stay as small as they are). */
#define LIMIT_STAMP_CHUNK 4096u

/* [mem.bounded]: old index buckets moved per operation while the index
 * doubles: one suffices to finish a doubling before the next is due (the
 * count must double first); more keeps the move short. */
#define LIMIT_INDEX_MOVES_PER_STEP 8

/* ---- The server (src/net, src/app) ---- */

/* [conn.max]: listening sockets (-l items), the longest listener address
 * text, and the descriptors mcref needs besides connections (listeners,
 * epoll, signals, standard streams, and some slack) when it raises its
 * descriptor limit for -c. */
#define LIMIT_LISTENERS 32
#define LIMIT_LISTEN_NAME_LEN 128
#define LIMIT_OWN_FDS 64

/* Readiness events taken per epoll_wait; new connections accepted per
 * readiness of a listener. */
#define LIMIT_EVENTS_PER_WAIT 256
#define LIMIT_ACCEPTS_PER_EVENT 64

/* Reply segments handed to one writev. A copied block holds at most
 * LIMIT_REPLY_BLOCK bytes, but a block referencing a large value holds the
 * whole rest of it, so one writev may offer far more than 1 MiB. */
#define LIMIT_WRITE_SEGMENTS 64

/* [conn.signal]: pending writes get this long once the server stops. */
#define LIMIT_STOP_GRACE_MS 1000

/* [conn.idle-timeout]: idle checks and accept retries run this often. */
#define LIMIT_TICK_MS 1000

/* [mem.elastic]: the store's turns, LIMIT_TICK_RECORDS each: as many records
 * a second as 4096 a second were, in pauses an eighth as long; every
 * LIMIT_STORE_TICK_BUSY_MS while the store reclaims. */
#define LIMIT_STORE_TICK_MS 125
#define LIMIT_STORE_TICK_BUSY_MS 1

/* [restart.image]: FILE.meta is a few hundred bytes; anything larger is
 * not ours. */
#define LIMIT_MEMFILE_META 4096

/* Command-line settings: the -l list, the notes kept for the start-up log,
 * and a path's length. */
#define LIMIT_SETTINGS_LISTEN_LEN 1024
#define LIMIT_SETTINGS_NOTES 16
#define LIMIT_SETTINGS_PATH_LEN 512

#endif
