"""Cache-Control: no page or file with personal data, IBANs, check codes or a CSRF token is kept by a cache.

Every GET route of the site is called, as in the access matrix, by each signed-in kind of user on
association A's objects: each answer it serves (pages, PDFs, CSVs, SEPA files, JSON) says
`no-store`. The login page (it carries a CSRF token) too; static files keep their caching.
"""
import pytest

from partner_site.access_policy import ENDPOINTS

from ..test_access_matrix import _call, _requests, _sign_in, matrix_world  # noqa: F401 (a fixture)

SIGNED_IN = ("trainer_a", "manager_a", "instructor", "finance")


def test_every_answer_to_a_signed_in_user_is_not_stored(app, matrix_world):  # noqa: F811
    users, values = matrix_world
    callers = {name: _sign_in(app, users[name]) for name in SIGNED_IN}
    stored, served = [], 0
    for endpoint, method, url in _requests(app, values):
        if method != "GET" or endpoint == "static":
            continue
        for name in SIGNED_IN:
            if ENDPOINTS[endpoint][name] != "ok":
                continue
            response = _call(app, callers[name], method, url)
            if response.status_code == 200:
                served += 1
                if "no-store" not in response.headers.get("Cache-Control", ""):
                    stored.append(f"{url} as {name}: {response.headers.get('Cache-Control')!r}")
            response.close()
    assert stored == []
    assert served > 60


def test_the_login_page_and_its_csrf_token_are_not_stored(client):
    response = client.get("/login")
    assert 'name="csrf_token"' in response.get_data(as_text=True)
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("url", ["/static/css/site.css", "/static/js/scan.js"])
def test_static_files_keep_their_caching(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()
