"""manage.py erase_member <person URN>... [--file URNS.txt] [--yes]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.erasure import Plan, check_member_urn, erase_member, plan_member_erasure


class Command(BaseCommand):
    help = (
        "Erase everything about LinkedIn members: their notes on every contract (tombstones "
        "stay), the prospect, push event bodies, recommendation requests naming them, names. "
        "Shows what will go and asks first, unless --yes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("person_urns", nargs="*", metavar="URN", help="urn:li:person:...")
        parser.add_argument(
            "--file", type=Path, help="Also the URNs in this file, one a line (# comments)."
        )
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, person_urns: list[str], file: Path | None, yes: bool, **options):
        urns = self._urns(person_urns, file)
        plans = [plan_member_erasure(urn) for urn in urns]
        for plan in plans:
            self._show(plan, "Will erase")
        if not yes and input("Erase? Type 'yes' to go on: ").strip().lower() != "yes":
            raise CommandError("Nothing erased.")
        for urn in urns:
            self._show(erase_member(urn, actor=None, via="command"), "Erased")

    def _urns(self, given: list[str], file: Path | None) -> list[str]:
        """Every URN checked before anything is erased: one bad line stops the whole run."""
        lines = list(given)
        if file is not None:
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"Cannot read {file}: {exc}") from exc
            lines += [line.split("#", 1)[0].strip() for line in text.splitlines()]
            lines = [line for line in lines if line]
        if not lines:
            raise CommandError("Give at least one person URN (or --file).")
        try:
            return list(dict.fromkeys(check_member_urn(line) for line in lines))
        except ValueError as exc:
            raise CommandError(f"{exc} Nothing erased.") from exc

    def _show(self, plan: Plan, heading: str) -> None:
        self.stdout.write(f"{heading} {plan.person_urn}:")
        for label, count in plan.counts.items():
            self.stdout.write(f"  {label}: {count}")
        if plan.already_erased and heading == "Will erase":
            self.stdout.write("  (erased before: this removes anything that came back)")
