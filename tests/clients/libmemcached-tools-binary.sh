#!/bin/sh
# libmemcached tools with --binary (libmemcached-tools.sh).
MCREF_SCENARIO_BINARY=1 exec sh "$(dirname "$0")/libmemcached-tools.sh"
