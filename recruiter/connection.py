"""Test connection: does a contract's LinkedIn access work, said in words an admin can act on.

One test gets a fresh client-credentials token with the contract's credentials and makes one
small call of each kind the sync makes (the notes of the last 12 hours, a page of seat holders),
then records the outcome (works, credentials refused, no RSC access to the contract, LinkedIn
did not answer) on the contract's ConnectionCheck. It writes no notes and no seats.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from django.conf import settings
from django.utils import timezone

from linkedin import ClientCredentials, LinkedInClient, LinkedInError, RetryPolicy
from recruiter.linkedin import USER_AGENT
from recruiter.models import ConnectionCheck, Contract
from recruiter.sync import to_ms

logger = logging.getLogger(__name__)

Outcome = ConnectionCheck.Outcome

WINDOW = timedelta(hours=12)  # LinkedIn's longest range per notes call
NOTE_PAGES = 5  # enough to say "about how busy", few enough to stay a small call
PAGE_SIZE = 100
# An admin is waiting on the page: one retry of a transient failure, a few seconds at most.
RETRY = RetryPolicy(max_attempts=2, max_total_seconds=5.0, base_delay=0.5, max_delay=2.0)
TIMEOUT = (3.05, 10.0)


@dataclass(frozen=True)
class Finding:
    outcome: str
    message: str
    request_id: str = ""
    notes: int | None = None
    seats: int | None = None


def check_connection(contract: Contract, *, now: datetime | None = None) -> ConnectionCheck:
    """Test the contract's LinkedIn access and record the outcome (replacing the last one)."""
    now = now or timezone.now()
    finding = _probe(contract, now)
    if finding.outcome != Outcome.WORKS:
        # A refused secret during onboarding is the admin's to fix: logged, never a traceback.
        logger.error("test connection of %s: %s", contract.urn, finding.message)
    check, _ = ConnectionCheck.objects.update_or_create(
        contract=contract,
        defaults={
            "outcome": finding.outcome,
            "message": finding.message,
            "request_id": finding.request_id,
            "notes_seen": finding.notes,
            "seats_seen": finding.seats,
            "checked_at": now,
        },
    )
    return check


def _probe(contract: Contract, now: datetime) -> Finding:
    client_id, client_secret = contract.credentials()
    if not client_id or not client_secret:
        return Finding(
            Outcome.REFUSED,
            "No credentials to test: enter the child application's client id and secret "
            "(or set the site's LINKEDIN_CLIENT_ID and LINKEDIN_CLIENT_SECRET).",
        )
    credentials = ClientCredentials(
        settings.LINKEDIN_OAUTH_BASE_URL, client_id, client_secret, timeout=TIMEOUT
    )
    # A token cached from the credentials as they were would prove nothing about these.
    credentials.invalidate()
    try:
        credentials.token()
    except LinkedInError as exc:
        return _refused(exc, "the token endpoint")
    with LinkedInClient(
        settings.LINKEDIN_API_BASE_URL,
        credentials,
        timeout=TIMEOUT,
        retry=RETRY,
        user_agent=USER_AGENT,
    ) as client:
        try:
            notes = _count_notes(client, contract.urn, now)
        except LinkedInError as exc:
            return _api_failure(exc, contract, "the notes")
        try:
            seats, active = _count_seats(client, contract.urn)
        except LinkedInError as exc:
            return _api_failure(exc, contract, "the seat holders")
    return Finding(Outcome.WORKS, _works_message(notes, seats, active), notes=notes, seats=seats)


def _count_notes(client: LinkedInClient, urn: str, now: datetime) -> int:
    before = to_ms(now)
    pages = client.iter_prospect_note_pages(
        urn, before=before, cutoff=before - WINDOW // timedelta(milliseconds=1), count=PAGE_SIZE
    )
    return sum(len(page.elements) for page in islice(pages, NOTE_PAGES))


def _count_seats(client: LinkedInClient, urn: str) -> tuple[int, int]:
    """Seats on the first page of seat holders (every state), and how many are ACTIVE."""
    holders = list(islice(client.iter_seat_holders([urn], count=PAGE_SIZE), PAGE_SIZE))
    return len(holders), sum(1 for holder in holders if holder.state == "ACTIVE")


def _works_message(notes: int, seats: int, active: int) -> str:
    shown_notes = f"{notes:,}+" if notes >= NOTE_PAGES * PAGE_SIZE else f"{notes:,}"
    shown_seats = f"{seats:,}+" if seats >= PAGE_SIZE else f"{seats:,}"
    return (
        f"Works: LinkedIn gave a token and answered; {shown_notes} "
        f"note{'s' if notes != 1 else ''} changed in the last 12 hours; {shown_seats} "
        f"seat{'s' if seats != 1 else ''} ({active:,} active)."
    )


def _refused(exc: LinkedInError, where: str) -> Finding:
    if exc.status is None or exc.transient:
        return _no_answer(exc)
    return Finding(
        Outcome.REFUSED,
        f"LinkedIn refused the credentials at {where}: {exc.message}"
        f"{_status(exc)}. Check the client id and secret of the contract's child application.",
        exc.request_id or "",
    )


def _api_failure(exc: LinkedInError, contract: Contract, what: str) -> Finding:
    if exc.status == 401:
        return _refused(exc, f"the API ({what})")
    if exc.status == 403:
        return Finding(
            Outcome.NO_ACCESS,
            f"The credentials work, but this application has no Recruiter System Connect "
            f"access to {contract.urn} ({what}): {exc.message}{_status(exc)}. Ask LinkedIn to "
            f"enable RSC for this contract, or check the contract URN.",
            exc.request_id or "",
        )
    if exc.status is None or exc.transient:
        return _no_answer(exc)
    return Finding(
        Outcome.FAILED,
        f"LinkedIn answered {what} call with an error: {exc.message}{_status(exc)}.",
        exc.request_id or "",
    )


def _no_answer(exc: LinkedInError) -> Finding:
    return Finding(
        Outcome.FAILED,
        f"LinkedIn did not answer usefully ({exc}); try again in a few minutes.",
        exc.request_id or "",
    )


def _status(exc: LinkedInError) -> str:
    parts = [f"HTTP {exc.status}"] if exc.status is not None else []
    if exc.service_error_code is not None:
        parts.append(f"serviceErrorCode {exc.service_error_code}")
    if exc.request_id:
        parts.append(f"request id {exc.request_id}")
    return f" ({', '.join(parts)})" if parts else ""
