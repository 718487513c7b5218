"""Property test of batch settlement (SPEC §5c): a hypothesis state machine plays random sequences
on twin players — every player exists twice, `s` and `b`, and gets the same deposits, credits,
coupons, bets and rollbacks.  Settlements come in groups of 1 to 8 over several players: the `s`
twins get each one as a single POST /v1/bets/{bet_id}/settle, in list order; the `b` twins get
the whole group as one POST /v1/bets/settlements.  Groups mix new settlements (WIN, LOSS, VOID,
CASHOUT, of bets funded by cash, bonus money and free-bet coupons, progressing and completing
rolling obligations), replays, conflicting replays, settlements of settled, rolled-back and
unknown bets, unknown players and invalid items.

Every item's answer (status and body) must be the single route's, and after every step the
twins must be the same: buckets, pockets, coupons, rolling obligations and their progress, bets,
and the ledger and outbox entry by entry — ids of the twin (player, coupon, credit, rolling and
ledger ids) aside.

Knobs (environment): RW_PROPERTY_EXAMPLES (default 20), RW_PROPERTY_STEPS (default 25),
RW_PROPERTY_RANDOM=1 for a random (not derandomized) run.
"""

from __future__ import annotations

import collections
import itertools
import json
import os
import re
from typing import Any
from urllib.parse import quote

import psycopg
from hypothesis import HealthCheck, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

SETTINGS = settings(
    max_examples=int(os.environ.get("RW_PROPERTY_EXAMPLES", "20")),
    stateful_step_count=int(os.environ.get("RW_PROPERTY_STEPS", "25")),
    deadline=None,
    derandomize=not os.environ.get("RW_PROPERTY_RANDOM"),
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
TWINS = ("s", "b")
_examples = itertools.count()
STATS: collections.Counter = collections.Counter()  # what the items did, printed at the end (pytest -s)

# Everything the database holds about one account, in the order it was written; rolling ids are
# replaced by their rank in the account (the twins' come from one sequence).
STATE_SQL = """
WITH r AS (SELECT rolling_id, row_number() OVER (ORDER BY rolling_id) AS rank FROM wallet.rolling_obligation
            WHERE account_id = %(a)s)
SELECT jsonb_build_object(
  'status', (SELECT status FROM wallet.account WHERE account_id = %(a)s),
  'buckets', (SELECT coalesce(jsonb_object_agg(bucket_type, balance), '{}') FROM wallet.bucket WHERE account_id = %(a)s),
  'coupons', (SELECT coalesce(jsonb_agg(jsonb_build_array(coupon_id, remaining, status) ORDER BY coupon_id), '[]')
                FROM wallet.coupon WHERE account_id = %(a)s),
  'rolling', (SELECT coalesce(jsonb_agg(jsonb_build_array(r.rank, o.wallet_group, o.kind, o.base_amount, o.required,
                                                          o.progress, o.status, o.source_kind, o.source_id) ORDER BY r.rank), '[]')
                FROM wallet.rolling_obligation o JOIN r USING (rolling_id) WHERE o.account_id = %(a)s),
  'progress', (SELECT coalesce(jsonb_agg(jsonb_build_array(r.rank, p.bet_id, p.amount) ORDER BY r.rank, p.bet_id), '[]')
                 FROM wallet.rolling_progress p JOIN r USING (rolling_id) WHERE p.account_id = %(a)s),
  'bets', (SELECT coalesce(jsonb_agg(jsonb_build_array(bet_id, status, tombstone, stake, result, payout, settlement_id,
                                                       settle_rolling, sources, source_amounts, destinations) ORDER BY bet_id), '[]')
             FROM wallet.bet WHERE account_id = %(a)s),
  'ledger', (SELECT coalesce(jsonb_agg(jsonb_build_array(kind, ref, targets, amounts, balances_after, topology_version)
                                       ORDER BY txn_id), '[]')
               FROM wallet.ledger_txn WHERE account_id = %(a)s),
  'outbox', (SELECT coalesce(jsonb_agg(jsonb_build_array(event_type, payload) ORDER BY event_id), '[]')
               FROM wallet.outbox WHERE account_id = %(a)s))
"""


def unify(value: Any, prefix: str, ranks: dict[str, dict[int, int]]) -> Any:
    """A twin's answer or state in terms both twins share: `<prefix>-s-` and `<prefix>-b-` ids
    become `<prefix>-T-`, a rolling id its rank in the account (`ranks`: twin -> id -> rank)."""
    rank_of = {rid: (twin, rank) for twin, by_id in ranks.items() for rid, rank in by_id.items()}

    def walk(v: Any, key: str | None = None) -> Any:
        if isinstance(v, dict):
            return {k: walk(x, k) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x, key) for x in v]
        if key == "rolling_id" and isinstance(v, int) and v in rank_of:
            return f"rolling#{rank_of[v][1]}"
        if isinstance(v, str):
            v = re.sub(rf"{re.escape(prefix)}-[sb]-", f"{prefix}-T-", v)
            return re.sub(
                r"^rolling:(\d+)$", lambda m: f"rolling:#{rank_of.get(int(m.group(1)), ('', m.group(1)))[1]}", v
            )
        return v

    return walk(value)


class Twins(RuleBasedStateMachine):
    api: Any = None
    db_url: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.prefix = f"t{next(_examples)}"
        self.n = itertools.count()
        self.players: list[str] = []  # logical players: <prefix>-<twin>-<name> per twin
        self.bets: dict[str, list[str]] = {}  # logical player -> bet ids (the twins use the same)
        self.sent: list[dict[str, Any]] = []  # settlement items sent before (for replays and conflicts)
        self.conn = psycopg.connect(self.db_url, autocommit=True)

    def teardown(self) -> None:
        self.conn.close()

    # ---- plumbing

    def twin_id(self, twin: str, name: str) -> str:
        return f"{self.prefix}-{twin}-{name}"

    def both(self, method: str, path: str, body: dict[str, Any], scope: str) -> list[Any]:
        """The same request for each twin (`{T}` in the path and body is the twin); both answers
        must be the same, ids of the twin aside."""
        answers = {}
        for twin in TWINS:
            concrete = json.loads(json.dumps(body).replace("{T}", f"{self.prefix}-{twin}-"))
            response = getattr(self.api, method)(path.replace("{T}", f"{self.prefix}-{twin}-"), concrete, scope=scope)
            answers[twin] = [response.status_code, response.json()]
        ranks = self.ranks()
        unified = {twin: unify(answer, self.prefix, ranks) for twin, answer in answers.items()}
        assert unified["s"] == unified["b"], f"{method} {path} {body}: the twins answered differently: {answers}"
        return answers["s"]

    def ranks(self) -> dict[str, dict[int, int]]:
        """twin -> rolling id -> its rank in its account."""
        ranks: dict[str, dict[int, int]] = {twin: {} for twin in TWINS}
        rows = self.conn.execute(
            """SELECT account_id, rolling_id, row_number() OVER (PARTITION BY account_id ORDER BY rolling_id)
                 FROM wallet.rolling_obligation WHERE account_id LIKE %s""",
            (f"{self.prefix}-%",),
        ).fetchall()
        for account, rolling_id, rank in rows:
            ranks[account[len(self.prefix) + 1]][rolling_id] = rank
        return ranks

    def state(self, account: str) -> dict[str, Any]:
        return self.conn.execute(STATE_SQL, {"a": account}).fetchone()[0]

    # ---- setup and the commands both twins get alike

    @initialize(data=st.data())
    def open_players(self, data) -> None:
        for name in ("p0", "p1", "p2")[: data.draw(st.integers(1, 3), label="players")]:
            self.players.append(name)
            self.bets[name] = []
            status, _ = self.both("post", "/v1/accounts", {"player_id": "{T}" + name, "currency": "KRW"}, "payments")
            assert status == 201
            for bucket in ("SPORTS_NORMAL", "CASINO_NORMAL"):
                amount = data.draw(st.integers(100, 2000), label=f"deposit {bucket}")
                status, _ = self.both(
                    "post",
                    "/v1/deposits",
                    {
                        "deposit_id": "{T}" + f"d{next(self.n)}",
                        "player_id": "{T}" + name,
                        "amount": amount,
                        "bucket_type": bucket,
                        "auto_approve": True,
                    },
                    "payments",
                )
                assert status == 201
            for _ in range(data.draw(st.integers(1, 4), label="open bets")):
                self.place_bet(data, name, stake=data.draw(st.integers(1, 90), label="stake"))

    @rule(data=st.data())
    def promotion(self, data) -> None:
        """Bonus money with rolling, or a coupon (a free bet, or stake returned)."""
        name = data.draw(st.sampled_from(self.players), label="player")
        if data.draw(st.booleans(), label="coupon?"):
            body = {
                "coupon_id": "{T}" + f"c{next(self.n)}",
                "player_id": "{T}" + name,
                "amount": data.draw(st.integers(50, 800), label="amount"),
                "provider_types": ["SPORTS"],
                "stake_returned": data.draw(st.booleans(), label="stake returned"),
                "rolling_multiplier": data.draw(st.integers(0, 2), label="rolling"),
            }
            path = "/v1/coupons"
        else:
            body = {
                "credit_id": "{T}" + f"cr{next(self.n)}",
                "player_id": "{T}" + name,
                "kind": "EVENT",
                "amount": data.draw(st.integers(50, 1500), label="amount"),
                "bucket_type": data.draw(st.sampled_from(["SPORTS_BONUS", "CASINO_BONUS", "WITHDRAWABLE"]), label="to"),
                "rolling_multiplier": data.draw(st.integers(0, 3), label="rolling"),
            }
            path = "/v1/promotions/credits"
        self.both("post", path, body, "promotion")  # refused alike when the bucket takes no rolling

    @rule(data=st.data())
    def bet(self, data) -> None:
        name = data.draw(st.sampled_from(self.players), label="player")
        self.place_bet(data, name, stake=data.draw(st.one_of(st.integers(1, 400), st.integers(1, 1500)), label="stake"))

    def place_bet(self, data, name: str, stake: int) -> None:
        bet_id = f"bet{next(self.n)}"
        body = {
            "bet_id": bet_id,
            "player_id": "{T}" + name,
            "provider_type": data.draw(st.sampled_from(["SPORTS", "SPORTS", "SLOTS", "LIVE"]), label="provider"),
            "provider_id": "prov",
            "stake": stake,
        }
        odds = data.draw(st.sampled_from([None, "1.5", "2", "3.25"]), label="odds")
        if odds:
            body["odds"] = odds
        status, _ = self.both("post", "/v1/bets", body, "game")
        if status == 201:
            self.bets[name].append(bet_id)

    @rule(data=st.data())
    def rollback(self, data) -> None:
        name = data.draw(st.sampled_from(self.players), label="player")
        bet_id = data.draw(st.sampled_from(self.bets[name] or ["never-seen"]), label="bet")
        body = {"rollback_id": f"rb{next(self.n)}", "player_id": "{T}" + name, "reason": "provider"}
        self.both("post", f"/v1/bets/{quote(bet_id, safe='')}/rollback", body, "game")

    # ---- settlements: singles for one twin, one batch for the other

    def item(self, data) -> dict[str, Any]:
        """One settlement, as the logical player's (`{T}` stands for the twin)."""
        kind = data.draw(
            st.sampled_from(["new"] * 6 + ["replay", "conflict", "other key", "unknown bet", "ghost", "invalid"]),
            label="item",
        )
        if kind in ("replay", "conflict") and self.sent:
            earlier = dict(data.draw(st.sampled_from(self.sent), label="earlier"))
            if kind == "conflict":
                earlier["result"], earlier["payout"] = "CASHOUT", (earlier.get("payout") or 0) + 1
            return earlier
        name = data.draw(st.sampled_from(self.players), label="player")
        open_bets = [
            bet_id
            for (bet_id,) in self.conn.execute(
                "SELECT bet_id FROM wallet.bet WHERE account_id = %s AND status = 'AUTHORIZED' ORDER BY bet_id",
                (self.twin_id("s", name),),
            ).fetchall()
        ]
        pool = open_bets if open_bets and data.draw(st.integers(0, 4), label="any bet?") < 4 else self.bets[name]
        bet_id = data.draw(st.sampled_from(pool or ["never-seen"]), label="bet")
        result = data.draw(st.sampled_from(["WIN", "WIN", "LOSS", "VOID", "CASHOUT"]), label="result")
        item: dict[str, Any] = {"bet_id": bet_id, "settlement_id": f"st{next(self.n)}", "player_id": "{T}" + name}
        item["result"] = result
        if result in ("WIN", "CASHOUT") or (result == "VOID" and data.draw(st.booleans(), label="void payout")):
            item["payout"] = data.draw(st.integers(0, 5000), label="payout")
        if kind == "unknown bet":
            item["bet_id"] = f"nope{next(self.n)}"
        elif kind == "ghost":
            item["player_id"] = "{T}ghost"
        elif kind == "invalid":
            flaw = data.draw(st.sampled_from(["loss payout", "no payout", "bad result", "bad key", "bad bet id"]))
            if flaw == "loss payout":
                item["result"], item["payout"] = "LOSS", 5
            elif flaw == "no payout":
                item["result"] = "WIN"
                item.pop("payout", None)
            elif flaw == "bad result":
                item["result"] = "PUSH"
            elif flaw == "bad key":
                item["settlement_id"] = "a b"
            else:
                item["bet_id"] = "bad id"
        return item

    @rule(data=st.data())
    def settle_group(self, data) -> None:
        group = [self.item(data) for _ in range(data.draw(st.integers(1, 8), label="items"))]
        singles = []
        for item in group:
            concrete = json.loads(json.dumps(item).replace("{T}", f"{self.prefix}-s-"))
            body = {k: v for k, v in concrete.items() if k != "bet_id"}
            response = self.api.post(f"/v1/bets/{quote(concrete['bet_id'], safe='')}/settle", body, scope="game")
            singles.append((response.status_code, response.json()))
        batch_items = [json.loads(json.dumps(item).replace("{T}", f"{self.prefix}-b-")) for item in group]
        response = self.api.post("/v1/bets/settlements", {"settlements": batch_items}, scope="game")
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        note(f"group {group}\nsingles {singles}\nbatch {results}")
        assert [r["index"] for r in results] == list(range(len(group)))
        ranks = self.ranks()
        for item, (status, body), result in zip(group, singles, results, strict=True):
            assert result["status"] == status, f"{item}: single {status} {body}, batch {result}"
            assert unify(result["body"], self.prefix, ranks) == unify(body, self.prefix, ranks), (
                f"{item}: single {body}\nbatch {result['body']}"
            )
            STATS[f"item {status} {body.get('code', body.get('result'))}"] += 1
            if status == 200:
                self.sent.append(item)
                STATS.update(f"rolling {r['status']}" for r in body["rolling"])
                STATS.update(f"credit {c['bucket_type']}" for c in body["credits"])

    # ---- the twins stay the same

    @invariant()
    def twins_are_the_same(self) -> None:
        if not self.players:
            return
        ranks = self.ranks()
        for name in self.players:
            s = unify(self.state(self.twin_id("s", name)), self.prefix, ranks)
            b = unify(self.state(self.twin_id("b", name)), self.prefix, ranks)
            for part in s:
                assert s[part] == b[part], f"{name}: {part} differs\nsingles {s[part]}\nbatch   {b[part]}"
            reconcile = "SELECT * FROM ops.reconcile_player(p_player_id => %s)"
            assert self.conn.execute(reconcile, (self.twin_id("b", name),)).fetchall() == []


def test_batches_and_single_settlements_leave_twins_the_same(api, db_url):
    Twins.api, Twins.db_url = api, db_url
    run_state_machine_as_test(Twins, settings=SETTINGS)
    print("\nbatch twins: " + ", ".join(f"{k}: {v}" for k, v in sorted(STATS.items())))
