"""Abuse limits shared by several routes: typed check codes, counted per person and per association.

A ticket typed by hand (serial + 6-character check code) is the only guessable way to redeem: a
serial is printed in sequence, so an attacker who holds one needs its check code, one of 31**6.
Every route that accepts a typed check code (the scan page's form, `POST /api/v1/redemptions`,
offline batches) draws on the same two budgets, so splitting guesses between routes, requests or
trainer accounts of one association buys nothing. `check_code_guessing_figures` gives the sums.
"""
from flask import request
from flask_login import current_user

from .extensions import limiter

CHECK_CODE_SPACE = 31 ** 6
PERSON_DAILY_BUDGET = 200
PARTNER_DAILY_BUDGET = 300
MANUAL_PER_USER = f"20 per minute;{PERSON_DAILY_BUDGET} per day"
MANUAL_PER_PARTNER = f"60 per hour;{PARTNER_DAILY_BUDGET} per day"
# The first programme's accredited associations at full size (../shared/domain.md): all of them colluding.
COLLUDING_ASSOCIATIONS = 40


def user_key() -> str:
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else f"ip:{request.remote_addr}"


def partner_key() -> str:
    partner_id = getattr(current_user, "partner_id", None)
    return f"partner:{partner_id}" if partner_id is not None else user_key()


def _json_object() -> dict | None:
    data = request.get_json(silent=True) if request.is_json else None
    return data if isinstance(data, dict) else None


def typed_in_body() -> int:
    """Count the typed check code of a single scan: the top-level serial, the field the view reads."""
    data = _json_object()
    return 1 if data is not None and data.get("serial") is not None else 0


def typed_in_items() -> int:
    """Count the typed check codes of a batch: its items with a serial, the items the view reads."""
    items = (_json_object() or {}).get("items")
    if not isinstance(items, list):
        return 0
    return sum(1 for item in items if isinstance(item, dict) and item.get("serial") is not None)


def one_typed_entry() -> int:
    """Count a form post as one typed check code (the scan page's form carries one)."""
    return 1


def limit_typed_check_codes(count_typed):
    """Return a decorator counting a request's typed check codes against the person's and association's budgets.

    `count_typed` counts them on the fields the decorated view itself processes, so that no body
    can carry a typed code the budgets do not see. Both budgets are shared by every route.
    """
    per_user = limiter.shared_limit(MANUAL_PER_USER, scope="typed-check-code-user", key_func=user_key,
                                    exempt_when=lambda: count_typed() == 0, cost=count_typed)
    per_partner = limiter.shared_limit(MANUAL_PER_PARTNER, scope="typed-check-code-partner", key_func=partner_key,
                                       exempt_when=lambda: count_typed() == 0, cost=count_typed)
    return lambda view: per_user(per_partner(view))


def guessing_figures(guesses_per_day: int) -> dict:
    """Expected time to find one ticket's check code, and the chance in a year, at `guesses_per_day`."""
    expected_guesses = CHECK_CODE_SPACE / 2
    days = expected_guesses / guesses_per_day
    return {"space": CHECK_CODE_SPACE, "expected_guesses": expected_guesses, "guesses_per_day": guesses_per_day,
            "expected_days": days, "expected_years": days / 365.25,
            "chance_in_a_year": min(1.0, guesses_per_day * 365.25 / CHECK_CODE_SPACE)}


def check_code_guessing_figures() -> dict:
    """Guessing figures with the real limits, which hold for the whole site (every worker and instance).

    The top level is one association at its ceiling, however many trainer accounts it has (its
    budget is shared by all of them); `per_person` is one trainer account alone; `colluding` is
    `COLLUDING_ASSOCIATIONS` associations guessing together, each at its ceiling.
    """
    colluding = {**guessing_figures(PARTNER_DAILY_BUDGET * COLLUDING_ASSOCIATIONS),
                 "associations": COLLUDING_ASSOCIATIONS}
    return {**guessing_figures(PARTNER_DAILY_BUDGET), "per_person": guessing_figures(PERSON_DAILY_BUDGET),
            "colluding": colluding}
