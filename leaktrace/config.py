"""Settings: one pydantic-settings class, built on demand by :func:`load_settings`.

Sources, highest priority first:

1. keyword arguments given to :func:`load_settings` (the command line's ``--db`` etc.);
2. environment variables ``LEAKTRACE_*`` (``LEAKTRACE_DB``, ``LEAKTRACE_MATCH_THRESHOLD`` ...);
3. a TOML file: ``LEAKTRACE_CONFIG`` if set, else ``<user config dir>/leaktrace/config.toml``
   if it exists;
4. defaults.

Nothing is read at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from leaktrace.errors import ConfigError

__all__ = [
    "EvidenceSettings",
    "NoticeSenderSettings",
    "NoticeSmtpSettings",
    "NoticesSettings",
    "ServerSettings",
    "Settings",
    "default_config_path",
    "default_db_path",
    "default_evidence_key_path",
    "load_settings",
]

APP_NAME = "leaktrace"


def default_db_path() -> Path:
    """The per-user SQLite database: ``<user data dir>/leaktrace/leaktrace.db``.

    On Linux that is ``~/.local/share/leaktrace/leaktrace.db`` (or under ``$XDG_DATA_HOME``).
    """
    return Path(platformdirs.user_data_dir(APP_NAME)) / "leaktrace.db"


def default_config_path() -> Path:
    """``<user config dir>/leaktrace/config.toml`` (``~/.config/leaktrace/config.toml``)."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


class ServerSettings(BaseModel):
    """``[server]`` in the TOML file; ``LEAKTRACE_SERVER__<NAME>`` in the environment."""

    model_config = ConfigDict(extra="forbid")

    session_hours: float = Field(
        default=12, gt=0, le=24 * 30, description="A browser session lasts this long."
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark session cookies Secure (set it when TLS ends at a reverse proxy "
        "in front of LeakTrace; requests that arrive over https set it anyway).",
    )
    login_attempts: int = Field(
        default=5, ge=1, le=1000, description="Failed logins allowed per e-mail and address"
    )
    login_window_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="... within this many minutes."
    )
    max_body_bytes: int = Field(
        default=1 << 20, ge=1024, le=1 << 30, description="Largest request body accepted."
    )


def default_evidence_key_path() -> Path:
    """The installation's evidence signing key: ``<user data dir>/leaktrace/evidence-ed25519.pem``
    (outside the database, created 0600 on first use)."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "evidence-ed25519.pem"


class EvidenceSettings(BaseModel):
    """``[evidence]`` in the TOML file; ``LEAKTRACE_EVIDENCE__<NAME>`` in the environment."""

    model_config = ConfigDict(extra="forbid")

    key_file: Path | None = Field(
        default=None,
        description="Ed25519 key that signs the evidence logs' tree heads (PEM, PKCS#8). "
        "Created with mode 0600 on first use. Default: evidence-ed25519.pem in the user "
        "data folder. Keep it out of the database and its backups.",
    )
    origin: str | None = Field(
        default=None,
        max_length=200,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/:-]*$",
        description="This installation's name in checkpoints (e.g. 'leaktrace.police.example'); "
        "a case's log is '<origin>/case/<id>'. Default: 'leaktrace-' and the first 16 hex "
        "digits of the key's fingerprint.",
    )
    tsa_url: str | None = Field(
        default=None,
        description="RFC 3161 time-stamping authority (http or https URL). When set, every "
        "tree head is also time-stamped by it.",
    )
    tsa_certificate: Path | None = Field(
        default=None,
        description="PEM file with the authority's certificate chain (the time-stamping "
        "certificate first, then its issuers) used to check its replies.",
    )
    tsa_timeout: float = Field(default=10, gt=0, le=120, description="Seconds to wait for it.")
    max_file_bytes: int = Field(
        default=50 << 20,
        ge=1024,
        le=2 << 30,
        description="Largest evidence file accepted (bytes).",
    )


class ParserSettings(BaseModel):
    """Reading release names (section ``[parser]``; env ``LEAKTRACE_PARSER__*``)."""

    model_config = ConfigDict(extra="forbid")

    extra_sites: list[str] = Field(
        default_factory=list,
        description="More leak, tracker or uploader site names (or domains) that release "
        "names carry as a prefix or suffix, on top of the shipped list; the parser keeps "
        "them as the release's website, never in its title.",
    )
    sites_file: Path | None = Field(
        default=None,
        description="A file of more site names, one per line ('#' comments).",
    )


class NoticeSenderSettings(BaseModel):
    """Who sends takedown notices (section ``[notices.sender]``; env
    ``LEAKTRACE_NOTICES__SENDER__*``). No defaults: nothing is drafted or sent from a
    default identity."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="The sender's full name.")
    email: str = Field(
        min_length=3, max_length=320, description="The sender's e-mail (notices come from it)."
    )
    address: str = Field(min_length=1, max_length=500, description="Postal address.")
    phone: str = Field(min_length=1, max_length=64, description="Telephone number.")
    signature: str = Field(
        min_length=1,
        max_length=200,
        description="The signature put under each notice (e.g. '/s/ Jane Roe'): the "
        "electronic signature of DMCA 512(c)(3)(A)(i).",
    )
    principal: str = Field(
        min_length=1,
        max_length=200,
        description="The rights holder the notices are sent for. When it differs from "
        "'name', the sender is an agent authorised to act on its behalf.",
    )
    trusted_flagger: str | None = Field(
        default=None,
        max_length=300,
        description="The sender's trusted-flagger status under DSA Article 22, as it is "
        "to be stated (e.g. 'awarded by AGCOM (IT) on 2024-05-02'); empty when it has none.",
    )

    @field_validator("email")
    @classmethod
    def _one_address(cls, value: str) -> str:
        value = value.strip()
        local, at, domain = value.rpartition("@")
        if not at or not local or "." not in domain or any(c.isspace() for c in value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value

    @field_validator("name", "phone", "signature", "principal")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if any(c in value for c in "\r\n\0"):
            raise ValueError("may not contain line breaks")
        return value.strip()


class NoticeSmtpSettings(BaseModel):
    """The mail server notices are sent through (section ``[notices.smtp]``)."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, max_length=255, description="SMTP server.")
    port: int = Field(default=25, ge=1, le=65535, description="SMTP port.")
    starttls: bool = Field(default=False, description="Upgrade the connection with STARTTLS.")
    ssl: bool = Field(default=False, description="SMTP over TLS (usually port 465).")
    username: str | None = Field(default=None, max_length=320, description="Login name.")
    password_env: str | None = Field(
        default=None,
        max_length=128,
        description="Name of the environment variable holding the SMTP password "
        "(never the password itself).",
    )
    timeout: float = Field(default=10, gt=0, le=300, description="Seconds to wait.")


class NoticesSettings(BaseModel):
    """Takedown notices (section ``[notices]``; env ``LEAKTRACE_NOTICES__*``)."""

    model_config = ConfigDict(extra="forbid")

    def sender_for(self, agency_code: str | None) -> NoticeSenderSettings | None:
        """The identity notices drafted by ``agency_code`` (None: the command line's
        operator) are signed and sent as: the agency's own in ``senders``, else
        ``sender``."""
        if agency_code is not None and agency_code in self.senders:
            return self.senders[agency_code]
        return self.sender

    sender: NoticeSenderSettings | None = Field(
        default=None,
        description="Who sends notices: the command line's operator, and every agency "
        "that has no identity of its own in 'senders'. Required to draft or send any.",
    )
    senders: dict[str, NoticeSenderSettings] = Field(
        default_factory=dict,
        description="An identity per agency code (``[notices.senders.DE-IND]``): the notices "
        "an agency's users draft are signed and sent as its own identity. On a server "
        "shared by several industry agencies, give each one.",
    )
    smtp: NoticeSmtpSettings | None = Field(
        default=None, description="Send through this SMTP server ..."
    )
    email_sink: str | None = Field(
        default=None,
        max_length=64,
        description="... or through the email sink of this name in the watch "
        "configuration file 'watch_config' (its server and login; not its recipients).",
    )
    watch_config: Path | None = Field(
        default=None, description="The watch configuration file that holds 'email_sink'."
    )
    templates_dir: Path | None = Field(
        default=None,
        description="A folder of edited notice templates ('dmca.en.txt', 'dsa.it.txt' ...) "
        "used instead of the shipped ones of the same name.",
    )
    replies_dir: Path | None = Field(
        default=None,
        description="A folder where replies to notices are dropped as .eml files "
        "('leaktrace notices track' reads them).",
    )
    renotice_days: float = Field(
        default=7,
        gt=0,
        le=365,
        description="Days after sending before a location still up is noticed again.",
    )
    no_response_days: float = Field(
        default=14,
        gt=0,
        le=365,
        description="Days after sending without an answer before a notice counts as 'no-response'.",
    )
    max_attempts: int = Field(
        default=8,
        ge=1,
        le=100,
        description="Sending attempts before a notice's mail is moved to the dead letters.",
    )


class Settings(BaseSettings):
    """Everything LeakTrace can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="LEAKTRACE_", extra="forbid", env_nested_delimiter="__"
    )

    db: str | None = Field(
        default=None,
        description="Database: a file path (SQLite) or a SQLAlchemy URL. "
        "Default: the per-user SQLite file.",
    )
    match_threshold: float = Field(
        default=88.0, ge=0, le=100, description="Lowest fuzzy title score (0-100) accepted."
    )
    batch_size: int = Field(default=5000, ge=1, le=1_000_000, description="Ingest batch size.")
    parallel_judging: bool = Field(
        default=True,
        description="A file ingest of about 50,000 lines or more reads, parses, matches "
        "and detects in a second process while the first one stores (a second core); "
        "false keeps it to one process.",
    )
    max_name_length: int = Field(
        default=512, ge=16, le=65536, description="Longest release name accepted on ingest."
    )
    swarm_key: SecretStr | None = Field(
        default=None,
        description="Secret key (at least 32 bytes) for the keyed hashes that replace "
        "downloaders' addresses. No default: swarm import refuses to run without it. "
        "Prefer swarm_key_file.",
    )
    swarm_key_file: Path | None = Field(
        default=None,
        description="File holding the swarm key ('leaktrace swarm keygen --out FILE'); "
        "used before swarm_key.",
    )
    swarm_retention_days: int = Field(
        default=180, ge=1, le=36500, description="Days swarm observations are kept."
    )
    extra_public_trackers: list[str] = Field(
        default_factory=list,
        description="More open trackers (domains or announce URLs) that tie no servers or "
        "groups together, on top of the built-in list.",
    )
    extra_cyberlockers: list[str] = Field(
        default_factory=list,
        description="More cyberlocker domains: their links are cyberlocker evidence.",
    )
    extra_streaming_hosts: list[str] = Field(
        default_factory=list,
        description="More video-host domains: their links are streaming evidence.",
    )
    parser: ParserSettings = Field(
        default_factory=ParserSettings, description="Reading release names."
    )
    server: ServerSettings = Field(
        default_factory=ServerSettings, description="The web service (leaktrace serve)."
    )
    evidence: EvidenceSettings = Field(
        default_factory=EvidenceSettings, description="Cases' evidence logs and their signing."
    )
    notices: NoticesSettings = Field(
        default_factory=NoticesSettings, description="Takedown notices (DMCA, DSA)."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_path = _config_file()
        if toml_path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)

    def database_target(self) -> str:
        """The database path or URL in force."""
        return self.db if self.db else str(default_db_path())

    def evidence_key_path(self) -> Path:
        """The evidence signing key's file in force."""
        key = self.evidence.key_file
        return key.expanduser() if key is not None else default_evidence_key_path()


def _config_file() -> Path | None:
    explicit = os.environ.get("LEAKTRACE_CONFIG")
    if explicit:
        return Path(explicit)
    path = default_config_path()
    return path if path.is_file() else None


def load_settings(**overrides: Any) -> Settings:
    """Build the settings from overrides, environment and TOML file.

    ``None`` overrides are ignored so command-line options that were not given fall
    through to the environment. Invalid values raise :class:`ConfigError`.
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    explicit = os.environ.get("LEAKTRACE_CONFIG")
    if explicit and not Path(explicit).is_file():
        raise ConfigError(f"configuration file {explicit} (LEAKTRACE_CONFIG) does not exist")
    try:
        return Settings(**given)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"setting '{where}': {first['msg']}") from None
    except (OSError, ValueError) as exc:  # unreadable or malformed TOML
        raise ConfigError(f"cannot read configuration: {exc}") from None
