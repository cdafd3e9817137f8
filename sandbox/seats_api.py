"""/v2/seatsV2 (FINDER attributes): a contract's seats and who holds them.

As LinkedIn's "Retrieve Recruiter Contract Seatholders" page has it: ``contracts`` is required
(several allowed), ``states`` optional, a request without ``start`` fails, and without
``count`` 10 elements come back. The page's sample paging has no ``total``: none is sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.errors import ApiError, bad_request, forbidden
from sandbox.restli import RestliValue, as_list
from sandbox.seats import STATES
from sandbox.wire import Request, Response, json_response, page_params, paging

if TYPE_CHECKING:
    from sandbox.server import Sandbox

SEATS_PATH = "/v2/seatsV2"


def seats_v2(sb: Sandbox, req: Request, params: dict[str, RestliValue]) -> Response:
    if req.method != "GET":
        raise ApiError(405, f"{req.method} is not supported on seatsV2")
    if req.token is not None and req.token.member is not None:
        raise forbidden("seatsV2 requires an application (client credentials) token")
    if params.get("q") != "attributes":
        raise bad_request("seatsV2 supports only the 'attributes' finder: add q=attributes")
    if "start" not in params:
        # LinkedIn: "Requests that do not specify the start parameter will fail".
        raise bad_request("seatsV2 requires pagination: the 'start' parameter is missing")
    contracts = _contracts(sb, params)
    states = _states(params)
    start, count = page_params(params, sb.config.max_count)
    holders = sb.store.holders.listed(contracts, states)
    chunk = holders[start : start + count]
    block = paging(SEATS_PATH, req.query, start, count, len(holders))
    del block["total"]
    return json_response(200, {"elements": [h.element() for h in chunk], "paging": block})


def _contracts(sb: Sandbox, params: dict[str, RestliValue]) -> list[str]:
    if "contracts" not in params:
        raise bad_request("the 'contracts' parameter is required: List(urn:li:contract:{id})")
    contracts = as_list(params["contracts"], "contracts")
    if not contracts:
        raise bad_request("'contracts' must name at least one contract")
    for contract in contracts:
        if not contract.startswith("urn:li:contract:"):
            raise bad_request(f"contracts must be contract URNs, got {contract!r}")
        if not sb.store.has_contract(contract):
            raise forbidden(f"Not enough permissions to access contract {contract}")
    return contracts


def _states(params: dict[str, RestliValue]) -> list[str] | None:
    if "states" not in params:
        return None
    states = as_list(params["states"], "states")
    bad = [s for s in states if s not in STATES]
    if bad:
        raise bad_request(f"unknown seat state {bad[0]!r}; supported: {', '.join(STATES)}")
    return states or None
