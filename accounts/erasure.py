"""Erasing a person: a LinkedIn member (a prospect, say) or a site user who leaves the team.

The recruiter and recommendations apps must not import each other, so each registers an eraser
here (in its AppConfig.ready) and this module, below both, runs them all in one transaction and
records the erasure in the audit log. What stays is only what stops the data coming back: the
apps' tombstones, and here a keyed hash of the member's URN that the sync checks.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.db import DEFAULT_DB_ALIAS, models, transaction

import audit
from accounts.identity import identity_for, unlink_identity
from accounts.models import ErasedMember, LinkedInIdentity, MemberName
from audit.actions import pseudonym, pseudonymise_user, redact
from audit.models import Action

# LinkedIn member URNs as the APIs give them (urn:li:person:<id>, urn:li:member:<n>).
MEMBER_URN = re.compile(r"urn:li:(person|member):[A-Za-z0-9_-]{1,100}")
# A bound on how many members' hashes a sync writer remembers.
MAX_REMEMBERED = 100_000

T = TypeVar("T")


class Eraser(Protocol):
    """What an app erases. Counts are {label: number}, labels in words for the admin page."""

    def plan_member(self, person_urn: str) -> dict[str, int]: ...

    def erase_member(self, person_urn: str) -> dict[str, int]: ...

    def names_of(self, person_urn: str) -> set[str]: ...

    def erase_user(self, user: AbstractBaseUser, person_urn: str | None) -> dict[str, int]: ...


_erasers: list[Eraser] = []


def register_eraser(eraser: Eraser) -> None:
    if eraser not in _erasers:
        _erasers.append(eraser)


member_key = ErasedMember.key_for


def check_member_urn(person_urn: str) -> str:
    person_urn = (person_urn or "").strip()
    if not MEMBER_URN.fullmatch(person_urn):
        raise ValueError(f"Not a member URN: {person_urn[:120]!r} (expected urn:li:person:<id>).")
    return person_urn


def is_erased(person_urn: str) -> bool:
    return ErasedMember.objects.filter(key=member_key(person_urn)).exists()


def erased_among(person_urns: Iterable[str]) -> set[str]:
    """Those of these members an admin erased (one query)."""
    keys = {member_key(urn): urn for urn in set(person_urns)}
    found = ErasedMember.objects.filter(key__in=keys).values_list("key", flat=True)
    return {keys[key] for key in found}


@dataclass
class Plan:
    """What an erasure removes, counted, for the confirmation page and the command."""

    person_urn: str
    counts: dict[str, int] = field(default_factory=dict)
    already_erased: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def plan_member_erasure(person_urn: str) -> Plan:
    """Count what erase_member would remove; change nothing. ValueError on a bad URN."""
    person_urn = check_member_urn(person_urn)
    counts = _own_counts(person_urn)
    for eraser in _erasers:
        counts.update(eraser.plan_member(person_urn))
    return Plan(person_urn, counts, already_erased=is_erased(person_urn))


def erase_member(person_urn: str, *, actor: Any = None, via: str = "admin") -> Plan:
    """Erase everything about one member, in one transaction, and record it (the audit entry
    names the member by pseudonym only). Erasing again is harmless. ValueError on a bad URN."""
    person_urn = check_member_urn(person_urn)
    with transaction.atomic():
        names = _names_of(person_urn)
        counts: dict[str, int] = {}
        for eraser in _erasers:
            counts.update(eraser.erase_member(person_urn))
        counts.update(_erase_own(person_urn, names))
        ErasedMember.objects.get_or_create(key=member_key(person_urn))
        alias = pseudonym(person_urn)
        counts["audit entries pseudonymised"] = redact([person_urn, *names], alias)
        audit.record(Action.MEMBER_ERASED, actor=actor, member=alias, via=via, counts=counts)
    return Plan(person_urn, counts, already_erased=True)


def erase_user(user: AbstractBaseUser, *, actor: Any = None, via: str = "admin") -> dict[str, int]:
    """A site user leaves: their LinkedIn tokens, seat mappings and recommendation copies go
    (each app's eraser), then the account itself; their audit entries stay, pseudonymised."""
    with transaction.atomic():
        identity = identity_for(user)
        person_urn = identity.person_urn if identity else None
        counts: dict[str, int] = {}
        for eraser in _erasers:
            counts.update(eraser.erase_user(user, person_urn))
        counts["LinkedIn identity"] = int(unlink_identity(user))
        alias = pseudonym(f"user:{user.pk}")
        audit.record(Action.USER_ERASED, actor=actor, user=alias, via=via, counts=counts)
        pseudonymise_user(user)
        _admin_log_naming([user.get_username()], whole=True).delete()
        counts["sign-in attempt records"] = _forget_sign_in_attempts(user.get_username())
        user.delete()
    return counts


def _forget_sign_in_attempts(username: str) -> int:
    """django-axes keeps attempts by username (and address); the audit log keeps the facts."""
    if not apps.is_installed("axes"):
        return 0
    deleted = 0
    for model in apps.get_app_config("axes").get_models():
        if any(field.name == "username" for field in model._meta.fields):
            deleted += model.objects.filter(username=username).delete()[0]
    return deleted


def _names_of(person_urn: str) -> set[str]:
    names = set(MemberName.objects.filter(person_urn=person_urn).values_list("name", flat=True))
    names |= set(
        LinkedInIdentity.objects.filter(person_urn=person_urn).values_list("name", flat=True)
    )
    for eraser in _erasers:
        names |= eraser.names_of(person_urn)
    return {name for name in names if name}


def _own_counts(person_urn: str) -> dict[str, int]:
    names = _names_of(person_urn)
    return {
        "names": MemberName.objects.filter(person_urn=person_urn).count(),
        "site user's LinkedIn identity": LinkedInIdentity.objects.filter(
            person_urn=person_urn
        ).count(),
        "admin history entries": _admin_log_naming([person_urn, *names]).count(),
    }


def _erase_own(person_urn: str, names: Collection[str]) -> dict[str, int]:
    # The admin's own history names objects by their str(), a prospect's name or URN.
    admin_log = _admin_log_naming([person_urn, *names]).delete()[0]
    identity = LinkedInIdentity.objects.filter(person_urn=person_urn).select_related("user")
    linked = identity.first()
    if linked is not None:
        unlink_identity(linked.user)  # the apps drop what hangs on it (identity_unlinked)
    return {
        "names": MemberName.objects.filter(person_urn=person_urn).delete()[0],
        "site user's LinkedIn identity": int(linked is not None),
        "admin history entries": admin_log,
    }


def _admin_log_naming(values: Iterable[str], *, whole: bool = False) -> models.QuerySet:
    condition = models.Q(pk__in=[])
    for value in values:
        if whole:
            condition |= models.Q(object_repr__iexact=value)
        else:
            condition |= models.Q(object_repr__icontains=value)
            condition |= models.Q(change_message__icontains=value)
    return LogEntry.objects.filter(condition)


class ErasedMembers:
    """The sync's view of erased members: read once per batch (a small table, one query),
    each member's hash computed once per writer, and nothing at all to do when no member was
    ever erased."""

    def __init__(self, using: str = DEFAULT_DB_ALIAS) -> None:
        self.using = using
        self._keys: dict[str, str] = {}

    def without_erased(self, notes: Collection[T]) -> Collection[T]:
        """The notes (linkedin records with a .member) whose member was not erased."""
        erased = set(ErasedMember.objects.using(self.using).values_list("key", flat=True))
        if not erased:
            return notes
        blocked = {urn for urn in {n.member for n in notes} if self._key(urn) in erased}
        return [n for n in notes if n.member not in blocked] if blocked else notes

    def _key(self, urn: str) -> str:
        key = self._keys.get(urn)
        if key is None:
            if len(self._keys) >= MAX_REMEMBERED:
                self._keys.clear()
            key = self._keys[urn] = member_key(urn)
        return key
