"""The fonts every PDF embeds: DejaVu Sans, DejaVu Sans Bold and DejaVu Sans Mono Bold (in fonts/, with their licence).

Print shops refuse PDFs whose fonts are not embedded, and the PDF's standard fonts carry Western
European letters only. DejaVu covers Latin (French, Turkish...), Greek, Cyrillic, Arabic and Hebrew
letters. The streaming writer embeds each font as a CID font (two bytes per glyph id, Identity-H)
subset to the characters the document uses, with the original glyph ids kept so that text can be
encoded before the subset is made; ReportLab documents register the same files (ReportLab subsets
them itself). Arabic still needs shaping (contextual letter forms, right to left) before it prints
as it reads.
"""
import hashlib
import io
import os
from functools import cache

from fontTools import subset
from fontTools.ttLib import TTFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont as ReportLabFont

FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fonts")
FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "mono": "DejaVuSansMono-Bold.ttf"}
# Basic Latin, Latin-1, Latin Extended-A (French, Turkish and most European languages), punctuation, the euro.
COMMON = frozenset(chr(c) for first, last in ((0x20, 0x7E), (0xA0, 0x17F), (0x2010, 0x203A), (0x20AC, 0x20AC))
                   for c in range(first, last + 1))


class Font:
    """One TrueType font: its character map and widths, and the subset a document needs."""

    def __init__(self, style: str):
        self.style = style
        self.path = os.path.join(FOLDER, FILES[style])
        self._common: tuple[str, bytes] | None = None
        with TTFont(self.path, lazy=True) as face:
            self._read(face)

    def _read(self, face: TTFont):
        """Read the name, character map, widths and descriptor values of the font."""
        self.name = face["name"].getDebugName(6)  # the PostScript name, e.g. DejaVuSans-Bold
        order = {name: gid for gid, name in enumerate(face.getGlyphOrder())}
        scale = 1000 / face["head"].unitsPerEm
        metrics = face["hmtx"].metrics
        self.glyph_ids = {chr(cp): order[name] for cp, name in face.getBestCmap().items()}
        self.widths = {gid: round(metrics[name][0] * scale) for name, gid in order.items()}
        # Text is written as hexadecimal glyph ids: nothing in it needs escaping.
        self.hex = {char: b"%04X" % gid for char, gid in self.glyph_ids.items()}
        head, os2, post = face["head"], face["OS/2"], face["post"]
        self.bbox = [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
        self.ascent, self.descent = round(os2.sTypoAscender * scale), round(os2.sTypoDescender * scale)
        self.cap_height = round(getattr(os2, "sCapHeight", os2.sTypoAscender) * scale)
        self.italic_angle = post.italicAngle
        self.fixed_pitch = bool(post.isFixedPitch)

    def encode(self, text: str) -> bytes:
        """Return `text` as a PDF hex string of glyph ids (a character the font lacks prints as a box)."""
        table = self.hex
        return b"<" + b"".join([table.get(char, b"0000") for char in text]) + b">"

    def subset(self, chars: set[str]) -> tuple[str, bytes]:
        """Return the name and file of a subset that holds `chars`, glyph ids unchanged.

        Cutting a font takes a tenth of a second or more, too much for a one-page letter: a document
        whose characters are all common Latin ones (French, Turkish...) gets the subset of those, cut once
        per process; any other gets its own.
        """
        if chars <= COMMON:
            if self._common is None:
                self._common = self._cut(COMMON)
            return self._common
        return self._cut(chars)

    def _cut(self, chars: set[str]) -> tuple[str, bytes]:
        options = subset.Options()
        options.retain_gids = True
        options.notdef_outline = True
        options.hinting = False
        options.layout_features = []
        options.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # copyright, names and version, as the licence asks
        options.drop_tables += ["FFTM", "GSUB", "GPOS", "GDEF", "kern", "hdmx", "VDMX", "LTSH"]
        cutter = subset.Subsetter(options)
        cutter.populate(unicodes=[ord(c) for c in chars])
        out = io.BytesIO()
        with TTFont(self.path, lazy=True) as face:
            cutter.subset(face)
            face.save(out)
        # A subset's name: six capitals derived from what it holds, a '+', the font's name.
        digest = hashlib.sha256((self.name + "".join(sorted(chars))).encode()).digest()
        return "".join(chr(65 + b % 26) for b in digest[:6]) + "+" + self.name, out.getvalue()


@cache
def font(style: str) -> Font:
    """Return the font of a style ("regular", "bold", "mono"), loaded once per process."""
    return Font(style)


@cache
def reportlab_name(style: str) -> str:
    """Register the font of a style with ReportLab (once) and return its name there."""
    name = font(style).name
    pdfmetrics.registerFont(ReportLabFont(name, font(style).path))
    return name
