"""Prospects by name: the CSV import (good file, bad rows, dry run, re-import idempotent) from
the command and the admin's upload page, names surviving syncs, an admin naming a prospect on
its page, and the link to where the team keeps the candidate."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from linkedin.oauth import clear_token_cache
from recruiter.models import Contract, Prospect
from recruiter.prospect_names import import_names
from recruiter.sync import sync_contract
from tests.helpers import make_note, make_prospect

pytestmark = pytest.mark.django_db

GOOD = (
    "\ufeffmember,name,url\r\n"  # Excel's byte-order mark and line ends
    "urn:li:person:known1,Jane Doe,https://ats.example.com/c/1\r\n"
    "urn:li:person:known2,  Zoë   Żuławska ,\r\n"
    'urn:li:person:newcomer,"O\'Brien, Tomás",\r\n'
).encode()


@pytest.fixture
def known():
    return [
        make_prospect(urn="urn:li:person:known1"),
        make_prospect(urn="urn:li:person:known2", name="Old Name", url="https://keep.example/"),
    ]


def names() -> dict[str, tuple[str, str]]:
    return {p.urn: (p.name, p.url) for p in Prospect.objects.all()}


def test_a_good_file_imports_names_and_links_and_counts_what_it_did(known):
    result = import_names(GOOD, dry_run=False)
    assert result.errors == [] and result.imported
    assert result.counts == {"new": 1, "changed": 1, "unknown": 1, "unchanged": 0}
    assert names() == {
        "urn:li:person:known1": ("Jane Doe", "https://ats.example.com/c/1"),
        "urn:li:person:known2": ("Zoë Żuławska", "https://keep.example/"),  # empty url: kept
        "urn:li:person:newcomer": ("O'Brien, Tomás", ""),
    }


def test_a_dry_run_counts_the_same_and_changes_nothing(known):
    before = names()
    result = import_names(GOOD, dry_run=True)
    assert result.counts == {"new": 1, "changed": 1, "unknown": 1, "unchanged": 0}
    assert not result.imported
    assert names() == before


def test_importing_the_same_file_again_changes_nothing(known):
    import_names(GOOD, dry_run=False)
    after_first = names()
    again = import_names(GOOD, dry_run=False)
    assert again.counts == {"new": 0, "changed": 0, "unknown": 0, "unchanged": 3}
    assert names() == after_first


@pytest.mark.parametrize(
    ("row", "why"),
    [
        ("person:abc,Jane", "is not a member URN"),
        ("urn:li:person:abc,", "The name is empty"),
        ("urn:li:person:abc,Jane,javascript:alert(1)", "is not an http(s) address"),
        ("urn:li:person:abc,Jane,https://x.example,extra", "Expected 2 or 3 columns"),
        ("urn:li:person:abc", "Expected 2 or 3 columns"),
        ("urn:li:person:known1,Again", "is already on line 2"),
        ("urn:li:person:abc," + "x" * 201, "longer than 200"),
    ],
)
def test_a_bad_row_is_named_and_nothing_of_the_file_is_imported(known, row, why):
    data = GOOD + f"{row}\r\n".encode()
    result = import_names(data, dry_run=False)
    assert not result.imported and result.rows == []
    assert [(line, message) for line, message in result.errors if why in message] == [
        (5, result.errors[0][1])
    ]
    assert names()["urn:li:person:known1"] == ("", "")


def test_a_file_that_is_not_utf8_csv_is_refused_as_a_whole():
    assert import_names(b"\xff\xfeurn", dry_run=False).errors[0][1].startswith("The file is not")
    assert "no rows" in import_names(b"member,name\n", dry_run=False).errors[0][1]


def test_the_command_imports_reports_and_fails_on_bad_rows(known, tmp_path, capsys):
    good = tmp_path / "names.csv"
    good.write_bytes(GOOD)
    call_command("import_prospect_names", str(good), "--dry-run")
    assert "would import: 1 new, 1 changed, 1 unknown, 0 unchanged" in capsys.readouterr().out
    assert names()["urn:li:person:known1"] == ("", "")
    call_command("import_prospect_names", str(good))
    assert names()["urn:li:person:known1"][0] == "Jane Doe"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"member,name\nurn:li:person:x,\n")
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("import_prospect_names", str(bad))
    assert "bad.csv:2: The name is empty." in capsys.readouterr().err


def test_the_admin_upload_page_previews_then_imports(client, staff, known):
    client.force_login(staff)
    url = reverse("admin:recruiter_prospect_import_names")
    assert (
        "Import names from CSV"
        in client.get(reverse("admin:recruiter_prospect_changelist")).content.decode()
    )
    preview = client.post(url, {"file": SimpleUploadedFile("n.csv", GOOD), "dry_run": "on"})
    content = preview.content.decode()
    assert "Dry run: nothing imported yet" in content
    assert "1 new, 1 changed, 1 unknown" in content and "Jane Doe" in content
    assert names()["urn:li:person:known1"] == ("", "")
    done = client.post(url, {"file": SimpleUploadedFile("n.csv", GOOD)}, follow=True)
    assert "Imported" in done.content.decode()
    assert names()["urn:li:person:known1"][0] == "Jane Doe"
    bad = client.post(url, {"file": SimpleUploadedFile("n.csv", b"member,name\nnope,X\n")})
    assert bad.status_code == 200
    assert "1 bad row: nothing was imported" in bad.content.decode()
    assert "is not a member URN" in bad.content.decode()


def test_the_upload_page_is_for_admins_who_may_change_prospects(client, bob):
    bob.is_staff = True
    bob.save()
    client.force_login(bob)
    assert client.get(reverse("admin:recruiter_prospect_import_names")).status_code == 403


def test_names_survive_syncs(sandbox):
    clear_token_cache()
    urn = sandbox.store.contract_urns()[0]
    contract = Contract.objects.create(
        urn=urn, backfill_start=timezone.now() - timedelta(days=sandbox.config.days + 1)
    )
    sync_contract(contract.pk)
    members = list(Prospect.objects.order_by("urn").values_list("urn", flat=True)[:5])
    rows = "".join(f"{m},Name {i}\n" for i, m in enumerate(members))
    assert import_names(rows.encode(), dry_run=False).counts["new"] == 5
    note = sandbox.store.notes(urn)[0]
    sandbox.store.edit_note(note["id"], "edited after the names were imported")
    sync_contract(contract.pk, full=True)
    named = dict(Prospect.objects.exclude(name="").values_list("urn", "name"))
    assert named == {m: f"Name {i}" for i, m in enumerate(members)}
    clear_token_cache()


def test_an_admin_names_a_prospect_on_its_page_and_a_recruiter_cannot(client, alice, bob):
    note = make_note(bob.seat)
    prospect = note.prospect
    url = reverse("recruiter:prospect_name", args=[prospect.pk])
    client.force_login(bob)
    assert client.post(url, {"name": "Bob's guess", "url": ""}).status_code == 403
    page = client.get(reverse("recruiter:prospect_detail", args=[prospect.pk])).content.decode()
    assert "Name this prospect" not in page
    client.force_login(alice)
    response = client.post(url, {"name": "Jane Doe", "url": "https://ats.example.com/c/9"})
    assert response.status_code == 302
    prospect.refresh_from_db()
    assert (prospect.name, prospect.url) == ("Jane Doe", "https://ats.example.com/c/9")
    page = client.get(reverse("recruiter:prospect_detail", args=[prospect.pk])).content.decode()
    assert '<a href="https://ats.example.com/c/9" rel="noopener noreferrer nofollow"' in page
    assert page.count(prospect.urn) == 1  # a secondary line, once
    bad = client.post(url, {"name": "X", "url": "javascript:alert(1)"}, follow=True)
    assert "Not saved" in bad.content.decode()
    prospect.refresh_from_db()
    assert prospect.url == "https://ats.example.com/c/9"


def test_the_demo_reads_seat_holders_and_imports_the_sandboxs_prospect_names(make_sandbox):
    """`make run`'s first start: names of seat holders and of a few prospects at once."""
    clear_token_cache()
    sandbox = make_sandbox(seed=1)  # the demo's data
    out = io.StringIO()
    call_command("start_demo", sandbox_url=sandbox.url, stdout=out)
    assert "Seat holders of Demo contract: 4 seats listed (4 new)" in out.getvalue()
    assert "Demo prospect names: 12 rows, imported: 0 new, 0 changed, 12 unknown" in out.getvalue()
    from recruiter.models import Seat

    holders = set(Seat.objects.values_list("holder_name", flat=True))
    assert {"Alice Adams", "Bob Brown"} <= holders and "" not in holders
    expected = {
        row[0]: row[1] for row in csv.reader(io.StringIO(sandbox.store.prospect_names_csv()))
    }
    del expected["member"]
    assert dict(Prospect.objects.exclude(name="").values_list("urn", "name")) == expected
    assert set(expected) <= set(sandbox.store.prospects()[:12])  # members the notes name
    call_command("start_demo", sandbox_url=sandbox.url, stdout=io.StringIO())  # once only
    assert Prospect.objects.exclude(name="").count() == 12
    clear_token_cache()
