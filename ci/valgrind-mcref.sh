#!/bin/sh
# ci/valgrind-mcref.sh ARGS... - mcref under valgrind memcheck, for the
# integration suite (MCREF_BIN points here). It execs valgrind.bin itself,
# not Debian's /usr/bin/valgrind wrapper script, so that this process is the
# server: the suite's signals reach it. One log per process in VG_LOG_DIR.
exec valgrind.bin --tool=memcheck --error-exitcode=99 --leak-check=full \
    --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible \
    --log-file="${VG_LOG_DIR:?}/mcref.%p.log" \
    "${VG_TARGET:?}" "$@"
