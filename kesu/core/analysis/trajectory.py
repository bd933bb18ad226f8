"""Is the customer getting more upset? The rule for an emotion trajectory, over stored points as
well as fresh analyses, so the engine and the complaint page agree.

Rising: the last message is at least :data:`RISING_DELTA` hotter than the first and the
least-squares slope of heat (label heat x intensity) over the messages is positive.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

# Emotion "heat" for trajectories: how far a label is from a calm, satisfied customer.
HEAT = {
    "anger": 1.0,
    "anxiety": 0.8,
    "disappointment": 0.7,
    "confusion": 0.45,
    "expectation": 0.25,
    "neutral": 0.1,
    "satisfied": 0.0,
}
RISING_DELTA = 0.15


def heat(label: str, intensity: float) -> float:
    """A label unknown to this table counts as neutral."""
    if label == "satisfied":
        return 0.0
    return round(HEAT.get(label, HEAT["neutral"]) * (0.5 + 0.5 * intensity), 3)


def is_rising(heats: Iterable[float]) -> bool:
    heats = list(heats)
    if len(heats) < 2:
        return False
    n = len(heats)
    mean_x, mean_y = (n - 1) / 2, sum(heats) / n
    slope = sum((i - mean_x) * (h - mean_y) for i, h in enumerate(heats))
    return heats[-1] - heats[0] >= RISING_DELTA and slope > 0


def chart(
    points: Sequence[tuple[str, float]], *, width: int = 240, height: int = 60, pad: int = 8
) -> dict[str, Any] | None:
    """A small line chart of (label, intensity) points, left to right, intensity upward: each
    point's position, the polyline through them, whether the trajectory is rising (the rule
    above) and the last point. ``None`` without points. The complaint page and practice draw it."""
    if not points:
        return None
    step = (width - 2 * pad) / max(1, len(points) - 1)
    coords = [
        {
            "x": round(pad + i * step, 1),
            "y": round(height - pad - intensity * (height - 2 * pad), 1),
            "code": code,
            "intensity": round(intensity, 2),
        }
        for i, (code, intensity) in enumerate(points)
    ]
    return {
        "width": width,
        "height": height,
        "points": coords,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in coords),
        "rising": is_rising(heat(code, intensity) for code, intensity in points),
        "last": points[-1],
    }
