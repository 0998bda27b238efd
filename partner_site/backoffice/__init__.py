"""The département's back office, for staff only (instructors, finance officers, administrators).

Who may do what (see README, "Back office"):
- instructor (instructeur): runs the programme. Campaigns, booklets (generate, dispatch to
  reception points, print, export, oppose), partners (register and invite, accredit, suspend,
  withdraw, rural flag), reception points and their staff, beneficiaries' requests and the
  mailing. An instructor attached to a reception point sees that point's requests only.
- finance (payeur): reports to the State. Dashboard and its CSV exports, campaigns and their
  end-of-campaign report, partners and reception points read-only, the audit log. No
  beneficiary's identity or address: finance has no need of them.
- administrator (administrateur): accounts. Invites staff, changes their roles, attaches
  instructors to reception points, deactivates and reactivates any account, resets a lost
  second factor; reads the audit log. Nothing else: no claim, no payment, no beneficiary.
Partner users (managers, trainers) get a 403 on every page here.
"""
from flask import Blueprint

bp = Blueprint("backoffice", __name__, url_prefix="/bo")

from . import audit, beneficiaries, booklets, campaigns, dashboard, partners, reception_points, staff  # noqa: E402,F401


@bp.context_processor
def _labels():
    """Give every back-office template the French labels of the statuses."""
    from .. import labels

    return {"labels": labels}
