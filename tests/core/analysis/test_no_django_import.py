"""The analysis core is framework-free: importing and using it loads no Django, DRF or Celery."""

import subprocess
import sys

CODE = """
import sys
from kesu.core.analysis import analyze
analyze("我要去12315投诉你们")
bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'rest_framework', 'celery'))
print(','.join(bad))
"""


def test_importing_and_analysing_loads_no_framework():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
