"""Linking a site user to the LinkedIn member they are, and asking who is who.

Both apps go through these functions. Linking and unlinking send the signals below, so that
the recruiter app can map the user to their seat without this module knowing seats exist.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from accounts.models import ErasedMember, LinkedInIdentity, MemberName

logger = logging.getLogger(__name__)

# Sent after commit with identity=<LinkedInIdentity>.
identity_linked = Signal()
# Sent after commit with user=<user>, person_urn=<the URN that was linked>.
identity_unlinked = Signal()


class IdentityTaken(Exception):
    """The LinkedIn member is already the identity of another site user."""


def link_identity(
    user: AbstractBaseUser,
    person_urn: str,
    *,
    name: str = "",
    email: str = "",
    email_verified: bool = False,
) -> LinkedInIdentity:
    """Record that ``user`` is the member ``person_urn``; raise IdentityTaken if another is.

    A user who was another member before becomes this one (the old link is replaced).
    """
    taken = LinkedInIdentity.objects.filter(person_urn=person_urn).exclude(user=user).exists()
    if taken:
        raise IdentityTaken(person_urn)
    previous = identity_for(user)
    now = timezone.now()
    fields = {"person_urn": person_urn, "last_seen_at": now}
    if name:
        fields["name"] = name[:200]
    if email:
        fields["email"] = email
        fields["email_verified"] = email_verified
    try:
        with transaction.atomic():
            identity, _ = LinkedInIdentity.objects.update_or_create(user=user, defaults=fields)
    except IntegrityError:
        # Another user linked the same member between our check and our write.
        raise IdentityTaken(person_urn) from None
    if previous is not None and previous.person_urn != person_urn:
        _send_unlinked(user, previous.person_urn)
    transaction.on_commit(lambda: identity_linked.send(LinkedInIdentity, identity=identity))
    logger.info("user %s is LinkedIn member %s", user.pk, person_urn)
    return identity


def unlink_identity(user: AbstractBaseUser) -> bool:
    """Forget which member the user is; return whether one was known."""
    identity = identity_for(user)
    if identity is None:
        return False
    identity.delete()
    _send_unlinked(user, identity.person_urn)
    return True


def _send_unlinked(user: AbstractBaseUser, person_urn: str) -> None:
    transaction.on_commit(
        lambda: identity_unlinked.send(LinkedInIdentity, user=user, person_urn=person_urn)
    )


def identity_for(user: AbstractBaseUser) -> LinkedInIdentity | None:
    if not user.is_authenticated:
        return None
    return LinkedInIdentity.objects.filter(user=user).first()


def user_for_member(person_urn: str) -> AbstractBaseUser | None:
    """The site user who is this member, if any."""
    identity = LinkedInIdentity.objects.select_related("user").filter(person_urn=person_urn)
    found = identity.first()
    return found.user if found else None


def names_of_members(person_urns: Iterable[str]) -> dict[str, str]:
    """The names we know for these members: a site user's own identity wins over a name
    another source gave (two queries, whatever the number of members)."""
    urns = set(person_urns)
    names = dict(MemberName.objects.filter(person_urn__in=urns).values_list("person_urn", "name"))
    identities = LinkedInIdentity.objects.filter(person_urn__in=urns).exclude(name="")
    names.update(identities.values_list("person_urn", "name"))
    return names


def remember_member_names(names: dict[str, str], *, source: str) -> None:
    """Record names learnt for members (person URN to name); empty names are ignored, and
    so are erased members (accounts.erasure): a name learnt again must not bring them back."""
    names = {urn: name for urn, name in names.items() if name}
    erased = set(
        ErasedMember.objects.filter(
            key__in=[ErasedMember.key_for(urn) for urn in names]
        ).values_list("key", flat=True)
    )
    rows = [
        MemberName(person_urn=urn, name=name[:200], source=source)
        for urn, name in names.items()
        if ErasedMember.key_for(urn) not in erased
    ]
    MemberName.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["person_urn"],
        update_fields=["name", "source", "updated_at"],
    )


def linked_members(*, exclude: str = "") -> list[tuple[str, str]]:
    """(person URN, name) of the active site users who are a LinkedIn member, by name."""
    identities = (
        LinkedInIdentity.objects.filter(user__is_active=True)
        .exclude(person_urn=exclude)
        .order_by("name", "person_urn")
    )
    return [(i.person_urn, i.name or i.person_urn) for i in identities]
