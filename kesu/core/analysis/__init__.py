"""Kesu analysis engine 分析: category, value orientation, emotion, escalation risk, bad-faith signals and
demands of a complaint text, with the evidence for each conclusion. Framework-free: no Django here.

    from kesu.core.analysis import analyze
    result = analyze("我要去12315投诉你们", {"tier": "vip"})
    result.escalation.triggers[0].code  # "regulator"
"""

from .engine import Engine, analyze, analyze_trajectory, get_engine
from .errors import AnalysisError
from .result import Analysis, BadFaith, Category, Demand, Emotion, Escalation, Signal, Trajectory, Trigger

__all__ = [
    "Analysis",
    "AnalysisError",
    "BadFaith",
    "Category",
    "Demand",
    "Emotion",
    "Engine",
    "Escalation",
    "Signal",
    "Trajectory",
    "Trigger",
    "analyze",
    "analyze_trajectory",
    "get_engine",
]
