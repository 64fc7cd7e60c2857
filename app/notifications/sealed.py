"""The notification domain's secrets under the data key, for its rotation
(:mod:`app.kit.rotation`)."""

from __future__ import annotations

from app.kit.rotation import EncryptedField
from app.models.notification import WeChatAccessToken

SEALED_COLUMNS = [
    # The shared access token lets anyone act as the mini program while it lasts.
    EncryptedField("wechat_access_token", WeChatAccessToken.appid, WeChatAccessToken.token_enc),
]
