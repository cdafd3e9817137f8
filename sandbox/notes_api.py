"""/v2/prospectNotes (FINDER criteria) and /v2/userinfo."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sandbox.errors import ApiError, bad_request, forbidden
from sandbox.restli import RestliValue, as_int, as_list, as_string
from sandbox.wire import Request, Response, json_response, page_params, paging

if TYPE_CHECKING:
    from sandbox.server import Sandbox

NOTES_PATH = "/v2/prospectNotes"


def prospect_notes(sb: Sandbox, req: Request, params: dict[str, RestliValue]) -> Response:
    if req.method != "GET":
        raise ApiError(405, f"{req.method} is not supported on prospectNotes")
    if req.token is not None and req.token.member is not None:
        # Recruiter System Connect calls are made with the application's own token.
        raise forbidden("prospectNotes requires an application (client credentials) token")
    if "q" not in params:
        raise bad_request("prospectNotes supports only the 'criteria' finder: add q=criteria")
    if params["q"] != "criteria":
        raise bad_request(f"unknown finder {params['q']!r} on prospectNotes")
    contract = _contract(sb, params)
    owners = _owners(params)
    before = as_int(params["beforeDate"], "beforeDate") if "beforeDate" in params else None
    cutoff = as_int(params["cutoffDate"], "cutoffDate") if "cutoffDate" in params else None
    start, count = page_params(params, sb.config.max_count)
    items, total = sb.store.page(
        contract, owners, before, cutoff, start, count, repeat_ids=sb.config.repeat_ids
    )
    block = paging(NOTES_PATH, req.query, start, count, total)
    block_bytes = json.dumps(block, separators=(",", ":")).encode()
    # Assembled from pre-rendered note bytes: the fast path behind the benchmark.
    body = b'{"elements":[' + b",".join(items) + b'],"paging":' + block_bytes + b"}"
    return Response(200, body)


def _contract(sb: Sandbox, params: dict[str, RestliValue]) -> str:
    if "contract" not in params:
        raise bad_request("the 'contract' parameter is required (urn:li:contract:{id})")
    contract = as_string(params["contract"], "contract")
    if not contract.startswith("urn:li:contract:"):
        raise bad_request(f"contract must be a contract URN, got {contract!r}")
    if not sb.store.has_contract(contract):
        # Credentials belong to contracts: an unknown one is one this application can't read.
        raise forbidden(f"Not enough permissions to access contract {contract}")
    return contract


def _owners(params: dict[str, RestliValue]) -> list[str] | None:
    if "owners" not in params:
        return None
    owners = as_list(params["owners"], "owners")
    bad = [o for o in owners if not o.startswith("urn:li:seat:")]
    if bad:
        raise bad_request(f"owners must be seat URNs, got {bad[0]!r}")
    return owners or None


def userinfo(sb: Sandbox, req: Request) -> Response:
    if req.method != "GET":
        raise ApiError(405, f"{req.method} is not supported on userinfo")
    member = req.token.member if req.token is not None else None
    if member is None:
        raise forbidden("userinfo needs a member (3-legged) token")
    language, _, country = member.locale.partition("_")
    return json_response(
        200,
        {
            "sub": member.sub,
            "email_verified": member.email_verified,
            "name": member.name,
            "locale": {"country": country, "language": language},
            "given_name": member.given_name,
            "family_name": member.family_name,
            "email": member.email,
        },
    )
