#!/bin/sh
# php-memcached with OPT_BINARY_PROTOCOL (php-memcached.php).
MCREF_SCENARIO_BINARY=1 exec php "$(dirname "$0")/php-memcached.php"
