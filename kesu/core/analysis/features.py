"""Character n-gram features shared by training (scikit-learn) and inference (numpy).

No word segmentation: character 1-4-grams with sentence-boundary marks, skip-bigrams and Weibo-style
emoticon tokens ([怒]) carry the signal, and avoid jieba's one-second dictionary load at run time.

Training sees the features as strings (``analyzer``). At run time the same features are never built as
Python strings: every n-gram is a 64-bit polynomial hash computed for the whole text at once with numpy
(``text_hashes``) and looked up by binary search in the sorted hashes of the models' vocabulary
(``hash_names``). ``feature_hash(name) == text hash`` for every feature, tested in
tests/core/analysis/test_features.py.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

_EMOTICON = re.compile(r"\[[^\[\]]{1,8}\]")
MAX_MODEL_CHARS = 2000  # the models read at most this many characters; lexicons read the whole text
MAX_N = 4

_MASK = (1 << 64) - 1
_M = 0x100000001B3  # odd multiplier of the polynomial hash (the FNV-1 64-bit prime)
SEED_NGRAM = 0xCBF29CE484222325
SEED_SKIP = 0x9E3779B97F4A7C15
SEED_EMOTICON = 0xD6E8FEB86659FD93


def ngram_features(text: str, max_n: int = MAX_N) -> Counter[str]:
    """Counts of features of an already normalised text (see normalize.py)."""
    text = text[:MAX_MODEL_CHARS]
    marked = "^" + text + "$"
    n = len(marked)
    counts: Counter[str] = Counter(marked)
    for k in range(2, max_n + 1):
        counts.update(marked[i : i + k] for i in range(n - k + 1))
    counts.update("S:" + text[i] + text[i + 2] for i in range(len(text) - 2))
    for m in _EMOTICON.findall(text):
        counts["E:" + m] += 1
    return counts


def analyzer(text: str) -> list[str]:
    """The same features as a token list, for scikit-learn's TfidfVectorizer(analyzer=...)."""
    return list(ngram_features(text).elements())


def _poly(seed: int, chars: str) -> int:
    h = seed
    for ch in chars:
        h = (h * _M + ord(ch)) & _MASK
    return h


def feature_hash(name: str) -> int:
    """The 64-bit hash of one feature name as ``ngram_features`` spells it.

    Normalised text is lower case, so an n-gram can never start with the upper-case "S:" or "E:" marks.
    """
    if name.startswith("S:") and len(name) == 4:
        return _poly(SEED_SKIP, name[2:])
    if name.startswith("E:"):
        return _poly(SEED_EMOTICON, name[2:])
    return _poly(SEED_NGRAM, name)


def hash_names(names: list[str]) -> np.ndarray:
    """``feature_hash`` of every name, computed with numpy: names of one length hash together.

    The Python loop over 150,000 vocabulary names with big-integer arithmetic was half the engine's load.
    """
    n = len(names)
    bodies = list(names)
    seeds = np.full(n, SEED_NGRAM, dtype=np.uint64)
    skip = [i for i, name in enumerate(names) if name[:2] == "S:" and len(name) == 4]
    emoticon = [i for i, name in enumerate(names) if name[:2] == "E:"]
    for i in skip + emoticon:
        bodies[i] = names[i][2:]
    seeds[skip] = SEED_SKIP
    seeds[emoticon] = SEED_EMOTICON
    lengths = np.fromiter(map(len, bodies), dtype=np.int64, count=n)
    codes = np.frombuffer("".join(bodies).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    out = np.empty(n, dtype=np.uint64)
    m = np.uint64(_M)
    for length in np.unique(lengths).tolist():
        index = np.flatnonzero(lengths == length)
        h = seeds[index]
        first = starts[index]
        for j in range(length):
            h = h * m + codes[first + j]  # uint64 arithmetic wraps modulo 2**64, like _poly's mask
        out[index] = h
    return out


_SEED_N_M = np.uint64((SEED_NGRAM * _M) & _MASK)
_SEED_S_M = np.uint64((SEED_SKIP * _M) & _MASK)
_M64 = np.uint64(_M)


def text_hashes(text: str, max_n: int = MAX_N) -> np.ndarray:
    """Hashes of every feature occurrence of a normalised text (repeats included), as uint64."""
    text = text[:MAX_MODEL_CHARS]
    codes = np.frombuffer(("^" + text + "$").encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    h = _SEED_N_M + codes  # unigrams
    parts = [h]
    for k in range(1, max_n):
        if codes.size <= k:
            break
        h = h[:-1] * _M64 + codes[k:]
        parts.append(h)
    inner = codes[1:-1]
    if inner.size > 2:
        parts.append((_SEED_S_M + inner[:-2]) * _M64 + inner[2:])
    if "[" in text:
        emoticons = [_poly(SEED_EMOTICON, m) for m in _EMOTICON.findall(text)]
        if emoticons:
            parts.append(np.array(emoticons, dtype=np.uint64))
    return np.concatenate(parts)
