"""Torznab / Newznab indexers (Jackett, Prowlarr, most trackers and usenet indexers):
kind ``torznab``.

Modes: ``rss`` (the default) asks ``t=search`` with an empty ``q``, which is how Jackett
and Prowlarr serve their latest releases; ``search``, ``movie`` and ``tvsearch`` send
``q``, ``imdbid`` (digits, no ``tt``), ``season``, ``ep`` as configured. ``cat``,
``limit``, ``extended=1`` and ``apikey`` go with every request; pages are asked with
``offset`` (at most ``max_pages`` per poll).

Incremental polling: the first poll reads page 1 only. Later polls read pages until one
holds an item already seen (or is short, or reaches the ``total`` the indexer announced),
and only items whose key (guid, else URL, else name+time) is not in the checkpoint are
returned, oldest first.

Checkpoint: ``{"seen": [up to 500 item keys, newest first], "newest": ISO time | None,
"etag": str | None, "last_modified": str | None}``.

The API key (``api_key``, or the environment variable named by ``api_key_env``) travels
as ``apikey=`` and never appears in a message, a log line, a repr or an item URL.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field, SecretStr, field_validator, model_validator

from leaktrace.feeds.item import FeedItem
from leaktrace.formats.torznab_xml import (
    Caps,
    item_key,
    parse_caps,
    parse_error,
    parse_torznab,
    parse_xml,
)
from leaktrace.sources.base import (
    Checkpoint,
    PollResult,
    Quarantined,
    SourceError,
    SourcePlugin,
)
from leaktrace.sources.http import (
    FetchResult,
    HttpFetcher,
    HttpSourceConfig,
    about_reply,
    check_content_type,
    raise_for_status,
    redact_url,
)

__all__ = ["MAX_SEEN", "PLUGIN", "TorznabConfig", "TorznabSource"]

MAX_SEEN = 500
_MODES = {"rss": "search", "search": "search", "movie": "movie", "tvsearch": "tvsearch"}


class TorznabConfig(HttpSourceConfig):
    """One indexer's Torznab/Newznab API endpoint."""

    # Validation errors must not echo the input: it may hold the API key.
    model_config = ConfigDict(hide_input_in_errors=True)

    kind: Literal["torznab"] = "torznab"
    url: str
    """The API endpoint, e.g. ``http://localhost:9117/api/v2.0/indexers/all/results/torznab/api``."""
    api_key: SecretStr | None = None
    api_key_env: str | None = None
    site: str | None = None
    """The indexer's name put in each item's ``site`` (default: the source's name)."""
    mode: Literal["rss", "search", "movie", "tvsearch"] = "rss"
    query: str = ""
    imdbid: str | None = None
    season: str | None = None
    ep: str | None = None
    categories: list[int] = Field(default_factory=list)
    limit: int = Field(default=100, ge=1, le=MAX_SEEN)
    max_pages: int = Field(default=3, ge=1, le=50)
    extended: bool = True

    @field_validator("season", "ep", mode="before")
    @classmethod
    def _as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("api_key_env")
    @classmethod
    def _check_env(cls, value: str | None) -> str | None:
        if value is not None and (not value or "=" in value or "\0" in value):
            raise ValueError("api_key_env must be the name of an environment variable")
        return value

    @model_validator(mode="after")
    def _one_key(self) -> TorznabConfig:
        if self.api_key is not None and self.api_key_env is not None:
            raise ValueError("give either api_key or api_key_env, not both")
        return self

    def resolve_api_key(self) -> str | None:
        """The API key, read from the environment if so configured."""
        if self.api_key is not None:
            return self.api_key.get_secret_value() or None
        if self.api_key_env is not None:
            value = os.environ.get(self.api_key_env)
            if not value:
                raise SourceError(
                    f"environment variable {self.api_key_env} is not set",
                    source=self.name,
                    transient=False,
                )
            return value
        return None


class TorznabSource:
    """Polls one Torznab/Newznab endpoint (see the module docs)."""

    def __init__(self, config: TorznabConfig, fetcher: HttpFetcher | None = None) -> None:
        self.config = config
        self.name = config.name
        self.site = config.site or config.name
        self._fetcher_given = fetcher
        self._fetcher: HttpFetcher | None = fetcher
        self._api_key: str | None = None

    def __repr__(self) -> str:
        return (
            f"TorznabSource(name={self.name!r}, url={redact_url(self.config.url)!r}, "
            f"mode={self.config.mode!r})"
        )

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()
            self._fetcher = self._fetcher_given

    def _client(self) -> HttpFetcher:
        """The fetcher, made on first use (so a missing key fails the poll, not the setup)."""
        if self._fetcher is None:
            config = self.config
            self._api_key = config.resolve_api_key()
            self._fetcher = config.fetcher((self._api_key,) if self._api_key else ())
        elif self._api_key is None:
            self._api_key = self.config.resolve_api_key()
        return self._fetcher

    def _params(self, extra: Mapping[str, str | int | None]) -> dict[str, str | int | float | None]:
        params: dict[str, str | int | float | None] = dict(extra)
        if self._api_key:
            params["apikey"] = self._api_key
        return params

    def _get(
        self,
        params: Mapping[str, str | int | None],
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        fetcher = self._client()
        result = fetcher.fetch(
            self.config.url,
            params=self._params(params),
            etag=etag,
            last_modified=last_modified,
            accept="application/rss+xml, application/xml;q=0.9, text/xml;q=0.8",
        )
        with about_reply(result, self._secrets()):
            self._check(result)
        return result

    def _check(self, result: FetchResult) -> None:
        """Raise what an error reply, a bad status or a wrong content type calls for."""
        if result.status >= 400 and result.content:
            # Indexers often explain a 4xx/5xx with an <error code=.. description=../>.
            try:
                root, _ = parse_xml(result.content, source=self.name, what="error reply")
            except SourceError:
                root = None
            error = (
                parse_error(root, source=self.name, status=result.status)
                if root is not None
                else None
            )
            if error is not None:
                if result.status in (401, 403):
                    error.transient = False
                elif result.status == 429 or result.status >= 500:
                    error.transient = True
                    error.retry_after = result.retry_after or error.retry_after
                raise error
        raise_for_status(result, source=self.name, secrets=self._secrets())
        if not result.not_modified:
            check_content_type(result, "xml", source=self.name, secrets=self._secrets())

    def caps(self) -> Caps:
        """The indexer's capabilities (``t=caps``)."""
        result = self._get({"t": "caps"})
        with about_reply(result, self._secrets()):
            return parse_caps(result.content, source=self.name)

    def _search_params(self, offset: int) -> dict[str, str | int | None]:
        cfg = self.config
        params: dict[str, str | int | None] = {"t": _MODES[cfg.mode]}
        params["q"] = "" if cfg.mode == "rss" else (cfg.query or None)
        if cfg.mode != "rss":
            if cfg.imdbid:
                params["imdbid"] = cfg.imdbid.strip().lower().removeprefix("tt")
            params["season"] = cfg.season or None
            params["ep"] = cfg.ep or None
        if cfg.categories:
            params["cat"] = ",".join(str(c) for c in cfg.categories)
        params["limit"] = cfg.limit
        if offset:
            params["offset"] = offset
        if cfg.extended:
            params["extended"] = 1
        return params

    def poll(self, checkpoint: Checkpoint | None) -> PollResult:
        checkpoint = checkpoint or {}
        raw_seen = checkpoint.get("seen")
        seen_list = (
            [s for s in raw_seen if isinstance(s, str)] if isinstance(raw_seen, list) else []
        )
        seen = set(seen_list)
        first_poll = not checkpoint
        pages = 1 if first_poll else self.config.max_pages
        etag = checkpoint.get("etag")
        last_modified = checkpoint.get("last_modified")
        fetched_at = datetime.now(UTC)
        fresh: list[FeedItem] = []
        keys_this_poll: list[str] = []
        quarantined: list[Quarantined] = []
        validators: tuple[str | None, str | None] = (None, None)
        offset = 0
        for page in range(pages):
            result = self._get(
                self._search_params(offset),
                etag=etag if page == 0 and isinstance(etag, str) else None,
                last_modified=(
                    last_modified if page == 0 and isinstance(last_modified, str) else None
                ),
            )
            if result.not_modified:
                if page == 0:
                    return PollResult(not_modified=True)
                break
            if page == 0:
                validators = (result.etag, result.last_modified)
            with about_reply(result, self._secrets()):
                feed = parse_torznab(
                    result.content,
                    site=self.site,
                    source=self.name,
                    fetched_at=fetched_at,
                    location=f"{result.url}",
                    secrets=self._secrets(),
                    status=result.status,
                )
            quarantined.extend(feed.quarantined)
            reached_seen = False
            for item in feed.items:
                key = item_key(item)
                if key in seen:
                    reached_seen = True
                if key not in keys_this_poll:
                    keys_this_poll.append(key)
                    if key not in seen:
                        fresh.append(item)
            offset += feed.item_count
            if (
                reached_seen
                or feed.item_count < self.config.limit
                or feed.item_count == 0
                or (feed.total is not None and offset >= feed.total)
            ):
                break
        fresh.reverse()
        fresh.sort(key=lambda i: i.time)
        new_seen = keys_this_poll + [k for k in seen_list if k not in set(keys_this_poll)]
        newest_old = checkpoint.get("newest")
        newest = max((i.time for i in fresh), default=None)
        newest_iso = newest.isoformat() if newest is not None else None
        if isinstance(newest_old, str) and (newest_iso is None or newest_old > newest_iso):
            newest_iso = newest_old
        return PollResult(
            items=fresh,
            quarantined=quarantined,
            checkpoint={
                "seen": new_seen[:MAX_SEEN],
                "newest": newest_iso,
                "etag": validators[0],
                "last_modified": validators[1],
            },
        )

    def _secrets(self) -> tuple[str, ...]:
        return (self._api_key,) if self._api_key else ()


def _create(config: Any) -> TorznabSource:
    return TorznabSource(config)


PLUGIN = SourcePlugin("torznab", TorznabConfig, _create)
