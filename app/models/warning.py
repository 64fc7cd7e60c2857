"""Warning rules, the warnings they raise, each warning's history, and the scans that run them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import BigId, IdMixin, Model, utcnow

# A warning still being worked on; at most one per rule and subject (the partial unique index).
OPEN_WARNING_STATUSES = ("open", "dispatched", "verified")
_OPEN_PREDICATE = "status IN ('open', 'dispatched', 'verified')"


class WarningRule(Model):
    """A rule's settings as district officers tuned them. What the rule checks, its name and
    class are code (``app/monitoring/rules``); what may change without code is here."""

    __tablename__ = "warning_rules"

    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    level: Mapped[str] = mapped_column(String(8))  # red | orange | yellow
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WarningScan(IdMixin, Model):
    """One evaluation of the rules: over the whole district (``full``) or over the people one
    import touched (``import``)."""

    __tablename__ = "warning_scans"

    kind: Mapped[str] = mapped_column(String(8))  # full | import
    status: Mapped[str] = mapped_column(String(8), default="queued")  # queued|running|done
    import_id: Mapped[int | None] = mapped_column(BigId)
    requested_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    rules_run: Mapped[int] = mapped_column(default=0)
    warnings_opened: Mapped[int] = mapped_column(default=0)
    # Warnings opened by each rule: {"need_medical_spending": 3, ...}.
    opened_by_rule: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class EarlyWarning(IdMixin, Model):
    """A warning (预警): what a rule found about a household or a person, with the evidence,
    and what people then did about it. A rule only suggests; every step is a person's."""

    __tablename__ = "warnings"
    __table_args__ = (
        # The same rule never has two open warnings about one subject, however many scans run.
        Index(
            "uq_warnings_open_subject",
            "rule_code",
            "subject_key",
            unique=True,
            postgresql_where=text(_OPEN_PREDICATE),
            sqlite_where=text(_OPEN_PREDICATE),
        ),
        Index("ix_warnings_subject", "subject_key", "rule_code"),
        Index("ix_warnings_region_list", "region_code", "id"),
        Index("ix_warnings_status_list", "status", "id"),
        Index("ix_warnings_household", "household_id"),
        Index("ix_warnings_assignee", "assignee_id", "status"),
        Index("ix_warnings_scan", "scan_id"),
    )

    rule_code: Mapped[str] = mapped_column(String(48))
    rule_class: Mapped[str] = mapped_column(String(10))  # discovery | need | exit | policy
    level: Mapped[str] = mapped_column(String(8))  # red | orange | yellow
    # open > dispatched > verified > resolved; a false alarm is closed at verification.
    status: Mapped[str] = mapped_column(String(12), default="open")
    # "h:<household id>" or "p:<person hash>": what "the same warning" means.
    subject_key: Mapped[str] = mapped_column(String(80))
    household_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("households.id"))
    person_hash: Mapped[str | None] = mapped_column(String(64))
    person_name: Mapped[str] = mapped_column(String(50), default="")
    person_id_masked: Mapped[str | None] = mapped_column(String(18))
    region_code: Mapped[str] = mapped_column(String(12))
    summary: Mapped[str] = mapped_column(String(500), default="")
    # [{"source", "import_id", "row", "field", "value", "threshold"}]
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # When the newest signal behind it reached us (None for rules over registry data only).
    last_signal_at: Mapped[datetime | None]
    scan_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("warning_scans.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    assignee_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    dispatched_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    verified_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(12))  # confirmed | false_alarm
    findings: Mapped[str | None] = mapped_column(Text)
    route: Mapped[str | None] = mapped_column(String(20))
    resolution: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    resolved_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    # Set when resolved or closed as a false alarm: a scan opens the same warning again only
    # for evidence that arrived after this.
    closed_at: Mapped[datetime | None]


class WarningEvent(IdMixin, Model):
    """One step in a warning's history: who, when, from which status to which, and why."""

    __tablename__ = "warning_events"
    __table_args__ = (Index("ix_warning_events_warning", "warning_id", "id"),)

    warning_id: Mapped[int] = mapped_column(BigId, ForeignKey("warnings.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(BigId)
    actor_role: Mapped[str] = mapped_column(String(20), default="system")
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
