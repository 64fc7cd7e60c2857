"""Administration payloads: staff accounts and agencies. No password or key hash is ever read
back; an agency's key appears once, in the answer that made it."""

from __future__ import annotations

from pydantic import Field, StrictBool, model_validator

from app.accounts.passwords import MAX_LENGTH
from app.accounts.scopes import Role
from app.kit.inputs import RegionCode
from app.kit.schemas import InputSchema, LocalDateTime, Schema

RegionCodeField = Field(description="12 位行政区划代码")


class StaffAccount(Schema):
    id: int
    username: str
    display_name: str
    role: str
    region_code: str
    active: bool
    last_login_at: LocalDateTime | None
    created_at: LocalDateTime


class StaffAccountPage(Schema):
    items: list[StaffAccount]
    next_cursor: str | None


class StaffAccountCreate(InputSchema):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    password: str = Field(min_length=1, max_length=MAX_LENGTH)
    role: Role
    region_code: RegionCode = RegionCodeField
    display_name: str = Field(default="", max_length=50)


class StaffAccountUpdate(InputSchema):
    active: StrictBool | None = None
    role: Role | None = None
    region_code: RegionCode | None = None
    display_name: str | None = Field(default=None, max_length=50)

    @model_validator(mode="after")
    def _something_and_no_nulls(self) -> StaffAccountUpdate:
        if not self.model_fields_set:
            raise ValueError("至少需要修改一项")
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} 不能为空")
        return self


class PasswordReset(InputSchema):
    password: str = Field(min_length=1, max_length=MAX_LENGTH)


class AgencyAccount(Schema):
    id: int
    name: str
    region_code: str
    active: bool
    key_prefix: str
    key_issued_at: LocalDateTime | None
    key_revoked_at: LocalDateTime | None
    created_at: LocalDateTime


class AgencyAccountPage(Schema):
    items: list[AgencyAccount]
    next_cursor: str | None


class AgencyAccountCreate(InputSchema):
    name: str = Field(min_length=1, max_length=100)
    region_code: RegionCode = RegionCodeField


class AgencyWithKey(AgencyAccount):
    api_key: str | None = Field(
        description="新的 API key，只显示这一次（只保存其摘要）；重放的请求不再显示"
    )
