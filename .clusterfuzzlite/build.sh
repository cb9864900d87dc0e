#!/bin/bash -eu
# ClusterFuzzLite runs $SRC/build.sh; this is the same script.
exec "$SRC/mcref/fuzz/oss-fuzz/build.sh"
