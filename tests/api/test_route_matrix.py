"""The role matrix covers every route the app serves: a route added without an entry fails here.

Entries live where their routes are tested: ``tests/api/test_roles_and_errors.py`` (cases,
experts, training, admin for the four roles), ``tests/api/test_disputes_api.py`` (the register's
API for every holder, committee and region scoping included) and :data:`MORE` below (statutes,
the audit log, trends and alerts, every web page), which this module runs for every holder of
``tests/disputes/wiring.py``: the four roles, a mediator and a coordinator of another committee
and region, and a mediator's key without a committee. :data:`PUBLIC` routes need no key.
"""

from __future__ import annotations

import re

import pytest

from tests.api import test_disputes_api, test_roles_and_errors
from tests.api.test_disputes_api import World
from tests.disputes.conftest import COMMITTEE, REGION
from tests.disputes.wiring import HOLDERS, auth

PUBLIC = {
    ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics"), ("GET", "/openapi.json"), ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"), ("GET", "/redoc"), ("GET", "/login"), ("POST", "/login"),
    ("GET", "/logout"), ("MOUNT", "/static"),
}  # fmt: skip
"""Routes anyone may call: health, metrics, the API's own documentation, the login form, static files."""

EVERYONE = dict.fromkeys(HOLDERS, 200)
READERS = {
    "mediator": 200,
    "other_mediator": 200,
    "coordinator": 200,
    "other_coordinator": 200,
    "admin": 200,
}
OURS_PAGE = {
    "mediator": 200,
    "coordinator": 200,
    "admin": 200,
    "other_mediator": 404,
    "other_coordinator": 404,
}
EXPERTS = {"coordinator": 200, "other_coordinator": 200, "admin": 200}
REVIEWERS = {"coordinator": 200, "other_coordinator": 200, "admin": 200}
ARTICLE = "/%E6%B0%91%E6%B3%95%E5%85%B8/1084"  # 民法典/1084


def registration_form(w: World) -> dict:
    w.serial += 1
    return {"received": "2026-03-10", "dispute_type": "neighbor", "region": REGION, "committee": COMMITTEE,
            "description": "楼道堆放杂物影响通行", "applicant": f"表单{w.serial}号", "respondent": "赵大海"}  # fmt: skip


# (method, template) → (request maker, expected status per holder; a holder not listed gets 403)
MORE = {
    ("POST", "/v1/laws/search"): (lambda w: ("POST", "/v1/laws/search", {"json": {"query": "借款"}}), EVERYONE),
    ("POST", "/v1/laws/check"): (lambda w: ("POST", "/v1/laws/check", {"json": {"text": "依据《民法典》第一千零八十四条"}}), EVERYONE),
    ("POST", "/v1/laws/suggest"): (lambda w: ("POST", "/v1/laws/suggest", {"json": {"text": "借钱不还"}}), EVERYONE),
    ("GET", "/v1/laws/{law}/{article}"): (lambda w: ("GET", "/v1/laws" + ARTICLE, {}), EVERYONE),
    ("GET", "/v1/training/courses/{course_id}"): (lambda w: ("GET", "/v1/training/courses/course-none", {}), dict.fromkeys(HOLDERS, 404)),
    ("GET", "/v1/admin/audit"): (lambda w: ("GET", "/v1/admin/audit", {}), {"admin": 200}),
    ("GET", "/"): (lambda w: ("GET", "/?q=噪音", {}), EVERYONE),
    ("GET", "/cases/{case_id}"): (lambda w: ("GET", "/cases/case-neighbor-001", {}), EVERYONE),
    ("GET", "/cases/{case_id}/report.{fmt}"): (lambda w: ("GET", "/cases/case-neighbor-001/report.md", {}), EVERYONE),
    ("GET", "/experts"): (lambda w: ("GET", "/experts", {}), EXPERTS),
    ("POST", "/experts"): (lambda w: ("POST", "/experts", {"data": {"description": "术后患者死亡"}}), EXPERTS),
    ("GET", "/laws"): (lambda w: ("GET", "/laws?q=借款", {}), EVERYONE),
    ("POST", "/laws/check"): (lambda w: ("POST", "/laws/check", {"data": {"text": "依据《民法典》第一千零八十四条"}}), EVERYONE),
    ("GET", "/laws/{law}/{article}"): (lambda w: ("GET", "/laws" + ARTICLE, {}), EVERYONE),
    ("GET", "/training"): (lambda w: ("GET", "/training?q=调解", {}), EVERYONE),
    ("POST", "/training/courses"): (lambda w: ("POST", "/training/courses", {"data": {"topic": "欠薪", "dispute_types": "labor", "minutes": "90", "cases": "1"}}),
                                    {"trainer": 303, "admin": 303}),
    ("GET", "/training/courses/{course_id}"): (lambda w: ("GET", "/training/courses/course-none", {}), dict.fromkeys(HOLDERS, 404)),
    ("GET", "/disputes"): (lambda w: ("GET", "/disputes", {}), READERS),
    # a mediator registers for its own committee whatever the form says: another committee's mediator too
    ("POST", "/disputes"): (lambda w: ("POST", "/disputes", {"data": registration_form(w)}), {"mediator": 303, "other_mediator": 303, "admin": 303}),
    ("GET", "/disputes/drafts"): (lambda w: ("GET", "/disputes/drafts", {}), REVIEWERS),
    ("POST", "/disputes/drafts/{draft_id}/{decision}"): (lambda w: ("POST", f"/disputes/drafts/{w.draft()['id']}/approve", {"data": {"note": "可"}}),
                                                         {"coordinator": 303, "admin": 303, "other_coordinator": 404}),
    ("GET", "/disputes/{dispute_id}"): (lambda w: ("GET", f"/disputes/{w.ours['id']}", {}), OURS_PAGE),
    ("POST", "/disputes/{dispute_id}/status"): (lambda w: ("POST", f"/disputes/{w.fresh()['id']}/status", {"data": {"status": "mediating"}}),
                                                {"mediator": 303, "admin": 303, "other_mediator": 404}),
    ("POST", "/disputes/{dispute_id}/note"): (lambda w: ("POST", f"/disputes/{w.fresh()['id']}/note", {"data": {"note": "电话回访"}}),
                                              {"mediator": 303, "admin": 303, "other_mediator": 404}),
    ("POST", "/disputes/{dispute_id}/promote"): (lambda w: ("POST", f"/disputes/{w.fresh(settled=True)['id']}/promote", {}),
                                                 {"mediator": 200, "coordinator": 200, "admin": 200, "other_mediator": 404, "other_coordinator": 404}),
    # trends and alerts: the register's readers, each within its committee or region; the
    # dashboard and acknowledgements for coordinators and admins (an unknown alert is 404)
    ("GET", "/v1/trends"): (lambda w: ("GET", "/v1/trends", {}), READERS),
    ("GET", "/v1/alerts"): (lambda w: ("GET", "/v1/alerts", {}), READERS),
    ("GET", "/v1/reports/trends"): (lambda w: ("GET", "/v1/reports/trends?format=md", {}), READERS),
    ("POST", "/v1/alerts/{alert_id}/ack"): (lambda w: ("POST", "/v1/alerts/none/ack", {"json": {"note": "已约谈"}}), dict.fromkeys(REVIEWERS, 404)),
    ("GET", "/dashboard"): (lambda w: ("GET", "/dashboard", {}), REVIEWERS),
    ("GET", "/dashboard/chart.png"): (lambda w: ("GET", "/dashboard/chart.png", {}), REVIEWERS),
    ("POST", "/dashboard/alerts/{alert_id}/ack"): (lambda w: ("POST", "/dashboard/alerts/none/ack", {"data": {"note": "已约谈"}}), dict.fromkeys(REVIEWERS, 404)),
}  # fmt: skip


def served_routes(app) -> set[tuple[str, str]]:
    """(method, path template) of every route the app serves, included routers flattened."""
    found: set[tuple[str, str]] = set()

    def add(route) -> None:
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                found.add((method, route.path))

    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)  # an included router
        if contexts is not None:
            for context in contexts():
                add(context)
        elif getattr(route, "methods", None):
            add(route)
        else:  # a mounted app (static files)
            found.add(("MOUNT", route.path))
    return found


def _template(path: str, templates: set[tuple[str, str]], method: str) -> str:
    bare = path.split("?")[0]
    if (
        method,
        bare,
    ) in templates:  # a literal route wins over a template that also matches, as in routing
        return bare
    for m, template in templates:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if m == method and re.match(pattern, bare):
            return template
    raise AssertionError(f"{method} {path} matches no route")


@pytest.fixture
def world(tmp_path) -> World:
    return World(f"sqlite:///{tmp_path / 'register.sqlite3'}", tmp_path)


@pytest.fixture(autouse=True)
def _close_shared_registers():
    yield
    from disputes.service import close_registers

    close_registers()


def test_every_route_has_a_role_matrix_entry(world):
    served = served_routes(world.client.app)
    named = (
        name.split(" ", 1) for name, _, _ in test_disputes_api.ROUTES
    )  # "PATCH /v1/disputes/{id}"
    covered = {(m, _template(re.sub(r"\{[^}]+\}", "1", p), served, m)) for m, p in named}
    covered |= {(m, _template(p, served, m)) for m, p, _, _ in test_roles_and_errors.ROUTES}
    covered |= set(MORE)
    missing = served - covered - PUBLIC
    assert not missing, (
        f"routes without a role-matrix entry (add them to MORE or PUBLIC): {sorted(missing)}"
    )
    assert not (covered | PUBLIC) - served, (
        f"entries for routes the app does not serve: {sorted((covered | PUBLIC) - served)}"
    )
    assert covered & PUBLIC == set()


@pytest.mark.long  # every holder on every route: ~250 requests; the check above stays fast
@pytest.mark.parametrize("route", sorted(MORE), ids=[f"{m} {p}" for m, p in sorted(MORE)])
def test_every_holder_on_the_routes_tested_here(world, route):
    make, expected = MORE[route]
    for holder in HOLDERS:
        method, path, extra = make(world)
        response = world.client.request(
            method, path, headers=auth(holder), follow_redirects=False, **extra
        )
        wanted = expected.get(holder, 403)
        assert response.status_code == wanted, (holder, response.status_code, response.text[:300])
        if holder in ("other_mediator", "other_coordinator", "trainer", "bare_mediator"):
            for secret in (world.ours["number"], "13904315678"):
                assert secret not in response.text, (holder, secret)
    method, path, extra = make(world)
    anonymous = world.client.request(method, path, follow_redirects=False, **extra)
    if path.startswith("/v1/"):
        assert anonymous.status_code == 401
    else:
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


@pytest.mark.parametrize("route", sorted(PUBLIC - {("MOUNT", "/static"), ("POST", "/login")}))
def test_public_routes_need_no_key(world, route):
    method, path = route
    response = world.client.request(method, path, follow_redirects=False)
    assert response.status_code not in (401, 403), response.text[:200]
