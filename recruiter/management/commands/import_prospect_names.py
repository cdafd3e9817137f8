"""manage.py import_prospect_names FILE [--dry-run]: prospects' names from member,name[,url]."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from recruiter.prospect_names import import_names


class Command(BaseCommand):
    help = "Import prospects' names (and links) from a CSV file of member,name[,url] rows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8)")
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would change, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        result = import_names(data, dry_run=options["dry_run"])
        for line, why in result.errors:
            self.stderr.write(f"{path.name}:{line}: {why}" if line else f"{path.name}: {why}")
        if result.errors:
            raise CommandError(str(result))
        self.stdout.write(str(result))
