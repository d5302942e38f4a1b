"""Geometry for the statewide report's two charts, drawn as inline SVG by the template.

No JavaScript and no chart library: the server computes rectangles and
points, the template writes <rect>/<polyline> elements with CSS classes (the
CSP forbids inline styles), and a data table beside each chart carries the
same numbers for screen readers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Stack order (left to right) and the labels people read.
STATUSES = ("compliant", "exempt", "extended", "in_progress", "grace", "non_compliant")
STATUS_LABELS = {
    "compliant": "Compliant",
    "exempt": "Exempt (licensed this year)",
    "extended": "Extended",
    "in_progress": "In progress",
    "grace": "Grace period",
    "non_compliant": "Non-compliant",
}


@dataclass
class Bar:
    label: str
    total: int
    y: float
    segments: list[dict] = field(default_factory=list)  # {status, x, width, count}
    compliant_pct: float = 0.0


@dataclass
class BarChart:
    width: int
    height: int
    label_width: int
    bars: list[Bar]
    ticks: list[dict]  # {x, label}


def agency_bars(rows: list[tuple[str, dict[str, int]]], *, width: int = 760, bar: int = 18, gap: int = 8,
                label_width: int = 230) -> BarChart:
    """One 100 %-stacked bar per (label, {status: count}), in the given order."""
    plot = width - label_width - 50
    bars = []
    for i, (label, counts) in enumerate(rows):
        total = sum(counts.values())
        item = Bar(label, total, 24 + i * (bar + gap))
        x = float(label_width)
        for status in STATUSES:
            n = counts.get(status, 0)
            if n and total:
                w = plot * n / total
                item.segments.append({"status": status, "x": round(x, 2), "width": round(w, 2), "count": n})
                x += w
        owed = total - counts.get("exempt", 0)
        item.compliant_pct = round(100 * counts.get("compliant", 0) / owed, 1) if owed else 100.0
        bars.append(item)
    ticks = [{"x": round(label_width + plot * p / 100, 2), "label": f"{p}%"} for p in (0, 25, 50, 75, 100)]
    return BarChart(width, 24 + len(rows) * (bar + gap) + 4, label_width, bars, ticks)


@dataclass
class LineChart:
    width: int
    height: int
    points: str  # "x,y x,y ..." for <polyline>
    dots: list[dict]  # {x, y, label, pct}
    x_ticks: list[dict]
    y_ticks: list[dict]


def compliance_line(series: list[tuple[date, float]], year: int, *, width: int = 760,
                    height: int = 260) -> LineChart:
    """Percent compliant over the reporting year (1 January to 15 March after)."""
    left, right, top, bottom = 48, 16, 12, 32
    start, end = date(year, 1, 1), date(year + 1, 3, 31)
    span = (end - start).days
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(day: date) -> float:
        return round(left + plot_w * min(max((day - start).days, 0), span) / span, 2)

    def y(pct: float) -> float:
        return round(top + plot_h * (1 - pct / 100), 2)

    dots = [{"x": x(d), "y": y(p), "label": d.strftime("%b %-d, %Y"), "pct": p} for d, p in series]
    x_ticks = []
    for month in range(1, 16, 2):
        day = date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        x_ticks.append({"x": x(day), "label": day.strftime("%b %Y" if day.month == 1 else "%b")})
    y_ticks = [{"y": y(p), "label": f"{p}%"} for p in (0, 25, 50, 75, 100)]
    return LineChart(width, height, " ".join(f"{d['x']},{d['y']}" for d in dots), dots, x_ticks, y_ticks)
