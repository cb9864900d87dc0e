/*
 * cc_tally.h - what one profile's run found: the JSON lines mcref wrote to
 * its client check report (check_report.h), counted by clause and by fault.
 *
 * Pure: lines in, counts out. A line that is neither a finding nor a fault
 * is counted as unreadable, never guessed at.
 */
#ifndef CC_TALLY_H
#define CC_TALLY_H

#include <stddef.h>
#include <stdint.h>

enum { CC_NAMES_MAX = 32, CC_NAME_LEN = 48, CC_EXCERPT_LEN = 200 };

struct cc_count {
    char name[CC_NAME_LEN];         /* clause ID or fault kind */
    uint64_t count;
    uint64_t conn;                  /* where it was first seen */
    uint64_t request;
    char excerpt[CC_EXCERPT_LEN];   /* the first excerpt, still escaped */
};

struct cc_tally {
    struct cc_count clauses[CC_NAMES_MAX];
    unsigned clause_count;
    struct cc_count faults[CC_NAMES_MAX];
    unsigned fault_count;
    uint64_t violations;
    uint64_t fault_total;
    uint64_t unreadable;
};

void cc_tally_init(struct cc_tally *t);

/* Counts one report line (without its newline). */
void cc_tally_line(struct cc_tally *t, const char *line, size_t len);

#endif
