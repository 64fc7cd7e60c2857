"""The privacy notice (隐私告知) a person agrees to before applying, every version ever shown."""

from __future__ import annotations

# Every version of the privacy notice (隐私告知) ever shown, by version: a consent names one.
NOTICES: dict[str, str] = {
    "2026-11": (
        "个人信息处理告知（2026年11月版）\n"
        "一、处理者：区民政局及其委托的街道（镇）、社区（村）和社工站。\n"
        "二、目的：受理、调查、审核您的救助申请，开展低收入人口动态监测和救助帮扶。\n"
        "三、收集的信息：姓名、身份证号、联系电话、住址、家庭人口、求助类型与情况说明、"
        "您上传的证明材料；其中身份证号、健康、残疾、收入等属于敏感个人信息。\n"
        "四、保护措施：敏感信息和情况说明加密存储，列表中脱敏显示，"
        "每次查看均留痕审计；工作人员只能查看其辖区内的信息。\n"
        "五、保存期限：申请办结（含不予受理、撤回、审批未通过、转介）后保存三年，"
        "期满后删除或匿名化处理，附件同时删除。\n"
        "六、您的权利：您可以查询申请进度，可以随时撤回同意；撤回后不再受理您的新申请，"
        "已在办的申请将标注撤回情况，撤回不影响此前已进行的处理。\n"
        "七、联系方式：如有疑问，请联系所在社区或街道。"
    ),
}


def is_known_version(version: str) -> bool:
    """Whether a consent may name this version."""
    return version in NOTICES
