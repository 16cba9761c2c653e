#!/usr/bin/env bash
# The main job, from a fresh clone: install the C libraries, build in release mode, and upscale a
# sample photograph 2x in local multi-process mode (one coordinator and two worker processes on
# loopback). Prints where the output is.
#
#   scripts/demo.sh [IMAGE.png]              classical Lanczos tiles (a real, good-looking upscale)
#   scripts/demo.sh --diffusion [IMAGE.png]  the diffusion path: img2img per tile with a Tile ControlNet,
#                                            on the repo's tiny RANDOM-WEIGHT models, so the picture
#                                            comes out as noise; it shows the machinery, not a result
set -euo pipefail
cd "$(dirname "$0")/.."
diffusion=0
if [ "${1:-}" = "--diffusion" ]; then diffusion=1; shift; fi
scripts/install-deps.sh
# Same flags as scripts/test.sh, so running one after the other compiles once.
flags=(-c release -Xswiftc -enable-testing)
swift build "${flags[@]}" --product tessera
bin="$(swift build "${flags[@]}" --show-bin-path)/tessera"
mkdir -p out
input="${1:-tiles/samples/coffee.png}"
name="$(basename "${input%.png}")"
if [ "$diffusion" -eq 1 ]; then
    models=Tests/Fixtures/reference/models
    output="out/$name-2x-diffusion.png"
    "$bin" upscale "$input" --scale 2 --tile 256 --padding 32 --local 2 -o "$output" \
        --checkpoint "$models/checkpoint_ldm.safetensors" \
        --controlnet-tile "$models/controlnet_ldm_fp16.safetensors" \
        --prompt "a photograph" --denoising-strength 0.35 --steps 8 --sampler "Euler a" --seed 1
else
    output="out/$name-2x.png"
    "$bin" upscale "$input" --scale 2 --upscaler lanczos --tile 256 --padding 32 --local 2 -o "$output"
fi
echo "Upscaled image: $(pwd)/$output"
