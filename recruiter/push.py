"""Push events LinkedIn POSTs to a contract's push URL: checked, stored once, applied once.

LinkedIn registers one callback URL per customer and signs each event with the client secret
of the application that serves that customer (Recruiter System Connect gives each contract its
own child application). So each contract has its own URL, /webhooks/linkedin/<push_token>/:
the URL, never the body, decides the contract and so the secret. A signed body that names
another contract in integrationContext is refused. The shared /webhooks/linkedin/ remains for
contracts on the site's own credentials only: it checks the site's secret, and a body naming a
contract with its own credentials is refused there.

The order of the checks, and the answer each gives:
  body over PUSH_MAX_BODY_BYTES        413  (before anything else is looked at)
  not UTF-8 JSON, or not an object     400  (nothing is stored)
  missing or bad X-LI-Signature        401  (nothing is stored)
  signed, but a required field is bad  400  (logged, not stored: LinkedIn sent something new)
  signed, but for another contract     400  (logged, not stored, nothing changed)
  signed and valid                     200  (stored; applied unless it is a repeat)
LinkedIn counts any 2xx as delivered and retries the rest, so an event type we do not handle
is stored and answered 200: retrying it would never help.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from linkedin.records import DELETE_PROSPECT_NOTE, INTEGRATION_STATUS_CHANGE
from linkedin.records import PushEvent as ParsedEvent
from linkedin.signatures import verify_signature
from recruiter.models import Contract, ProspectNote, PushEvent

__all__ = ["PushResult", "contract_for_push_token", "record_push_event", "webhook_secret"]

logger = logging.getLogger(__name__)

# The ids land in BigIntegerField columns: anything wider would make the database raise.
_MAX_ID = 2**63 - 1
# A contract URN we are willing to look up: printable ASCII, no spaces, fits Contract.urn.
_CONTRACT_URN = re.compile(r"urn:li:contract:[!-~]{1,84}")
_EVENT_TYPE_LENGTH = PushEvent._meta.get_field("event_type").max_length
_OUTCOME_LENGTH = PushEvent._meta.get_field("outcome").max_length
_STATUS_LENGTH = Contract._meta.get_field("integration_status").max_length
# What new_push_token makes (43 characters); anything else is not one of our URLs.
_PUSH_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


@dataclass(frozen=True)
class PushResult:
    """What became of one delivery: the HTTP status to answer and a short reason."""

    status: int
    detail: str
    event: PushEvent | None = None
    duplicate: bool = False

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def record_push_event(
    raw_body: bytes, signature_header: str | None, contract: Contract | None = None
) -> PushResult:
    """Check one delivery, store it once and apply it; see the module docstring for the order.

    ``contract`` is the one whose push URL received it; None for the shared URL. Makes no
    outbound call. Raises only on an internal failure (a database error, a programming
    error), never because of what the body or the header contain.
    """
    if len(raw_body) > settings.PUSH_MAX_BODY_BYTES:
        return PushResult(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large")
    data = _peek(raw_body)
    if data is None:
        return PushResult(HTTPStatus.BAD_REQUEST, "body is not a JSON object")

    if not verify_signature(webhook_secret(contract), raw_body, signature_header):
        reason = "missing signature" if not signature_header else "bad signature"
        logger.warning("push event refused: %s", reason)
        return PushResult(HTTPStatus.UNAUTHORIZED, reason)

    try:
        parsed = _parse(raw_body)
        target = _target_contract(data, contract)
    except ValueError as exc:
        detail = _printable(str(exc), 300)
        logger.warning("signed push event refused: %s", detail)
        return PushResult(HTTPStatus.BAD_REQUEST, detail)

    return _store_and_apply(raw_body, parsed, target)


def webhook_secret(contract: Contract | None) -> str:
    """The client secret LinkedIn signs this URL's events with: the contract's own, or the
    site's for a contract on the site's credentials and for the shared URL."""
    if contract is None:
        return settings.LINKEDIN_CLIENT_SECRET
    return contract.credentials()[1]


def contract_for_push_token(token: str) -> Contract | None:
    """The contract whose push URL carries ``token``, or None."""
    if not isinstance(token, str) or not _PUSH_TOKEN.fullmatch(token):
        return None
    return Contract.objects.filter(push_token=token).first()


def _target_contract(data: dict[str, Any], url_contract: Contract | None) -> Contract | None:
    """The contract a signed event applies to; ValueError when the URL and body disagree."""
    if url_contract is not None:
        if "integrationContext" in data and data["integrationContext"] != url_contract.urn:
            raise ValueError(
                "integrationContext names another contract than this push URL's: "
                f"{_printable(repr(data['integrationContext']), 120)}"
            )
        return url_contract
    named = _named_contract(data.get("integrationContext"))
    if named is not None and not named.uses_site_credentials:
        raise ValueError(
            f"{named.urn} has its own LinkedIn application: its events go to its own push URL"
        )
    return named


def _peek(raw_body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None. Only used to choose the key and to validate.

    JSON between systems is UTF-8 (RFC 8259), so other encodings, which json.loads would
    otherwise guess from the bytes, are refused: the stored text must be what was signed.
    """
    try:
        data = json.loads(raw_body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: deeply nested arrays; ValueError also covers integers with more
        # digits than Python converts.
        return None
    return data if isinstance(data, dict) else None


def _parse(raw_body: bytes) -> ParsedEvent:
    """The client's parser plus the limits of our columns."""
    parsed = ParsedEvent.parse(raw_body)
    note_id = parsed.prospect_note_id
    if parsed.type == DELETE_PROSPECT_NOTE:
        if note_id is not None and note_id > _MAX_ID:
            raise ValueError(f"prospectNoteId {note_id} is out of range for a long")
        if not _CONTRACT_URN.fullmatch(parsed.integration_context or ""):
            raise ValueError(
                "integrationContext must be urn:li:contract:<id> in printable ASCII, got "
                f"{_printable(repr(parsed.integration_context), 120)}"
            )
    return parsed


def _named_contract(value: Any) -> Contract | None:
    if not isinstance(value, str) or not _CONTRACT_URN.fullmatch(value):
        return None
    return Contract.objects.filter(urn=value).first()


def _store_and_apply(raw_body: bytes, parsed: ParsedEvent, contract: Contract | None) -> PushResult:
    digest = hashlib.sha256(raw_body).hexdigest()
    note_id = parsed.prospect_note_id
    with transaction.atomic():
        try:
            # A savepoint, so that on PostgreSQL the transaction survives the unique violation.
            # Two identical deliveries at once: the second insert waits for the first to
            # commit, then fails here and is counted as a repeat, never applied twice.
            with transaction.atomic():
                event = PushEvent.objects.create(
                    event_type=_printable(parsed.type, _EVENT_TYPE_LENGTH),
                    raw_body=raw_body.decode("utf-8"),
                    body_sha256=digest,
                    signature_valid=True,
                    contract=contract,
                    prospect_note_id=note_id
                    if note_id is not None and note_id <= _MAX_ID
                    else None,
                )
        except IntegrityError:
            PushEvent.objects.filter(body_sha256=digest).update(deliveries=F("deliveries") + 1)
            event = PushEvent.objects.filter(body_sha256=digest).first()
            _stamp_event(contract, timezone.now())
            logger.info("push event repeated: %s", digest)
            return PushResult(HTTPStatus.OK, "already received", event, duplicate=True)

        event.outcome = _printable(_apply(parsed, contract), _OUTCOME_LENGTH)
        event.processed_at = timezone.now()
        event.save(update_fields=["outcome", "processed_at"])
        _stamp_event(contract, event.processed_at)
    logger.info("push event %s: %s", event.pk, event.outcome)
    return PushResult(HTTPStatus.OK, event.outcome, event)


def _stamp_event(contract: Contract | None, at) -> None:
    if contract is not None:
        Contract.objects.filter(pk=contract.pk).update(push_last_event_at=at)


def _apply(parsed: ParsedEvent, contract: Contract | None) -> str:
    if parsed.type not in (DELETE_PROSPECT_NOTE, INTEGRATION_STATUS_CHANGE):
        return f"ignored: unknown type {parsed.type}"
    if contract is None:
        return "unknown contract"
    if parsed.type == INTEGRATION_STATUS_CHANGE:
        return record_integration_status(contract, parsed.raw)
    return delete_note_from_push(contract, parsed.prospect_note_id)


def record_integration_status(contract: Contract, data: dict[str, Any]) -> str:
    """Keep the state an INTEGRATION_STATUS_CHANGE reports, as sent, and when it came.

    The event's body is not in the seed; the first string among the likely field names is
    taken, and an event without one is still recorded (as "unknown") so the change shows.
    """
    status = next(
        (data[k] for k in ("status", "integrationStatus", "state") if isinstance(data.get(k), str)),
        "unknown",
    )
    status = _printable(status, _STATUS_LENGTH) or "unknown"
    now = timezone.now()
    Contract.objects.filter(pk=contract.pk).update(
        integration_status=status, integration_status_at=now
    )
    return f"integration status {status}"


def delete_note_from_push(contract: Contract, linkedin_id: int) -> str:
    """Mark the note deleted, or leave a tombstone so that a later sync cannot bring it back."""
    now = timezone.now()
    deleted = {"active": False, "deleted_at": now, "deleted_by": ProspectNote.DeletedBy.PUSH}
    notes = ProspectNote.objects.filter(contract=contract, linkedin_id=linkedin_id)
    if notes.filter(deleted_at__isnull=True).update(**deleted):
        return f"deleted note {linkedin_id}"
    if notes.exists():
        return f"already deleted note {linkedin_id}"
    try:
        with transaction.atomic():
            ProspectNote.objects.create(contract=contract, linkedin_id=linkedin_id, **deleted)
    except IntegrityError:
        # The sync inserted the note between our update and this insert: delete that row.
        if notes.filter(deleted_at__isnull=True).update(**deleted):
            return f"deleted note {linkedin_id}"
        return f"already deleted note {linkedin_id}"
    return f"tombstone recorded for note {linkedin_id}"


def _printable(text: str, limit: int) -> str:
    """Text safe for a varchar and for logs: no control characters, NULs or lone surrogates."""
    cleaned = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
