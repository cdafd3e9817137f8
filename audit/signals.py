"""Entries recorded from Django's own signals: sign-ins (whatever the backend: password, axes,
OpenID Connect all go through django.contrib.auth's signals) and role changes (group
membership, staff and superuser flags), however they are made (admin, shell, migration)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from audit.actions import pseudonymise_user, record
from audit.models import Action

User = get_user_model()
ROLE_FLAGS = ("is_staff", "is_superuser")


def _ip(request: HttpRequest | None) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@receiver(user_logged_in)
def _signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    record(Action.SIGN_IN, actor=user, target=user, ip=_ip(request))


@receiver(user_logged_out)
def _signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        record(Action.SIGN_OUT, actor=user, target=user, ip=_ip(request))


@receiver(user_login_failed)
def _sign_in_failed(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already masked the password in `credentials`; only the name typed is kept.
    username = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    # Sign in with LinkedIn says how and why (accounts.oidc): kept, short.
    extra = {key: str(credentials[key])[:200] for key in ("method", "reason") if key in credentials}
    record(Action.SIGN_IN_FAILED, actor=None, username=username[:150], ip=_ip(request), **extra)


@receiver(pre_save, sender=User)
def _remember_flags(sender: Any, instance: Any, update_fields=None, **kwargs: Any) -> None:
    # A sign-in saves last_login only: no query for it.
    if instance.pk is None or (update_fields is not None and not set(ROLE_FLAGS) & update_fields):
        instance._audit_flags = None
        return
    old = User.objects.filter(pk=instance.pk).values(*ROLE_FLAGS).first()
    instance._audit_flags = old


@receiver(post_save, sender=User)
def _flags_changed(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    old = getattr(instance, "_audit_flags", None)
    if created:
        old = dict.fromkeys(ROLE_FLAGS, False)
    if old is None:
        return
    changes = {
        flag: [old[flag], getattr(instance, flag)]
        for flag in ROLE_FLAGS
        if old[flag] != getattr(instance, flag)
    }
    instance._audit_flags = None
    if changes:
        record(Action.ROLE_CHANGED, target=instance, **changes)


@receiver(m2m_changed, sender=User.groups.through)
def _groups_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set | None, **kwargs: Any
) -> None:
    if action == "pre_clear":
        # After the clear there is nothing left to name: remember what goes.
        instance._audit_cleared = set(
            (instance.user_set if reverse else instance.groups).values_list("pk", flat=True)
        )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action == "post_clear":
        pk_set = getattr(instance, "_audit_cleared", set())
    if not pk_set:
        return
    key = "groups_added" if action == "post_add" else "groups_removed"
    if reverse:  # group.user_set.add(...): one entry per user
        for user in User.objects.filter(pk__in=pk_set):
            record(Action.ROLE_CHANGED, target=user, **{key: [instance.name]})
    else:
        names = sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        record(Action.ROLE_CHANGED, target=instance, **{key: names})


@receiver(pre_delete, sender=User)
def _pseudonymise_deleted_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    pseudonymise_user(instance)
