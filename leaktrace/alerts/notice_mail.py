"""The takedown notices' mail sink: sends the exact message a notice was queued with.

Sending a notice (:mod:`leaktrace.services.notice_sending`) writes one outbox event of
kind :data:`NOTICE_KIND` whose payload holds the whole message, already built and
reviewed (:func:`notice_payload`): the envelope sender, the one recipient and the
message's bytes (base64). This sink sends those bytes unchanged, so the ``.eml`` kept as
evidence in the case is byte for byte what the recipient got, and a retry sends the same
Message-ID. Delivery goes through the outbox's deliveries for the sink
:data:`NOTICE_SINK`, so retries with back-off and dead letters are those of every other
sink (:class:`leaktrace.watch.dispatcher.Dispatcher`).

It is not a watch plugin: notice events are never planned for the alert sinks of
``leaktrace watch``, and alert events never reach this one. The server and the login come
from ``[notices.smtp]`` or from an existing email sink (:func:`config_from_email_sink`);
the connection and the transient/permanent classification are :mod:`leaktrace.alerts.smtp`.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import logging
import os
import smtplib
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError, model_validator

from leaktrace.alerts.base import NOTICE_SINK, AlertEvent, DeliveryError, SinkConfig
from leaktrace.alerts.email import EmailConfig
from leaktrace.alerts.smtp import SmtpServer, close_quietly, reply_text, smtp_connect, smtp_failure
from leaktrace.errors import ConfigError

__all__ = [
    "NOTICE_KIND",
    "NOTICE_SINK",
    "NoticeMail",
    "NoticeMailConfig",
    "NoticeMailSink",
    "config_from_email_sink",
    "config_problem",
    "notice_mail",
    "notice_payload",
]

log = logging.getLogger(__name__)

NOTICE_KIND = "notice"
"""The outbox kind of a notice to send (topic ``notice:<id>``)."""


def _loopback(host: str) -> bool:
    name = host.strip().strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class NoticeMailConfig(SinkConfig):
    """The mail server notices go through. The password is only ever read from the
    environment variable ``password_env``."""

    model_config = ConfigDict(hide_input_in_errors=True)

    name: str = NOTICE_SINK
    kind: Literal["notice-mail"] = "notice-mail"
    host: str = Field(min_length=1)
    port: int = Field(default=25, ge=1, le=65535)
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    password_env: str | None = None
    timeout: float = Field(default=10.0, gt=0, le=300)
    origin: str = "notices.smtp"
    """The setting it came from, for error messages."""

    @model_validator(mode="after")
    def _check(self) -> NoticeMailConfig:
        if self.ssl and self.starttls:
            raise ValueError("choose ssl (implicit TLS) or starttls, not both")
        if bool(self.username) != bool(self.password_env):
            raise ValueError("a username needs password_env, and password_env a username")
        if self.username and not (self.ssl or self.starttls) and not _loopback(self.host):
            raise ValueError(
                "a login over a connection that is not encrypted: set starttls = true (or "
                "ssl); only a mail server on this machine may be used without"
            )
        return self

    def resolve_password(self) -> str | None:
        """The password, from the environment; ConfigError naming the variable when it
        is not set or empty."""
        if self.password_env is None:
            return None
        value = os.environ.get(self.password_env)
        if not value:
            state = "is empty" if value is not None else "is not set"
            raise ConfigError(
                f"{self.origin}: environment variable {self.password_env} {state} "
                "(it should hold the SMTP password)"
            )
        return value


def config_from_email_sink(sink: EmailConfig, *, max_attempts: int) -> NoticeMailConfig:
    """The server and login of an email sink of the watch configuration (not its sender
    or recipients). An inline password is not taken over: notices read theirs from the
    environment only."""
    if sink.password is not None:
        raise ConfigError(
            f"email sink {sink.name!r} has an inline password; notices read the SMTP "
            "password from the environment only (give the sink password_env)"
        )
    try:
        return NoticeMailConfig(
            host=sink.host,
            port=sink.port,
            starttls=sink.starttls,
            ssl=sink.ssl,
            username=sink.username,
            password_env=sink.password_env,
            timeout=sink.timeout,
            max_attempts=max_attempts,
            origin=f"notices.email_sink ({sink.name!r})",
        )
    except ValueError as exc:
        raise ConfigError(f"notices.email_sink ({sink.name!r}): {config_problem(exc)}") from None


def config_problem(exc: ValueError) -> str:
    """What is wrong with a mail server's settings, in words (a pydantic error's
    messages without its boilerplate)."""
    if isinstance(exc, ValidationError):
        return "; ".join(
            str(e["msg"]).removeprefix("Value error, ")
            + (f" ({'.'.join(str(p) for p in e['loc'])})" if e["loc"] else "")
            for e in exc.errors()
        )
    return str(exc)


class NoticeMail:
    """What the sink sends: envelope and bytes (read back from an event's payload)."""

    __slots__ = ("data", "mail_from", "notice_id", "rcpt_to", "reference")

    def __init__(
        self, *, notice_id: int, reference: str, mail_from: str, rcpt_to: str, data: bytes
    ) -> None:
        self.notice_id = notice_id
        self.reference = reference
        self.mail_from = mail_from
        self.rcpt_to = rcpt_to
        self.data = data


def notice_payload(
    *, notice_id: int, reference: str, mail_from: str, rcpt_to: str, message_id: str, data: bytes
) -> dict[str, Any]:
    """The outbox payload of a notice to send: all the sink needs, JSON-ready."""
    return {
        "notice_id": notice_id,
        "reference": reference,
        "mail_from": mail_from,
        "rcpt_to": rcpt_to,
        "message_id": message_id,
        "eml": base64.b64encode(data).decode("ascii"),
    }


def notice_mail(payload: dict[str, Any]) -> NoticeMail:
    """The mail in a notice event's payload; ValueError when it is not one."""
    try:
        data = base64.b64decode(str(payload["eml"]), validate=True)
        mail = NoticeMail(
            notice_id=int(payload["notice_id"]),
            reference=str(payload["reference"]),
            mail_from=str(payload["mail_from"]),
            rcpt_to=str(payload["rcpt_to"]),
            data=data,
        )
    except (KeyError, TypeError, binascii.Error) as exc:
        raise ValueError(f"not a notice event: {type(exc).__name__}: {exc}") from None
    if any(c in mail.mail_from + mail.rcpt_to for c in "\r\n\0") or not mail.data:
        raise ValueError("not a notice event: a broken envelope or an empty message")
    return mail


class NoticeMailSink:
    """Sends notice events (only those) over SMTP, one connection per delivery."""

    def __init__(self, config: NoticeMailConfig) -> None:
        self.name = config.name
        self.config = config
        self._server = SmtpServer(
            host=config.host,
            port=config.port,
            starttls=config.starttls,
            ssl=config.ssl,
            username=config.username,
            password=config.resolve_password(),
            timeout=config.timeout,
        )

    def __repr__(self) -> str:
        return f"NoticeMailSink(host={self.config.host!r}, port={self.config.port})"

    def _fail(self, reason: str, *, transient: bool) -> DeliveryError:
        return DeliveryError(f"notices mail: {reason}", sink=self.name, transient=transient)

    def deliver(self, event: AlertEvent) -> None:
        if event.kind != NOTICE_KIND:
            raise self._fail(f"{event.key} is not a notice event", transient=False)
        try:
            mail = notice_mail(event.payload)
        except ValueError as exc:
            raise self._fail(f"{event.key}: {exc}", transient=False) from None
        server = self._server
        try:
            smtp = smtp_connect(server)
            try:
                refused = smtp.sendmail(mail.mail_from, [mail.rcpt_to], mail.data)
            finally:
                close_quietly(smtp)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        except (smtplib.SMTPException, OSError) as exc:
            failure = smtp_failure(exc, server)
            if failure is None:
                raise
            raise self._fail(failure[0], transient=failure[1]) from None
        if refused:
            codes = [code for code, _ in refused.values()]
            detail = "; ".join(
                f"{addr}: {code} {reply_text(text)}" for addr, (code, text) in refused.items()
            )
            raise self._fail(
                f"{server.where} refused the recipient: {detail}",
                transient=all(400 <= code < 500 for code in codes),
            )
        log.debug("notices mail: %s sent to %s", mail.reference, mail.rcpt_to)

    def close(self) -> None:
        """Nothing is kept open between deliveries."""
