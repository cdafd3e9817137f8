"""People on the recommendation pages: names where the site knows them, colleagues to ask."""

from __future__ import annotations

from collections.abc import Iterable

from accounts.identity import linked_members, names_of_members
from recommendations.models import RecommendationRequest


def attach_names(requests: Iterable[RecommendationRequest]) -> None:
    """Set ``requester_name`` and ``requestee_name`` ('' when unknown) on each request.

    Two queries for the whole list (accounts.identity.names_of_members): site users' own
    identities, seat holders' names and names LinkedIn gave us.
    """
    requests = list(requests)
    names = names_of_members({urn for r in requests for urn in (r.requester, r.requestee)})
    for request in requests:
        request.requester_name = names.get(request.requester, "")
        request.requestee_name = names.get(request.requestee, "")


def colleagues(own_urn: str) -> list[tuple[str, str]]:
    """The members a user may pick to ask: the site's other users who signed in with LinkedIn."""
    return linked_members(exclude=own_urn)
