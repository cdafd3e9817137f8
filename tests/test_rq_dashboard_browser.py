"""django-rq's pages and the push URL's copy button in a real browser, under the site's CSP:
the page fixture fails the test on any CSP violation or script error. Screenshots land in
var/screenshots/ (rq-*.png, push-url-*.png)."""

from __future__ import annotations

import django_rq
import pytest
from django.urls import reverse
from django_rq.queues import get_queues_list
from rq import Queue, SimpleWorker

from tests.conftest import screenshot, sign_in
from tests.helpers import make_contract

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def jobs(db) -> dict[str, str]:
    queue = Queue("default", connection=django_rq.get_connection("default"))
    done = queue.enqueue("builtins.len", [1, 2])
    failed = queue.enqueue("builtins.int", "not a number")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    queue.enqueue("builtins.len", [3])  # one left waiting
    return {"done": done.id, "failed": failed.id}


def test_django_rq_pages_have_no_csp_violation_or_script_error(page, staff, jobs):
    q = [queue["name"] for queue in get_queues_list()].index("default")
    sign_in(page, "sam")
    pages = {
        "rq-home": "/admin/rq/",
        "rq-queued": f"/admin/rq/queues/{q}/",
        "rq-queue-details": f"/admin/rq/queues/{q}/details/",
        "rq-finished": f"/admin/rq/queues/{q}/finished/",
        "rq-failed": f"/admin/rq/queues/{q}/failed/",
        "rq-started": f"/admin/rq/queues/{q}/started/",
        "rq-deferred": f"/admin/rq/queues/{q}/deferred/",
        "rq-scheduled": f"/admin/rq/queues/{q}/scheduled/",
        "rq-workers": f"/admin/rq/workers/{q}/",
        "rq-job-finished": f"/admin/rq/queues/{q}/{jobs['done']}/",
        "rq-job-failed": f"/admin/rq/queues/{q}/{jobs['failed']}/",
        "rq-empty-confirm": f"/admin/rq/queues/{q}/empty/",
        "rq-requeue-confirm": f"/admin/rq/queues/{q}/requeue-all/",
        "rq-delete-confirm": f"/admin/rq/queues/{q}/{jobs['failed']}/delete/",
    }
    for name, path in pages.items():
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        if name in ("rq-home", "rq-failed", "rq-job-failed", "rq-empty-confirm"):
            screenshot(page, name)

    # Django's actions.js runs where django-rq's inline script could not: select all works.
    page.goto(f"/admin/rq/queues/{q}/failed/")
    page.check("#action-toggle")
    assert page.locator("input.action-select:checked").count() == 1
    assert "builtins.int" in page.content()


def test_the_push_url_copy_button(page, alice, staff, live_server):
    contract = make_contract(name="Acme", client_id="acme-app", client_secret="acme-secret")
    url = live_server.url + reverse("contract_webhook", args=[contract.push_token])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    sign_in(page, "alice")
    page.goto("/sync/")
    assert page.locator(f"#push-url-{contract.pk}").inner_text() == url
    page.click(f"button[data-copy='#push-url-{contract.pk}']")
    assert page.evaluate("navigator.clipboard.readText()") == url
    assert page.locator(f"button[data-copy='#push-url-{contract.pk}']").inner_text() == "Copied"
    screenshot(page, "push-url-sync-page")

    page.context.clear_cookies()
    sign_in(page, "sam")
    page.goto(reverse("admin:recruiter_contract_change", args=[contract.pk]))
    page.click("button[data-copy='#push-url']")
    assert page.evaluate("navigator.clipboard.readText()") == url
    screenshot(page, "push-url-contract-admin")
