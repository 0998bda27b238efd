"""A minimal PDF writer that streams pages out as they are made.

Only the byte offset of each object, the id of each page and the set of characters used stay
in memory (a few bytes a page), so a campaign of 100,000 booklets prints with the memory of one
page. Text uses embedded fonts (`fonts`): their subsets are written at the end, once every
character the document uses is known.
"""
import zlib
from typing import BinaryIO

from . import fonts

# The name of each font style in the pages' content streams.
FONTS = {"regular": "F1", "bold": "F2", "mono": "F3"}
A4 = (595.2756, 841.8898)
MM = 72 / 25.4


class PdfWriter:
    """Write a PDF to a binary stream: `add_page(page)` for each page, then `close()`."""

    # Object numbers fixed in advance: pages refer to the page tree and resources, written last.
    CATALOG, PAGES, RESOURCES, INFO = 1, 2, 3, 4

    def __init__(self, out: BinaryIO, title: str = "", compress_level: int = 6):
        self._out = out
        self._pos = 0
        self._offsets: dict[int, int] = {}
        self._pages: list[int] = []
        self._next = 5
        self._level = compress_level
        self._chars: dict[str, set[str]] = {style: set() for style in FONTS}
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        self._object(self.INFO, b"<< /Producer (Pass numerique) /Title " + pdf_string(title) + b" >>")

    def _write(self, data: bytes):
        self._out.write(data)
        self._pos += len(data)

    def _object(self, num: int, body: bytes):
        self._offsets[num] = self._pos
        self._write(b"%d 0 obj\n" % num + body + b"\nendobj\n")

    def _new(self) -> int:
        self._next += 1
        return self._next - 1

    def _stream(self, num: int, data: bytes, extra: bytes = b""):
        packed = zlib.compress(data, self._level)
        self._object(num, b"<< /Length %d /Filter /FlateDecode%s >>\nstream\n" % (len(packed), extra) + packed
                     + b"\nendstream")

    def add_page(self, page, size=A4):
        """Write one page drawn on `page` (a PageCanvas: its content stream and the characters its text uses)."""
        contents, page_id = self._new(), self._new()
        self._stream(contents, page.content())
        for style, chars in page.chars.items():
            self._chars[style] |= chars
        self._object(page_id, b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.4f %.4f] /Resources %d 0 R "
                              b"/Contents %d 0 R >>" % (self.PAGES, size[0], size[1], self.RESOURCES, contents))
        self._pages.append(page_id)

    @property
    def page_count(self) -> int:
        return len(self._pages)

    def _font(self, style: str) -> int:
        """Write the subset of a font holding the characters used; return its object number."""
        font = fonts.font(style)
        used = {font.glyph_ids[c]: c for c in sorted(self._chars[style], reverse=True) if c in font.glyph_ids}
        gids = sorted({0, *used})
        name, program = font.subset(self._chars[style])
        name = name.encode()
        file_id, descriptor, cid_font, to_unicode, type0 = (self._new() for _i in range(5))
        self._stream(file_id, program, b" /Length1 %d" % len(program))
        self._object(descriptor, b"<< /Type /FontDescriptor /FontName /%s /Flags %d /FontBBox [%d %d %d %d] "
                                 b"/ItalicAngle %d /Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R >>"
                     % (name, 33 if font.fixed_pitch else 32, *font.bbox, font.italic_angle, font.ascent,
                        font.descent, font.cap_height, file_id))
        widths = b" ".join(b"%d [%d]" % (gid, font.widths[gid]) for gid in gids)
        self._object(cid_font, b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry "
                               b"(Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 "
                               b"/W [%s] /CIDToGIDMap /Identity >>" % (name, descriptor, widths))
        self._stream(to_unicode, to_unicode_cmap(used))
        self._object(type0, b"<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H "
                            b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (name, cid_font, to_unicode))
        return type0

    def close(self):
        """Write the fonts used, the resources, the page tree, the catalog and the cross-reference table."""
        used = " ".join(f"/{FONTS[style]} {self._font(style)} 0 R" for style in FONTS if self._chars[style])
        self._object(self.RESOURCES, f"<< /Font << {used} >> /ProcSet [/PDF /Text] >>".encode())
        kids = b" ".join(b"%d 0 R" % p for p in self._pages)
        self._object(self.PAGES, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(self._pages), kids))
        self._object(self.CATALOG, b"<< /Type /Catalog /Pages %d 0 R >>" % self.PAGES)
        xref = self._pos
        count = self._next
        lines = [b"xref\n0 %d\n" % count, b"0000000000 65535 f \n"]
        lines += [b"%010d 00000 n \n" % self._offsets[n] if n in self._offsets else b"0000000000 65535 f \n"
                  for n in range(1, count)]
        self._write(b"".join(lines))
        self._write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                    % (count, self.CATALOG, self.INFO, xref))


def to_unicode_cmap(chars_by_gid: dict[int, str]) -> bytes:
    """Return the CMap that maps glyph ids back to characters (so that text can be searched and copied)."""
    pairs = [b"<%04X> <%s>" % (gid, char.encode("utf-16-be").hex().upper().encode())
             for gid, char in sorted(chars_by_gid.items())]
    blocks = [b"%d beginbfchar\n%s\nendbfchar" % (len(pairs[i:i + 100]), b"\n".join(pairs[i:i + 100]))
              for i in range(0, len(pairs), 100)]
    return (b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" + b"\n".join(blocks) +
            b"\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")


def pdf_string(text: str) -> bytes:
    """Return a PDF literal string of `text` in WinAnsi (cp1252), escaped."""
    raw = text.replace("\u202f", "\u00a0").encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


class ChunkBuffer:
    """A write-only stream whose content is taken out in chunks (for an HTTP response)."""

    def __init__(self):
        self._parts: list[bytes] = []

    def write(self, data: bytes):
        self._parts.append(data)

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data
