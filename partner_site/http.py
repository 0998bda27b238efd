"""Cross-cutting HTTP concerns: errors mapped in one place, filters, headers, the user loader."""
import sqlalchemy as sa
from flask import Flask, jsonify, render_template, request
from flask_login import current_user
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from .domain.errors import MESSAGES, DomainError
from .extensions import db, login_manager
from .formatting import register_filters

HTTP_REASONS = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 413: "too_large", 415: "bad_request", 429: "rate_limited"}


class DatabaseId(IntegerConverter):
    """`<int:...>` in URLs: a positive id that fits the database's integer, else 404 (not a crash)."""

    def __init__(self, map, fixed_digits=0, min=1, max=2**31 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def json_error(status: int, reason: str, message: str, **extra):
    response = jsonify({"reason": reason, "message": message, **extra})
    response.status_code = status
    return response


def error_page(status: int, title: str, message: str):
    return render_template("errors/error.html", title=title, message=message, status=status), status


def register_http(app: Flask) -> None:
    """Install error handlers, template helpers, security headers and the login loader."""
    register_filters(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l_login_message()
    login_manager.session_protection = "basic"

    from .domain import sessions

    # Runs on every request of a signed-in person (scans included): one statement, see domain/sessions.py.
    login_manager.user_loader(sessions.load)

    @app.before_request
    def refuse_nul_bytes():
        """Refuse a NUL character anywhere in what was sent: no person types one, and PostgreSQL
        refuses it in a query (it was a 500 on search boxes, filters and API bodies)."""
        if request.endpoint != "static" and _carries_nul():
            raise DomainError("bad_request", _("Caractère nul refusé : retirez-le de ce que vous envoyez."))

    @app.before_request
    def load_user_first():
        """Load the signed-in person before the view changes anything (the loader may commit)."""
        if request.endpoint != "static":
            current_user._get_current_object()

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            return json_error(401, "unauthenticated", _("Connectez-vous pour continuer."))
        from flask import flash, redirect, url_for

        flash(_("Connectez-vous pour accéder à cette page."), "info")
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))

    @app.context_processor
    def inject_csrf():
        return {"csrf_token": generate_csrf}

    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        # Refusals are answers, not failures: keep what the domain wrote (the failed-scan trail).
        try:
            db.session.commit()
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as lost:  # the database went away meanwhile
            return database_down(lost)
        if wants_json():
            return json_error(err.http_status, err.reason, err.message, **err.details)
        return error_page(err.http_status, _("Action impossible"), err.message)

    @app.errorhandler(CSRFError)
    def csrf_error(err):
        message = _("Jeton de sécurité manquant ou expiré : rechargez la page puis recommencez.")
        if wants_json():
            return json_error(400, "bad_request", message, detail="csrf")
        return error_page(400, _("Formulaire expiré"), message)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if err.response is not None:  # an answer made for this case (e.g. a locked-out login page)
            return err.response
        status = err.code or 500
        messages = {
            400: _("Demande invalide : vérifiez ce que vous avez saisi."),
            403: _("Vous n'avez pas accès à cette page."),
            404: _("Cette page n'existe pas ou plus. Revenez à l'accueil."),
            405: _("Cette action n'est pas possible ici."),
            413: _("Envoi trop volumineux."),
            429: str(MESSAGES["rate_limited"]),
        }
        message = messages.get(status, _("Une erreur est survenue. Réessayez dans un instant."))
        if wants_json():
            return json_error(status, HTTP_REASONS.get(status, "error"), message)
        return error_page(status, _("Erreur %(status)s", status=status), message)

    @app.errorhandler(sa.exc.OperationalError)
    @app.errorhandler(sa.exc.InterfaceError)  # a connection the server closed (restart, failover)
    @app.errorhandler(sa.exc.PendingRollbackError)  # the same, noticed by a later statement of the request
    def database_down(err):
        db.session.rollback()
        message = _("Service momentanément indisponible : réessayez dans un instant.")
        if wants_json():
            return json_error(503, "unavailable", message)
        return error_page(503, _("Service indisponible"), message)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:  # browsers take HSTS from any answer over HTTPS
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if not is_document(response):
            return response
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; script-src 'self'; "
            "style-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        return response

    @app.get("/healthz")
    def healthz():
        try:
            db.session.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            db.session.rollback()
            return json_error(503, "unavailable", _("Base de données injoignable."))
        return jsonify({"status": "ok"})


def is_document(response) -> bool:
    """Say whether an answer is one a browser runs as a page or a worker: the only ones whose
    Content-Security-Policy and Permissions-Policy it applies.

    A style sheet, a module or a JSON answer ignores both; sent on each of them they cost about
    500 bytes an answer, which a phone on a rural connection pays some thirty times on its first
    load of the scan page (tests/test_page_weight.py). `nosniff` stays on every answer, so none can
    be read as a page.
    """
    return response.mimetype == "text/html" or request.endpoint == "offline.service_worker"


def _carries_nul() -> bool:
    """Say whether the request's path, query, form or JSON body holds a NUL character."""
    if "\x00" in request.path or any("\x00" in key or "\x00" in value
                                       for values in (request.args, request.form)
                                       for key, value in values.items(multi=True)):
        return True
    return request.is_json and b"\\u0000" in request.get_data(cache=True)


def _l_login_message():
    from flask_babel import lazy_gettext

    return lazy_gettext("Connectez-vous pour accéder à cette page.")
