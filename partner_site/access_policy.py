"""Who may call which route: the declared policy the access-matrix test holds every route to.

Each endpoint of `app.url_map` names one policy below. A policy gives, for each kind of caller,
the expected class of answer when the route is called on objects of association A:

- "ok": the route serves the caller (2xx, a redirect elsewhere than the login page, or a
  business refusal such as 400/409/422 once access was granted);
- "login": the caller must sign in first (a redirect to /login for pages, 401 for the API);
- "forbidden": 403, the caller's role never may;
- "hidden": 404, the caller's role may, but the object belongs to another association.

A route missing from ENDPOINTS fails the test: declare it here when you add it.
"""
CALLERS = ("anonymous", "trainer_a", "manager_a", "manager_b", "instructor", "finance", "admin")


def _policy(anonymous, trainer_a, manager_a, manager_b, instructor, finance, admin) -> dict[str, str]:
    return dict(zip(CALLERS, (anonymous, trainer_a, manager_a, manager_b, instructor, finance, admin)))


PUBLIC = _policy("ok", "ok", "ok", "ok", "ok", "ok", "ok")
SIGNED_IN = _policy("login", "ok", "ok", "ok", "ok", "ok", "ok")
PARTNER = _policy("login", "ok", "ok", "ok", "forbidden", "forbidden", "forbidden")
PARTNER_OBJECT = _policy("login", "ok", "ok", "hidden", "forbidden", "forbidden", "forbidden")
MANAGER = _policy("login", "forbidden", "ok", "ok", "forbidden", "forbidden", "forbidden")
MANAGER_OBJECT = _policy("login", "forbidden", "ok", "hidden", "forbidden", "forbidden", "forbidden")
# The staff administrator (admin) manages accounts only: no programme, no claim, no payment, no beneficiary.
STAFF = _policy("login", "forbidden", "forbidden", "forbidden", "ok", "ok", "forbidden")
INSTRUCTOR = _policy("login", "forbidden", "forbidden", "forbidden", "ok", "forbidden", "forbidden")
FINANCE = _policy("login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "forbidden")
JOURNAL = _policy("login", "forbidden", "forbidden", "forbidden", "ok", "ok", "ok")
ADMIN = _policy("login", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "ok")
STAFF_ACCOUNT = _policy("login", "forbidden", "forbidden", "forbidden", "ok", "ok", "ok")
# A staff member's own object (a background job and its file): other staff get 404.
STAFF_OWN = _policy("login", "forbidden", "forbidden", "forbidden", "ok", "hidden", "forbidden")

ENDPOINTS: dict[str, dict[str, str]] = {
    # Public: signing in (and its second step), a forgotten password, an invitation link, health,
    # static files, the API's description and keys.
    "auth.login": PUBLIC,
    "auth.second_step": PUBLIC,  # without a password just given: back to the login page
    "auth.enrol": PUBLIC,
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,
    "team.accept": PUBLIC,
    "healthz": PUBLIC,
    "static": PUBLIC,
    "api.openapi": PUBLIC,
    "api.public_keys": PUBLIC,
    "offline.service_worker": PUBLIC,  # the worker and manifest hold no data; pages they cache are checked
    "offline.manifest": PUBLIC,
    "web.home": SIGNED_IN,
    "auth.logout": SIGNED_IN,
    "auth.account": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.renew_recovery_codes": STAFF_ACCOUNT,
    # Trainers and managers of an association, on their own association's objects.
    "workshops.index": PARTNER,
    "workshops.new": PARTNER,
    "workshops.scan": PARTNER_OBJECT,
    "workshops.manual_entry": PARTNER_OBJECT,
    "workshops.void": PARTNER_OBJECT,
    "workshops.attendance": PARTNER_OBJECT,
    "workshops.edit": PARTNER_OBJECT,
    "workshops.cancel_confirm": PARTNER_OBJECT,
    "workshops.cancel": PARTNER_OBJECT,  # refused (but answered) while validations count there
    "api.list_workshops": PARTNER,
    "api.create_workshop": PARTNER,
    "api.workshop_redemptions": PARTNER_OBJECT,
    "api.create_redemption": PARTNER,
    "api.redemption_batch": PARTNER,
    "api.void_redemption": PARTNER_OBJECT,
    "api.revocations": PARTNER,
    "api.campaigns": PARTNER,
    # Managers only: claims, bank details, the team, every workshop of the association.
    "workshops.all_workshops": MANAGER,
    "claims.index": MANAGER,
    "claims.bank_details": MANAGER,
    "claims.detail": MANAGER_OBJECT,
    "claims.submit": MANAGER_OBJECT,
    "claims.statement": MANAGER_OBJECT,
    "claims.statement_as_csv": MANAGER_OBJECT,
    "api.list_claims": MANAGER,
    "api.get_claim": MANAGER_OBJECT,
    "team.index": MANAGER,
    "team.invite": MANAGER,
    "team.revoke": MANAGER_OBJECT,
    "team.set_active": MANAGER_OBJECT,
    # Department staff: claim review (instructors act, finance reads), payments (finance).
    "review.queue": STAFF,
    "review.detail": STAFF,
    "review.statement": STAFF,
    "review.statement_as_csv": STAFF,
    "review.outbox": STAFF,
    "review.conflicts": STAFF,
    "review.refused_scans": STAFF,
    "review.refused_scans_csv": STAFF,
    "review.approve": INSTRUCTOR,
    "review.reject": INSTRUCTOR,
    "review.reinstate": INSTRUCTOR,
    "review.adjust": INSTRUCTOR,
    # Adjustments that raise what is paid: any money staff but their author approves or refuses.
    "review.adjustments_page": STAFF,
    "review.approve_adjustment": STAFF,
    "review.refuse_adjustment": STAFF,
    "finance.index": FINANCE,
    "finance.accounts": FINANCE,
    "finance.validate_account": FINANCE,
    "finance.reject_account": FINANCE,
    "finance.build": FINANCE,
    "finance.batch": FINANCE,
    "finance.sepa": FINANCE,
    "finance.batch_csv": FINANCE,
    "finance.execute": FINANCE,
    "finance.cancel": FINANCE,
    # Back office: instructors act and see beneficiaries' personal data; finance reads figures and pages.
    "backoffice.audit": JOURNAL,
    "backoffice.audit_csv": JOURNAL,
    "backoffice.requests": INSTRUCTOR,
    "backoffice.request_new": INSTRUCTOR,
    "backoffice.request_detail": INSTRUCTOR,
    "backoffice.request_edit": INSTRUCTOR,
    "backoffice.request_assign": INSTRUCTOR,
    "backoffice.request_letter": INSTRUCTOR,
    "backoffice.requests_mailing": INSTRUCTOR,
    "backoffice.mailing_print": INSTRUCTOR,
    "backoffice.request_posted": INSTRUCTOR,
    "backoffice.request_replace": INSTRUCTOR,
    "backoffice.request_close": INSTRUCTOR,
    "backoffice.booklet_search": STAFF,
    "backoffice.booklet": STAFF,
    "backoffice.booklet_oppose": INSTRUCTOR,
    "backoffice.ticket_oppose": INSTRUCTOR,
    "backoffice.campaigns": STAFF,
    "backoffice.campaign_new": INSTRUCTOR,
    "backoffice.campaign_edit": INSTRUCTOR,
    "backoffice.campaign": STAFF,
    "backoffice.campaign_generate": INSTRUCTOR,
    "backoffice.campaign_dispatch": INSTRUCTOR,
    "backoffice.campaign_pdf": INSTRUCTOR,
    "backoffice.campaign_print": INSTRUCTOR,
    "backoffice.campaign_printshop_csv": INSTRUCTOR,
    "backoffice.campaign_expire": INSTRUCTOR,
    "backoffice.campaign_report": STAFF,
    "backoffice.campaign_unused_csv": STAFF,
    "backoffice.dashboard": STAFF,
    "backoffice.dashboard_csv": STAFF,
    "backoffice.partners": STAFF,
    "backoffice.partner_new": INSTRUCTOR,
    "backoffice.partner": STAFF,
    "backoffice.partner_edit": INSTRUCTOR,
    "backoffice.partner_status": INSTRUCTOR,
    "backoffice.partner_rural": INSTRUCTOR,
    "backoffice.partner_invite": INSTRUCTOR,
    "backoffice.reception_points": STAFF,
    "backoffice.reception_point_new": INSTRUCTOR,
    "backoffice.reception_point_edit": INSTRUCTOR,
    "backoffice.reception_point": STAFF,
    # The staff administrator: staff accounts and invitations, any account's activation.
    "backoffice.staff": ADMIN,
    "backoffice.staff_invite": ADMIN,
    "backoffice.staff_invitation_revoke": ADMIN,
    "backoffice.staff_member": ADMIN,
    "backoffice.staff_active": ADMIN,
    "backoffice.staff_role": ADMIN,
    "backoffice.staff_reception_point": ADMIN,
    "backoffice.staff_second_factor_reset": ADMIN,
    # Background jobs: each staff member's own files (long prints, mailings).
    "jobs.index": STAFF,
    "jobs.detail": STAFF_OWN,
    "jobs.progress": STAFF_OWN,
    "jobs.download": STAFF_OWN,
}
