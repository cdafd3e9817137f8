"""manage.py erase_user <username> [--yes]"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.erasure import erase_user


class Command(BaseCommand):
    help = (
        "Erase a site user who leaves the team: LinkedIn tokens, seat mappings, recommendation "
        "copies and the account. Their audit entries stay, pseudonymised."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, username: str, yes: bool, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not yes and input(f"Erase user {username}? Type 'yes': ").strip().lower() != "yes":
            raise CommandError("Nothing erased.")
        for label, count in erase_user(user, actor=None, via="command").items():
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(f"Erased user {username}.")
