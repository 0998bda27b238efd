"""Every CSV the site writes goes through this writer: no text cell can start a spreadsheet formula.

Built on defusedcsv (by the author of pretix): a text cell that starts with `=`, `+`, `-`, `@`,
`|` or `%` gets a leading apostrophe, so a spreadsheet shows it as text instead of running it.
Cells starting with a tab or a carriage return get one too (some spreadsheets skip them and then
read a formula). Numbers are left as they are: ints, and amounts the app formats as plain numbers
(`-12.50`, `20,00`), cannot run anything and must still add up in a spreadsheet.
"""
from typing import Iterable, Iterator

from defusedcsv import csv as defused

BOM = "\ufeff"  # spreadsheets then read the file as UTF-8 (accents)
_SKIPPED_BEFORE_A_FORMULA = ("\t", "\r")


class _Buffer:
    """A write-only text sink whose content is taken out in chunks."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


class Writer:
    """A csv writer whose text cells are neutralised (see the module's docstring)."""

    def __init__(self, out, delimiter: str = ",", lineterminator: str = "\r\n"):
        self._writer = defused.writer(out, delimiter=delimiter, lineterminator=lineterminator)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow(["'" + cell if isinstance(cell, str) and cell[:1] in _SKIPPED_BEFORE_A_FORMULA
                               else cell for cell in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def stream(header: list, rows: Iterable[list], delimiter: str = ",", chunk_rows: int = 500) -> Iterator[str]:
    """Yield a CSV file (BOM, header, rows) in chunks of `chunk_rows` rows, for a streamed answer."""
    buffer = _Buffer()
    buffer.write(BOM)
    writer = Writer(buffer, delimiter)
    writer.writerow(header)
    for i, row in enumerate(rows, 1):
        writer.writerow(row)
        if i % chunk_rows == 0:
            yield buffer.take()
    yield buffer.take()


def text(header: list, rows: Iterable[list], delimiter: str = ",") -> str:
    """Return a whole CSV file (BOM, header, rows) as one string."""
    return "".join(stream(header, rows, delimiter))
