"""Secrets kept out of every message: API keys in URLs and literal keys in any text.

API keys travel in query strings (``apikey=`` for Torznab). Every URL put in a message, a
log record or a repr goes through :func:`redact_url`, which replaces the values of
:data:`SECRET_PARAMS` with ``***``; :func:`redact_text` also masks literal secrets. httpx's
own ``HTTP Request: GET <url>`` log line is redacted by a filter installed on the ``httpx``
logger when this module is imported.
"""

from __future__ import annotations

import logging

import httpx

from leaktrace.formats.redaction import SECRET_PARAMS, redact_text, redact_url

__all__ = ["SECRET_PARAMS", "redact_text", "redact_url"]


class _RedactFilter(logging.Filter):
    """Redacts secrets from httpx's ``HTTP Request: GET <url> ...`` records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(
                redact_url(a) if isinstance(a, str | httpx.URL) else a for a in args
            )
        if isinstance(record.msg, str):
            record.msg = redact_url(record.msg)
        return True


def _install_log_filter() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactFilter) for f in logger.filters):
        logger.addFilter(_RedactFilter())


_install_log_filter()
