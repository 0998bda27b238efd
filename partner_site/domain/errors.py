"""Typed domain errors: a refusal carries a stable reason code and a French message."""
from flask_babel import lazy_gettext as _l

# One French sentence per reason: what happened and what to do.
MESSAGES = {
    "malformed": _l("Code illisible. Scannez de nouveau le QR code ou saisissez le numéro et le code de contrôle."),
    "bad_signature": _l("Ce ticket n'a pas été émis par le Département : ne l'acceptez pas et signalez-le."),
    "unknown_key": _l("Ce ticket est signé par une clé inconnue : ne l'acceptez pas et signalez-le."),
    "unknown_ticket": _l("Aucun ticket ne porte ce numéro. Vérifiez le numéro imprimé sous le QR code."),
    "bad_check_code": _l("Le code de contrôle ne correspond pas au numéro. Vérifiez les deux et réessayez."),
    "not_activated": _l("Ce ticket n'a pas encore été remis à un bénéficiaire : il ne peut pas être accepté."),
    "cancelled": _l("Ce ticket a été déclaré perdu ou volé (opposition) : il ne peut pas être accepté."),
    "expired": _l("Ce ticket a expiré : la campagne et son délai de tolérance sont terminés."),
    "not_yet_valid": _l("Ce ticket n'est pas encore valable : la campagne n'a pas commencé."),
    "already_redeemed": _l("Ticket déjà validé."),
    "workshop_not_open": _l("Cet atelier n'est pas ouvert aujourd'hui : choisissez l'atelier du jour."),
    "workshop_full": _l("L'atelier est complet : tous les tickets prévus ont été validés."),
    "over_limit": _l("Ce participant a déjà remis le nombre de tickets prévu pour cet atelier."),
    "nonce_reused": _l("Cet identifiant de scan a déjà servi pour un autre ticket ou pour une validation annulée : "
                       "scannez le ticket de nouveau."),
    "forbidden": _l("Vous n'avez pas accès à cet atelier."),
    "bad_request": _l("Demande incomplète ou invalide."),
    "rate_limited": _l("Trop de tentatives : patientez une minute avant de réessayer."),
    "not_voidable": _l("Cette validation ne peut plus être annulée."),
    "not_found": _l("Introuvable."),
    "workshop_has_validations": _l("Des tickets ont déjà été validés à cet atelier : ce changement n'est plus possible."),
    "workshop_cancelled": _l("Cet atelier est annulé : il ne peut plus être modifié."),
    "unauthenticated": _l("Connectez-vous pour continuer."),
    "invitation_invalid": _l("Ce lien d'invitation n'est plus valable (déjà utilisé, annulé ou expiré) : "
                             "demandez-en un nouveau à votre responsable."),
    "reset_link_invalid": _l("Ce lien n'est plus valable (déjà utilisé ou expiré) : demandez-en un nouveau "
                             "depuis « Mot de passe oublié ? »."),
}

HTTP_STATUS = {
    "already_redeemed": 409,
    "not_voidable": 409,
    "workshop_has_validations": 409,
    "workshop_cancelled": 409,
    "nonce_reused": 409,
    "forbidden": 403,
    "unauthenticated": 401,
    "bad_request": 400,
    "rate_limited": 429,
    "not_found": 404,
    "invitation_invalid": 404,
    "reset_link_invalid": 404,
}


class DomainError(Exception):
    """A business rule said no. Mapped to HTTP and to a French page in one place."""

    def __init__(self, reason: str, message=None, **details):
        super().__init__(reason)
        self.reason = reason
        self._message = message
        self.details = details

    @property
    def message(self) -> str:
        return str(self._message or MESSAGES.get(self.reason, MESSAGES["bad_request"]))

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.reason, 422)

    def to_dict(self) -> dict:
        return {"reason": self.reason, "message": self.message, **self.details}


class Refusal(DomainError):
    """A ticket that cannot be accepted now; stored as a failed scan."""
