"""Two general propose scripts, one about a late parcel, one about a fee charged twice, and a
complaint about each: the script retrieval tests (tests/scripts, tests/browser) share the texts,
so the encoder embeds each once per run."""

from __future__ import annotations

import numpy as np

from kesu.scripts.models import Script
from kesu.scripts.services import script_embed

PARCEL = ("加急派送并每天同步物流", "我已经联系快递站点为您加急派送，包裹的物流进度每天都会短信告诉您，{时限}送到您手上。")
FEE = ("多扣的费用退回账户", "核实后多扣的话费会在3个工作日内退回您的账户，下月账单里直接抵扣。")
LATE_PARCEL = "快递一周了还没到，物流信息一直不更新，到底什么时候能送到？"
CHARGED_TWICE = "这个月话费被多扣了50元，我要求把钱退回来。"


def new_script(title: str, text: str, **fields) -> Script:
    """A propose script saved as the admin saves one (embedded as it is saved)."""
    script = Script(stage="propose", title=title, text=text, **fields)
    script_embed(script=script)
    script.save()
    return script


def only_these_propose_scripts() -> tuple[Script, Script]:
    """The fee script and the parcel one, the fee one first in the rules' order."""
    Script.objects.filter(stage="propose").update(active=False)
    return new_script(*FEE), new_script(*PARCEL)


def embedded(encoder, text: str) -> bytes:
    """A complaint's stored embedding of ``text`` (float16 bytes, as the semantic tier stores it)."""
    return np.asarray(encoder.embed([text])[0], dtype=np.float16).tobytes()
