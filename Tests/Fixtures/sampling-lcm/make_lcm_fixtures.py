"""Records A1111's "LCM" sampler runs for Tessera's parity tests.

Imports A1111's own modules/sd_samplers_lcm.py (LCMCompVisDenoiser, sample_lcm) from a path you
pass (not committed here), with the few `modules.*` names it imports stubbed out (they are only
base classes and the model's device), on top of k-diffusion 0.1.1.post1 (A1111's pin):
    git show 82a973c04367123ae98bd9abdf80d9eda9b910e2:modules/sd_samplers_lcm.py > /tmp/a1111_lcm.py
    python3 make_lcm_fixtures.py /tmp/a1111_lcm.py

A1111 wraps the eps model in LCMCompVisDenoiser (a 50-entry skip-20 sigma table, integer
timesteps, LCM consistency scalings) and applies CFG on its outputs; sigmas come from the
denoiser's own get_sigmas for "Automatic"/"Uniform", or from a scheduler function over the LCM
table's ends. Per-step noise is the image streams (k_diffusion.sampling.torch hijacked, RNG CPU).
The toy eps model stands in for CFG(UNet): eps = 0.3 * x + (t * 0.001) * x^2 / (x^2 + 1).
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
    from k_diffusion import sampling, external, utils
    pkg.sampling, pkg.external, pkg.utils = sampling, external, utils
    return sampling


sampling = import_kdiffusion()


class ToyModel:
    """Stands in for shared.sd_model: alphas_cumprod, device and apply_model (eps)."""

    def __init__(self, ac):
        self.alphas_cumprod = ac
        self.device = torch.device("cpu")
        self.timesteps = []

    def apply_model(self, x, t, **kwargs):
        self.timesteps.append(float(t.view(-1)[0].item()))
        s = t.view(-1, 1, 1, 1).float()
        return 0.3 * x + (s * 0.001) * (x * x) / (x * x + 1)


def load_lcm(path, model):
    modules = types.ModuleType("modules")
    modules.__path__ = []
    shared = types.ModuleType("modules.shared")
    shared.sd_model = model
    cfg = types.ModuleType("modules.sd_samplers_cfg_denoiser")
    cfg.CFGDenoiser = type("CFGDenoiser", (), {})
    kd = types.ModuleType("modules.sd_samplers_kdiffusion")
    kd.KDiffusionSampler = type("KDiffusionSampler", (), {"__init__": lambda self, *a, **k: None})
    common = types.ModuleType("modules.sd_samplers_common")
    common.SamplerData = lambda *a, **k: None
    for m in (shared, cfg, kd, common):
        setattr(modules, m.__name__.split(".")[-1], m)
        sys.modules[m.__name__] = m
    sys.modules["modules"] = modules
    spec = importlib.util.spec_from_file_location("a1111_lcm", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ImageStreams:
    def __init__(self, seeds, shape):
        self.generators = [torch.Generator().manual_seed(s) for s in seeds]
        self.shape = shape

    def first(self):
        return torch.stack([torch.randn(self.shape, generator=g) for g in self.generators])

    def __getattr__(self, item):
        if item == "randn_like":
            return lambda x: self.first()
        return getattr(torch, item)


def main(path):
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
    ac = torch.tensor(np.cumprod(1.0 - betas.numpy(), axis=0), dtype=torch.float32)
    model = ToyModel(ac)
    lcm = load_lcm(path, model)
    den = lcm.LCMCompVisDenoiser(model)
    shape = (4, 8, 8)
    runs = [
        # name, steps, scheduler, seeds, denoising strength
        ("lcm_4", 4, "automatic", [41, 42], None),
        ("lcm_8", 8, "automatic", [43], None),
        ("lcm_6_karras", 6, "karras", [44], None),
        ("img2img_lcm_8_d05", 8, "automatic", [45], 0.5),
    ]
    tensors, meta = {}, []
    for name, steps, scheduler, seeds, strength in runs:
        streams = ImageStreams(seeds, shape)
        sampling.torch = streams
        lcm.default_noise_sampler = sampling.default_noise_sampler
        noise = streams.first()
        if scheduler == "automatic":
            sigmas = den.get_sigmas(steps)
        else:
            sigmas = sampling.get_sigmas_karras(steps, den.sigmas[0].item(), den.sigmas[-1].item(), rho=7.0)
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
        model.timesteps = []
        out = lcm.sample_lcm(den, x, sched, disable=True)
        sampling.torch = torch
        tensors[f"{name}.sigmas"] = sched.clone().contiguous()
        tensors[f"{name}.x_init"] = x_init.contiguous()
        tensors[f"{name}.x_final"] = out.contiguous()
        tensors[f"{name}.model_timesteps"] = torch.tensor(model.timesteps, dtype=torch.float32)
        if init is not None:
            tensors[f"{name}.init_latent"] = init.contiguous()
        meta.append({"name": name, "steps": steps, "scheduler": scheduler, "seeds": seeds,
                     "denoising_strength": strength, "latent_shape": list(shape), "model_calls": len(model.timesteps)})
    tensors["lcm_table_sigmas"] = den.sigmas.clone().contiguous()
    save_file(tensors, os.path.join(HERE, "lcm.safetensors"))
    with open(os.path.join(HERE, "lcm.json"), "w") as f:
        json.dump({"produced_by": "A1111 82a973c0 modules/sd_samplers_lcm.py (LCMCompVisDenoiser, sample_lcm) on k_diffusion "
                                  f"0.1.1.post1, torch {torch.__version__} CPU float32",
                   "toy_eps": "eps = 0.3 * x + (t * 0.001) * (x*x) / (x*x + 1), t = the LCM denoiser's integer timestep",
                   "cases": meta}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/a1111_lcm.py")
    print("done")
