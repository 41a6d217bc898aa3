"""Settings, read from arguments and ``LABELWISE_*`` environment variables.

Built by ``create_app()`` and the CLI, never at import time.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the server needs to know. Every field is documented in docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="LABELWISE_", extra="ignore")

    data_dir: Path = Field(Path("labelwise-data"), description="Folder holding the SQLite database and media.")
    db: str | None = Field(
        None, description="Database URL (postgresql://...). Default: SQLite in the data folder."
    )
    media_dir: Path | None = Field(None, description="Folder for uploaded media. Default: DATA_DIR/media.")
    media_url: str | None = Field(
        None, description="s3://bucket/prefix: media in an S3-compatible bucket (MEDIA_DIR is then a local cache)."
    )
    s3_endpoint_url: str | None = Field(None, description="Endpoint of an S3-compatible service. Default: AWS S3.")
    s3_region: str | None = Field(None, description="Region of the bucket. Default: from the AWS configuration.")
    s3_url_seconds: int = Field(3600, ge=60, le=604_800, description="How long a presigned media URL is valid.")
    s3_presign: bool = Field(True, description="Send browsers to presigned bucket URLs (false: the app streams).")
    media_cache_mb: int = Field(5120, ge=0, description="Size of the local cache of bucket media (0: unbounded).")
    secret_key: str | None = Field(
        None, description="Key signing session cookies. Default: generated once and kept in the data folder."
    )
    lease_seconds: int = Field(600, ge=10, description="How long a handed-out task stays reserved.")
    session_days: int = Field(14, ge=1, description="How long a login session lasts.")
    secure_cookies: bool = Field(False, description="Mark cookies Secure (set when served over HTTPS).")
    import_batch_size: int = Field(10_000, ge=1, description="Rows written per import transaction.")
    max_upload_mb: int = Field(2048, ge=1, description="Largest accepted upload, in MiB.")
    redis_url: str | None = Field(
        None, description="Redis URL for the background job queue. Default: a SQLite queue in the data folder."
    )
    job_workers: int = Field(1, ge=0, description="Job threads `labelwise serve` runs (0: run `labelwise worker`).")
    job_heartbeat_timeout: int = Field(
        300, ge=5, description="Seconds without a heartbeat after which a running job counts as stopped."
    )

    @field_validator("db")
    @classmethod
    def _normalise_db(cls, value: str | None) -> str | None:
        if value and value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        if value and value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value or None

    @field_validator("media_url")
    @classmethod
    def _check_media_url(cls, value: str | None) -> str | None:
        if value and not (value.startswith("s3://") and len(value.split("/")[2]) > 0):
            raise ValueError("media_url must look like s3://bucket/prefix")
        return value or None

    @property
    def database_url(self) -> str:
        return self.db or f"sqlite:///{(self.data_dir / 'labelwise.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def media_path(self) -> Path:
        return self.media_dir or self.data_dir / "media"
