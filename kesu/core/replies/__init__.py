"""Kesu reply checker 回复检查: checks an agent's reply as it is typed and before it is sent, against the
communication rules of SPEC §5 — the same rules quality inspection (质检, SPEC §10) scores later.

    from kesu.core.replies import check_reply
    check = check_reply("规定就是这样", authority_limit=2000, conversation=[("customer", "我要退款")])
    check.blocked                  # True: forbidden_phrase
    check.findings[0].suggestion   # a better sentence
    check.missing_last_steps       # ["listen", "apologize", "solve", "thank"]

The rules are data in ``data/`` (tab-separated files a team lead can read and edit; each file's header
says what its columns mean). Framework-free: no Django, DRF or Celery import here.

- :func:`check_reply` — findings (forbidden phrases, negative expressions with positive rewrites, 我 over
  我们, promises without a time limit or beyond authority, over-promising, missing acknowledgement,
  listening ratio) and LAST coverage. See :mod:`.checker` for every rule.
- :func:`stop_reminder` — the STOP reminder for the agent when the customer is heated (:mod:`.stop`).
- :func:`listening_ratio`, :func:`listening_tip` — customer/agent speaking ratio, SPEC 7:3.
- :func:`suggest_scripts`, :func:`load_scripts` — the scripts library 话术 (:mod:`.scripts`).
- :func:`rank_scripts` — the fitting scripts, the closest to the complaint's embedding first (:mod:`.retrieval`).
"""

from .checker import ReplyCheck, check_reply, promised_amounts
from .conversation import last_steps_covered, listening_ratio, listening_tip
from .findings import Finding
from .retrieval import RankedScript, rank_scripts, script_documents, script_vector
from .rules import LAST_STEPS, SEVERITIES, get_rules
from .scripts import CATEGORIES, EMOTIONS, STAGES, Script, load_scripts, suggest_scripts
from .stop import Reminder, ReminderStep, stop_reminder
from .text import LIVE_MAX_CHARS, MAX_CHARS

__all__ = [
    "CATEGORIES",
    "EMOTIONS",
    "LAST_STEPS",
    "LIVE_MAX_CHARS",
    "MAX_CHARS",
    "SEVERITIES",
    "STAGES",
    "Finding",
    "RankedScript",
    "Reminder",
    "ReminderStep",
    "ReplyCheck",
    "Script",
    "check_reply",
    "get_rules",
    "last_steps_covered",
    "listening_ratio",
    "listening_tip",
    "load_scripts",
    "promised_amounts",
    "rank_scripts",
    "script_documents",
    "script_vector",
    "stop_reminder",
    "suggest_scripts",
]
