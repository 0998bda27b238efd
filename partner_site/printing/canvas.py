"""Build a page's content stream: text, lines, rectangles and QR codes, in millimetres from the bottom left."""
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from . import qr
from .fonts import font as embedded, reportlab_name
from .pdfstream import FONTS, MM
# Small integers are formatted once: a QR code is a few hundred rectangles.
_INT = [str(i).encode() for i in range(256)]


def text_width(text: str, font: str, size: float) -> float:
    """Return the width of `text` in millimetres."""
    return stringWidth(text, reportlab_name(font), size) / MM


def wrap(text: str, font: str, size: float, width_mm: float) -> list[str]:
    """Split `text` into lines that fit `width_mm`."""
    return simpleSplit(text, reportlab_name(font), size, width_mm * MM)


class PageCanvas:
    """Accumulate the PDF operators of one page, and the characters its text uses in each font."""

    def __init__(self):
        self._ops: list[bytes] = []
        self.chars: dict[str, set[str]] = {style: set() for style in FONTS}

    def text(self, x: float, y: float, text: str, font: str = "regular", size: float = 10, align: str = "left",
             color: tuple = (0, 0, 0)):
        """Write one line of text with its baseline at (x, y) mm; align left, right or center."""
        if align != "left":
            w = text_width(text, font, size)
            x -= w if align == "right" else w / 2
        self._ops.append(b"BT %.3f %.3f %.3f rg /%s %.1f Tf %.2f %.2f Td %s Tj ET\n" % (
            *color, FONTS[font].encode(), size, x * MM, y * MM, embedded(font).encode(text)))
        self.chars[font].update(text)

    def paragraph(self, x: float, y: float, text: str, width: float, font: str = "regular", size: float = 10,
                  leading: float | None = None, color: tuple = (0, 0, 0)) -> float:
        """Write wrapped text from baseline y downwards; return the y below the last line."""
        leading = leading or size * 0.45
        for line in wrap(text, font, size, width):
            self.text(x, y, line, font, size, color=color)
            y -= leading
        return y

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.25, color: tuple = (0, 0, 0)):
        self._ops.append(b"%.3f %.3f %.3f RG %.2f w %.2f %.2f m %.2f %.2f l S\n" % (
            *color, width, x1 * MM, y1 * MM, x2 * MM, y2 * MM))

    def rect(self, x: float, y: float, w: float, h: float, fill: tuple | None = None, stroke: tuple | None = None,
             width: float = 0.3):
        ops = b""
        if fill:
            ops += b"%.3f %.3f %.3f rg " % fill
        if stroke:
            ops += b"%.3f %.3f %.3f RG %.2f w " % (*stroke, width)
        paint = b"B" if fill and stroke else (b"f" if fill else b"S")
        self._ops.append(ops + b"%.2f %.2f %.2f %.2f re %s\n" % (x * MM, y * MM, w * MM, h * MM, paint))

    def qr(self, x: float, y: float, size: float, modules: list[list[bool]]):
        """Draw a QR matrix as black rectangles, one per horizontal run, its bottom-left corner at (x, y) mm."""
        n = len(modules)
        scale = size * MM / n
        out = [b"q 0 0 0 rg %.4f 0 0 %.4f %.3f %.3f cm\n" % (scale, scale, x * MM, y * MM)]
        top = n - 1
        ints = _INT
        # One path for the whole symbol, filled once: rasterisers leave no seam between adjacent runs.
        for r, row in enumerate(modules):
            y = ints[top - r]
            for start, end in qr.dark_spans(row):
                out.append(b"%s %s %s 1 re\n" % (ints[start], y, ints[end - start]))
        out.append(b"f Q\n")
        self._ops.append(b"".join(out))

    def raw(self, ops: bytes, chars: dict[str, set[str]] | None = None):
        """Append operators built elsewhere (a block drawn once and repeated), with the characters its text uses."""
        self._ops.append(ops)
        for style, used in (chars or {}).items():
            self.chars[style] |= used

    def content(self) -> bytes:
        return b"".join(self._ops)
