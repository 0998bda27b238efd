"""Charts drawn on the server as SVG: nothing to download, readable without JavaScript.

Each function returns the SVG markup (escaped, safe to insert in a page) with a <title> per bar
so that a screen reader and a mouse-over both give the exact figure. The drawing is 360 units
wide, the width of a phone, so that its text stays legible there; CSS caps its width on a desk.
"""
from markupsafe import Markup, escape

from ..formatting import money

WIDTH = 360
BLUE, LIGHT, GREEN, GREY, INK = "#000091", "#6a6af4", "#18753c", "#666", "#161616"


def _svg(height: float, body: str, label: str = "") -> Markup:
    return Markup(f'<svg class="chart" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
                  f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">{body}</svg>')


def _labelled_bars(items: list[tuple[str, str, float, str]], label: str) -> Markup:
    """Draw one row per item: its label and figure on a line, then a bar; (label, figure, ratio, colour)."""
    row, parts = 40, []
    for i, (name, figure, ratio, colour) in enumerate(items):
        y = i * row
        w = max(0.0, min(1.0, ratio)) * WIDTH
        parts.append(f'<text x="0" y="{y + 14}" class="label">{escape(name)}</text>'
                     f'<text x="{WIDTH}" y="{y + 14}" text-anchor="end" class="value">{escape(figure)}</text>'
                     f'<rect x="0" y="{y + 20}" width="{WIDTH}" height="12" rx="2" fill="#eee"/>'
                     f'<rect x="0" y="{y + 20}" width="{w:.1f}" height="12" rx="2" fill="{colour}">'
                     f'<title>{escape(name)} : {escape(figure)}</title></rect>')
    return _svg(max(row * len(items), row), "".join(parts), label)


def category_chart(items: list[tuple[str, int]], label: str = "") -> Markup:
    """Draw horizontal bars for (category, count) pairs, scaled to the largest."""
    top = max((v for _n, v in items), default=0) or 1
    return _labelled_bars([(name, str(value), value / top, BLUE) for name, value in items], label)


def funnel_chart(rows: list[dict], label: str = "") -> Markup:
    """Draw the funnel issued → handed out → redeemed → paid, each bar a share of the tickets issued."""
    colours = [LIGHT, BLUE, BLUE, GREEN]
    return _labelled_bars([(str(r["stage"]), f'{r["tickets"]} ({str(r["share"]).replace(".", ",")} %)',
                            r["share"] / 100, colours[i % 4]) for i, r in enumerate(rows)], label)


def split_chart(items: list[tuple[str, int]], label: str = "") -> Markup:
    """Draw amounts per category (rural, urban) as shares of their total."""
    total = sum(v for _n, v in items)
    return _labelled_bars([(name, f"{money(value)} ({round(100 * value / total) if total else 0} %)",
                            value / total if total else 0, [GREEN, BLUE][i % 2]) for i, (name, value) in
                           enumerate(items)], label)


def month_chart(items: list[tuple[str, int]], label: str = "") -> Markup:
    """Draw vertical bars, one per month, with the count above each and a month label under some."""
    height, base = 170, 140
    top = max((v for _n, v in items), default=0) or 1
    step = WIDTH / max(len(items), 1)
    every = 1 if len(items) <= 6 else (2 if len(items) <= 12 else 4)
    parts = [f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="{GREY}" stroke-width="1"/>']
    for i, (name, value) in enumerate(items):
        h = (base - 22) * value / top
        x, w = i * step + step * 0.15, step * 0.7
        parts.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{BLUE}">'
                     f'<title>{escape(name)} : {value}</title></rect>')
        if value and (len(items) <= 12 or value == top):
            parts.append(f'<text x="{x + w / 2:.1f}" y="{base - h - 4:.1f}" text-anchor="middle" '
                         f'class="value">{value}</text>')
        if i % every == 0 or i == len(items) - 1:
            parts.append(f'<text x="{min(max(x + w / 2, 18), WIDTH - 18):.1f}" y="{base + 18}" '
                         f'text-anchor="middle" class="label">{escape(name)}</text>')
    return _svg(height, "".join(parts), label)
