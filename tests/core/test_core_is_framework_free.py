"""The core (workflow, privacy, SLA, KPI, repeats, replies, analysis, qa) runs with no Django, DRF or Celery."""

import subprocess
import sys

CHECK = """
import sys
import kesu.core.workflow, kesu.core.privacy, kesu.core.analysis, kesu.core.sla, kesu.core.kpi, kesu.core.repeats, kesu.core.replies, kesu.core.qa
from kesu.core.analysis import analyze
analyze("我要投诉")
kesu.core.replies.check_reply("规定就是这样")
kesu.core.qa.score_transcript(kesu.core.qa.Transcript.of([("customer", "宽带断了"), ("agent", "非常抱歉")]))
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {"django", "rest_framework", "celery"})
print(",".join(loaded))
"""


def test_importing_and_using_the_core_loads_no_framework():
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
