"""The Sync page's operations panel in a real browser under the strict CSP: workers and the
day's LinkedIn call budget, then the same page with Redis down. Screenshots land in
var/screenshots/ (operations-*.png)."""

from __future__ import annotations

import pytest
import redis
from playwright.sync_api import expect

from recruiter import usage
from recruiter.models import SyncRun
from tests.conftest import screenshot, sign_in
from tests.helpers import make_contract

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_budget_and_then_redis_down_on_the_sync_page(page, alice, settings, monkeypatch):
    settings.LINKEDIN_DAILY_CALL_LIMIT = 1000
    spent = make_contract(name="Acme Recruiting", client_id="child-app-acme")
    make_contract(name="Globex", client_id="child-app-globex")
    usage.record(usage.application_of(spent), {("/prospectNotes", "200"): 930})
    SyncRun.objects.create(
        contract=spent, status="budget", error=usage.budgets(["child-app-acme"])[0].reason()
    )
    sign_in(page, "alice")

    page.goto("/sync/")
    row = page.locator('tr[data-application="child-app-acme"]')
    expect(row.locator('[data-field="calls-today"]')).to_have_text("930")
    expect(row.locator('[data-field="budget-stopped"]')).to_be_visible()
    expect(page.locator('tr[data-application="child-app-globex"]')).to_contain_text("start")
    screenshot(page, "operations-budget")

    def refuse(*args, **kwargs):
        raise redis.ConnectionError("Error 111 connecting. Connection refused.")

    monkeypatch.setattr(redis.Redis, "execute_command", refuse)
    monkeypatch.setattr(redis.client.Pipeline, "execute", refuse)
    page.goto("/sync/")
    expect(page.locator('[data-field="queue-unreachable"]')).to_be_visible()
    expect(page.locator("article.contract")).to_have_count(2)
    page.locator(f'article.contract[data-contract-id="{spent.pk}"] [data-field="sync-now"]').click()
    expect(page.locator("main")).to_contain_text("not queued: The job queue is unreachable")
    screenshot(page, "operations-redis-down")
