"""Accessibility: axe-core on every page each demo role can reach, on a phone, with no serious or critical violation.

The crawl starts at each role's home page and follows the site's own links (one page per route
pattern: /claims/3 and /claims/4 count once); pages that download files are left out. French
public sites are held to RGAA, which builds on WCAG 2.1 AA: the axe run uses the WCAG 2.1 A/AA tags.
"""
import os
import re
from urllib.parse import urljoin, urlsplit

import pytest

from partner_site.cli.demo import PASSWORD, build_demo
from partner_site.extensions import db

from .browser_support import ARTIFACTS, BROWSER_ARGS, CHROMIUM, log_in, threaded_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = {"width": 375, "height": 740}
MAX_PAGES_PER_ROLE = 40
SKIPPED = re.compile(r"\.(pdf|csv|xml|json)$|^/static/|^/api/")
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
               "resultTypes": ["violations"]}


def _pattern(path: str) -> str:
    return re.sub(r"/\d+", "/<id>", path)


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = []
    for href in hrefs:
        url = urljoin(page.url, href)
        parts = urlsplit(url)
        if url.startswith(base) and not SKIPPED.search(parts.path) and "logout" not in parts.path:
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _audit(page, axe, where: str, problems: list[str]) -> None:
    lang = page.evaluate("document.documentElement.lang")
    if lang != "fr":
        problems.append(f"{where}: <html lang={lang!r}>")
    results = axe.run(page, options=AXE_OPTIONS).response
    for violation in results["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            problems.append(f"{where}: {violation['id']} ({violation['impact']}) {targets}")
    page.keyboard.press("Tab")
    if page.evaluate("document.activeElement === document.body"):
        problems.append(f"{where}: the keyboard reaches nothing")


def _crawl(page, axe, base: str, role: str, problems: list[str]) -> int:
    seen, todo = set(), ["/"]
    while todo and len(seen) < MAX_PAGES_PER_ROLE:
        path = todo.pop(0)
        if _pattern(path.split("?")[0]) in seen:
            continue
        seen.add(_pattern(path.split("?")[0]))
        response = page.goto(base + path)
        if response.status >= 500:
            problems.append(f"{role} {path}: {response.status}")
            continue
        _audit(page, axe, f"{role} {path}", problems)
        todo += _links(page, base)
    return len(seen)


def test_every_page_passes_axe_on_a_phone(app, backend):
    if backend != "sqlite":
        pytest.skip("the pages are the same on PostgreSQL: audited once, on SQLite")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    info = build_demo()
    db.session.commit()
    axe = axe_module.Axe()
    problems, visited = [], {}
    os.makedirs(ARTIFACTS, exist_ok=True)
    with threaded_server(app) as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            anonymous = browser.new_page(viewport=PHONE)
            for path in ("/login", "/no-such-page"):
                anonymous.goto(base + path)
                _audit(anonymous, axe, f"anonymous {path}", problems)
            for role in sorted({u["role"] for u in info["users"]}):
                user = next(u for u in info["users"] if u["role"] == role)
                context = browser.new_context(viewport=PHONE)
                page = context.new_page()
                log_in(page, user["email"], PASSWORD, base)
                visited[role] = _crawl(page, axe, base, role, problems)
                context.close()
        finally:
            browser.close()
    print("\npages audited per role:", visited)
    assert problems == [], "\n".join(problems)
    assert all(count >= 3 for count in visited.values()), visited
