from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Model


class Region(Model):
    """An administrative division (行政区划), 12-digit code."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(
        String(12), ForeignKey("regions.code"), index=True
    )
    # Resident population (常住人口), given for communities and villages (a street's or the
    # district's is the sum of theirs, unless it is given itself): coverage's denominator.
    population: Mapped[int | None]
