"""Search that finds what a recruiter types: accent-insensitive and stemmed (PostgreSQL only).

Two text search configurations, both unaccenting: recruiter_stem (the SEARCH_LANGUAGE's
stemmer and stop words, English by default) and recruiter_simple (every word as written, the
fallback for the words the stemmer drops: "Will", "IT"). A note's vector holds both
(recruiter_note_vector); a query matches the stems, and the words as written where stemming
dropped some (recruiter_term_query), so "interviews" finds "interview", "lodz" finds "Łódź"
and "will" finds "Will". Both functions are IMMUTABLE so that the planner folds a query into a constant
and estimates its matches. The vectors of existing notes are recomputed here: the search reads
only them. `manage.py search_language` changes the language later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import migrations

FUNCTIONS = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION recruiter_stem (COPY = pg_catalog.simple)",
    "CREATE TEXT SEARCH CONFIGURATION recruiter_simple (COPY = pg_catalog.simple)",
    "ALTER TEXT SEARCH CONFIGURATION recruiter_simple ALTER MAPPING FOR "
    "asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH unaccent, simple",
    """
    CREATE FUNCTION recruiter_note_vector(text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN to_tsvector('recruiter_stem'::regconfig, $1)
        || to_tsvector('recruiter_simple'::regconfig, $1)
    """,
    # The stemmed form alone when stemming keeps every word: the same stemmer runs on the
    # note, so the stem matches wherever the word as written would (and one posting list is
    # half the work of two). Where it drops words (stop words: "Will", "IT", "to"), the form
    # as written too.
    """
    CREATE FUNCTION recruiter_term_query(text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE
        WHEN numnode(phraseto_tsquery('recruiter_simple'::regconfig, $1))
            > numnode(phraseto_tsquery('recruiter_stem'::regconfig, $1))
        THEN phraseto_tsquery('recruiter_stem'::regconfig, $1)
            || phraseto_tsquery('recruiter_simple'::regconfig, $1)
        ELSE phraseto_tsquery('recruiter_stem'::regconfig, $1)
    END
    """,
]
WORD_TOKENS = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"
REINDEX = "UPDATE recruiter_prospectnote SET search_vector = recruiter_note_vector(text)"
BACKWARD = [
    "UPDATE recruiter_prospectnote SET search_vector = to_tsvector('simple'::regconfig, text)",
    "DROP FUNCTION IF EXISTS recruiter_term_query(text)",
    "DROP FUNCTION IF EXISTS recruiter_note_vector(text)",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS recruiter_simple",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS recruiter_stem",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FUNCTIONS:
        schema_editor.execute(statement)
    language = getattr(settings, "SEARCH_LANGUAGE", "english")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_dict WHERE dictname = %s", [f"{language}_stem"])
        if cursor.fetchone() is None:
            raise ValueError(f"SEARCH_LANGUAGE: PostgreSQL has no {language}_stem dictionary.")
    schema_editor.execute(
        f"ALTER TEXT SEARCH CONFIGURATION recruiter_stem ALTER MAPPING FOR {WORD_TOKENS} "
        f"WITH unaccent, {language}_stem"
    )
    schema_editor.execute(REINDEX)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("recruiter", "0016_erased_label")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
