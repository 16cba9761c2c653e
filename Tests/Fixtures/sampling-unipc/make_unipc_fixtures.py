"""Records A1111's own UniPC ("UniPC" sampler) runs for Tessera's parity tests.

A1111 vendors UniPC in modules/models/diffusion/uni_pc/uni_pc.py and drives it from
modules/sd_samplers_timesteps_impl.py::unipc. This script imports that vendored file (NOT
committed here; pass its path) and re-creates the driver's few lines:
  * ns = NoiseScheduleVP('discrete', alphas_cumprod=<model alphas_cumprod, float32>)
  * UniPC(model=None, ns, predict_x0=True, thresholding=False, variant=opts.uni_pc_variant) whose
    model(x, t) calls the eps model at t_input = (t - 1/N) * 1000
  * sample(x, steps=len(timesteps), t_start=timesteps[-1]/1000 + 1/1000 for img2img else None,
    skip_type=opts.uni_pc_skip_type, method="multistep", order=opts.uni_pc_order,
    lower_order_final=opts.uni_pc_lower_order_final)
  * timesteps = clip(range(0, 1000, 1000 // steps) + 1, 0, 999) (CompVisSampler.get_timesteps);
    img2img: t_enc = int(min(d, .999) * steps), timesteps[:t_enc], start latent
    init * sqrt(ac[ts[t_enc]]) + noise * sqrt(1 - ac[ts[t_enc]]).
A1111 defaults (shared_options.py): uni_pc_variant bh1, uni_pc_skip_type time_uniform,
uni_pc_order 3, uni_pc_lower_order_final True.

Usage (torch + safetensors needed):
  git show 82a973c04367123ae98bd9abdf80d9eda9b910e2:modules/models/diffusion/uni_pc/uni_pc.py > /tmp/a1111_uni_pc.py
  python3 make_unipc_fixtures.py /tmp/a1111_uni_pc.py
"""
import importlib.util
import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_COMMIT = "AUTOMATIC1111/stable-diffusion-webui 82a973c04367123ae98bd9abdf80d9eda9b910e2 (v1.10.1)"
torch.set_num_threads(1)


def load_uni_pc(path):
    spec = importlib.util.spec_from_file_location("a1111_uni_pc", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def alphas_cumprod():
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
    return torch.tensor(np.cumprod(1.0 - betas.numpy(), axis=0), dtype=torch.float32)


def toy_eps(x, t):
    """Stand-in for CFG(UNet) eps that Swift evaluates with the same float32 ops."""
    s = t.view(-1, 1, 1, 1)
    return 0.3 * x + (s * 0.001) * (x * x) / (x * x + 1)


def main(path):
    uni_pc = load_uni_pc(path)
    ac = alphas_cumprod()

    class Driver(uni_pc.UniPC):
        def __init__(self, calls, *args, **kwargs):
            super().__init__(None, *args, **kwargs)
            self.calls = calls

        def model(self, x, t):
            t_input = (t - 1. / self.noise_schedule.total_N) * 1000.
            self.calls.append(t_input[0].item())
            return toy_eps(x, t_input)

    shape = (1, 4, 8, 8)
    runs = [
        # name, steps, variant, skip, order, lower_order_final, denoising strength
        ("bh1_uniform_8", 8, "bh1", "time_uniform", 3, True, None),
        ("bh1_uniform_7_grid_of_8", 7, "bh1", "time_uniform", 3, True, None),
        ("bh2_uniform_10", 10, "bh2", "time_uniform", 3, True, None),
        ("vary_coeff_uniform_6", 6, "vary_coeff", "time_uniform", 3, True, None),
        ("bh1_quadratic_8", 8, "bh1", "time_quadratic", 3, True, None),
        ("bh1_logsnr_8", 8, "bh1", "logSNR", 3, True, None),
        ("bh2_order2_no_lower_final_6", 6, "bh2", "time_uniform", 2, False, None),
        ("img2img_bh1_10_d06", 10, "bh1", "time_uniform", 3, True, 0.6),
    ]
    tensors, meta = {}, []
    for k, (name, steps, variant, skip, order, lof, strength) in enumerate(runs):
        noise = torch.randn(shape, generator=torch.Generator().manual_seed(100 + k))
        grid = torch.clip(torch.asarray(list(range(0, 1000, 1000 // steps))) + 1, 0, 999)
        if strength is None:
            timesteps, x, t_start, init = grid, noise.clone(), None, None
        else:
            t_enc = int(min(strength, 0.999) * steps)
            timesteps = grid[:t_enc]
            init = torch.randn(shape, generator=torch.Generator().manual_seed(200 + k)) * 0.5
            x = init * torch.sqrt(ac[grid[t_enc]]) + noise * torch.sqrt(1 - ac[grid[t_enc]])
            t_start = timesteps[-1] / 1000 + 1 / 1000
        x_init = x.clone()
        calls = []
        ns = uni_pc.NoiseScheduleVP('discrete', alphas_cumprod=ac)
        sampler = Driver(calls, ns, predict_x0=True, thresholding=False, variant=variant)
        out = sampler.sample(x, steps=len(timesteps), t_start=t_start, skip_type=skip, method="multistep",
                             order=order, lower_order_final=lof)
        tensors[f"{name}.x_init"] = x_init.contiguous()
        tensors[f"{name}.x_final"] = out.contiguous()
        tensors[f"{name}.model_times"] = torch.tensor(calls, dtype=torch.float32)
        if init is not None:
            tensors[f"{name}.init_latent"] = init.contiguous()
            tensors[f"{name}.noise"] = noise.contiguous()
        meta.append({"name": name, "steps": steps, "grid_size": len(grid), "sampler_steps": len(timesteps),
                     "variant": variant, "skip_type": skip, "order": order, "lower_order_final": lof,
                     "denoising_strength": strength, "model_calls": len(calls), "seed_noise": 100 + k})
    save_file(tensors, os.path.join(HERE, "unipc.safetensors"))
    with open(os.path.join(HERE, "unipc.json"), "w") as f:
        json.dump({"produced_by": f"A1111 uni_pc.py from {SOURCE_COMMIT}, torch {torch.__version__} CPU float32",
                   "toy_eps": "eps = 0.3 * x + (t * 0.001) * (x*x) / (x*x + 1), t = model input time (t - 1/N) * 1000",
                   "start": "txt2img: x_init = randn(seed_noise) (CPU generator); img2img: see the script docstring",
                   "cases": meta}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/a1111_uni_pc.py")
    print("done")
