"""All ORM tables, imported here so Alembic and the metadata see them all."""

from app.models.account import Agency, LoginFailure, RefreshToken, Resident, Staff
from app.models.application import (
    OPEN_STATUSES,
    Application,
    ApplicationEvent,
    Attachment,
    ConsentWithdrawal,
    Counter,
)
from app.models.assistance import (
    HouseholdProfile,
    MemberTag,
    Need,
    Organization,
    Project,
    Referral,
    ServicePlan,
    ServicePlanVersion,
    ServiceRecord,
    TimeBankCredit,
)
from app.models.audit import AuditEvent
from app.models.calendar import CalendarDay, CalendarYear
from app.models.household import (
    CategoryChange,
    Household,
    HouseholdChange,
    HouseholdMember,
    LedgerEntry,
    Standard,
    StandardRecalculation,
)
from app.models.idempotency import IdempotencyRecord
from app.models.job import Job
from app.models.monitoring import MonitoringImport, Signal
from app.models.notification import (
    ContentCheck,
    FakeWeChatMessage,
    Notification,
    WeChatAccessToken,
    WeChatSubscription,
)
from app.models.procedure import (
    Procedure,
    ProcedureDocument,
    ProcedureObjection,
    ProcedureStep,
)
from app.models.region import Region
from app.models.visit import Visit, VisitNeed, VisitPhoto, VisitPolicy, VisitSchedule
from app.models.warning import EarlyWarning, WarningEvent, WarningRule, WarningScan

__all__ = [
    "OPEN_STATUSES",
    "Agency",
    "Application",
    "ApplicationEvent",
    "Attachment",
    "AuditEvent",
    "CalendarDay",
    "CalendarYear",
    "CategoryChange",
    "ConsentWithdrawal",
    "ContentCheck",
    "Counter",
    "EarlyWarning",
    "FakeWeChatMessage",
    "Household",
    "HouseholdChange",
    "HouseholdMember",
    "HouseholdProfile",
    "IdempotencyRecord",
    "Job",
    "LedgerEntry",
    "LoginFailure",
    "MemberTag",
    "MonitoringImport",
    "Need",
    "Notification",
    "Organization",
    "Procedure",
    "ProcedureDocument",
    "ProcedureObjection",
    "ProcedureStep",
    "Project",
    "Referral",
    "RefreshToken",
    "Region",
    "Resident",
    "ServicePlan",
    "ServicePlanVersion",
    "ServiceRecord",
    "Signal",
    "Staff",
    "Standard",
    "StandardRecalculation",
    "TimeBankCredit",
    "Visit",
    "VisitNeed",
    "VisitPhoto",
    "VisitPolicy",
    "VisitSchedule",
    "WarningEvent",
    "WarningRule",
    "WarningScan",
    "WeChatAccessToken",
    "WeChatSubscription",
]
