"""Typed records parsed from LinkedIn's JSON at the boundary.

Each record keeps the fields it does not know in ``extra`` (or the whole body in ``raw``) so
that a field LinkedIn adds tomorrow is not lost, and enum-like strings (statuses,
relationships) stay plain strings so an unknown value is shown as it came instead of failing.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .restli import request_urn

if TYPE_CHECKING:
    from .errors import LinkedInError

__all__ = [
    "DELETE_PROSPECT_NOTE",
    "INTEGRATION_STATUS_CHANGE",
    "KNOWN_STATUSES",
    "RECIPIENT_STATUSES",
    "RELATIONSHIPS",
    "REQUESTER_STATUSES",
    "SEEN_IN_QUERY_STATUSES",
    "BatchResult",
    "Page",
    "Paging",
    "ProspectNote",
    "PushEvent",
    "RecommendationRequest",
    "SEAT_STATES",
    "SeatHolder",
    "TokenSet",
]

T = TypeVar("T")

# The relationship enum from the Recommendation Request API page, with labels for people.
# The seed's own descriptions contradict their names in places; the labels follow the names.
RELATIONSHIPS: dict[str, str] = {
    "RECOMMENDER_MANAGED_RECOMMENDEE": "Recommender managed the recommendee directly",
    "RECOMMENDER_REPORTED_TO_RECOMMENDEE": "Recommender reported directly to the recommendee",
    "RECOMMENDER_SENIOR_THAN_RECOMMENDEE": "Recommender was senior to the recommendee",
    "RECOMMENDEE_SENIOR_THAN_RECOMMENDER": "Recommendee was senior to the recommender",
    "WORKED_IN_SAME_GROUP": "Worked in the same group",
    "WORKED_IN_DIFFERENT_GROUPS": "Worked in different groups",
    "WORKED_IN_DIFFERENT_COMPANIES": "Worked at different companies",
    "RECOMMENDEE_IS_CLIENT_OF_RECOMMENDER": "Recommendee was a client of the recommender",
    "RECOMMENDER_IS_CLIENT_OF_RECOMMENDEE": "Recommender was a client of the recommendee",
    "RECOMMENDER_TAUGHT_RECOMMENDEE": "Recommender taught the recommendee",
    "RECOMMENDER_ADVISED_RECOMMENDEE": "Recommender advised the recommendee",
    "RECOMMENDER_STUDIED_WITH_RECOMMENDEE": "Studied together",
}

# statusFilters values the seed lists for the recipient finder and for the requester finder.
RECIPIENT_STATUSES: tuple[str, ...] = (
    "PENDING",
    "DECLINED",
    "FULFILLED",
    "WITHDRAWN",
    "POSITION_DELETED",
)
REQUESTER_STATUSES: tuple[str, ...] = (
    "PENDING",
    "VISIBLE",
    "HIDDEN",
    "WITHDRAWN",
    "REPLACED",
    "CLOSED",
)
# The seed's sample queries filter on ACCEPTED, which neither list names; accepting a request
# sets it. Kept apart so nobody mistakes it for documented.
SEEN_IN_QUERY_STATUSES: tuple[str, ...] = ("ACCEPTED",)
KNOWN_STATUSES: tuple[str, ...] = tuple(
    dict.fromkeys(RECIPIENT_STATUSES + REQUESTER_STATUSES + SEEN_IN_QUERY_STATUSES)
)


def _require_int(d: dict[str, Any], key: str, what: str) -> int:
    value = d.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} has no integer {key!r}: {value!r}")
    return value


def _opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


_NOTE_FIELDS = frozenset(
    ("id", "contract", "owner", "member", "note", "created", "lastModified", "active")
)


@dataclass(frozen=True, slots=True)
class ProspectNote:
    """A Recruiter note about a prospect. ``active`` False means deleted on LinkedIn."""

    id: int
    contract: str
    owner: str
    member: str
    note: str
    created: int
    last_modified: int
    active: bool
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ProspectNote:
        """Parse one element of a prospectNotes page; raise ValueError without an integer id.

        A missing lastModified falls back to created, a missing ``active`` to True (not
        deleted as far as we can tell).
        """
        note_id = d.get("id")
        if type(note_id) is not int:
            note_id = _require_int(d, "id", "prospect note")
        created = d.get("created")
        if type(created) is not int:
            created = 0
        modified = d.get("lastModified")
        if type(modified) is not int:
            modified = created
        # The keys-view comparison runs in C; most notes have no unknown field to copy.
        extra = (
            {}
            if d.keys() <= _NOTE_FIELDS
            else {k: v for k, v in d.items() if k not in _NOTE_FIELDS}
        )
        return cls(
            note_id,
            d.get("contract") or "",
            d.get("owner") or "",
            d.get("member") or "",
            d.get("note") or "",
            created,
            modified,
            d.get("active", True) is not False,
            extra,
        )


# The seat states LinkedIn's seat holders page lists; an unknown one is kept as it came.
SEAT_STATES: tuple[str, ...] = ("ACTIVE", "INACTIVE", "INVITED", "PARKED")
_SEAT_FIELDS = frozenset(
    ("id", "firstName", "lastName", "contract", "member", "state", "seatRoles")
)
_SEAT_PREFIX = "urn:li:seat:"


@dataclass(frozen=True, slots=True)
class SeatHolder:
    """A Recruiter seat and who holds it (seatsV2). ``id`` is the seat id of the notes' owner
    URNs; ``member`` is the holder's person URN, the key to match a site user by."""

    id: int
    first_name: str
    last_name: str
    contract: str
    member: str
    state: str
    roles: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def urn(self) -> str:
        return f"{_SEAT_PREFIX}{self.id}"

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SeatHolder:
        """Parse one seatsV2 element; raise ValueError without a seat id.

        The id is taken as an integer, or as a seat URN or digits in a string, since the page
        names it only as "the Seat ID".
        """
        seat_id = _seat_id(d.get("id"))
        if seat_id is None:
            raise ValueError(f"seat holder has no seat id: {d.get('id')!r}")
        roles = d.get("seatRoles")
        return cls(
            id=seat_id,
            first_name=_opt_str(d.get("firstName")) or "",
            last_name=_opt_str(d.get("lastName")) or "",
            contract=_opt_str(d.get("contract")) or "",
            member=_opt_str(d.get("member")) or "",
            state=_opt_str(d.get("state")) or "",
            roles=tuple(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else (),
            extra={k: v for k, v in d.items() if k not in _SEAT_FIELDS},
        )


def _seat_id(value: Any) -> int | None:
    if isinstance(value, str):
        value = value.removeprefix(_SEAT_PREFIX)
        return int(value) if value.isascii() and value.isdigit() else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


@dataclass(frozen=True, slots=True)
class Paging:
    """The paging block of a collection page. ``total`` is often absent."""

    start: int
    count: int
    total: int | None
    next_href: str | None
    has_links: bool = False

    @classmethod
    def from_json(cls, d: dict[str, Any] | None, *, start: int = 0, count: int = 10) -> Paging:
        """Parse ``paging``; ``start`` and ``count`` are what we asked, used when it omits them."""
        d = d or {}
        links = d.get("links")
        next_href = None
        if isinstance(links, list):
            for link in links:
                if isinstance(link, dict) and link.get("rel") == "next":
                    next_href = _opt_str(link.get("href"))
                    break
        server_start = _opt_int(d.get("start"))
        server_count = _opt_int(d.get("count"))
        return cls(
            start=start if server_start is None else server_start,
            count=count if server_count is None else server_count,
            total=_opt_int(d.get("total")),
            next_href=next_href,
            has_links=isinstance(links, list),
        )


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a collection, elements already parsed."""

    elements: list[T]
    paging: Paging


_REQUEST_FIELDS = frozenset(
    (
        "id",
        "requester",
        "requestee",
        "status",
        "relationship",
        "requesterEntity",
        "requesteeEntity",
        "previousRecommendation",
        "notification",
        "numRequests",
        "created",
        "lastModified",
    )
)


@dataclass(frozen=True, slots=True)
class RecommendationRequest:
    """A recommendation request; ``status`` is kept as sent, known to us or not."""

    urn: str | None
    id: int
    requester: str
    requestee: str
    status: str
    relationship: str | None = None
    requester_entity: str | None = None
    requestee_entity: str | None = None
    previous_recommendation: str | None = None
    notification_subject: str | None = None
    notification_message: str | None = None
    num_requests: int | None = None
    created: int | None = None
    last_modified: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_json(cls, d: dict[str, Any], *, urn: str | None = None) -> RecommendationRequest:
        """Parse a request entity; ``urn`` is the key it came under, else built from the body.

        Raise ValueError when the id or the requester is missing.
        """
        if not isinstance(d, dict):
            raise ValueError(f"recommendation request is not an object: {d!r}")
        request_id = _require_int(d, "id", "recommendation request")
        requester = d.get("requester")
        if not isinstance(requester, str) or not requester:
            raise ValueError(f"recommendation request {request_id} has no requester")
        notification = d.get("notification")
        notification = notification if isinstance(notification, dict) else {}
        return cls(
            urn=urn or request_urn(requester, request_id),
            id=request_id,
            requester=requester,
            requestee=_opt_str(d.get("requestee")) or "",
            status=_opt_str(d.get("status")) or "",
            relationship=_opt_str(d.get("relationship")),
            requester_entity=_opt_str(d.get("requesterEntity")),
            requestee_entity=_opt_str(d.get("requesteeEntity")),
            previous_recommendation=_opt_str(d.get("previousRecommendation")),
            notification_subject=_opt_str(notification.get("subject")),
            notification_message=_opt_str(notification.get("message")),
            num_requests=_opt_int(d.get("numRequests")),
            created=_opt_int(d.get("created")),
            last_modified=_opt_int(d.get("lastModified")),
            extra={k: v for k, v in d.items() if k not in _REQUEST_FIELDS},
        )

    @property
    def relationship_label(self) -> str | None:
        """A readable relationship; an unknown enum value is shown as it came."""
        if self.relationship is None:
            return None
        return RELATIONSHIPS.get(self.relationship, self.relationship)


@dataclass(frozen=True)
class BatchResult:
    """A BATCH_GET answer: every requested URN is in exactly one of the two maps."""

    results: dict[str, RecommendationRequest]
    errors: dict[str, LinkedInError]


DELETE_PROSPECT_NOTE = "DELETE_PROSPECT_NOTE"
# Sent when a customer enables or disables the integration (talent/receive-push-events).
INTEGRATION_STATUS_CHANGE = "INTEGRATION_STATUS_CHANGE"
_CONTRACT_PREFIX = "urn:li:contract:"


@dataclass(frozen=True)
class PushEvent:
    """A push event LinkedIn POSTed to our callback, checked but otherwise as sent."""

    type: str
    prospect_note_id: int | None
    integration_context: str | None
    raw: dict[str, Any]

    @classmethod
    def parse(cls, body: bytes) -> PushEvent:
        """Parse and check a push event body; raise ValueError saying what is wrong.

        The seed sends ``prospectNoteId`` as a JSON string ("1323073443"), so digits in a
        string are accepted as well as a number. Event types we do not know are parsed
        leniently so the caller can acknowledge and ignore them.
        """
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"push event body is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError(f"push event body is a JSON {type(data).__name__}, not an object")
        event_type = data.get("type")
        if not isinstance(event_type, str) or not event_type:
            raise ValueError("push event has no 'type'")
        note_id = _note_id(data.get("prospectNoteId"))
        context = _opt_str(data.get("integrationContext"))
        if event_type == DELETE_PROSPECT_NOTE:
            if note_id is None:
                raise ValueError(
                    "DELETE_PROSPECT_NOTE needs an integer prospectNoteId, got "
                    f"{data.get('prospectNoteId')!r}"
                )
            if context is None or not _is_contract_urn(context):
                raise ValueError(
                    "DELETE_PROSPECT_NOTE needs integrationContext as urn:li:contract:<id>, got "
                    f"{data.get('integrationContext')!r}"
                )
        return cls(event_type, note_id, context, data)


def _note_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _is_contract_urn(value: str) -> bool:
    return value.startswith(_CONTRACT_PREFIX) and len(value) > len(_CONTRACT_PREFIX)


@dataclass(frozen=True)
class TokenSet:
    """OAuth tokens with absolute expiry times (epoch seconds). Tokens stay out of repr."""

    access_token: str = field(repr=False)
    expires_at: float
    refresh_token: str | None = field(default=None, repr=False)
    refresh_expires_at: float | None = None
    scope: str | None = None

    @classmethod
    def from_json(cls, d: dict[str, Any], *, now: float | None = None) -> TokenSet:
        """Parse an accessToken answer; raise ValueError without a token or a lifetime."""
        token = d.get("access_token") if isinstance(d, dict) else None
        if not isinstance(token, str) or not token:
            raise ValueError("OAuth answer has no access_token")
        expires_in = d.get("expires_in")
        if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
            raise ValueError("OAuth answer has no numeric expires_in")
        issued = time.time() if now is None else now
        refresh_in = d.get("refresh_token_expires_in")
        refresh_valid = isinstance(refresh_in, int | float) and not isinstance(refresh_in, bool)
        return cls(
            access_token=token,
            expires_at=issued + float(expires_in),
            refresh_token=_opt_str(d.get("refresh_token")) or None,
            refresh_expires_at=issued + float(refresh_in) if refresh_valid else None,
            scope=_opt_str(d.get("scope")),
        )
