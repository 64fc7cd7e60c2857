"""Request parameters shared by routers: record ids that fit the database's BIGINT."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

# The largest BIGINT: a bigger id cannot exist, and the database would refuse to compare it.
MAX_ID = 2**63 - 1

RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="记录 id")]
