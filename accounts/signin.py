"""Who a LinkedIn member is on this site once LinkedIn has vouched for them.

A member already linked to a site user is that user. Any other member gets a new site
account only when the site allows it: ``LINKEDIN_SIGNUP_DOMAINS`` lists the email domains
whose members may sign up (empty: sign-up is closed), and only a verified email counts. A new
account has no role (no group, no staff flag) until an admin grants one, and no password.
Nobody is linked by email alone: an email is not an identity, and matching on it would let
whoever controls a LinkedIn account with that address take over the site user.

After signing in, ``linkedin_signed_in`` carries the member's tokens to whichever app wants
them (recommendations keeps them to act as the member), so this module needs no app.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.dispatch import Signal

from accounts.identity import (
    IdentityTaken,
    link_identity,
    remember_member_names,
    user_for_member,
)
from accounts.oidc import Member, SignInRefused

logger = logging.getLogger(__name__)

# Sent after the sign-in with user=<the site user>, member=<accounts.oidc.Member>.
linkedin_signed_in = Signal()

USERNAME_CHARS = re.compile(r"[^\w.@+-]")


def signup_open_to(member: Member) -> bool:
    """Whether the site gives this member an account: a verified email in a listed domain."""
    domains = {d.strip().lower().lstrip("@") for d in settings.LINKEDIN_SIGNUP_DOMAINS if d}
    if not domains or not member.email_verified or "@" not in member.email:
        return False
    return member.email.rsplit("@", 1)[1] in domains


def user_for(member: Member) -> tuple[AbstractBaseUser, bool]:
    """The site user this member is (created if the site allows it), and whether it is new.

    Raise SignInRefused when the member has no account and may not get one, or when the
    account is deactivated.
    """
    user = user_for_member(member.person_urn)
    created = False
    if user is None:
        if not signup_open_to(member):
            raise SignInRefused(
                "There is no account on this site for your LinkedIn profile, and this site "
                "does not open one for it. Ask an administrator to add you.",
                cause=f"no site user for {member.person_urn}; sign-up not open to them",
                who=member.person_urn,
            )
        user, created = _sign_up(member), True
    if not user.is_active:
        raise SignInRefused(
            "Your account on this site is deactivated.",
            cause=f"user {user.pk} is inactive",
            who=member.person_urn,
        )
    # A name LinkedIn gave: kept beside the identity, so lists still name them if unlinked.
    remember_member_names({member.person_urn: member.name}, source="linkedin")
    if not created:
        # LinkedIn just confirmed who they are: keep the name and email fresh.
        link_identity(
            user,
            member.person_urn,
            name=member.name,
            email=member.email,
            email_verified=member.email_verified,
        )
    return user, created


def _sign_up(member: Member) -> AbstractBaseUser:
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=_free_username(member),
                email=member.email,
                first_name=member.given_name[:150],
                last_name=member.family_name[:150],
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            link_identity(
                user,
                member.person_urn,
                name=member.name,
                email=member.email,
                email_verified=member.email_verified,
            )
    except (IdentityTaken, IntegrityError):
        # The same member signed up in another tab a moment ago: that account is theirs.
        user = user_for_member(member.person_urn)
        if user is None:
            raise
        return user
    logger.info("signed up user %s for LinkedIn member %s", user.pk, member.person_urn)
    return user


def _free_username(member: Member) -> str:
    base = member.email.split("@", 1)[0] if member.email else f"li-{member.sub}"
    base = USERNAME_CHARS.sub("", base)[:140] or f"li-{member.sub}"[:140]
    users = get_user_model().objects
    candidate, n = base, 1
    while users.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate
