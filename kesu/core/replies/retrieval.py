"""Script retrieval 话术检索: of the scripts the rules allow now (stage, category, emotion —
:func:`~kesu.core.replies.scripts.suggest_scripts`), the ones whose words are closest to the
complaint's come first.

Closeness is the cosine between the semantic tier's embeddings: the complaint's (stored when the
encoder refined it after intake) and each script's (stored when it was saved, see
:func:`script_documents` for what is embedded). The rules decide what may be said at this stage;
the embedding only orders it, so a script that does not fit is never suggested however close it
reads. Where there is nothing to compare — the complaint has no embedding yet, or the encoder is
off — the rules' order stands. A script without an embedding (saved while the encoder was off)
comes after the compared ones, in the rules' order.

    ranked = rank_scripts(scripts, "propose", "logistics_delay", "anxiety",
                          query=complaint_vector, embeddings=[v1, v2, …], limit=5)
    ranked[0].script, ranked[0].similarity      # the closest fitting script, its cosine
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic

import numpy as np

from .scripts import PLACEHOLDERS, S, fitting

_PLACEHOLDER = re.compile(r"\{(?:" + "|".join(map(re.escape, [*PLACEHOLDERS, *PLACEHOLDERS.values()])) + r")\}")


@dataclass(frozen=True)
class RankedScript(Generic[S]):
    """A suggested script and its cosine with the complaint (None: not compared, rules' order)."""

    script: S
    similarity: float | None


def script_documents(title: str, text: str, text_en: str = "") -> list[str]:
    """What is embedded for a script: its title with its Chinese text, and its English text when it
    has one (a complaint in either language then finds it). Placeholders ({产品}, {deadline}) are
    dropped: they say nothing of what the script is about."""
    documents = [_PLACEHOLDER.sub("", f"{title}。{text}".strip())]
    if text_en.strip():
        documents.append(_PLACEHOLDER.sub("", text_en.strip()))
    return documents


def script_vector(vectors: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """One unit vector for a script from the embeddings of its documents (their normalised mean)."""
    matrix = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    mean = matrix.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else mean


def _unit(vector: object, width: int | None = None) -> np.ndarray | None:
    if vector is None:
        return None
    array = np.asarray(vector, dtype=np.float32).reshape(-1)
    if array.size == 0 or (width is not None and array.size != width):
        return None
    norm = float(np.linalg.norm(array))
    if not np.isfinite(norm) or norm == 0:
        return None
    return array / norm


def rank_scripts(
    scripts: Sequence[S],
    stage: str | None,
    category: str | None,
    emotion: str | None,
    *,
    query: object,
    embeddings: Sequence[object | None],
    limit: int = 5,
) -> list[RankedScript[S]]:
    """The fitting scripts, the closest to ``query`` first, at most ``limit``, each with its cosine.

    ``embeddings`` holds one vector (or None) per script, in the same order. Fitting is
    :func:`suggest_scripts`'s rule; among the fitting scripts a higher cosine comes first and the
    rules' order breaks ties. With no usable ``query`` the result is ``suggest_scripts``'s, every
    similarity None. A script whose vector is missing, empty, zero or of another width than the
    query's is not compared: it follows the compared ones in the rules' order.
    """
    if len(embeddings) != len(scripts):
        raise ValueError(f"{len(scripts)} scripts but {len(embeddings)} embeddings")
    order = fitting(scripts, stage, category, emotion)
    target = _unit(query)
    if target is None:
        return [RankedScript(scripts[i], None) for i in order[: max(limit, 0)]]
    compared: list[int] = []
    vectors: list[np.ndarray] = []
    for i in order:
        vector = embeddings[i]
        if vector is not None:
            array = np.asarray(vector, dtype=np.float32).reshape(-1)
            if array.size == target.size:
                compared.append(i)
                vectors.append(array)
    by_score: list[int] = []
    scores = np.zeros(0, dtype=np.float32)
    if vectors:
        matrix = np.stack(vectors)
        norms = np.linalg.norm(matrix, axis=1)
        usable = np.isfinite(norms) & (norms > 0)
        with np.errstate(invalid="ignore", over="ignore"):
            scores = np.clip((matrix @ target) / np.where(usable, norms, 1.0), -1.0, 1.0)
        by_score = [int(j) for j in np.argsort(-scores, kind="stable") if usable[j]]  # stable: rules' order breaks ties
    limit = max(limit, 0)
    ranked = [RankedScript(scripts[compared[j]], float(scores[j])) for j in by_score[:limit]]
    if len(ranked) < limit:
        scored = {compared[j] for j in by_score}
        rest = (i for i in order if i not in scored)
        ranked += [RankedScript(scripts[i], None) for _, i in zip(range(limit - len(ranked)), rest, strict=False)]
    return ranked
