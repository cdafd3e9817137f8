"""Recommendation requests: the records, who may change what, and the demo requests."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from sandbox.errors import NOT_PENDING, ApiError, forbidden, unprocessable

# The seed's enum, verbatim.
RELATIONSHIPS = frozenset(
    {
        "RECOMMENDER_MANAGED_RECOMMENDEE",
        "RECOMMENDER_REPORTED_TO_RECOMMENDEE",
        "RECOMMENDER_SENIOR_THAN_RECOMMENDEE",
        "RECOMMENDEE_SENIOR_THAN_RECOMMENDER",
        "WORKED_IN_SAME_GROUP",
        "WORKED_IN_DIFFERENT_GROUPS",
        "WORKED_IN_DIFFERENT_COMPANIES",
        "RECOMMENDEE_IS_CLIENT_OF_RECOMMENDER",
        "RECOMMENDER_IS_CLIENT_OF_RECOMMENDEE",
        "RECOMMENDER_TAUGHT_RECOMMENDEE",
        "RECOMMENDER_ADVISED_RECOMMENDEE",
        "RECOMMENDER_STUDIED_WITH_RECOMMENDEE",
    }
)
CREATE_FIELDS = frozenset(
    {
        "notification",
        "requestee",
        "previousRecommendation",
        "requesteeEntity",
        "requesterEntity",
        "relationship",
    }
)
# The seed's update page lists exactly these as changeable.
PATCH_FIELDS = frozenset(
    {"status", "notification", "relationship", "requesteeEntity", "previousRecommendation"}
)
REQUESTEE_STATUSES = frozenset({"ACCEPTED", "DECLINED"})
REQUESTER_STATUSES = frozenset({"WITHDRAWN"})
KEY_RE = re.compile(r"urn:li:recommendationRequest:\((urn:li:person:[^,()]+),(\d{1,18})\)")
PERSON_RE = re.compile(r"urn:li:person:[^\s,()]+")
FIRST_ID = 267250


@dataclass
class RecRequest:
    id: int
    requester: str
    requestee: str
    status: str
    created: int
    last_modified: int
    notification: dict[str, str] | None = None
    relationship: str | None = None
    requester_entity: str | None = None
    requestee_entity: str | None = None
    previous_recommendation: str | None = None
    num_requests: int = 1

    @property
    def key(self) -> str:
        return f"urn:li:recommendationRequest:({self.requester},{self.id})"

    def to_json(self) -> dict[str, Any]:
        """The request as LinkedIn reads it back (GET, BATCH_GET and both finders).

        None of the seed's samples carries ``notification``: the subject and message exist
        only in what the requester sent, so they are kept here but never read back.
        """
        data: dict[str, Any] = {
            "created": self.created,
            "id": self.id,
            "lastModified": self.last_modified,
            "numRequests": self.num_requests,
            "requestee": self.requestee,
            "requester": self.requester,
            "status": self.status,
        }
        optional = {
            "previousRecommendation": self.previous_recommendation,
            "relationship": self.relationship,
            "requesteeEntity": self.requestee_entity,
            "requesterEntity": self.requester_entity,
        }
        data.update({k: v for k, v in optional.items() if v is not None})
        return dict(sorted(data.items()))


def parse_key(key: str) -> tuple[str, int] | None:
    match = KEY_RE.fullmatch(key)
    return (match.group(1), int(match.group(2))) if match else None


class RecStore:
    def __init__(self, base_time_ms: int) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[tuple[str, int], RecRequest] = {}
        self._next_id = FIRST_ID
        self._clock_ms = base_time_ms
        self._seed_demo(base_time_ms)

    def _seed_demo(self, base: int) -> None:
        """Requests between the demo members, one per interesting status.

        ARCHIVED is in no list LinkedIn publishes: it is here so clients prove they keep an
        unknown status instead of failing on it.
        """
        hour = 3_600_000
        demo = (
            ("bob02", "alice01", "PENDING", "WORKED_IN_SAME_GROUP", True),
            ("carol03", "alice01", "PENDING", None, False),
            ("alice01", "bob02", "PENDING", "RECOMMENDER_MANAGED_RECOMMENDEE", True),
            ("alice01", "carol03", "ACCEPTED", None, False),
            ("bob02", "carol03", "DECLINED", "WORKED_IN_DIFFERENT_COMPANIES", False),
            ("carol03", "bob02", "ARCHIVED", None, False),
            ("alice01", "bob02", "WITHDRAWN", None, True),
            ("bob02", "alice01", "POSITION_DELETED", None, True),
            ("zoe04", "alice01", "FULFILLED", "RECOMMENDER_TAUGHT_RECOMMENDEE", False),
        )
        for n, (requester, requestee, status, relationship, entities) in enumerate(demo):
            at = base - (len(demo) - n) * 7 * hour
            req = RecRequest(
                id=self._take_id(),
                requester=f"urn:li:person:{requester}",
                requestee=f"urn:li:person:{requestee}",
                status=status,
                created=at,
                last_modified=at if status == "PENDING" else at + 2 * hour,
                notification={
                    "subject": "Recommendation request",
                    "message": f"Hi! Could you write me a recommendation? ({n + 1}) 🙏",
                },
                relationship=relationship,
            )
            if entities:
                req.requester_entity = f"urn:li:position:({req.requester},{40170411 + n})"
                req.requestee_entity = f"urn:li:position:({req.requestee},{40855915 + n})"
            self._by_key[(req.requester, req.id)] = req

    def _take_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _tick(self, after: int) -> int:
        self._clock_ms = max(int(time.time() * 1000), self._clock_ms + 1, after + 1)
        return self._clock_ms

    def all(self) -> list[RecRequest]:
        with self._lock:
            return list(self._by_key.values())

    def get(self, key: str) -> RecRequest | None:
        parsed = parse_key(key)
        with self._lock:
            return None if parsed is None else self._by_key.get(parsed)

    def create(self, requester: str, body: dict[str, Any]) -> RecRequest:
        """Validate a CREATE body as LinkedIn would (422 for a bad entity) and store it."""
        _check_fields(body, CREATE_FIELDS)
        requestee = body.get("requestee")
        if not isinstance(requestee, str) or not PERSON_RE.fullmatch(requestee):
            raise unprocessable("requestee is required and must be a person URN")
        if requestee == requester:
            raise unprocessable("requestee must differ from the requester")
        if "notification" not in body:
            raise unprocessable("notification is required")
        _check_values(body)
        with self._lock:
            now = self._tick(0)
            req = RecRequest(
                id=self._take_id(),
                requester=requester,
                requestee=requestee,
                status="PENDING",
                created=now,
                last_modified=now,
                notification=dict(body["notification"]),
                relationship=body.get("relationship"),
                requester_entity=body.get("requesterEntity"),
                requestee_entity=body.get("requesteeEntity"),
                previous_recommendation=body.get("previousRecommendation"),
            )
            self._by_key[(requester, req.id)] = req
        return req

    def find(
        self, member: str, as_requester: bool, statuses: list[str], entities: list[str]
    ) -> list[RecRequest]:
        """The member's received (or sent) requests with one of the statuses, newest first."""
        wanted = set(statuses)
        with self._lock:
            found = [
                r
                for r in self._by_key.values()
                if (r.requester if as_requester else r.requestee) == member
                and r.status in wanted
                and (not entities or {r.requester_entity, r.requestee_entity} & set(entities))
            ]
        return sorted(found, key=lambda r: (r.created, r.id), reverse=True)

    def update(self, key: str, actor: str, changes: dict[str, Any]) -> RecRequest:
        """Apply a PARTIAL_UPDATE $set by `actor`; raise ApiError for what LinkedIn refuses."""
        req = self.get(key)
        if req is None:
            raise ApiError(404, f"recommendationRequest {key} does not exist")
        if actor not in (req.requester, req.requestee):
            raise forbidden("Not enough permissions to access: only its requester or requestee")
        _check_fields(changes, PATCH_FIELDS)
        _check_values(changes)
        _check_role(req, actor, changes)
        with self._lock:
            if req.status != "PENDING":
                message = f"recommendationRequest is no longer pending (status {req.status})"
                raise ApiError(409, message, NOT_PENDING)
            if not changes:
                return req
            _apply(req, changes)
            req.last_modified = self._tick(req.last_modified)
        return req


def _check_role(req: RecRequest, actor: str, changes: dict[str, Any]) -> None:
    """The requestee answers (ACCEPTED/DECLINED); the requester withdraws or edits."""
    if actor == req.requestee and set(changes) - {"status"}:
        raise forbidden("the requestee may only change the status")
    if "status" not in changes:
        return
    allowed = REQUESTER_STATUSES if actor == req.requester else REQUESTEE_STATUSES
    if changes["status"] not in allowed:
        role = "requester" if actor == req.requester else "requestee"
        raise forbidden(f"the {role} may not set status {changes['status']}")


def _check_fields(body: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise unprocessable(f"unrecognized or read-only field(s): {', '.join(unknown)}")


def _check_values(body: dict[str, Any]) -> None:
    if "notification" in body:
        note = body["notification"]
        if not isinstance(note, dict) or set(note) != {"message", "subject"}:
            raise unprocessable("notification must have exactly 'message' and 'subject'")
        if not all(isinstance(v, str) and v for v in note.values()):
            raise unprocessable("notification.message and notification.subject must be text")
    relationship = body.get("relationship")
    if relationship is not None and relationship not in RELATIONSHIPS:
        raise unprocessable(f"relationship {relationship!r} is not a known value")
    for name in ("previousRecommendation", "requesteeEntity", "requesterEntity"):
        value = body.get(name)
        if value is not None and not (isinstance(value, str) and value.startswith("urn:li:")):
            raise unprocessable(f"{name} must be a URN")
    if "status" in body and not isinstance(body["status"], str):
        raise unprocessable("status must be text")


_ATTRS = {
    "status": "status",
    "notification": "notification",
    "relationship": "relationship",
    "requesteeEntity": "requestee_entity",
    "previousRecommendation": "previous_recommendation",
}


def _apply(req: RecRequest, changes: dict[str, Any]) -> None:
    for field_name, value in changes.items():
        setattr(req, _ATTRS[field_name], value)
