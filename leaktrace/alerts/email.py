"""Email sink: send each alert event as a plain-text mail over SMTP.

The message has a subject a person can triage from (``[LeakTrace] HIGH leak: <release>
(<window>, <n> days early)`` or ``[LeakTrace] nuked: <release> (<reason>)``), a plain-text
body with the explanation and the key fields, and the event document as a JSON
attachment (``leaktrace-event.json``) for machines.

The ``Message-ID`` is derived from the event's dedupe key (and the sender's domain), so a
retried event produces the same Message-ID and mail systems can collapse duplicates;
``X-LeakTrace-Delivery`` carries the dedupe key itself.

One SMTP connection per delivery (alerts are rare; nothing to keep alive). Reply codes
4xx, dropped connections and network errors are transient; 5xx are permanent (the
connection and this classification are :mod:`leaktrace.alerts.smtp`, shared with the
takedown notices' mail sink). When some
recipients accept and others defer (4xx), the retry goes to the deferred ones only (for as
long as this sink object lives).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import smtplib
import threading
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any, Literal

from pydantic import ConfigDict, Field, SecretStr, field_validator, model_validator

from leaktrace import __version__
from leaktrace.alerts.base import AlertEvent, DeliveryError, SinkConfig, SinkPlugin
from leaktrace.alerts.smtp import SmtpServer, close_quietly, reply_text, smtp_connect, smtp_failure
from leaktrace.errors import ConfigError
from leaktrace.feeds.timeparse import format_time

__all__ = ["PLUGIN", "EmailConfig", "EmailSink", "build_message", "message_id", "subject_for"]

log = logging.getLogger(__name__)

_BODY_FIELDS = (
    "release",
    "work",
    "work_id",
    "severity",
    "window",
    "window_date",
    "lead_days",
    "source",
    "group",
    "released_at",
    "rule",
)
_NUKE_VERBS = {
    "nuke": "nuked",
    "unnuke": "unnuked",
    "modnuke": "nuke modified",
    "delpre": "pre deleted",
    "undelpre": "pre restored",
}


def _address(value: str) -> str:
    """The bare address of ``value`` (``a@b`` or ``Name <a@b>``), or ValueError."""
    if any(c in value for c in "\r\n\0"):
        raise ValueError("an address may not contain line breaks")
    _, addr = parseaddr(value)
    local, at, domain = addr.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in addr) or ".." in domain:
        raise ValueError(f"{value!r} is not an email address")
    if domain.startswith(".") or domain.endswith(".") or "@" in local.strip('"'):
        raise ValueError(f"{value!r} is not an email address")
    return addr


class EmailConfig(SinkConfig):
    """An SMTP email sink. ``ssl`` is SMTP over TLS (usually port 465); ``starttls``
    upgrades a plain connection (usually port 587). Give the password inline or as the
    name of an environment variable (``password_env``), not both."""

    model_config = ConfigDict(hide_input_in_errors=True)

    kind: Literal["email"] = "email"
    host: str = Field(min_length=1)
    port: int = Field(default=25, ge=1, le=65535)
    sender: str
    recipients: list[str] = Field(min_length=1)
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    password: SecretStr | None = None
    password_env: str | None = None
    timeout: float = Field(default=10.0, gt=0, le=300)

    @field_validator("sender")
    @classmethod
    def _check_sender(cls, value: str) -> str:
        _address(value)
        return value.strip()

    @field_validator("recipients")
    @classmethod
    def _check_recipients(cls, value: list[str]) -> list[str]:
        for item in value:
            _address(item)
        return [item.strip() for item in value]

    @model_validator(mode="after")
    def _check_auth(self) -> EmailConfig:
        if self.ssl and self.starttls:
            raise ValueError("choose ssl (implicit TLS) or starttls, not both")
        if self.password is not None and self.password_env is not None:
            raise ValueError("give either password or password_env, not both")
        has_password = self.password is not None or self.password_env is not None
        if has_password and not self.username:
            raise ValueError("a password needs a username")
        if self.username and not has_password:
            raise ValueError("a username needs a password or password_env")
        return self

    def resolve_password(self) -> str | None:
        """The SMTP password, read from the environment if so configured."""
        if self.password is not None:
            return self.password.get_secret_value()
        if self.password_env is None:
            return None
        value = os.environ.get(self.password_env)
        if not value:
            state = "is empty" if value is not None else "is not set"
            raise ConfigError(
                f"email sink {self.name!r}: environment variable {self.password_env} {state} "
                "(it should hold the SMTP password)"
            )
        return value

    @property
    def sender_address(self) -> str:
        return _address(self.sender)

    @property
    def recipient_addresses(self) -> list[str]:
        return [_address(r) for r in self.recipients]


def _one_line(value: object, limit: int = 160) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _days(value: object) -> str:
    try:
        days = round(float(str(value)), 1)
    except ValueError:
        return f"{_one_line(value)} days"
    return f"{days:g} day" + ("" if days == 1 else "s")


def _nuke(event: AlertEvent) -> dict[str, Any]:
    nuke = event.payload.get("nuke")
    return nuke if isinstance(nuke, dict) else {}


def subject_for(event: AlertEvent) -> str:
    """The subject line: severity, release and what happened, on one line."""
    p = event.payload
    release = _one_line(p.get("release") or event.work_id)
    if event.kind == "nuke":
        nuke = _nuke(event)
        verb = _NUKE_VERBS.get(str(nuke.get("action") or "nuke"), "nuked")
        reason = _one_line(nuke.get("reason") or "no reason given", 80)
        return f"[LeakTrace] {verb}: {release} ({reason})"
    window = _one_line(p.get("window") or event.window, 40)
    lead = p.get("lead_days")
    detail = window if lead is None else f"{window}, {_days(lead)} early"
    return f"[LeakTrace] {event.severity.upper()} leak: {release} ({detail})"


def message_id(event: AlertEvent, domain: str = "leaktrace.invalid") -> str:
    """A Message-ID that is the same for every send of the same event."""
    digest = hashlib.sha256(event.key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}.leaktrace@{domain}>"


def _body(event: AlertEvent) -> str:
    p = event.payload
    lines: list[str] = []
    if event.kind == "nuke":
        nuke = _nuke(event)
        action = str(nuke.get("action") or "nuke")
        lines.append(
            f"A release LeakTrace alerted on was {_NUKE_VERBS.get(action, 'nuked')}"
            + (f" on {nuke['net']}" if nuke.get("net") else "")
            + (f": {nuke['reason']}." if nuke.get("reason") else ".")
        )
    else:
        lines.append(f"LeakTrace flagged a {event.severity} pre-release leak.")
    if p.get("explanation"):
        lines += ["", str(p["explanation"])]
    lines.append("")
    for field in _BODY_FIELDS:
        if p.get(field) is not None:
            lines.append(f"{field}: {p[field]}")
    if event.kind == "nuke" and isinstance(p.get("nuke"), dict):
        for field, value in p["nuke"].items():
            if value is not None:
                lines.append(f"nuke {field}: {value}")
    lines += [
        f"event: {event.kind}",
        f"created_at: {format_time(event.created_at)}",
        "",
        f"dedupe key: {event.key}",
        "",
        "-- ",
        f"LeakTrace {__version__}. The full event is attached as JSON.",
    ]
    return "\n".join(lines) + "\n"


def build_message(event: AlertEvent, sender: str, recipients: list[str]) -> EmailMessage:
    """The email for ``event``: headers, plain-text body, JSON attachment."""
    domain = _address(sender).rpartition("@")[2] or "leaktrace.invalid"
    msg = EmailMessage()
    msg["Subject"] = subject_for(event)
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = message_id(event, domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Mailer"] = f"LeakTrace/{__version__}"
    msg["X-LeakTrace-Event"] = event.kind
    msg["X-LeakTrace-Delivery"] = _one_line(event.key, 900)
    msg.set_content(_body(event))
    document = json.dumps(event.as_json(), ensure_ascii=False, sort_keys=True, indent=2)
    msg.add_attachment(
        document.encode("utf-8"),
        maintype="application",
        subtype="json",
        filename="leaktrace-event.json",
    )
    return msg


class EmailSink:
    """Sends events by SMTP to the configured recipients."""

    def __init__(self, config: EmailConfig) -> None:
        self.name = config.name
        self.config = config
        self._password = config.resolve_password()
        self._lock = threading.Lock()
        self._deferred: dict[str, list[str]] = {}
        """Dedupe key → recipients still owed the event after a partial 4xx refusal."""

    def __repr__(self) -> str:
        return f"EmailSink(name={self.name!r}, host={self.config.host!r}, port={self.config.port})"

    def _fail(self, reason: str, *, transient: bool) -> DeliveryError:
        return DeliveryError(f"email {self.name!r}: {reason}", sink=self.name, transient=transient)

    def _server(self) -> SmtpServer:
        c = self.config
        return SmtpServer(
            host=c.host,
            port=c.port,
            starttls=c.starttls,
            ssl=c.ssl,
            username=c.username,
            password=self._password,
            timeout=c.timeout,
        )

    def deliver(self, event: AlertEvent) -> None:
        c = self.config
        with self._lock:
            to = self._deferred.get(event.key) or c.recipient_addresses
        try:
            msg = build_message(event, c.sender, c.recipients)
        except (TypeError, ValueError) as exc:
            raise self._fail(
                f"cannot build the message for {event.key}: {exc}", transient=False
            ) from None
        server = self._server()
        try:
            smtp = smtp_connect(server)
            try:
                refused = smtp.send_message(msg, from_addr=c.sender_address, to_addrs=to)
            finally:
                close_quietly(smtp)
        except smtplib.SMTPRecipientsRefused as exc:
            self._refused(event, exc.recipients, delivered_to=0)
        except (smtplib.SMTPException, OSError) as exc:
            failure = smtp_failure(exc, server)
            if failure is None:
                raise
            raise self._fail(failure[0], transient=failure[1]) from None
        else:
            if refused:
                self._refused(event, refused, delivered_to=len(to) - len(refused))
            with self._lock:
                self._deferred.pop(event.key, None)
            log.debug("email %s delivered %s to %d recipient(s)", self.name, event.key, len(to))

    def _refused(
        self, event: AlertEvent, refused: dict[str, tuple[int, bytes]], *, delivered_to: int
    ) -> None:
        deferred = [addr for addr, (code, _) in refused.items() if 400 <= code < 500]
        detail = "; ".join(
            f"{addr}: {code} {reply_text(text)}" for addr, (code, text) in refused.items()
        )
        sent = f" (sent to {delivered_to} other recipient(s))" if delivered_to else ""
        with self._lock:  # retry only the deferred recipients; give up on the refused
            if deferred:
                self._deferred[event.key] = deferred
            else:
                self._deferred.pop(event.key, None)
        raise self._fail(f"recipients refused{sent}: {detail}", transient=bool(deferred))

    def close(self) -> None:
        with self._lock:
            self._deferred.clear()

    def __enter__(self) -> EmailSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _create(config: Any) -> EmailSink:
    if not isinstance(config, EmailConfig):
        config = EmailConfig.model_validate(config)
    return EmailSink(config)


PLUGIN = SinkPlugin("email", EmailConfig, _create)
