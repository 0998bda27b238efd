"""French labels of the enums, for pages, PDFs and CSV exports (msgids are the French text)."""
from flask_babel import lazy_gettext as _l

from .models import BookletStatus, PartnerStatus, PriorityPublic, ReceptionPointKind, RequestStatus, Role, TicketStatus

ROLES = {
    Role.ADMIN: _l("Administrateur"),
    Role.INSTRUCTOR: _l("Instructeur"),
    Role.FINANCE: _l("Payeur"),
    Role.MANAGER: _l("Responsable de structure"),
    Role.TRAINER: _l("Formateur"),
}

PRIORITY_PUBLICS = {
    PriorityPublic.YOUNG_ADULT: _l("Jeune adulte, diplômé ou non"),
    PriorityPublic.ISOLATED_GEOGRAPHIC: _l("Isolement géographique"),
    PriorityPublic.ISOLATED_PRECARITY: _l("Précarité sociale"),
    PriorityPublic.ISOLATED_ELDERLY: _l("Personne âgée isolée"),
    PriorityPublic.ISOLATED_DISABLED: _l("Personne en situation de handicap"),
    PriorityPublic.NON_FRENCH_SPEAKER: _l("Ne maîtrise pas le français (allophone)"),
    PriorityPublic.INSERTION: _l("Insertion sociale ou professionnelle"),
}

REQUEST_STATUSES = {
    RequestStatus.RECEIVED: _l("Reçue, carnet à attribuer"),
    RequestStatus.ASSIGNED: _l("Carnet attribué, courrier à envoyer"),
    RequestStatus.POSTED: _l("Courrier envoyé"),
    RequestStatus.CLOSED: _l("Clôturée"),
}

PARTNER_STATUSES = {
    PartnerStatus.APPLIED: _l("Candidate"),
    PartnerStatus.ACCREDITED: _l("Habilitée"),
    PartnerStatus.SUSPENDED: _l("Suspendue"),
    PartnerStatus.WITHDRAWN: _l("Habilitation retirée"),
}

BOOKLET_STATUSES = {
    BookletStatus.ISSUED: _l("En stock"),
    BookletStatus.DISTRIBUTED: _l("Remis"),
    BookletStatus.CANCELLED: _l("En opposition"),
}

TICKET_STATUSES = {
    TicketStatus.ISSUED: _l("En stock"),
    TicketStatus.ACTIVE: _l("Remis, utilisable"),
    TicketStatus.REDEEMED: _l("Validé"),
    TicketStatus.CLAIMED: _l("Demandé en remboursement"),
    TicketStatus.PAID: _l("Payé"),
    TicketStatus.CANCELLED: _l("En opposition"),
    TicketStatus.EXPIRED: _l("Expiré"),
}

RECEPTION_POINT_KINDS = {
    ReceptionPointKind.MDS: _l("Maison départementale de solidarité"),
    ReceptionPointKind.MDP: _l("Maison départementale de proximité"),
    ReceptionPointKind.MDPH: _l("MDPH"),
    ReceptionPointKind.OTHER: _l("Autre point d'accueil"),
}


# Short labels of the refusal reasons, for staff lists and exports (the scan page shows MESSAGES).
REFUSAL_REASONS = {
    "malformed": _l("Code illisible"),
    "bad_signature": _l("Signature invalide (ticket non émis par le Département)"),
    "unknown_key": _l("Clé de signature inconnue"),
    "unknown_ticket": _l("Numéro de ticket inconnu"),
    "bad_check_code": _l("Code de contrôle faux"),
    "not_activated": _l("Ticket non remis à un bénéficiaire"),
    "cancelled": _l("Ticket en opposition"),
    "expired": _l("Ticket expiré"),
    "not_yet_valid": _l("Ticket pas encore valable"),
    "already_redeemed": _l("Ticket déjà validé"),
    "workshop_not_open": _l("Atelier non ouvert ce jour-là"),
    "workshop_full": _l("Atelier complet"),
    "over_limit": _l("Trop de tickets du même carnet pour l'atelier"),
    "nonce_reused": _l("Identifiant de scan déjà utilisé"),
    "forbidden": _l("Atelier d'une autre structure"),
    "bad_request": _l("Demande incomplète ou invalide"),
    "rate_limited": _l("Trop de tentatives"),
}


def refusal_reason(code: str) -> str:
    """Return the French label of a refusal reason; never the raw code."""
    return str(REFUSAL_REASONS.get(code, _l("Autre motif")))
