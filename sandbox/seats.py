"""Who holds each Recruiter seat (seatsV2), and names for some prospects.

Seat holders get believable names from a random generator of their own, seeded like the notes
but separate from them, so adding names changed none of the generated notes. The first two
seats of the first contract belong to the demo members Alice and Bob (sandbox.auth), so that
signing in as one of them can map the site user to their seat by person URN.
"""

from __future__ import annotations

import csv
import io
import random
import string
import threading
from dataclasses import dataclass, field, replace

from sandbox.auth import DEMO_MEMBERS

FIRST_NAMES = (
    "Priya", "Tomás", "Hannah", "Kwame", "Sofia", "Mateusz", "Aiko", "Lena", "Omar", "Grace",
    "Diego", "Ingrid", "Yusuf", "Chloé", "Ravi", "Maja", "Ethan", "Nadia", "Jonas", "Amara",
)  # fmt: skip
LAST_NAMES = (
    "Okafor", "Lindqvist", "Moreau", "Nakamura", "Schmidt", "Patel", "García", "O'Brien",
    "Kowalski", "Haddad", "Rossi", "Jensen", "Mensah", "Dubois", "Novak", "Fischer",
)  # fmt: skip
STATES = ("ACTIVE", "INACTIVE", "INVITED", "PARKED")
RECRUITER_ROLES = ("SOURCER_ADD_PROSPECT", "SOURCER_SEARCH_AND_VIEW")
ADMIN_ROLES = ("ADMIN_SEAT", *RECRUITER_ROLES)
NAMED_PROSPECTS = 12  # prospects the demo CSV names: "a few", the rest stay URNs
ATS_URL = "https://ats.example.com/candidates/{}"


@dataclass(frozen=True)
class Holder:
    seat_id: int
    contract: str
    first_name: str
    last_name: str
    member: str
    state: str = "ACTIVE"
    roles: tuple[str, ...] = RECRUITER_ROLES

    def element(self) -> dict[str, object]:
        # The fields and their order as LinkedIn's sample response shows them.
        return {
            "firstName": self.first_name,
            "lastName": self.last_name,
            "contract": self.contract,
            "member": self.member,
            "state": self.state,
            "seatRoles": list(self.roles),
            "id": self.seat_id,
        }


@dataclass
class SeatHolders:
    """Every seat's holder, by seat URN; thread-safe."""

    seed: int
    _holders: dict[str, Holder] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(f"seat-holders-{self.seed}")

    def populate(self, seats_by_contract: dict[str, list[str]]) -> None:
        for c, (contract, seats) in enumerate(seats_by_contract.items()):
            for i, urn in enumerate(seats):
                self._holders[urn] = self._generated(contract, urn, c, i, len(seats))

    def _generated(self, contract: str, urn: str, c: int, i: int, seats: int) -> Holder:
        seat_id = int(urn.rsplit(":", 1)[1])
        if c == 0 and i < 2:
            member = DEMO_MEMBERS[i]
            first, last, person = member.given_name, member.family_name, member.urn
        else:
            first, last = self._fresh_name()
            alphabet = string.ascii_letters + string.digits
            person = "urn:li:person:" + "".join(self._rng.choices(alphabet, k=10))
        # One seat per contract of five or more is INACTIVE: its holder left, its notes stay.
        state = "INACTIVE" if seats >= 5 and i == seats - 1 else "ACTIVE"
        roles = ADMIN_ROLES if i == 0 else RECRUITER_ROLES
        return Holder(seat_id, contract, first, last, person, state, roles)

    def _fresh_name(self) -> tuple[str, str]:
        taken = {(h.first_name, h.last_name) for h in self._holders.values()}
        while True:
            name = (self._rng.choice(FIRST_NAMES), self._rng.choice(LAST_NAMES))
            if name not in taken or len(taken) >= len(FIRST_NAMES) * len(LAST_NAMES):
                return name

    def ensure(self, contract: str, urn: str) -> None:
        """A holder for a seat that appeared later (a note added with a new owner)."""
        with self._lock:
            if urn not in self._holders:
                self._holders[urn] = self._generated(contract, urn, 1, 0, 1)

    def listed(self, contracts: list[str], states: list[str] | None) -> list[Holder]:
        """The holders of these contracts in these states, in seat id order (stable paging)."""
        wanted = set(contracts)
        with self._lock:
            found = [
                h
                for h in self._holders.values()
                if h.contract in wanted and (not states or h.state in states)
            ]
        return sorted(found, key=lambda h: h.seat_id)

    def all(self) -> list[Holder]:
        with self._lock:
            return sorted(self._holders.values(), key=lambda h: h.seat_id)

    def change(self, urn: str, **fields: object) -> Holder:
        """Change a holder's fields (firstName, lastName, member, state, seatRoles)."""
        names = {
            "firstName": "first_name",
            "lastName": "last_name",
            "member": "member",
            "state": "state",
            "seatRoles": "roles",
        }
        unknown = set(fields) - set(names)
        if unknown:
            raise ValueError(f"unknown seat holder field(s): {', '.join(sorted(unknown))}")
        changes = {names[k]: tuple(v) if k == "seatRoles" else v for k, v in fields.items()}
        if "state" in changes and changes["state"] not in STATES:
            raise ValueError(f"state must be one of {', '.join(STATES)}")
        with self._lock:
            holder = replace(self._holders[urn], **changes)
            self._holders[urn] = holder
        return holder

    def remove(self, urn: str) -> None:
        """The seat is no longer on the contract: seatsV2 stops listing it (its notes stay)."""
        with self._lock:
            del self._holders[urn]

    def add(self, contract: str, urn: str, **fields: object) -> Holder:
        with self._lock:
            self._holders[urn] = self._generated(contract, urn, 1, 0, 1)
        return self.change(urn, **fields) if fields else self._holders[urn]


def prospect_names(members: list[str]) -> list[tuple[str, str, str]]:
    """Names (and an ATS link) for the first few prospects: what a team's ATS export holds."""
    rng = random.Random("prospect-names")
    rows = []
    for i, urn in enumerate(members[:NAMED_PROSPECTS]):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        rows.append((urn, name, ATS_URL.format(1000 + i)))
    return rows


def prospect_names_csv(members: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("member", "name", "url"))
    writer.writerows(prospect_names(members))
    return out.getvalue()
