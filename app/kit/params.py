"""Request parameters shared by routers: record ids that fit the database's BIGINT."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import BeforeValidator

from app.kit.inputs import REGION_PATTERN, code_before

# The largest BIGINT: a bigger id cannot exist, and the database would refuse to compare it.
MAX_ID = 2**63 - 1

RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="记录 id")]

# A region filter: full-width digits and spaces normalised like every other code input.
RegionCodeQuery = Annotated[
    str | None,
    BeforeValidator(code_before),
    Query(pattern=REGION_PATTERN, description="12 位行政区划代码"),
]
