"""Crafted input on the staff side: every form and export of the back office, review and finance answers, never 500.

Each page that instructors and finance officers reach (every staff GET route of the access policy,
on association A's objects) is read, and each of its forms is sent again with one field at a time
replaced by a crafted value: absurd dates (9999-12-31, year 0, year 10000), huge and negative
numbers, non-numbers, over-long text, ids that do not exist. Each filter of each list and export
gets the same values in its query string. A 500 is a bug: the answer must be a page that says
what to do (or a 4xx), and the test prints every one found.
"""
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest

from partner_site.access_policy import ENDPOINTS

from ..test_access_matrix import _requests, _sign_in, matrix_world  # noqa: F401 (a fixture)

CRAFTED = ["9999-12-31", "0000-01-01", "10000-01-01", "31/02/2026", "99999999999999999999999",
           "-99999999999", "2147483648", "1e400", "NaN", "x" * 5000, "-1"]
QUERY_ARGS = ("page", "campaign", "date_from", "date_to", "status", "q", "before", "serials", "flagged",
              "actor", "object_id")


class Forms(HTMLParser):
    """Collect each form of a page: method, action and its fields with the values the page gives them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (a.get("method") or "get").upper(), "action": a.get("action") or "",
                               "fields": {}})
        elif not self.forms or not a.get("name"):
            if tag == "option" and self._select and self._select not in self.forms[-1]["fields"]:
                self.forms[-1]["fields"][self._select] = a.get("value", "")
            return
        elif tag == "input" and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a and a["name"] in self.forms[-1]["fields"]:
                return
            self.forms[-1]["fields"][a["name"]] = a.get("value", "") if a.get("type") != "checkbox" or \
                "checked" in a else a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
        elif tag == "textarea":
            self.forms[-1]["fields"][a["name"]] = "Motif"

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _client(app, caller):
    client = app.test_client()
    client.set_cookie("session", caller.cookie)
    return client


def _staff_pages(app, values, role):
    for endpoint, method, url in _requests(app, values):
        if method == "GET" and endpoint != "static" and ENDPOINTS[endpoint][role] == "ok" \
                and not endpoint.startswith(("api.", "offline.", "auth.")):
            yield endpoint, url


@pytest.mark.parametrize("role", ["instructor", "finance"])
def test_no_staff_form_or_export_answers_500_to_crafted_input(app, matrix_world, role):  # noqa: F811
    users, values = matrix_world
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash answers 500, listed below, instead of stopping the run
    caller = _sign_in(app, users[role])
    client = _client(app, caller)
    errors, sent = [], 0

    def send(method, url, data=None):
        nonlocal sent
        sent += 1
        response = client.open(url, method=method, data=data, headers={"X-CSRFToken": caller.csrf})
        if response.status_code >= 500:
            errors.append(f"{method} {url} {({k: v[:40] for k, v in (data or {}).items()})} -> "
                          f"{response.status_code}")
        response.close()

    for endpoint, url in _staff_pages(app, values, role):
        for arg in QUERY_ARGS:
            for value in CRAFTED:
                send("GET", f"{url}?{urlencode({arg: value})}")
        page = client.get(url)
        if page.status_code != 200 or page.mimetype != "text/html":
            page.close()
            continue
        parser = Forms()
        parser.feed(page.get_data(as_text=True))
        for form in parser.forms:
            action = form["action"] or url
            if urlsplit(action).path in ("/logout", "/login"):
                continue
            for name in [n for n in form["fields"] if n != "csrf_token"]:
                for value in CRAFTED:
                    data = {**form["fields"], name: value, "csrf_token": caller.csrf}
                    if form["method"] == "GET":
                        send("GET", f"{action}?{urlencode(data)}")
                    else:
                        send("POST", action, data)
    assert errors == [], "\n".join(errors)
    assert sent > 500
