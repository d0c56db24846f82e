"""Charts as plain SVG text: a margin ladder as a step chart, a distributor hierarchy as a flow.

The SVG is written here, by hand, with every label and attribute value escaped (`&`, `<`, `>`,
quotes), so a program's titles cannot break out of the markup. No raster images, no scripts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from html import escape

from markupsafe import Markup

_FONT = "font-family=\"system-ui, 'Hiragino Sans', 'Noto Sans CJK JP', sans-serif\""
_BAR = "#3d6fb6"
_BAR_ZERO = "#b8c7dd"
_INK = "#1f2933"


def _e(text: str) -> str:
    return escape(text, quote=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


@dataclass(frozen=True, slots=True)
class Bar:
    """One ladder step: where it starts and ends on the volume axis, its rate, and its labels."""

    start: int
    end: int | None
    rate: Fraction
    start_label: str
    rate_label: str


def ladder_chart(key: str, title: str, x_label: str, y_label: str, bars: Sequence[Bar]) -> Markup:
    """A step chart of a ladder: volume across, rate up, one bar per step.

    Args:
        key: the ladder id (used, escaped, in an attribute and to make element ids unique).
        title: the accessible title of the chart.
        x_label: what the volume axis measures.
        y_label: what the rate axis measures.
        bars: the steps, in order.
    """
    width, height = 640, 300
    left, right, top, bottom = 64, 24, 40, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    starts = [b.start for b in bars]
    last = bars[-1]
    span_end = last.end if last.end is not None else (last.start * 5 // 4 if last.start else 1)
    span_end = max(span_end, max(starts) + 1)
    top_rate = max((b.rate for b in bars), default=Fraction(0)) or Fraction(1, 100)

    def x(volume: int) -> float:
        return left + plot_w * volume / span_end

    def y(rate: Fraction) -> float:
        return top + plot_h - float(plot_h * rate / (top_rate * Fraction(6, 5)))

    ident = f"ppl-ladder-{_slug(key)}"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ppl-chart ppl-ladder-chart" data-ladder="{_e(key)}" '
           f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
           f'aria-labelledby="{ident}-title">',
           f'<title id="{ident}-title">{_e(title)}</title>',
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
           f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{_INK}"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{_INK}"/>']
    for index, bar in enumerate(bars):
        following = bars[index + 1].start if index + 1 < len(bars) else span_end
        end = bar.end if bar.end is not None else following
        x0, x1 = x(bar.start), x(min(end, span_end))
        y0 = y(bar.rate)
        fill = _BAR if bar.rate else _BAR_ZERO
        bar_h = max(top + plot_h - y0, 2.0)
        out.append(f'<rect class="ppl-bar" x="{x0:.1f}" y="{top + plot_h - bar_h:.1f}" '
                   f'width="{max(x1 - x0 - 2, 1):.1f}" height="{bar_h:.1f}" fill="{fill}"/>')
        out.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{top + plot_h - bar_h - 6:.1f}" text-anchor="middle" '
                   f'font-size="13" fill="{_INK}" {_FONT}>{_e(bar.rate_label)}</text>')
        out.append(f'<line x1="{x0:.1f}" y1="{top + plot_h}" x2="{x0:.1f}" y2="{top + plot_h + 5}" stroke="{_INK}"/>')
        out.append(f'<text x="{x0:.1f}" y="{top + plot_h + 20}" text-anchor="middle" font-size="12" '
                   f'fill="{_INK}" {_FONT}>{_e(bar.start_label)}</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 16}" text-anchor="middle" font-size="13" '
               f'fill="{_INK}" {_FONT}>{_e(x_label)}</text>')
    out.append(f'<text x="{left}" y="{top - 16}" text-anchor="start" font-size="13" fill="{_INK}" '
               f'{_FONT}>{_e(y_label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


@dataclass(frozen=True, slots=True)
class Box:
    """One party in a commercial flow: a name and a detail line (such as a margin)."""

    name: str
    detail: str


def flow_chart(key: str, title: str, boxes: Sequence[Box], arrow_label: str = "") -> Markup:
    """Parties top to bottom, each selling to the one below: vendor, distributor levels, customer."""
    width, box_w, box_h, gap = 420, 300, 52, 30
    height = 24 + len(boxes) * (box_h + gap) - gap + 24
    left = (width - box_w) // 2
    ident = f"ppl-flow-{_slug(key)}"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ppl-chart ppl-flow-chart" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-labelledby="{ident}-title">',
           f'<title id="{ident}-title">{_e(title)}</title>',
           f'<defs><marker id="{ident}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
           f'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{_INK}"/></marker></defs>',
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    for index, box in enumerate(boxes):
        y0 = 24 + index * (box_h + gap)
        end = index in (0, len(boxes) - 1)
        out.append(f'<rect x="{left}" y="{y0}" width="{box_w}" height="{box_h}" rx="8" '
                   f'fill="{"#eef2f7" if end else "#dce7f7"}" stroke="{_BAR}"/>')
        name_y = y0 + (20 if box.detail else 31)
        out.append(f'<text x="{width / 2:.1f}" y="{name_y}" text-anchor="middle" font-size="14" font-weight="bold" '
                   f'fill="{_INK}" {_FONT}>{_e(box.name)}</text>')
        if box.detail:
            out.append(f'<text x="{width / 2:.1f}" y="{y0 + 40}" text-anchor="middle" font-size="12" '
                       f'fill="{_INK}" {_FONT}>{_e(box.detail)}</text>')
        if index + 1 < len(boxes):
            out.append(f'<line x1="{width / 2:.1f}" y1="{y0 + box_h}" x2="{width / 2:.1f}" y2="{y0 + box_h + gap - 2}" '
                       f'stroke="{_INK}" marker-end="url(#{ident}-arrow)"/>')
            if arrow_label:
                out.append(f'<text x="{width / 2 + 8:.1f}" y="{y0 + box_h + gap / 2 + 4:.1f}" font-size="11" '
                           f'fill="{_INK}" {_FONT}>{_e(arrow_label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))

