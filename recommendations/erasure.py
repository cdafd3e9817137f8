"""What the recommendations app erases about a person (registered with accounts.erasure)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q

from recommendations.accounts import disconnect
from recommendations.models import LinkedInAccount, RecommendationRequest


def _naming(person_urn: str):
    return RecommendationRequest.objects.filter(Q(requester=person_urn) | Q(requestee=person_urn))


class RecommendationsEraser:
    def plan_member(self, person_urn: str) -> dict[str, int]:
        return {
            "recommendation requests naming them": _naming(person_urn).count(),
            "LinkedIn connection (tokens)": LinkedInAccount.objects.filter(
                person_urn=person_urn
            ).count(),
        }

    def erase_member(self, person_urn: str) -> dict[str, int]:
        return {
            "recommendation requests naming them": _naming(person_urn).delete()[0],
            "LinkedIn connection (tokens)": LinkedInAccount.objects.filter(
                person_urn=person_urn
            ).delete()[0],
        }

    def names_of(self, person_urn: str) -> set[str]:
        return set(
            LinkedInAccount.objects.filter(person_urn=person_urn).values_list("name", flat=True)
        )

    def erase_user(self, user: AbstractBaseUser, person_urn: str | None) -> dict[str, int]:
        account = LinkedInAccount.objects.filter(user=user).first()
        urns = {urn for urn in (person_urn, account and account.person_urn) if urn}
        copies = 0
        for urn in urns:
            copies += _naming(urn).delete()[0]
        copies += RecommendationRequest.objects.filter(created_by=user).delete()[0]
        # Revoked at LinkedIn first, then deleted here, even if LinkedIn cannot be reached
        # (recommendations.accounts.disconnect logs that at ERROR).
        tokens = int(disconnect(user) is not None)
        return {"LinkedIn connection (tokens)": tokens, "recommendation copies": copies}
