"""Each contract's push URL as shown to admins (Sync page, contract admin) for registering
with LinkedIn, with what LinkedIn last did with it."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from recruiter.models import Contract

__all__ = ["PushEndpoint", "push_url"]


def push_url(request: HttpRequest, contract: Contract) -> str:
    """The absolute URL to register as this contract's callback URL at LinkedIn."""
    return request.build_absolute_uri(reverse("contract_webhook", args=[contract.push_token]))


@dataclass(frozen=True)
class PushEndpoint:
    contract: Contract
    url: str

    @property
    def integration_state(self) -> str:
        return self.contract.integration_status or "no status event yet"
