"""`ruby-wallet demo`: the money flows end to end over HTTP, printing every balance after every
step.  Against a running server (`--url` and an API key with every scope) or, by default, a
local server on the local PostgreSQL that the demo starts and stops itself.

The flows are data (FLOWS); tests/docs/test_demo.py runs them against a real server process and
checks the balances the demo prints.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

BUCKETS = ("SPORTS_NORMAL", "SPORTS_BONUS", "CASINO_NORMAL", "CASINO_BONUS", "POINTS", "WITHDRAWABLE")
SCOPES = "game,payments,promotion,player,admin,casino"


@dataclass
class Step:
    title: str
    scope: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    status: int = 200
    # The casino adapter (docs/casino.md): a body sent as this JSON text (its amounts decimal
    # numbers, never floats), and whether the answer's token is the session the flow's later
    # /pam/valkyrie calls send as X-Player-Token.
    content: str | None = None
    session: bool = False


@dataclass
class Flow:
    name: str
    steps: list[Step]


@dataclass
class Row:
    step: str
    status: int
    balances: dict[str, int]
    withdrawable: int
    open_bets: int
    rolling: str
    coupons: int


@dataclass
class FlowResult:
    name: str
    player_id: str
    rows: list[Row] = field(default_factory=list)


def _pam_transaction(kind: str, transaction_id: str, amount: str, round_over: bool = False) -> str:
    """A Valkyrie addTransaction body (pam_api.yml) for round r1 of the demo's roulette game."""
    return (
        f'{{"currency": "EUR", "provider": "evolution", "transactionType": "{kind}", "cashAmount": {amount}, '
        f'"bonusAmount": 0, "promoAmount": 0, "transactionDateTime": "2026-12-01T20:00:00Z", '
        f'"providerTransactionId": "{transaction_id}", "providerRoundId": "r1", "providerGameId": "roulette", '
        f'"isGameOver": {"true" if round_over else "false"}}}'
    )


def flows(p: str) -> list[Flow]:
    """The demo's flows for player ids prefixed `p` (unique per run, so a server can be reused)."""
    s, c, k, x, r = (f"{p}-sports", f"{p}-casino", f"{p}-coupon", f"{p}-cashback", f"{p}-rollback")
    v = f"{p}-valkyrie"
    pam = f"/pam/valkyrie/players/{v}/transactions?provider=evolution"
    return [
        Flow(
            "Sports: deposit, bets until the rolling completes, withdraw (rejected, then paid)",
            [
                Step("open account", "payments", "POST", "/v1/accounts", {"player_id": s, "currency": "KRW"}, 201),
                Step(
                    "deposit 10000 (rolling 100%)",
                    "payments",
                    "POST",
                    "/v1/deposits",
                    {
                        "deposit_id": f"{s}-d1",
                        "player_id": s,
                        "amount": 10000,
                        "bucket_type": "SPORTS_NORMAL",
                        "auto_approve": True,
                    },
                    201,
                ),
                Step(
                    "bet 4000 @ 1.85",
                    "game",
                    "POST",
                    "/v1/bets",
                    {
                        "bet_id": f"{s}-b1",
                        "player_id": s,
                        "provider_type": "SPORTS",
                        "provider_id": "book",
                        "stake": 4000,
                        "odds": "1.85",
                    },
                    201,
                ),
                Step(
                    "bet 1 wins 7400",
                    "game",
                    "POST",
                    f"/v1/bets/{s}-b1/settle",
                    {"settlement_id": f"{s}-s1", "player_id": s, "result": "WIN", "payout": 7400},
                ),
                Step(
                    "bet 6000 @ 2.10",
                    "game",
                    "POST",
                    "/v1/bets",
                    {
                        "bet_id": f"{s}-b2",
                        "player_id": s,
                        "provider_type": "SPORTS",
                        "provider_id": "book",
                        "stake": 6000,
                        "odds": "2.10",
                    },
                    201,
                ),
                Step(
                    "bet 2 loses: rolling met, cash released",
                    "game",
                    "POST",
                    f"/v1/bets/{s}-b2/settle",
                    {"settlement_id": f"{s}-s2", "player_id": s, "result": "LOSS", "payout": 0},
                ),
                Step(
                    "withdraw 5000",
                    "payments",
                    "POST",
                    "/v1/withdrawals",
                    {"withdrawal_id": f"{s}-w1", "player_id": s, "amount": 5000},
                    201,
                ),
                Step(
                    "bank rejects it: refunded",
                    "payments",
                    "POST",
                    f"/v1/withdrawals/{s}-w1/reject",
                    {"reason": "bank rejected"},
                ),
                Step(
                    "withdraw 7400",
                    "payments",
                    "POST",
                    "/v1/withdrawals",
                    {"withdrawal_id": f"{s}-w2", "player_id": s, "amount": 7400},
                    201,
                ),
                Step("paid out", "payments", "POST", f"/v1/withdrawals/{s}-w2/complete", {}),
            ],
        ),
        Flow(
            "Casino: LIVE and SLOTS share the CASINO group; LIVE counts 10% towards rolling",
            [
                Step("open account", "payments", "POST", "/v1/accounts", {"player_id": c, "currency": "KRW"}, 201),
                Step(
                    "deposit 5000",
                    "payments",
                    "POST",
                    "/v1/deposits",
                    {
                        "deposit_id": f"{c}-d1",
                        "player_id": c,
                        "amount": 5000,
                        "bucket_type": "CASINO_NORMAL",
                        "auto_approve": True,
                    },
                    201,
                ),
                Step(
                    "LIVE bet 1000",
                    "game",
                    "POST",
                    "/v1/bets",
                    {
                        "bet_id": f"{c}-b1",
                        "player_id": c,
                        "provider_type": "LIVE",
                        "provider_id": "dealer",
                        "stake": 1000,
                    },
                    201,
                ),
                Step(
                    "LIVE bet loses (+100 rolling)",
                    "game",
                    "POST",
                    f"/v1/bets/{c}-b1/settle",
                    {"settlement_id": f"{c}-s1", "player_id": c, "result": "LOSS"},
                ),
                Step(
                    "SLOTS spin 1000",
                    "game",
                    "POST",
                    "/v1/bets",
                    {
                        "bet_id": f"{c}-b2",
                        "player_id": c,
                        "provider_type": "SLOTS",
                        "provider_id": "slot",
                        "stake": 1000,
                    },
                    201,
                ),
                Step(
                    "SLOTS pays 2500 (+1000 rolling)",
                    "game",
                    "POST",
                    f"/v1/bets/{c}-b2/settle",
                    {"settlement_id": f"{c}-s2", "player_id": c, "result": "WIN", "payout": 2500},
                ),
            ],
        ),
        Flow(
            "Free-bet coupon: the win pays payout minus stake to SPORTS_BONUS",
            [
                Step("open account", "payments", "POST", "/v1/accounts", {"player_id": k, "currency": "KRW"}, 201),
                Step(
                    "grant a 500 free bet",
                    "promotion",
                    "POST",
                    "/v1/coupons",
                    {
                        "coupon_id": f"{k}-c1",
                        "player_id": k,
                        "amount": 500,
                        "provider_types": ["SPORTS"],
                        "stake_returned": False,
                    },
                    201,
                ),
                Step(
                    "bet 500 @ 3.00 (the coupon pays)",
                    "game",
                    "POST",
                    "/v1/bets",
                    {
                        "bet_id": f"{k}-b1",
                        "player_id": k,
                        "provider_type": "SPORTS",
                        "provider_id": "book",
                        "stake": 500,
                        "odds": "3.00",
                    },
                    201,
                ),
                Step(
                    "it wins 1500: 1000 credited",
                    "game",
                    "POST",
                    f"/v1/bets/{k}-b1/settle",
                    {"settlement_id": f"{k}-s1", "player_id": k, "result": "WIN", "payout": 1500},
                ),
            ],
        ),
        Flow(
            "Cashback to POINTS, points to SPORTS_NORMAL",
            [
                Step("open account", "payments", "POST", "/v1/accounts", {"player_id": x, "currency": "KRW"}, 201),
                Step(
                    "cashback 1500 (to POINTS)",
                    "promotion",
                    "POST",
                    "/v1/promotions/credits",
                    {"credit_id": f"{x}-cb1", "player_id": x, "kind": "CASHBACK", "amount": 1500},
                    201,
                ),
                Step(
                    "transfer 1200 points to SPORTS_NORMAL",
                    "player",
                    "POST",
                    "/v1/transfers",
                    {"transfer_id": f"{x}-t1", "player_id": x, "from": "POINTS", "to": "SPORTS_NORMAL", "amount": 1200},
                    201,
                ),
            ],
        ),
        Flow(
            "Rollback: a settled bet rolled back restores the balance exactly",
            [
                Step("open account", "payments", "POST", "/v1/accounts", {"player_id": r, "currency": "KRW"}, 201),
                Step(
                    "deposit 3000",
                    "payments",
                    "POST",
                    "/v1/deposits",
                    {
                        "deposit_id": f"{r}-d1",
                        "player_id": r,
                        "amount": 3000,
                        "bucket_type": "SPORTS_NORMAL",
                        "auto_approve": True,
                    },
                    201,
                ),
                Step(
                    "bet 1000",
                    "game",
                    "POST",
                    "/v1/bets",
                    {
                        "bet_id": f"{r}-b1",
                        "player_id": r,
                        "provider_type": "SPORTS",
                        "provider_id": "book",
                        "stake": 1000,
                    },
                    201,
                ),
                Step(
                    "it wins 2000",
                    "game",
                    "POST",
                    f"/v1/bets/{r}-b1/settle",
                    {"settlement_id": f"{r}-s1", "player_id": r, "result": "WIN", "payout": 2000},
                ),
                Step(
                    "provider rolls it back",
                    "game",
                    "POST",
                    f"/v1/bets/{r}-b1/rollback",
                    {"rollback_id": f"{r}-r1", "player_id": r, "reason": "event cancelled"},
                ),
            ],
        ),
        Flow(
            "Casino aggregator: Valkyrie's PAM API calls for a roulette round (bet, two wins, round over)",
            [
                Step(
                    "open account (EUR)", "payments", "POST", "/v1/accounts", {"player_id": v, "currency": "EUR"}, 201
                ),
                Step(
                    "deposit 100.00",
                    "payments",
                    "POST",
                    "/v1/deposits",
                    {
                        "deposit_id": f"{v}-d1",
                        "player_id": v,
                        "amount": 10000,
                        "bucket_type": "CASINO_NORMAL",
                        "auto_approve": True,
                    },
                    201,
                ),
                Step(
                    "game session at evolution",
                    "player",
                    "POST",
                    "/v1/game-sessions",
                    {"player_id": v, "provider": "evolution", "game_id": "roulette", "country": "SE", "language": "sv"},
                    201,
                    session=True,
                ),
                Step(
                    "bet 10.00 (WITHDRAW)",
                    "casino",
                    "POST",
                    pam,
                    content=_pam_transaction("WITHDRAW", f"{v}-w1", "10.00"),
                ),
                Step(
                    "win 15.00 (DEPOSIT)",
                    "casino",
                    "POST",
                    pam,
                    content=_pam_transaction("DEPOSIT", f"{v}-d1", "15.00"),
                ),
                Step("second win 5.00", "casino", "POST", pam, content=_pam_transaction("DEPOSIT", f"{v}-d2", "5.00")),
                Step(
                    "round over (isGameOver)",
                    "casino",
                    "POST",
                    pam,
                    content=_pam_transaction("DEPOSIT", f"{v}-d3", "0", round_over=True),
                ),
            ],
        ),
    ]


class DemoFailed(Exception):
    pass


def run(base_url: str, api_key: str, prefix: str | None = None) -> list[FlowResult]:
    prefix = prefix or f"demo-{uuid.uuid4().hex[:8]}"
    headers = {"Authorization": f"Bearer {api_key}"}
    results = []
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        for flow in flows(prefix):
            first = flow.steps[0].body
            assert first is not None, "a flow starts by naming its player"
            player = first["player_id"]
            result = FlowResult(flow.name, player)
            token = ""
            for step in flow.steps:
                if step.content is not None:
                    # Valkyrie's headers (pam/genericpam): the player's session and a correlation id.
                    pam_headers = {"X-Player-Token": token, "X-Correlation-ID": f"demo-{uuid.uuid4().hex[:8]}"}
                    response = client.request(
                        step.method,
                        step.path,
                        content=step.content,
                        headers={**pam_headers, "Content-Type": "application/json"},
                    )
                else:
                    response = client.request(step.method, step.path, json=step.body)
                if response.status_code != step.status or (step.content and response.json().get("status") != "OK"):
                    raise DemoFailed(
                        f"{flow.name} / {step.title}: expected HTTP {step.status}, got "
                        f"{response.status_code}: {response.text}"
                    )
                if step.session:
                    token = response.json()["token"]
                snap = client.get(f"/v1/players/{player}/balances").json()
                lines = {b["bucket_type"]: b["balance"] for g in snap["groups"] for b in g["buckets"]}
                lines.update({b["bucket_type"]: b["balance"] for b in snap["shared"]})
                rolling = (
                    ", ".join(f"{o['wallet_group']} {o['progress']}/{o['required']}" for o in snap["rolling"]) or "-"
                )
                result.rows.append(
                    Row(
                        step.title,
                        response.status_code,
                        lines,
                        snap["withdrawable"],
                        snap["open_bets"]["stake"],
                        rolling,
                        sum(c["remaining"] for c in snap["coupons"]),
                    )
                )
            results.append(result)
    return results


def render(results: list[FlowResult]) -> str:
    out = []
    for result in results:
        columns = [b for b in BUCKETS if any(row.balances.get(b) for row in result.rows)]
        header = ["step", "HTTP", *columns, "withdrawable", "in bets", "coupons", "rolling"]
        table = [
            [
                row.step,
                str(row.status),
                *(str(row.balances.get(b, 0)) for b in columns),
                str(row.withdrawable),
                str(row.open_bets),
                str(row.coupons),
                row.rolling,
            ]
            for row in result.rows
        ]
        widths = [max(len(cell) for cell in col) for col in zip(header, *table, strict=True)]
        fmt = "  ".join(f"{{:<{w}}}" if i == 0 or i == len(widths) - 1 else f"{{:>{w}}}" for i, w in enumerate(widths))
        out.append(f"{result.name}  (player {result.player_id})")
        out.append(fmt.format(*header))
        out.append(fmt.format(*("-" * w for w in widths)))
        out.extend(fmt.format(*line) for line in table)
        out.append("")
    return "\n".join(out)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_local() -> str:
    """Start the local PostgreSQL (if needed) and a server on a free port, run the demo, stop both."""
    import psycopg

    from ruby_wallet.cli import database, scalar

    with database(prepare_api_login=not os.environ.get("DATABASE_URL")) as (owner_url, api_url):
        with psycopg.connect(owner_url, autocommit=True) as conn:
            key = scalar(conn, "SELECT ops.api_key_create(%s, %s)", (f"demo-{uuid.uuid4().hex[:8]}", SCOPES.split(",")))
        port = _free_port()
        env = {**os.environ, "RUBY_WALLET_API_DATABASE_URL": api_url}
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "ruby_wallet.asgi:app", "--port", str(port), "--log-level", "warning"],
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise DemoFailed("the demo server did not start")
                time.sleep(0.2)
            return render(run(base, key))
        finally:
            server.terminate()
            server.wait(timeout=30)
