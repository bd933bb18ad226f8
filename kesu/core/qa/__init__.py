"""Kesu quality inspection 质检 engine (SPEC §10, §11): scores a call or chat transcript against the
handling method, item by item, with the evidence (the turn and the span of words) for every automatic
score. Framework-free: no Django, DRF or Celery import here.

    from kesu.core.qa import Transcript, score_transcript
    t = Transcript.of([("customer", "宽带断了三天了！"), ("agent", "非常抱歉给您添麻烦了，能告诉我具体情况吗？")])
    scoring = score_transcript(t)                 # the default scorecard
    scoring.total.score, scoring.item("empathy_apology").evidence

- :mod:`.transcript` — turns with speakers and optional times; JSON/CSV export readers.
- :mod:`.scorecard` — scorecards as data (``data/scorecard.json``), totals, critical items.
- :mod:`.checks` — the automatic checks (reusing the reply checker's rules, :mod:`kesu.core.replies`).
- :mod:`.talk` — listening share by talk time or characters, interruptions, response waits.
- :mod:`.sampling` — reproducible samples per agent and month with always-include flags.
- :mod:`.calibration` — the agreement of two inspectors.
"""

from .calibration import Agreement, Pair, agreement, cohen_kappa
from .checks import CHECKS, Evidence, Facts
from .engine import ItemScore, Scoring, score_transcript
from .sampling import ALWAYS_FLAGS, Candidate, Pick, draw_sample
from .scorecard import (
    ASSISTED,
    AUTOMATIC,
    COMMUNICATION,
    GROUPS,
    KINDS,
    MANUAL,
    ItemSpec,
    Scorecard,
    ScorecardError,
    Total,
    default_scorecard,
    default_scorecard_data,
    scorecard_from_dict,
    total,
)
from .talk import interruptions, listening_share, response_waits
from .transcript import (
    AGENT,
    CUSTOMER,
    ParsedTranscript,
    Transcript,
    TranscriptError,
    Turn,
    parse_csv,
    parse_json,
)

__all__ = [
    "AGENT",
    "ALWAYS_FLAGS",
    "ASSISTED",
    "AUTOMATIC",
    "CHECKS",
    "COMMUNICATION",
    "CUSTOMER",
    "GROUPS",
    "KINDS",
    "MANUAL",
    "Agreement",
    "Candidate",
    "Evidence",
    "Facts",
    "ItemScore",
    "ItemSpec",
    "Pair",
    "ParsedTranscript",
    "Pick",
    "Scorecard",
    "ScorecardError",
    "Scoring",
    "Total",
    "Transcript",
    "TranscriptError",
    "Turn",
    "agreement",
    "cohen_kappa",
    "default_scorecard",
    "default_scorecard_data",
    "draw_sample",
    "interruptions",
    "listening_share",
    "parse_csv",
    "parse_json",
    "response_waits",
    "score_transcript",
    "scorecard_from_dict",
    "total",
]
