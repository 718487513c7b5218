"""Every command type once on the Citus cluster, called on the coordinator as a DBA would from
psql (wallet_dba, a bare `SELECT schema.f(…)`), each on a player of its own.

A command that names a player must run as one piece on the worker holding that player's shard:
the coordinator forwards the call, the worker runs every statement on local shards, no other
node takes part and no two-phase commit happens.  Commands addressed by a resource id, and the
configuration and feed functions, run on the coordinator (docs/scaling.md says why); for those
the test only asks that they work.  What fails on Citus is a strict xfail naming its finding
(tests/citus/findings.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
import pytest

from tests.citus.conftest import Citus, insert_api_key, trace


@dataclass
class Ctx:
    citus: Citus
    conn: psycopg.Connection
    p: str  # this case's player id

    def run(self, sql: str, *args: object) -> object:
        row = self.conn.execute(sql, args).fetchone()
        return row[0] if row else None

    def open(self) -> None:
        self.run("SELECT payments.open_account(%s, 'KRW')", self.p)

    def fund(self) -> None:
        """Money the player can bet, under a deposit rolling obligation (so settling and rolling
        back reach the rolling code), and withdrawable money (an adjustment to WITHDRAWABLE)."""
        self.open()
        self.run("SELECT payments.deposit_create(%s, %s, 60000, 'SPORTS_NORMAL', true)", f"{self.p}-dep", self.p)
        self.run("SELECT admin.admin_adjust(%s, %s, 'WITHDRAWABLE', 5000, 'cash out test')", f"{self.p}-adj", self.p)

    def bet(self) -> str:
        self.fund()
        self.run("SELECT game.bet_authorize(%s, %s, 'SPORTS', 'book', 1000, 2.0)", f"{self.p}-b", self.p)
        return f"{self.p}-b"

    def foreign_id(self, prefix: str) -> str:
        """A resource id that hashes to another node than the player's: when the directory was
        distributed by the id, its row went there (C15); now it stays on the player's shard."""
        home = self.citus.node_of("wallet.account", self.p)
        for n in range(100):
            candidate = f"{self.p}-{prefix}{n}"
            if self.citus.node_of("wallet.account", candidate) != home:
                return candidate
        raise AssertionError("no resource id hashes to another node")

    def rolling_id(self) -> int:
        value = self.run(
            "SELECT max(rolling_id) FROM wallet.rolling_obligation WHERE account_id = %s AND status = 'ACTIVE'", self.p
        )
        assert isinstance(value, int), "setup made no rolling obligation"
        return value


@dataclass
class Case:
    name: str
    prepare: Callable[[Ctx], tuple[str, tuple]]  # runs the setup, returns the command to trace
    routed: bool = True  # names a player: must run on the player's worker alone
    marks: tuple = ()
    role: str = "wallet_dba"  # who calls it (the DBA's role in psql, unless only the API may)


def _case(name: str, *, routed: bool = True, marks: tuple = (), role: str = "wallet_dba"):
    def register(prepare: Callable[[Ctx], tuple[str, tuple]]) -> Callable[[Ctx], tuple[str, tuple]]:
        CASES.append(Case(name, prepare, routed, marks, role))
        return prepare

    return register


CASES: list[Case] = []

# -- commands that name a player (distributed functions) ---------------------------------------


@_case("open_account")
def _(x: Ctx):
    return "SELECT payments.open_account(%s, 'KRW')", (x.p,)


@_case("admin_adjust")
def _(x: Ctx):
    x.open()
    return "SELECT admin.admin_adjust(%s, %s, 'SPORTS_NORMAL', 5000, 'welcome')", (f"{x.p}-adj", x.p)


@_case("account_set_status")
def _(x: Ctx):
    x.open()
    return "SELECT admin.account_set_status(%s, 'frozen', 'support case')", (x.p,)


@_case("player_balances")
def _(x: Ctx):
    x.fund()
    return "SELECT player.player_balances(%s)", (x.p,)


@_case("ledger_history")
def _(x: Ctx):
    x.fund()
    return "SELECT player.ledger_history(%s, 10)", (x.p,)


@_case("deposit_create")
def _(x: Ctx):
    x.open()
    return "SELECT payments.deposit_create(%s, %s, 10000, 'SPORTS_NORMAL')", (x.foreign_id("dep"), x.p)


@_case("bet_authorize")
def _(x: Ctx):
    x.fund()
    return "SELECT game.bet_authorize(%s, %s, 'SPORTS', 'book', 1000, 2.0)", (f"{x.p}-b1", x.p)


@_case("bet_settle WIN")
def _(x: Ctx):
    return "SELECT game.bet_settle(%s, %s, %s, 'WIN', 2000)", (x.bet(), x.p, f"{x.p}-s1")


@_case("bet_settle WIN, run by the coordinator", routed=False)
def _(x: Ctx):
    # The cast keeps Citus from forwarding the call (finding C19): the coordinator runs the
    # function and sends each statement to the worker, as for every API call before C19 was fixed.
    return "SELECT game.bet_settle(%s, %s, %s, 'WIN', 2000)::text", (x.bet(), x.p, f"{x.p}-s1")


@_case("bet_settle LOSS")
def _(x: Ctx):
    return "SELECT game.bet_settle(%s, %s, %s, 'LOSS', 0)", (x.bet(), x.p, f"{x.p}-s1")


@_case("bet_rollback")
def _(x: Ctx):
    return "SELECT game.bet_rollback(%s, %s, %s, 'event cancelled')", (x.bet(), x.p, f"{x.p}-r1")


@_case("withdrawal_create")
def _(x: Ctx):
    x.fund()
    return "SELECT payments.withdrawal_create(%s, %s, 1000)", (f"{x.p}-w1", x.p)


@_case("coupon_grant")
def _(x: Ctx):
    x.open()
    return "SELECT promotion.coupon_grant(%s, %s, 500, ARRAY['SPORTS'])", (x.foreign_id("cpn"), x.p)


@_case("promotion_credit")
def _(x: Ctx):
    x.open()
    return "SELECT promotion.promotion_credit(%s, %s, 'CASHBACK', 1500)", (x.foreign_id("pc"), x.p)


@_case("transfer_create")
def _(x: Ctx):
    x.fund()
    return "SELECT player.transfer_create(%s, %s, 'SPORTS_NORMAL', 'CASINO_NORMAL', 1000)", (f"{x.p}-t1", x.p)


@_case("reconcile_player")
def _(x: Ctx):
    x.fund()
    return "SELECT ops.reconcile_player(%s)", (x.p,)


# -- commands addressed by a resource id (run on the coordinator) ------------------------------


@_case("deposit_approve", routed=False)
def _(x: Ctx):
    x.open()
    x.run("SELECT payments.deposit_create(%s, %s, 10000, 'SPORTS_NORMAL')", f"{x.p}-d1", x.p)
    return "SELECT payments.deposit_approve(%s)", (f"{x.p}-d1",)


@_case("deposit_reject", routed=False)
def _(x: Ctx):
    x.open()
    x.run("SELECT payments.deposit_create(%s, %s, 10000, 'SPORTS_NORMAL')", f"{x.p}-d1", x.p)
    return "SELECT payments.deposit_reject(%s, 'card declined')", (f"{x.p}-d1",)


@_case("withdrawal_complete", routed=False)
def _(x: Ctx):
    x.fund()
    x.run("SELECT payments.withdrawal_create(%s, %s, 1000)", f"{x.p}-w1", x.p)
    return "SELECT payments.withdrawal_complete(%s)", (f"{x.p}-w1",)


@_case("withdrawal_reject", routed=False)
def _(x: Ctx):
    x.fund()
    x.run("SELECT payments.withdrawal_create(%s, %s, 1000)", f"{x.p}-w1", x.p)
    return "SELECT payments.withdrawal_reject(%s, 'bank refused')", (f"{x.p}-w1",)


@_case("coupon_reverse", routed=False)
def _(x: Ctx):
    x.open()
    x.run("SELECT promotion.coupon_grant(%s, %s, 500, ARRAY['SPORTS'])", f"{x.p}-c1", x.p)
    return "SELECT promotion.coupon_reverse(%s, %s, 'granted by mistake')", (f"{x.p}-c1", f"{x.p}-cr1")


@_case("promotion_reverse", routed=False)
def _(x: Ctx):
    x.open()
    x.run("SELECT promotion.promotion_credit(%s, %s, 'CASHBACK', 1500)", f"{x.p}-pc1", x.p)
    return "SELECT promotion.promotion_reverse(%s, %s, 'credited by mistake')", (f"{x.p}-pc1", f"{x.p}-pr1")


@_case("rolling_waive", routed=False)
def _(x: Ctx):
    x.open()
    x.run("SELECT payments.deposit_create(%s, %s, 10000, 'SPORTS_NORMAL', true)", f"{x.p}-d1", x.p)
    return "SELECT admin.rolling_waive(%s, 'goodwill')", (x.rolling_id(),)


@_case("rolling_cancel", routed=False)
def _(x: Ctx):
    x.open()
    x.run("SELECT promotion.promotion_credit(%s, %s, 'CASHBACK', 1500, 'SPORTS_BONUS', 1)", f"{x.p}-pc1", x.p)
    return "SELECT admin.rolling_cancel(%s, 'abuse')", (x.rolling_id(),)


# -- configuration, keys, feeds, reconciliation (run on the coordinator) -----------------------


@_case("topology_create", routed=False)
def _(x: Ctx):
    return "SELECT admin.topology_create(admin.topology_get(1)->'document', 'same again')", ()


@_case("topology_preview", routed=False)
def _(x: Ctx):
    return "SELECT admin.topology_preview(1)", ()


@_case("topology_activate", routed=False)
def _(x: Ctx):
    version = x.run("SELECT (admin.topology_create(admin.topology_get(1)->'document', 'to activate')->>'version')::int")
    return "SELECT admin.topology_activate(%s, 'citus test')", (version,)


@_case("policy_create", routed=False)
def _(x: Ctx):
    return (
        "SELECT admin.policy_create('SPORTS', admin.policy_list('SPORTS')#>'{policies,0,document}', 'same again')",
        (),
    )


@_case("policy_activate", routed=False)
def _(x: Ctx):
    return "SELECT admin.policy_activate('SPORTS', 1, 'already active')", ()


@_case("group_policy_create", routed=False)
def _(x: Ctx):
    return (
        "SELECT admin.group_policy_create('CASINO', admin.group_policy_list('CASINO')#>'{policies,0,document}', 'same')",
        (),
    )


@_case("group_policy_activate", routed=False)
def _(x: Ctx):
    version = x.run(
        "SELECT (admin.group_policy_create('SPORTS', admin.group_policy_list('SPORTS')#>'{policies,0,document}', 'same')->>'version')::int"
    )
    return "SELECT admin.group_policy_activate('SPORTS', %s, 'citus test')", (version,)


@_case("api_key_create", routed=False)
def _(x: Ctx):
    return "SELECT ops.api_key_create(%s, ARRAY['game'])", (f"{x.p}-key",)


@_case("api_key_revoke", routed=False)
def _(x: Ctx):
    insert_api_key(x.citus, f"{x.p}-key", ["game"])
    return "SELECT ops.api_key_revoke(%s)", (f"{x.p}-key",)


@_case("api_key_authenticate", routed=False, role="wallet_api")
def _(x: Ctx):
    return "SELECT count(*) FROM api.api_key_authenticate(%s)", (insert_api_key(x.citus, f"{x.p}-key", ["game"]),)


@_case("audit_log_read", routed=False)
def _(x: Ctx):
    return "SELECT admin.audit_log_read(5)", ()


@_case("events_read", routed=False)
def _(x: Ctx):
    x.open()
    return "SELECT events.events_read(0, 10)", ()


@_case("events_claim", routed=False)
def _(x: Ctx):
    x.open()
    return "SELECT ops.events_claim(%s, 5)", (f"{x.p}-relay",)


@_case("events_ack", routed=False)
def _(x: Ctx):
    return "SELECT ops.events_ack(%s, ARRAY[1, 2]::bigint[])", (f"{x.p}-relay",)


@_case("relay_claim", routed=False)
def _(x: Ctx):
    x.open()
    return "SELECT count(*) FROM ops.relay_claim(%s, 5)", (f"{x.p}-relay",)


@_case("relay_ack", routed=False)
def _(x: Ctx):
    x.open()
    claimed = x.conn.execute("SELECT account_id, delivery_id FROM ops.relay_claim(%s, 1)", (f"{x.p}-relay",)).fetchone()
    assert claimed, "nothing to claim"
    return "SELECT ops.relay_ack(%s, %s, %s)", (f"{x.p}-relay", *claimed)


@_case("relay_fail", routed=False)
def _(x: Ctx):
    x.open()
    claimed = x.conn.execute("SELECT account_id, delivery_id FROM ops.relay_claim(%s, 1)", (f"{x.p}-relay",)).fetchone()
    assert claimed, "nothing to claim"
    return "SELECT ops.relay_fail(%s, %s, %s, 'consumer down')", (f"{x.p}-relay", *claimed)


@_case("relay_release", routed=False)
def _(x: Ctx):
    return "SELECT ops.relay_release(%s)", (f"{x.p}-relay",)


@_case("outbox_stats", routed=False)
def _(x: Ctx):
    return "SELECT ops.outbox_stats()", ()


@_case("outbox_stats for the API", routed=False, role="wallet_api")
def _(x: Ctx):
    return "SELECT api.outbox_stats()", ()


@_case("coupon_expire_next", routed=False)
def _(x: Ctx):
    return "SELECT ops.coupon_expire_next()", ()


@_case("outbox_prune", routed=False)
def _(x: Ctx):
    return "SELECT ops.outbox_prune()", ()


@_case("idempotency_prune", routed=False)
def _(x: Ctx):
    return "SELECT ops.idempotency_prune()", ()


@_case("housekeeping_run", routed=False)
def _(x: Ctx):
    return "SELECT ops.housekeeping_run()", ()


@_case("reconcile", routed=False)
def _(x: Ctx):
    return "SELECT count(*) FROM ops.reconcile()", ()


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=c.marks) for c in CASES])
def test_command(citus, traced, case: Case):
    with citus.connect(case.role) as conn:
        x = Ctx(citus, conn, f"cmd-{case.name.replace(' ', '-')}")
        statement, args = case.prepare(x)
        with trace(conn, citus.cluster.coordinator.port) as ran:
            conn.execute(statement, args).fetchall()
    if case.routed:
        home = citus.node_of("wallet.account", x.p)
        assert ran.delegated_to == home, f"not forwarded whole to the player's worker {home}:\n{ran.summary()}"
        assert ran.nodes == {home}, f"nodes other than the player's worker {home} took part:\n{ran.summary()}"
        assert not ran.two_phase, ran.summary()


@pytest.mark.parametrize(
    "view",
    [
        "balances",
        "ledger_daily",
        "house_result_by_provider",
        "coupon_liability",
        "rolling_status",
        "open_bet_exposure",
        "reconciliation",
    ],
)
def test_analytics_view(citus, view):
    with citus.connect("wallet_analyst") as conn:
        conn.execute(f"SELECT count(*) FROM analytics.{view}").fetchone()


@pytest.mark.parametrize(
    "view",
    ["balances", "ledger_daily", "coupon_liability", "reconciliation"],
)
def test_analytics_view_as_owner(citus, view):
    """The views' queries themselves distribute (fan-out on the coordinator)."""
    with citus.connect("wallet_owner") as conn:
        conn.execute(f"SELECT count(*) FROM analytics.{view}").fetchone()


def test_a_batch_settles_bets_of_players_on_both_workers(citus):
    """game.bet_settle_batch is not distributed (its items name many players): the coordinator
    runs it over those players' shards, one transaction (docs/scaling.md, Batches)."""
    first = "batch-0"
    other = next(
        f"batch-{n}"
        for n in range(1, 100)
        if citus.node_of("wallet.account", f"batch-{n}") != citus.node_of("wallet.account", first)
    )
    players = [first, other]
    with citus.connect("wallet_dba") as conn:
        items = []
        for player in players:
            conn.execute("SELECT payments.open_account(%s, 'KRW')", (player,))
            conn.execute(
                "SELECT payments.deposit_create(%s, %s, 5000, 'SPORTS_NORMAL', true)", (f"{player}-dep", player)
            )
            conn.execute("SELECT game.bet_authorize(%s, %s, 'SPORTS', 'book', 100, 2.0)", (f"{player}-b", player))
            items.append(
                {"bet_id": f"{player}-b", "player_id": player, "settlement_id": f"{player}-s", "result": "LOSS"}
            )
        rows = conn.execute(
            "SELECT index, status, body->>'status' FROM game.bet_settle_batch(%s::jsonb)", (json.dumps(items),)
        ).fetchall()
    assert rows == [(0, 200, "SETTLED"), (1, 200, "SETTLED")]
