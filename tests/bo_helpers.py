"""Builders for back-office tests: reception points, staff, beneficiary requests with booklets."""
import re

from partner_site.domain import beneficiaries as requests_ops
from partner_site.domain.clock import local_today
from partner_site.extensions import db
from partner_site.models import ReceptionPoint, ReceptionPointKind, Role

ADDRESS = {"civility": "Madame", "first_name": "Jeanne", "last_name": "Martin", "address_recipient": "Appartement 4",
           "address_building": "", "address_street": "12 rue des Écoles", "address_place": "", "postcode": "31160",
           "commune_insee": "31020", "phone": "05 61 00 00 01", "email": ""}


def point(name="MDS de Saint-Gaudens", insee="31483") -> ReceptionPoint:
    p = ReceptionPoint(name=name, kind=ReceptionPointKind.MDS, commune_insee=insee, address="2 place du Marché")
    db.session.add(p)
    db.session.commit()
    return p


def instructor(factory, at=None, **kw):
    return factory.user(Role.INSTRUCTOR, reception_point_id=at.id if at else None, **kw)


def request_at(actor, where, publics=("young_adult",), **identity):
    found = requests_ops.register(actor, where, {**ADDRESS, **identity}, list(publics), True)
    db.session.commit()
    return found


def assigned_request(factory, actor, where, campaign=None, publics=("young_adult",), **identity):
    """Register a request and give it a booklet from stock at its reception point."""
    from partner_site.domain import booklets as booklet_ops

    campaign = campaign or factory.campaign()
    booklet_ops.generate("test", campaign, 1, reception_point_id=where.id)
    found = request_at(actor, where, publics, **identity)
    requests_ops.assign(actor, found, local_today())
    db.session.commit()
    return found


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
