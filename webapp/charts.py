"""Bar charts as numbers an SVG template draws: no script, no style attribute, so they show
without JavaScript and under the app's Content-Security-Policy, and scale to any width."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 720
PLOT_TOP = 22
PLOT_HEIGHT = 170
HEIGHT = PLOT_TOP + PLOT_HEIGHT + 28  # room for the first and last labels under the bars
GAP = 0.15  # of each bar's slot left empty between bars
MAX_BAR_WIDTH = 48.0  # a few periods make bars of this width, centred in their slots, not one block
EMPTY_HEIGHT = 1.0  # a period without articles is a line on the baseline, still with its tooltip


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str  # the tooltip: "2024-03: 12 articles"
    url: str | None = None  # where clicking the bar goes: the search narrowed to its period


@dataclass(frozen=True)
class Line:
    """One series over the same periods as the bars, drawn as a polyline through the centre of each slot."""

    name: str
    points: str  # "x,y x,y ..." for <polyline points>
    style: int  # 1, 2, ...: its class picks a colour and a dash pattern, so lines differ in more than colour
    title: str  # the tooltip: the name and its counts


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    baseline: float
    bars: tuple[Bar, ...]
    most: int  # the tallest bar's count, written at the top of the axis
    first: str
    last: str
    lines: tuple[Line, ...] = ()


def bar_chart(
    periods: Sequence[tuple[str, int]],
    noun: str = "article",
    urls: Sequence[str] | None = None,
    lines: Sequence[tuple[str, Sequence[int]]] = (),
) -> BarChart | None:
    """Bars for ``(label, count)`` pairs in the order given, scaled to the largest count; None for none.

    ``urls`` makes each bar a link; ``lines`` are ``(name, counts)`` series, a count per period, drawn
    over the bars on the same scale."""
    if not periods:
        return None
    most = max([count for _, count in periods] + [max(counts, default=0) for _, counts in lines]) or 1
    slot = WIDTH / len(periods)
    baseline = PLOT_TOP + PLOT_HEIGHT
    width = min(slot * (1 - GAP), MAX_BAR_WIDTH)
    bars = []
    for index, (label, count) in enumerate(periods):
        height = max(PLOT_HEIGHT * count / most, EMPTY_HEIGHT)
        bars.append(
            Bar(
                x=round(index * slot + (slot - width) / 2, 2),
                y=round(baseline - height, 2),
                width=round(width, 2),
                height=round(height, 2),
                title=f"{label}: {count} {noun}{'' if count == 1 else 's'}",
                url=urls[index] if urls else None,
            )
        )
    drawn = tuple(
        Line(
            name=name,
            points=" ".join(
                f"{round((index + 0.5) * slot, 2)},{round(baseline - PLOT_HEIGHT * count / most, 2)}"
                for index, count in enumerate(counts)
            ),
            style=number,
            title=f"{name}: " + ", ".join(f"{label} {n}" for (label, _), n in zip(periods, counts, strict=True)),
        )
        for number, (name, counts) in enumerate(lines, start=1)
    )
    return BarChart(WIDTH, HEIGHT, baseline, tuple(bars), most, periods[0][0], periods[-1][0], drawn)
