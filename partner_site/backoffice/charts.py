"""Charts drawn on the server as SVG: nothing to download, readable without JavaScript.

Each function returns the SVG markup (escaped, safe to insert in a page) with a <title> per bar
so that a screen reader and a mouse-over both give the exact figure.
"""
from markupsafe import Markup, escape

from ..formatting import money

BLUE, LIGHT, GREEN, GREY = "#000091", "#6a6af4", "#18753c", "#666"


def _svg(width: int, height: int, body: str, label: str = "") -> Markup:
    return Markup(f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
                  f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">{body}</svg>')


def bar_chart(items: list[tuple[str, int]], horizontal: bool = False, label: str = "") -> Markup:
    """Draw vertical bars (months) or horizontal bars (categories) for (label, value) pairs."""
    top = max((v for _l, v in items), default=0) or 1
    if horizontal:
        row, width, text_w = 26, 640, 250
        parts = []
        for i, (name, value) in enumerate(items):
            y, w = i * row, (width - text_w - 60) * value / top
            parts.append(f'<text x="{text_w - 8}" y="{y + 17}" text-anchor="end" class="label">{escape(name)}</text>'
                         f'<rect x="{text_w}" y="{y + 4}" width="{w:.1f}" height="18" fill="{BLUE}">'
                         f'<title>{escape(name)} : {value}</title></rect>'
                         f'<text x="{text_w + w + 6:.1f}" y="{y + 17}" class="value">{value}</text>')
        return _svg(width, max(row * len(items), row), "".join(parts), label)
    height, base, width = 200, 170, 640
    step = width / max(len(items), 1)
    parts = [f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="{GREY}" stroke-width="1"/>']
    for i, (name, value) in enumerate(items):
        h = (base - 20) * value / top
        x = i * step + step * 0.15
        parts.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" fill="{BLUE}">'
                     f'<title>{escape(name)} : {value}</title></rect>')
        if value:
            parts.append(f'<text x="{x + step * 0.35:.1f}" y="{base - h - 4:.1f}" text-anchor="middle" '
                         f'class="value">{value}</text>')
        if len(items) <= 12 or i % 3 == 0:
            parts.append(f'<text x="{x + step * 0.35:.1f}" y="{base + 18}" text-anchor="middle" '
                         f'class="label">{escape(name)}</text>')
    return _svg(width, height, "".join(parts), label)


def funnel_chart(rows: list[dict]) -> Markup:
    """Draw the funnel issued → handed out → redeemed → paid as shrinking bars."""
    top = max((r["tickets"] for r in rows), default=0) or 1
    width, row = 640, 44
    colours = [LIGHT, BLUE, BLUE, GREEN]
    parts = []
    for i, r in enumerate(rows):
        w = max(2.0, (width - 20) * r["tickets"] / top)
        x, y = (width - w) / 2, i * row
        parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row - 8}" rx="4" '
                     f'fill="{colours[i % len(colours)]}"><title>{escape(str(r["stage"]))} : {r["tickets"]}</title>'
                     f'</rect><text x="{width / 2}" y="{y + row / 2 + 3}" text-anchor="middle" class="inside">'
                     f'{escape(str(r["stage"]))} : {r["tickets"]} ({r["share"]} %)</text>')
    return _svg(width, row * len(rows), "".join(parts))


def split_chart(items: list[tuple[str, int]]) -> Markup:
    """Draw one bar split between categories (rural/urban amounts), with a legend."""
    total = sum(v for _n, v in items) or 1
    width, x, colours = 640, 0.0, [GREEN, BLUE, LIGHT]
    parts = []
    for i, (name, value) in enumerate(items):
        w = width * value / total
        parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="30" fill="{colours[i % 3]}">'
                     f'<title>{escape(name)} : {money(value)}</title></rect>'
                     f'<rect x="{i * 220}" y="44" width="14" height="14" fill="{colours[i % 3]}"/>'
                     f'<text x="{i * 220 + 20}" y="56" class="label">{escape(name)} : {escape(money(value))} '
                     f'({round(100 * value / total) if sum(v for _n, v in items) else 0} %)</text>')
        x += w
    return _svg(width, 64, "".join(parts))
