"""Bad input is never a 500 (an unhandled error): every URL pattern of the site, with its
query parameters given hostile values, as each named user and anonymously. A 502 or 503 (LinkedIn
or Redis unreachable, as they are here) is an answer; a 500 is a bug.

The audit found `/prospects/?q=%00` a 500 on PostgreSQL. The parameter names are every field of
the site's GET forms plus the names views read themselves and the admin's and django-rq's
own, so a new form field is fuzzed without touching this file.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.contrib.admin.views.main import ALL_VAR, ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.erasure_views import MemberForm
from recommendations.forms import CreateRequestForm, StatusFilterForm
from recruiter.forms import NoteFilterForm
from tests.helpers import make_note

USERS = ["anonymous", "alice", "bob", "charlie", "staff"]
VIEW_PARAMETERS = {
    "q",
    "page",
    "next",
    "state",
    "code",
    "error",
    "error_description",
    "challengeCode",
    "applicationId",
    "desc",
    "token",
}
ADMIN_PARAMETERS = {ALL_VAR, ORDER_VAR, PAGE_VAR, SEARCH_VAR, "_changelist_filters", "e"}
PARAMETERS = sorted(
    VIEW_PARAMETERS
    | ADMIN_PARAMETERS
    | set(NoteFilterForm.base_fields)
    | set(StatusFilterForm.base_fields)
    | set(CreateRequestForm.base_fields)
    | set(MemberForm.base_fields)
)
# What the audit and the usual suspects send: NUL, control and non-BMP characters, numbers
# too big for any column, dates that are not, cursors that are not, markup, very long text.
NASTY = [
    "\x00",
    "a\x00b",
    "%00",
    "\r\n",
    "\u202e",
    "😀" * 3,
    "-1",
    "0",
    str(2**63),
    str(10**40),
    "1e400",
    "NaN",
    "2026-02-30",
    "9999-12-31",
    "0000-01-01",
    "2026-13-01",
    "x" * 5000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "//evil.example.com",
    "https://evil.example.com/",
    "urn:li:person:",
    "List(",
    "()",
    "%",
    "%%",
    "%ff%fe",
]
values = st.sampled_from(NASTY) | st.text(max_size=40) | st.integers().map(str)


def _patterns(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _path(route: str, number: str, text: str) -> str:
    path = re.sub(r"<int:\w+>", number, route)
    path = re.sub(r"<path:\w+>", text + "/x", path)
    path = re.sub(r"<(?:str|slug)?:?\w+>", text, path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", number, path)  # the admin's regex routes
    path = path.lstrip("^").rstrip("$").replace("\\", "").replace("/?", "/")
    return "/" + path


ROUTES = sorted(set(_patterns(get_resolver())))


@pytest.fixture
def clients(db, request, settings, alice, bob, charlie, staff) -> dict[str, Client]:
    # LinkedIn at a closed loopback port: the pages that call it must answer its absence.
    closed = "http://127.0.0.1:9"
    settings.LINKEDIN_API_BASE_URL = f"{closed}/v2"
    settings.LINKEDIN_OAUTH_BASE_URL = f"{closed}/oauth/v2"
    settings.LINKEDIN_OIDC_DISCOVERY_URL = f"{closed}/oauth/.well-known/openid-configuration"
    make_note(owner=bob.seat, text="bob's note")
    make_note(text="someone else's note")
    signed_in = {}
    for name in USERS:
        client = Client(raise_request_exception=False)
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        signed_in[name] = client
    return signed_in


def get(client: Client, path: str, params: dict[str, str]):
    query = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in params.items())
    return client.get(f"{path}?{query}" if query else path)


def test_there_are_routes_to_fuzz():
    assert len(ROUTES) > 60
    assert "prospects/" in ROUTES and "admin/rq/" in [r[:9] for r in ROUTES]


@pytest.mark.parametrize("user", USERS)
def test_every_parameter_with_a_nul_on_every_page(clients, user):
    """The audit's case, exhaustively: each page with every parameter set to a NUL."""
    params = dict.fromkeys(PARAMETERS, "a\x00b")
    failures = {}
    for route in ROUTES:
        for number in ("1", "2"):
            path = _path(route, number, "x")
            response = get(clients[user], path, params)
            if response.status_code == 500:
                failures[path] = response.status_code
    assert not failures, failures


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(ROUTES),
    user=st.sampled_from(USERS),
    number=st.sampled_from(["1", "2", "0", "999999999", str(2**63)]),
    text=st.sampled_from(["x", "rq:worker:x", "%00", "..", "a" * 300]),
    params=st.dictionaries(st.sampled_from(PARAMETERS), values, max_size=5),
)
def test_no_url_and_no_query_parameter_is_a_500(clients, route, user, number, text, params):
    path = _path(route, number, quote(text, safe=""))

    response = get(clients[user], path, params)

    # 502/503 say LinkedIn or Redis is unreachable, which is true here; a 500 is a bug.
    assert response.status_code != 500, (path, params)


def test_the_audits_nul_in_the_prospect_search_is_a_400(clients):
    response = clients["alice"].get("/prospects/?q=%00")

    assert response.status_code == 400
    assert b"NUL" in response.content
    assert clients["alice"].get("/prospects/?q=ada").status_code == 200
