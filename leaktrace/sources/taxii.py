"""A partner's TAXII 2.1 collection, watched: kind ``taxii``.

Each poll reads the peer collection's pages from the checkpoint on (``added_after``),
following ``next`` while the peer says ``more``, at most ``max_pages`` pages, and hands the
objects that pass :func:`~leaktrace.exchange.classify.check_object` to the watcher in a
:class:`~leaktrace.sources.base.StixBatch` for the local collection ``into``; the watcher
stores them with ``store_batch`` in the same transaction as the checkpoint. A bad object is
quarantined (with its page URL and a sample), never stored.

Checkpoint: ``{"added_after": ...}``, from the ``X-TAXII-Date-Added-Last`` header of the
last page read (:meth:`~leaktrace.sources.taxii_client.Page.resume_point`: 1 µs before it
when the peer had more), never an object's ``modified``: a partner may add an object
modified long ago, and it is still new to the collection.

Configuration::

    [[source]]
    kind = "taxii"
    name = "be-fccu"
    url = "https://taxii.example.be/taxii2/leaktrace/"   # the peer's API root
    collection = "2f1c…"                                  # the peer collection's id
    into = "from-belgium"                                 # the local collection
    agency = "NL-POL"            # the receiving agency (owner of what is stored)
    user = "nl-pol@example.nl"
    password_env = "BE_TAXII_PASSWORD"
"""

from __future__ import annotations

import json
import os
from typing import Any, Literal

from pydantic import Field, field_validator

from leaktrace.errors import InputError
from leaktrace.sources.base import (
    Checkpoint,
    PollResult,
    Quarantined,
    SourceConfig,
    SourceError,
    SourcePlugin,
    StixBatch,
)
from leaktrace.sources.http_config import check_http_url
from leaktrace.sources.taxii_client import (
    DEFAULT_MAX_BYTES,
    TaxiiClient,
    checked_objects,
    normalise_api_root,
    pulled_origin,
)

__all__ = ["PLUGIN", "TaxiiConfig", "TaxiiSource"]


class TaxiiConfig(SourceConfig):
    """One peer collection pulled into one local collection."""

    kind: Literal["taxii"] = "taxii"
    url: str
    """The peer's TAXII 2.1 API root."""
    collection: str = Field(min_length=1, max_length=200)
    into: str = Field(min_length=1, max_length=200)
    agency: str | None = None
    user: str | None = None
    password_env: str | None = None
    limit: int | None = Field(default=None, ge=1, le=10_000)
    """Objects per page asked of the peer (default: the peer's)."""
    max_pages: int = Field(default=20, ge=1, le=10_000)
    """At most this many pages per poll (the next poll goes on from the checkpoint)."""
    timeout: float = Field(default=60.0, gt=0, le=3600)
    max_bytes: int = Field(default=DEFAULT_MAX_BYTES, ge=1024, le=1024 * 1024 * 1024)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = check_http_url(value)
        try:
            normalise_api_root(value)
        except (InputError, SourceError) as exc:
            raise ValueError(exc.reason) from None
        return value

    @field_validator("password_env")
    @classmethod
    def _check_env(cls, value: str | None) -> str | None:
        if value is not None and (not value or "=" in value or "\0" in value):
            raise ValueError("password_env must be the name of an environment variable")
        return value


class TaxiiSource:
    """Polls one peer collection (see the module docs)."""

    def __init__(self, config: TaxiiConfig) -> None:
        self.config = config
        self.name = config.name
        self._client: TaxiiClient | None = None

    def __repr__(self) -> str:
        return f"TaxiiSource(name={self.name!r}, collection={self.config.collection!r})"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _password(self) -> str | None:
        variable = self.config.password_env
        if variable is None:
            return None
        value = os.environ.get(variable)
        if not value:
            raise SourceError(
                f"environment variable {variable} is not set", source=self.name, transient=False
            )
        return value

    def _taxii(self) -> TaxiiClient:
        if self._client is None:
            cfg = self.config
            self._client = TaxiiClient(
                cfg.url,
                user=cfg.user,
                password=self._password(),
                max_bytes=cfg.max_bytes,
                timeout=cfg.timeout,
                source=self.name,
            )
        return self._client

    def poll(self, checkpoint: Checkpoint | None) -> PollResult:
        cfg = self.config
        start = (checkpoint or {}).get("added_after")
        added_after = start if isinstance(start, str) and start else None
        taxii = self._taxii()
        objects: list[dict[str, Any]] = []
        quarantined: list[Quarantined] = []
        resume: str | None = None
        for number, page in enumerate(
            taxii.pages(cfg.collection, added_after=added_after, limit=cfg.limit), start=1
        ):
            good, rejected = checked_objects(page.objects)
            objects.extend(good)
            quarantined.extend(
                Quarantined(
                    reason=f"not a storable STIX object: {bad.where}: {bad.reason}",
                    location=page.url,
                    sample=json.dumps(bad.item, ensure_ascii=False, default=str)[:2000],
                )
                for bad in rejected
            )
            resume = page.resume_point() or resume
            if number >= cfg.max_pages:
                break
        return PollResult(
            quarantined=quarantined,
            checkpoint={"added_after": resume} if resume is not None else None,
            stix=StixBatch(
                collection=cfg.into,
                objects=objects,
                origin=pulled_origin(taxii.api_root, cfg.collection),
                agency=cfg.agency,
            ),
        )


def _create(config: Any) -> TaxiiSource:
    return TaxiiSource(config)


PLUGIN = SourcePlugin("taxii", TaxiiConfig, _create)
