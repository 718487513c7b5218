"""`ruby-wallet relay --webhook URL`: delivers the outbox to a webhook, at least once, in order
per account, signed (SPEC §6, §11).  The design, with the SQL it calls, is docs/relay.md.

The process is stateless: everything it knows lives in the database, so any number of relays
can run side by side, and one that dies leaves nothing but leases that expire.

    loop:
        claim   ops.relay_claim(relay, limit, lease)  the head event of up to `limit` accounts
                                                       whose head is due and not leased
                                                       (FOR UPDATE SKIP LOCKED)
        deliver one POST per event, concurrently across accounts, 10 s timeout each
        record  2xx  -> ops.relay_ack(...)               the account's next event becomes its head
                else -> ops.relay_fail(..., retry_in)     retried after an exponential backoff
                        last try -> ops.relay_fail(..., park => true)  parked with the reason
        nothing claimed -> sleep --poll-interval (a money transaction never NOTIFYs: SPEC §6)

A POST's body is the event exactly as `GET /v1/events` lists it (the same SQL renders both);
its headers `X-Ruby-Wallet-Event-Id: <id>` and `X-Ruby-Wallet-Signature: t=<unix>,v1=<hex>`
where the hex is HMAC-SHA256 of "<t>.<body>" under RUBY_WALLET_WEBHOOK_SECRET.
`verify_signature` is what a consumer runs (docs/operations.md shows it standalone).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import random
import signal
import socket
import time
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger("ruby_wallet.relay")

SECRET_ENV = "RUBY_WALLET_WEBHOOK_SECRET"
EVENT_ID_HEADER = "X-Ruby-Wallet-Event-Id"
SIGNATURE_HEADER = "X-Ruby-Wallet-Signature"
TIMEOUT_SECONDS = 10.0


# -- signing -------------------------------------------------------------------------------------


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The signature header's value: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify_signature(secret: str, header: str, body: bytes, tolerance_seconds: int = 300) -> bool:
    """True when `header` signs `body` under `secret` and its timestamp is within tolerance
    (a replayed old delivery is refused).  Several v1= values (a secret being rotated) are all
    tried."""
    parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
    timestamps = [v for k, v in parts if k.strip() == "t"]
    signatures = [v.strip() for k, v in parts if k.strip() == "v1"]
    if len(timestamps) != 1 or not signatures or not timestamps[0].strip().isdigit():
        return False
    t = int(timestamps[0])
    if abs(time.time() - t) > tolerance_seconds:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, s) for s in signatures)


# -- one delivery --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    reason: str  # why not (empty when delivered): "HTTP 503: …", "timeout after 10 s", …


class Webhook:
    """POSTs one event to the consumer's URL; never raises for the consumer's faults."""

    def __init__(self, url: str, secret: str, client: httpx.AsyncClient, timeout: float = TIMEOUT_SECONDS):
        self.url = url
        self.secret = secret
        self.client = client
        self.timeout = timeout

    async def deliver(self, event_id: int, body: bytes) -> Outcome:
        headers = {
            "Content-Type": "application/json",
            EVENT_ID_HEADER: str(event_id),
            SIGNATURE_HEADER: sign(self.secret, body),
            "User-Agent": "ruby-wallet-relay",
        }
        try:
            response = await self.client.post(self.url, content=body, headers=headers, timeout=self.timeout)
        except httpx.TimeoutException:
            return Outcome(False, f"timeout after {self.timeout:g} s")
        except httpx.HTTPError as exc:
            return Outcome(False, f"{type(exc).__name__}: {exc}"[:500])
        if 200 <= response.status_code < 300:
            return Outcome(True, "")
        excerpt = response.text[:200].replace("\n", " ")
        return Outcome(False, f"HTTP {response.status_code}: {excerpt}".rstrip(": "))


# -- retries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 12  # then parked: about 25 minutes of tries with the defaults
    first_delay: float = 1.0
    max_delay: float = 300.0

    def delay(self, attempts: int) -> float:
        """Seconds before the next try after `attempts` failed ones: exponential, capped, with
        jitter (between half and all of it) so relays do not retry a recovering consumer in step."""
        ceiling = min(self.max_delay, self.first_delay * 2 ** max(0, attempts - 1))
        return ceiling * random.uniform(0.5, 1.0)

    def park(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


# -- the loop ------------------------------------------------------------------------------------

# Statements the relay sends (SQL in procedures/events/, docs/relay.md): named here, not built.
CLAIM = (
    "SELECT account_id, delivery_id, attempts, event::text FROM ops.relay_claim("
    "p_relay => %(relay)s, p_limit => %(limit)s, p_lease_seconds => %(lease)s)"
)
ACK = "SELECT ops.relay_ack(p_relay => %(relay)s, p_account_id => %(account_id)s, p_delivery_id => %(delivery_id)s)"
FAIL = (
    "SELECT ops.relay_fail(p_relay => %(relay)s, p_account_id => %(account_id)s, p_delivery_id => %(delivery_id)s, "
    "p_reason => %(reason)s, p_retry_in_seconds => %(retry_in)s, p_park => %(park)s)"
)
RELEASE = "SELECT ops.relay_release(p_relay => %(relay)s)"
WAITING = "SELECT (ops.outbox_stats() ->> 'pending')::bigint"


@dataclass(frozen=True)
class Claimed:
    account_id: str
    delivery_id: int
    attempts: int  # including this one
    body: bytes


@dataclass
class Settings:
    webhook: str
    secret: str
    relay_id: str
    batch: int = 100
    lease_seconds: int = 60
    poll_interval: float = 1.0
    concurrency: int = 16
    retry: RetryPolicy = RetryPolicy()
    once: bool = False  # deliver until no event waits (each acknowledged or parked), then stop


def default_relay_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


class Relay:
    def __init__(self, settings: Settings, conn: Any, client: httpx.AsyncClient):
        self.settings = settings
        self.conn = conn  # psycopg.AsyncConnection, autocommit
        self.webhook = Webhook(settings.webhook, settings.secret, client)
        self.stopping = asyncio.Event()
        self.delivered = 0
        self.failed = 0
        self.parked = 0

    def claim_limit(self) -> int:
        """How many heads one claim may take: no more than the relay can deliver before their
        leases end (each wave of `concurrency` POSTs takes up to the timeout), so a live relay
        never holds an event past its lease and another relay never sends it a second time."""
        s = self.settings
        waves = max(1, int((s.lease_seconds - 5) // TIMEOUT_SECONDS))
        return max(1, min(s.batch, s.concurrency * waves))

    async def claim(self) -> list[Claimed]:
        s = self.settings
        cur = await self.conn.execute(
            CLAIM, {"relay": s.relay_id, "limit": self.claim_limit(), "lease": s.lease_seconds}
        )
        return [Claimed(a, d, n, e.encode()) for a, d, n, e in await cur.fetchall()]

    async def _one(self, event: Claimed, gate: asyncio.Semaphore) -> None:
        async with gate:
            outcome = await self.webhook.deliver(event.delivery_id, event.body)
        params: dict[str, Any] = {
            "relay": self.settings.relay_id,
            "account_id": event.account_id,
            "delivery_id": event.delivery_id,
        }
        if outcome.delivered:
            await self.conn.execute(ACK, params)
            self.delivered += 1
            return
        park = self.settings.retry.park(event.attempts)
        retry_in = 0.0 if park else self.settings.retry.delay(event.attempts)
        await self.conn.execute(FAIL, {**params, "reason": outcome.reason, "retry_in": retry_in, "park": park})
        if park:
            self.parked += 1
            log.warning("event %s parked after %s tries: %s", event.delivery_id, event.attempts, outcome.reason)
        else:
            self.failed += 1
            log.info(
                "event %s not delivered (try %s): %s; next try in %.1f s",
                event.delivery_id,
                event.attempts,
                outcome.reason,
                retry_in,
            )

    async def waiting(self) -> int:
        cur = await self.conn.execute(WAITING)
        row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def run_batch(self) -> int:
        """Claim and deliver one batch; the number of events claimed."""
        batch = await self.claim()
        if batch:
            gate = asyncio.Semaphore(self.settings.concurrency)
            await asyncio.gather(*(self._one(event, gate) for event in batch))
        return len(batch)

    async def run(self) -> None:
        s = self.settings
        log.info("relay %s delivering to %s", s.relay_id, s.webhook)
        try:
            while not self.stopping.is_set():
                claimed = await self.run_batch()
                if claimed == 0:
                    if s.once and await self.waiting() == 0:
                        return
                    # Nothing due: wait for the poll interval, or a stop.
                    try:
                        await asyncio.wait_for(self.stopping.wait(), timeout=s.poll_interval)
                    except TimeoutError:
                        pass
        finally:
            # Leases of events this relay claimed but did not finish go back at once.
            try:
                await self.conn.execute(RELEASE, {"relay": s.relay_id})
            except Exception as exc:
                log.warning("could not release this relay's leases (they expire in %s s): %s", s.lease_seconds, exc)
            log.info(
                "relay %s stopped: %s delivered, %s retried, %s parked",
                s.relay_id,
                self.delivered,
                self.failed,
                self.parked,
            )


async def run(settings: Settings, database_url: str) -> int:
    import psycopg

    from ruby_wallet.dsn import with_role

    async with (
        await psycopg.AsyncConnection.connect(with_role(database_url, "wallet_dba"), autocommit=True) as conn,
        httpx.AsyncClient(follow_redirects=False) as client,
    ):
        relay = Relay(settings, conn, client)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, relay.stopping.set)
        await relay.run()
    return 0
