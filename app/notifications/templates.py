"""What each event says: its Chinese title, and for residents the WeChat subscribe message
template (id and field mapping from ``JIUZHU_WECHAT_TEMPLATES``), with each value cut to the
length WeChat allows for its field type."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.config import Environment, Settings
from app.kit.timeutil import to_local

# Events a resident hears about: the status of her application.
RESIDENT_EVENTS: dict[str, str] = {
    "application_accepted": "求助已受理",
    "application_rejected": "求助不予受理",
    "application_investigating": "入户调查已开始",
    "application_approved": "救助申请已批准",
    "application_denied": "救助申请未获批准",
    "application_referred": "求助已转介",
    "application_withdrawn": "求助已撤回",
}
# Status words (phrase fields: at most 5 characters).
STATUS_WORDS: dict[str, str] = {
    "application_accepted": "已受理",
    "application_rejected": "不予受理",
    "application_investigating": "调查中",
    "application_approved": "已批准",
    "application_denied": "未获批准",
    "application_referred": "已转介",
    "application_withdrawn": "已撤回",
}
# Events a staff member finds in the inbox.
STAFF_EVENTS: dict[str, str] = {
    "case_assigned": "新分派的求助案件",
    "warning_assigned": "新分派的预警核查任务",
    "visit_assigned": "新分派的走访对象",
    "application_due_soon": "求助案件即将超时",
    "application_overdue": "求助案件已超时",
    "warning_due_soon": "预警核查即将超时",
    "procedure_step_due_soon": "法定程序步骤即将到期",
    "procedure_step_overdue": "法定程序步骤已超期",
    "deadline_unknown": "案件期限无法计算：请录入下一年节假日安排",
    "warning_overdue": "预警核查已超时",
    "red_warning": "辖区出现红色预警",
    "referral_accepted": "转介已被服务组织接收",
    "referral_declined": "转介被服务组织拒绝",
}

# WeChat's limits per field type (subscribe message docs): characters, None = a format.
FIELD_LIMITS: dict[str, int | None] = {
    "thing": 20,
    "character_string": 32,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "phrase": 5,
    "name": 10,
    "phone_number": 17,
    "car_number": 8,
    "amount": 11,
    "time": None,
    "date": None,
}
DEFAULT_FIELDS = {
    "character_string1": "reference",
    "phrase2": "status",
    "thing3": "note",
    "time4": "at",
}
DEFAULT_PAGE = "pages/applications/detail?id={record_id}"
_TYPE = re.compile(r"^([a-z_]+?)(\d+)$")


@dataclass(frozen=True)
class Template:
    event: str
    template_id: str
    title: str
    page: str = DEFAULT_PAGE
    fields: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FIELDS))


def templates(settings: Settings) -> dict[str, Template]:
    """The configured templates by event; outside production, an unconfigured event gets a
    ``dev-<event>`` template so dev and tests run the whole path."""
    found: dict[str, Template] = {}
    for event, raw in settings.wechat_templates.items():
        if event not in RESIDENT_EVENTS or not raw.get("template_id"):
            continue
        found[event] = Template(
            event=event,
            template_id=str(raw["template_id"])[:64],
            title=str(raw.get("title") or RESIDENT_EVENTS[event]),
            page=str(raw.get("page") or DEFAULT_PAGE),
            fields={str(k): str(v) for k, v in (raw.get("fields") or DEFAULT_FIELDS).items()},
        )
    if settings.env != Environment.production:
        for event, title in RESIDENT_EVENTS.items():
            found.setdefault(event, Template(event, f"dev-{event}", title))
    return found


def field_type(key: str) -> str:
    match = _TYPE.match(key)
    return match.group(1) if match else key


def fit(kind: str, value: Any) -> str:
    """A value as WeChat takes it for a field of type ``kind``: times as
    ``2026-11-30 10:00`` (local), text cut to the type's limit with an ellipsis."""
    if kind in ("time", "date") and isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        local = to_local(value)
        return local.strftime("%Y-%m-%d") if kind == "date" else local.strftime("%Y-%m-%d %H:%M")
    text = " ".join(str(value if value is not None else "").split())
    if kind in ("character_string", "letter", "number"):
        text = "".join(ch for ch in text if ch.isascii())
    limit = FIELD_LIMITS.get(kind, 20)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…" if kind in ("thing", "name") else text[:limit]
    return text or "-"


def render(template: Template, values: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The ``data`` of a subscribe message: each template field from its named value."""
    return {
        key: {"value": fit(field_type(key), values.get(name))}
        for key, name in template.fields.items()
    }


def page_for(template: Template, record_id: int) -> str:
    return template.page.replace("{record_id}", str(record_id))[:200]
