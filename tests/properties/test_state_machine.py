"""Property-based tests (issue 5, item 3): a hypothesis state machine sends random sequences of
every money command — with replays, conflicting replays and invalid inputs — straight to the SQL
functions as the API role, and checks each answer and the whole state of every player it made
against the independent Python model of tests/properties/model.py.  After every step: the database equals
the model (account status, buckets, contra pockets, coupons, rolling obligations and their
progress, bets, deposits, withdrawals, promotion credits, the player snapshot) and the
reconciliation of its players is clean; after each example, that of the whole database.

One database serves the whole run; each example gets its own player ids.  Knobs (environment):
RW_PROPERTY_EXAMPLES (default 60), RW_PROPERTY_STEPS (default 40), RW_PROPERTY_RANDOM=1 for a
random (not derandomized) run.  A failure prints the minimal sequence of steps.
"""

from __future__ import annotations

import collections
import csv
import itertools
import json
import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from hypothesis import HealthCheck, event, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ruby_wallet.dsn import with_role
from tests.properties import model as M

ROOT = Path(__file__).resolve().parents[2]
with (ROOT / "sql" / "error_codes.tsv").open() as f:
    SQLSTATE = {row["code"]: row["sqlstate"] for row in csv.DictReader(f, delimiter="\t") if row["sqlstate"]}

SETTINGS = settings(
    max_examples=int(os.environ.get("RW_PROPERTY_EXAMPLES", "60")),
    stateful_step_count=int(os.environ.get("RW_PROPERTY_STEPS", "40")),
    deadline=None,
    derandomize=not os.environ.get("RW_PROPERTY_RANDOM"),
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

ACTOR = "'property-test'"
SQL = {
    "open_account": f"SELECT payments.open_account(%s::text, %s::text, {ACTOR})",
    "account_set_status": f"SELECT admin.account_set_status(%s::text, %s::text, %s::text, {ACTOR})",
    "admin_adjust": f"SELECT admin.admin_adjust(%s::text, %s::text, %s::text, %s::bigint, %s::text, {ACTOR})",
    "deposit_create": f"SELECT payments.deposit_create(%s::text, %s::text, %s::bigint, %s::text, %s::boolean, {ACTOR})",
    "deposit_approve": f"SELECT payments.deposit_approve(%s::text, {ACTOR})",
    "deposit_reject": f"SELECT payments.deposit_reject(%s::text, %s::text, {ACTOR})",
    "withdrawal_create": f"SELECT payments.withdrawal_create(%s::text, %s::text, %s::bigint, {ACTOR})",
    "withdrawal_complete": f"SELECT payments.withdrawal_complete(%s::text, {ACTOR})",
    "withdrawal_reject": f"SELECT payments.withdrawal_reject(%s::text, %s::text, {ACTOR})",
    "bet_authorize": "SELECT game.bet_authorize(%s::text, %s::text, %s::text, %s::text, %s::bigint, %s::numeric, "
    f"%s::text, {ACTOR})",
    "bet_settle": f"SELECT game.bet_settle(%s::text, %s::text, %s::text, %s::text, %s::bigint, {ACTOR})",
    "bet_rollback": f"SELECT game.bet_rollback(%s::text, %s::text, %s::text, %s::text, {ACTOR})",
    "coupon_grant": "SELECT promotion.coupon_grant(%s::text, %s::text, %s::bigint, %s::text[], %s::numeric, %s::bigint, "
    f"%s::timestamptz, %s::boolean, %s::text, %s::integer, {ACTOR})",
    "coupon_reverse": f"SELECT promotion.coupon_reverse(%s::text, %s::text, %s::text, {ACTOR})",
    "promotion_credit": "SELECT promotion.promotion_credit(%s::text, %s::text, %s::text, %s::bigint, %s::text, %s::integer, "
    f"{ACTOR})",
    "promotion_reverse": f"SELECT promotion.promotion_reverse(%s::text, %s::text, %s::text, {ACTOR})",
    "transfer_create": f"SELECT player.transfer_create(%s::text, %s::text, %s::text, %s::text, %s::bigint, {ACTOR})",
    "rolling_waive": f"SELECT admin.rolling_waive(%s::bigint, %s::text, {ACTOR})",
    "rolling_cancel": f"SELECT admin.rolling_cancel(%s::bigint, %s::text, {ACTOR})",
}
# Commands idempotent on a caller key: re-sending one returns the first result unchanged.
KEYED = {
    "admin_adjust",
    "deposit_create",
    "withdrawal_create",
    "bet_authorize",
    "bet_settle",
    "bet_rollback",
    "coupon_grant",
    "coupon_reverse",
    "promotion_credit",
    "promotion_reverse",
    "transfer_create",
}

# Everything the database holds about one player, in the model's shape (see expected_state).
STATE_SQL = """
SELECT a.account_id, jsonb_build_object(
  'status', a.status,
  'buckets', (SELECT coalesce(jsonb_object_agg(b.bucket_type, b.balance), '{}') FROM wallet.bucket b
               WHERE b.account_id = a.account_id AND b.balance <> 0),
  'pockets', (SELECT coalesce(jsonb_object_agg(x.pocket, x.total), '{}')
                FROM (SELECT e.pocket, sum(e.amount)::bigint AS total FROM wallet.ledger_entry e
                       WHERE e.account_id = a.account_id AND e.pocket IS NOT NULL
                       GROUP BY e.pocket HAVING sum(e.amount) <> 0) x),
  'coupons', (SELECT coalesce(jsonb_object_agg(c.coupon_id, jsonb_build_array(c.remaining, c.status)), '{}')
                FROM wallet.coupon c WHERE c.account_id = a.account_id),
  'rolling', (SELECT coalesce(jsonb_object_agg(r.rolling_id::text, jsonb_build_array(r.wallet_group, r.kind,
                              r.base_amount, r.required, r.progress, r.status)), '{}')
                FROM wallet.rolling_obligation r WHERE r.account_id = a.account_id),
  'progress', (SELECT coalesce(jsonb_object_agg(r.rolling_id || ':' || r.bet_id, r.amount), '{}')
                 FROM wallet.rolling_progress r WHERE r.account_id = a.account_id),
  'bets', (SELECT coalesce(jsonb_object_agg(t.bet_id, jsonb_build_array(t.status, t.tombstone, t.stake, t.result,
                           t.payout)), '{}') FROM wallet.bet t WHERE t.account_id = a.account_id),
  'deposits', (SELECT coalesce(jsonb_object_agg(d.deposit_id, d.status), '{}') FROM wallet.deposit d
                WHERE d.account_id = a.account_id),
  'withdrawals', (SELECT coalesce(jsonb_object_agg(w.withdrawal_id, w.status), '{}') FROM wallet.withdrawal w
                   WHERE w.account_id = a.account_id),
  'credits', (SELECT coalesce(jsonb_object_agg(p.credit_id, jsonb_build_array(p.status, p.reversed, p.unrecovered)), '{}')
                FROM wallet.promotion_credit p WHERE p.account_id = a.account_id)),
  (SELECT count(*) FROM wallet.ledger_txn t WHERE t.account_id = a.account_id)
  + (SELECT count(*) FROM wallet.outbox o WHERE o.account_id = a.account_id)
  FROM wallet.account a WHERE a.account_id = ANY(%s)
"""

EXPIRIES = [None, datetime(2098, 1, 1, tzinfo=UTC), datetime(2099, 6, 1, tzinfo=UTC)]
ODDS = [None, Decimal("1.5"), Decimal("2"), Decimal("3.25")]
MIN_ODDS = [None, None, Decimal("1.5"), Decimal("2.5")]
VALID_EDGES = sorted(M.EDGES)
BAD_EDGES = [
    ("SPORTS_BONUS", "SPORTS_NORMAL"),
    ("SPORTS_NORMAL", "POINTS"),
    ("CASINO_NORMAL", "WITHDRAWABLE"),
    ("SPORTS_NORMAL", "SPORTS_NORMAL"),
    ("NOPE", "SPORTS_NORMAL"),
    ("SPORTS_NORMAL", "NOPE"),
]


def expected_state(p: M.Player) -> dict:
    """The model's player in the shape of STATE_SQL."""
    return {
        "status": p.status,
        "buckets": {k: v for k, v in p.buckets.items() if v != 0},
        "pockets": {k: v for k, v in p.pockets.items() if v != 0},
        "coupons": {c.coupon_id: [c.remaining, c.status] for c in p.coupons.values()},
        "rolling": {
            str(ob.rolling_id): [ob.group, ob.kind, ob.base, ob.required, ob.progress, ob.status]
            for ob in p.obligations.values()
        },
        "progress": {f"{rid}:{b.bet_id}": amount for b in p.bets.values() for rid, amount in b.progress_given.items()},
        "bets": {b.bet_id: [b.status, b.tombstone, b.stake, b.result, b.payout] for b in p.bets.values()},
        "deposits": {d.deposit_id: d.status for d in p.deposits.values()},
        "withdrawals": {w.withdrawal_id: w.status for w in p.withdrawals.values()},
        "credits": {c.credit_id: [c.status, c.reversed, c.unrecovered] for c in p.credits.values()},
    }


def fingerprint(model: M.Wallet) -> str:
    """The model's money and records (not its idempotency memory): equal before and after a
    command that must write nothing."""
    return repr([(pid, {k: v for k, v in vars(p).items() if k != "idempotency"}) for pid, p in model.players.items()])


def normalized(name: str, result: Any) -> Any:
    if name == "bet_rollback" and isinstance(result, dict) and "rolling" in result:
        return {**result, "rolling": sorted(result["rolling"], key=lambda r: r["rolling_id"])}
    return result


# ---------------------------------------------------------------------------------------------

SPORTS_POLICY_SQL = {
    "create": "SELECT admin.policy_create('SPORTS', jsonb_set(jsonb_set(wallet._default_betting_policy('SPORTS', 1), "
    "'{rolling,contribution_bps}', to_jsonb(%s::integer)), '{rolling,min_odds}', to_jsonb(%s::numeric)), "
    f"'property tests', NULL, {ACTOR})",
    "activate": f"SELECT admin.policy_activate('SPORTS', %s, 'property tests', {ACTOR})",
}


def test_random_command_sequences_match_the_model(db_url):
    api = psycopg.connect(with_role(db_url, "wallet_dba"), autocommit=True)
    # Reads state and reconciles; writes only the SPORTS betting policy versions (config, not money).
    admin = psycopg.connect(db_url, autocommit=True)
    for version, (bps, min_odds) in sorted(M.SPORTS_POLICIES.items())[1:]:
        created = admin.execute(SPORTS_POLICY_SQL["create"], (bps, min_odds)).fetchone()[0]
        assert created.get("version") == version, created
    examples = itertools.count()
    stats: collections.Counter = collections.Counter()  # printed at the end (pytest -s)

    class WalletMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.prefix = f"x{next(examples)}"
            last, called = admin.execute("SELECT last_value, is_called FROM wallet.rolling_id_seq").fetchone()
            self.model = M.Wallet(next_rolling_id=last + 1 if called else last)
            admin.execute(SPORTS_POLICY_SQL["activate"], (self.model.sports_policy,))  # every example starts on v1
            self.players: list[str] = []
            self.ids = itertools.count()
            self.history: list[tuple[str, tuple, Any]] = []
            self.writes: dict[str, int] = {}
            self.step_ran = self.step_changed = False  # did this step run a command, change the model?

        # ---- plumbing

        def new_id(self, kind: str) -> str:
            return f"{self.prefix}-{kind}{next(self.ids)}"

        def player(self, data, ghost: bool = True) -> str:
            if ghost and data.draw(st.integers(0, 19), label="ghost?") == 19:
                return f"{self.prefix}-ghost"  # no such account: UNKNOWN_ACCOUNT
            return data.draw(st.sampled_from(self.players), label="player")

        def bad(self, data, label: str) -> bool:
            """True about one time in ten (and shrinks to False)."""
            return data.draw(st.integers(0, 9), label=label) == 9

        def pick(self, data, label: str, usual: list, rarer: list, fresh: str) -> Any:
            """Mostly one of `usual`, sometimes one of `rarer`, now and then a new (unknown) id."""
            roll = data.draw(st.integers(0, 9), label=label)
            if usual and roll <= 6:
                return data.draw(st.sampled_from(usual), label=label)
            if rarer and roll <= 8:
                return data.draw(st.sampled_from(rarer), label=label)
            if usual and roll <= 8:
                return data.draw(st.sampled_from(usual), label=label)
            return self.new_id(fresh)

        @staticmethod
        def amount(held: int, limit: int = 3000):
            """An amount around what there is: within it, all of it, one more, or any."""
            return st.one_of(
                st.integers(1, max(held, 1)), st.just(max(held, 1)), st.integers(1, limit), st.just(held + 1)
            )

        def execute(self, name: str, *args: Any) -> tuple[Any, Any, str | None]:
            """Runs one command on the model and on the database; they must agree on success or the
            exact error code, and on every amount the model predicts."""
            note(f"{name}{args!r}")
            before = fingerprint(self.model)
            available = None
            try:
                expected, expected_error = self.model.run(name, *args), None
            except M.WalletError as exc:
                expected, expected_error, available = None, exc.code, exc.available
            try:
                actual, actual_error = api.execute(SQL[name], args).fetchone()[0], None
            except psycopg.Error as exc:
                actual, actual_error = None, (exc.sqlstate, str(exc).splitlines()[0])
                detail = json.loads(exc.diag.message_detail or "{}") if (exc.sqlstate or "").startswith("RW") else {}
            stats[f"{name}: {expected_error or 'ok'}"] += 1
            if expected_error is not None:
                event(f"refused {name} {expected_error}")
                assert actual_error is not None, (
                    f"{name}{args!r}: model refuses with {expected_error}, SQL answered {actual}"
                )
                assert actual_error[0] == SQLSTATE[expected_error], (
                    f"{name}{args!r}: model refuses with {expected_error} ({SQLSTATE[expected_error]}), "
                    f"SQL refused with {actual_error}"
                )
                if available is not None:
                    assert detail.get("available") == available, (
                        f"{name}{args!r}: model says {available} was available, SQL says {detail}"
                    )
            else:
                assert actual_error is None, (
                    f"{name}{args!r}: model answers {expected}, SQL refused with {actual_error}"
                )
                mismatched = {
                    k: (v, actual.get(k, "<missing>"))
                    for k, v in normalized(name, expected).items()
                    if normalized(name, actual).get(k, "<missing>") != v
                }
                assert not mismatched, f"{name}{args!r}: (model, SQL) differ: {mismatched}\nSQL answered {actual}"
                if name in KEYED:
                    self.history.append((name, args, actual))

            self.step_ran = True
            self.step_changed |= fingerprint(self.model) != before
            return expected, actual, expected_error

        # ---- accounts and adjustments

        @initialize(data=st.data())
        def first_player(self, data) -> None:
            """A first player with some money, so bets and transfers have something to move."""
            self.players.append(f"{self.prefix}-p0")
            self.execute("open_account", self.players[-1], "KRW")
            for bucket in data.draw(
                st.lists(
                    st.sampled_from(["SPORTS_NORMAL", "CASINO_NORMAL", "WITHDRAWABLE"]),
                    min_size=1,
                    max_size=2,
                    unique=True,
                ),
                label="funded",
            ):
                amount = data.draw(st.integers(100, 5000), label="amount")
                if bucket == "WITHDRAWABLE" or data.draw(st.booleans(), label="by adjustment"):
                    self.execute("admin_adjust", self.new_id("a"), self.players[-1], bucket, amount, "welcome")
                else:
                    self.execute("deposit_create", self.new_id("d"), self.players[-1], amount, bucket, True)

        @rule(data=st.data())
        def open_account(self, data) -> None:
            choice = data.draw(st.sampled_from(["new", "again", "other currency", "bad currency"]))
            if choice == "new" and len(self.players) < 3:
                self.players.append(f"{self.prefix}-p{len(self.players)}")
                self.execute("open_account", self.players[-1], "KRW")
            elif choice == "bad currency":
                self.execute("open_account", f"{self.prefix}-p9", "krw")
            else:
                self.execute(
                    "open_account", self.player(data, ghost=False), "EUR" if choice == "other currency" else "KRW"
                )

        @rule(data=st.data())
        def account_status(self, data) -> None:
            """Freeze, unfreeze, close (refused while money is anywhere), or a bad request; one
            time in four (a frozen account refuses much of what follows)."""
            if data.draw(st.integers(0, 3), label="status change?") != 0:
                return
            player = self.player(data)
            status = data.draw(st.sampled_from(["frozen", "frozen", "active", "active", "closed", "paused"]))
            reason = " " if self.bad(data, "blank reason?") else "ops decision"
            self.execute("account_set_status", player, status, reason)

        @rule(data=st.data())
        def admin_adjust(self, data) -> None:
            player = self.player(data)
            bucket = data.draw(st.sampled_from([b.code for b in M.BUCKET_TYPES] + ["NOPE"]))
            held = self.model.players[player].balance(bucket) if player in self.model.players else 0
            amount = data.draw(
                st.one_of(
                    st.integers(1, 3000),
                    st.integers(-max(held, 1), -1),
                    st.just(-held),
                    st.just(-held - 1),
                    st.integers(-3000, 3000),
                )
            )
            reason = " " if self.bad(data, "blank reason?") else "ops correction"
            self.execute("admin_adjust", self.new_id("a"), player, bucket, amount, reason)

        # ---- deposits and withdrawals

        @rule(data=st.data())
        def deposit_create(self, data) -> None:
            player = self.player(data)
            bucket = data.draw(
                st.sampled_from(
                    [
                        "SPORTS_NORMAL",
                        "CASINO_NORMAL",
                        "SPORTS_NORMAL",
                        "CASINO_NORMAL",
                        "SPORTS_BONUS",
                        "WITHDRAWABLE",
                        "NOPE",
                    ]
                )
            )
            amount = (
                data.draw(st.sampled_from([0, -100]))
                if self.bad(data, "bad amount?")
                else data.draw(st.integers(1, 5000))
            )
            deposit_id = self.new_id("d")
            others = [d for pid, p in self.model.players.items() if pid != player for d in p.deposits]
            if others and self.bad(data, "another player's deposit id?"):
                deposit_id = data.draw(st.sampled_from(others))  # IDEMPOTENCY_CONFLICT
            self.execute("deposit_create", deposit_id, player, amount, bucket, data.draw(st.booleans(), label="auto"))

        @rule(data=st.data())
        def deposit_decide(self, data) -> None:
            deposits = [d for p in self.model.players.values() for d in p.deposits.values()]
            deposit_id = self.pick(
                data,
                "deposit",
                [d.deposit_id for d in deposits if d.status == "PENDING"],
                [d.deposit_id for d in deposits if d.status != "PENDING"],
                "d",
            )
            if data.draw(st.booleans(), label="approve"):
                self.execute("deposit_approve", deposit_id)
            else:
                self.execute("deposit_reject", deposit_id, "" if self.bad(data, "blank reason?") else "declined")

        @rule(data=st.data())
        def withdrawal_create(self, data) -> None:
            player = self.player(data)
            available = self.model.players[player].withdrawable() if player in self.model.players else 0
            if self.bad(data, "bad amount?"):
                amount = 0
            else:
                amount = data.draw(self.amount(available))
            self.execute("withdrawal_create", self.new_id("w"), player, amount)

        @rule(data=st.data())
        def withdrawal_decide(self, data) -> None:
            withdrawals = [w for p in self.model.players.values() for w in p.withdrawals.values()]
            withdrawal_id = self.pick(
                data,
                "withdrawal",
                [w.withdrawal_id for w in withdrawals if w.status == "PENDING"],
                [w.withdrawal_id for w in withdrawals if w.status != "PENDING"],
                "w",
            )
            if data.draw(st.booleans(), label="complete"):
                self.execute("withdrawal_complete", withdrawal_id)
            else:
                self.execute("withdrawal_reject", withdrawal_id, "" if self.bad(data, "blank reason?") else "declined")

        # ---- bets

        @rule(data=st.data())
        def bet_authorize(self, data) -> None:
            player = self.player(data)
            provider = data.draw(st.sampled_from(["SPORTS", "LIVE", "SLOTS"]))
            if self.bad(data, "bad provider?"):
                provider = data.draw(st.sampled_from(["POKER", "sports"]))  # UNKNOWN_PROVIDER_TYPE, VALIDATION_FAILED
            p = self.model.players.get(player)
            group = M.PROVIDER_GROUP.get(provider, "SPORTS")
            in_group = sum(p.balance(code) for code in M.deduction_order(group)[1:]) if p else 0
            coupons = [c.remaining for c in p.coupons.values() if c.status == "ACTIVE"] if p else []
            stake = data.draw(
                st.one_of(
                    self.amount(in_group + max(coupons, default=0)),
                    st.sampled_from([max(coupons, default=1), 500]),
                    st.integers(1, 100),
                )
            )
            if self.bad(data, "bad stake?"):
                stake = data.draw(st.sampled_from([0, -5]))
            selected = None
            if self.bad(data, "selected source?"):
                selected = data.draw(st.sampled_from(["SPORTS_NORMAL", "NOPE", "coupon:none"]))
            bet_id = self.new_id("b")
            tombstones = [b.bet_id for b in p.bets.values() if b.tombstone] if p else []
            if tombstones and self.bad(data, "tombstoned id?"):
                bet_id = data.draw(st.sampled_from(tombstones))  # BET_ALREADY_ROLLED_BACK
            self.execute(
                "bet_authorize",
                bet_id,
                player,
                provider,
                "prov-1",
                stake,
                data.draw(st.sampled_from(ODDS), label="odds"),
                selected,
            )

        def some_bet(self, data, usual: tuple[str, ...]) -> tuple[str, str]:
            """(player, bet id): mostly a bet in one of the `usual` states, of any player, often
            one of the latest."""
            bets = [(pid, b) for pid, p in self.model.players.items() for b in p.bets.values()]
            usual_bets = [(pid, b.bet_id) for pid, b in bets if b.status in usual]
            if data.draw(st.booleans(), label="latest?"):
                usual_bets = usual_bets[-2:]
            choice = self.pick(
                data, "bet", usual_bets, [(pid, b.bet_id) for pid, b in bets if b.status not in usual], "b"
            )
            return (self.player(data), choice) if isinstance(choice, str) else choice

        def has_bets(self, *statuses: str) -> bool:
            return any(b.status in statuses for p in self.model.players.values() for b in p.bets.values())

        def settlement(self, data, stake: int) -> tuple[str, int | None]:
            """A result and its payout (gross); VOID's payout is ignored, LOSS pays nothing."""
            result = data.draw(st.sampled_from(["WIN", "LOSS", "VOID", "CASHOUT"]), label="result")
            if result == "WIN":
                return result, data.draw(st.one_of(st.integers(0, 3 * stake + 1), st.just(stake), st.just(2 * stake)))
            if result == "CASHOUT":
                return result, data.draw(st.integers(0, 2 * stake))
            return result, data.draw(st.sampled_from([None, 0] if result == "LOSS" else [None, 0, stake]))

        @rule(data=st.data())
        def bet_settle(self, data) -> None:
            player, bet_id = self.some_bet(data, ("AUTHORIZED",))
            p = self.model.players.get(player)
            result, payout = self.settlement(data, p.bets[bet_id].stake if p and bet_id in p.bets else 100)
            if self.bad(data, "bad payout?"):
                payout = {"WIN": None, "CASHOUT": -1, "LOSS": 5, "VOID": payout}[result]
            self.execute("bet_settle", bet_id, player, self.new_id("s"), result, payout)

        @rule(data=st.data())
        def bet_round(self, data) -> None:
            """A bet the player can afford, placed and settled in one step, so that settled bets
            (and their payouts, spent or not) are there for rollbacks."""
            placed = self.affordable_bet(data)
            if placed is not None:
                player, bet_id, stake = placed
                result, payout = self.settlement(data, stake)
                self.execute("bet_settle", bet_id, player, self.new_id("s"), result, payout)

        @rule(data=st.data())
        def bet_open(self, data) -> None:
            """A bet the player can afford, left open: it settles or rolls back in a later step,
            after whatever comes between (a policy switch, a transfer, a freeze, a reversal)."""
            self.affordable_bet(data)

        def affordable_bet(self, data, provider: str | None = None) -> tuple[str, str, int] | None:
            """Authorizes a bet within what the player has; (player, bet id, stake) if it went through."""
            player = self.player(data, ghost=False)
            p = self.model.players[player]
            provider = provider or data.draw(st.sampled_from(["SPORTS", "LIVE", "SLOTS"]))
            group = M.PROVIDER_GROUP[provider]
            coupon = max(
                (c.remaining for c in p.coupons.values() if c.status == "ACTIVE" and provider in c.provider_types),
                default=0,
            )
            available = sum(p.balance(code) for code in M.deduction_order(group)[1:]) + coupon
            if available == 0:
                return None
            stake = data.draw(st.one_of(st.integers(1, available), st.just(max(coupon, 1))), label="stake")
            bet_id = self.new_id("b")
            _, _, error = self.execute(
                "bet_authorize",
                bet_id,
                player,
                provider,
                "prov-1",
                stake,
                data.draw(st.sampled_from(ODDS), label="odds"),
                None,
            )
            return (player, bet_id, stake) if error is None else None

        # The money flow's main commands get a second entry point each: hypothesis picks rules
        # uniformly and switches some off per example ("swarm testing"), so this weights them.
        @rule(data=st.data())
        def bet_authorize_again(self, data) -> None:
            self.bet_authorize(data)

        @rule(data=st.data())
        def bet_round_again(self, data) -> None:
            self.bet_round(data)

        @rule(data=st.data())
        def bet_settle_again(self, data) -> None:
            self.bet_settle(data)

        @rule(data=st.data())
        def deposit_create_again(self, data) -> None:
            self.deposit_create(data)

        @rule(data=st.data())
        def transfer_create_again(self, data) -> None:
            self.transfer_create(data)

        @rule(data=st.data())
        def bet_rollback(self, data) -> None:
            # Settled bets whose payout a rolling release may have moved since are the hard case
            # of SPEC §5a; they get picked first now and then.
            released_since = [
                (pid, b.bet_id)
                for pid, p in self.model.players.items()
                for b in p.bets.values()
                if b.status == "SETTLED" and any(clock > b.settle_clock for clock, _, _ in p.releases)
            ]
            if released_since and data.draw(st.integers(0, 2), label="released since?") == 0:
                player, bet_id = data.draw(st.sampled_from(released_since), label="bet")
            else:
                settled = data.draw(st.booleans(), label="settled?")
                player, bet_id = self.some_bet(data, ("SETTLED",) if settled else ("AUTHORIZED",))
            self.execute("bet_rollback", bet_id, player, self.new_id("r"), "provider rollback")

        # ---- coupons and promotion credits

        @rule(data=st.data())
        def coupon_grant(self, data) -> None:
            player = self.player(data)
            providers = data.draw(
                st.lists(st.sampled_from(["SPORTS", "LIVE", "SLOTS"]), min_size=1, max_size=3, unique=True)
            )
            amount = data.draw(st.integers(1, 2000))
            winnings = data.draw(st.sampled_from([None, None, None, "SPORTS_BONUS", "CASINO_NORMAL", "WITHDRAWABLE"]))
            if self.bad(data, "bad grant?"):
                bad = data.draw(
                    st.sampled_from(
                        [
                            "amount",
                            "providers",
                            "provider",
                            "winnings",
                            "unknown winnings",
                            "odds",
                            "multiplier",
                            "past",
                        ]
                    )
                )
                amount = 0 if bad == "amount" else amount
                providers = [] if bad == "providers" else ["POKER"] if bad == "provider" else providers
                winnings = "POINTS" if bad == "winnings" else "NOPE" if bad == "unknown winnings" else winnings
            else:
                bad = None
            expires = data.draw(st.sampled_from(EXPIRIES))
            if bad == "past":
                expires = datetime(2001, 1, 1, tzinfo=UTC)
            self.execute(
                "coupon_grant",
                self.new_id("c"),
                player,
                amount,
                providers,
                Decimal("0.5") if bad == "odds" else data.draw(st.sampled_from(MIN_ODDS)),
                data.draw(st.sampled_from([None, 500, 2000])),
                expires,
                data.draw(st.booleans(), label="stake_returned"),
                winnings,
                1001 if bad == "multiplier" else data.draw(st.sampled_from([0, 1, 1, 1, 2, 5])),
            )

        @rule(data=st.data())
        def coupon_reverse(self, data) -> None:
            coupons = [c for p in self.model.players.values() for c in p.coupons.values()]
            coupon_id = self.pick(
                data,
                "coupon",
                [c.coupon_id for c in coupons if c.status == "ACTIVE"],
                [c.coupon_id for c in coupons if c.status != "ACTIVE"],
                "c",
            )
            self.execute(
                "coupon_reverse", coupon_id, "" if self.bad(data, "blank key?") else self.new_id("cr"), "reversal"
            )

        @rule(data=st.data())
        def promotion_credit(self, data) -> None:
            player = self.player(data)
            kind = data.draw(st.sampled_from(["REBATE", "CASHBACK", "LOSSBACK", "EVENT"]))
            bucket = data.draw(
                st.sampled_from(
                    [None, "POINTS", "POINTS", "SPORTS_BONUS", "CASINO_BONUS", "SPORTS_NORMAL", "WITHDRAWABLE"]
                )
            )
            amount = data.draw(st.one_of(st.integers(1, 3000), st.integers(1000, 1500)))
            multiplier = data.draw(st.sampled_from([0, 0, 1, 3]))
            if self.bad(data, "bad credit?"):
                bad = data.draw(st.sampled_from(["kind", "amount", "bucket", "multiplier"]))
                kind = "GIFT" if bad == "kind" else kind
                amount = -1 if bad == "amount" else amount
                bucket = "NOPE" if bad == "bucket" else bucket
                multiplier = -1 if bad == "multiplier" else multiplier
            self.execute("promotion_credit", self.new_id("pc"), player, kind, amount, bucket, multiplier)

        @rule(data=st.data())
        def promotion_reverse(self, data) -> None:
            credits = [c for p in self.model.players.values() for c in p.credits.values()]
            credit_id = self.pick(
                data,
                "credit",
                [c.credit_id for c in credits if c.status == "CREDITED"],
                [c.credit_id for c in credits if c.status != "CREDITED"],
                "pc",
            )
            self.execute(
                "promotion_reverse", credit_id, "" if self.bad(data, "blank key?") else self.new_id("pr"), "reversal"
            )

        # ---- transfers and rolling

        @rule(data=st.data())
        def transfer_create(self, data) -> None:
            player = self.player(data)
            p = self.model.players.get(player)
            funded = [edge for edge in VALID_EDGES if p and p.balance(edge[0]) > 0]
            edges = (
                BAD_EDGES
                if self.bad(data, "bad edge?")
                else funded
                if funded and data.draw(st.booleans())
                else VALID_EDGES
            )
            source, target = data.draw(st.sampled_from(edges), label="edge")
            held = p.balance(source) if p else 0
            amount = data.draw(st.one_of(self.amount(held), st.just(max(held // 2, 1)), st.sampled_from([999, 1000])))
            if self.bad(data, "bad amount?"):
                amount = data.draw(st.sampled_from([0, -10]))
            self.execute("transfer_create", self.new_id("t"), player, source, target, amount)

        @rule(data=st.data())
        def rolling_admin(self, data) -> None:
            obligations = sorted(
                (ob for p in self.model.players.values() for ob in p.obligations.values()), key=lambda ob: ob.rolling_id
            )
            rolling_id = self.pick(
                data,
                "obligation",
                [ob.rolling_id for ob in obligations if ob.status == "ACTIVE"],
                [ob.rolling_id for ob in obligations if ob.status != "ACTIVE"],
                "unknown",
            )
            rolling_id = 10**12 if isinstance(rolling_id, str) else rolling_id
            reason = "" if self.bad(data, "blank reason?") else "ops decision"
            self.execute(
                "rolling_waive" if data.draw(st.booleans(), label="waive") else "rolling_cancel", rolling_id, reason
            )

        @rule(version=st.sampled_from(sorted(M.SPORTS_POLICIES)))
        def sports_policy_activate(self, version: int) -> None:
            """A new SPORTS betting policy (another rolling rate and min_odds) or back to the
            first: bets authorized before keep their snapshot."""
            note(f"policy_activate('SPORTS', {version})")
            answer = admin.execute(SPORTS_POLICY_SQL["activate"], (version,)).fetchone()[0]
            assert answer == {"provider_type": "SPORTS", "version": version, "status": "ACTIVE"}, answer
            self.model.policy_activate("SPORTS", version)
            stats[f"sports_policy_activate: v{version}"] += 1

        @rule(data=st.data(), version=st.sampled_from(sorted(M.SPORTS_POLICIES)))
        def bet_across_policy_switch(self, data, version: int) -> None:
            """A SPORTS bet authorized, another policy version activated, the bet settled: the
            settlement (and any later rollback) follows the bet's snapshot."""
            placed = self.affordable_bet(data, "SPORTS")
            self.sports_policy_activate(version)
            if placed is not None:
                player, bet_id, stake = placed
                result, payout = self.settlement(data, stake)
                self.execute("bet_settle", bet_id, player, self.new_id("s"), result, payout)

        # ---- replays

        @precondition(lambda self: self.history)
        @rule(data=st.data())
        def replay(self, data) -> None:
            """The same key and payload again: the first result, unchanged, and nothing written."""
            name, args, first = data.draw(st.sampled_from(self.history), label="replayed")
            _, actual, error = self.execute(name, *args)
            assert error is None and actual == first, f"replay of {name}{args!r} answered {actual}, first {first}"
            assert not self.step_changed, f"the model changed on a replay of {name}{args!r}"

        @precondition(lambda self: self.history)
        @rule(data=st.data())
        def conflicting_replay(self, data) -> None:
            """The same key with another payload: IDEMPOTENCY_CONFLICT, nothing changes."""
            name, args, _ = data.draw(st.sampled_from(self.history), label="replayed")
            args = list(args)
            if name == "admin_adjust":
                args[3] += 1 if args[3] != -1 else 2
            elif name in ("deposit_create", "withdrawal_create", "coupon_grant"):
                args[2] += 1
            elif name == "promotion_credit":
                args[3] += 1
            elif name in ("transfer_create", "bet_authorize"):
                args[4] += 1
            elif name == "bet_settle":
                result, payout = args[3], args[4]
                args[3], args[4] = {
                    "WIN": ("WIN", (payout or 0) + 1),
                    "CASHOUT": ("CASHOUT", (payout or 0) + 1),
                    "LOSS": ("VOID", None),
                    "VOID": ("LOSS", None),
                }[result]
            elif name == "bet_rollback":
                args[0] = args[0] + "-other"
            else:  # a reversal key reused for another grant or credit of the same player
                owner = self.model.owners[("COUPON" if name == "coupon_reverse" else "CREDIT", args[0])]
                records = (
                    self.model.players[owner].coupons if name == "coupon_reverse" else self.model.players[owner].credits
                )
                others = sorted(set(records) - {args[0]})
                if not others:
                    return
                args[0] = data.draw(st.sampled_from(others), label="other record")
            _, _, error = self.execute(name, *args)
            assert error == "IDEMPOTENCY_CONFLICT", f"{name}{tuple(args)!r} should be a conflict, model says {error}"

        # ---- after every step

        @invariant()
        def database_matches_model(self) -> None:
            rows = admin.execute(STATE_SQL, (self.players,)).fetchall()
            assert sorted(r[0] for r in rows) == sorted(self.model.players)
            for player_id, state, writes in rows:
                p = self.model.players[player_id]
                expected = expected_state(p)
                diff = {k: (expected[k], state[k]) for k in expected if expected[k] != state[k]}
                assert not diff, f"{player_id}: (model, database) differ: {diff}"
                if self.step_ran and not self.step_changed:
                    assert writes == self.writes.get(player_id, 0), f"{player_id}: a refused or repeated command wrote"
                self.writes[player_id] = writes

                snapshot = api.execute("SELECT player.player_balances(%s)", (player_id,)).fetchone()[0]
                lines = [b for g in snapshot["groups"] for b in g["buckets"]] + snapshot["shared"]
                assert {b["bucket_type"]: b["balance"] for b in lines} == {
                    b.code: p.balance(b.code) for b in M.BUCKET_TYPES
                }
                assert snapshot["withdrawable"] == p.withdrawable()
                assert snapshot["pending_withdrawals"] == p.pending_withdrawals()
                assert (snapshot["open_bets"]["count"], snapshot["open_bets"]["stake"]) == p.open_bets()
                assert [(c["coupon_id"], c["remaining"]) for c in snapshot["coupons"]] == [
                    (c.coupon_id, c.remaining)
                    for c in sorted(
                        (c for c in p.coupons.values() if c.status == "ACTIVE"),
                        key=lambda c: (c.expires_at is None, c.expires_at or 0, c.grant_order),
                    )
                ]
                assert [
                    (r["rolling_id"], r["base_amount"], r["required"], r["progress"]) for r in snapshot["rolling"]
                ] == [
                    (ob.rolling_id, ob.base, ob.required, ob.progress)
                    for ob in sorted(p.obligations.values(), key=lambda o: o.rolling_id)
                    if ob.status == "ACTIVE"
                ]
            self.step_ran = self.step_changed = False

            # This example's players after every step (one account each: cheap); everyone at the end.
            for player_id in self.players:
                discrepancies = admin.execute("SELECT * FROM ops.reconcile_player(%s)", (player_id,)).fetchall()
                assert not discrepancies, discrepancies

        def teardown(self) -> None:
            discrepancies = admin.execute("SELECT * FROM ops.reconcile()").fetchall()
            assert not discrepancies, discrepancies

    try:
        run_state_machine_as_test(WalletMachine, settings=SETTINGS)
    finally:
        print(f"\n{next(examples)} examples, {sum(stats.values())} commands:")
        for line, count in sorted(stats.items()):
            print(f"  {count:6d}  {line}")
        api.close()
        admin.close()


def test_a_bet_settles_under_the_policy_it_was_authorized_under(db_url):
    """The machine's policy switch, pinned: a SPORTS bet authorized under version 1 (100%
    contribution) and settled after version 2 (50%, min odds 2) became active progresses
    rolling by version 1 — in the model and in the database."""
    with (
        psycopg.connect(with_role(db_url, "wallet_dba"), autocommit=True) as api,
        psycopg.connect(db_url, autocommit=True) as admin,
    ):
        admin.execute(SPORTS_POLICY_SQL["create"], M.SPORTS_POLICIES[2])
        model = M.Wallet(next_rolling_id=admin.execute("SELECT nextval('wallet.rolling_id_seq')").fetchone()[0] + 1)

        def both(name: str, *args: Any) -> dict:
            expected = model.run(name, *args)
            actual = api.execute(SQL[name], args).fetchone()[0]
            assert {k: actual.get(k) for k in expected} == expected, name
            return actual

        both("open_account", "snap-p1", "KRW")
        both("deposit_create", "snap-d1", "snap-p1", 5000, "SPORTS_NORMAL", True)
        both("bet_authorize", "snap-b1", "snap-p1", "SPORTS", "prov-1", 1000, Decimal("1.5"), None)
        admin.execute(SPORTS_POLICY_SQL["activate"], (2,))
        model.policy_activate("SPORTS", 2)
        settled = both("bet_settle", "snap-b1", "snap-p1", "snap-s1", "LOSS", None)
        assert [r["progress"] for r in settled["rolling"]] == [1000]  # version 1's 100%, odds 1.5 count
        later = both("bet_authorize", "snap-b2", "snap-p1", "SPORTS", "prov-1", 1000, Decimal("2"), None)
        assert later["policy_version"] == 2
        assert [
            r["progress"] for r in both("bet_settle", "snap-b2", "snap-p1", "snap-s2", "LOSS", None)["rolling"]
        ] == [1500]
