"""The sandbox's whole truth in one object: notes, members and tokens, recommendation requests."""

from __future__ import annotations

from sandbox.auth import AuthStore, Member
from sandbox.data import NoteStore
from sandbox.recs import RecRequest, RecStore


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
