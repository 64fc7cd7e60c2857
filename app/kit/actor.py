"""Who is calling: a staff member, a resident or an agency, and from where."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    kind: str  # staff | resident | agency | system
    id: int | None
    role: str  # a staff role, "resident", "agency" or "system"
    region_code: str | None = None
    client: str = ""

    @property
    def key(self) -> str:
        """A stable caller identity, e.g. for idempotency records."""
        return f"{self.kind}:{self.id}"


SYSTEM = Actor(kind="system", id=None, role="system", client="cli")
