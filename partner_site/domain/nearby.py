"""The accredited partners nearest a commune: same intercommunality first, then same arrondissement."""
from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..models import Partner, PartnerStatus
from .communes import Commune, all_communes, commune

SAME_COMMUNE, SAME_EPCI, SAME_ARRONDISSEMENT, ELSEWHERE = range(4)


@dataclass
class Nearby:
    partner: Partner
    rank: int  # one of SAME_COMMUNE, SAME_EPCI, SAME_ARRONDISSEMENT, ELSEWHERE
    commune: Commune | None


def nearby_partners(commune_insee: str, limit: int = 8) -> list[Nearby]:
    """Return up to `limit` accredited partners ranked by closeness, then by name.

    When neither the intercommunality nor the arrondissement has one, the département's
    partners are listed, so that a flyer is never empty.
    """
    home = commune(commune_insee)
    communes = all_communes()
    if home is None:
        codes = []
    else:
        codes = [c.insee_code for c in communes.values()
                 if c.epci_siren == home.epci_siren or c.arrondissement == home.arrondissement]
    accredited = sa.select(Partner).where(Partner.status == PartnerStatus.ACCREDITED)
    found = list(db.session.execute(accredited.where(Partner.commune_insee.in_(codes))).scalars()) if codes else []
    if not found:
        found = list(db.session.execute(accredited.order_by(Partner.name).limit(limit)).scalars())

    def rank(partner: Partner) -> int:
        place = communes.get(partner.commune_insee)
        if home is None or place is None:
            return ELSEWHERE
        if place.insee_code == home.insee_code:
            return SAME_COMMUNE
        if place.epci_siren == home.epci_siren:
            return SAME_EPCI
        return SAME_ARRONDISSEMENT if place.arrondissement == home.arrondissement else ELSEWHERE

    ranked = sorted((Nearby(p, rank(p), communes.get(p.commune_insee)) for p in found),
                    key=lambda n: (n.rank, n.partner.name.lower()))
    return ranked[:limit]
