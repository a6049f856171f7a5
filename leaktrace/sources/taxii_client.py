"""A small TAXII 2.1 client (httpx) for pulling from and pushing to partners' servers.

* ``GET {api_root}collections/{id}/objects/`` page by page (:meth:`TaxiiClient.pages`):
  ``added_after`` and ``limit`` on the first request; while the server says ``more``, the
  next request repeats the same filters with its ``next`` token (TAXII 2.1 §3.4.1.1). A
  server that says ``more`` without a ``next`` is paged by ``added_after`` = the page's
  ``X-TAXII-Date-Added-Last`` instead (the specification allows both); a page that does
  not move that date forward ends the run (no endless loop on a confused peer). Each
  :class:`Page` carries its ``X-TAXII-Date-Added-First`` / ``-Last`` headers: the pull's
  checkpoint is :meth:`Page.resume_point` (from ``X-TAXII-Date-Added-Last``), never an
  object's ``modified``. Mixing the two ways of paging is where clients lose objects: a
  ``next`` run cut short must resume by ``added_after``, and objects added in one POST
  share one date added across pages, so a page followed by more resumes 1 µs before its
  last date (the re-read objects are recognised), never at it. A peer that sends the
  same page with the same ``next`` token again within a run is a loop: a
  :class:`SourceError` ends it (a token alone may repeat: medallion keeps one per paging
  session); callers cap the pages of a run too.
* ``POST`` of envelopes (:meth:`TaxiiClient.add_objects`) and the status resource followed
  until it is no longer ``pending`` (:meth:`TaxiiClient.wait_status`).
* ``Accept: application/taxii+json;version=2.1`` on every request; HTTP Basic
  (``user`` / ``password``) when given.
* Safety: redirects are followed by hand, at most 3, and only to the same scheme, host and
  port (credentials never go elsewhere); every reply is capped at ``max_bytes`` (read as
  a stream, refused the moment it passes); every failure is a
  :class:`~leaktrace.formats.source_errors.SourceError` naming the URL (no traceback, no
  password), with ``transient`` set for what a later retry may cure (5xx, 429, network).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import httpx

from leaktrace.errors import InputError
from leaktrace.exchange.classify import check_object
from leaktrace.exchange.timestamps import parse_timestamp, stamp
from leaktrace.formats.source_errors import SourceError
from leaktrace.sources.http_fetcher import origin_of
from leaktrace.sources.http_reply import reply_sample
from leaktrace.sources.redaction import redact_text, redact_url
from leaktrace.sources.retry_delays import parse_retry_after

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_PAGE_LIMIT",
    "TAXII_MEDIA_TYPE",
    "Page",
    "Rejected",
    "TaxiiClient",
    "checked_objects",
    "envelope_page",
    "normalise_api_root",
    "pulled_origin",
    "shown_url",
]

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
DEFAULT_PAGE_LIMIT = 100
MAX_REDIRECTS = 3
MAX_NEXT_LENGTH = 4096
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_USER_AGENT = "LeakTrace/0.1 TAXII client"


def normalise_api_root(url: str) -> str:
    """``url`` with one trailing slash, after checking it is an http(s) URL with a host."""
    text = url.strip()
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise SourceError(f"{redact_url(text)!r} is not a valid URL", transient=False) from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise SourceError(
            f"{redact_url(_without_userinfo(parsed))!r} is not an http(s) URL of a TAXII API root",
            transient=False,
        )
    if parsed.userinfo:
        raise InputError(
            "put no user name or password in the URL (they would be stored and shown): give "
            "--user and --password-env (in a watch configuration: user and password_env)",
            field="url",
        )
    return text if text.endswith("/") else text + "/"


def shown_url(url: str) -> str:
    """``url`` as it may be stored and shown: no user name or password, secret query
    values masked (:func:`redact_url`)."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        return redact_url(url)
    return redact_url(_without_userinfo(parsed))


def _without_userinfo(url: httpx.URL) -> str:
    return str(url.copy_with(userinfo=b"")) if url.userinfo else str(url)


def pulled_origin(api_root: str, collection: str) -> str:
    """The ``origin`` of objects pulled from a peer collection (``exchange pull`` and the
    watch source kind ``taxii``): ``pulled <API root> <collection id>``, credentials out."""
    return f"pulled {shown_url(api_root)} {collection}"


@dataclass(frozen=True)
class Rejected:
    """An object of a page (or file) that did not pass :func:`check_object`."""

    index: int
    where: str
    stix_id: str | None
    reason: str
    item: Any


def checked_objects(
    objects: Sequence[Any], where: str = ""
) -> tuple[list[dict[str, Any]], list[Rejected]]:
    """The objects that pass :func:`~leaktrace.exchange.classify.check_object` (outside
    data: every receiver checks each), and one :class:`Rejected` per other."""
    good: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    for index, item in enumerate(objects):
        place = f"{where}objects[{index}]"
        try:
            good.append(check_object(item, place))
        except InputError as exc:
            stix_id = item.get("id") if isinstance(item, Mapping) else None
            rejected.append(
                Rejected(
                    index=index,
                    where=exc.field or place,
                    stix_id=stix_id[:300] if isinstance(stix_id, str) else None,
                    reason=exc.reason,
                    item=item,
                )
            )
    return good, rejected


@dataclass(frozen=True)
class Page:
    """One page of a collection's objects."""

    url: str
    objects: list[Any]
    """As sent (each still to be checked: outside data)."""
    more: bool
    next: str | None
    date_added_first: str | None
    date_added_last: str | None
    """``X-TAXII-Date-Added-Last`` as sent (None: the server gave none)."""
    digest: str = ""
    """SHA-256 of the reply body (how :meth:`TaxiiClient.pages` sees a page come back)."""

    def resume_point(self) -> str | None:
        """Where a later run may start (its ``added_after``) once this page is stored; None
        when the server gave no ``X-TAXII-Date-Added-Last``.

        The last page of a run (no ``more``): that header. A page with ``more``: 1 µs before
        it, because objects added at the same moment (one POST) can be split across pages:
        resuming *at* the header would lose the rest of them; resuming just before re-reads
        this page's last ones, which the store recognises (nothing lost, nothing doubled).
        """
        if self.date_added_last is None:
            return None
        try:
            moment = parse_timestamp(self.date_added_last, "X-TAXII-Date-Added-Last")
        except InputError:
            raise SourceError(
                f"{self.url}: X-TAXII-Date-Added-Last {self.date_added_last[:64]!r} is not a "
                "timestamp",
                transient=False,
                url=self.url,
            ) from None
        if not self.more:
            return self.date_added_last
        return stamp(moment - timedelta(microseconds=1))


@dataclass
class _Reply:
    url: str
    status: int
    headers: httpx.Headers
    body: bytes
    location: str | None = None


@dataclass
class TaxiiClient:
    """A TAXII 2.1 client for one API root (see the module docs)."""

    api_root: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = 60.0
    source: str | None = None
    status_wait: float = 30.0
    """How long :meth:`wait_status` follows a pending status before giving up."""
    _client: httpx.Client | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.api_root = normalise_api_root(self.api_root)

    def __enter__(self) -> TaxiiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # ------------------------------------------------------------------ plumbing
    def _http(self) -> httpx.Client:
        if self._client is None:
            auth = httpx.BasicAuth(self.user, self.password or "") if self.user else None
            self._client = httpx.Client(
                auth=auth,
                timeout=httpx.Timeout(self.timeout),
                follow_redirects=False,
                headers={"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"},
            )
        return self._client

    def _error(
        self,
        reason: str,
        *,
        url: str,
        transient: bool = False,
        status: int | None = None,
        retry_after: float | None = None,
        sample: bytes = b"",
    ) -> SourceError:
        secrets = (self.password,) if self.password else ()
        return SourceError(
            redact_text(reason, secrets),
            source=self.source,
            transient=transient,
            status=status,
            retry_after=retry_after,
            url=url,
            sample=reply_sample(sample, secrets) if sample else None,
        )

    def _url(self, path: str) -> str:
        return self.api_root + path

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> _Reply:
        """One request, same-origin redirects followed by hand, the body capped."""
        current = httpx.URL(url, params=dict(params or {}))
        origin = origin_of(current)
        headers = {"Accept": TAXII_MEDIA_TYPE}
        if body is not None:
            headers["Content-Type"] = TAXII_MEDIA_TYPE
        for _hop in range(MAX_REDIRECTS + 1):
            shown = redact_url(str(current))
            reply = self._one(method, current, headers, body, shown)
            if reply.location is None:
                return reply
            target = current.join(reply.location)
            if origin_of(target) != origin:
                raise self._error(
                    f"{shown}: redirect to another host refused ({redact_url(str(target))})",
                    url=shown,
                    status=reply.status,
                )
            if reply.status == 303:
                method, body = "GET", None
                headers.pop("Content-Type", None)
            current = target
        raise self._error(f"{redact_url(url)}: more than {MAX_REDIRECTS} redirects", url=url)

    def _one(
        self,
        method: str,
        url: httpx.URL,
        headers: Mapping[str, str],
        body: bytes | None,
        shown: str,
    ) -> _Reply:
        client = self._http()
        try:
            request = client.build_request(method, url, headers=headers, content=body)
            response = client.send(request, stream=True)
        except httpx.TimeoutException:
            raise self._error(f"{shown}: timed out", url=shown, transient=True) from None
        except httpx.HTTPError as exc:
            raise self._error(
                f"{shown}: {type(exc).__name__}: {exc}", url=shown, transient=True
            ) from None
        try:
            status = response.status_code
            if status in _REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    raise self._error(
                        f"{shown}: HTTP {status} without Location", url=shown, status=status
                    )
                return _Reply(shown, status, response.headers, b"", location)
            declared = response.headers.get("content-length", "").strip()
            if (
                declared.isascii()
                and declared.isdigit()
                and len(declared) < 20
                and int(declared) > self.max_bytes
            ):
                raise self._error(
                    f"{shown}: reply of {declared} bytes is over the {self.max_bytes}-byte limit",
                    url=shown,
                    status=status,
                )
            data = bytearray()
            try:
                for chunk in response.iter_raw():
                    data += chunk
                    if len(data) > self.max_bytes:
                        raise self._error(
                            f"{shown}: reply is over the {self.max_bytes}-byte limit",
                            url=shown,
                            status=status,
                            sample=bytes(data[:2048]),
                        )
            except httpx.TimeoutException:
                raise self._error(
                    f"{shown}: timed out reading the reply", url=shown, transient=True
                ) from None
            except httpx.HTTPError as exc:
                raise self._error(
                    f"{shown}: reading the reply failed: {type(exc).__name__}",
                    url=shown,
                    transient=True,
                ) from None
            return _Reply(shown, status, response.headers, bytes(data))
        finally:
            response.close()

    def _check(self, reply: _Reply, what: str) -> Any:
        """The reply's JSON body, or the SourceError its status or content calls for."""
        status = reply.status
        if not 200 <= status < 300:
            detail = _error_title(reply.body)
            reason = f"{reply.url}: {what}: HTTP {status}" + (f" ({detail})" if detail else "")
            if status == 401:
                reason += " (check --user and the password)"
            retry_after = parse_retry_after(reply.headers.get("retry-after"))
            transient = status in (408, 429) or status >= 500
            raise self._error(
                reason,
                url=reply.url,
                status=status,
                transient=transient,
                retry_after=retry_after,
                sample=reply.body,
            )
        media = (reply.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
        if media and not (media.endswith("+json") or media == "application/json"):
            raise self._error(
                f"{reply.url}: {what}: unexpected content type {media[:100]!r} "
                "(expected application/taxii+json)",
                url=reply.url,
                status=status,
                sample=reply.body,
            )
        try:
            return json.loads(reply.body)
        except (ValueError, UnicodeDecodeError):
            raise self._error(
                f"{reply.url}: {what}: the reply is not JSON",
                url=reply.url,
                status=status,
                sample=reply.body,
            ) from None
        except RecursionError:
            raise self._error(
                f"{reply.url}: {what}: the reply is JSON nested too deeply",
                url=reply.url,
                status=status,
                sample=reply.body,
            ) from None

    def _get_json(self, url: str, what: str, params: Mapping[str, str] | None = None) -> Any:
        reply = self._send("GET", url, params=params)
        return self._check(reply, what)

    # ------------------------------------------------------------------ resources
    def api_root_information(self) -> dict[str, Any]:
        info = self._get_json(self.api_root, "API root")
        if not isinstance(info, dict):
            raise self._error(
                f"{self.api_root}: the API root information is not a JSON object",
                url=self.api_root,
            )
        return info

    def max_content_length(self) -> int:
        """The API root's ``max_content_length`` (the largest POST body it accepts)."""
        value = self.api_root_information().get("max_content_length")
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise self._error(
                f"{self.api_root}: the API root gives no valid max_content_length",
                url=self.api_root,
            )
        return value

    def collection(self, collection_id: str) -> dict[str, Any]:
        url = self._url(f"collections/{_segment(collection_id)}/")
        info = self._get_json(url, "collection")
        if not isinstance(info, dict):
            raise self._error(f"{url}: the collection is not a JSON object", url=url)
        return info

    def pages(
        self,
        collection_id: str,
        *,
        added_after: str | None = None,
        limit: int | None = None,
        versions: str | None = "all",
    ) -> Iterator[Page]:
        """The collection's objects, page after page (see the module docs). ``limit`` is
        sent on every request, :data:`DEFAULT_PAGE_LIMIT` when not given (the server may
        give fewer): medallion 3.0 answers 500 to a ``next`` request without ``limit``.
        ``versions``: ``match[version]``, ``all`` by default (a pull mirrors every version,
        not only the newest: TAXII's default ``last`` would skip an older version added
        before a newer one in the same run); None sends none."""
        url = self._url(f"collections/{_segment(collection_id)}/objects/")
        base: dict[str, str] = {"limit": str(limit or DEFAULT_PAGE_LIMIT)}
        if added_after:
            base["added_after"] = added_after
        if versions:
            base["match[version]"] = versions
        params = dict(base)
        seen: set[tuple[str, str]] = set()
        while True:
            page = self._page(url, params)
            yield page
            if not page.more:
                return
            if page.next:
                # medallion keeps ONE next token for a whole paging session, so a token
                # may come back; the same token with the same page is a loop
                key = (page.next, page.digest)
                if key in seen:
                    raise self._error(
                        f"{page.url}: the peer sent the same page with the same next token "
                        f"({page.next[:80]!r}) twice in one run: stopped (it would never end)",
                        url=page.url,
                    )
                seen.add(key)
                params = {**base, "next": page.next}
                continue
            # ``more`` without ``next``: page on by date added
            last = page.date_added_last
            if not last or not page.objects or last == params.get("added_after"):
                return
            params = {**base, "added_after": last}

    def _page(self, url: str, params: Mapping[str, str]) -> Page:
        reply = self._send("GET", url, params=params)
        body = self._check(reply, "objects")
        try:
            page = envelope_page(
                reply.url,
                body,
                first=reply.headers.get("x-taxii-date-added-first"),
                last=reply.headers.get("x-taxii-date-added-last"),
            )
        except SourceError as exc:
            exc.source = self.source
            exc.sample = reply_sample(reply.body, (self.password,) if self.password else ())
            raise
        return replace(page, digest=hashlib.sha256(reply.body).hexdigest())

    def add_objects(self, collection_id: str, objects: Sequence[Mapping[str, Any]]) -> Any:
        """POST one envelope; the status resource the server answered with."""
        url = self._url(f"collections/{_segment(collection_id)}/objects/")
        data = json.dumps({"objects": list(objects)}, ensure_ascii=False).encode()
        reply = self._send("POST", url, body=data)
        if reply.status == 413:
            raise self._error(
                f"{url}: the peer refused an envelope of {len(data)} bytes as too large (413)",
                url=url,
                status=413,
            )
        status = self._check(reply, "add objects")
        if not isinstance(status, dict) or not isinstance(status.get("id"), str):
            raise self._error(
                f"{url}: the reply to a POST is not a status resource", url=url, sample=reply.body
            )
        return status

    def status(self, status_id: str) -> Any:
        url = self._url(f"status/{_segment(status_id)}/")
        status = self._get_json(url, "status")
        if not isinstance(status, dict):
            raise self._error(f"{url}: the status is not a JSON object", url=url)
        return status

    def wait_status(self, status: Mapping[str, Any]) -> dict[str, Any]:
        """``status`` followed until it is no longer ``pending`` (or ``status_wait`` s)."""
        current = dict(status)
        deadline = time.monotonic() + self.status_wait
        pause = 0.05
        while current.get("status") == "pending" and time.monotonic() < deadline:
            time.sleep(pause)
            pause = min(pause * 2, 1.0)
            current = self.status(str(current["id"]))
        return current


def envelope_page(url: str, body: Any, *, first: str | None, last: str | None) -> Page:
    """The :class:`Page` of a TAXII envelope (parsed JSON) and its date headers, or a
    :class:`SourceError` naming ``url``. The objects are left unchecked (outside data: the
    caller checks each); ``more`` is true only when it is the JSON ``true``; a ``next`` that
    is not a short string is ignored (the run then pages by ``added_after`` or ends)."""
    if not isinstance(body, dict):
        raise SourceError(f"{url}: the envelope is not a JSON object", transient=False, url=url)
    objects = body.get("objects", [])
    if not isinstance(objects, list):
        raise SourceError(
            f"{url}: the envelope's 'objects' is not a list", transient=False, url=url
        )
    token = body.get("next")
    usable = isinstance(token, str) and 0 < len(token) <= MAX_NEXT_LENGTH
    return Page(
        url=url,
        objects=objects,
        more=body.get("more", False) is True,
        next=token if usable else None,
        date_added_first=_header_stamp(first),
        date_added_last=_header_stamp(last),
    )


def _segment(value: str) -> str:
    """A path segment (an id from the user or a server), refused if it could climb out."""
    if not value or "/" in value or value in (".", "..") or any(c in value for c in "?#\\"):
        raise SourceError(f"{value[:80]!r} is not a valid TAXII id", transient=False)
    return value


def _header_stamp(value: str | None) -> str | None:
    text = (value or "").strip()
    return text[:64] or None


def _error_title(body: bytes) -> str | None:
    """A TAXII error body's ``title`` (and ``description``), if the body is one."""
    try:
        data = json.loads(body[:65536])
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    parts = [str(data[k])[:200] for k in ("title", "description") if isinstance(data.get(k), str)]
    return ": ".join(parts) or None
