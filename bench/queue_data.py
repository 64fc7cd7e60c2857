"""A million applications in SQL (``INSERT ... SELECT generate_series``), spread like real data:
every community and village, two years of ids in time order, open cases mostly recent, a few
old ones stuck in ``submitted`` (overdue), help types as bits with matching JSON, common
surnames skewed the way they are in Sichuan."""

from __future__ import annotations

import json
import time

import asyncpg

SPAN_DAYS = 730
RECENT_FRACTION = 0.02  # the last ~15 days: most open cases are here
CHUNK = 100_000

# Weighted by repetition: 王 李 张 刘 陈 杨 are far more common than the rest.
SURNAMES = (
    ["王"] * 7 + ["李"] * 7 + ["张"] * 6 + ["刘"] * 5 + ["陈"] * 5 + ["杨"] * 4
    + ["黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"]
    + ["郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田"]
)  # fmt: skip
GIVEN = [
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
    "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建国", "建华", "文", "华",
    "玉兰", "小明", "志强", "淑珍", "德明", "国强", "秀珍", "红", "春梅", "海燕", "雪",
]  # fmt: skip
# (help_mask, help_types) combinations, weighted by repetition; bits follow HelpType order:
# basic_living 1, medical 2, education 4, housing 8, employment 16, emergency 32, care 64.
HELP_COMBOS = (
    [(1, ["basic_living"])] * 6
    + [(2, ["medical"])] * 4
    + [(3, ["basic_living", "medical"])] * 4
    + [(4, ["education"])] * 2
    + [(8, ["housing"])]
    + [(16, ["employment"])]
    + [(32, ["emergency"])] * 2
    + [(34, ["medical", "emergency"])]
    + [(64, ["care"])]
    + [(67, ["basic_living", "medical", "care"])]
    + [(128, ["other"])]
)

LOAD_SQL = """
INSERT INTO applications (
    reference, status, channel, relation, resident_id, subject_name,
    subject_id_enc, subject_id_hash, subject_id_masked,
    subject_phone_enc, subject_phone_hash, subject_phone_masked,
    region_code, address, household_size, help_types, help_mask, description, consent_at,
    priority, due_at, assignee_id, decision_category, decision_amount, decided_by_id,
    decided_at, created_at, updated_at
)
SELECT
    $1 || to_char(ts AT TIME ZONE 'Asia/Shanghai', 'YYYY') || '-'
        || lpad(($2 + g)::text, 7, '0'),
    status,
    CASE WHEN relation = 'self' THEN 'mini_program'
         WHEN r4 < 0.9 THEN 'mini_program_report' ELSE 'staff' END,
    relation,
    NULL,
    ($3::text[])[1 + floor(r5 * cardinality($3::text[]))::int]
        || ($4::text[])[1 + (g * 7919 % cardinality($4::text[]))],
    CASE WHEN relation = 'self' THEN $5 END,
    CASE WHEN relation = 'self' THEN md5(g::text) || md5((g + 7)::text) END,
    CASE WHEN relation = 'self' THEN '510115********' || lpad((g % 10000)::text, 4, '0') END,
    $5,
    md5((g + 3)::text) || md5((g + 5)::text),
    '138****' || lpad((g % 10000)::text, 4, '0'),
    ($6::text[])[1 + floor(r2 * cardinality($6::text[]))::int],
    '某街' || (g % 300) || '号',
    1 + (g % 5),
    ($7::text[])[combo]::json,
    ($8::int[])[combo],
    '生活困难，申请救助',
    ts,
    CASE WHEN ($8::int[])[combo] & 32 <> 0 THEN 'urgent' ELSE 'normal' END,
    ts + CASE WHEN ($8::int[])[combo] & 32 <> 0 THEN interval '1 day' ELSE interval '3 days' END,
    CASE WHEN status NOT IN ('submitted', 'rejected', 'withdrawn') THEN $9::bigint END,
    CASE WHEN status IN ('approved', 'closed') THEN 'dibao' END,
    CASE WHEN status IN ('approved', 'closed') THEN 870.00 END,
    CASE WHEN status IN ('approved', 'closed', 'denied') THEN $9::bigint END,
    CASE WHEN status IN ('approved', 'closed', 'denied') THEN ts + interval '20 days' END,
    ts,
    ts + CASE WHEN status = 'submitted' THEN interval '0' ELSE interval '2 days' END
FROM (
    SELECT
        g, ts, r2, r4, r5,
        1 + floor(r3 * cardinality($8::int[]))::int AS combo,
        CASE WHEN r4 < 0.6 THEN 'self' WHEN r4 < 0.8 THEN 'family'
             WHEN r4 < 0.9 THEN 'neighbor' ELSE 'grid_worker' END AS relation,
        CASE WHEN recent THEN
            CASE WHEN r1 < 0.45 THEN 'submitted' WHEN r1 < 0.65 THEN 'accepted'
                 WHEN r1 < 0.80 THEN 'investigating' WHEN r1 < 0.90 THEN 'reviewing'
                 WHEN r1 < 0.95 THEN 'approved' ELSE 'rejected' END
        ELSE
            CASE WHEN r1 < 0.003 THEN 'submitted' WHEN r1 < 0.006 THEN 'accepted'
                 WHEN r1 < 0.010 THEN 'investigating' WHEN r1 < 0.012 THEN 'reviewing'
                 WHEN r1 < 0.36 THEN 'approved' WHEN r1 < 0.66 THEN 'closed'
                 WHEN r1 < 0.78 THEN 'denied' WHEN r1 < 0.86 THEN 'rejected'
                 WHEN r1 < 0.93 THEN 'referred' ELSE 'withdrawn' END
        END AS status
    FROM (
        SELECT
            g,
            now() - make_interval(secs => ($10::bigint - g) * $11::float8 / $10::bigint)
                - interval '1 hour' AS ts,
            g > $10::bigint * (1 - $12::float8) AS recent,
            random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
        FROM generate_series($13::bigint, $14::bigint) AS g
    ) AS raw
) AS s
"""


async def load_applications(
    dsn: str,
    rows: int,
    *,
    prefix: str,
    dummy_ciphertext: str,
    assignee_id: int,
    report: bool = True,
) -> float:
    """Insert ``rows`` applications; returns the seconds the load (with VACUUM ANALYZE) took."""
    conn = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        communities = [
            r["code"]
            for r in await conn.fetch(
                "SELECT code FROM regions WHERE level IN ('community', 'village') ORDER BY code"
            )
        ]
        base = int(await conn.fetchval("SELECT last_value FROM application_reference_seq"))
        # Rows are checked by construction; skip per-row foreign key triggers for speed.
        await conn.execute("SET session_replication_role = replica")
        await conn.execute("SET synchronous_commit = off")
        combos_types = [json.dumps(t, ensure_ascii=False) for _, t in HELP_COMBOS]
        combos_masks = [m for m, _ in HELP_COMBOS]
        for low in range(1, rows + 1, CHUNK):
            high = min(rows, low + CHUNK - 1)
            await conn.execute(
                LOAD_SQL,
                prefix,
                base,
                SURNAMES,
                GIVEN,
                dummy_ciphertext,
                communities,
                combos_types,
                combos_masks,
                assignee_id,
                rows,
                float(SPAN_DAYS * 86400),
                RECENT_FRACTION,
                low,
                high,
            )
            if report:
                print(
                    f"  loaded {high:>9,} rows  {time.perf_counter() - started:6.1f} s", flush=True
                )
        await conn.execute("RESET session_replication_role")
        await conn.execute("SELECT setval('application_reference_seq', $1)", base + rows + 1)
        await conn.execute("VACUUM (ANALYZE) applications")
        return time.perf_counter() - started
    finally:
        await conn.close()
