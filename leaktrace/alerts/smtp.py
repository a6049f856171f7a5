"""What the SMTP sinks share: opening a connection (plain, implicit TLS or STARTTLS, with
a login) and telling a failed send's transient errors (retried) from permanent ones.

Reply codes 4xx, dropped connections, time-outs and network errors are transient; 5xx,
a refused login with a 5xx code, an extension the server lacks and an untrusted TLS
certificate are permanent. A refusal of some or all recipients
(:class:`smtplib.SMTPRecipientsRefused`) is left to the caller, who knows its
recipients: :func:`smtp_failure` answers None for it.
"""

from __future__ import annotations

import functools
import smtplib
import ssl as ssl_module
from dataclasses import dataclass, field

__all__ = ["SmtpServer", "close_quietly", "reply_text", "smtp_connect", "smtp_failure"]


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """Where to send and how to log in (the password already resolved)."""

    host: str
    port: int
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 10.0

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


@functools.cache
def _tls_context() -> ssl_module.SSLContext:
    """The TLS settings of every connection (certificates verified against the system's
    store), made once: loading the store costs tens of milliseconds."""
    return ssl_module.create_default_context()


def smtp_connect(server: SmtpServer) -> smtplib.SMTP:
    """An open, logged-in connection to ``server`` (closed again on any failure)."""
    smtp: smtplib.SMTP
    if server.ssl:
        smtp = smtplib.SMTP_SSL(
            server.host, server.port, timeout=server.timeout, context=_tls_context()
        )
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    try:
        if server.starttls:
            smtp.starttls(context=_tls_context())
        if server.username and server.password is not None:
            smtp.login(server.username, server.password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def close_quietly(smtp: smtplib.SMTP) -> None:
    """QUIT, or drop the connection when the server does not answer it."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def reply_text(value: bytes | str, limit: int = 200) -> str:
    """A server's reply text on one line (bounded)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = " ".join(value.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def smtp_failure(exc: BaseException, server: SmtpServer) -> tuple[str, bool] | None:
    """``(reason, transient)`` for an exception raised while connecting to ``server`` or
    sending through it; None for a recipients refusal and for anything that is not an
    SMTP or network error. The reason never contains the password."""
    where = server.where
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return None
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            f"{where} refused the login for {server.username!r}: "
            f"{exc.smtp_code} {reply_text(exc.smtp_error)}",
            exc.smtp_code < 500,
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return (
            f"{where} answered {exc.smtp_code} {reply_text(exc.smtp_error)}",
            not 500 <= exc.smtp_code < 600,
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"{where}: {exc}", False
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"{where} closed the connection: {exc}", True
    if isinstance(exc, smtplib.SMTPException):
        return f"{where}: {type(exc).__name__}: {exc}", True
    if isinstance(exc, ssl_module.SSLCertVerificationError):
        return f"{where}: TLS certificate not trusted: {exc.verify_message}", False
    if isinstance(exc, TimeoutError):
        return f"{where} timed out after {server.timeout:g}s", True
    if isinstance(exc, OSError):
        return f"cannot reach {where}: {type(exc).__name__}: {exc}", True
    return None
