"""/_sandbox/: unauthenticated JSON endpoints to inspect and drive the sandbox.

These are not LinkedIn's; they let a demo, a browser test or a shell script change notes,
switch faults on and read what the client sent, without importing Python.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sandbox.auth import Member
from sandbox.oidc import FAULTS
from sandbox.wire import Request, Response, json_response

if TYPE_CHECKING:
    from sandbox.server import LoggedRequest, Sandbox


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def handle(sb: Sandbox, req: Request) -> Response:
    route = (req.method, req.path.removeprefix("/_sandbox/").rstrip("/"))
    try:
        return _dispatch(sb, req, route)
    except ControlError as exc:
        return json_response(exc.status, {"error": str(exc)})
    except KeyError as exc:
        return json_response(404, {"error": str(exc.args[0]) if exc.args else "not found"})
    except (ValueError, TypeError) as exc:
        return json_response(400, {"error": str(exc)})


def _dispatch(sb: Sandbox, req: Request, route: tuple[str, str]) -> Response:
    if route == ("GET", "state"):
        return json_response(200, state(sb))
    if route == ("POST", "notes"):
        return json_response(200, change_note(sb, _body(req)))
    if route == ("POST", "seats"):
        return json_response(200, change_seat(sb, _body(req)))
    if route == ("GET", "prospect-names.csv"):
        body = sb.store.prospect_names_csv().encode()
        return Response(200, body, "text/csv; charset=utf-8")
    if route == ("GET", "faults"):
        return json_response(200, _faults(sb))
    if route == ("POST", "faults"):
        body = _body(req)
        sb.set_faults(rate=float(body.get("rate", 0.0)), kinds=body.get("kinds"))
        return json_response(200, _faults(sb))
    if route == ("GET", "log"):
        since = int(_query_value(req.query, "since") or 0)
        entries = [_log_entry(e) for e in sb.request_log if e.seq >= since]
        return json_response(200, {"entries": entries, "next": sb.log_next_seq})
    if route == ("DELETE", "log"):
        sb.clear_log()
        return Response(204, b"", None)
    if route == ("POST", "token"):
        member = _body(req).get("member") if req.body else None
        return json_response(200, {"access_token": sb.issue_token(member=member)})
    if route == ("POST", "oidc"):
        return json_response(200, {"fault": set_oidc_fault(sb, _body(req).get("fault"))})
    if route == ("POST", "push/validate"):
        contract = _body(req).get("contract") if req.body else None
        return json_response(200, {"valid": sb.pusher.validate(contract)})
    if route == ("POST", "push/register"):
        body = _body(req)
        sb.pusher.register(
            str(body.get("contract", "")),
            str(body.get("url", "")),
            body.get("secret"),
            body.get("applicationId"),
        )
        return Response(204, b"", None)
    if route == ("POST", "push/integration-status"):
        body = _body(req)
        sb.pusher.integration_status_changed(
            str(body.get("contract", "")), str(body.get("status", ""))
        )
        return Response(204, b"", None)
    if route == ("GET", "push"):
        return json_response(200, {"deliveries": [_delivery(d) for d in sb.push_log]})
    raise ControlError(404, f"no control endpoint {route[0]} /_sandbox/{route[1]}")


def state(sb: Sandbox) -> dict[str, Any]:
    counts = sb.store.counts()
    for urn, entry in counts.items():
        entry["seats"] = sb.store.seats(urn)
        entry["seatHolders"] = [h.element() for h in sb.store.holders.listed([urn], None)]
    return {
        "url": sb.url,
        "seed": sb.config.seed,
        "contracts": counts,
        "members": [_member(m) for m in sb.store.members],
        "recommendationRequests": len(sb.store.recommendation_requests()),
        "faults": _faults(sb),
        "pushUrl": sb.config.push_url,
        "pushDeliveries": len(sb.push_log),
        "requests": sb.log_next_seq,
    }


def set_oidc_fault(sb: Sandbox, fault: Any) -> str | None:
    """Spoil the next id_token once (see sandbox.oidc.FAULTS); null clears it."""
    if fault is not None and fault not in FAULTS:
        raise ControlError(400, f"fault must be one of {', '.join(FAULTS)} or null")
    sb.signer.next_fault = fault
    return fault


def change_note(sb: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    action = body.get("action")
    at_ms = body.get("at")
    if action == "add":
        contract = body.get("contract") or sb.store.contract_urns()[0]
        return sb.store.add_note(
            contract, body.get("owner"), body.get("member"), body.get("text"), at_ms
        )
    if "id" not in body:
        raise ControlError(400, "'id' is required to edit or delete a note")
    if action == "edit":
        return sb.store.edit_note(int(body["id"]), str(body.get("text", "")), at_ms)
    if action == "delete":
        return sb.store.delete_note(int(body["id"]), at_ms)
    raise ControlError(400, "action must be 'add', 'edit' or 'delete'")


def change_seat(sb: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    """Add, change or remove a seat holder: {"action", "seat", and seatsV2 fields}."""
    action = body.pop("action", None)
    urn = body.pop("seat", None)
    if not isinstance(urn, str) or not urn.startswith("urn:li:seat:"):
        raise ControlError(400, "'seat' must be a seat URN")
    if action == "remove":
        sb.store.holders.remove(urn)
        return {"removed": urn}
    if action == "change":
        return sb.store.holders.change(urn, **body).element()
    if action == "add":
        contract = body.pop("contract", None) or sb.store.contract_urns()[0]
        return sb.store.holders.add(contract, urn, **body).element()
    raise ControlError(400, "action must be 'add', 'change' or 'remove'")


def _body(req: Request) -> dict[str, Any]:
    try:
        body = json.loads(req.body or b"{}")
    except ValueError as exc:
        raise ControlError(400, f"body is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise ControlError(400, "body must be a JSON object")
    return body


def _query_value(query: str, name: str) -> str | None:
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key == name:
            return value
    return None


def _faults(sb: Sandbox) -> dict[str, Any]:
    return {"rate": sb.faults.rate, "kinds": list(sb.faults.kinds)}


def _member(member: Member) -> dict[str, str]:
    return {"sub": member.sub, "name": member.name, "urn": member.urn, "email": member.email}


def _log_entry(entry: LoggedRequest) -> dict[str, Any]:
    # Token values never leave through this endpoint: show the scheme only.
    headers = {
        k: (v.split(" ", 1)[0] + " ***" if k.lower() == "authorization" else v)
        for k, v in entry.headers.items()
    }
    return {
        "seq": entry.seq,
        "method": entry.method,
        "path": entry.path,
        "query": entry.query,
        "headers": headers,
        "body": entry.body.decode("utf-8", "replace"),
        "status": entry.status,
        "fault": entry.fault,
        "at": entry.at,
    }


def _delivery(delivery: Any) -> dict[str, Any]:
    return {
        "url": delivery.url,
        "body": delivery.body.decode(),
        "signature": delivery.signature,
        "status": delivery.status,
        "error": delivery.error,
        "at": delivery.at,
    }
