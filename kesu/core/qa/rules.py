"""The phrase files of ``data/`` loaded into matchers, once per process, beside the reply checker's
rules (:func:`kesu.core.replies.get_rules`), which quality inspection reuses as they are: LAST steps,
promise markers and actions, time limits, and every finding of :func:`~kesu.core.replies.check_reply`.

Rows are folded as replies are (simplified Chinese, lower case, 您 = 你), so one row matches 繁體 too.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from kesu.core.replies.rules import PhraseSet, Row, Rules, get_rules
from kesu.core.replies.text import fold_phrase


def read_rows(name: str) -> list[Row]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")] + [""]
        rows.append(Row(kind=cells[0], phrase=fold_phrase(cells[1])))
    return rows


def phrase_sets(name: str, *kinds: str) -> dict[str, PhraseSet]:
    rows = read_rows(name)
    allow = [r for r in rows if r.kind == "allow"]
    return {kind: PhraseSet(rows, kind, allow) for kind in kinds}


class QaRules:
    def __init__(self) -> None:
        self.replies: Rules = get_rules()
        questions = phrase_sets("questions.tsv", "open", "closed")
        self.open_question, self.closed_question = questions["open"], questions["closed"]
        empathy = phrase_sets("empathy.tsv", "apology", "empathy")
        self.apology, self.empathy = empathy["apology"], empathy["empathy"]
        restate_rows = read_rows("restate.tsv")
        self.restate = PhraseSet(restate_rows, "phrase")
        self.restate_stop = frozenset(r.phrase for r in restate_rows if r.kind == "stop")
        addressing = read_rows("addressing.tsv")
        self.ask_name = PhraseSet(addressing, "phrase")
        titles = "|".join(re.escape(r.phrase) for r in addressing if r.kind == "title")
        self.title = re.compile(rf"[\u4e00-\u9fff](?:{titles})")
        self.next_time = phrase_sets("next_time.tsv", "phrase")["phrase"]
        self.progress = phrase_sets("progress.tsv", "phrase")["phrase"]
        solutions = phrase_sets("solutions.tsv", "steps", "operation", "frame")
        self.steps, self.operation, self.frame = (
            solutions["steps"],
            solutions["operation"],
            solutions["frame"],
        )
        hedges = phrase_sets("hedges.tsv", "phrase", "action")
        self.hedge, self.hedge_action = hedges["phrase"], hedges["action"]
        self.commit_i = phrase_sets("commit_i.tsv", "phrase")["phrase"]
        self.polite_allow = tuple(r.phrase for r in read_rows("polite.tsv") if r.kind == "allow")


@lru_cache(maxsize=1)
def get_qa_rules() -> QaRules:
    return QaRules()
