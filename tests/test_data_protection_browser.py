"""The data protection pages in a real browser under the CSP: erase a member from the admin
(counts, then confirm), the audit log, the retention page, the Sync page's end warning."""

from __future__ import annotations

import pytest
from django.utils import timezone

from recruiter.models import Contract, Prospect, ProspectNote
from tests.conftest import screenshot, sign_in
from tests.helpers import make_note, make_prospect, make_seat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_erases_a_member_and_finds_it_in_the_audit_log(page, staff):
    prospect = make_prospect(name="Zelda Quuxworth")
    for _ in range(3):
        make_note(prospect=prospect)
    sign_in(page, "sam")
    page.goto("/admin/erase-member/")
    page.fill("#id_person_urn", prospect.urn)
    page.click("input[value='Show what will go']")
    row = page.locator("#erase-plan tr", has_text="contracts with notes")
    assert row.locator("td").nth(1).inner_text() == "3"
    screenshot(page, "erase-member-plan")
    page.click("input[value='Yes, erase this member']")
    page.wait_for_url("**/admin/erase-member/")
    assert "Erased" in page.locator(".messagelist").inner_text()
    assert not Prospect.objects.exists()
    assert set(ProspectNote.objects.values_list("text", flat=True)) == {""}
    page.goto("/admin/audit/entry/?action=member_erased")
    assert "member erased" in page.locator("#result_list").inner_text()
    assert "Zelda" not in page.content()
    screenshot(page, "audit-log")


def test_retention_page_and_sync_warning(page, alice, staff):
    seat = make_seat()
    Contract.objects.filter(pk=seat.contract_id).update(ended_at=timezone.now())
    sign_in(page, "sam")
    page.goto("/admin/retention/")
    assert "RETENTION_DELETED_NOTE_DAYS" in page.locator("#retention-policy").inner_text()
    screenshot(page, "retention")
    page.goto("/sync/")
    warning = page.locator("[data-field=contract-end]")
    assert "ended by an admin" in warning.inner_text()
    screenshot(page, "sync-contract-ended")
