"""QR matrices for ticket codes: version 5, error correction M, a fixed mask pattern.

A code is 112 characters of the QR alphanumeric set: version 5-M holds 122, so the version is
fixed rather than searched. Any of the eight mask patterns is valid for a reader; fixing one
skips qrcode's trial of all eight (about 7x faster), which matters for 20,000 tickets.
"""
import re

import qrcode
from qrcode.constants import ERROR_CORRECT_M

VERSION = 5
SIZE = VERSION * 4 + 17  # modules a side
QUIET_ZONE = 4  # modules of white needed around the symbol
MASK_PATTERN = 2  # columns pattern (x % 3 == 0): any fixed choice reads the same


def matrix(code: str) -> list[list[bool]]:
    """Return the QR modules of a ticket code, row by row from the top (True is dark)."""
    qr = qrcode.QRCode(version=VERSION, error_correction=ERROR_CORRECT_M, border=0, mask_pattern=MASK_PATTERN)
    qr.add_data(code, optimize=0)
    qr.make(fit=False)
    return qr.modules


_DARK_RUN = re.compile(rb"\x01+")


def dark_spans(row: list[bool]) -> list[tuple[int, int]]:
    """Return the (start, end) columns of each run of dark modules in a row (found by a C-speed regex)."""
    return [m.span() for m in _DARK_RUN.finditer(bytes(row))]


def runs(modules: list[list[bool]]):
    """Yield (row, column, length) for each horizontal run of dark modules."""
    for r, row in enumerate(modules):
        for start, end in dark_spans(row):
            yield r, start, end - start
