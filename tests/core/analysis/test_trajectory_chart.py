"""The emotion trajectory's chart: the complaint page and practice draw the same one."""

from __future__ import annotations

from kesu.core.analysis.trajectory import chart


def test_no_points_no_chart():
    assert chart([]) is None


def test_points_run_left_to_right_and_hotter_is_higher():
    track = chart([("neutral", 0.2), ("anxiety", 0.6), ("anger", 0.95)])
    assert track is not None
    xs = [p["x"] for p in track["points"]]
    ys = [p["y"] for p in track["points"]]
    assert xs == sorted(xs) and xs[0] == 8 and xs[-1] == track["width"] - 8
    assert ys[0] > ys[1] > ys[2]  # SVG y grows downward
    assert track["rising"] and track["last"] == ("anger", 0.95)
    assert track["polyline"].count(",") == 3


def test_one_point_is_not_rising():
    track = chart([("anger", 1.0)])
    assert track is not None and not track["rising"] and len(track["points"]) == 1
