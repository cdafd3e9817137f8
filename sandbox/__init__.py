"""A stand-alone emulator of the LinkedIn APIs this project uses (the other side of the wire).

It imports nothing from the project and shares no encoding code with `linkedin/`: a bug in one
side's Rest.li handling must show up as a failure, not be mirrored by the other side.

    from sandbox.server import Sandbox, SandboxConfig
    sb = Sandbox(SandboxConfig(seed=1, notes=2000)).start()   # or: python -m sandbox --help
    sb.api_base_url, sb.oauth_base_url, sb.store.notes(sb.store.contract_urns()[0])

What it serves:
- /v2/prospectNotes?q=criteria (application token), /v2/recommendationRequest (member token:
  CREATE, GET, BATCH_GET, FINDERs recipient/requester, PARTIAL_UPDATE), /v2/userinfo.
- /oauth/v2/accessToken (client_credentials, authorization_code, refresh_token),
  /oauth/v2/introspectToken, /oauth/v2/authorization (a consent page listing demo members).
- Sign In with LinkedIn (OpenID Connect): /oauth/.well-known/openid-configuration,
  /oauth/openid/jwks, and an RS256 id_token (with the nonce) from a code granted with the
  openid scope; /_sandbox/oidc spoils the next one for tests (sandbox/oidc.py).
- Signed DELETE_PROSPECT_NOTE push events to push_url; LinkedIn's challenge validation.
- /_sandbox/ control endpoints (no auth): state, notes, faults, log, token, push.

Deliberate choices, where LinkedIn's behaviour is not published:
- Rest.li 2.0 is enforced: a literal ':' or '(' in a query value or path key is a 400, and a
  repeated query parameter is a 400 (2.0 spells arrays List(...)). A single bare value is
  accepted for a list parameter, as in the seed's own next link.
- Date filters apply to lastModified (beforeDate inclusive, cutoffDate exclusive); the order is
  (lastModified, id). Every change takes a fresh, strictly increasing lastModified.
- An unknown contract is a 403 (credentials belong to contracts); a member token on
  prospectNotes and an application token on member APIs are 403s.
- repeat_ids: about one note in ten is preceded by an older version of itself (same id, other
  text, lastModified = created). Such versions are ordinary rows: they count in `total` and
  take places in start/count, so pages never exceed `count`.
- Recommendation requests are read back (GET, BATCH_GET, finders) without `notification`, as
  in every sample of the seed: the subject and message are kept but never returned.
- Deleting an already deleted note changes nothing but sends the push event again (LinkedIn
  may deliver an event more than once).
"""

from __future__ import annotations
