"""The admin's Retention page: the policy in force, what it is holding, the last runs."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.models import Action, Entry
from recruiter.models import Contract, ProspectNote
from recruiter.retention import Policy, purge_due_at

LAST_RUNS = 10


@require_GET
@staff_member_required
def retention_status(request: HttpRequest) -> HttpResponse:
    policy = Policy.from_settings()
    now = timezone.now()
    held = ProspectNote.objects.filter(deleted_at__isnull=False, purged_at__isnull=True)
    cutoff = now - timedelta(days=policy.deleted_note_days)
    ending = []
    for contract in Contract.objects.defer("client_secret"):
        due = purge_due_at(contract, policy)
        if due is not None:
            ending.append((contract, due))
    context = {
        **admin.site.each_context(request),
        "title": "Retention",
        "policy": policy.as_rows(),
        "held_for_restore": held.filter(deleted_at__gte=cutoff).count(),
        "due_now": held.filter(deleted_at__lt=cutoff).count(),
        "tombstones": ProspectNote.objects.filter(purged_at__isnull=False).count(),
        "ending": ending,
        "runs": Entry.objects.filter(action=Action.RETENTION_PURGE)[:LAST_RUNS],
        "now": now,
    }
    return render(request, "admin/recruiter/retention.html", context)
