"""Password policy for staff accounts: one place, used by every path that sets a password."""

from __future__ import annotations

from app.config import Environment, get_settings
from app.errors import Invalid

MIN_LENGTH = 12
MAX_LENGTH = 128
# The demo accounts' password (``seed-demo``): known to everyone who read the README.
DEMO_PASSWORD = "jiuzhu-demo-2026"


def check_password(password: str, username: str) -> None:
    """Refuse a password that is short, holds the username, or (in production) is the demo
    password; a 422 ``weak_password`` whose message says which."""
    if len(password) < MIN_LENGTH:
        raise Invalid(f"密码至少需要 {MIN_LENGTH} 个字符", code="weak_password")
    if len(password) > MAX_LENGTH:
        raise Invalid(f"密码不能超过 {MAX_LENGTH} 个字符", code="weak_password")
    if username and username.casefold() in password.casefold():
        raise Invalid("密码不能包含用户名", code="weak_password")
    if get_settings().env == Environment.production and password == DEMO_PASSWORD:
        raise Invalid("生产环境不能使用演示密码", code="weak_password")
