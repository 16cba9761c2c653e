#!/usr/bin/env bash
# The main job, from a fresh clone: install the C libraries, build in release mode, and upscale a
# sample photograph 2x in local multi-process mode (one coordinator and two worker processes on
# loopback). Prints where the output is.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# Same flags as scripts/test.sh, so running one after the other compiles once.
flags=(-c release -Xswiftc -enable-testing)
swift build "${flags[@]}" --product tessera
bin="$(swift build "${flags[@]}" --show-bin-path)/tessera"
mkdir -p out
input="${1:-tiles/samples/coffee.png}"
output="out/$(basename "${input%.png}")-2x.png"
"$bin" upscale "$input" --scale 2 --upscaler lanczos --tile 256 --padding 32 --local 2 -o "$output"
echo "Upscaled image: $(pwd)/$output"
