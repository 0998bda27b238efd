"""Who may open a page: decorators for the kinds of user, used by every blueprint.

Object-level access (is this workshop, claim or booklet yours?) is checked by the loader
of each object in its domain module, e.g. `domain.workshops.get_workshop(user, id)`.
"""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .models import Role


def roles_required(*roles: Role):
    """Let through logged-in users having one of `roles`; others get 403 (a French page)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


staff_required = roles_required(Role.INSTRUCTOR, Role.FINANCE)  # the programme and its money
admin_required = roles_required(Role.ADMIN)  # accounts only: no claim, no payment, no beneficiary
journal_required = roles_required(Role.INSTRUCTOR, Role.FINANCE, Role.ADMIN)
instructor_required = roles_required(Role.INSTRUCTOR)
finance_required = roles_required(Role.FINANCE)
partner_required = roles_required(Role.MANAGER, Role.TRAINER)
manager_required = roles_required(Role.MANAGER)
