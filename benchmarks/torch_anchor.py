#!/usr/bin/env python3
"""PyTorch anchor for `tessera-bench core`.

Builds the SD1.5 UNet, ControlNet and VAE with diffusers (random weights, float32, CPU, all
cores) and times the same stages on the same shapes as CoreBench, so the Swift figures can be
read as a ratio to torch. Prints a table, or with --json one JSON list on the last line:
[{"name": ..., "seconds": ..., "gflops": 0}, ...].

Needs torch and diffusers; no weights are downloaded (configs are written out below).
"""
import argparse
import json
import os
import sys
import time


UNET_CONFIG = dict(
    sample_size=64, in_channels=4, out_channels=4, layers_per_block=2,
    block_out_channels=(320, 640, 1280, 1280),
    down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
    up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
    cross_attention_dim=768, attention_head_dim=8, flip_sin_to_cos=True, freq_shift=0,
    norm_num_groups=32, norm_eps=1e-5)

VAE_CONFIG = dict(
    in_channels=3, out_channels=3, latent_channels=4, layers_per_block=2,
    block_out_channels=(128, 256, 512, 512),
    down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
    norm_num_groups=32, sample_size=512)


def timed(name, fn, torch):
    with torch.inference_mode():
        start = time.perf_counter()
        fn()
        seconds = time.perf_counter() - start
    return {"name": name, "seconds": seconds, "gflops": 0.0}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.size % 64:
        sys.exit("--size must be a multiple of 64")

    import torch
    from diffusers import AutoencoderKL, ControlNetModel, UNet2DConditionModel

    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(0)
    latent = args.size // 8
    b = args.batch

    unet = UNet2DConditionModel(**UNET_CONFIG).eval()
    controlnet = ControlNetModel.from_unet(unet).eval()
    vae = AutoencoderKL(**VAE_CONFIG).eval()

    sample = torch.randn(b, 4, latent, latent)
    context = torch.randn(b, 77, 768)
    hint = torch.rand(b, 3, args.size, args.size)
    t = torch.full((b,), 501.0)

    stages = []
    stages.append(timed(f"unet_b{b}_{latent}", lambda: unet(sample, t, context), torch))
    residuals = {}

    def run_controlnet():
        down, mid = controlnet(sample, t, context, hint, return_dict=False)
        residuals["down"], residuals["mid"] = down, mid

    stages.append(timed(f"controlnet_b{b}_{latent}", run_controlnet, torch))
    stages.append(timed(f"unet_with_control_b{b}_{latent}", lambda: unet(
        sample, t, context, down_block_additional_residuals=residuals["down"],
        mid_block_additional_residual=residuals["mid"]), torch))
    z = torch.randn(1, 4, latent, latent)
    stages.append(timed(f"vae_decode_{latent}_to_{args.size}", lambda: vae.decode(z), torch))
    image = torch.rand(1, 3, args.size, args.size) * 2 - 1
    stages.append(timed(f"vae_encode_{args.size}_to_{latent}", lambda: vae.encode(image), torch))

    if args.json:
        print(json.dumps(stages))
    else:
        for s in stages:
            print(f"{s['name']:<28} {s['seconds']:8.2f} s")


if __name__ == "__main__":
    main()
