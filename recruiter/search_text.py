"""The search box's language, in plain Python: web-search syntax parsed, words folded (accents,
case) and stemmed, note text highlighted, and a note matched against a query.

The syntax is PostgreSQL's websearch_to_tsquery: words must all appear, "quoted words" appear
in that order, -word must not appear, and `or` between two groups of words matches either.
PostgreSQL evaluates it on the stored vectors (recruiter.search); this module gives the same
rules to SQLite (a function the connection registers) and to the highlighting of results.

A word matches a word of the note when both fold to the same letters (unaccented, lower case:
"lodz" finds "Łódź") or to the same stem in the search language ("interviews" finds
"interview"). The unstemmed comparison is the fallback for the words a stemmer drops (stop
words, names among them: "Will", "IT").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WORD = re.compile(r"\w+")
# A quoted phrase, or a run of non-space characters (which may start with "-").
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# Letters NFKD does not take apart (unaccent's rules do).
FOLDS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i"}
)


@dataclass(frozen=True)
class Term:
    """Words that must appear in this order (one word, or a phrase); or must not, if negated."""

    words: tuple[str, ...]
    negated: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.words)


# Groups of terms joined by `or`; within a group, every term must hold.
Query = tuple[tuple[Term, ...], ...]


def fold(word: str) -> str:
    """Lower case without accents: "Łódź" -> "lodz", "Résumé" -> "resume"."""
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(FOLDS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=4)
def _stemmer(language: str):
    return snowballstemmer.stemmer(language)


def stem(folded: str) -> str:
    return _stem(search_language(), folded)


@lru_cache(maxsize=50_000)
def _stem(language: str, folded: str) -> str:
    return _stemmer(language).stemWord(folded)


def search_language() -> str:
    return getattr(settings, "SEARCH_LANGUAGE", "english")


def words_of(text: str) -> list[str]:
    return WORD.findall(text)


@lru_cache(maxsize=256)
def parse(text: str) -> Query:
    """The query of the search box: terms in `or`-separated groups; empty groups dropped."""
    groups: list[list[Term]] = [[]]
    for match in TOKEN.finditer(text):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare.lower() == "or":
                groups.append([])
                continue
            negated, bare = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
        words = tuple(words_of(phrase if phrase is not None else bare))
        if words:
            groups[-1].append(Term(words, negated=bool(negated)))
    return tuple(tuple(group) for group in groups if group)


def positive_words(query: Query) -> set[str]:
    return {word for group in query for term in group if not term.negated for word in term.words}


class _Keys:
    """A word's folded form and its stem, the two ways it can match."""

    __slots__ = ("folded", "stemmed")

    def __init__(self, word: str) -> None:
        self.folded = fold(word)
        self.stemmed = stem(self.folded)

    def matches(self, other: _Keys) -> bool:
        return self.folded == other.folded or self.stemmed == other.stemmed


def _keys(word: str) -> _Keys:
    return _cached_keys(search_language(), word)


@lru_cache(maxsize=50_000)
def _cached_keys(language: str, word: str) -> _Keys:
    return _Keys(word)


def _has_phrase(keys: list[_Keys], phrase: list[_Keys]) -> bool:
    for start in range(len(keys) - len(phrase) + 1):
        if all(keys[start + i].matches(word) for i, word in enumerate(phrase)):
            return True
    return False


def matches(text: str | None, query_text: str | None) -> bool:
    """Whether the note text matches the query (the SQLite fallback of the database search)."""
    query = parse(query_text or "")
    if not query:
        return True
    keys = [_keys(word) for word in words_of(text or "")]
    for group in query:
        if all(_has_phrase(keys, [_keys(w) for w in term.words]) != term.negated for term in group):
            return True
    return False


def highlight(text: str, query_text: str) -> SafeString:
    """The note text, escaped, with every word matching a word of the query in <mark>.

    Each piece of the user's text goes through escape(); only the <mark> tags are ours.
    """
    wanted = [_keys(word) for word in positive_words(parse(query_text))]
    pieces, last = [], 0
    for match in WORD.finditer(text):
        word = _keys(match.group())
        if any(word.matches(other) for other in wanted):
            pieces += [escape(text[last : match.start()]), "<mark>", escape(match.group())]
            pieces.append("</mark>")
            last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 (every piece of text escaped above)
