#!/usr/bin/env python3
"""Generates the small checkpoint fixtures for TesseraCheckpointTests WITHOUT torch.

torch.save's zip format is reproduced by hand: `<archive>/data.pkl` is a protocol-2 pickle whose
tensors are `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
OrderedDict())` and whose storages are persistent ids `('storage', torch.<T>Storage, key, 'cpu',
numel)`; `<archive>/data/<key>` holds the raw little-endian storage bytes (stored, not deflated).
The `torch` globals are stand-ins registered in sys.modules so pickle can name them.

Run from this folder: python3 make_fixtures.py   (needs numpy only)
"""
import collections
import json
import os
import pickle
import struct
import sys
import types
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "..", "reference", "models")

# --- stand-ins for the torch globals a checkpoint pickle names -------------------------------
torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
sys.modules["torch"] = torch
sys.modules["torch._utils"] = torch_utils
torch._utils = torch_utils


def _global(module, name):
    def stand_in(*args):
        raise RuntimeError("stand-in, never called")
    stand_in.__module__ = module.__name__
    stand_in.__qualname__ = name
    stand_in.__name__ = name
    setattr(module, name, stand_in)
    return stand_in


rebuild_tensor_v2 = _global(torch_utils, "_rebuild_tensor_v2")
rebuild_parameter = _global(torch_utils, "_rebuild_parameter")
STORAGE_TYPES = {}
for dtype, name in [(np.float32, "FloatStorage"), (np.float16, "HalfStorage"), (np.int64, "LongStorage"),
                    ("bfloat16", "BFloat16Storage")]:
    cls = type(name, (), {"__module__": "torch"})
    setattr(torch, name, cls)
    STORAGE_TYPES[name] = cls


class Storage:
    def __init__(self, key, type_name, raw, numel):
        self.key, self.type_name, self.raw, self.numel = key, type_name, raw, numel


class Tensor:
    """A strided view of a Storage, pickled the way torch pickles tensors."""
    def __init__(self, storage, offset, size, stride, parameter=False):
        self.storage, self.offset, self.size, self.stride, self.parameter = storage, offset, size, stride, parameter

    def __reduce__(self):
        inner = (rebuild_tensor_v2, (self.storage, self.offset, tuple(self.size), tuple(self.stride), False, collections.OrderedDict()))
        if self.parameter:
            return (rebuild_parameter, (_Reduced(*inner), False, collections.OrderedDict()))
        return inner


class _Reduced:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", STORAGE_TYPES[obj.type_name], obj.key, "cpu", obj.numel)
        return None


def bf16_bytes(values):
    bits = np.asarray(values, dtype=np.float32).view(np.uint32) >> 16
    return bits.astype("<u2").tobytes()


def write_torch_zip(path, obj, storages, archive="archive"):
    import io
    buf = io.BytesIO()
    TorchPickler(buf, protocol=2).dump(obj)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr(f"{archive}/data.pkl", buf.getvalue())
        z.writestr(f"{archive}/byteorder", "little")
        for s in storages:
            z.writestr(f"{archive}/data/{s.key}", s.raw)
        z.writestr(f"{archive}/version", "3\n")


class LegacyPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", STORAGE_TYPES[obj.type_name], obj.key, "cpu", obj.numel, None)
        return None


def write_torch_legacy(path, obj, storages):
    """torch's pre-1.6 format: magic, protocol 1001, sys info, the object, the key list, then
    each storage as int64 element count + raw bytes."""
    import io
    buf = io.BytesIO()
    pickle.dump(0x1950A86A20F9469CFC6C, buf, protocol=2)
    pickle.dump(1001, buf, protocol=2)
    pickle.dump({"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}, buf, protocol=2)
    LegacyPickler(buf, protocol=2).dump(obj)
    keys = sorted(s.key for s in storages)
    pickle.dump(keys, buf, protocol=2)
    by_key = {s.key: s for s in storages}
    for k in keys:
        buf.write(struct.pack("<q", by_key[k].numel))
        buf.write(by_key[k].raw)
    with open(path, "wb") as f:
        f.write(buf.getvalue())


def rewrite_as_zip64(source, destination):
    """Re-writes a stored zip with every size and offset in zip64 records (as torch/miniz does
    for checkpoints over 4 GB), so the zip64 path is tested without a 4 GB file."""
    import zlib
    with zipfile.ZipFile(source) as z:
        members = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    out, central = bytearray(), bytearray()
    for name, data in members:
        n, crc, offset = name.encode(), zlib.crc32(data), len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(n), 20)
        out += n + struct.pack("<HHQQ", 1, 16, len(data), len(data)) + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                               len(n), 28, 0, 0, 0, 0, 0xFFFFFFFF)
        central += n + struct.pack("<HHQQQ", 1, 24, len(data), len(data), offset)
    cd_offset = len(out)
    out += central
    z64 = len(out)
    out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, len(members), len(members), len(central), cd_offset)
    out += struct.pack("<IIQI", 0x07064B50, 0, z64, 1)
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    with open(destination, "wb") as f:
        f.write(out)
    with zipfile.ZipFile(destination) as z:  # Python's own reader must agree
        assert [(i.filename, z.read(i.filename)) for i in z.infolist()] == members


def contiguous(key, array, type_name="FloatStorage", parameter=False):
    a = np.array(array, order="C", copy=True)  # ascontiguousarray would turn a 0-dim array into 1-dim
    raw = bf16_bytes(a) if type_name == "BFloat16Storage" else a.astype(a.dtype.newbyteorder("<")).tobytes()
    s = Storage(key, type_name, raw, a.size)
    strides = [int(np.prod(a.shape[i + 1:])) for i in range(a.ndim)]
    return s, Tensor(s, 0, list(a.shape), strides, parameter)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    types_ = {"F16": np.float16, "F32": np.float32}
    return {k: np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], dtype=types_[v["dtype"]]).reshape(v["shape"])
            for k, v in header.items()}


def write_safetensors(path, tensors, metadata=None):
    codes = {np.dtype(np.float32): "F32", np.dtype(np.float16): "F16", np.dtype(np.int64): "I64"}
    header, blobs, offset = {}, [], 0
    for name, a in tensors.items():
        raw = np.ascontiguousarray(a).tobytes()
        header[name] = {"dtype": codes[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    # 1. A Lightning-style checkpoint: {"state_dict": {...}, "global_step": 7, "epoch": numpy scalar}.
    weight = np.arange(6, dtype=np.float32).reshape(2, 3) / 4            # contiguous f32
    s_weight, t_weight = contiguous("0", weight, parameter=True)
    s_half, t_half = contiguous("1", np.array([1.5, -2.0, 65504.0, 2 ** -24], dtype=np.float16), "HalfStorage")
    s_bf16, t_bf16 = contiguous("2", np.array([1.0, -3.5, 0.15625], dtype=np.float32), "BFloat16Storage")
    s_long, t_long = contiguous("3", np.arange(77, dtype=np.int64).reshape(1, 77), "LongStorage")
    # A transposed view ([3, 2], stride (1, 3)) and an offset view ([2], offset 3) sharing storage 0.
    t_transposed = Tensor(s_weight, 0, [3, 2], [1, 3])
    t_offset = Tensor(s_weight, 3, [2], [1])
    s_scalar, t_scalar = contiguous("4", np.array(2.0, dtype=np.float32))
    state = collections.OrderedDict([
        ("layer.weight", t_weight), ("layer.half", t_half), ("layer.bf16", t_bf16),
        ("embeddings.position_ids", t_long), ("view.transposed", t_transposed), ("view.offset", t_offset),
        ("alpha", t_scalar),
    ])
    top = {"state_dict": state, "global_step": 7, "epoch": np.float64(3.0)}
    write_torch_zip(os.path.join(HERE, "tiny_state_dict.ckpt"), top, [s_weight, s_half, s_bf16, s_long, s_scalar], archive="tiny_state_dict")

    # 1a. The same archive with zip64 records.
    rewrite_as_zip64(os.path.join(HERE, "tiny_state_dict.ckpt"), os.path.join(HERE, "tiny_zip64.ckpt"))

    # 1b. The same state dict (top level, as old ESRGAN .pth files hold it) in the legacy format.
    write_torch_legacy(os.path.join(HERE, "tiny_legacy.pth"), state, [s_weight, s_half, s_bf16, s_long, s_scalar])

    # 2. A malicious pickle: unpickling it normally would run os.system.
    class Exploit:
        def __reduce__(self):
            return (os.system, ("echo tessera-fixture-pwned",))
    write_torch_zip(os.path.join(HERE, "malicious_os_system.ckpt"), {"state_dict": collections.OrderedDict([("w", Exploit())])}, [])

    # 3. A truncated checkpoint: the first 60% of the tiny one (no central directory left).
    with open(os.path.join(HERE, "tiny_state_dict.ckpt"), "rb") as f:
        data = f.read()
    with open(os.path.join(HERE, "truncated.ckpt"), "wb") as f:
        f.write(data[: len(data) * 6 // 10])

    # 4. Real-ESRGAN-style .pth: {"params_ema": BasicSR state dict}, fp16 storages, same values as
    #    the reference RRDBNet_x4_basicsr_fp16.safetensors.
    esrgan = read_safetensors(os.path.join(REFERENCE, "esrgan", "RRDBNet_x4_basicsr_fp16.safetensors"))
    storages, params = [], collections.OrderedDict()
    for i, (name, a) in enumerate(sorted(esrgan.items())):
        s, t = contiguous(str(i), a, "HalfStorage")
        storages.append(s)
        params[name] = t
    write_torch_zip(os.path.join(HERE, "rrdbnet_x4_params_ema.pth"), {"params_ema": params}, storages)

    # 5. Header-only look-alikes of other families (0-element tensors keep them a few hundred bytes).
    write_safetensors(os.path.join(HERE, "sdxl_like_header.safetensors"), {
        "conditioner.embedders.0.transformer.text_model.embeddings.token_embedding.weight": np.zeros((0, 768), np.float16),
        "model.diffusion_model.input_blocks.4.1.transformer_blocks.0.attn2.to_k.weight": np.zeros((0, 2048), np.float16),
        "model.diffusion_model.label_emb.0.0.weight": np.zeros((0, 2816), np.float16),
    })
    write_safetensors(os.path.join(HERE, "sd2_like_header.safetensors"), {
        "cond_stage_model.model.transformer.resblocks.0.attn.in_proj_weight": np.zeros((0, 1024), np.float16),
        "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight": np.zeros((0, 1024), np.float16),
    })

    # 6. A sharded safetensors model with its index (values = arange, so tests can check them).
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    b = np.arange(5, dtype=np.float16)
    c = np.arange(6, dtype=np.float32).reshape(2, 3) * -1
    write_safetensors(os.path.join(HERE, "sharded", "model-00001-of-00002.safetensors"), {"a.weight": a, "b.bias": b})
    write_safetensors(os.path.join(HERE, "sharded", "model-00002-of-00002.safetensors"), {"c.weight": c})
    with open(os.path.join(HERE, "sharded", "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": a.nbytes + b.nbytes + c.nbytes},
                   "weight_map": {"a.weight": "model-00001-of-00002.safetensors", "b.bias": "model-00001-of-00002.safetensors",
                                  "c.weight": "model-00002-of-00002.safetensors"}}, f, indent=1)


def a1111_hashes(path):
    """The hash definitions of AUTOMATIC1111 modules/hashes.py and sd_models.model_hash."""
    import hashlib
    with open(path, "rb") as f:
        data = f.read()
    out = {"sha256": hashlib.sha256(data).hexdigest(), "legacy": hashlib.sha256(data[0x100000:0x110000]).hexdigest()[:8]}
    if path.endswith(".safetensors"):
        n = int.from_bytes(data[:8], "little")
        out["addnet"] = hashlib.sha256(data[n + 8:]).hexdigest()
    return out


def write_hashes():
    files = {"lora_kohya.safetensors": os.path.join(REFERENCE, "lora_kohya.safetensors"),
             "checkpoint_ldm_fp16.safetensors": os.path.join(REFERENCE, "checkpoint_ldm_fp16.safetensors"),
             "tiny_state_dict.ckpt": os.path.join(HERE, "tiny_state_dict.ckpt")}
    with open(os.path.join(HERE, "a1111_hashes.json"), "w") as f:
        json.dump({name: a1111_hashes(p) for name, p in files.items()}, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    os.makedirs(os.path.join(HERE, "sharded"), exist_ok=True)
    main()
    write_hashes()
