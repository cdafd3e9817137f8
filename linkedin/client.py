"""The LinkedIn API client: prospect notes, recommendation requests and the member's identity.

Every method raises LinkedInError (or its subclasses AuthError and ConflictError) on failure,
after retrying what is worth retrying.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import requests

from .errors import LinkedInError, error_from_payload
from .records import (
    SEAT_STATES,
    BatchResult,
    Page,
    Paging,
    ProspectNote,
    RecommendationRequest,
    SeatHolder,
)
from .restli import decode_reduced, encode_path_key
from .retry import RetryPolicy
from .transport import ClientStats, TokenSource, Transport

__all__ = ["DEFAULT_API_BASE_URL", "LinkedInClient"]

T = TypeVar("T")

DEFAULT_API_BASE_URL = "https://api.linkedin.com/v2"

# X-RestLi-Method values, spelled as Rest.li's own client sends them (servers read them
# case-insensitively). Only the batch write methods require the header; it is harmless on the
# others and makes the request log say what each call was.
GET = "get"
BATCH_GET = "batch_get"
FINDER = "finder"
CREATE = "create"
PARTIAL_UPDATE = "partial_update"

_REQUESTS = "/recommendationRequest"

# Python keyword → field of the recommendation request record, for partial updates.
_UPDATE_FIELDS = {
    "status": "status",
    "relationship": "relationship",
    "requestee_entity": "requesteeEntity",
    "previous_recommendation": "previousRecommendation",
}


class LinkedInClient:
    """A client for one API base URL and one token source.

    ``token`` is a fixed access token, a callable returning the current one, or
    ClientCredentials. On a 401 the client invalidates ClientCredentials' cached token and
    calls ``on_unauthorized`` (to refresh a member's token, say), then tries once more; a
    second 401 raises AuthError. A client holds one requests.Session: use one client per
    thread.
    """

    #: Ids per BATCH_GET call. Tunnelling would carry more, but smaller batches keep each
    #: answer and each retry small.
    batch_get_size = 100

    def __init__(
        self,
        api_base_url: str,
        token: TokenSource,
        *,
        on_unauthorized: Callable[[], None] | None = None,
        timeout: float | tuple[float, float] = (3.05, 30.0),
        retry: RetryPolicy | None = None,
        user_agent: str = "linkedin-recruiter-dashboard/0.1",
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._transport = Transport(
            api_base_url,
            token,
            on_unauthorized=on_unauthorized,
            timeout=timeout,
            retry=retry if retry is not None else RetryPolicy(),
            user_agent=user_agent,
            session=session,
            sleep=sleep,
            clock=clock,
        )

    @property
    def stats(self) -> ClientStats:
        """Counters of calls, retries and answers per status since the client was made."""
        return self._transport.stats

    @property
    def session(self) -> requests.Session:
        return self._transport.session

    @property
    def api_base_url(self) -> str:
        return self._transport.api_base_url

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> LinkedInClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- prospect notes ------------------------------------------------------------------

    def iter_prospect_note_pages(
        self,
        contract: str,
        *,
        owners: Sequence[str] | None = None,
        before: int | None = None,
        cutoff: int | None = None,
        count: int = 100,
    ) -> Iterator[Page[ProspectNote]]:
        """Yield the pages of a contract's prospect notes, one request per page.

        ``before`` is beforeDate (inclusive), ``cutoff`` is cutoffDate (exclusive), both epoch
        milliseconds. An empty ``owners`` means no owner filter.
        """
        params: dict[str, Any] = {"q": "criteria", "contract": contract}
        if owners:
            params["owners"] = list(owners)
        params["beforeDate"] = before
        params["cutoffDate"] = cutoff
        return self._iter_pages("/prospectNotes", params, ProspectNote.from_json, count)

    def iter_prospect_notes(
        self,
        contract: str,
        *,
        owners: Sequence[str] | None = None,
        before: int | None = None,
        cutoff: int | None = None,
        count: int = 100,
    ) -> Iterator[ProspectNote]:
        """Yield a contract's prospect notes, page after page, as LinkedIn sends them."""
        for page in self.iter_prospect_note_pages(
            contract, owners=owners, before=before, cutoff=cutoff, count=count
        ):
            yield from page.elements

    # -- seat holders --------------------------------------------------------------------

    def iter_seat_holders(
        self,
        contracts: Sequence[str],
        *,
        states: Sequence[str] | None = SEAT_STATES,
        count: int = 100,
    ) -> Iterator[SeatHolder]:
        """Yield the seats of the contracts and who holds them (seatsV2, ``q=attributes``).

        LinkedIn's page: a request without ``start`` fails and one without ``count`` answers
        10 elements, so both are always sent (the paging walk does). Every state by default,
        so that a seat that became INACTIVE is seen as such rather than as gone; ``None``
        sends no state filter.
        """
        params: dict[str, Any] = {"q": "attributes", "contracts": list(contracts)}
        if states:
            params["states"] = list(states)
        for page in self._iter_pages("/seatsV2", params, SeatHolder.from_json, count):
            yield from page.elements

    # -- recommendation requests ---------------------------------------------------------

    def create_recommendation_request(
        self,
        *,
        requestee: str,
        subject: str,
        message: str,
        relationship: str | None = None,
        requester_entity: str | None = None,
        requestee_entity: str | None = None,
        previous_recommendation: str | None = None,
    ) -> str:
        """Ask ``requestee`` for a recommendation on behalf of the token's member.

        Return the new request's URN, read from the X-RestLi-Id header.
        """
        body: dict[str, Any] = {
            "notification": {"message": message, "subject": subject},
            "requestee": requestee,
        }
        optional = {
            "relationship": relationship,
            "requesterEntity": requester_entity,
            "requesteeEntity": requestee_entity,
            "previousRecommendation": previous_recommendation,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        response, _ = self._transport.call(
            "POST", _REQUESTS, restli_method=CREATE, json_body=body, idempotent=False
        )
        header = response.headers.get("X-RestLi-Id")
        if not header:
            raise LinkedInError(
                "created, but the answer has no X-RestLi-Id header",
                status=response.status_code,
                transient=False,
            )
        urn = decode_reduced(header)
        if not isinstance(urn, str):
            raise LinkedInError(
                f"X-RestLi-Id is not a URN: {header!r}",
                status=response.status_code,
                transient=False,
            )
        return urn

    def get_recommendation_request(self, urn: str) -> RecommendationRequest:
        """Fetch one recommendation request by its URN."""
        _, payload = self._transport.call(
            "GET", f"{_REQUESTS}/{encode_path_key(urn)}", restli_method=GET
        )
        return self._parse(RecommendationRequest.from_json, payload, urn=urn)

    def batch_get_recommendation_requests(self, urns: Iterable[str]) -> BatchResult:
        """Fetch many requests at once; each URN ends up in ``results`` or in ``errors``."""
        wanted = list(dict.fromkeys(urns))
        results: dict[str, RecommendationRequest] = {}
        errors: dict[str, LinkedInError] = {}
        for i in range(0, len(wanted), self.batch_get_size):
            chunk = wanted[i : i + self.batch_get_size]
            _, payload = self._transport.call(
                "GET", _REQUESTS, params={"ids": chunk}, restli_method=BATCH_GET
            )
            payload = payload if isinstance(payload, dict) else {}
            for key, entity in _mapping(payload.get("results")).items():
                urn = _decode_key(key)
                results[urn] = self._parse(RecommendationRequest.from_json, entity, urn=urn)
            for key, body in _mapping(payload.get("errors")).items():
                urn = _decode_key(key)
                errors[urn] = error_from_payload(body, None) or LinkedInError(
                    f"BATCH_GET error: {body!r}", status=None, transient=False
                )
            for urn in chunk:
                if urn not in results and urn not in errors:
                    errors[urn] = LinkedInError("missing from the BATCH_GET answer", status=404)
        return BatchResult(results, errors)

    def iter_received_requests(
        self, status_filters: Sequence[str], *, count: int = 50
    ) -> Iterator[RecommendationRequest]:
        """Yield the requests the token's member received, with one of the given statuses."""
        params = {"q": "recipient", "statusFilters": list(status_filters)}
        for page in self._iter_pages(_REQUESTS, params, RecommendationRequest.from_json, count):
            yield from page.elements

    def iter_sent_requests(
        self,
        status_filters: Sequence[str],
        entity_filters: Sequence[str] = (),
        *,
        count: int = 50,
    ) -> Iterator[RecommendationRequest]:
        """Yield the requests the token's member sent, optionally only for some positions."""
        params: dict[str, Any] = {"q": "requester", "statusFilters": list(status_filters)}
        if entity_filters:
            params["entityFilters"] = list(entity_filters)
        for page in self._iter_pages(_REQUESTS, params, RecommendationRequest.from_json, count):
            yield from page.elements

    def update_recommendation_request(self, urn: str, **fields: Any) -> None:
        """Change fields of a request (PARTIAL_UPDATE); raise ConflictError on 409.

        Keywords: status, relationship, requestee_entity, previous_recommendation, and
        notification_subject with notification_message (both together, since LinkedIn
        replaces the whole notification).
        """
        patch = _update_patch(fields)
        self._transport.call(
            "POST",
            f"{_REQUESTS}/{encode_path_key(urn)}",
            restli_method=PARTIAL_UPDATE,
            json_body={"patch": {"$set": patch}},
        )

    # -- the member ----------------------------------------------------------------------

    def userinfo(self) -> dict[str, Any]:
        """The OpenID userinfo of the token's member (``sub``, ``name``, ...)."""
        _, payload = self._transport.call("GET", "/userinfo")
        if not isinstance(payload, dict):
            raise LinkedInError("userinfo answer is not a JSON object", status=200, transient=False)
        return payload

    def person_urn(self) -> str:
        """The token's member as ``urn:li:person:<sub>``."""
        sub = self.userinfo().get("sub")
        if not isinstance(sub, str) or not sub:
            raise LinkedInError("userinfo answer has no 'sub'", status=200, transient=False)
        return f"urn:li:person:{sub}"

    # -- paging --------------------------------------------------------------------------

    def _iter_pages(
        self,
        path: str,
        params: Mapping[str, Any],
        parse: Callable[[dict[str, Any]], T],
        count: int,
    ) -> Iterator[Page[T]]:
        """Walk a finder collection page by page, following the paging LinkedIn answered.

        LinkedIn may cap ``count`` (ask 500, get 100), so the next start is the answered
        start plus the elements received, not what we asked. We do not follow the ``next``
        link itself: the seed's link is Rest.li 1.0-encoded (``owners=urn%3A...`` without
        List()) and would drop our own encoding. The walk ends on an empty page, a page
        shorter than the answered count, ``start + count >= total`` when a total is given,
        and otherwise when the links carry no ``next``.
        """
        start = 0
        while True:
            _, payload = self._transport.call(
                "GET", path, params={**params, "start": start, "count": count}, restli_method=FINDER
            )
            raw = payload.get("elements") if isinstance(payload, dict) else None
            if not isinstance(raw, list):
                raise LinkedInError(
                    f"{path} answer has no elements list", status=200, transient=False
                )
            paging_json = payload.get("paging")
            paging = Paging.from_json(
                paging_json if isinstance(paging_json, dict) else None, start=start, count=count
            )
            try:
                elements = [parse(element) for element in raw]
            except (TypeError, ValueError, AttributeError) as exc:
                raise LinkedInError(
                    f"unreadable element in {path}: {exc}", status=200, transient=False
                ) from None
            yield Page(elements, paging)
            received = len(raw)
            if received == 0 or received < paging.count:
                return
            if paging.total is not None:
                if paging.start + paging.count >= paging.total:
                    return
            elif paging.has_links and paging.next_href is None:
                return
            next_start = paging.start + received
            if next_start <= start:
                raise LinkedInError(
                    f"{path} paging did not advance past start={start}", status=200, transient=False
                )
            start = next_start

    @staticmethod
    def _parse(parse: Callable[..., T], payload: Any, **kwargs: Any) -> T:
        try:
            return parse(payload, **kwargs)
        except (TypeError, ValueError, AttributeError) as exc:
            raise LinkedInError(f"unreadable answer: {exc}", status=200, transient=False) from None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _decode_key(key: str) -> str:
    decoded = decode_reduced(key)
    return decoded if isinstance(decoded, str) else key


def _update_patch(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(_UPDATE_FIELDS) - {"notification_subject", "notification_message"}
    if unknown:
        raise TypeError(f"unknown recommendation request field(s): {', '.join(sorted(unknown))}")
    # None means "leave as is", as it does for create; LinkedIn has no use for explicit nulls.
    patch = {
        _UPDATE_FIELDS[k]: v for k, v in fields.items() if k in _UPDATE_FIELDS and v is not None
    }
    subject = fields.get("notification_subject")
    message = fields.get("notification_message")
    if (subject is None) != (message is None):
        raise ValueError("notification_subject and notification_message go together")
    if subject is not None:
        patch["notification"] = {"subject": subject, "message": message}
    if not patch:
        raise ValueError("nothing to update")
    return patch
