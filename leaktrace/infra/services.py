"""Public services anyone uses: open trackers, cyberlockers and video hosts.

A link to a cyberlocker or a video host is evidence of *where* a release was offered (the
host's role), but two servers are not tied together because both use Mega or an open
tracker: such services are ``shared``. LeakTrace ships short lists of well-known ones
(registered domains, by the Public Suffix List); analysts add their own in the
configuration (``extra_public_trackers``, ``extra_cyberlockers``,
``extra_streaming_hosts``: lists of domains or URLs, in ``config.toml`` or as JSON in
``LEAKTRACE_EXTRA_*``). One :class:`ServiceLists` then serves host collection,
clustering and group attribution.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from leaktrace.infra.domains import host_of_url, normalise_host, registered_domain

if TYPE_CHECKING:
    from leaktrace.config import Settings

__all__ = [
    "BUILTIN",
    "CYBERLOCKERS",
    "PUBLIC_TRACKERS",
    "STREAMING_HOSTS",
    "ServiceLists",
    "service_lists",
]

CYBERLOCKERS = frozenset(
    {
        "1fichier.com",
        "ddownload.com",
        "filefactory.com",
        "hitfile.net",
        "katfile.com",
        "mega.nz",
        "mediafire.com",
        "nitroflare.com",
        "rapidgator.net",
        "rg.to",
        "turbobit.net",
        "uploaded.net",
        "ul.to",
        "uptobox.com",
        "usersdrive.com",
    }
)
"""File lockers (registered domains) whose links are cyberlocker evidence."""

STREAMING_HOSTS = frozenset(
    {
        "doodstream.com",
        "dood.watch",
        "filemoon.sx",
        "mixdrop.co",
        "streamtape.com",
        "upstream.to",
        "vidoza.net",
        "voe.sx",
        "streamwish.com",
    }
)
"""Video hosts (registered domains) whose links are streaming evidence."""

PUBLIC_TRACKERS = frozenset(
    {
        "archive.org",
        "bittor.pw",
        "coppersurfer.tk",
        "cyberia.is",
        "demonii.com",
        "desync.com",
        "dler.org",
        "explodie.org",
        "harry.lu",
        "internetwarriors.net",
        "istole.it",
        "leechers-paradise.org",
        "moack.co.kr",
        "moeking.me",
        "openbittorrent.com",
        "openbittorrent.org",
        "opentrackr.org",
        "pirateparty.gr",
        "publicbt.com",
        "rarbg.com",
        "rarbg.me",
        "rarbg.to",
        "stealth.si",
        "theoks.net",
        "tiny-vps.com",
        "torrent.eu.org",
        "tracker.cl",
        "tracker.ink",
    }
)
"""Open trackers (registered domains) every group's torrents may announce to."""


def _domains(entries: Iterable[str], option: str) -> frozenset[str]:
    """Registered domains of configured entries (a domain or a URL)."""
    out: set[str] = set()
    for entry in entries:
        text = entry.strip()
        if not text:
            continue
        host = host_of_url(text) if "://" in text else None
        try:
            kind, value = host if host is not None else normalise_host(text)
        except ValueError:
            from leaktrace.errors import ConfigError

            raise ConfigError(f"{option}: {entry!r} is not a domain name or URL") from None
        if kind != "domain":
            from leaktrace.errors import ConfigError

            raise ConfigError(
                f"{option}: {entry!r} is an address; the lists hold domain names (a shared "
                "service is known by its name)"
            )
        out.add(registered_domain(value))
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class ServiceLists:
    """Registered domains of open trackers, cyberlockers and video hosts."""

    trackers: frozenset[str] = PUBLIC_TRACKERS
    cyberlockers: frozenset[str] = CYBERLOCKERS
    streaming: frozenset[str] = STREAMING_HOSTS

    def extended(
        self,
        *,
        trackers: Iterable[str] = (),
        cyberlockers: Iterable[str] = (),
        streaming: Iterable[str] = (),
    ) -> ServiceLists:
        """These lists plus more domains (or URLs), normalised to registered domains."""
        return ServiceLists(
            self.trackers | _domains(trackers, "extra_public_trackers"),
            self.cyberlockers | _domains(cyberlockers, "extra_cyberlockers"),
            self.streaming | _domains(streaming, "extra_streaming_hosts"),
        )

    def role(self, kind: str, value: str) -> str | None:
        """``cyberlocker`` or ``streaming`` for a host of such a service, else None."""
        if kind != "domain":
            return None
        base = registered_domain(value)
        if base in self.cyberlockers:
            return "cyberlocker"
        if base in self.streaming:
            return "streaming"
        return None

    def is_public_tracker(self, host: str) -> bool:
        """Whether ``host`` (a name, ``host:port`` or an address) is a known open tracker."""
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        try:
            kind, value = normalise_host(name)
        except ValueError:
            return False
        return kind == "domain" and registered_domain(value) in self.trackers

    def shared(self, kind: str, value: str) -> bool:
        """A public service used by anyone: it ties no two servers together by itself."""
        if kind != "domain":
            return False
        base = registered_domain(value)
        return base in self.trackers or base in self.cyberlockers or base in self.streaming


BUILTIN = ServiceLists()


def service_lists(settings: Settings | None = None) -> ServiceLists:
    """The built-in lists, extended by the configuration's ``extra_*`` entries."""
    if settings is None:
        return BUILTIN
    return BUILTIN.extended(
        trackers=settings.extra_public_trackers,
        cyberlockers=settings.extra_cyberlockers,
        streaming=settings.extra_streaming_hosts,
    )
