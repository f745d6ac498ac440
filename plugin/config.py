"""Settings from the environment (and an optional `.env`), validated once at start-up.

A missing or contradictory setting fails with one line naming the variable, so an operator can
fix a deployment from the log line alone.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from liumai.messages import t

DEFAULT_DB_PATH = Path.home() / ".liumai" / "liumai.db"
# The databases (and drivers) Liumai ships with; postgres:// and postgresql:// mean psycopg 3.
_DB_SCHEMES = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")
_DB_EXAMPLES = {"sqlite": "sqlite:///path.db", "postgres": "postgresql+psycopg://user@host/db"}


class ConfigError(RuntimeError):
    """A setting that cannot be used; the message names the environment variable.

    `ConfigError.of(var, key, **params)` carries a key of the catalogue's `config` section, so the
    CLI says it in the reader's language (`message(lang)`); `str()` is the English line, for logs.
    A ConfigError made from a plain message (`ConfigError("X: ...")`) says that message in every
    language - the platform adapters' own settings checks still raise those.
    """

    def __init__(self, message: str = "", /) -> None:
        super().__init__(message)
        self.var: str | None = None
        self.key: str | None = None
        self.params: dict[str, object] = {}

    @classmethod
    def of(cls, var: str, key: str, /, **params: object) -> ConfigError:
        err = cls(t("config.setting", "en", var=var, problem=t(f"config.{key}", "en", **params)))
        err.var, err.key, err.params = var, key, params
        return err

    def message(self, lang: str = "en") -> str:
        if self.key is None or self.var is None:
            return str(self)
        return t("config.setting", lang, var=self.var, problem=t(f"config.{self.key}", lang, **self.params))


class _Invalid(ValueError):
    """A validator's refusal as a catalogue key (pydantic keeps it in the error's context)."""

    def __init__(self, key: str, /, *, var: str | None = None, **params: object) -> None:
        super().__init__(t(f"config.{key}", "en", **params))
        self.key, self.var, self.params = key, var, params


# pydantic's own checks (the Field bounds) -> (catalogue key, {param: pydantic context field}).
_PYDANTIC = {
    "greater_than_equal": ("at_least", {"limit": "ge"}),
    "greater_than": ("greater_than", {"limit": "gt"}),
    "less_than_equal": ("at_most", {"limit": "le"}),
    "less_than": ("less_than", {"limit": "lt"}),
    "int_parsing": ("not_int", {}),
    "float_parsing": ("not_number", {}),
    "bool_parsing": ("not_bool", {}),
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default=f"sqlite:///{DEFAULT_DB_PATH}", validation_alias="LIUMAI_DATABASE_URL")
    rubric: Path | None = Field(default=None, validation_alias="LIUMAI_RUBRIC")
    timezone: str = Field(default="UTC", validation_alias="LIUMAI_TIMEZONE")
    fiscal_year_start_month: int = Field(default=1, ge=1, le=12, validation_alias="LIUMAI_FISCAL_YEAR_START_MONTH")
    digest_cron: str = Field(default="0 9 * * MON", validation_alias="LIUMAI_DIGEST_CRON")
    notify_nominee: bool = Field(default=True, validation_alias="LIUMAI_NOTIFY_NOMINEE")
    # Nominations, evidence and concerns older than this are purged (`liumai purge`, daily in serve).
    retention_days: int | None = Field(default=None, ge=1, validation_alias="LIUMAI_RETENTION_DAYS")
    # An org import or sync that would deactivate more than this share of the active people is
    # refused unless the operator says --allow-deactivate (a file missing most rows is a mistake).
    org_max_deactivate_share: float = Field(
        default=0.2, ge=0.0, le=1.0, validation_alias="LIUMAI_ORG_MAX_DEACTIVATE_SHARE"
    )

    # Calibration (`liumai calibration`, plugin/services/calibration.py): a manager's figure is an
    # outlier when its robust z-score |0.6745 (x - median) / MAD| reaches the threshold, among
    # managers with at least `min_count` decisions or direct reports behind their figures.
    calibration_z_threshold: float = Field(default=3.5, gt=0, le=20, validation_alias="LIUMAI_CALIBRATION_Z_THRESHOLD")
    calibration_min_count: int = Field(default=5, ge=1, le=10_000, validation_alias="LIUMAI_CALIBRATION_MIN_COUNT")
    # Fairness signals (plugin/services/fairness.py): shown to managers and in calibration, never scored.
    fairness_reciprocal_min: int = Field(default=2, ge=1, le=1000, validation_alias="LIUMAI_FAIRNESS_RECIPROCAL_MIN")
    fairness_reciprocal_window_days: int = Field(
        default=30, ge=1, le=366, validation_alias="LIUMAI_FAIRNESS_RECIPROCAL_WINDOW_DAYS"
    )
    fairness_ring_max_size: int = Field(default=4, ge=3, le=6, validation_alias="LIUMAI_FAIRNESS_RING_MAX_SIZE")
    fairness_ring_min_count: int = Field(default=2, ge=1, le=1000, validation_alias="LIUMAI_FAIRNESS_RING_MIN_COUNT")
    fairness_ring_share: float = Field(default=0.5, gt=0, le=1, validation_alias="LIUMAI_FAIRNESS_RING_SHARE")
    fairness_single_source_share: float = Field(
        default=0.6, gt=0, le=1, validation_alias="LIUMAI_FAIRNESS_SINGLE_SOURCE_SHARE"
    )
    fairness_single_source_min: int = Field(
        default=4, ge=1, le=1000, validation_alias="LIUMAI_FAIRNESS_SINGLE_SOURCE_MIN"
    )
    fairness_narrow_min: int = Field(default=5, ge=1, le=1000, validation_alias="LIUMAI_FAIRNESS_NARROW_MIN")
    fairness_concentration_share: float = Field(
        default=0.8, gt=0, le=1, validation_alias="LIUMAI_FAIRNESS_CONCENTRATION_SHARE"
    )
    fairness_concentration_top: float = Field(
        default=0.2, gt=0, lt=1, validation_alias="LIUMAI_FAIRNESS_CONCENTRATION_TOP"
    )
    fairness_concentration_min: int = Field(
        default=10, ge=1, le=100_000, validation_alias="LIUMAI_FAIRNESS_CONCENTRATION_MIN"
    )

    # HTTP limits of `liumai serve` (plugin/http_limits.py): Slack and Feishu payloads are well
    # under 1 MiB; larger bodies get 413 before they are read whole, slow clients 408 or a close.
    max_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, le=64 * 1024 * 1024, validation_alias="LIUMAI_MAX_BODY_BYTES"
    )
    body_timeout_s: float = Field(default=10.0, gt=0, le=300, validation_alias="LIUMAI_BODY_TIMEOUT_S")
    header_timeout_s: float = Field(default=10.0, gt=0, le=300, validation_alias="LIUMAI_HEADER_TIMEOUT_S")
    max_connections: int = Field(default=500, ge=1, le=100_000, validation_alias="LIUMAI_MAX_CONNECTIONS")

    llm_base_url: str | None = Field(default=None, validation_alias="LIUMAI_LLM_BASE_URL")
    llm_api_key: str | None = Field(default=None, validation_alias=AliasChoices("LIUMAI_LLM_API_KEY", "OPENAI_API_KEY"))
    llm_model: str | None = Field(default=None, validation_alias="LIUMAI_LLM_MODEL")
    llm_timeout_s: float = Field(default=20.0, gt=0, le=600, validation_alias="LIUMAI_LLM_TIMEOUT_S")
    llm_mode: str | None = Field(default=None, validation_alias="LIUMAI_LLM_MODE")
    # Total time one tagging may take across retries; after it the offline tagger answers.
    llm_deadline_s: float = Field(default=30.0, gt=0, le=3600, validation_alias="LIUMAI_LLM_DEADLINE_S")
    llm_redact: bool = Field(default=False, validation_alias="LIUMAI_LLM_REDACT")

    slack_bot_token: str | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_client_id: str | None = Field(default=None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: str | None = Field(default=None, validation_alias="SLACK_CLIENT_SECRET")
    slack_api_url: str | None = Field(default=None, validation_alias="SLACK_API_URL")
    # Renamable so a workspace that already has a /values command can keep it.
    slack_nominate_command: str = Field(default="/nominate", validation_alias="SLACK_NOMINATE_COMMAND")
    slack_values_command: str = Field(default="/values", validation_alias="SLACK_VALUES_COMMAND")

    feishu_app_id: str | None = Field(default=None, validation_alias="FEISHU_APP_ID")
    feishu_app_secret: str | None = Field(default=None, validation_alias="FEISHU_APP_SECRET")
    feishu_verification_token: str | None = Field(default=None, validation_alias="FEISHU_VERIFICATION_TOKEN")
    feishu_encrypt_key: str | None = Field(default=None, validation_alias="FEISHU_ENCRYPT_KEY")
    feishu_domain: str = Field(default="https://open.feishu.cn", validation_alias="FEISHU_DOMAIN")
    # auto: HTTP callbacks when a verification token or encrypt key is set, else the long connection.
    feishu_mode: str = Field(default="auto", validation_alias="FEISHU_MODE")

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, v: str) -> str:
        if "://" not in v:
            raise _Invalid("db_url", **_DB_EXAMPLES)
        if v.startswith("postgres://") or v.startswith("postgresql://"):
            # Only psycopg 3 is installed; make the driver explicit rather than failing on import.
            v = "postgresql+psycopg://" + v.split("://", 1)[1]
        scheme = v.split("://", 1)[0]
        if scheme not in _DB_SCHEMES:
            # Anything else would fail later with a traceback from a missing driver module.
            raise _Invalid("db_unsupported", scheme=repr(scheme), **_DB_EXAMPLES)
        try:
            make_url(v)
        except (ArgumentError, ValueError):  # e.g. a port that is not a number
            raise _Invalid("db_invalid", **_DB_EXAMPLES) from None
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise _Invalid("timezone", value=repr(v)) from None
        return v

    @field_validator("feishu_mode")
    @classmethod
    def _feishu_mode(cls, v: str) -> str:
        if v not in {"auto", "http", "ws", "both"}:
            raise _Invalid("one_of", choices="auto, http, ws, both")
        return v

    @field_validator("llm_mode")
    @classmethod
    def _mode(cls, v: str | None) -> str | None:
        if v is not None and v not in {"json_schema", "json_object", "text"}:
            raise _Invalid("one_of", choices="json_schema, json_object, text")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.llm_base_url and not self.llm_model:
            raise _Invalid("required_with", var="LIUMAI_LLM_MODEL", other="LIUMAI_LLM_BASE_URL")
        if self.slack_client_id and not self.slack_client_secret:
            raise _Invalid("required_for_oauth", var="SLACK_CLIENT_SECRET", other="SLACK_CLIENT_ID")
        return self

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_model and (self.llm_base_url or self.llm_api_key))


_ALIASES = {
    name: (
        f.validation_alias if isinstance(f.validation_alias, str) else cast(AliasChoices, f.validation_alias).choices[0]
    )
    for name, f in Settings.model_fields.items()
    if f.validation_alias is not None
}


def load_settings(**overrides: object) -> Settings:
    """Settings or a ConfigError whose single line names the offending variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as err:
        raise _config_error(err.errors()[0]) from None


def _config_error(e: Any) -> ConfigError:
    """The first problem pydantic found, as a ConfigError naming the variable (see `_Invalid`)."""
    loc = e["loc"][0] if e["loc"] else ""
    var = str(_ALIASES.get(str(loc), str(loc)))
    cause = (e.get("ctx") or {}).get("error")
    if isinstance(cause, _Invalid):
        return ConfigError.of(cause.var or var, cause.key, **cause.params)
    if e["type"] in _PYDANTIC:
        key, fields = _PYDANTIC[e["type"]]
        return ConfigError.of(var, key, **{p: (e.get("ctx") or {}).get(f) for p, f in fields.items()})
    return ConfigError.of(var, "invalid", detail=e["msg"].removeprefix("Value error, "))
