# Trigram indexes for the name searches (recruiter.name_search and the Prospects page): Django's
# icontains is UPPER(col::text) LIKE UPPER('%word%'), which only a trigram index on that
# expression serves; without one each search reads every prospect. PostgreSQL only; where the
# pg_trgm extension cannot be created (no permission), the searches still work, unindexed.

from __future__ import annotations

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

INDEXES = [
    "CREATE INDEX IF NOT EXISTS prospect_name_trgm ON recruiter_prospect"
    " USING gin ((UPPER(name::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS prospect_urn_trgm ON recruiter_prospect"
    " USING gin ((UPPER(urn::text)) gin_trgm_ops)",
]


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        logger.warning("pg_trgm not available (%s): name searches stay unindexed", exc)
        return
    for sql in INDEXES:
        schema_editor.execute(sql)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS prospect_name_trgm")
        schema_editor.execute("DROP INDEX IF EXISTS prospect_urn_trgm")


class Migration(migrations.Migration):
    dependencies = [("recruiter", "0018_note_deleted_index")]

    operations = [migrations.RunPython(forward, backward)]
