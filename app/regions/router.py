from __future__ import annotations

from fastapi import APIRouter

from app.db.deps import Session
from app.kit.params import RegionCodeQuery
from app.regions import service
from app.regions.schemas import RegionList, RegionOut

router = APIRouter(tags=["regions"])


@router.get("/regions", response_model=RegionList)
async def list_regions(
    session: Session,
    parent_code: RegionCodeQuery = None,
) -> RegionList:
    """Children of a region (行政区划), or the top level: public, for the mini program's picker."""
    regions = await service.list_children(session, parent_code)
    return RegionList(items=[RegionOut.model_validate(r) for r in regions])
