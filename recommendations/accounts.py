"""Connecting a member's LinkedIn account (3-legged OAuth) and keeping its token fresh.

Tokens live only in LinkedInAccount (encrypted) and in memory while a call is made; nothing
here logs or formats one.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.identity import IdentityTaken, link_identity, remember_member_names
from linkedin import oauth
from linkedin.client import LinkedInClient
from linkedin.errors import AuthError, LinkedInError
from linkedin.records import TokenSet
from linkedin.retry import RetryPolicy
from recommendations.models import LinkedInAccount

logger = logging.getLogger(__name__)

SESSION_STATE_KEY = "recommendations.oauth_state"
# Refresh this long before the access token lapses, so no call leaves with a dying token.
REFRESH_MARGIN = timedelta(minutes=5)


class ReconnectNeeded(Exception):
    """LinkedIn refused the member's tokens for good: only a new consent helps."""


class ConnectRefused(Exception):
    """The OAuth callback cannot be trusted or completed; the message says why, for the user."""


@dataclass(frozen=True)
class Connection:
    account: LinkedInAccount
    created: bool


# -- the authorization-code flow ------------------------------------------------------------


def start_connect(session: dict, redirect_uri: str) -> str:
    """Remember a fresh random state in the session; return LinkedIn's authorization URL."""
    state = secrets.token_urlsafe(32)
    session[SESSION_STATE_KEY] = state
    return oauth.authorization_url(
        settings.LINKEDIN_OAUTH_BASE_URL,
        settings.LINKEDIN_CLIENT_ID,
        redirect_uri=redirect_uri,
        state=state,
        scope=" ".join(settings.LINKEDIN_SCOPES),
    )


def check_state(session: dict, given: str | None) -> None:
    """Use up the session's state and compare it with the callback's, in constant time.

    The state is popped before comparing, so it works once whatever the outcome: a replayed
    or forged callback finds nothing to match.
    """
    expected = session.pop(SESSION_STATE_KEY, None)
    if not expected or not given or not constant_time_compare(expected, given):
        raise ConnectRefused(
            "The answer from LinkedIn could not be matched to a sign-in started here "
            "(missing, wrong or already used state). Nothing was connected; please try again."
        )


def finish_connect(user: AbstractBaseUser, code: str, redirect_uri: str) -> Connection:
    """Trade the code for tokens, find out who the member is and store the account.

    Raise ConnectRefused when LinkedIn refuses the code or the member already belongs to
    another user; LinkedInError when LinkedIn cannot be reached.
    """
    try:
        tokens = oauth.exchange_code(
            settings.LINKEDIN_OAUTH_BASE_URL,
            settings.LINKEDIN_CLIENT_ID,
            settings.LINKEDIN_CLIENT_SECRET,
            code,
            redirect_uri,
            timeout=settings.LINKEDIN_TIMEOUT,
        )
    except AuthError as exc:
        raise ConnectRefused(f"LinkedIn refused the sign-in: {exc.message}") from None
    with _client(tokens.access_token, interactive=True) as client:
        info = client.userinfo()
    sub = info.get("sub")
    if not isinstance(sub, str) or not sub:
        raise ConnectRefused("LinkedIn did not say which member signed in.")
    person_urn = f"urn:li:person:{sub}"
    name = info.get("name") or f"{info.get('given_name') or ''} {info.get('family_name') or ''}"
    name = str(name).strip()
    remember_member_names({person_urn: name}, source="linkedin")
    return _store_account(user, person_urn, name[:200], tokens)


def _store_account(
    user: AbstractBaseUser, person_urn: str, name: str, tokens: TokenSet
) -> Connection:
    taken = LinkedInAccount.objects.filter(person_urn=person_urn).exclude(user=user).exists()
    if taken:
        raise ConnectRefused(
            "This LinkedIn member is already connected to another user of this site. "
            "Disconnect it there first."
        )
    fields = {
        "person_urn": person_urn,
        "name": name,
        "needs_reconnect": False,
        "connected_at": timezone.now(),
        "last_error": "",
        "last_error_at": None,
        **_token_fields(tokens, on_connect=True),
    }
    try:
        with transaction.atomic():
            account, created = LinkedInAccount.objects.update_or_create(user=user, defaults=fields)
            link_identity(user, person_urn, name=name)
    except (IntegrityError, IdentityTaken):
        # Another user connected the same member between our check and our write.
        raise ConnectRefused(
            "This LinkedIn member is already connected to another user of this site."
        ) from None
    logger.info("LinkedIn member %s connected to user %s", person_urn, user.pk)
    return Connection(account, created)


def store_signin_tokens(sender, *, user: AbstractBaseUser, member, **kwargs) -> None:
    """After Sign in with LinkedIn, keep the member's tokens if they cover recommendations.

    Connected to accounts.signin.linkedin_signed_in: the member consented to our scopes on
    the sign-in page, so they need not "Connect LinkedIn" again.
    """
    if not set(settings.LINKEDIN_SCOPES) <= member.scopes:
        logger.info("LinkedIn sign-in of %s granted too little for recommendations", user.pk)
        return
    try:
        tokens = TokenSet.from_json(member.tokens)
    except ValueError as exc:
        logger.error("LinkedIn sign-in of user %s brought unusable tokens: %s", user.pk, exc)
        return
    try:
        _store_account(user, member.person_urn, member.name[:200], tokens)
    except ConnectRefused as exc:
        logger.warning("LinkedIn sign-in of user %s: tokens not kept: %s", user.pk, exc)


@dataclass(frozen=True)
class Disconnected:
    """The tokens are deleted here; ``revoke_error`` says why LinkedIn did not confirm the
    revocation (empty when it did)."""

    revoke_error: str = ""


def disconnect(user: AbstractBaseUser) -> Disconnected | None:
    """Revoke the user's LinkedIn token at LinkedIn, then delete the tokens here.

    None when there was no account. The tokens are deleted even when LinkedIn cannot be
    reached: the user asked to leave, and the failure is logged and returned to be shown.
    """
    account = LinkedInAccount.objects.filter(user=user).first()
    if account is None:
        return None
    error = _revoke(account)
    account.delete()
    return Disconnected(error)


def _revoke(account: LinkedInAccount) -> str:
    if not account.access_token:
        return ""
    try:
        oauth.revoke_token(
            settings.LINKEDIN_OAUTH_BASE_URL,
            settings.LINKEDIN_CLIENT_ID,
            settings.LINKEDIN_CLIENT_SECRET,
            account.access_token,
            timeout=settings.LINKEDIN_TIMEOUT,
        )
    except LinkedInError as exc:
        logger.error("LinkedIn did not revoke the token of user %s: %s", account.user_id, exc)
        return str(exc)
    return ""


def account_for(user: AbstractBaseUser) -> LinkedInAccount | None:
    """The user's own account: every action starts here, never from an id in a URL."""
    if not user.is_authenticated:
        return None
    return LinkedInAccount.objects.filter(user=user).first()


# -- tokens ---------------------------------------------------------------------------------


def _token_fields(tokens: TokenSet, *, on_connect: bool) -> dict:
    fields = {
        "access_token": tokens.access_token,
        "expires_at": _from_epoch(tokens.expires_at),
        "scopes": tokens.scope if tokens.scope is not None else " ".join(settings.LINKEDIN_SCOPES),
    }
    # LinkedIn may keep the refresh token on refresh and send none back: keep ours then.
    if tokens.refresh_token:
        fields["refresh_token"] = tokens.refresh_token
        fields["refresh_expires_at"] = (
            _from_epoch(tokens.refresh_expires_at) if tokens.refresh_expires_at else None
        )
    elif on_connect:
        fields["refresh_token"] = ""
        fields["refresh_expires_at"] = None
    return fields


def _from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def fresh_access_token(account: LinkedInAccount) -> str:
    """The account's access token, refreshed first if it lapses within REFRESH_MARGIN."""
    if account.needs_reconnect:
        raise ReconnectNeeded(account.last_error or "LinkedIn needs to be connected again.")
    if account.expires_at <= timezone.now() + REFRESH_MARGIN:
        refresh_tokens(account)
    return account.access_token


def refresh_tokens(account: LinkedInAccount, stale_token: str | None = None) -> None:
    """Get a new access token with the refresh token, updating ``account`` in place.

    With ``stale_token`` (the token LinkedIn just answered 401 to), refresh only if it is
    still the stored one: another request may have refreshed meanwhile. The row is locked
    for the exchange so two requests do not both spend the refresh token. A refusal marks
    the account as needing reconnection and raises ReconnectNeeded; a transient failure
    raises LinkedInError and leaves the account as it was.
    """
    refused: str | None = None
    with transaction.atomic():
        locked = LinkedInAccount.objects.select_for_update().get(pk=account.pk)
        now = timezone.now()
        if stale_token is not None:
            done_elsewhere = locked.access_token != stale_token
        else:
            done_elsewhere = locked.expires_at > now + REFRESH_MARGIN
        lapsed = locked.refresh_expires_at is not None and locked.refresh_expires_at <= now
        if locked.needs_reconnect:
            refused = locked.last_error or "LinkedIn needs to be connected again."
        elif done_elsewhere:
            pass
        elif not locked.refresh_token or lapsed:
            refused = "The LinkedIn sign-in has expired."
            _mark_reconnect(locked, refused)
        else:
            try:
                tokens = oauth.refresh_token(
                    settings.LINKEDIN_OAUTH_BASE_URL,
                    settings.LINKEDIN_CLIENT_ID,
                    settings.LINKEDIN_CLIENT_SECRET,
                    locked.refresh_token,
                    timeout=settings.LINKEDIN_TIMEOUT,
                )
            except AuthError as exc:
                # 400/401 from the token endpoint: the member revoked us or the grant lapsed.
                refused = f"LinkedIn refused to renew the sign-in: {exc.message}"
                _mark_reconnect(locked, refused)
            else:
                for name, value in _token_fields(tokens, on_connect=False).items():
                    setattr(locked, name, value)
                locked.last_refreshed_at = now
                locked.save()
                logger.info("LinkedIn token refreshed for %s", locked.person_urn)
    # Raised only after the block commits, so the reconnect mark is kept.
    _copy_tokens(locked, account)
    if refused is not None:
        raise ReconnectNeeded(refused)


def mark_reconnect(account: LinkedInAccount, reason: str) -> None:
    """Record that LinkedIn refuses the account's tokens (a 401 even after a refresh)."""
    _mark_reconnect(account, reason)


def _mark_reconnect(account: LinkedInAccount, reason: str) -> None:
    account.needs_reconnect = True
    account.last_error = reason
    account.last_error_at = timezone.now()
    account.save(update_fields=["needs_reconnect", "last_error", "last_error_at"])
    logger.warning("LinkedIn account %s needs reconnecting: %s", account.person_urn, reason)


_TOKEN_STATE = (
    "access_token",
    "refresh_token",
    "expires_at",
    "refresh_expires_at",
    "scopes",
    "needs_reconnect",
    "last_refreshed_at",
    "last_error",
    "last_error_at",
)


def _copy_tokens(source: LinkedInAccount, target: LinkedInAccount) -> None:
    for name in _TOKEN_STATE:
        setattr(target, name, getattr(source, name))


# -- clients --------------------------------------------------------------------------------


def _retry(interactive: bool) -> RetryPolicy:
    # A person is waiting on a page: a few quick tries, not the jobs' two-minute budget.
    if interactive:
        return RetryPolicy(
            max_attempts=min(3, settings.LINKEDIN_MAX_ATTEMPTS),
            max_total_seconds=min(5.0, settings.LINKEDIN_MAX_RETRY_SECONDS),
            base_delay=0.25,
            max_delay=2.0,
        )
    return RetryPolicy(
        max_attempts=settings.LINKEDIN_MAX_ATTEMPTS,
        max_total_seconds=settings.LINKEDIN_MAX_RETRY_SECONDS,
    )


def _client(token, *, interactive: bool, on_unauthorized=None) -> LinkedInClient:
    return LinkedInClient(
        settings.LINKEDIN_API_BASE_URL,
        token=token,
        on_unauthorized=on_unauthorized,
        timeout=settings.LINKEDIN_TIMEOUT,
        retry=_retry(interactive),
    )


def client_for(account: LinkedInAccount, *, interactive: bool = True) -> LinkedInClient:
    """A client acting as the account's member, refreshing its token when needed.

    The token is read fresh for each call; on a 401 the client calls back once, and we
    refresh unless someone else already replaced that token.
    """
    handed_out: list[str] = []

    def token() -> str:
        value = fresh_access_token(account)
        handed_out[:] = [value]
        return value

    def on_unauthorized() -> None:
        refresh_tokens(account, stale_token=handed_out[0] if handed_out else None)

    return _client(token, interactive=interactive, on_unauthorized=on_unauthorized)


def is_auth_failure(exc: LinkedInError) -> bool:
    """A 401 that survived a refresh: the member's grant no longer works."""
    return isinstance(exc, AuthError) and exc.status == 401
