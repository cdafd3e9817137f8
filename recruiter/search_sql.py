"""The SQL of the PostgreSQL search: a query of the search box as a tsquery expression, and the
search language of the recruiter_stem configuration (migration 0017)."""

from __future__ import annotations

from recruiter.search_text import Query

# One term: its words as a phrase, stemmed or as written (recruiter_term_query, migration 0017).
TERM_SQL = "recruiter_term_query(%s)"
VECTOR_SQL = "recruiter_note_vector({column})"
WORD_TOKENS = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"


class UnknownLanguage(ValueError):
    pass


def tsquery_sql(query: Query) -> tuple[str, list[str]]:
    """The tsquery of a parsed query as SQL with bound parameters (never the user's text in the
    SQL itself); empty SQL for an empty query."""
    groups, params = [], []
    for group in query:
        parts = []
        for term in group:
            parts.append(("!!" if term.negated else "") + TERM_SQL)
            params.append(term.text)
        groups.append("(" + " && ".join(parts) + ")")
    return " || ".join(groups), params


def configure_language(cursor, language: str) -> None:
    """Point recruiter_stem at `language`'s Snowball stemmer and stop words (unaccented)."""
    cursor.execute("SELECT 1 FROM pg_ts_dict WHERE dictname = %s", [f"{language}_stem"])
    if cursor.fetchone() is None:
        raise UnknownLanguage(f"PostgreSQL has no {language}_stem dictionary.")
    # The dictionary name is checked above against the catalogue: safe to put in the SQL.
    cursor.execute(
        f"ALTER TEXT SEARCH CONFIGURATION recruiter_stem ALTER MAPPING FOR {WORD_TOKENS} "
        f"WITH unaccent, {language}_stem"
    )


def configured_language(cursor) -> str | None:
    """The language recruiter_stem stems in now (None before migration 0017)."""
    cursor.execute(
        """
        SELECT d.dictname FROM pg_ts_config_map m
        JOIN pg_ts_config c ON c.oid = m.mapcfg JOIN pg_ts_dict d ON d.oid = m.mapdict
        WHERE c.cfgname = 'recruiter_stem' AND d.dictname LIKE '%%\\_stem' LIMIT 1
        """
    )
    row = cursor.fetchone()
    return row[0].removesuffix("_stem") if row else None
