"""The 12-month trend as a server-rendered SVG (no script, no inline style: the CSP holds).

:func:`trend_charts` lays out one chart per KPI — a polyline of the months with a value (gaps
where a month has none), a y-axis in percent for rates (per million for the per-million figures)
with gridlines, and one labelled line per target scheme — as plain numbers the template draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

WIDTH, HEIGHT = 760, 340
LEFT, RIGHT, TOP, BOTTOM = 64, 150, 20, 44
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


@dataclass
class Chart:
    key: str
    label: str
    is_rate: bool
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM
    ticks: list[dict[str, Any]] = field(default_factory=list)
    months: list[dict[str, Any]] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    points: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    axis_label: str = ""


def _nice_step(span: float, steps: int = 5) -> float:
    raw = span / steps if span > 0 else 1
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _range(values: list[float], is_rate: bool) -> tuple[float, float, float]:
    """(low, high, step) of the y-axis. Rates: whole tens of percent up to 100 %, starting low
    enough to show the lowest value and target; per-million figures from 0."""
    if is_rate:
        lowest = min(values, default=1.0)
        low = max(0.0, math.floor((lowest - 0.05) * 10) / 10)
        step = 0.05 if 1 - low <= 0.3 else 0.1 if 1 - low <= 0.6 else 0.2
        return low, 1.0, step
    highest = max(values, default=0.0)
    step = _nice_step(highest * 1.1 or 1)
    return 0.0, step * math.ceil((highest * 1.1 or 1) / step), step


def _show(value: float, is_rate: bool) -> str:
    if is_rate:
        return f"{Decimal(str(value * 100)).quantize(Decimal('0.1'))}%"
    return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"


def trend_chart(
    *,
    key: str,
    label: str,
    is_rate: bool,
    months: list[str],
    values: list[float | None],
    targets: list[dict[str, Any]],
    axis_label: str,
) -> Chart:
    """One KPI's chart; ``targets`` are ``{"scheme", "label", "value"}`` (a value of None: none)."""
    chart = Chart(key=key, label=label, is_rate=is_rate, axis_label=axis_label)
    present = [v for v in values if v is not None]
    goals = [t for t in targets if t.get("value") is not None]
    low, high, step = _range(present + [t["value"] for t in goals], is_rate)

    def y(value: float) -> float:
        share = (value - low) / (high - low) if high > low else 0
        return round(TOP + PLOT_H * (1 - min(max(share, 0), 1)), 1)

    def x(index: int) -> float:
        return round(LEFT + (PLOT_W * index / (len(months) - 1) if len(months) > 1 else PLOT_W / 2), 1)

    tick, count = low, 0
    while tick <= high + 1e-9 and count < 30:
        chart.ticks.append({"y": y(tick), "label": _show(tick, is_rate)})
        tick, count = round(tick + step, 6), count + 1
    chart.months = [
        {"x": x(i), "label": month[2:] if len(month) == 7 else month} for i, month in enumerate(months)
    ]
    segment: list[str] = []
    for index, value in enumerate(values):
        if value is None:
            if segment:
                chart.segments.append(" ".join(segment))
            segment = []
            continue
        segment.append(f"{x(index)},{y(value)}")
        chart.points.append(
            {"x": x(index), "y": y(value), "month": months[index], "label": _show(value, is_rate)}
        )
    if segment:
        chart.segments.append(" ".join(segment))
    placed: list[float] = []
    for target in goals:
        line_y = y(target["value"])
        text_y = line_y + 4
        while any(abs(text_y - other) < 14 for other in placed):  # two schemes at one value
            text_y += 14
        placed.append(text_y)
        chart.targets.append(
            {
                "scheme": target["scheme"],
                "y": line_y,
                "text_y": text_y,
                "label": f"{target['label']} {_show(target['value'], is_rate)}",
            }
        )
    return chart


def trend_charts(data: dict[str, Any], *, rate_axis: str, count_axis: str) -> list[Chart]:
    """A chart per KPI of the dashboard's data (:func:`kesu.metrics.views.dashboard_context`)."""
    trend = data["trend"]
    return [
        trend_chart(
            key=figure["key"],
            label=figure["label"],
            is_rate=figure["is_rate"],
            months=trend["months"],
            values=trend["series"][figure["key"]],
            targets=[
                {"scheme": t["scheme"], "label": t["label"], "value": t["value"]} for t in figure["targets"]
            ],
            axis_label=rate_axis if figure["is_rate"] else count_axis,
        )
        for figure in data["kpis"]
    ]
