"""Crash safety (issue 5, item 5): a stream of money commands from several client threads, and in
the middle of it the API server is killed with SIGKILL (test 1), or PostgreSQL is restarted in
immediate mode (test 2).  The client does what a caller of the wallet must do: every command it
got no answer for (connection error, timeout, 503 SERVICE_UNAVAILABLE) is sent again with the
same idempotency key and payload until it is answered.  Afterwards, from the database itself:

- every command was applied exactly once: the ledger transactions, outbox events and idempotency
  records of each player are exactly those the stream's commands write, one each;
- every answer is the one a crash-free run gives (status, and the deterministic fields: balance
  after, funding, credits, rolling progress...), and the balances equal both a simple model of
  the stream and the sum of what the answers say moved;
- replaying every command (same key, same payload) answers the same status and body as its
  first answer;
- reconciliation is clean.

Both tests use their own PostgreSQL cluster (ruby_wallet.localdb, fsync on) under tmp_path and a
real `ruby-wallet serve` process (tests/support/servers.py).  Each player's commands run in
order in one thread (a command depends on the ones before it), the players in parallel, so the
stream is deterministic whatever the crash interrupts.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import psycopg
import pytest

from tests.support.servers import ApiServer, CrashableCluster

PLAYERS = 6
ROUNDS = 10
COMMAND_DEADLINE = 40.0  # seconds a command may stay unanswered before the test gives up on it
STREAM_DEADLINE = 90.0

SN, CN, W = "SPORTS_NORMAL", "CASINO_NORMAL", "WITHDRAWABLE"
SCOPES = ("game", "payments", "promotion", "player")


class _Any:
    def __repr__(self) -> str:
        return "ANY"


ANY = _Any()


def matches(expected: Any, actual: Any) -> bool:
    """`actual` has every field of `expected` with that value (dicts: a subset; lists: same length,
    element by element; ANY: whatever is there)."""
    if expected is ANY:
        return True
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and matches(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(matches(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return expected == actual


# -- the stream ----------------------------------------------------------------------------------


@dataclass(eq=False)
class Command:
    player: str
    kind: str
    path: str
    body: dict
    scope: str
    status: int  # the answer a crash-free run gives
    expect: dict  # fields of that answer
    idem: tuple[str, str] | None  # (command, key) of its wallet.idempotency row; None for state transitions
    ledger: list[tuple[str, str]]  # (kind, ref) of the ledger transactions it writes
    events: list[str]  # outbox event types it writes
    unanswered: list[str] = field(default_factory=list)  # what each unanswered attempt got
    sent_at: list[float] = field(default_factory=list)  # wall clock of every attempt
    answer_status: int | None = None
    answer_text: str | None = None

    @property
    def label(self) -> str:
        return f"POST {self.path} {self.body}"

    def answer(self) -> Any:
        return json.loads(self.answer_text or "null")


def player_plan(player: str, rounds: int) -> tuple[list[Command], dict[str, int]]:
    """One player's commands, each with the answer it must get, and the balances they leave.

    Per round: a deposit (auto-approved, or created PENDING then approved), a sports bet settled
    WIN/LOSS (every third one rolled back after settlement), a bet rolled back before
    settlement, a cashback credited to WITHDRAWABLE, a transfer of it to casino cash, a slots bet
    settled, a withdrawal then paid or rejected, and a rollback of a bet the wallet never saw.
    Amounts keep the first deposit's rolling obligation from completing (so no release moves
    money the model does not follow) and every withdrawal is covered by WITHDRAWABLE alone."""
    commands: list[Command] = []
    bal = Counter({SN: 0, CN: 0, W: 0})
    progress = 0

    def add(kind, path, body, scope, status, expect, idem, ledger, events):
        commands.append(Command(player, kind, path, body, scope, status, expect, idem, ledger, events))

    for i in range(rounds):
        k = f"{player}-{i}"
        deposit = f"d-{k}"
        body = {
            "deposit_id": deposit,
            "player_id": player,
            "amount": 5000,
            "bucket_type": SN,
            "auto_approve": i % 2 == 0,
        }
        approved = {"deposit_id": deposit, "status": "APPROVED", "amount": 5000, "bucket_type": SN, "rolling_id": ANY}
        if i % 2 == 0:
            bal[SN] += 5000
            add(
                "deposit",
                "/v1/deposits",
                body,
                "payments",
                201,
                approved | {"balance_after": bal[SN]},
                ("deposit_create", deposit),
                [("DEPOSIT", f"deposit:{deposit}")],
                ["rolling.created", "deposit.approved"],
            )
        else:
            add(
                "deposit",
                "/v1/deposits",
                body,
                "payments",
                201,
                {"deposit_id": deposit, "status": "PENDING", "amount": 5000},
                ("deposit_create", deposit),
                [],
                ["deposit.created"],
            )
            bal[SN] += 5000
            add(
                "approve",
                f"/v1/deposits/{deposit}/approve",
                {},
                "payments",
                200,
                approved | {"balance_after": bal[SN]},
                None,
                [("DEPOSIT", f"deposit:{deposit}")],
                ["rolling.created", "deposit.approved"],
            )

        bet = f"b-{k}"
        bal[SN] -= 300
        add(
            "bet",
            "/v1/bets",
            {
                "bet_id": bet,
                "player_id": player,
                "provider_type": "SPORTS",
                "provider_id": "sportsbook",
                "stake": 300,
                "odds": "2.0",
            },
            "game",
            201,
            {"bet_id": bet, "status": "AUTHORIZED", "stake": 300, "funding": [{"source": SN, "amount": 300}]},
            ("bet_authorize", bet),
            [("BET_STAKE", f"bet:{bet}")],
            ["bet.authorized"],
        )
        win = i % 2 == 0
        progress += 300
        if win:
            bal[SN] += 600
        add(
            "settle",
            f"/v1/bets/{bet}/settle",
            {"settlement_id": f"s-{bet}", "player_id": player, "result": "WIN" if win else "LOSS"}
            | ({"payout": 600} if win else {}),
            "game",
            200,
            {
                "bet_id": bet,
                "status": "SETTLED",
                "credits": [{"bucket_type": SN, "amount": 600}] if win else [],
                "rolling": [{"rolling_id": ANY, "progress": progress, "status": "ACTIVE"}],
            },
            ("bet_settle", f"s-{bet}"),
            [("BET_SETTLE", f"bet:{bet}")],
            ["bet.settled"],
        )
        if i % 3 == 2:
            bal[SN] += 300 - (600 if win else 0)
            progress -= 300
            add(
                "rollback",
                f"/v1/bets/{bet}/rollback",
                {"rollback_id": f"r-{bet}", "player_id": player, "reason": "provider resettled"},
                "game",
                200,
                {
                    "bet_id": bet,
                    "status": "ROLLED_BACK",
                    "restored": [{"source": SN, "amount": 300}],
                    "payout_reversed": [{"bucket_type": SN, "amount": 600}] if win else [],
                    "rolling": [{"rolling_id": ANY, "progress_removed": 300}],
                },
                ("bet_rollback", f"r-{bet}"),
                [("BET_ROLLBACK", f"bet:{bet}")],
                ["bet.rolled_back"],
            )

        open_bet = f"x-{k}"
        bal[SN] -= 200
        add(
            "bet",
            "/v1/bets",
            {
                "bet_id": open_bet,
                "player_id": player,
                "provider_type": "SPORTS",
                "provider_id": "sportsbook",
                "stake": 200,
                "odds": "1.5",
            },
            "game",
            201,
            {"bet_id": open_bet, "status": "AUTHORIZED", "funding": [{"source": SN, "amount": 200}]},
            ("bet_authorize", open_bet),
            [("BET_STAKE", f"bet:{open_bet}")],
            ["bet.authorized"],
        )
        bal[SN] += 200
        add(
            "rollback",
            f"/v1/bets/{open_bet}/rollback",
            {"rollback_id": f"r-{open_bet}", "player_id": player, "reason": "provider timeout"},
            "game",
            200,
            {"bet_id": open_bet, "status": "ROLLED_BACK", "restored": [{"source": SN, "amount": 200}]},
            ("bet_rollback", f"r-{open_bet}"),
            [("BET_ROLLBACK", f"bet:{open_bet}")],
            ["bet.rolled_back"],
        )

        credit = f"cr-{k}"
        bal[W] += 500
        add(
            "credit",
            "/v1/promotions/credits",
            {"credit_id": credit, "player_id": player, "kind": "CASHBACK", "amount": 500, "bucket_type": W},
            "promotion",
            201,
            {"credit_id": credit, "amount": 500, "bucket_type": W, "balance_after": bal[W], "rolling_id": None},
            ("promotion_credit", credit),
            [("PROMOTION_CREDIT", f"credit:{credit}")],
            ["promotion.credited"],
        )

        transfer = f"t-{k}"
        bal[W] -= 100
        bal[CN] += 100
        add(
            "transfer",
            "/v1/transfers",
            {"transfer_id": transfer, "player_id": player, "from": W, "to": CN, "amount": 100},
            "player",
            201,
            {"transfer_id": transfer, "from": W, "to": CN, "debited": 100, "credited": 100, "rolling_moved": 0},
            ("transfer", transfer),
            [("TRANSFER", f"transfer:{transfer}")],
            ["transfer.completed"],
        )

        slots = f"c-{k}"
        bal[CN] -= 100
        add(
            "bet",
            "/v1/bets",
            {"bet_id": slots, "player_id": player, "provider_type": "SLOTS", "provider_id": "slots", "stake": 100},
            "game",
            201,
            {"bet_id": slots, "status": "AUTHORIZED", "funding": [{"source": CN, "amount": 100}]},
            ("bet_authorize", slots),
            [("BET_STAKE", f"bet:{slots}")],
            ["bet.authorized"],
        )
        slots_win = i % 2 == 1
        if slots_win:
            bal[CN] += 250
        add(
            "settle",
            f"/v1/bets/{slots}/settle",
            {"settlement_id": f"s-{slots}", "player_id": player, "result": "WIN" if slots_win else "LOSS"}
            | ({"payout": 250} if slots_win else {}),
            "game",
            200,
            {
                "bet_id": slots,
                "status": "SETTLED",
                "credits": [{"bucket_type": CN, "amount": 250}] if slots_win else [],
                "rolling": [],
            },
            ("bet_settle", f"s-{slots}"),
            [("BET_SETTLE", f"bet:{slots}")],
            ["bet.settled"],
        )

        withdrawal = f"w-{k}"
        bal[W] -= 300
        add(
            "withdraw",
            "/v1/withdrawals",
            {"withdrawal_id": withdrawal, "player_id": player, "amount": 300},
            "payments",
            201,
            {"withdrawal_id": withdrawal, "status": "PENDING", "sources": [{"bucket_type": W, "amount": 300}]},
            ("withdrawal_create", withdrawal),
            [("WITHDRAWAL", f"withdrawal:{withdrawal}")],
            ["withdrawal.requested"],
        )
        if i % 2 == 0:
            add(
                "complete",
                f"/v1/withdrawals/{withdrawal}/complete",
                {},
                "payments",
                200,
                {"withdrawal_id": withdrawal, "status": "PAID", "amount": 300},
                None,
                [("WITHDRAWAL_PAID", f"withdrawal:{withdrawal}")],
                ["withdrawal.paid"],
            )
        else:
            bal[W] += 300
            add(
                "reject",
                f"/v1/withdrawals/{withdrawal}/reject",
                {"reason": "name mismatch"},
                "payments",
                200,
                {"withdrawal_id": withdrawal, "status": "REJECTED", "refunded": [{"bucket_type": W, "amount": 300}]},
                None,
                [("WITHDRAWAL_REFUND", f"withdrawal:{withdrawal}")],
                ["withdrawal.rejected"],
            )

        ghost = f"g-{k}"
        add(
            "rollback",
            f"/v1/bets/{ghost}/rollback",
            {"rollback_id": f"r-{ghost}", "player_id": player, "reason": "bet never arrived"},
            "game",
            200,
            {"bet_id": ghost, "status": "ROLLED_BACK", "restored": []},
            ("bet_rollback", f"r-{ghost}"),
            [],
            ["bet.rolled_back"],
        )

    assert progress < 5000 and min(bal.values()) >= 0
    return commands, dict(bal)


def balances_from_answers(commands: list[Command]) -> Counter:
    """What the answers say moved, added up per bucket type."""
    moved: Counter = Counter()
    for cmd in commands:
        body = cmd.answer()
        if cmd.kind in ("deposit", "approve") and body["status"] == "APPROVED":
            moved[body["bucket_type"]] += body["amount"]
        elif cmd.kind == "bet":
            for line in body["funding"]:
                moved[line["source"]] -= line["amount"]
        elif cmd.kind == "settle":
            for line in body["credits"]:
                moved[line["bucket_type"]] += line["amount"]
        elif cmd.kind == "rollback":
            for line in body["restored"]:
                moved[line["source"]] += line["amount"]
            for line in body.get("payout_reversed", []):
                moved[line["bucket_type"]] -= line["amount"]
        elif cmd.kind == "credit":
            moved[body["bucket_type"]] += body["amount"]
        elif cmd.kind == "transfer":
            moved[body["from"]] -= body["debited"]
            moved[body["to"]] += body["credited"]
        elif cmd.kind == "withdraw":
            for line in body["sources"]:
                moved[line["bucket_type"]] -= line["amount"]
        elif cmd.kind == "reject":
            for line in body["refunded"]:
                moved[line["bucket_type"]] += line["amount"]
    return moved


class Stream:
    """Runs each player's commands in order in a thread of its own; an unanswered command is sent
    again, same key and payload, until it is answered."""

    def __init__(self, base: str, keys: dict[str, str], plans: dict[str, list[Command]]):
        self.base = base
        self.keys = keys
        self.plans = plans
        self.total = sum(len(c) for c in plans.values())
        self.lock = threading.Lock()
        self.answered = 0
        self.in_flight = 0
        self.failures: list[str] = []
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._run, args=(cmds,), name=f"client-{p}", daemon=True)
            for p, cmds in plans.items()
        ]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))
        alive = [t.name for t in self.threads if t.is_alive()]
        self.stop.set()
        assert not alive, f"client threads still running after {timeout}s: {alive}; failures: {self.failures}"

    def wait_for(self, fraction: float, timeout: float = 60) -> None:
        """Until that fraction of the stream is answered and commands are in flight."""
        deadline = time.monotonic() + timeout
        while not (self.answered >= fraction * self.total and self.in_flight >= 2):
            assert not self.failures, self.failures
            assert time.monotonic() < deadline, f"stream stuck at {self.answered}/{self.total}"
            time.sleep(0.002)

    def _run(self, commands: list[Command]) -> None:
        with httpx.Client(base_url=self.base, timeout=httpx.Timeout(20.0, connect=3.0)) as client:
            for cmd in commands:
                if self.stop.is_set() or not self._send(client, cmd):
                    return

    def _send(self, client: httpx.Client, cmd: Command) -> bool:
        headers = {"Authorization": f"Bearer {self.keys[cmd.scope]}"}
        deadline = time.monotonic() + COMMAND_DEADLINE
        delay = 0.02
        while not self.stop.is_set():
            cmd.sent_at.append(time.time())
            with self.lock:
                self.in_flight += 1
            try:
                response = client.post(cmd.path, json=cmd.body, headers=headers)
            except httpx.TransportError as exc:
                outcome = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 503 and _code(response) == "SERVICE_UNAVAILABLE":
                    outcome = f"503 {response.json().get('detail')}"
                else:
                    cmd.answer_status, cmd.answer_text = response.status_code, response.text
                    with self.lock:
                        self.answered += 1
                    if response.status_code != cmd.status or not matches(cmd.expect, _json(response)):
                        self.failures.append(
                            f"{cmd.label}\n  expected {cmd.status} with {cmd.expect}\n  got {response.status_code} "
                            f"{response.text}\n  after unanswered attempts: {cmd.unanswered}"
                        )
                        return False
                    return True
            finally:
                with self.lock:
                    self.in_flight -= 1
            cmd.unanswered.append(outcome)
            if time.monotonic() > deadline:
                self.failures.append(
                    f"{cmd.label}: no answer within {COMMAND_DEADLINE}s; last attempts: "
                    f"{cmd.unanswered[-3:]} ({len(cmd.unanswered)} attempts)"
                )
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
        return False


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _code(response: httpx.Response) -> str | None:
    body = _json(response)
    return body.get("code") if isinstance(body, dict) else None


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def cluster(tmp_path) -> Iterator[CrashableCluster]:
    cluster = CrashableCluster(tmp_path / "home")
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def server(cluster, tmp_path) -> Iterator[ApiServer]:
    server = ApiServer(cluster.url, cluster.api_url, tmp_path / "server.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def players() -> list[str]:
    """The stream's players (the Citus tier, one database for every test, names its own)."""
    return [f"p{n}" for n in range(PLAYERS)]


@pytest.fixture
def stream(cluster, server, players) -> Iterator[tuple[Stream, dict[str, dict[str, int]]]]:
    keys = {scope: server.create_key(f"crash-{scope}-{players[0]}", [scope]) for scope in SCOPES}
    plans, models = {}, {}
    for player in players:
        plans[player], models[player] = player_plan(player, ROUNDS)
        response = httpx.post(
            f"{server.base}/v1/accounts",
            json={"player_id": player, "currency": "KRW"},
            headers={"Authorization": f"Bearer {keys['payments']}"},
        )
        assert response.status_code == 201, response.text
    s = Stream(server.base, keys, plans)
    try:
        yield s, models
    finally:
        s.stop.set()
        for t in s.threads:
            if t.is_alive():
                t.join(5)


# -- the checks ----------------------------------------------------------------------------------


def check_exactly_once(s: Stream, models: dict[str, dict[str, int]], owner_url: str) -> dict[str, int]:
    """Every check of the module docstring; returns counts for the report."""
    assert not s.failures, "\n".join(s.failures)
    commands = [c for cmds in s.plans.values() for c in cmds]
    assert all(c.answer_status is not None for c in commands), "some commands never answered"

    with psycopg.connect(owner_url, autocommit=True) as conn:
        for player, cmds in s.plans.items():
            # Ledger: exactly the transactions the commands write, each once.
            ledger = Counter(
                conn.execute("SELECT kind, ref FROM wallet.ledger_txn WHERE account_id = %s", (player,)).fetchall()
            )
            expected_ledger = Counter(t for c in cmds for t in c.ledger)
            assert ledger == expected_ledger, (
                f"{player}: ledger transactions differ from one per command: missing "
                f"{dict(expected_ledger - ledger)}, extra {dict(ledger - expected_ledger)}"
            )

            # Outbox: one event per change (the account.opened of the setup aside).
            events = Counter(
                r[0]
                for r in conn.execute(
                    "SELECT event_type FROM wallet.outbox WHERE account_id = %s", (player,)
                ).fetchall()
            )
            expected_events = Counter(e for c in cmds for e in c.events) + Counter(["account.opened"])
            assert events == expected_events, (
                f"{player}: outbox differs: missing {dict(expected_events - events)}, extra {dict(events - expected_events)}"
            )

            # Idempotency: one record per keyed command (the primary key makes it at most one).
            records = Counter(
                conn.execute("SELECT command, key FROM wallet.idempotency WHERE account_id = %s", (player,)).fetchall()
            )
            expected_records = Counter(c.idem for c in cmds if c.idem)
            assert records == expected_records, (
                f"{player}: idempotency records differ: missing {dict(expected_records - records)}, "
                f"extra {dict(records - expected_records)}"
            )

            # The money records, one row each in its final state.
            deposits = dict(
                conn.execute(
                    "SELECT deposit_id, status FROM wallet.deposit WHERE account_id = %s", (player,)
                ).fetchall()
            )
            assert deposits == {c.body["deposit_id"]: "APPROVED" for c in cmds if c.kind == "deposit"}
            withdrawals = dict(
                conn.execute(
                    "SELECT withdrawal_id, status FROM wallet.withdrawal WHERE account_id = %s", (player,)
                ).fetchall()
            )
            assert withdrawals == {
                c.path.split("/")[3]: "PAID" if c.kind == "complete" else "REJECTED"
                for c in cmds
                if c.kind in ("complete", "reject")
            }
            bets = dict(
                conn.execute("SELECT bet_id, status FROM wallet.bet WHERE account_id = %s", (player,)).fetchall()
            )
            final_bet_status: dict[str, str] = {}
            for c in cmds:
                bet_id = c.body.get("bet_id") or (c.path.split("/")[3] if c.path.startswith("/v1/bets/") else None)
                if c.kind in ("bet", "settle", "rollback"):
                    final_bet_status[bet_id] = {"bet": "AUTHORIZED", "settle": "SETTLED", "rollback": "ROLLED_BACK"}[
                        c.kind
                    ]
            assert bets == final_bet_status

            # Balances: the model of the stream, and the sum of what the answers say moved.
            stored = dict(
                conn.execute(
                    "SELECT bucket_type, balance FROM wallet.bucket WHERE account_id = %s", (player,)
                ).fetchall()
            )
            stored = {b: v for b, v in stored.items() if v}
            assert stored == {b: v for b, v in models[player].items() if v}, f"{player}: balances {stored}"
            from_answers = {b: v for b, v in balances_from_answers(cmds).items() if v}
            assert stored == from_answers, f"{player}: balances {stored}, answers add up to {from_answers}"

        discrepancies = conn.execute("SELECT * FROM ops.reconcile()").fetchall()
        assert discrepancies == [], f"reconciliation not clean: {discrepancies}"
        assert conn.execute("SELECT count(*) FROM ops.reconcile()").fetchone()[0] == 0

        # Commands the database applied although their answer was lost: the record they wrote
        # is older than the attempt that was answered (PostgreSQL's now() is the transaction's
        # start, on the same clock as the client's).
        applied_unanswered = 0
        for c in commands:
            if not c.unanswered:
                continue
            if c.idem:
                row = conn.execute(
                    "SELECT extract(epoch FROM created_at) FROM wallet.idempotency "
                    "WHERE account_id = %s AND command = %s AND key = %s",
                    (c.player, *c.idem),
                ).fetchone()
            else:
                table = "deposit" if c.kind == "approve" else "withdrawal"
                row = conn.execute(
                    f"SELECT extract(epoch FROM decided_at) FROM wallet.{table} "
                    f"WHERE account_id = %s AND {table}_id = %s",
                    (c.player, c.path.split("/")[3]),
                ).fetchone()
            applied_unanswered += float(row[0]) < c.sent_at[-1]
    return {
        "commands": len(commands),
        "retried": sum(1 for c in commands if c.unanswered),
        "attempts_unanswered": sum(len(c.unanswered) for c in commands),
        "longest_retry_span_s": round(max(c.sent_at[-1] - c.sent_at[0] for c in commands), 2),
        "applied_but_answer_lost": applied_unanswered,
    }


def check_replays(s: Stream) -> None:
    """Every command sent again, same key and payload: the same status and body as its first answer."""
    mismatches: list[str] = []

    def replay(commands: list[Command]) -> None:
        with httpx.Client(base_url=s.base, timeout=20.0) as client:
            for c in commands:
                r = client.post(c.path, json=c.body, headers={"Authorization": f"Bearer {s.keys[c.scope]}"})
                if r.status_code != c.answer_status or _json(r) != c.answer():
                    mismatches.append(
                        f"{c.label}: first answer {c.answer_status} {c.answer_text}, replay {r.status_code} {r.text}"
                    )

    threads = [threading.Thread(target=replay, args=(cmds,)) for cmds in s.plans.values()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not mismatches, "\n".join(mismatches)


def report(name: str, counts: dict[str, int], **extra: Any) -> None:
    print(f"\n{name}: " + ", ".join(f"{k}={v}" for k, v in {**counts, **extra}.items()))


# -- the tests -----------------------------------------------------------------------------------


def test_kill9_server_mid_stream(cluster, server, stream):
    """The server is killed twice while commands are in flight: once after a 0.3 s freeze
    (SIGSTOP), so statements it had sent to PostgreSQL commit while their answers are lost, once
    with a plain SIGKILL.  Each time a new server process is started on the same port."""
    s, models = stream
    started = time.monotonic()
    s.start()
    in_flight = []
    for fraction, freeze in ((0.3, 0.3), (0.65, 0.0)):
        s.wait_for(fraction)
        in_flight.append(s.in_flight)
        server.kill9(freeze_first=freeze)
        server.start()
    s.join(STREAM_DEADLINE)
    counts = check_exactly_once(s, models, cluster.url)
    assert counts["retried"] >= 2, f"the kills hit no command in flight: {counts}"
    check_replays(s)
    report(
        "kill -9 server",
        counts,
        in_flight_at_kills=in_flight,
        server_starts=server.starts,
        seconds=round(time.monotonic() - started, 1),
    )


def restarts_mid_stream(stream, server, owner_url: str, restarts, label: str) -> None:
    """Runs the stream and calls each of `restarts` (two) while commands are in flight (at 30%
    and 65% of it); the server process stays up and its pool must reconnect by itself; then
    every command is applied exactly once and replays answer the same."""
    s, models = stream
    started = time.monotonic()
    s.start()
    pid = server.process.pid
    in_flight = []
    for fraction, restart in zip((0.3, 0.65), restarts, strict=True):
        s.wait_for(fraction)
        in_flight.append(s.in_flight)
        restart()
    s.join(STREAM_DEADLINE)
    assert server.process.poll() is None and server.process.pid == pid and server.starts == 1
    assert httpx.get(f"{server.base}/readyz", timeout=5).status_code == 200
    counts = check_exactly_once(s, models, owner_url)
    assert counts["retried"] >= 2, f"the restarts hit no command in flight: {counts}"
    check_replays(s)
    report(label, counts, in_flight_at_restarts=in_flight, seconds=round(time.monotonic() - started, 1))


def test_postgres_immediate_restart_mid_stream(cluster, server, stream):
    """PostgreSQL is restarted with `pg_ctl restart -m immediate` twice while commands are in
    flight; the server process stays up and its pool must reconnect by itself."""
    restarts = (cluster.restart_immediate, cluster.restart_immediate)
    restarts_mid_stream(stream, server, cluster.url, restarts, "postgres restart -m immediate")
