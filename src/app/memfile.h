/*
 * memfile.h - the log in a shared mapping of a file, for -e ([restart.*]).
 *
 * The store's memory comes from FILE (tmpfs such as /dev/shm, or a DAX
 * mount); what it gives back becomes holes in the file. A graceful stop
 * writes FILE.meta, the store's image as text with a checksum of its own;
 * a start reads it and removes it at once, so that a process that dies
 * without a graceful stop leaves no image and the next start is empty.
 */
#ifndef MCREF_APP_MEMFILE_H
#define MCREF_APP_MEMFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../store/persist.h"
#include "../store/store.h"

enum { MEMFILE_MSG_MAX = 256 };

struct memfile;

/* Opens (creating it, mode 0600) FILE for a log of size bytes; a file of
 * another size is emptied and resized (its image will be refused). NULL
 * with a message in err on failure. */
struct memfile *memfile_open(const char *path, uint64_t size,
                             char err[MEMFILE_MSG_MAX]);

/* The interface to put in store_config.memory; valid until memfile_close. */
const struct store_memory *memfile_memory(struct memfile *m);

/* Reads FILE.meta into *img and removes it. false when there is none or it
 * cannot be trusted (why says which: no image, damaged, other version, the
 * data file's size), and then the caller starts empty. */
bool memfile_take_image(struct memfile *m, struct store_image *img,
                        char why[MEMFILE_MSG_MAX]);

/* Empties the data file (every byte reads 0 again). Only while unmapped. */
void memfile_reset(struct memfile *m);

/* Writes FILE.meta for img, after the data is synced; false with err. */
bool memfile_save_image(struct memfile *m, const struct store_image *img,
                        uint64_t stop_time_s, char err[MEMFILE_MSG_MAX]);

void memfile_close(struct memfile **m);

#endif
