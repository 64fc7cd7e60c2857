"""``POST /me/phone``: a resident's phone number verified by WeChat (the mini program's
``getPhoneNumber`` button), for the help form; typing the number by hand stays allowed.

The code goes through the login client's code path (``phonenumber.getPhoneNumber``, faked in
dev and test like ``jscode2session``); the server token comes from the notifications' shared
access token. Nothing is stored: the number goes back to the resident it belongs to.
"""

from __future__ import annotations

import unicodedata

from fastapi import APIRouter, Request
from pydantic import Field

from app.accounts.dependencies import CurrentResidentStandalone
from app.accounts.wechat import WeChatClient
from app.config import get_settings
from app.kit.crypto import mask_phone
from app.kit.schemas import InputSchema, Schema
from app.notifications.wechat import WeChatApi

router = APIRouter(tags=["privacy"])


class PhoneCode(InputSchema):
    code: str = Field(min_length=1, max_length=128)


class VerifiedPhone(Schema):
    phone: str = Field(description="The number, normalised (digits only), for the form")
    masked: str = Field(description="The number as shown on screen (138****1234)")


@router.post("/me/phone", response_model=VerifiedPhone)
async def verified_phone(
    body: PhoneCode, actor: CurrentResidentStandalone, request: Request
) -> VerifiedPhone:
    """Exchange a ``getPhoneNumber`` code for the resident's own phone number."""
    settings = get_settings()
    http = getattr(request.app.state, "http", None)
    number = await WeChatClient(settings, http).phone_number(
        body.code, WeChatApi(settings, http).access_token
    )
    phone = "".join(ch for ch in unicodedata.normalize("NFKC", number) if ch.isdigit())
    return VerifiedPhone(phone=phone, masked=mask_phone(phone))
