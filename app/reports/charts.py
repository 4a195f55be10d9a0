"""Small bar charts as inline SVG, drawn on the server: no script, no CDN, a fixed shape so nothing shifts."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

_ids = itertools.count(1)
WIDTH = 640
BAR_COLOR = "#1f5199"
MUTED_COLOR = "#5b8fd6"
TEXT_COLOR = "#303030"
GRID_COLOR = "#e3e3e3"


@dataclass(frozen=True)
class Point:
    """One bar: its label, its value (None draws nothing), and the value as the reader should see it."""

    label: str
    value: Decimal | int | None
    text: str


def _scale(points: Sequence[Point]) -> Decimal:
    top = max((Decimal(p.value) for p in points if p.value is not None), default=Decimal(0))
    return top if top > 0 else Decimal(1)


def _svg(title: str, width: int, height: int, body: list[str], css: str) -> Markup:
    ident = f"chart-{next(_ids)}"
    return Markup(
        f'<svg class="chart {css}" role="img" aria-labelledby="{ident}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}">{escape(title)}</title>{"".join(body)}</svg>'
    )


def column_chart(points: Sequence[Point], title: str, width: int = 420, height: int = 180) -> Markup:
    """Vertical bars, one per point (months); the last one, the month shown, is labelled with its value."""
    if not points:
        return _svg(title, width, height, [], "chart--columns")
    top, bottom = 24, height - 22
    slot = width / len(points)
    bar = min(36.0, slot * 0.62)
    peak = _scale(points)
    body = [f'<line x1="0" x2="{width}" y1="{bottom}" y2="{bottom}" stroke="{GRID_COLOR}"/>']
    for index, point in enumerate(points):
        center = slot * index + slot / 2
        last = index == len(points) - 1
        body.append(
            f'<text x="{center:.1f}" y="{height - 6}" text-anchor="middle" font-size="11" '
            f'fill="{TEXT_COLOR}">{escape(point.label)}</text>'
        )
        if point.value is None:
            continue
        size = float(Decimal(point.value) / peak) * (bottom - top)
        color = BAR_COLOR if last else MUTED_COLOR
        body.append(
            f'<rect x="{center - bar / 2:.1f}" y="{bottom - size:.1f}" width="{bar:.1f}" height="{size:.1f}" '
            f'rx="3" fill="{color}"><title>{escape(point.label)}: {escape(point.text)}</title></rect>'
        )
        if last:
            anchor = "end" if len(points) > 1 else "middle"
            x = center + bar / 2 if len(points) > 1 else center
            body.append(
                f'<text x="{x:.1f}" y="{bottom - size - 7:.1f}" text-anchor="{anchor}" font-size="12" '
                f'font-weight="600" fill="{TEXT_COLOR}">{escape(point.text)}</text>'
            )
    return _svg(title, width, height, body, "chart--columns")


def bar_chart(points: Sequence[Point], title: str, label_width: int = 220) -> Markup:
    """Horizontal bars, one row per point (reasons, products), label on the left and value on the right."""
    row = 28
    height = max(row * len(points) + 8, row)
    peak = _scale(points)
    room = WIDTH - label_width - 90
    body = []
    for index, point in enumerate(points):
        y = 4 + index * row
        label = point.label if len(point.label) <= 28 else point.label[:27] + "…"
        size = 0.0 if point.value is None else float(Decimal(point.value) / peak) * room
        body.append(
            f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" font-size="12" fill="{TEXT_COLOR}">'
            f"{escape(label)}</text>"
            f'<rect x="{label_width}" y="{y + 4}" width="{max(size, 1.0):.1f}" height="{row - 10}" rx="3" '
            f'fill="{BAR_COLOR}"><title>{escape(point.label)}: {escape(point.text)}</title></rect>'
            f'<text x="{label_width + max(size, 1.0) + 6:.1f}" y="{y + 18}" font-size="12" fill="{TEXT_COLOR}">'
            f"{escape(point.text)}</text>"
        )
    return _svg(title, WIDTH, height, body, "chart--bars")
