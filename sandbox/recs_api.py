"""/v2/recommendationRequest: CREATE, GET, BATCH_GET, FINDERs and PARTIAL_UPDATE."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sandbox.errors import ApiError, bad_request, forbidden, unprocessable
from sandbox.recs import RecRequest, parse_key
from sandbox.restli import RestliValue, as_list, decode_path_key
from sandbox.wire import Request, Response, json_response, page_params, paging

if TYPE_CHECKING:
    from sandbox.server import Sandbox

RECS_PATH = "/v2/recommendationRequest"


def recommendation_request(
    sb: Sandbox, req: Request, raw_key: str | None, params: dict[str, RestliValue]
) -> Response:
    member = _member_urn(req)
    if raw_key:
        key = decode_path_key(raw_key)
        if parse_key(key) is None:
            raise bad_request(f"{key!r} is not a recommendationRequest URN")
        if req.method == "GET":
            return _get(sb, member, key)
        if req.method == "POST":
            _expect_method(req, "PARTIAL_UPDATE")
            return _partial_update(sb, req, member, key)
    elif req.method == "GET":
        if "ids" in params:
            return _batch_get(sb, member, params)
        if "q" in params:
            return _finder(sb, req, member, params)
        raise bad_request("GET_ALL is not supported: use ids=List(...) or a finder (q=...)")
    elif req.method == "POST":
        _expect_method(req, "CREATE")
        return _create(sb, req, member)
    raise ApiError(405, f"{req.method} is not supported on recommendationRequest")


def _member_urn(req: Request) -> str:
    member = req.token.member if req.token is not None else None
    if member is None:
        # "You can only send recommendation requests on behalf of the authenticated user."
        raise forbidden("recommendationRequest needs a member (3-legged) token")
    return member.urn


def _expect_method(req: Request, method: str) -> None:
    declared = req.header("X-RestLi-Method")
    if declared is not None and declared.upper() != method:
        raise bad_request(f"X-RestLi-Method {declared!r} does not match this call ({method})")


def _json_body(req: Request) -> dict[str, Any]:
    try:
        body = json.loads(req.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"request body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object")
    return body


def _visible(req: RecRequest, member: str) -> bool:
    return member in (req.requester, req.requestee)


def _create(sb: Sandbox, req: Request, member: str) -> Response:
    created = sb.store.recs.create(member, _json_body(req))
    # X-RestLi-Id uses the reduced (literal) form, as in the seed; Location is a URL, encoded.
    headers = {
        "X-RestLi-Id": created.key,
        "Location": f"{RECS_PATH}/{quote(created.key, safe='')}",
    }
    return Response(201, b"", None, headers)


def _get(sb: Sandbox, member: str, key: str) -> Response:
    found = sb.store.recs.get(key)
    if found is None:
        raise ApiError(404, f"recommendationRequest {key} does not exist")
    if not _visible(found, member):
        raise forbidden(f"Not enough permissions to access: recommendationRequest {key}")
    return json_response(200, found.to_json())


def _batch_get(sb: Sandbox, member: str, params: dict[str, RestliValue]) -> Response:
    keys = as_list(params["ids"], "ids")
    bad = [k for k in keys if parse_key(k) is None]
    if bad:
        raise bad_request(f"{bad[0]!r} is not a recommendationRequest URN")
    # Map keys in the reduced form: the URN is written literally, like X-RestLi-Id.
    results: dict[str, Any] = {}
    statuses: dict[str, int] = {}
    errors: dict[str, Any] = {}
    for key in dict.fromkeys(keys):
        found = sb.store.recs.get(key)
        if found is None:
            errors[key] = ApiError(404, f"recommendationRequest {key} does not exist").body()
        elif not _visible(found, member):
            errors[key] = forbidden(f"Not enough permissions to access: {key}").body()
        else:
            results[key] = found.to_json()
            statuses[key] = 200
    return json_response(200, {"results": results, "statuses": statuses, "errors": errors})


def _finder(sb: Sandbox, req: Request, member: str, params: dict[str, RestliValue]) -> Response:
    finder = params["q"]
    if finder not in ("recipient", "requester"):
        raise bad_request(f"unknown finder {finder!r} on recommendationRequest")
    if "statusFilters" not in params:
        raise bad_request("the 'statusFilters' parameter is required: List(PENDING,...)")
    statuses = as_list(params["statusFilters"], "statusFilters")
    entities: list[str] = []
    if finder == "requester" and "entityFilters" in params:
        entities = as_list(params["entityFilters"], "entityFilters")
    start, count = page_params(params, sb.config.max_count)
    found = sb.store.recs.find(member, finder == "requester", statuses, entities)
    return json_response(
        200,
        {
            "elements": [r.to_json() for r in found[start : start + count]],
            "paging": paging(RECS_PATH, req.query, start, count, len(found)),
        },
    )


def _partial_update(sb: Sandbox, req: Request, member: str, key: str) -> Response:
    body = _json_body(req)
    patch = body.get("patch")
    if set(body) != {"patch"} or not isinstance(patch, dict):
        raise bad_request('PARTIAL_UPDATE body must be {"patch": {"$set": {...}}}')
    if set(patch) - {"$set"}:
        raise unprocessable("only $set is supported in this patch")
    changes = patch.get("$set", {})
    if not isinstance(changes, dict):
        raise bad_request("$set must be an object")
    sb.store.recs.update(key, member, changes)
    return Response(204, b"", None)
