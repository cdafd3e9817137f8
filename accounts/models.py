"""A site user's LinkedIn identity: which LinkedIn member the user is.

It sits below the recruiter and recommendations apps, which both need it and must not import
each other: the recruiter app maps a user to the seat whose holder is this member, the
recommendations app acts as this member. Tokens are not kept here; each app keeps the grants
it needs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac


class LinkedInIdentity(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="linkedin_identity"
    )
    # One member is at most one site user: otherwise two users could act as one member.
    person_urn = models.CharField("person URN", max_length=200, unique=True)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    email_verified = models.BooleanField(default=False)
    linked_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(
        default=timezone.now, help_text="When LinkedIn last confirmed who this user is."
    )

    class Meta:
        verbose_name = "LinkedIn identity"
        verbose_name_plural = "LinkedIn identities"

    def __str__(self) -> str:
        return f"{self.name or self.person_urn} ({self.user})"


class MemberName(models.Model):
    """A name the site knows for a LinkedIn member who need not be a site user.

    Filled by whichever app learns it (a seat holder's name from the seat holders API, a name
    LinkedIn returned with a recommendation), so that every page can show people by name
    without one app reading the other's tables.
    """

    person_urn = models.CharField("person URN", max_length=200, unique=True)
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=20, help_text="Where the name came from.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.person_urn})"


class Preference(models.Model):
    """A site user's own settings, and when they last came by (for "since your last visit")."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    # An IANA name ("Europe/Paris"); empty until the browser tells us or the user picks one.
    time_zone = models.CharField(max_length=64, blank=True)
    # The start of the current visit and of the one before: the home page lists what changed
    # since the previous one, and keeps listing it for the whole of the current visit.
    visit_started_at = models.DateTimeField(null=True, blank=True)
    previous_visit_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"preferences of {self.user}"


class ErasedMember(models.Model):
    """A member an admin erased, kept only as a keyed hash of their URN (accounts.erasure), so
    that the sync can leave out what LinkedIn still serves about them without the site keeping
    who they were."""

    key = models.CharField(max_length=64, unique=True)
    erased_at = models.DateTimeField(default=timezone.now)

    class Meta:
        permissions = [("erase_member", "Can erase a member or a site user")]

    def __str__(self) -> str:
        return f"erased member {self.key[:12]}… ({self.erased_at:%Y-%m-%d})"

    @staticmethod
    def key_for(person_urn: str) -> str:
        """Keyed by SECRET_KEY, so that the list of erased members does not say who they
        were (member ids can be enumerated: a plain hash could be reversed)."""
        return salted_hmac("accounts.erased_member", person_urn, algorithm="sha256").hexdigest()
