"""Messages to people about their accounts (invitations, reset links), written in the outbox.

They carry one-time links: the outbox page that staff read leaves them out. An invitation to an
address that already has an account sends that holder a notice instead of a link, under the
same subject, so the person who invited learns nothing about which addresses have accounts.
"""
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from ..models import Invitation, User
from . import notifications

INVITATION = "invitation"
ACCOUNT_EXISTS = "account_exists"
PASSWORD_RESET = "password_reset"
KINDS = (INVITATION, ACCOUNT_EXISTS, PASSWORD_RESET)


def site_link(endpoint: str, **values) -> str:
    """Return an address of the site for an e-mail: SITE_URL, never the Host header of a request."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["SITE_URL"].rstrip("/") + path


def _subject() -> str:
    return _("Votre accès au site du Pass numérique")


def _joining(invitation: Invitation) -> str:
    from ..labels import ROLES

    if invitation.partner is not None:
        return invitation.partner.name
    return _("l'équipe du Département (%(role)s)", role=ROLES[invitation.role])


def invitation(invitation: Invitation, token: str, hours: int) -> None:
    """Send the invited person their one-time link."""
    link = site_link("team.accept", token=token)
    body = _("Bonjour,\n\nVous êtes invité(e) à rejoindre %(where)s sur le site du Pass numérique.\n"
             "Pour créer votre compte, ouvrez ce lien (valable %(hours)s heures, une seule fois) :\n%(link)s\n\n"
             "Si vous n'attendiez pas cette invitation, ignorez ce message.",
             where=_joining(invitation), hours=hours, link=link)
    notifications.queue(INVITATION, invitation.email, _subject(), body, partner_id=invitation.partner_id)


def account_exists(invitation: Invitation) -> None:
    """Tell the holder of an existing account that someone invited their address again."""
    body = _("Bonjour,\n\nVous avez été invité(e) à rejoindre %(where)s sur le site du Pass numérique, mais un "
             "compte existe déjà pour cette adresse : une adresse ne sert qu'à un compte.\n"
             "Connectez-vous avec votre mot de passe habituel : %(login)s\n"
             "Mot de passe oublié ? Demandez-en un nouveau : %(forgot)s\n"
             "Si vous devez rejoindre une autre structure, dites-le à la personne qui vous a invité(e).",
             where=_joining(invitation), login=site_link("auth.login"),
             forgot=site_link("auth.forgot_password"))
    notifications.queue(ACCOUNT_EXISTS, invitation.email, _subject(), body, partner_id=invitation.partner_id)


def password_reset(user: User, token: str, lifetime: timedelta) -> None:
    """Send a one-time link to choose a new password."""
    link = site_link("auth.reset_password", token=token)
    body = _("Bonjour,\n\nQuelqu'un (sans doute vous) a demandé à changer le mot de passe de votre compte sur le "
             "site du Pass numérique.\nPour choisir un nouveau mot de passe, ouvrez ce lien (valable %(minutes)s "
             "minutes, une seule fois) :\n%(link)s\n\n"
             "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste le même.",
             minutes=int(lifetime.total_seconds() // 60), link=link)
    notifications.queue(PASSWORD_RESET, user.email, _("Changer votre mot de passe du Pass numérique"), body,
                        partner_id=user.partner_id)
