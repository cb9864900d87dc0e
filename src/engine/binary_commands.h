/*
 * binary_commands.h - one binary-protocol packet executed ([bin.*],
 * [auth.*]): its meaning over the store, its replies composed as packets.
 *
 * A binary connection keeps one fact beyond its parser: whether it has
 * authenticated (under -S). The session owns it and passes it in.
 */
#ifndef MCREF_BINARY_COMMANDS_H
#define MCREF_BINARY_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>

#include "../proto/request.h"
#include "commands.h"
#include "engine.h"
#include "outq.h"

/*
 * Executes req (cmd REQ_BINARY; slices are offsets from base) at real time
 * real_s. COMMAND_QUIT when the connection must close once its replies are
 * sent (quit, a packet that closes, a command before authentication).
 */
enum command_result binary_execute(struct engine *e, struct outq *q,
                                   const uint8_t *base,
                                   const struct request *req, uint32_t real_s,
                                   bool *authenticated,
                                   const struct reply_trace *trace);

#endif
