#!/usr/bin/env python3
"""Generates ../Data/prompt_parser_cases.json from A1111's own modules/prompt_parser.py:
parse_prompt_attention on random bracket soups, and get_learned_conditioning_prompt_schedules
(lark 1.1.2, as A1111 pins) on scheduling/alternation prompts.

    pip install lark==1.1.2
    git -C <a1111 checkout> checkout v1.10.1
    python3 make_prompt_parser_cases.py <a1111 checkout>
"""
import importlib.util
import json
import os
import random
import subprocess
import sys
import types

a1111 = sys.argv[1]
sys.modules.setdefault("torch", types.ModuleType("torch"))  # the module imports torch only for tensors
spec = importlib.util.spec_from_file_location("prompt_parser", os.path.join(a1111, "modules", "prompt_parser.py"))
pp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pp)

rng = random.Random(1111)
pieces = ["(", ")", "[", "]", ":", ":1.2)", ": 0.5 )", ":-1)", ":abc)", ":1.2.3)", "\\(", "\\)", "\\[", "\\]",
          "\\\\", "\\", "a", "cat", " ", "  ", ",", "BREAK", " BREAK ", "xBREAK", "\n", "|", ":+2)", ":.5)", "dog "]
attention = []
seen = set()
while len(attention) < 300:
    prompt = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
    if prompt in seen:
        continue
    seen.add(prompt)
    try:
        parsed = pp.parse_prompt_attention(prompt)
        attention.append({"prompt": prompt, "parsed": parsed})
    except ValueError as e:
        attention.append({"prompt": prompt, "error": str(e)})

schedule_prompts = [
    "test", "a [b:3]", "a [b: 3]", "a [[[b]]:2]", "[(a:2):3]", "a [b : c : 1] d", "a[b:[c:d:2]:1]e",
    "a [unbalanced", "a [b:.5] c", "a [{b|d{:.5] c", "((a][:b:c [d:3]", "[a|(b:1.1)]", "[fe|]male", "[fe|||]male",
    "[[b:2]", "x [[b:2]:3]", "[a:b:0]", "[a:b:-1]", "[a:b:20]", "[a:b:1e1]", "[a:b:0.0]", "[a:b:1.0]", "[a::3]",
    "[:b:3]", "a | b", "[a|b", "(a|b)", "[a:b:3 ]", "[ a : b : 3 ]", "[a:b:c:3]", "[a:(b:c):3]", "[a|[b|c]]",
    "[a|[b:c:5]]", "[[a|b]:c:4]", "a\\[b:3\\]", "a \\", "a\\", "[a\\:b:3]", "[a:b:3]:", "):[a:b:3]",
    "[a:b:7.5]", "[a:b:.25][c:d:.75]", "fantasy [mountain:lake:0.25] and [an oak:a christmas tree:0.75]",
    "[a:b:+3]", "[a:b:3.]", "[a:b:.3e1]", "x (y [a:b:2] z) w", "[a:b:2] BREAK [c:d:3]", "[a|b|c|d]",
    "[|]", "[a|]", "[]", "[:3]", "[a:3", "[[a:3]]", "(([a:3]))", "[a:3]]]]", "]]][a:3]", "[a\nb:3]",
    "<lora:x:1> [a:b:3]", "[a:b:2][c|d]", "[a:b:-0.5]",
]
settings = [(10, None), (20, None), (10, 10), (4, None)]


def all_schedules():
    return [pp.get_learned_conditioning_prompt_schedules([p], steps, hires)[0]
            for steps, hires in settings for p in schedule_prompts]


if len(sys.argv) > 2 and sys.argv[2] == "--schedules-only":
    print(json.dumps(all_schedules()))
    sys.exit(0)

# lark's Earley parser breaks ties between ambiguous parses in an order that follows Python's
# per-process string hashing, so A1111's answer for some prompts changes from run to run.
# Record every answer seen over several hash seeds.
runs = []
for seed in range(12):
    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    output = subprocess.run([sys.executable, __file__, a1111, "--schedules-only"], env=env,
                            capture_output=True, text=True, check=True).stdout
    runs.append(json.loads(output))
schedules = []
index = 0
for steps, hires in settings:
    for prompt in schedule_prompts:
        outcomes = []
        for run in runs:
            if run[index] not in outcomes:
                outcomes.append(run[index])
        schedules.append({"prompt": prompt, "steps": steps, "hires_steps": hires, "possible_schedules": outcomes})
        index += 1

# Composable prompts (AND) through A1111's get_multicond_prompt_list.
and_pieces = ["a cat", " AND ", "AND", " :1.5", ": -0.5", ":2.", ":.5", " : 1 ", "SANDY", "ANDROID", " and ", "x:y",
              "  ", "\n", ":1.2.3", "(b:1.2)", "dog"]
composable = []
for _ in range(150):
    prompt = "".join(rng.choice(and_pieces) for _ in range(rng.randint(1, 7)))
    indexes, flat, _ = pp.get_multicond_prompt_list([prompt])
    composable.append({"prompt": prompt, "parts": [[flat[i], w] for i, w in indexes[0]]})

# Extra-network tags through extra_networks.parse_prompt and the Lora extension's activate(),
# with networks.load_networks replaced by a recorder.
import ast  # noqa: E402


def extract(path, names):
    tree = ast.parse(open(os.path.join(a1111, path), encoding="utf-8").read())
    keep = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names:
            keep.append(node)
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in names for t in node.targets):
            keep.append(node)
    return ast.unparse(ast.Module(body=keep, type_ignores=[]))


import re  # noqa: E402
from collections import defaultdict  # noqa: E402

en = {"re": re, "defaultdict": defaultdict}
exec(extract("modules/extra_networks.py", {"ExtraNetworkParams", "re_extra_net", "parse_prompt"}), en)
lora_tree = ast.parse(open(os.path.join(a1111, "extensions-builtin/Lora/extra_networks_lora.py"), encoding="utf-8").read())
lora_class = next(n for n in lora_tree.body if isinstance(n, ast.ClassDef))
activate = next(n for n in lora_class.body if isinstance(n, ast.FunctionDef) and n.name == "activate")
recorded = {}
ln = {
    "shared": types.SimpleNamespace(opts=types.SimpleNamespace(sd_lora="None", lora_add_hashes_to_infotext=False,
                                                               extra_networks_default_multiplier=1.0)),
    "networks": types.SimpleNamespace(available_networks={}, loaded_networks=[],
                                      load_networks=lambda *args: recorded.update(args=args)),
    "extra_networks": types.SimpleNamespace(ExtraNetworkParams=en["ExtraNetworkParams"]),
}
exec(ast.unparse(ast.Module(body=[activate], type_ignores=[])), ln)
tag_pieces = ["a cat ", "<lora:style:0.7>", "<lora:style>", "<lyco:ly:0.5:0.2>", "<lora:n:te=0.3:unet=0.9>",
              "<lora:n:0.5:dyn=8>", "<lora:n:1:0.5:16>", "<hypernet:h:1>", "<lora:>", "<:x>", "<lora:a=b=c:1>",
              "<lora:x:1", ">", "<", " <lora:sp ace:1> ", "<lora:ünï:2>", "\n", "<lora:x: 0.5 >"]
networks = []
for _ in range(150):
    prompt = "".join(rng.choice(tag_pieces) for _ in range(rng.randint(1, 6)))
    stripped, found = en["parse_prompt"](prompt)
    tags = [[kind, params.items] for kind, plist in found.items() for params in plist]
    lora_params = [params for kind in found for params in found[kind] if kind in ("lora", "lyco")]
    entry = {"prompt": prompt, "stripped": stripped, "tags_by_kind": tags}
    if lora_params:
        recorded.clear()
        try:
            ln["activate"](types.SimpleNamespace(errors={}), types.SimpleNamespace(all_prompts=[stripped]), lora_params)
            names, te, unet, dyn = recorded["args"]
            entry["loras"] = [[n, t, u, d] for n, t, u, d in zip(names, te, unet, dyn)]
        except (ValueError, IndexError, AssertionError) as e:
            entry["lora_error"] = type(e).__name__
    networks.append(entry)

out = {
    "what": "A1111 v1.10.1 modules/prompt_parser.py run directly (lark 1.1.2): parse_prompt_attention "
            "(error = ValueError text) and get_learned_conditioning_prompt_schedules([prompt], steps, hires_steps); "
            "possible_schedules lists every distinct answer over 12 PYTHONHASHSEED values; composable = "
            "get_multicond_prompt_list; networks = extra_networks.parse_prompt + Lora activate() arguments",
    "attention": attention,
    "schedules": schedules,
    "composable": composable,
    "networks": networks,
}
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "Data", "prompt_parser_cases.json"), "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False, indent=1)
print(len(attention), "attention,", len(schedules), "schedule,", len(composable), "composable,", len(networks), "network cases")
