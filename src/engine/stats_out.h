/*
 * stats_out.h - the replies to `stats` and its subcommands ([stats.*]).
 *
 * Names and order follow memcached 1.6.18 for every statistic mcref has; the
 * list, with what each means here, is spec/stats.md.
 */
#ifndef MCREF_STATS_OUT_H
#define MCREF_STATS_OUT_H

#include <stdbool.h>
#include <stdint.h>

#include "../proto/request.h"
#include "reply.h"

/* Answers `stats <arg>` (arg empty for plain `stats`; a slice of base) at
 * the reply's item-clock time, one RESP_STAT response per statistic. */
void stats_out(struct reply *r, const uint8_t *base, struct slice arg);

#endif
