"""Records A1111's "Restart", "DPM fast" and "DPM adaptive" runs for Tessera's parity tests.

* Restart is A1111's own function (modules/sd_samplers_extra.py::restart_sampler); this script
  imports that file from a path you pass (not committed here), e.g.
      git show 82a973c04367123ae98bd9abdf80d9eda9b910e2:modules/sd_samplers_extra.py > /tmp/a1111_extra.py
* DPM fast / DPM adaptive are k-diffusion's sample_dpm_fast / sample_dpm_adaptive
  (k-diffusion 0.1.1.post1 = A1111's pin ab527a9), called with the arguments A1111's
  KDiffusionSampler passes: txt2img sigma_min/sigma_max = the model's sigma table ends, n = steps;
  img2img sigma_min = sigma_sched[-2], sigma_max = sigma_sched[0], n = len(sigma_sched) - 1;
  eta = opts.eta_ancestral = 1 unless given.
* Per-step noise is A1111's: k_diffusion.sampling.torch is hijacked so randn_like draws the next
  tensor from each image's own torch CPU generator, seeded with the image seed, whose first draw
  made the start noise ("RNG source: CPU", ENSD 0).
* Start: txt2img x = noise * sigmas[0] (sigmas of the sampler's Automatic scheduler: Karras for
  Restart, the model's discrete schedule for DPM fast/adaptive); img2img as A1111 slices it.

Usage: python3 make_extra_sampler_fixtures.py /tmp/a1111_extra.py
"""
import importlib.util
import json
import os
import sys
import types

import numpy as np
import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)


def import_kdiffusion():
    spec = importlib.util.find_spec("k_diffusion")
    pkg = types.ModuleType("k_diffusion")
    pkg.__path__ = list(spec.submodule_search_locations)
    sys.modules["k_diffusion"] = pkg
    try:
        import torchvision.transforms.functional  # noqa: F401
    except ImportError:
        for name in ("torchvision", "torchvision.transforms", "torchvision.transforms.functional"):
            sys.modules[name] = types.ModuleType(name)
        sys.modules["torchvision.transforms"].functional = sys.modules["torchvision.transforms.functional"]
    from k_diffusion import sampling, external
    pkg.sampling = sampling
    pkg.external = external
    return sampling, external


sampling, external = import_kdiffusion()


def load_restart(path):
    spec = importlib.util.spec_from_file_location("a1111_extra", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.restart_sampler


class ImageStreams:
    """A1111's TorchHijack + ImageRNG(CPU): randn_like → next draw of every image's generator."""

    def __init__(self, seeds, shape):
        self.generators = [torch.Generator().manual_seed(s) for s in seeds]
        self.shape = shape
        self.draws = 0

    def first(self):
        return torch.stack([torch.randn(self.shape, generator=g) for g in self.generators])

    def __getattr__(self, item):
        if item == "randn_like":
            return self.randn_like
        return getattr(torch, item)

    def randn_like(self, x):
        self.draws += 1
        return torch.stack([torch.randn(self.shape, generator=g) for g in self.generators])


class Inner(torch.nn.Module):
    def __init__(self, ac):
        super().__init__()
        self.alphas_cumprod = ac


def toy_denoiser(x, sigma, **kwargs):
    s = sigma.view(-1, 1, 1, 1)
    return x / (s * s + 1) + 0.1 * (x * x) / (x * x + 1)


class Counting:
    def __init__(self):
        self.sigmas = []

    def __call__(self, x, sigma, **kwargs):
        self.sigmas.append(sigma[0].item())
        return toy_denoiser(x, sigma)


def main(extra_path):
    restart_sampler = load_restart(extra_path)
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
    ac = torch.tensor(np.cumprod(1.0 - betas.numpy(), axis=0), dtype=torch.float32)
    den = external.CompVisDenoiser(Inner(ac), quantize=False)
    smin, smax = den.sigmas[0].item(), den.sigmas[-1].item()
    shape = (4, 8, 8)
    runs = [
        # name, sampler, steps, seeds, denoising strength, eta
        ("restart_10", "restart", 10, [11, 12], None, None),
        ("restart_24", "restart", 24, [13], None, None),
        ("restart_40", "restart", 40, [14], None, None),
        ("img2img_restart_30_d07", "restart", 30, [15], 0.7, None),
        ("dpm_fast_10", "dpm_fast", 10, [21, 22], None, 1.0),
        ("dpm_fast_8_eta0", "dpm_fast", 8, [23], None, 0.0),
        ("img2img_dpm_fast_20_d05", "dpm_fast", 20, [24], 0.5, 1.0),
        ("dpm_adaptive", "dpm_adaptive", 20, [31, 32], None, 1.0),
        ("dpm_adaptive_eta0", "dpm_adaptive", 20, [33], None, 0.0),
        ("img2img_dpm_adaptive_20_d06", "dpm_adaptive", 20, [34], 0.6, 1.0),
    ]
    tensors, meta = {}, []
    for name, kind, steps, seeds, strength, eta in runs:
        streams = ImageStreams(seeds, shape)
        sampling.torch = streams
        noise = streams.first()
        if kind == "restart":
            sigmas = sampling.get_sigmas_karras(steps, smin, smax, rho=7.0)
        else:
            sigmas = den.get_sigmas(steps)
        init = None
        if strength is None:
            sched = sigmas
            x = noise * sched[0]
        else:
            t_enc = int(min(strength, 0.999) * steps)
            sched = sigmas[steps - t_enc - 1:]
            init = torch.stack([torch.randn(shape, generator=torch.Generator().manual_seed(1000 + s)) for s in seeds]) * 0.5
            x = init + noise * sched[0]
        x_init = x.clone()
        model = Counting()
        if kind == "restart":
            out = restart_sampler(model, x, sched, disable=True)
        else:
            if strength is None:
                lo, hi, n = smin, smax, steps
            else:
                lo, hi, n = sched[-2], sched[0], len(sched) - 1
            if kind == "dpm_fast":
                out = sampling.sample_dpm_fast(model, x, lo, hi, n, disable=True, eta=eta)
            else:
                out = sampling.sample_dpm_adaptive(model, x, lo, hi, disable=True, eta=eta)
        sampling.torch = torch
        tensors[f"{name}.x_init"] = x_init.contiguous()
        tensors[f"{name}.x_final"] = out.contiguous()
        tensors[f"{name}.model_sigmas"] = torch.tensor(model.sigmas, dtype=torch.float32)
        if init is not None:
            tensors[f"{name}.init_latent"] = init.contiguous()
        meta.append({"name": name, "sampler": kind, "steps": steps, "seeds": seeds, "denoising_strength": strength,
                     "eta": eta, "latent_shape": list(shape), "model_calls": len(model.sigmas),
                     "noise_draws_after_first": streams.draws})
    save_file(tensors, os.path.join(HERE, "extra_samplers.safetensors"))
    with open(os.path.join(HERE, "extra_samplers.json"), "w") as f:
        json.dump({"produced_by": "A1111 82a973c0 modules/sd_samplers_extra.py::restart_sampler; k_diffusion 0.1.1.post1 "
                                  f"sample_dpm_fast / sample_dpm_adaptive; torch {torch.__version__} CPU float32",
                   "toy_denoiser": "denoised = x / (sigma*sigma + 1) + 0.1 * (x*x) / (x*x + 1)",
                   "cases": meta}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/a1111_extra.py")
    print("done")
