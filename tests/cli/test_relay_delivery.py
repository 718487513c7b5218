"""The relay's side of one delivery against a real local webhook receiver: the body exactly as
given, the event id header, a signature a consumer verifies, 2xx as the only acknowledgement,
timeouts and refused connections as reasons; the retry policy's backoff and parking."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from ruby_wallet.relay import EVENT_ID_HEADER, SIGNATURE_HEADER, RetryPolicy, Webhook, sign, verify_signature
from tests.support.servers import free_port

SECRET = "whsec-test-0123456789abcdef"
BODY = b'{"id": 7, "type": "bet.settled", "payload": {"amount": 100}, "event_id": 9, "player_id": "p1", "created_at": "2026-12-01T00:00:00+00:00"}'


class Receiver:
    """A webhook consumer on 127.0.0.1: answers each POST with the next status of `statuses`
    (then 200), sleeping `delay` seconds first; keeps what it got."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"no")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


async def _deliver(url: str, timeout: float = 10.0, event_id: int = 7):
    async with httpx.AsyncClient() as client:
        return await Webhook(url, SECRET, client, timeout=timeout).deliver(event_id, BODY)


def test_a_2xx_acknowledges_and_the_request_is_signed(receiver):
    outcome = asyncio.run(_deliver(receiver.url))
    assert outcome.delivered and outcome.reason == ""
    headers, body = receiver.received[0]
    assert body == BODY
    assert headers["content-type"] == "application/json"
    assert headers[EVENT_ID_HEADER.lower()] == "7"
    signature = headers[SIGNATURE_HEADER.lower()]
    assert verify_signature(SECRET, signature, body)
    # what a consumer computes by hand (docs/operations.md)
    t, v1 = (part.split("=", 1)[1] for part in signature.split(","))
    assert v1 == hmac.new(SECRET.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert abs(int(t) - time.time()) < 60


@pytest.mark.parametrize("status", [301, 302, 400, 404, 409, 500, 503])
def test_anything_but_2xx_is_not_delivered(receiver, status):
    receiver.statuses = [status]
    outcome = asyncio.run(_deliver(receiver.url))
    assert not outcome.delivered and outcome.reason.startswith(f"HTTP {status}")


def test_no_answer_within_the_timeout(receiver):
    receiver.delay = 1.5
    outcome = asyncio.run(_deliver(receiver.url, timeout=0.5))
    assert not outcome.delivered and outcome.reason == "timeout after 0.5 s"


def test_a_refused_connection_is_a_reason_not_a_crash():
    outcome = asyncio.run(_deliver(f"http://127.0.0.1:{free_port()}/hook"))
    assert not outcome.delivered and "ConnectError" in outcome.reason


def test_signatures_that_must_not_verify():
    good = sign(SECRET, BODY)
    assert verify_signature(SECRET, good, BODY)
    assert not verify_signature("another-secret", good, BODY)
    assert not verify_signature(SECRET, good, BODY + b" ")
    assert not verify_signature(SECRET, sign(SECRET, BODY, timestamp=int(time.time()) - 3600), BODY)
    assert not verify_signature(SECRET, "v1=" + good.split("v1=")[1], BODY)
    assert not verify_signature(SECRET, "garbage", BODY)
    # a rotated secret: two v1 values, either may match
    t = good.split(",")[0]
    rotated = f"{t},v1={'0' * 64},{good.split(',')[1]}"
    assert verify_signature(SECRET, rotated, BODY)


def test_backoff_grows_to_its_cap_and_the_last_try_parks():
    policy = RetryPolicy(max_attempts=5, first_delay=1.0, max_delay=8.0)
    for attempts, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (10, 8.0)]:
        delays = [policy.delay(attempts) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays), (attempts, min(delays), max(delays))
    assert [policy.park(n) for n in range(1, 7)] == [False, False, False, False, True, True]
