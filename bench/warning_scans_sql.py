"""Hand-written PostgreSQL for the warning rules at their default params: the baseline the
benchmark compares the engine with. One statement per rule, each doing the same work as the
engine's (the rule's evidence rows, grouped per subject, inserted unless a warning is open or
was closed on the same evidence)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

# {hits} is the rule's evidence query; the rest is what the engine does around every rule.
WRAPPER = """
WITH {ctes}hits AS ({hits}),
grouped AS (
    SELECT subject_key, max(household_id) AS household_id, max(person_hash) AS person_hash,
           max(person_name) AS person_name, max(person_id_masked) AS person_id_masked,
           coalesce(max(region_code), CAST(:district AS varchar)) AS region_code,
           min(summary) AS summary,
           json_agg(json_build_object('source', source, 'import_id', import_id, 'row', row,
                    'field', field, 'value', value, 'threshold', threshold)) AS evidence,
           max(signal_at) AS last_signal_at
    FROM hits GROUP BY subject_key)
INSERT INTO warnings (rule_code, rule_class, level, status, subject_key, household_id,
    person_hash, person_name, person_id_masked, region_code, summary, evidence, last_signal_at,
    scan_id, opened_at, resolution)
SELECT CAST(:code AS varchar), CAST(:class AS varchar), CAST(:level AS varchar), 'open',
       g.subject_key, g.household_id, g.person_hash,
       coalesce(g.person_name, ''), g.person_id_masked, g.region_code, coalesce(g.summary, ''),
       g.evidence, g.last_signal_at, :scan_id, :at, '{{}}'
FROM grouped g
WHERE NOT EXISTS (
    SELECT 1 FROM warnings w
    WHERE w.rule_code = CAST(:code AS varchar) AND w.subject_key = g.subject_key
      AND (w.status IN ('open', 'dispatched', 'verified')
           OR (w.closed_at IS NOT NULL
               AND ((g.last_signal_at IS NULL AND w.closed_at > :quiet)
                    OR g.last_signal_at <= w.closed_at))))
ON CONFLICT DO NOTHING
"""
# What the engine writes to each new warning's history after the rules ran.
EVENTS = """
INSERT INTO warning_events (warning_id, at, actor_role, action, to_status, note, detail)
SELECT id, opened_at, 'system', 'open', 'open', summary, '{}' FROM warnings WHERE scan_id = :scan_id
"""

MEMBER_SIGNALS = """
FROM signals s
JOIN household_members m ON m.id_hash = s.person_hash AND m.active
JOIN households h ON h.id = m.household_id AND h.status = 'active'
"""
HOUSEHOLD_SUBJECT = """'h:' || h.id AS subject_key, h.id AS household_id,
    NULL::varchar AS person_hash, m.name AS person_name, m.id_masked AS person_id_masked,
    h.region_code AS region_code"""
# A rule totalling many rows per subject first leaves out subjects with a warning still open
# (the engine's ``not_open``): the wrapper would drop them anyway, after the work.
OPEN_WARNING = """SELECT 1 FROM warnings w WHERE w.rule_code = '{code}' AND w.subject_key = {key}
                AND w.status IN ('open', 'dispatched', 'verified')"""
SIGNAL_EVIDENCE = "s.source, s.import_id, s.row_number AS row"
TOUCHED_H = "h.id IN (SELECT household_id FROM hand_touched_households)"
TOUCHED_P = "s.person_hash IN (SELECT person_hash FROM hand_touched_persons)"
# An incremental scan first writes who the import touched (what the engine does too).
TOUCHED = (
    """CREATE TEMPORARY TABLE hand_touched_persons (person_hash varchar(64) PRIMARY KEY)
    ON COMMIT DROP""",
    """INSERT INTO hand_touched_persons
    SELECT DISTINCT person_hash FROM signals WHERE import_id = :import_id""",
    """CREATE TEMPORARY TABLE hand_touched_households (household_id bigint PRIMARY KEY)
    ON COMMIT DROP""",
    """INSERT INTO hand_touched_households
    SELECT DISTINCT m.household_id FROM household_members m
    JOIN hand_touched_persons t ON t.person_hash = m.id_hash WHERE m.active""",
    "ANALYZE hand_touched_persons, hand_touched_households",
)


def _recent(
    source: str, field: str, value: str, threshold: str, summary: str, where: str = ""
) -> str:
    return f"""SELECT {HOUSEHOLD_SUBJECT}, {SIGNAL_EVIDENCE}, '{field}' AS field,
        {value} AS value, '{threshold}' AS threshold, s.created_at AS signal_at,
        '{summary}' AS summary
    {MEMBER_SIGNALS}
    WHERE s.source = '{source}' AND s.occurred_on > :start AND s.occurred_on <= :on
      AND {{touched_h}} {where}"""


RULES: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    # code: (class, level, hits, window)
    "discovery_large_medical": (
        "discovery",
        "orange",
        """
        SELECT 'p:' || s.person_hash AS subject_key, NULL::bigint AS household_id,
               s.person_hash, s.person_name, s.person_id_masked, s.region_code,
               """
        + SIGNAL_EVIDENCE
        + """, 'out_of_pocket' AS field,
               s.amount::numeric(14,2)::text AS value, '15000.00' AS threshold,
               s.created_at AS signal_at,
               '未纳入监测人员近 12 个月医疗自付合计 ' || t.total::numeric(14,2)::text
               || ' 元，超过 15000.00 元' AS summary
        FROM signals s
        JOIN (SELECT s.person_hash, sum(s.amount) AS total FROM signals s
              WHERE s.source = 'medical' AND s.amount IS NOT NULL
                AND s.occurred_on > :start AND s.occurred_on <= :on
                AND NOT EXISTS (SELECT 1 FROM household_members m
                                WHERE m.id_hash = s.person_hash AND m.active)
                AND {touched_p} AND NOT EXISTS ("""
        + OPEN_WARNING.format(code="discovery_large_medical", key="'p:' || s.person_hash")
        + """)
              GROUP BY s.person_hash HAVING round(sum(s.amount) * 100) > 1500000) t
          ON t.person_hash = s.person_hash
        WHERE s.source = 'medical' AND s.amount IS NOT NULL
          AND s.occurred_on > :start AND s.occurred_on <= :on""",
        {"months": 12},
    ),
    "discovery_death_leaves_dependants": (
        "discovery",
        "red",
        _recent(
            "death",
            "date_of_death",
            "s.occurred_on::text",
            "90天内",
            "家庭成员死亡，留下的成员均未满 18 岁或已满 60 岁，可能无人照料",
            """
        AND EXISTS (SELECT 1 FROM household_members o WHERE o.household_id = h.id AND o.active
            AND NOT EXISTS (SELECT 1 FROM signals d WHERE d.person_hash = o.id_hash
                            AND d.source = 'death'))
        AND NOT EXISTS (SELECT 1 FROM household_members o WHERE o.household_id = h.id
            AND o.active AND NOT EXISTS (SELECT 1 FROM signals d
                WHERE d.person_hash = o.id_hash AND d.source = 'death')
            AND o.birth_date <= :born_18 AND o.birth_date > :born_60)""",
        ),
        {"days": 90},
    ),
    "discovery_severe_disability": (
        "discovery",
        "orange",
        """
        SELECT 'p:' || s.person_hash AS subject_key, NULL::bigint AS household_id,
               s.person_hash, s.person_name, s.person_id_masked, s.region_code,
               """
        + SIGNAL_EVIDENCE
        + """, 'disability_grade' AS field,
               s.quantity::text AS value, '2' AS threshold, s.created_at AS signal_at,
               '未纳入监测人员新办 2 级及以上残疾证' AS summary
        FROM signals s
        WHERE s.source = 'disability' AND s.occurred_on > :start AND s.occurred_on <= :on
          AND s.quantity <= 2 AND {touched_p}
          AND NOT EXISTS (SELECT 1 FROM household_members m
                          WHERE m.id_hash = s.person_hash AND m.active)""",
        {"days": 365},
    ),
    "need_medical_spending": (
        "need",
        "orange",
        """
        SELECT """
        + HOUSEHOLD_SUBJECT
        + ", "
        + SIGNAL_EVIDENCE
        + """, 'out_of_pocket' AS field,
               s.amount::numeric(14,2)::text AS value,
               CASE h.category WHEN 'tekun' THEN '1000.00' WHEN 'dibao' THEN '5000.00'
                    WHEN 'dibao_edge' THEN '10000.00' ELSE '15000.00' END AS threshold,
               s.created_at AS signal_at,
               '近 12 个月家庭医疗自付合计 ' || t.total::numeric(14,2)::text || ' 元' AS summary
        """
        + MEMBER_SIGNALS
        + """
        JOIN (SELECT h.id, sum(s.amount) AS total """
        + MEMBER_SIGNALS
        + """
              WHERE s.source = 'medical' AND s.amount IS NOT NULL
                AND s.occurred_on > :start AND s.occurred_on <= :on AND {touched_h}
                AND NOT EXISTS ("""
        + OPEN_WARNING.format(code="need_medical_spending", key="'h:' || h.id")
        + """)
              GROUP BY h.id
              HAVING round(sum(s.amount) * 100) > max(CASE h.category WHEN 'tekun' THEN 100000
                     WHEN 'dibao' THEN 500000 WHEN 'dibao_edge' THEN 1000000 ELSE 1500000 END)
                  OR (max(round(h.monthly_income_total * 100)) > 0
                      AND round(sum(s.amount) * 100) * 10000
                          > max(round(h.monthly_income_total * 100)) * 60000)) t
          ON t.id = h.id
        WHERE s.source = 'medical' AND s.amount IS NOT NULL
          AND s.occurred_on > :start AND s.occurred_on <= :on""",
        {"months": 12},
    ),
    "need_inpatient_only_earner": (
        "need",
        "red",
        _recent(
            "medical",
            "inpatient",
            "s.occurred_on::text",
            "30天内",
            "家庭唯一有收入的成员住院",
            """
        AND s.flag = 'inpatient' AND round(m.monthly_income * 100) > 0
        AND NOT EXISTS (SELECT 1 FROM household_members o WHERE o.household_id = h.id
            AND o.active AND o.id <> m.id AND round(o.monthly_income * 100) > 0)""",
        ),
        {"days": 30},
    ),
    "need_death_in_household": (
        "need",
        "orange",
        _recent(
            "death",
            "date_of_death",
            "s.occurred_on::text",
            "90天内",
            "家庭成员死亡，家庭收入和照料可能发生变化",
            "AND h.members_count > 1",
        ),
        {"days": 90},
    ),
    "need_unemployment": (
        "need",
        "yellow",
        _recent(
            "unemployment",
            "registered_on",
            "s.occurred_on::text",
            "90天内",
            "劳动年龄家庭成员登记失业",
            "AND m.birth_date <= :born_16 AND m.birth_date > :born_60",
        ),
        {"days": 90},
    ),
    "need_utility_arrears": (
        "need",
        "yellow",
        _recent(
            "utility_arrears",
            "months_in_arrears",
            "s.quantity::text",
            "3",
            "连续欠缴水电气费用",
            "AND s.quantity >= 3",
        ),
        {"days": 90},
    ),
    "need_housing_unsafe": (
        "need",
        "orange",
        _recent(
            "housing_safety",
            "rating",
            "s.flag",
            "C,D",
            "住房安全等级鉴定为危房",
            "AND s.flag IN ('C', 'D')",
        ),
        {"days": 365},
    ),
    "exit_vehicle": (
        "exit",
        "yellow",
        _recent(
            "vehicle",
            "vehicle",
            "s.occurred_on::text",
            "365天内",
            "家庭成员名下登记有机动车，请核实是否仍符合条件",
            "AND h.category IN ('dibao')",
        ),
        {"days": 365},
    ),
    "exit_business": (
        "exit",
        "yellow",
        _recent(
            "business",
            "business",
            "s.occurred_on::text",
            "365天内",
            "家庭成员登记有工商经营主体，请核实是否仍符合条件",
            "AND h.category IN ('dibao')",
        ),
        {"days": 365},
    ),
    "exit_income_over_standard": (
        "exit",
        "orange",
        """
        SELECT """
        + HOUSEHOLD_SUBJECT
        + ", "
        + SIGNAL_EVIDENCE
        + """, 'monthly_income' AS field,
               s.amount::numeric(14,2)::text AS value,
               ((mo.s * mo.n * 15000 + 5000) / 10000 / 100.0)::numeric(14,2)::text
                   AS threshold,
               s.created_at AS signal_at,
               '家庭人均收入连续 3 个月超过低保标准的 1.5 倍' AS summary
        """
        + MEMBER_SIGNALS
        + """
        JOIN months_over mo
          ON mo.id = h.id AND mo.month = substr(s.occurred_on::text, 1, 7)
        JOIN (SELECT id FROM months_over GROUP BY id HAVING count(*) >= 3) q ON q.id = h.id
        WHERE s.source = 'income' AND s.amount IS NOT NULL
          AND s.occurred_on > :start AND s.occurred_on <= :on""",
        {"months": 3},
    ),
    "exit_only_member_died": (
        "exit",
        "orange",
        _recent(
            "death",
            "date_of_death",
            "s.occurred_on::text",
            "365天内",
            "单人户唯一成员死亡，应办理退出",
            "AND h.members_count = 1",
        ),
        {"days": 365},
    ),
    "policy_school_aid": (
        "policy",
        "yellow",
        """
        SELECT """
        + HOUSEHOLD_SUBJECT
        + """, 'registry' AS source, NULL::bigint AS import_id,
               NULL::int AS row, 'school_aid_records' AS field, '0' AS value,
               '365天内≥1' AS threshold, NULL::timestamptz AS signal_at,
               '适龄儿童未享受教育资助' AS summary
        FROM household_members m
        JOIN households h ON h.id = m.household_id AND h.status = 'active'
        WHERE m.active AND h.category IN ('dibao', 'tekun', 'dibao_edge')
          AND m.birth_date <= :born_6 AND m.birth_date > :born_18 AND {touched_h}
          AND NOT EXISTS (SELECT 1 FROM signals s WHERE s.person_hash = m.id_hash
              AND s.source = 'school_aid' AND s.occurred_on > :start
              AND s.occurred_on <= :on)""",
        {"days": 365},
    ),
    "policy_disability_allowance": (
        "policy",
        "yellow",
        """
        SELECT """
        + HOUSEHOLD_SUBJECT
        + """, 'registry' AS source, NULL::bigint AS import_id,
               NULL::int AS row, 'disability_allowance_records' AS field, '0' AS value,
               '365天内≥1' AS threshold, NULL::timestamptz AS signal_at,
               '重度残疾人未享受残疾人两项补贴' AS summary
        FROM household_members m
        JOIN households h ON h.id = m.household_id AND h.status = 'active'
        WHERE m.active AND m.disability_grade <= 2 AND {touched_h}
          AND NOT EXISTS (SELECT 1 FROM signals s WHERE s.person_hash = m.id_hash
              AND s.source = 'income' AND s.flag IN ('disability_allowance')
              AND s.occurred_on > :start AND s.occurred_on <= :on)""",
        {"days": 365},
    ),
    "policy_eligible_not_enrolled": (
        "policy",
        "yellow",
        """
        SELECT 'h:' || a.id AS subject_key, a.id AS household_id, NULL::varchar AS person_hash,
               a.head_name AS person_name, a.head_id_masked AS person_id_masked,
               a.region_code, 'registry' AS source, NULL::bigint AS import_id, NULL::int AS row,
               'qualifies' AS field, a.best AS value, '未认定类别' AS threshold,
               NULL::timestamptz AS signal_at,
               '按家庭在册数据测算符合保障条件，尚未认定类别' AS summary
        FROM (SELECT h.id, h.region_code, h.head_name, h.head_id_masked,
            CASE
              WHEN h.members_count > 0 AND round(h.monthly_income_total * 100) = 0
                   AND (SELECT count(*) FROM household_members m
                        WHERE m.household_id = h.id AND m.removed_at IS NULL
                          AND NOT (m.work_capacity = 'none'
                                   AND round(m.monthly_income * 100) = 0
                                   AND (m.birth_date <= :born_60 OR m.birth_date > :born_16
                                        OR m.disability_grade IN (1, 2)))) = 0
                THEN 'tekun'
              WHEN (h.members_count > 0 AND 2 * round(h.monthly_income_total * 100)
                        < (2 * st.s - 1) * h.members_count)
                   OR (h.has_severe_member AND (SELECT count(*) FROM household_members m
                        WHERE m.household_id = h.id AND m.removed_at IS NULL
                          AND (m.disability_grade IN (1, 2) OR m.severe_illness)
                          AND round(m.monthly_income * 100) < st.s) > 0)
                THEN 'dibao'
              WHEN h.members_count > 0 AND 2 * (round(h.monthly_income_total * 100)
                        - round(h.medical_spending * 100) - round(h.education_spending * 100))
                        < (2 * st.s - 1) * h.members_count
                THEN 'expenditure_hardship'
              WHEN h.members_count > 0 AND 2 * round(h.monthly_income_total * 100)
                        < (2 * st.e - 1) * h.members_count
                THEN 'dibao_edge'
            END AS best
            FROM households h JOIN standard_cents st ON st.code = h.region_code
            WHERE h.status = 'active' AND h.category IS NULL AND st.s IS NOT NULL
              AND {touched_h}) a
        WHERE a.best IS NOT NULL""",
        {},
    ),
}

MONTHS_OVER = (
    """months_over AS (
    SELECT t.id, t.month, st.s, t.n
    FROM (SELECT h.id, h.region_code, substr(s.occurred_on::text, 1, 7) AS month,
                 max(h.members_count) AS n, sum(s.amount) AS total
          """
    + MEMBER_SIGNALS
    + """
          WHERE s.source = 'income' AND s.amount IS NOT NULL
            AND s.occurred_on > :start AND s.occurred_on <= :on
            AND h.category IN ('dibao', 'dibao_edge') AND h.members_count > 0 AND {touched_h}
          GROUP BY h.id, h.region_code, substr(s.occurred_on::text, 1, 7)) t
    JOIN standard_cents st ON st.code = t.region_code
    WHERE st.s IS NOT NULL AND round(t.total * 100) * 10000 > st.s * t.n * 15000),
"""
)

# Standards in force per region (cents), made once per scan as the engine's subquery does.
STANDARD_CENTS = """
CREATE TEMPORARY TABLE standard_cents ON COMMIT DROP AS
WITH in_force AS (
    SELECT DISTINCT ON (r.code, s.kind) r.code, s.kind, s.value
    FROM regions r
    JOIN standards s ON s.region_code IN (r.code, substr(r.code, 1, 9) || '000',
        substr(r.code, 1, 6) || '000000', substr(r.code, 1, 4) || '00000000',
        substr(r.code, 1, 2) || '0000000000')
    WHERE r.code BETWEEN :low AND :high AND s.kind IN ('dibao', 'edge_multiplier')
      AND s.effective_from <= :on
    ORDER BY r.code, s.kind, s.region_code DESC, s.effective_from DESC)
SELECT code, round(max(value) FILTER (WHERE kind = 'dibao') * 100)::bigint AS s,
       (round(max(value) FILTER (WHERE kind = 'dibao') * 100)::bigint
        * coalesce(round(max(value) FILTER (WHERE kind = 'edge_multiplier') * 10000)::bigint,
                   15000) + 5000) / 10000 AS e
FROM in_force GROUP BY code
"""


def _years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def _months_before(on: date, months: int) -> date:
    index = on.year * 12 + on.month - 1 - months
    year, month = divmod(index, 12)
    for day in (on.day, 30, 29, 28):
        try:
            return date(year, month + 1, day)
        except ValueError:
            continue
    raise AssertionError


# The source whose signals each rule fires on; the others (over the registry) run after any
# import. After an import, only the rules its source can trigger run (as the engine does).
TRIGGERS = {
    "discovery_large_medical": "medical",
    "discovery_death_leaves_dependants": "death",
    "discovery_severe_disability": "disability",
    "need_medical_spending": "medical",
    "need_inpatient_only_earner": "medical",
    "need_death_in_household": "death",
    "need_unemployment": "unemployment",
    "need_utility_arrears": "utility_arrears",
    "need_housing_unsafe": "housing_safety",
    "exit_vehicle": "vehicle",
    "exit_business": "business",
    "exit_income_over_standard": "income",
    "exit_only_member_died": "death",
}


# Rules the engine does not run unless a district officer turns them on.
OFF_BY_DEFAULT = {"policy_disability_allowance"}


def statements(
    *, incremental: bool, source: str | None = None
) -> list[tuple[str, str, str, str, dict[str, Any]]]:
    """(code, class, level, sql, window) for each rule; ``incremental`` restricts each to the
    people of ``:import_id`` and leaves out the rules ``source`` cannot trigger."""
    touched_h = TOUCHED_H if incremental else "true"
    touched_p = TOUCHED_P if incremental else "true"
    out = []
    for code, (rule_class, level, hits, window) in RULES.items():
        if code in OFF_BY_DEFAULT or (incremental and TRIGGERS.get(code, source) != source):
            continue
        ctes = MONTHS_OVER if code == "exit_income_over_standard" else ""
        sql = WRAPPER.format(
            ctes=ctes.format(touched_h=touched_h),
            hits=hits.format(touched_h=touched_h, touched_p=touched_p),
        )
        out.append((code, rule_class, level, sql, window))
    return out


def params(on: date, window: dict[str, Any]) -> dict[str, Any]:
    if "months" in window:
        start = _months_before(on, window["months"])
    else:
        start = on - timedelta(days=window.get("days", 0))
    return {
        "on": on,
        "start": start,
        "born_6": _years_before(on, 6),
        "born_16": _years_before(on, 16),
        "born_18": _years_before(on, 18),
        "born_60": _years_before(on, 60),
    }
