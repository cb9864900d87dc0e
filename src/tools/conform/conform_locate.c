/* conform_locate.c - finding the case directory from where the tool lives. */
#include "conform_locate.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

/* The directory part of path ("a/b/c" -> "a/b", "c" -> "."). */
static void
dir_of(const char *path, char *out, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        snprintf(out, len, ".");
    } else if (slash == path) {
        snprintf(out, len, "/");
    } else {
        snprintf(out, len, "%.*s", (int)(slash - path), path);
    }
}

size_t
conform_locate_candidates(const char *exe_path,
                          char candidates[][CONFORM_PATH_MAX])
{
    size_t n = 0;
    char bin[CONFORM_PATH_MAX];
    if (exe_path != NULL && *exe_path != '\0') {
        dir_of(exe_path, bin, sizeof bin);
        snprintf(candidates[n++], CONFORM_PATH_MAX, "%.4000s/../share/mcref/cases",
                 bin);
    }
    snprintf(candidates[n++], CONFORM_PATH_MAX, "%s/cases", CONFORM_DATADIR);
    if (exe_path != NULL && *exe_path != '\0') {
        snprintf(candidates[n++], CONFORM_PATH_MAX, "%.4000s/../../spec/cases",
                 bin);
    }
    snprintf(candidates[n++], CONFORM_PATH_MAX, "spec/cases");
    return n;
}

static bool
has_cases(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return false;
    }
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        found = len > 5 && strcmp(e->d_name + len - 5, ".case") == 0;
    }
    closedir(d);
    return found;
}

bool
conform_locate_cases(const char *exe_path, char out[CONFORM_PATH_MAX],
                     char *tried, size_t tried_len)
{
    char candidates[CONFORM_LOCATE_CANDIDATES][CONFORM_PATH_MAX];
    size_t n = conform_locate_candidates(exe_path, candidates);
    size_t used = 0;
    if (tried_len > 0) {
        tried[0] = '\0';
    }
    for (size_t i = 0; i < n; i++) {
        if (has_cases(candidates[i])) {
            snprintf(out, CONFORM_PATH_MAX, "%s", candidates[i]);
            return true;
        }
        if (used < tried_len) {
            int w = snprintf(tried + used, tried_len - used, "  %s\n",
                             candidates[i]);
            used += w > 0 ? (size_t)w : 0;
        }
    }
    return false;
}
