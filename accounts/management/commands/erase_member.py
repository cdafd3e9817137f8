"""manage.py erase_member <person URN> [--yes]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.erasure import Plan, erase_member, plan_member_erasure


class Command(BaseCommand):
    help = (
        "Erase everything about one LinkedIn member: their notes on every contract (tombstones "
        "stay), the prospect, push event bodies, recommendation requests naming them, names. "
        "Shows what will go and asks first, unless --yes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("person_urn", help="e.g. urn:li:person:AbC123")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, person_urn: str, yes: bool, **options: Any) -> None:
        try:
            plan = plan_member_erasure(person_urn)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self._show(plan, "Will erase")
        if not yes and input("Erase? Type 'yes' to go on: ").strip().lower() != "yes":
            raise CommandError("Nothing erased.")
        done = erase_member(plan.person_urn, actor=None, via="command")
        self._show(done, "Erased")

    def _show(self, plan: Plan, heading: str) -> None:
        self.stdout.write(f"{heading} {plan.person_urn}:")
        for label, count in plan.counts.items():
            self.stdout.write(f"  {label}: {count}")
        if plan.already_erased and heading == "Will erase":
            self.stdout.write("  (erased before: this removes anything that came back)")
