"""Character n-gram features shared by training (scikit-learn) and inference (plain Python + numpy).

No word segmentation: character 1-4-grams with sentence-boundary marks, skip-bigrams and Weibo-style
emoticon tokens ([怒]) carry the signal, and avoid jieba's one-second dictionary load at run time.
"""

from __future__ import annotations

import re
from collections import Counter

_EMOTICON = re.compile(r"\[[^\[\]]{1,8}\]")
MAX_MODEL_CHARS = 2000  # the models read at most this many characters; lexicons read the whole text


def ngram_features(text: str, max_n: int = 4) -> Counter[str]:
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
