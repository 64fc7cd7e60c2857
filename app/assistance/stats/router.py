"""Figures of precision assistance for staff."""

from __future__ import annotations

from fastapi import APIRouter

from app.accounts.dependencies import RequireAssistanceRead
from app.assistance.stats import service
from app.db.deps import Session
from app.kit.params import RegionCodeQuery
from app.kit.schemas import Money, Schema

router = APIRouter(prefix="/staff", tags=["assistance"])


class NeedCounts(Schema):
    open: int
    met: int
    closed: int


class ReferralCounts(Schema):
    sent: int
    accepted: int
    declined: int
    completed: int
    cancelled: int


class ProjectHours(Schema):
    project_id: int
    name: str
    hours: Money
    services: int
    households: int


class AssistanceStats(Schema):
    region_code: str | None
    needs: NeedCounts
    referrals: ReferralCounts
    acceptance_rate: float | None
    median_days_to_first_service: float | None
    hours_by_project: list[ProjectHours]


@router.get("/assistance/stats", response_model=AssistanceStats)
async def assistance_stats(
    session: Session, actor: RequireAssistanceRead, region_code: RegionCodeQuery = None
) -> AssistanceStats:
    """Needs met and open, referral acceptance rate and median days to first service, hours
    delivered per project: the caller's jurisdiction (or a region within it)."""
    return AssistanceStats.model_validate(await service.figures(session, actor, region_code))
