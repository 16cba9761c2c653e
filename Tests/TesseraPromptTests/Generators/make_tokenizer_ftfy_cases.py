#!/usr/bin/env python3
"""Generates ../Data/tokenizer_ftfy_cases.json: CLIP ids for prompts that exercise the text
clean-up A1111 really runs (transformers 4.30.2 slow CLIPTokenizer with ftfy installed).

Run once, offline afterwards:
    pip install ftfy==6.3.1 && pip install --no-deps --target /tmp/tf430 transformers==4.30.2
    PYTHONPATH=/tmp/tf430 python3 make_tokenizer_ftfy_cases.py
Cases that ftfy's heuristic mojibake repair or HTML-entity decoding would change are left out:
Tessera does not reproduce those two heuristics.
"""
import json
import os
import sys
import types

# transformers 4.30 refuses to import next to a newer `tokenizers`; the slow tokenizer needs none.
sys.modules["transformers.dependency_versions_check"] = types.ModuleType("transformers.dependency_versions_check")
import ftfy  # noqa: E402
from transformers.models.clip.tokenization_clip import CLIPTokenizer  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
tok_dir = os.path.join(here, "..", "..", "Fixtures", "reference", "tokenizer")
tokenizer = CLIPTokenizer(os.path.join(tok_dir, "vocab.json"), os.path.join(tok_dir, "merges.txt"))
assert tokenizer.fix_text is not None, "ftfy must be installed: A1111 runs with it"

prompts = [
    "\u201cquoted\u201d and \u2018single\u2019 it\u2019s",
    "\uff21\uff22\uff23\uff0c\uff44\uff45\uff46\uff01 fullwidth",
    "\u3000ideographic\u3000space\u3000",
    "\uff76\uff9e\uff77\uff9e halfwidth katakana",
    "\ufb01sh \ufb02ower \ufb00 \ufb06op",
    "\u0133 \u01c6 \u01c9 digraphs",
    "line\u2028separator\u2029paragraph",
    "crlf\r\nline\rbreaks",
    "\u00a0nbsp\u00a0inside\u202fnarrow",
    "tab\x0bvertical\x0cformfeed",
    "bom\ufeffinside",
    "escape \x1b[31mred\x1b[0m text",
    "\u039f\u0394\u039f\u03a3 \u03a3\u039f\u03a6\u039f\u03a3 \u03a3",
    "\u0130stanbul \u1e9e Stra\u00dfe",
    "<|startoftext|>a cat<|endoftext|> dog",
    "it'S THEY'RE we'LL i'D",
    "''s rock'n'roll",
    "\u0661\u0662\u0663 arabic digits \u2167 roman \u00bd half",
    "family \U0001F468\u200d\U0001F469\u200d\U0001F467 emoji zwj",
    "e\u0301\u0301 double accent",
    "\u1100\u1161\u11a8 jamo",
    "caf\u00e9 na\u00efve",
    "mixed\t \n  spaces",
    "masterpiece, best quality, (ultra-detailed:1.2), 8k wallpaper",
    "\u2026ellipsis\u2014dash\u2013en",
    "\U0001d400\U0001d401 math bold",
    "\u00ad soft hyphen \u200b zero width",
    "\u2060word joiner\u206a deprecated",
]

# Random strings over awkward alphabets. ftfy's mojibake and HTML heuristics are not reproduced
# by Tessera, so strings those two steps would change are skipped.
import random  # noqa: E402

rng = random.Random(77)
alphabets = [
    "abcXYZ019 ,.!?'-_()[]:<>|\\/\"",
    "\u00e9\u00c9\u00df\u00f1\u00fc\u00e6\u00f8\u00e5\u0130\u0131",
    "\u03b1\u03a3\u03c3\u03c2\u039f\u0394\u0391",
    "\u65e5\u672c\u306e\u98a8\u666f\u4e2d\u6587\ud55c\uad6d",
    "\U0001F431\U0001F680\u200d\ufe0f\U0001F468\u2764",
    "\u0301\u0308\u0327\u20dd",
    " \t\n\r\u00a0\u2028\u3000\u2003\x0b\x0c\x1c\x85",
    "\uff21\uff41\uff10\uff0c\uff01\uff08\uff09\uff76\uff9e",
    "\u201c\u201d\u2018\u2019\u02bc\ufb01\u2026\u2014",
    "\x00\x01\x1b\x7f\x80\x9f\u200b\ufeff\u206a\ue000",
    "\u0661\u0662\u2167\u00bd\u00b2\u0e51",
]
random_prompts = []
while len(random_prompts) < 250:
    chosen = rng.sample(alphabets, rng.randint(1, 4))
    pool = "".join(chosen)
    text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 30)))
    if ftfy.fix_text(text) != ftfy.fix_text(text, fix_encoding=False, unescape_html=False):
        continue
    random_prompts.append(text)
prompts += random_prompts

cases = []
for prompt in prompts:
    ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    cases.append({"prompt": prompt, "ids_raw": ids, "ftfy_fixed": ftfy.fix_text(prompt)})

out = {
    "what": "CLIP ids (add_special_tokens=False) from transformers 4.30.2 slow CLIPTokenizer with ftfy "
            + ftfy.__version__ + " (A1111 v1.10's tokenizer path)",
    "cases": cases,
}
with open(os.path.join(here, "..", "Data", "tokenizer_ftfy_cases.json"), "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False, indent=1)
print(len(cases), "cases")
