"""manage.py sync_seats --contract <URN>: read a contract's seat holders from LinkedIn now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkedin import LinkedInError
from recruiter.models import Contract
from recruiter.seats import sync_seats


class Command(BaseCommand):
    help = "Read the seats of a contract (or of every active one) and who holds them."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--contract", metavar="URN", help="the contract's URN")
        which.add_argument("--all", action="store_true", help="every active contract")

    def handle(self, *args: Any, **options: Any) -> None:
        contracts = Contract.objects.defer("client_secret")
        if options["all"]:
            found = list(contracts.filter(active=True))
        else:
            found = list(contracts.filter(urn=options["contract"]))
            if not found:
                raise CommandError(f"No contract {options['contract']!r}.")
        failed = 0
        for contract in found:
            try:
                result = sync_seats(contract.pk)
            except LinkedInError as exc:
                failed += 1
                self.stderr.write(f"{contract.urn}: LinkedIn refused: {exc}")
                continue
            self.stdout.write(f"{contract.urn}: {result}")
        if failed:
            raise CommandError(f"{failed} contract(s) failed.")
