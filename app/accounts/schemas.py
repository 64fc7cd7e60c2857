from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.kit.schemas import InputSchema, Schema


class WeChatLogin(InputSchema):
    code: str = Field(min_length=1, max_length=128)


class StaffLogin(InputSchema):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)


class StaffWeChatBind(InputSchema):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)
    code: str = Field(min_length=1, max_length=128)


class RefreshRequest(InputSchema):
    refresh_token: str = Field(min_length=1, max_length=256)


class TokenUser(Schema):
    id: int
    role: str


class TokenPair(Schema):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    user: TokenUser


class Me(Schema):
    id: int | None
    role: str
    kind: str
    region_code: str | None = None
    display_name: str | None = None
    scopes: list[str] = Field(
        default_factory=list, description="本角色可做的事（工作台据此显示菜单）"
    )
