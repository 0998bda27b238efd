"""The communes of Haute-Garonne (Etalab's administrative divisions, Licence Ouverte).

Loaded once from partner_site/data/communes-31.csv; see that folder's README for the source.
"""
import csv
import os
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
