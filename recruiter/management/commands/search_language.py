"""Change the language notes are stemmed in (PostgreSQL), and recompute every search vector.

    python manage.py search_language            # say which language the search stems in
    python manage.py search_language german     # stem in German from now on

Set SEARCH_LANGUAGE to the same language, so that highlighting (Python's Snowball stemmer)
agrees with the database. Searches keep working while the vectors are recomputed, batch by
batch; notes not recomputed yet are found by their old stems.
"""

from __future__ import annotations

import snowballstemmer
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from recruiter.search import INDEX_BATCH
from recruiter.search_sql import UnknownLanguage, configure_language, configured_language

REINDEX_SQL = (
    "UPDATE recruiter_prospectnote SET search_vector = recruiter_note_vector(text)"
    " WHERE id BETWEEN %s AND %s"
)


class Command(BaseCommand):
    help = "Show or change the language of the notes search, recomputing the vectors."

    def add_arguments(self, parser) -> None:
        parser.add_argument("language", nargs="?", help="e.g. english, german, french")

    def handle(self, *args, language: str | None = None, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Only PostgreSQL stores search vectors; SQLite needs nothing.")
        with connection.cursor() as cursor:
            current = configured_language(cursor)
        if not language:
            self.stdout.write(f"The notes search stems in {current}.")
            return
        language = language.lower()
        if language not in snowballstemmer.algorithms():
            raise CommandError(f"No Snowball stemmer for {language!r} in Python.")
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                configure_language(cursor, language)
        except UnknownLanguage as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Stemming in {language} (was {current}); recomputing the vectors…")
        self.stdout.write(f"{self._reindex():,} notes recomputed. Set SEARCH_LANGUAGE={language}.")

    def _reindex(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT min(id), max(id) FROM recruiter_prospectnote")
            low, high = cursor.fetchone()
        done = 0
        for start in range(low or 0, (high or -1) + 1, INDEX_BATCH):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(REINDEX_SQL, [start, start + INDEX_BATCH - 1])
                done += cursor.rowcount
        return done
