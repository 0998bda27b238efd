"""A minimal PDF writer that streams pages out as they are made.

Only the byte offset of each object and the id of each page stay in memory (a few bytes a
page), so a campaign of 100,000 booklets prints with the memory of one page. Text uses the
standard Type 1 fonts (nothing embedded) in WinAnsi encoding, which covers French.
"""
import zlib
from typing import BinaryIO

FONTS = {"F1": "Helvetica", "F2": "Helvetica-Bold", "F3": "Courier-Bold"}
A4 = (595.2756, 841.8898)
MM = 72 / 25.4


class PdfWriter:
    """Write a PDF to a binary stream: `add_page(content)` for each page, then `close()`."""

    # Object numbers fixed in advance: the page tree and resources are written last or first.
    CATALOG, PAGES, RESOURCES, INFO = 1, 2, 3, 4

    def __init__(self, out: BinaryIO, title: str = "", compress_level: int = 6):
        self._out = out
        self._pos = 0
        self._offsets: dict[int, int] = {}
        self._pages: list[int] = []
        self._next = 5 + len(FONTS)
        self._level = compress_level
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        font_ids = {}
        for i, (name, base) in enumerate(FONTS.items()):
            font_ids[name] = 5 + i
            self._object(5 + i, f"<< /Type /Font /Subtype /Type1 /BaseFont /{base} "
                                f"/Encoding /WinAnsiEncoding >>".encode())
        fonts = " ".join(f"/{name} {num} 0 R" for name, num in font_ids.items())
        self._object(self.RESOURCES, f"<< /Font << {fonts} >> /ProcSet [/PDF /Text] >>".encode())
        self._object(self.INFO, b"<< /Producer (Pass numerique) /Title " + pdf_string(title) + b" >>")

    def _write(self, data: bytes):
        self._out.write(data)
        self._pos += len(data)

    def _object(self, num: int, body: bytes):
        self._offsets[num] = self._pos
        self._write(b"%d 0 obj\n" % num + body + b"\nendobj\n")

    def _stream(self, num: int, data: bytes):
        packed = zlib.compress(data, self._level)
        self._object(num, b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream")

    def add_page(self, content: bytes, size=A4):
        """Write one page whose content stream is `content` (PDF operators)."""
        contents, page = self._next, self._next + 1
        self._next += 2
        self._stream(contents, content)
        self._object(page, b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.4f %.4f] /Resources %d 0 R "
                           b"/Contents %d 0 R >>" % (self.PAGES, size[0], size[1], self.RESOURCES, contents))
        self._pages.append(page)

    @property
    def page_count(self) -> int:
        return len(self._pages)

    def close(self):
        """Write the page tree, the catalog and the cross-reference table."""
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
