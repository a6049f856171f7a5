"""OASIS medallion (the TAXII 2.1 reference server, memory back end) on 127.0.0.1, for the
interoperability tests and the benchmarks.

:func:`start_medallion` runs it in a subprocess (medallion's Flask app is a process-wide
singleton, and its memory back end starts a session-sweeping thread that never stops), on a
free port, with HTTP Basic users, one API root ``api1`` and the collections asked for
(every collection readable and writable; ``max_content_length`` as given). Use it as a
context manager::

    with start_medallion(collections=("c1",)) as medallion:
        medallion.api_root  # http://127.0.0.1:PORT/api1/
        medallion.collection_ids["c1"]

or run ``python -m tests.medallion_server --port 5000`` by hand.

The extension-definition work-around (test set-up only)
--------------------------------------------------------
medallion 3.0 answers 500 to every GET of a collection's objects (and manifest, versions)
once an ``extension-definition`` object is stored in it (shown, with ``patched=False``, by
``tests/services/test_exchange_pull.py::
test_medallion_unpatched_fails_on_extension_definitions_and_says_where``). The cause:
``medallion.common.find_att`` versions an object by its ``version`` property when it has
one, because manifest records carry ``version``; an ``extension-definition`` has a
``version`` property of its own (a semantic version such as ``"1.0.0"``, STIX 2.1 §7.3),
which medallion then parses as a timestamp and fails.

What we do: in the medallion subprocess only, :func:`_patch_medallion` replaces
``find_att`` in the two medallion modules that imported it (``medallion.filters.
basic_filter`` and ``medallion.backends.memory_backend``) by one that reads ``version``
only on manifest records (records without a ``type``), and ``modified`` / ``created`` /
``_date_added`` on STIX objects, as medallion does for every other type. Nothing in
LeakTrace changes and nothing is filtered: extension-definition objects are sent,
stored by medallion exactly as sent, served back and pulled like every other object (the
pull and push tests send LeakTrace's two extension definitions through it and compare
bodies). Also met: medallion 3.0 answers 500 to a ``next`` request without ``limit``;
that one is handled in LeakTrace's client, which always sends ``limit``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

__all__ = ["MedallionServer", "medallion_config", "start_medallion"]

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
API_ROOT = "api1"


@dataclass
class MedallionServer:
    url: str
    """``http://127.0.0.1:PORT``"""
    users: dict[str, str]
    collection_ids: dict[str, str]
    """Collection title -> id."""
    process: subprocess.Popen[bytes] | None = None
    config_path: Path | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def api_root(self) -> str:
        return f"{self.url}/{API_ROOT}/"

    def auth(self, user: str | None = None) -> tuple[str, str]:
        name = user or next(iter(self.users))
        return (name, self.users[name])

    def objects(self, title: str) -> list[dict[str, object]]:
        """Every object of a collection (for assertions), paging by ``next``."""
        found: list[dict[str, object]] = []
        params: dict[str, str] = {}
        url = f"{self.api_root}collections/{self.collection_ids[title]}/objects/"
        with httpx.Client(auth=self.auth(), timeout=30) as client:
            while True:
                reply = client.get(url, params=params, headers={"Accept": TAXII_MEDIA_TYPE})
                reply.raise_for_status()
                envelope = reply.json()
                found.extend(envelope.get("objects", []))
                if not envelope.get("more") or not envelope.get("next"):
                    return found
                params = {"next": envelope["next"]}

    def add(self, title: str, objects: Sequence[dict[str, object]]) -> dict[str, object]:
        """POST ``objects`` to a collection directly (to seed a test); the status."""
        url = f"{self.api_root}collections/{self.collection_ids[title]}/objects/"
        with httpx.Client(auth=self.auth(), timeout=30) as client:
            reply = client.post(
                url,
                content=json.dumps({"objects": list(objects)}),
                headers={"Accept": TAXII_MEDIA_TYPE, "Content-Type": TAXII_MEDIA_TYPE},
            )
            reply.raise_for_status()
            status: dict[str, object] = reply.json()
            return status


def medallion_config(
    collections: Sequence[str],
    users: dict[str, str],
    *,
    max_content_length: int = 10_000_000,
    max_page_size: int = 100,
) -> tuple[dict[str, object], dict[str, str]]:
    """medallion's configuration (memory back end, data inline) and title -> id."""
    ids = {title: str(uuid.uuid4()) for title in collections}
    data = {
        "/discovery": {
            "title": "medallion for LeakTrace tests",
            "description": "OASIS TAXII 2.1 reference server, memory back end",
            "default": f"http://127.0.0.1/{API_ROOT}/",
            "api_roots": [f"http://127.0.0.1/{API_ROOT}/"],
        },
        API_ROOT: {
            "information": {
                "title": "test API root",
                "versions": [TAXII_MEDIA_TYPE],
                "max_content_length": max_content_length,
            },
            "status": [],
            "collections": [
                {
                    "id": ids[title],
                    "title": title,
                    "can_read": True,
                    "can_write": True,
                    "media_types": [STIX_MEDIA_TYPE],
                    "objects": [],
                    "manifest": [],
                }
                for title in collections
            ],
        },
    }
    config = {
        "backend": {
            "module": "tests.medallion_server",
            "module_class": "InlineMemoryBackend",
            "data": data,
            "session_timeout": 300,
            "check_interval": 60,
        },
        "users": users,
        "taxii": {"max_page_size": max_page_size},
    }
    return config, ids


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def start_medallion(
    collections: Sequence[str] = ("shared",),
    users: dict[str, str] | None = None,
    *,
    max_content_length: int = 10_000_000,
    max_page_size: int = 100,
    patched: bool = True,
) -> Iterator[MedallionServer]:
    """medallion on a free port of 127.0.0.1 (a subprocess), stopped on exit.
    ``patched=False``: medallion exactly as released (no extension-definition fix)."""
    users = dict(users or {"partner": "partner-secret"})
    config, ids = medallion_config(
        collections, users, max_content_length=max_content_length, max_page_size=max_page_size
    )
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="medallion-") as folder:
        path = Path(folder) / "medallion.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        root = Path(__file__).resolve().parent.parent
        env = {**os.environ, "PYTHONPATH": str(root)}
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.medallion_server",
                "--config",
                str(path),
                "--port",
                str(port),
                *([] if patched else ["--unpatched"]),
            ],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        server = MedallionServer(
            f"http://127.0.0.1:{port}", users, ids, process=process, config_path=path
        )
        try:
            _wait_until_up(server)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_until_up(server: MedallionServer) -> None:
    deadline = time.monotonic() + 30
    while True:
        if server.process is not None and server.process.poll() is not None:
            raise RuntimeError(f"medallion exited with {server.process.returncode}")
        try:
            reply = httpx.get(
                f"{server.url}/taxii2/",
                auth=server.auth(),
                headers={"Accept": TAXII_MEDIA_TYPE},
                timeout=2,
            )
            if reply.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("medallion did not start within 30 s")
        time.sleep(0.05)


def _patch_medallion() -> None:
    """Make medallion version STIX objects by ``modified``/``created`` even when they have a
    ``version`` property of their own (see the module docstring). Called in the medallion
    subprocess only."""
    import medallion.backends.memory_backend as memory_backend  # type: ignore[import-untyped]
    import medallion.common as common  # type: ignore[import-untyped]
    import medallion.filters.basic_filter as basic_filter  # type: ignore[import-untyped]

    original = common.find_att

    def find_att(obj: dict[str, object]) -> object:
        if "type" in obj and "version" in obj:
            stripped = {k: v for k, v in obj.items() if k != "version"}
            return original(stripped)
        return original(obj)

    basic_filter.find_att = find_att
    memory_backend.find_att = find_att


def _backend_class() -> type:
    """medallion's memory back end, taking its data inline (``data``) rather than from a
    file."""
    from medallion.backends.memory_backend import MemoryBackend

    class InlineMemoryBackend(MemoryBackend):  # type: ignore[misc]
        def __init__(self, **kwargs: object) -> None:
            data = kwargs.pop("data", None)
            super().__init__(**kwargs)
            if data is not None:
                self.data = data

    return InlineMemoryBackend


def __getattr__(name: str) -> object:
    # medallion imports its back end class by name; built lazily so importing this helper
    # does not import medallion (slow) in the test process
    if name == "InlineMemoryBackend":
        return _backend_class()
    raise AttributeError(name)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--config",
        help="a medallion JSON configuration (default: one "
        "collection 'shared', user partner / partner-secret)",
    )
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument(
        "--unpatched",
        action="store_true",
        help="run medallion as released (500 once an extension-definition is stored)",
    )
    args = parser.parse_args(argv)
    if args.config:
        configuration = json.loads(Path(args.config).read_text(encoding="utf-8"))
    else:
        configuration, ids = medallion_config(["shared"], {"partner": "partner-secret"})
        print(f"collection 'shared': {ids['shared']}", flush=True)
    from medallion import (
        application_instance,
        register_blueprints,
        set_config,
    )

    if not args.unpatched:
        _patch_medallion()

    set_config(application_instance, "users", configuration)
    set_config(application_instance, "taxii", configuration)
    set_config(application_instance, "backend", configuration)
    register_blueprints(application_instance)
    from werkzeug.serving import make_server

    make_server("127.0.0.1", args.port, application_instance, threaded=True).serve_forever()


if __name__ == "__main__":
    main()
