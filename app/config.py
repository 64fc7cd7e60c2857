"""Configuration, only through environment variables prefixed ``JIUZHU_``."""

from __future__ import annotations

import secrets
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Self

from cryptography.fernet import Fernet
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

VAR_DIR = Path("var")
DEV_SECRET_FILE = "secret_key"
DEV_DATA_KEY_FILE = "data_key"
MIN_SECRET_LENGTH = 32


class Environment(StrEnum):
    dev = "dev"
    test = "test"
    production = "production"


class WeChatMode(StrEnum):
    live = "live"
    fake = "fake"


class ConfigError(RuntimeError):
    """The configuration is not safe or not complete enough to start."""


def _kept_secret(var_dir: Path, name: str, make: str) -> str:
    """A dev secret generated once and kept under ``var/`` so restarts keep tokens and data."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / name
    if path.exists():
        return path.read_text().strip()
    value = Fernet.generate_key().decode() if make == "fernet" else secrets.token_urlsafe(48)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIUZHU_", extra="ignore")

    env: Environment = Environment.dev
    var_dir: Path = VAR_DIR
    database_url: str = ""
    secret_key: str = ""
    data_key: str = ""
    # Earlier data keys, comma separated, still accepted for decryption during key rotation.
    old_data_keys: str = ""
    wechat_appid: str = ""
    wechat_secret: str = ""
    wechat_mode: WeChatMode | None = None
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_timeout_seconds: float = 5.0
    # Subscribe message templates by event: ``{"application_accepted": {"template_id": "...",
    # "title": "...", "page": "pages/...?id={record_id}", "fields": {"thing3": "note", ...}}}``
    # (JSON); unset outside production, every event gets a ``dev-<event>`` template.
    wechat_templates: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # formal | trial | developer: which build of the mini program a message opens.
    wechat_miniprogram_state: str = Field(default="formal", pattern=r"^(formal|trial|developer)$")
    # The shared access token is refreshed this long before WeChat says it expires.
    wechat_token_margin_seconds: int = Field(default=300, ge=0, le=3600)
    # Attempts a message delivery gets (backoff between them) before it is parked.
    notify_max_attempts: int = Field(default=8, ge=1, le=50)
    # Staff hear that a time limit is about to pass this many hours before it does.
    notify_due_soon_hours: int = Field(default=24, ge=1, le=24 * 14)
    upload_dir: Path | None = None
    # The staff console's Vite build (default: console/dist in the project).
    console_dir: Path | None = None
    # Monitoring imports: the largest file taken (413 beyond), and what an XLSX may inflate to.
    import_max_mb: int = Field(default=150, ge=1)
    import_xlsx_max_uncompressed_mb: int = Field(default=1024, ge=1)
    import_xlsx_max_ratio: int = Field(default=100, ge=2)
    # Processes parsing an import's blocks; 0 = one per CPU.
    import_workers: int = Field(default=0, ge=0)
    access_token_minutes: int = Field(default=15, ge=1, le=30)
    refresh_token_days: int = Field(default=30, ge=1, le=90)
    reference_prefix: str = Field(default="WJ", pattern=r"^[A-Z]{1,6}$")
    # Refresh: the same refresh token presented again within this many seconds (a retried
    # request whose answer was lost, two tabs at once) gets the pair the first one got.
    refresh_grace_seconds: int = Field(default=10, ge=0, le=120)
    # Login throttling, per (username, client address): this many failures lock the pair for
    # `login_lockout_seconds`, doubling with each further failure up to the maximum; failures
    # count until a success from that address or for `login_failure_memory_hours`.
    login_max_failures_per_user: int = Field(default=5, ge=1)
    login_lockout_seconds: int = Field(default=60, ge=1)
    login_lockout_max_seconds: int = Field(default=900, ge=1)
    login_failure_memory_hours: int = Field(default=24, ge=1)
    # Per client address, whatever the usernames: high enough for an office behind one NAT.
    login_max_failures_per_client: int = Field(default=200, ge=1)
    login_failure_window_minutes: int = Field(default=15, ge=1)
    # JSON (non-multipart) request bodies above this are refused with 413 before anything
    # reads them; multipart uploads keep their own limits.
    max_json_body_kb: int = Field(default=256, ge=1)
    # Client addresses of reverse proxies whose X-Forwarded-For is believed.
    trusted_proxies: str = ""
    # Temporary aid paid first (先行救助) on a worker's word: the most a worker may grant, and
    # the working days the paperwork after it may take.
    advance_aid_limit: Decimal = Field(default=Decimal("1000.00"), ge=0, le=1_000_000)
    advance_paperwork_days: int = Field(default=5, ge=1, le=60)
    # The CJK font the procedure's PDFs are set in (Debian's fonts-wqy-microhei, which
    # `make install` installs when missing); a TTC's first face is used.
    cjk_font: Path = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    timezone: str = "Asia/Shanghai"
    # /docs, /redoc and /openapi.json: on in dev and test, off in production unless set.
    docs_enabled: bool | None = None
    # The district the platform serves: warnings about people with no known address go here.
    district_code: str = Field(default="510115000000", pattern=r"^\d{12}$")
    # Hours a dispatched warning's verification may take, by level (红 24 h, 橙 3 days, 黄 7).
    warning_due_hours_red: int = Field(default=24, ge=1, le=24 * 90)
    warning_due_hours_orange: int = Field(default=72, ge=1, le=24 * 90)
    warning_due_hours_yellow: int = Field(default=168, ge=1, le=24 * 90)
    # The privacy notice (隐私告知) in force: its text is in app/intake/privacy.py.
    privacy_notice_version: str = Field(default="2026-11", pattern=r"^[0-9A-Za-z.-]{1,20}$")
    # Finished applications are anonymised this many days after their last change.
    retention_days: int = Field(default=1095, ge=30, le=36500)
    log_level: str = "INFO"
    # The job runner: `serve` runs one inside itself unless this is false (`--no-worker`), for
    # deployments whose separate `python -m app worker` processes run the jobs.
    run_worker: bool = True
    worker_concurrency: int = Field(default=4, ge=1, le=64)
    job_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    job_lease_seconds: float = Field(default=60.0, ge=1, le=3600)
    sql_echo: bool = False

    @model_validator(mode="after")
    def _fill_defaults(self) -> Self:
        production = self.env == Environment.production
        if self.wechat_mode is None:
            self.wechat_mode = WeChatMode.live if production else WeChatMode.fake
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.var_dir / 'jiuzhu.db'}"
        if self.upload_dir is None:
            self.upload_dir = self.var_dir / "uploads"
        if production:
            problems = []
            if len(self.secret_key) < MIN_SECRET_LENGTH or "change" in self.secret_key.lower():
                problems.append("JIUZHU_SECRET_KEY must be set to at least 32 random characters")
            if not _is_fernet_key(self.data_key):
                problems.append("JIUZHU_DATA_KEY must be set (32 random bytes, URL-safe base64)")
            if self.wechat_mode == WeChatMode.fake:
                problems.append("JIUZHU_WECHAT_MODE=fake is refused in production")
            if not (self.wechat_appid and self.wechat_secret):
                problems.append("JIUZHU_WECHAT_APPID and JIUZHU_WECHAT_SECRET are required")
            if problems:
                raise ConfigError("; ".join(problems))
        else:
            if not self.secret_key:
                self.secret_key = _kept_secret(self.var_dir, DEV_SECRET_FILE, "token")
            if not self.data_key:
                self.data_key = _kept_secret(self.var_dir, DEV_DATA_KEY_FILE, "fernet")
        if len(self.secret_key) < MIN_SECRET_LENGTH:
            raise ConfigError("JIUZHU_SECRET_KEY must be at least 32 characters")
        if not _is_fernet_key(self.data_key):
            raise ConfigError("JIUZHU_DATA_KEY must be 32 bytes in URL-safe base64")
        return self

    @property
    def serves_docs(self) -> bool:
        if self.docs_enabled is not None:
            return self.docs_enabled
        return self.env != Environment.production

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def old_data_key_list(self) -> list[str]:
        return [k.strip() for k in self.old_data_keys.split(",") if k.strip()]

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]


def _is_fernet_key(value: str) -> bool:
    try:
        Fernet(value.encode())
    except (ValueError, TypeError):
        return False
    return True


@lru_cache
def get_settings() -> Settings:
    return Settings()
