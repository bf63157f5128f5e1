#!/bin/bash
# Build the configuration parsers' libFuzzer harness with clang and run it
# for SECONDS (default 60) over a scratch copy of the seed corpus.
#
#   tests/fuzz/run.sh [SECONDS]
#
# The binary is build/fuzz/fuzz-config; findings (crash-*, leak-*) land in
# build/fuzz/. Exit status: libFuzzer's (0: nothing found).
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-60}
srcs=(model.c encoding.c values.c secfile.c ini.c wgphysconf.c wgquick.c hooks.c tunnelconf.c err.c)
mkdir -p build/fuzz
clang -g -O1 -std=gnu11 -D_GNU_SOURCE -I. -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined \
	-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
	tests/fuzz/fuzz-config.c "${srcs[@]}" -o build/fuzz/fuzz-config
rm -rf build/fuzz/corpus
mkdir -p build/fuzz/corpus
cp tests/fuzz/corpus/config/* build/fuzz/corpus/
cd build/fuzz
exec ./fuzz-config -max_total_time="$secs" -timeout=10 -max_len=8192 corpus
