"""The name side of the notes search: notes about a prospect, or by a seat holder, whose name
matches the query (recruiter.search owns the text side and ORs this in).

The prospects and seats whose name holds every word of the query are resolved first, two small
queries over the prospect and seat tables, and their ids go into the notes filter as literal
lists: on PostgreSQL each becomes an index scan (owner, -created) or (prospect, -created) that
the planner ORs with the text index, so a name costs no scan of the notes.
"""

from __future__ import annotations

from django.db.models import Q

from recruiter.models import Prospect, Seat

# A query matching more names than this is not a name: "a" is in most of them. Past it the
# name side is left out rather than sending thousands of ids.
MAX_NAMES = 500
OPERATORS = {"or", "and"}


def name_words(query: str) -> list[str]:
    """The query's words as a name search reads them: quotes dropped, no excluded -words."""
    words = [w.strip('"').strip() for w in query.split()]
    return [w for w in words if w and not w.startswith("-") and w.lower() not in OPERATORS]


def names_matching(query: str) -> Q | None:
    """A filter on the notes whose prospect or seat holder is named by every word of the
    query, or None when no name matches (or too many do)."""
    words = name_words(query)
    if not words:
        return None
    prospects, seats = Q(), Q()
    for word in words:
        prospects &= Q(name__icontains=word)
        seats &= Q(name__icontains=word) | Q(holder_name__icontains=word)
    prospect_ids = _ids(Prospect.objects.filter(prospects))
    seat_ids = _ids(Seat.objects.filter(seats))
    condition = Q()
    if prospect_ids:
        condition |= Q(prospect_id__in=prospect_ids)
    if seat_ids:
        condition |= Q(owner_id__in=seat_ids)
    return condition or None


def _ids(queryset) -> list[int]:
    ids = list(queryset.order_by().values_list("pk", flat=True)[: MAX_NAMES + 1])
    return [] if len(ids) > MAX_NAMES else ids
