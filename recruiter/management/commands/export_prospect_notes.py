"""manage.py export_prospect_notes [--contract URN] [--include-deleted] > notes.csv"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from recruiter.export import audited, iter_csv_lines
from recruiter.models import Contract, ProspectNote


class Command(BaseCommand):
    help = "Write prospect notes as CSV to stdout (deleted notes left out unless asked for)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contract", metavar="URN", help="Only this contract's notes.")
        parser.add_argument(
            "--include-deleted",
            action="store_true",
            help="Also export notes deleted on LinkedIn, and tombstones of never-synced ones.",
        )

    def handle(self, *args: Any, contract: str | None, include_deleted: bool, **options: Any):
        notes = ProspectNote.objects.all()
        if contract is not None:
            found = Contract.objects.filter(urn=contract).first()
            if found is None:
                known = ", ".join(Contract.objects.values_list("urn", flat=True)[:20]) or "none"
                raise CommandError(f"No contract {contract!r}. Known contracts: {known}.")
            notes = notes.filter(contract=found)
        if not include_deleted:
            notes = notes.filter(active=True, deleted_at__isnull=True)
        filters = {"contract": contract or "", "include_deleted": include_deleted}
        lines = audited(
            iter_csv_lines(notes, names=False), actor=None, via="command", filters=filters
        )
        for line in lines:
            self.stdout.write(line, ending="")
