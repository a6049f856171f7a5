"""The webhook sink against a real local receiver."""

from __future__ import annotations

import gzip
import json
import threading
import time
import tracemalloc
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import SecretStr, ValidationError

from leaktrace import __version__
from leaktrace.alerts.base import AlertEvent, DeliveryError, Sink
from leaktrace.alerts.receiver import WebhookReceiver
from leaktrace.alerts.webhook import (
    PLUGIN,
    WebhookConfig,
    WebhookSink,
    encode_body,
    parse_retry_after,
    sign,
    verify_signature,
)
from leaktrace.errors import ConfigError

from .conftest import SECRET, free_port, make_event


def _sink(url: str, **options: object) -> WebhookSink:
    return WebhookSink(
        WebhookConfig.model_validate({"name": "hook", "url": url, "secret": SECRET, **options})
    )


def _fail(sink: WebhookSink, event: AlertEvent) -> DeliveryError:
    with pytest.raises(DeliveryError) as info:
        sink.deliver(event)
    error = info.value
    assert error.sink == "hook"
    assert SECRET not in str(error)
    return error


def test_delivers_signed_json(receiver: WebhookReceiver, event: AlertEvent) -> None:
    with _sink(receiver.url) as sink:
        sink.deliver(event)
    assert receiver.wait_for(1)
    got = receiver.accepted[0]
    assert got.verified and not got.duplicate
    assert got.body == encode_body(event)
    assert json.loads(got.body) == event.as_json()
    assert (
        got.body
        == json.dumps(
            event.as_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    )
    h = got.headers
    assert h["content-type"] == "application/json"
    assert h["user-agent"] == f"LeakTrace/{__version__}"
    assert h["x-leaktrace-event"] == "leak"
    assert h["x-leaktrace-delivery"] == event.key
    assert abs(int(h["x-leaktrace-timestamp"]) - time.time()) < 5
    assert h["x-leaktrace-signature"].startswith("sha256=")
    assert verify_signature(
        SECRET, h["x-leaktrace-timestamp"], got.body, h["x-leaktrace-signature"]
    )


def test_extra_headers_are_sent(receiver: WebhookReceiver, event: AlertEvent) -> None:
    with _sink(receiver.url, headers={"X-Tenant": "studio-7"}) as sink:
        sink.deliver(event)
    assert receiver.accepted[0].headers["x-tenant"] == "studio-7"


def test_reserved_header_cannot_be_overridden() -> None:
    with pytest.raises(ValidationError, match="set by LeakTrace"):
        WebhookConfig(
            name="hook",
            url="http://127.0.0.1/",
            secret=SecretStr(SECRET),
            headers={"X-LeakTrace-Signature": "sha256=00"},
        )


def test_redelivery_is_deduped_by_receiver(receiver: WebhookReceiver, event: AlertEvent) -> None:
    with _sink(receiver.url) as sink:
        sink.deliver(event)
        sink.deliver(event)
        sink.deliver(make_event(key="leak:other"))
    assert [d.duplicate for d in receiver.requests] == [False, True, False]
    assert [d.delivery_id for d in receiver.accepted] == [event.key, "leak:other"]


def test_signature_rejects_tampering() -> None:
    body = b'{"event":"leak"}'
    now = 1_800_000_000.0
    ts = str(int(now))
    header = sign(SECRET, ts, body)
    assert verify_signature(SECRET, ts, body, header, now=now)
    assert verify_signature(SECRET, ts, body, header, now=now + 299)
    assert not verify_signature(SECRET, ts, body + b" ", header, now=now)
    assert not verify_signature(SECRET, ts, b'{"event":"nuke"}', header, now=now)
    assert not verify_signature("wrong-secret", ts, body, header, now=now)
    assert not verify_signature(SECRET, ts, body, header, now=now + 301)  # stale
    assert not verify_signature(SECRET, ts, body, header, now=now - 301)  # from the future
    assert not verify_signature(SECRET, ts, body, header, tolerance=10, now=now + 11)
    assert not verify_signature(SECRET, str(int(now) + 1), body, header, now=now)
    assert not verify_signature(SECRET, "not-a-time", body, header, now=now)
    assert not verify_signature(SECRET, ts, body, header.removeprefix("sha256="), now=now)
    assert not verify_signature(SECRET, ts, body, "sha256=ünïcode", now=now)


def test_receiver_rejects_wrong_secret(event: AlertEvent) -> None:
    with WebhookReceiver("another-secret") as other, _sink(other.url) as sink:
        error = _fail(sink, event)
        assert not error.transient
        assert "401" in str(error)
        assert not other.requests[0].verified
        assert other.accepted == []


def test_server_error_is_transient(receiver: WebhookReceiver, event: AlertEvent) -> None:
    receiver.fail_next(1, 500)
    with _sink(receiver.url) as sink:
        error = _fail(sink, event)
        assert error.transient and error.retry_after is None
        assert "500" in str(error)
        sink.deliver(event)  # the retry goes through
    assert len(receiver.accepted) == 1


def test_429_honours_retry_after_seconds(receiver: WebhookReceiver, event: AlertEvent) -> None:
    receiver.fail_next(1, 429, retry_after=7)
    with _sink(receiver.url) as sink:
        error = _fail(sink, event)
    assert error.transient
    assert error.retry_after == 7.0


def test_503_honours_retry_after_http_date(receiver: WebhookReceiver, event: AlertEvent) -> None:
    receiver.fail_next(1, 503, retry_after=formatdate(time.time() + 120, usegmt=True))
    with _sink(receiver.url) as sink:
        error = _fail(sink, event)
    assert error.transient
    assert error.retry_after is not None and 110 <= error.retry_after <= 121


def test_parse_retry_after() -> None:
    assert parse_retry_after("0") == 0.0
    assert parse_retry_after(" 30 ") == 30.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-5") is None
    assert parse_retry_after("") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_client_errors_are_permanent(
    receiver: WebhookReceiver, event: AlertEvent, status: int
) -> None:
    receiver.fail_next(1, status)
    with _sink(receiver.url) as sink:
        error = _fail(sink, event)
    assert not error.transient
    assert str(status) in str(error)


@pytest.mark.parametrize("status", [408, 425, 502, 504])
def test_other_retryable_statuses(
    receiver: WebhookReceiver, event: AlertEvent, status: int
) -> None:
    receiver.fail_next(1, status)
    with _sink(receiver.url) as sink:
        assert _fail(sink, event).transient


def test_connection_refused_is_transient(event: AlertEvent) -> None:
    with _sink(f"http://127.0.0.1:{free_port()}/hook") as sink:
        error = _fail(sink, event)
    assert error.transient
    assert "127.0.0.1" in str(error)


def test_timeout_is_transient(receiver: WebhookReceiver, event: AlertEvent) -> None:
    receiver.delay = 2.0
    started = time.perf_counter()
    with _sink(receiver.url, timeout=0.2) as sink:
        error = _fail(sink, event)
    assert time.perf_counter() - started < 1.5
    assert error.transient
    assert "timed out" in str(error)


def test_redirect_to_another_host_is_refused(receiver: WebhookReceiver, event: AlertEvent) -> None:
    receiver.fail_next(1, 307, location="http://evil.example:8080/collect?token=abc")
    with _sink(receiver.url) as sink:
        error = _fail(sink, event)
    assert not error.transient
    assert "redirect" in str(error) and "evil.example" in str(error)
    assert "token=abc" not in str(error)
    assert len(receiver.requests) == 1


def test_redirect_to_same_host_by_other_name_is_refused(
    receiver: WebhookReceiver, event: AlertEvent
) -> None:
    receiver.fail_next(1, 302, location=f"http://localhost:{receiver.port}/hook")
    with _sink(receiver.url) as sink:
        assert not _fail(sink, event).transient
    assert len(receiver.requests) == 1


def test_same_origin_307_is_followed(receiver: WebhookReceiver, event: AlertEvent) -> None:
    receiver.fail_next(1, 307, location="/hook/v2")
    with _sink(receiver.url) as sink:
        sink.deliver(event)
    assert [d.path for d in receiver.requests] == ["/hook", "/hook/v2"]
    assert receiver.accepted[0].verified
    assert receiver.accepted[0].body == encode_body(event)


def test_secret_never_shown(receiver: WebhookReceiver, event: AlertEvent) -> None:
    config = WebhookConfig(name="hook", url=receiver.url, secret=SecretStr(SECRET))
    sink = WebhookSink(config)
    assert SECRET not in repr(config)
    assert SECRET not in str(config)
    assert SECRET not in repr(sink)
    assert SECRET not in repr(config.model_dump())
    receiver.fail_next(1, 500)
    assert SECRET not in str(_fail(sink, event))
    sink.close()
    with pytest.raises(ValidationError) as info:
        WebhookConfig.model_validate(
            {"name": "hook", "url": receiver.url, "secret": SECRET, "secret_env": "HOOK_SECRET"}
        )
    assert SECRET not in str(info.value)
    with pytest.raises(ValidationError) as info:
        WebhookConfig.model_validate({"name": "hook", "url": "ftp://nope", "secret": SECRET})
    assert SECRET not in str(info.value)
    with pytest.raises(ValidationError) as info:
        WebhookConfig.model_validate(
            {
                "name": "hook",
                "url": "https://h.example",
                "secret": SECRET,
                "timeout": -1,
                "surprise": SECRET,
            }
        )
    assert SECRET not in str(info.value)


def test_secret_is_required() -> None:
    with pytest.raises(ValidationError, match="secret"):
        WebhookConfig(name="hook", url="https://hooks.example/x")
    with pytest.raises(ValidationError, match="not both"):
        WebhookConfig(
            name="hook", url="https://hooks.example/x", secret=SecretStr(SECRET), secret_env="X"
        )


@pytest.mark.parametrize(
    "url", ["ftp://hooks.example/x", "hooks.example/x", "http:///x", "http://hooks.example:99999/x"]
)
def test_url_must_be_http(url: str) -> None:
    with pytest.raises(ValidationError, match="url"):
        WebhookConfig(name="hook", url=url, secret=SecretStr(SECRET))


def test_secret_env(
    receiver: WebhookReceiver, event: AlertEvent, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEAKTRACE_TEST_HOOK_SECRET", SECRET)
    config = WebhookConfig(name="hook", url=receiver.url, secret_env="LEAKTRACE_TEST_HOOK_SECRET")
    with WebhookSink(config) as sink:
        assert SECRET not in repr(sink)
        sink.deliver(event)
    assert receiver.accepted[0].verified


def test_missing_secret_env_is_a_clear_config_error(
    receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEAKTRACE_TEST_HOOK_SECRET", raising=False)
    config = WebhookConfig(name="hook", url=receiver.url, secret_env="LEAKTRACE_TEST_HOOK_SECRET")
    with pytest.raises(ConfigError, match="LEAKTRACE_TEST_HOOK_SECRET is not set"):
        WebhookSink(config)
    monkeypatch.setenv("LEAKTRACE_TEST_HOOK_SECRET", "")
    with pytest.raises(ConfigError, match="LEAKTRACE_TEST_HOOK_SECRET is empty"):
        PLUGIN.create(config)


def test_plugin(receiver: WebhookReceiver, event: AlertEvent) -> None:
    assert PLUGIN.kind == "webhook"
    config = PLUGIN.config_model.model_validate(
        {"name": "hook", "kind": "webhook", "url": receiver.url, "secret": SECRET}
    )
    sink = PLUGIN.create(config)
    assert isinstance(sink, Sink) and sink.name == "hook"
    sink.deliver(event)
    sink.close()
    assert receiver.accepted[0].verified
    with pytest.raises(ValidationError):
        PLUGIN.config_model.model_validate(
            {"name": "hook", "kind": "email", "url": receiver.url, "secret": SECRET}
        )


class _BombHandler(BaseHTTPRequestHandler):
    """Answers every POST with 500 and a gzip bomb: 64 MiB of zeros in ~64 KB."""

    bomb = gzip.compress(bytes(64 << 20), compresslevel=9)

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(500)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(self.bomb)))
        self.end_headers()
        self.wfile.write(self.bomb)

    def log_message(self, *args: object) -> None:
        pass


def test_a_compressed_error_reply_is_never_unpacked(event: AlertEvent) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BombHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        tracemalloc.start()
        with _sink(f"http://127.0.0.1:{server.server_address[1]}/hook") as sink:
            error = _fail(sink, event)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        server.shutdown()
        server.server_close()
    assert error.transient
    assert "answered 500" in str(error) and "gzip-encoded reply, not shown" in str(error)
    assert peak < 8 << 20  # the 64 MiB body was never decompressed
