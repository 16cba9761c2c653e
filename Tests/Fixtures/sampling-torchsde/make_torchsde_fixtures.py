"""Records what A1111's Brownian-tree noise really is, for Tessera's parity tests.

Run once (needs: pip install torch torchsde k-diffusion==0.1.1.post1 numpy safetensors):
    git show 82a973c04367123ae98bd9abdf80d9eda9b910e2:modules/rng_philox.py > /tmp/a1111_rng_philox.py
    python3 make_torchsde_fixtures.py /tmp/a1111_rng_philox.py
Writes, next to this script:
  seedsequence.json      numpy.random.SeedSequence(entropy, spawn_key, pool_size).generate_state(n)
  brownian.safetensors   k_diffusion BrownianTreeNoiseSampler outputs (torchsde.BrownianTree, CPU)
  brownian.json          the query list of every case
  brownian_philox.*      the same trees with torchsde's per-node torch.randn replaced by A1111's
                         rng_philox Generator(seed).randn (its imitation of CUDA randn, offset 0), i.e. what
                         torchsde gives on an NVIDIA GPU if that imitation is exact (not checked on a GPU)
  trajectories.safetensors / trajectories.json
                         DPM++ SDE / 2M SDE / 2M SDE Heun / 3M SDE runs of k-diffusion with the noise
                         sampler A1111 builds (create_noise_sampler) and a fixed toy denoiser

A1111 (modules/sd_samplers_common.py, create_noise_sampler) builds the sampler as
BrownianTreeNoiseSampler(x, sigma_min=sigmas[sigmas > 0].min(), sigma_max=sigmas.max(),
seed=p.all_seeds[batch slice]) with the identity transform, and for img2img passes the FULL
schedule (not the sliced sigma_sched) while sampling the sliced one. Everything here runs on CPU:
torchsde draws its normals with torch.Generator(x.device), so these are the numbers A1111 gives
when the latent lives on the CPU.
"""
import json
import os
import sys

import numpy as np
import torch
import torchsde


def import_kdiffusion_sampling():
    # k_diffusion/__init__.py pulls in training-only dependencies (jsonmerge, wandb, ...); the
    # sampling module needs only torch, scipy, torchdiffeq, torchsde and tqdm.
    import importlib.util
    import sys
    import types
    spec = importlib.util.find_spec("k_diffusion")
    pkg = types.ModuleType("k_diffusion")
    pkg.__path__ = list(spec.submodule_search_locations)
    sys.modules["k_diffusion"] = pkg
    try:
        import torchvision.transforms.functional  # noqa: F401  (k_diffusion.utils imports it at load time)
    except ImportError:
        # Only image-conversion helpers use it; the samplers never do.
        for name in ("torchvision", "torchvision.transforms", "torchvision.transforms.functional"):
            sys.modules[name] = types.ModuleType(name)
        sys.modules["torchvision.transforms"].functional = sys.modules["torchvision.transforms.functional"]
    from k_diffusion import sampling as module
    return module


sampling = import_kdiffusion_sampling()
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)


def seedsequence_cases():
    cases = []
    entropies = [0, 1, 12345, 2**32 - 1, 2**32, 2**40 + 7, 2**63 - 1, 3_000_000_000_123]
    keys = [None, (0, 0), (1, 1), (0, 1), (5, 3), (2**20 + 3, 21), (2**33 + 5, 34)]
    for e in entropies:
        for pool in (4, 8, 24):
            for k in keys:
                if k is None:
                    ss = np.random.SeedSequence(entropy=e, pool_size=pool)
                else:
                    ss = np.random.SeedSequence(entropy=e, spawn_key=k, pool_size=pool)
                cases.append({"entropy": str(e), "spawn_key": None if k is None else [str(v) for v in k],
                              "pool_size": pool, "state": [int(v) for v in ss.generate_state(6)]})
    with open(os.path.join(HERE, "seedsequence.json"), "w") as f:
        json.dump({"produced_by": f"numpy {np.__version__} random.SeedSequence(...).generate_state(6) (uint32)",
                   "cases": cases}, f, indent=1)


def brownian_cases(suffix=""):
    """Each case: a BrownianTreeNoiseSampler over [smin, smax] for a batch of seeds, queried in order."""
    tensors, meta = {}, []
    specs = [
        # name, seeds, per-image shape, sigma_min, sigma_max, queries (sigma, sigma_next)
        ("small_scalar_path", [7], (3,), 0.0291675, 14.614642,
         [(14.614642, 9.0), (9.0, 2.5), (2.5, 0.0291675), (14.614642, 0.0291675)]),
        ("latent_batch2", [123456, 123457], (4, 8, 8), 0.0291675, 14.614642,
         [(14.614642, 7.2), (7.2, 3.1), (3.1, 1.05), (1.05, 0.3), (0.3, 0.0291675), (5.0, 4.999)]),
        ("big_seed_odd_size", [2**32 + 11], (4, 5, 7), 0.05, 10.0,
         [(10.0, 6.0), (6.0, 0.05), (9.5, 9.25)]),
        ("unsorted_queries", [99], (2, 3, 4), 0.1, 8.0,
         [(0.5, 0.2), (8.0, 0.1), (4.0, 2.0), (2.0, 4.0)]),
    ]
    for name, seeds, shape, smin, smax, queries in specs:
        x = torch.zeros((len(seeds),) + shape)
        ns = sampling.BrownianTreeNoiseSampler(x, torch.tensor(smin, dtype=torch.float32),
                                               torch.tensor(smax, dtype=torch.float32), seed=seeds)
        outs = []
        for (a, b) in queries:
            outs.append(ns(torch.tensor(a, dtype=torch.float32), torch.tensor(b, dtype=torch.float32)))
        tensors[f"{name}.noise"] = torch.stack(outs).contiguous()
        meta.append({"name": name, "seeds": [str(s) for s in seeds], "shape": list(shape),
                     "sigma_min": smin, "sigma_max": smax, "queries": queries})
    save_file(tensors, os.path.join(HERE, f"brownian{suffix}.safetensors"))
    with open(os.path.join(HERE, f"brownian{suffix}.json"), "w") as f:
        json.dump({"produced_by": f"k_diffusion.sampling.BrownianTreeNoiseSampler (torchsde {torchsde.__version__}, "
                                  f"torch {torch.__version__}, CPU, float32); sigmas given as float32 tensors; "
                                  "output '<name>.noise' stacks the query results [Q, B, *shape]"
                                  + ("; node normals from A1111 rng_philox Generator(seed).randn instead of torch CPU randn"
                                     if suffix else ""),
                   "cases": meta}, f, indent=1)


def model_sigmas():
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
    ac = torch.tensor(np.cumprod(1.0 - betas.numpy(), axis=0), dtype=torch.float32)
    return ((1 - ac) / ac) ** 0.5


def toy_denoiser(x, sigma):
    """A fixed nonlinear stand-in for CFG(UNet) that Swift can evaluate with the same float32 ops."""
    s = sigma.view(-1, 1, 1, 1)
    return x / (s * s + 1) + 0.1 * (x * x) / (x * x + 1)


def schedule(kind, n, discard):
    ms = model_sigmas()
    smin, smax = ms[0].item(), ms[-1].item()
    steps = n + 1 if discard else n
    if kind == "karras":
        s = sampling.get_sigmas_karras(steps, smin, smax, rho=7.0)
    else:
        s = sampling.get_sigmas_exponential(steps, smin, smax)
    if discard:
        s = torch.cat([s[:-2], s[-1:]])
    return s


def trajectory_cases():
    tensors, meta = {}, []
    shape = (4, 8, 8)
    runs = [
        # name, k-diffusion function, kwargs, scheduler, steps, discard, seeds, denoising strength
        ("dpmpp_sde_karras", sampling.sample_dpmpp_sde, {}, "karras", 8, False, [123456, 123457], None),
        ("dpmpp_2m_sde_exponential", sampling.sample_dpmpp_2m_sde, {}, "exponential", 8, False, [2024, 2025], None),
        ("dpmpp_2m_sde_heun_exponential", sampling.sample_dpmpp_2m_sde, {"solver_type": "heun"}, "exponential", 8, False, [31337], None),
        ("dpmpp_3m_sde_exponential", sampling.sample_dpmpp_3m_sde, {}, "exponential", 8, True, [5, 6], None),
        ("img2img_dpmpp_2m_sde_exponential", sampling.sample_dpmpp_2m_sde, {}, "exponential", 10, False, [777], 0.5),
    ]
    for name, fn, kwargs, sched, steps, discard, seeds, strength in runs:
        full = schedule(sched, steps, discard)
        # A1111 'RNG source: CPU': one generator per image, seeded with the image seed.
        noise = torch.stack([torch.randn(shape, generator=torch.Generator().manual_seed(s)) for s in seeds])
        if strength is None:
            sig = full
            x = noise * sig[0]
            init = None
        else:
            t_enc = int(min(strength, 0.999) * steps)
            sig = full[steps - t_enc - 1:]
            init = torch.stack([torch.randn(shape, generator=torch.Generator().manual_seed(1000 + s)) for s in seeds]) * 0.5
            x = init + noise * sig[0]
        ns = sampling.BrownianTreeNoiseSampler(x, full[full > 0].min(), full.max(), seed=seeds)
        draws = []

        def recording(a, b):
            n = ns(a, b)
            draws.append(n)
            return n

        x_init = x.clone()
        out = fn(toy_denoiser, x, sig, noise_sampler=recording, disable=True, **kwargs)
        tensors[f"{name}.sigmas"] = sig.clone().contiguous()
        tensors[f"{name}.sigmas_full"] = full.clone().contiguous()
        tensors[f"{name}.x_init"] = x_init.contiguous()
        tensors[f"{name}.x_final"] = out.contiguous()
        tensors[f"{name}.noises"] = torch.stack(draws).contiguous()
        if init is not None:
            tensors[f"{name}.init_latent"] = init.contiguous()
        meta.append({"name": name, "function": fn.__name__, "kwargs": kwargs, "scheduler": sched, "steps": steps,
                     "discard_penultimate": discard, "seeds": seeds, "denoising_strength": strength,
                     "latent_shape": list(shape), "noise_draws": len(draws)})
    save_file(tensors, os.path.join(HERE, "trajectories.safetensors"))
    with open(os.path.join(HERE, "trajectories.json"), "w") as f:
        json.dump({"produced_by": "k_diffusion 0.1.1.post1 (same sampling.py as A1111's pin ab527a9) with "
                                  f"BrownianTreeNoiseSampler(x, full[full>0].min(), full.max(), seed=seeds), torchsde "
                                  f"{torchsde.__version__}, torch {torch.__version__} CPU float32",
                   "toy_denoiser": "denoised = x / (sigma*sigma + 1) + 0.1 * (x*x) / (x*x + 1)",
                   "start": "txt2img: x_init = randn(seed_i, CPU generator) * sigmas[0]; img2img: init_latent = "
                            "randn(1000 + seed_i) * 0.5, t_enc = int(min(d, .999) * steps), sigmas = full[steps - t_enc - 1:], "
                            "x_init = init_latent + randn(seed_i) * sigmas[0]",
                   "cases": meta}, f, indent=1)


def with_philox_normals(rng_philox_path):
    """Swaps torchsde's node generator for A1111's Philox imitation of CUDA torch.randn."""
    import importlib.util
    from torchsde._brownian import brownian_interval
    spec = importlib.util.spec_from_file_location("a1111_rng_philox", rng_philox_path)
    philox = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(philox)
    original = brownian_interval._randn

    def philox_randn(size, dtype, device, seed):
        return torch.as_tensor(philox.Generator(int(seed)).randn(size), dtype=dtype)

    brownian_interval._randn = philox_randn
    return lambda: setattr(brownian_interval, "_randn", original)


if __name__ == "__main__":
    seedsequence_cases()
    brownian_cases()
    trajectory_cases()
    restore = with_philox_normals(sys.argv[1] if len(sys.argv) > 1 else "/tmp/a1111_rng_philox.py")
    brownian_cases("_philox")
    restore()
    print("done")
