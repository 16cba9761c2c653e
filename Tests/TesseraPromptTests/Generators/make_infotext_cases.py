#!/usr/bin/env python3
"""Generates ../Data/infotext_cases.json by running A1111's own `create_infotext`
(modules/processing.py) and `quote` / `parse_generation_parameters` (modules/infotext_utils.py).

The functions are taken out of the A1111 sources with `ast` and run against small stand-ins for
A1111's global state (opts, a processing object), so no torch/gradio is needed.

    python3 make_infotext_cases.py <a1111 checkout at v1.10.1>
"""
import ast
import json
import os
import re
import sys
import types

a1111 = sys.argv[1]


def functions(path, names, extra_assignments=()):
    tree = ast.parse(open(os.path.join(a1111, path), encoding="utf-8").read())
    keep = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in names]
    keep += [n for n in tree.body if isinstance(n, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id in extra_assignments for t in n.targets)]
    return ast.unparse(ast.Module(body=keep, type_ignores=[]))


opts = types.SimpleNamespace(
    CLIP_stop_at_last_layers=1, eta_noise_seed_delta=0, face_restoration_model=None, add_model_hash_to_info=True,
    add_model_name_to_info=True, fp8_storage="Disable", cache_fp16_weight=False, add_vae_hash_to_info=True,
    add_vae_name_to_info=True, inpainting_mask_weight=1.0, randn_source="GPU", add_version_to_infotext=True,
    add_user_name_to_info=False, infotext_styles="Ignore", infotext_skip_pasting=[], token_merging_ratio=0.0,
    token_merging_ratio_hr=0.0)

ns = {
    "json": json, "re": re, "opts": opts,
    "shared": types.SimpleNamespace(opts=opts),
    "devices": types.SimpleNamespace(fp8=False),
    "program_version": lambda: "v1.10.1",
    "errors": types.SimpleNamespace(report=lambda *a, **k: None),
    "sd_samplers_common": types.SimpleNamespace(is_sampler_using_eta_noise_seed_delta=lambda p: True),
}
exec(functions("modules/infotext_utils.py", {"quote", "unquote"}, {"re_param_code", "re_param", "re_imagesize"}), ns)
ns["infotext_utils"] = types.SimpleNamespace(quote=ns["quote"])
exec(functions("modules/processing.py", {"create_infotext"}), ns)

# parse_generation_parameters, minus the parts that need the web UI (styles, version back-compat).
parse_src = functions("modules/infotext_utils.py", {"parse_generation_parameters"})
parse_src = parse_src.replace("restore_old_hires_fix_params(res)", "pass").replace("infotext_versions.backcompat(res)", "pass")
import importlib.util  # noqa: E402
sys.modules.setdefault("torch", types.ModuleType("torch"))
spec = importlib.util.spec_from_file_location("prompt_parser", os.path.join(a1111, "modules", "prompt_parser.py"))
ns["prompt_parser"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ns["prompt_parser"])
exec(parse_src, ns)


class P(types.SimpleNamespace):
    def get_token_merging_ratio(self, for_hr=False):
        return 0


def processing(**kw):
    base = dict(steps=20, sampler_name="DPM++ 2M", scheduler="Karras", cfg_scale=7, seed=1, subseed_strength=0,
                width=512, height=512, sd_model_hash="6ce0161689", sd_model_name="v1-5-pruned-emaonly",
                sd_vae_hash=None, sd_vae_name=None, seed_resize_from_w=0, seed_resize_from_h=0,
                extra_generation_params={}, is_using_inpainting_conditioning=False, restore_faces=False,
                tiling=False, batch_size=1, user=None)
    base.update(kw)
    return P(**base)


generation_cases = [
    ("plain", dict(), "a cat", ""),
    ("negative and denoise", dict(extra_generation_params={"Denoising strength": 0.35}), "a cat", "blurry, lowres"),
    ("inpaint only masked", dict(steps=25, sampler_name="Euler a", scheduler="Automatic", cfg_scale=7.5, seed=1234,
                                 width=576, height=576, extra_generation_params={
                                     "Denoising strength": 0.35, "Mask blur": 8, "Inpaint area": "Only masked",
                                     "Masked area padding": 32}), "portrait, (detailed:1.2)", "ugly"),
    ("controlnet and lora", dict(extra_generation_params={
        "ControlNet 0": "Module: tile_resample, Model: control_v11f1e_sd15_tile [a371b31b], Weight: 1.0, Resize Mode: Crop and Resize, Processor Res: 512, Threshold A: 1.0, Threshold B: 0.5, Guidance Start: 0.0, Guidance End: 1.0, Pixel Perfect: False, Control Mode: Balanced",
        "Denoising strength": 0.4, "Lora hashes": "detail: 0123456789ab, style v2: ba9876543210", "Emphasis": "No norm"}),
     "a house <lora:detail:0.6>", "bad"),
    ("variation seed, resize, clip skip", dict(subseed_strength=0.25, seed_resize_from_w=640, seed_resize_from_h=384,
                                                 sd_vae_hash="735e4c3a44", sd_vae_name="vae-ft-mse-840000"),
     "a cat", ""),
    ("multi-line prompt and quotes", dict(extra_generation_params={"Note": 'say "hi", then: bye\nnext line',
                                                                    "Schedule type": "Exponential"}),
     "line one\nline two, (three:1.1)", "neg one\nneg two"),
    ("usdu style", dict(extra_generation_params={"Ultimate SD upscale upscaler": "4x-UltraSharp",
                                                 "Ultimate SD upscale tile_width": 512, "Ultimate SD upscale tile_height": 512,
                                                 "Ultimate SD upscale mask_blur": 8, "Ultimate SD upscale padding": 32,
                                                 "Denoising strength": 0.3}), "castle", ""),
    ("key equals value", dict(extra_generation_params={"Hires upscale": "Hires upscale"}), "x", ""),
    ("unicode and backslash", dict(extra_generation_params={"Path": "C:\\models\\x", "Café": "naïve, ok"}), "日本 café", ""),
]
generated = []
for name, kw, prompt, negative in generation_cases:
    p = processing(**kw)
    text = ns["create_infotext"](p, [prompt], [p.seed], [p.seed + 1], all_negative_prompts=[negative])
    generated.append({"name": name, "prompt": prompt, "negative_prompt": negative,
                      "processing": {k: v for k, v in vars(p).items()}, "infotext": text})

parse_inputs = [g["infotext"] for g in generated] + [
    "just a prompt",
    "a prompt\nSteps: 20, Sampler: Euler",  # only two pairs: the last line is prompt text
    "  spaced prompt  \n  Negative prompt:   spaced neg  \nSteps: 5, Sampler: Euler a, Size: 64x32",
    'p\nSteps: 20, Sampler: "Euler, a", Bad: "unterminated, Seed: 3',
    "p\nSteps: 20, Sampler: Euler a, Seed: 1, Empty: , Size: 10x20x30",
    "p\nSteps: 20, Steps: 30, Sampler: Euler a, Seed: 1",
    "p\nNegative prompt: n\nmore neg\nSteps: 20, Sampler: Euler a, CFG scale: 7",
    'p\nSteps: 20, Sampler: Euler a, Json: "\\u00e9\\n\\"x\\"", Raw: "not json \\q"',
]
parsed = []
for text in parse_inputs:
    res = ns["parse_generation_parameters"](text, skip_fields=[])
    parsed.append({"infotext": text, "parsed": {k: str(v) for k, v in res.items()}})

quotes = [{"value": v, "quoted": ns["quote"](v)} for v in
          ["plain", "with, comma", "with: colon", "multi\nline", 'quote " only', 'both "x", y', "tab\tand, ctl\x01",
           "back\\slash, x", "unicode é, ok", ""]]

out = {"what": "A1111 v1.10.1 create_infotext / quote / parse_generation_parameters run directly (functions "
               "extracted with ast; opts at defaults; styles and version back-compat not applied)",
       "generated": generated, "parsed": parsed, "quotes": quotes}
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "Data", "infotext_cases.json"), "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False, indent=1, default=str)
print(len(generated), "generated,", len(parsed), "parsed,", len(quotes), "quotes")
