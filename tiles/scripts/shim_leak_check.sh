#!/bin/sh
# Runs the libpng shim over every PngSuite file (valid and corrupt) under valgrind.
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(mktemp -d)
gcc -g -gdwarf-4 -O1 -I"$ROOT/Sources/CPNGShim/include" $(pkg-config --cflags libpng16) \
    "$ROOT/tiles/scripts/shim_leak_check.c" "$ROOT"/Sources/CPNGShim/*.c $(pkg-config --libs libpng16) -o "$OUT/check"
valgrind --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all --error-exitcode=3 \
    "$OUT/check" "$ROOT"/Tests/Fixtures/pngsuite/png/*.png
rm -rf "$OUT"
