# The prospects' name index (0019) without GIN's pending list ("fastupdate"). With it, new
# entries wait in an unsorted list that every search reads in full until a vacuum merges them:
# after 20,000 names were written, each name search read 176 pages of it (8-28 ms instead of
# under 1 ms), and the planner, seeing the cost, read every prospect instead. Names are written
# by imports and admins, far less often than they are searched (every notes search looks them
# up). The URN index keeps its list: the sync inserts URNs, one by one they would cost it a
# second per 100,000 notes; recruiter.search merges that list in bulk after each sync instead.

from __future__ import annotations

from django.db import migrations

INDEX = "prospect_name_trgm"


def _set_fastupdate(value: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        # IF EXISTS: 0019 creates none where pg_trgm is not available.
        schema_editor.execute(f"ALTER INDEX IF EXISTS {INDEX} SET (fastupdate = {value})")
        if value == "off":
            # What is pending already is merged now (NULL, a no-op, without the index).
            schema_editor.execute("SELECT gin_clean_pending_list(to_regclass(%s))", [INDEX])

    return run


class Migration(migrations.Migration):
    dependencies = [("recruiter", "0019_prospect_name_trigrams")]

    operations = [migrations.RunPython(_set_fastupdate("off"), _set_fastupdate("on"))]
