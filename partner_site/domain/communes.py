"""The communes of Haute-Garonne (Etalab's administrative divisions, Licence Ouverte).

Loaded once from partner_site/data/communes-31.csv; see that folder's README for the source.
"""
import csv
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

RURAL_POPULATION = 2000  # INSEE's historical rule: a commune under 2,000 inhabitants is rural


@dataclass(frozen=True)
class Commune:
    insee_code: str
    name: str
    postcodes: tuple[str, ...]
    population: int
    arrondissement: str
    epci_siren: str
    epci_name: str

    @property
    def rural(self) -> bool:
        return self.population < RURAL_POPULATION


@lru_cache(maxsize=1)
def all_communes() -> dict[str, Commune]:
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "communes-31.csv")
    with open(path, encoding="utf-8", newline="") as fh:
        return {
            row["insee_code"]: Commune(row["insee_code"], row["name"], tuple(row["postcodes"].split()),
                                       int(row["population"] or 0), row["arrondissement"], row["epci_siren"],
                                       row["epci_name"])
            for row in csv.DictReader(fh)
        }


def commune(insee_code: str) -> Commune | None:
    return all_communes().get(insee_code)


def _folded(text: str) -> str:
    """Fold a commune name for comparison: no accents, no case, hyphens and apostrophes as spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.sub(r"[-'’]", " ", plain).split())


@lru_cache(maxsize=1)
def _by_folded_name() -> dict[str, Commune]:
    return {_folded(c.name): c for c in all_communes().values()}


def label(place: Commune) -> str:
    """Return how a commune is shown in a form: Aspet (31160)."""
    return f"{place.name} ({place.postcodes[0]})" if place.postcodes else place.name


def find_by_label(text: str) -> Commune | None:
    """Return the commune a person typed, by name, with or without its postcode in brackets."""
    name = re.sub(r"\(\s*\d{5}\s*\)\s*$", "", str(text or ""))
    return _by_folded_name().get(_folded(name))


def same_intercommunality(insee_code: str) -> list[Commune]:
    """List the communes of the same intercommunality as this one, by name."""
    home = commune(insee_code)
    if home is None:
        return []
    return sorted((c for c in all_communes().values() if c.epci_siren == home.epci_siren), key=lambda c: _folded(c.name))
