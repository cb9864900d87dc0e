/*
 * conform_limits.h - every bound of mcref-conform, named once.
 *
 * Case files, byte strings, replies and connections are all checked against
 * these, so a hostile server or a broken case file costs bounded memory and
 * bounded time.
 */
#ifndef CONFORM_LIMITS_H
#define CONFORM_LIMITS_H

/* Error and message text written by any module. */
#define CONFORM_ERR_LEN 512

/* Case files. */
#define CONFORM_FILE_LEN_MAX (16u * 1024u * 1024u) /* one .case file */
#define CONFORM_FILES_MAX 1024u          /* .case files in a directory */
#define CONFORM_CASES_MAX 8192u          /* cases in a run */
#define CONFORM_STEPS_MAX 4096u          /* steps in one case */
#define CONFORM_NAME_LEN_MAX 96u         /* case names */
#define CONFORM_CLAUSES_MAX 32u          /* clause IDs one case cites */
#define CONFORM_CLAUSE_LEN_MAX 64u       /* one clause ID */
#define CONFORM_REQUIRES_MAX 16u         /* conditions of one case */
#define CONFORM_SETTING_LEN_MAX 64u      /* a `stats settings` name or value */
#define CONFORM_VERSION_LEN_MAX 31u      /* a `since:` release number */
#define CONFORM_VERSION_PARTS 4u         /* numbers in a release: 1.6.18 */
#define CONFORM_REPEAT_DEPTH_MAX 4u      /* nested repeat blocks */
#define CONFORM_REPEAT_COUNT_MAX 1000000u

/* A send-bin / expect-bin `cas=${var}` (expanded when the step runs). */
#define CONFORM_BIN_CAS_TEXT_MAX 64u

/* Byte strings and variables. */
#define CONFORM_BYTES_MAX (64u * 1024u * 1024u) /* one send or expect */
#define CONFORM_VAR_NAME_LEN_MAX 32u
#define CONFORM_VAR_VALUE_LEN_MAX 1024u
#define CONFORM_VARS_MAX 64u
#define CONFORM_CAPTURES_MAX 9u          /* variables of one expect-line */
#define CONFORM_KEY_PREFIX_LEN 10u       /* ${k}: "k" + 8 hex digits + "_" */

/* Replies. */
#define CONFORM_RX_MAX (CONFORM_BYTES_MAX + 64u * 1024u) /* unread bytes */
#define CONFORM_LINE_LEN_MAX (64u * 1024u) /* one expect-line line */
#define CONFORM_STATS_LEN_MAX (1024u * 1024u) /* one whole stats reply */
#define CONFORM_STATS_MAX 512u           /* STAT lines kept from one reply */
#define CONFORM_STAT_VALUE_LEN_MAX 256u  /* one STAT value kept */
#define CONFORM_READ_LEN (64u * 1024u)   /* one read() */

/* Connections and time. */
#define CONFORM_CONNS_MAX 256u           /* open at once in one case */
#define CONFORM_CONN_NAME_LEN_MAX 64u
#define CONFORM_TIMEOUT_MS_DEFAULT 2000u /* connect, each read, each write */
#define CONFORM_TIMEOUT_MS_MAX 600000u
#define CONFORM_CASE_MS_DEFAULT 120000u  /* one case from start to end */
#define CONFORM_WAIT_S_MAX 3600.0        /* one wait or sleep step */
#define CONFORM_SLOW_S 2.0               /* real waits above this need `slow` */

/* Reports. */
#define CONFORM_SHOW_LEN 240u            /* characters of escaped bytes shown */

#endif
