/*
 * null_limits.h - every bound of mcref-null, named once. Those it shares
 * with mcref (a key's length, a read's size, the loop's batches) come from
 * mcref's own limits header, so the floor reads and batches as mcref does.
 */
#ifndef MCREF_NULL_LIMITS_H
#define MCREF_NULL_LIMITS_H

#include "../../common/limits.h"

/* Framing (null_frame.h). */
#define NULL_LINE_MAX 2048u         /* a request line, "\r\n" included */
#define NULL_REPLY_MAX 512u         /* a reply, or a hit's header */
#define NULL_TOKENS_MAX 24u         /* tokens of a line looked at */
#define NULL_KEY_MAX LIMIT_KEY_LEN  /* longer keys in a get: a bad line */
#define NULL_OPAQUE_MAX 32u         /* an `mg` O flag echoed */
#define NULL_DATA_MAX (1u << 30)    /* a data block or hit value */

/* The loop (null_main.c). */
#define NULL_READ_CHUNK LIMIT_READ_CHUNK
#define NULL_OUT_CAP (64u << 10)    /* replies of one batch before a write */
#define NULL_EVENTS_PER_WAIT LIMIT_EVENTS_PER_WAIT
#define NULL_ACCEPTS_PER_EVENT LIMIT_ACCEPTS_PER_EVENT
#define NULL_LISTEN_BACKLOG 1024

#endif
