"""django-rq's dashboard: superusers only, no 500 on any of its pages, and a CSP loosened on
those pages alone, and only by the hashes of django-rq's own static styles."""

from __future__ import annotations

import logging

import django_rq
import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django_rq.queues import get_queues_list
from rq import Queue, SimpleWorker

from tests.conftest import make_user

HOME = "/admin/rq/"
# django-rq numbers the queues in the order of RQ_QUEUES; the jobs here go to "default".
Q = [queue["name"] for queue in get_queues_list()].index("default")
NAMED_IN_THE_AUDIT = ["/admin/rq/workers/0/w/", "/admin/rq/schedulers/0/"]


def ran_jobs() -> dict[str, str]:
    """A finished and a failed job on the default queue, run by a worker that is then gone."""
    # rq's own Queue: django-rq's would wait for the test's transaction to commit.
    queue = Queue("default", connection=django_rq.get_connection("default"))
    done = queue.enqueue("builtins.len", [1, 2])
    failed = queue.enqueue("builtins.int", "not a number")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    return {"done": done.id, "failed": failed.id}


def rq_paths(job_id: str) -> list[str]:
    """Every django-rq URL pattern with plausible and implausible values."""
    (resolver,) = [p for p in get_resolver().url_patterns if str(p.pattern) == "admin/rq/"]
    paths = []
    for pattern in resolver.url_patterns:
        route = "/admin/rq/" + str(pattern.pattern).lstrip("^").rstrip("$").replace("/?", "/")
        route = route.replace("(?P<token>[\\w]+)?/", "x/")
        for values in (
            {"queue_index": str(Q), "job_id": job_id, "key": "rq:worker:gone", "result_id": "0-0"},
            {"queue_index": "7", "job_id": "no-such-job", "key": "w", "result_id": "x"},
        ):
            path = route
            for name, value in {
                **values,
                "scheduler_index": values["queue_index"],
                "connection_index": values["queue_index"],
                "scheduler_name": "s",
                "cron_job_name": "a/b",
            }.items():
                for kind in ("int", "str", "path"):
                    path = path.replace(f"<{kind}:{name}>", value)
            paths.append(path)
    return sorted(set(paths) | set(NAMED_IN_THE_AUDIT))


@pytest.fixture
def admin_client(staff) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    return client


def test_a_staff_user_who_is_not_a_superuser_is_refused_everywhere(db):
    ids = ran_jobs()
    # Staff with every model permission there is, still not a superuser.
    from django.contrib.auth.models import Permission

    staffer = make_user("stan", is_staff=True)
    staffer.user_permissions.set(Permission.objects.all())
    client = Client(raise_request_exception=False)
    client.force_login(staffer)
    queue = Queue("default", connection=django_rq.get_connection("default"))
    queue.enqueue("builtins.len", [1])

    statuses = {path: client.get(path).status_code for path in rq_paths(ids["done"])}
    emptied = client.post(f"/admin/rq/queues/{Q}/empty/")

    assert set(statuses.values()) <= {403, 404}, statuses
    assert statuses[HOME] == 403
    assert emptied.status_code == 403
    assert queue.count == 1


def test_only_superusers_are_shown_the_link(client, staff):
    staffer = make_user("stan", is_staff=True)
    client.force_login(staffer)
    assert 'href="/admin/rq/"' not in client.get(reverse("admin:index")).content.decode()
    client.force_login(staff)
    assert 'href="/admin/rq/"' in client.get(reverse("admin:index")).content.decode()


def test_anonymous_users_are_sent_to_sign_in(client, db):
    response = client.get(HOME)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_superuser_sees_the_queues(admin_client):
    ran_jobs()

    for path in (HOME, f"/admin/rq/queues/{Q}/finished/", f"/admin/rq/queues/{Q}/failed/"):
        response = admin_client.get(path)
        assert response.status_code == 200, path
    assert "builtins.int" in admin_client.get(f"/admin/rq/queues/{Q}/failed/").content.decode()


def test_no_page_of_the_dashboard_is_a_500(admin_client):
    ids = ran_jobs()

    statuses = {path: admin_client.get(path).status_code for path in rq_paths(ids["done"])}

    assert 500 not in statuses.values(), statuses
    assert len(statuses) > 40
    for path in NAMED_IN_THE_AUDIT:
        assert statuses[path] == 404, path
    assert statuses[f"/admin/rq/queues/{Q}/{ids['done']}/"] == 200


def test_the_admin_has_no_broken_django_rq_entry(admin_client):
    assert admin_client.get("/admin/django_rq/dashboard/1/change/").status_code == 404
    assert admin_client.get("/admin/django_rq/dashboard/").status_code == 404
    assert 'href="/admin/rq/"' in admin_client.get(reverse("admin:index")).content.decode()


def test_a_failure_inside_django_rq_is_a_logged_503(admin_client, monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("Redis went away")

    monkeypatch.setattr("django_rq.views.Worker.all", down)

    with caplog.at_level(logging.ERROR):
        response = admin_client.get(f"/admin/rq/workers/{Q}/")

    assert response.status_code == 503
    assert "Redis went away" in response.content.decode()
    assert f"django-rq page /admin/rq/workers/{Q}/ failed" in caplog.text


def policy(response) -> dict[str, list[str]]:
    directives = [d.strip().split() for d in response["Content-Security-Policy"].split(";")]
    return {d[0]: d[1:] for d in directives if d}


def test_only_the_dashboard_pages_allow_django_rqs_styles(admin_client):
    rq_policy = policy(admin_client.get(HOME))
    site_policy = policy(admin_client.get(reverse("admin:index")))

    assert rq_policy["script-src"] == ["'self'"]  # no inline script anywhere
    assert "'unsafe-hashes'" in rq_policy["style-src"]
    assert all(
        s == "'self'" or s.startswith("'sha256-") or s == "'unsafe-hashes'"
        for s in rq_policy["style-src"]
    )
    assert "'unsafe-inline'" not in rq_policy["style-src"]
    assert site_policy["style-src"] == ["'self'"]
    assert site_policy["script-src"] == ["'self'"]


def test_no_inline_script_is_left_on_the_job_lists(admin_client):
    ran_jobs()

    for path in (
        f"/admin/rq/queues/{Q}/",
        f"/admin/rq/queues/{Q}/finished/",
        f"/admin/rq/workers/{Q}/",
    ):
        page = admin_client.get(path).content.decode()
        assert '<script type="text/javascript">' not in page, path
        assert "js/rq_dashboard.js" in page
