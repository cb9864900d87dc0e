/*
 * replay_main.c - runs a fuzz harness on files, without any fuzzer runtime.
 *
 *   <harness>-replay FILE|DIR...
 *
 * Each input is copied into a heap block of exactly its size, so that
 * AddressSanitizer catches a read one byte past its end. Prints
 * "N passed, N failed"; an input that breaks an invariant aborts.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int
run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc(size > 0 ? (size_t)size : 1);
    if (data == NULL || (size > 0 && fread(data, 1, (size_t)size, f) != (size_t)size)) {
        fclose(f);
        free(data);
        fprintf(stderr, "%s: cannot read\n", path);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, (size_t)size);
    free(data);
    return 0;
}

static void
run_path(const char *path, unsigned *passed, unsigned *failed)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        (*failed)++;
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (run_file(path) == 0) {
            (*passed)++;
        } else {
            (*failed)++;
        }
        return;
    }
    DIR *dir = opendir(path);
    if (dir == NULL) {
        perror(path);
        (*failed)++;
        return;
    }
    struct dirent *ent;
    while ((ent = readdir(dir)) != NULL) {
        if (ent->d_name[0] == '.') {
            continue;
        }
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, ent->d_name);
        run_path(child, passed, failed);
    }
    closedir(dir);
}

int
main(int argc, char **argv)
{
    unsigned passed = 0;
    unsigned failed = 0;
    for (int i = 1; i < argc; i++) {
        run_path(argv[i], &passed, &failed);
    }
    printf("%u passed, %u failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
