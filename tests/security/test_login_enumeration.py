"""The login answers the same, in the same time, whether or not the e-mail has an account.

Timing is compared in the same run, as a ratio of medians against the known-address path (a wrong
password): before the fix, an unknown address skipped the password hash and answered about ten
times faster, which told anyone which addresses (staff included) have accounts.
"""
import re
import statistics
import time

from partner_site.models import Role

from ..helpers import csrf_in

ROUNDS = 15


def _attempt(client, token, email) -> tuple[float, str]:
    started = time.perf_counter()
    response = client.post("/login", data={"email": email, "password": "not-the-password", "csrf_token": token})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return elapsed, re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", response.get_data(as_text=True))


def test_an_unknown_address_takes_as_long_as_a_wrong_password(app, factory, client):
    staff = factory.user(Role.FINANCE, email="payeur@cd31.example")
    token = csrf_in(client.get("/login").get_data(as_text=True))
    known, unknown, pages = [], [], set()
    _attempt(client, token, "warm-up@example.org")
    for i in range(ROUNDS):  # interleaved, so that a change in the machine's load touches both alike
        elapsed, page = _attempt(client, token, staff.email)
        known.append(elapsed)
        pages.add(page)
        elapsed, page = _attempt(client, token, f"personne-{i}@cd31.example")
        unknown.append(elapsed)
        pages.add(page.replace(f"personne-{i}@cd31.example", staff.email))
    ratio = statistics.median(unknown) / statistics.median(known)
    print(f"\nlogin: median known address {statistics.median(known) * 1000:.1f} ms, unknown "
          f"{statistics.median(unknown) * 1000:.1f} ms, ratio {ratio:.2f}")
    assert 0.5 < ratio < 2.0
    assert len(pages) == 1  # the same page, word for word
