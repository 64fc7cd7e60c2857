"""Staff roles and what each may do: one table, read by every permission check."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    community_worker = "community_worker"  # 社区/村 工作人员
    social_worker = "social_worker"  # 社工站
    street_officer = "street_officer"  # 街道/镇
    district_officer = "district_officer"  # 区民政局
    auditor = "auditor"
    admin = "admin"


class Scope(StrEnum):
    cases_read = "cases:read"
    cases_create = "cases:create"  # enter an application on someone's behalf (channel staff)
    cases_triage = "cases:triage"  # accept, reject, refer
    cases_assign = "cases:assign"
    cases_work = "cases:work"  # investigate, submit for review (as the assignee)
    cases_decide = "cases:decide"  # approve, deny
    cases_close = "cases:close"
    personal_reveal = "personal:reveal"
    audit_read = "audit:read"
    households_read = "households:read"
    households_write = "households:write"
    households_export = "households:export"
    categories_decide = "categories:decide"
    standards_write = "standards:write"
    accounts_admin = "accounts:admin"
    jobs_manage = "jobs:manage"  # see parked background jobs, queue them again
    calendar_manage = "calendar:manage"  # record a year's holidays and make-up working days
    visits_read = "visits:read"  # worklists, visit records, figures
    visits_record = "visits:record"  # record a home visit (入户走访)
    visits_assign = "visits:assign"  # assign households to workers, reassign in bulk
    visit_policy_manage = "visit_policy:manage"  # set the visit cycles
    monitoring_import = "monitoring:import"  # upload other agencies' data files
    monitoring_read = "monitoring:read"  # see imports and their reports
    warnings_read = "warnings:read"
    warnings_dispatch = "warnings:dispatch"  # send a warning out for verification
    warnings_verify = "warnings:verify"  # verify on site (as the assignee)
    warnings_resolve = "warnings:resolve"  # decide what is done about a confirmed warning
    rules_manage = "rules:manage"  # tune warning rules and start scans
    stats_read = "stats:read"  # the bureau's figures for the jurisdiction, and their workbooks
    assistance_read = "assistance:read"  # projects, needs, matches, plans, referrals, figures
    assistance_work = "assistance:work"  # needs, groups, plans and referrals (精准救助)
    assistance_approve = "assistance:approve"  # approve a service plan (一人一策)
    projects_manage = "projects:manage"  # organizations and their service projects


_CASEWORK = {
    Scope.cases_read,
    Scope.cases_create,
    Scope.cases_work,
    Scope.personal_reveal,
    Scope.households_read,
    Scope.households_write,
    Scope.households_export,
    Scope.visits_read,
    Scope.visits_record,
    Scope.stats_read,
    Scope.assistance_read,
    Scope.assistance_work,
}

ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.community_worker: frozenset(
        _CASEWORK | {Scope.cases_triage, Scope.warnings_read, Scope.warnings_verify}
    ),
    Role.social_worker: frozenset(
        _CASEWORK
        | {
            Scope.cases_triage,
            Scope.warnings_read,
            Scope.warnings_verify,
            Scope.assistance_approve,
            Scope.projects_manage,
        }
    ),
    Role.street_officer: frozenset(
        _CASEWORK
        | {
            Scope.cases_triage,
            Scope.cases_assign,
            Scope.cases_close,
            Scope.visits_assign,
            Scope.warnings_read,
            Scope.warnings_dispatch,
            Scope.warnings_verify,
            Scope.assistance_approve,
        }
    ),
    Role.district_officer: frozenset(
        _CASEWORK
        | {
            Scope.cases_assign,
            Scope.cases_decide,
            Scope.cases_close,
            Scope.audit_read,
            Scope.categories_decide,
            Scope.standards_write,
            Scope.visits_assign,
            Scope.visit_policy_manage,
            Scope.monitoring_import,
            Scope.monitoring_read,
            Scope.warnings_read,
            Scope.warnings_dispatch,
            Scope.warnings_resolve,
            Scope.rules_manage,
            Scope.assistance_approve,
            Scope.projects_manage,
        }
    ),
    Role.auditor: frozenset(
        {
            Scope.cases_read,
            Scope.audit_read,
            Scope.households_read,
            Scope.visits_read,
            Scope.monitoring_read,
            Scope.warnings_read,
            Scope.stats_read,
            Scope.assistance_read,
        }
    ),
    Role.admin: frozenset({Scope.accounts_admin, Scope.jobs_manage, Scope.calendar_manage}),
}


def has_scope(role: str, scope: Scope) -> bool:
    try:
        return scope in ROLE_SCOPES[Role(role)]
    except ValueError:
        return False
