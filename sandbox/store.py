"""The sandbox's whole truth in one object: notes, members and tokens, recommendation requests."""

from __future__ import annotations

from typing import Any

from sandbox.auth import AuthStore, Member
from sandbox.data import NoteStore
from sandbox.recs import RecRequest, RecStore
from sandbox.seats import SeatHolders, prospect_names_csv


class Store(NoteStore):
    """Notes (inherited) plus `auth` (members, tokens) and `recs` (recommendation requests)."""

    def __init__(
        self,
        *,
        seed: int,
        contracts: int,
        seats: int,
        prospects: int,
        notes: int,
        days: int,
        base_time_ms: int,
        client_id: str,
        client_secret: str,
    ) -> None:
        super().__init__(
            seed=seed,
            contracts=contracts,
            seats=seats,
            prospects=prospects,
            notes=notes,
            days=days,
            base_time_ms=base_time_ms,
        )
        self.auth = AuthStore(client_id, client_secret)
        self.recs = RecStore(base_time_ms)
        self.holders = SeatHolders(seed)
        self.holders.populate({urn: self.seats(urn) for urn in self.contract_urns()})

    def add_note(
        self,
        contract_urn: str,
        owner: str | None = None,
        member: str | None = None,
        text: str | None = None,
        at_ms: int | None = None,
    ) -> dict[str, Any]:
        note = super().add_note(contract_urn, owner, member, text, at_ms)
        self.holders.ensure(contract_urn, note["owner"])
        return note

    def prospect_names_csv(self) -> str:
        """member,name,url for a few prospects, as a team's ATS export would list them."""
        return prospect_names_csv(self.prospects())

    @property
    def members(self) -> list[Member]:
        return self.auth.members

    def member(self, sub: str) -> Member | None:
        return self.auth.member(sub)

    def revoke_token(self, token: str) -> None:
        self.auth.revoke_token(token)

    def expire_token(self, token: str) -> None:
        self.auth.expire_token(token)

    def recommendation_requests(self) -> list[RecRequest]:
        return self.recs.all()
