"""A small, independent Python model of Ruby Wallet's money rules, for the property-based tests.

It knows only the configuration `ruby-wallet migrate` installs (SPEC §5b): topology version 1
of SPEC §3 and the default betting and money policies of SPEC §4.  It is written from the rules
of SPEC §2–§5a, not from the SQL, so that the state machine in tests/properties/test_state_machine.py compares
two implementations of the same rules.  Every command is a method that either returns the JSON
result the wallet should answer (only the keys the model can predict) or raises WalletError
with the documented error code; a failing command changes nothing (Wallet.run restores a copy).

Where SPEC.md is silent or terse the model follows these decisions (the state machine checks
them against the SQL, so a difference fails the run):
- checks run in the order: request validation, account, idempotency replay, state of the
  record, then the money rules, so the first fault found is the one reported;
- at settlement DEPOSIT obligations progress (and complete) before BONUS obligations;
- waive and cancel (admin) run the auto-completion check afterwards, like an adjustment;
- on a transfer, the outstanding requirement (required − progress) is what moves with the
  money, and what moves from all of the source group's obligations becomes one obligation of the
  target group; an obligation whose left-behind requirement is met completes after the money
  has moved (it releases what the group holds after the transfer);
- a rollback may take a payout's shortfall from WITHDRAWABLE only when a DEPOSIT completion
  released money from that very bucket to WITHDRAWABLE after the settlement ("then from
  WITHDRAWABLE if a release moved it there", SPEC §5a);
- rolling back a VOID-settled bet moves no money (the VOID already restored the sources) and
  reports no reversed payout.
- a frozen account refuses what the player starts (bet authorize, withdrawal, transfer) and
  takes everything else; a closed one refuses every command that moves money except the
  compensations (coupon and promotion reversals, rolling waive/cancel, deposit rejection), and
  closing is refused while money is anywhere (buckets, open bets, pending withdrawals, active
  coupons).  The check comes after the idempotency replay and the record's state checks.
Coupon expiry is never reached in the tests (every expiry is far in the future).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

MAX_AMOUNT = 10**15


class WalletError(Exception):
    """A refusal with its stable code (sql/error_codes.tsv), e.g. INSUFFICIENT_FUNDS; a refusal
    for money says how much was available (SPEC §5)."""

    def __init__(self, code: str, message: str = "", available: int | None = None) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.available = available


# ---------------------------------------------------------------------------------------------
# Default configuration (SPEC §3, §4, §5b)


@dataclass(frozen=True)
class BucketType:
    code: str
    kind: str  # CASH, BONUS, POINTS, WITHDRAWABLE
    group: str | None  # None: shared
    bettable: bool
    accepts_deposit: bool
    accepts_winnings: bool


BUCKET_TYPES = (  # in topology order
    BucketType("SPORTS_NORMAL", "CASH", "SPORTS", True, True, True),
    BucketType("SPORTS_BONUS", "BONUS", "SPORTS", True, False, True),
    BucketType("CASINO_NORMAL", "CASH", "CASINO", True, True, True),
    BucketType("CASINO_BONUS", "BONUS", "CASINO", True, False, True),
    BucketType("POINTS", "POINTS", None, False, False, False),
    BucketType("WITHDRAWABLE", "WITHDRAWABLE", None, True, False, True),
)
BUCKET = {b.code: b for b in BUCKET_TYPES}
GROUPS = ("SPORTS", "CASINO")
PROVIDER_GROUP = {"SPORTS": "SPORTS", "LIVE": "CASINO", "SLOTS": "CASINO"}
# Transfer edges: (from, to) -> minimum amount; every default rate is 1:1.
EDGES = {
    ("SPORTS_NORMAL", "CASINO_NORMAL"): 1,
    ("CASINO_NORMAL", "SPORTS_NORMAL"): 1,
    ("POINTS", "SPORTS_NORMAL"): 1000,
    ("POINTS", "CASINO_NORMAL"): 1000,
    ("WITHDRAWABLE", "SPORTS_NORMAL"): 1,
    ("WITHDRAWABLE", "CASINO_NORMAL"): 1,
}
# Betting policy defaults: rolling contribution in basis points, no min_odds, VOID counts nothing.
CONTRIBUTION_BPS = {"SPORTS": 10_000, "LIVE": 1_000, "SLOTS": 10_000}
# The betting policy versions the tests install for SPORTS (version 1 is the default):
# version -> (contribution_bps, min_odds).  Bets keep the values of the version they were
# authorized under (the snapshot); a new version applies to later bets only.
SPORTS_POLICIES = {1: (10_000, None), 2: (5_000, Decimal("2"))}
MAX_COUPONS_PER_BET = 1
# Money policy defaults (one per group, all the same).
DEPOSIT_ROLLING_BPS = 10_000
AUTO_COMPLETE_BELOW = 0
ARRIVAL_ROLLING_BPS = 0
WITHDRAWABLE = "WITHDRAWABLE"
POCKETS = ("EXTERNAL", "HOLD", "HOUSE", "PROMOTION", "ADJUSTMENT")


def group_bucket(group: str, kind: str) -> str:
    return next(b.code for b in BUCKET_TYPES if b.group == group and b.kind == kind)


def deduction_order(group: str) -> list[str]:
    """SPEC §5b: COUPON, the group's normal bucket, WITHDRAWABLE, the group's bonus bucket."""
    return ["COUPON", group_bucket(group, "CASH"), WITHDRAWABLE, group_bucket(group, "BONUS")]


def destination(group: str, source_kind: str) -> str:
    """SPEC §5b settlement destinations: CASH → normal, WITHDRAWABLE → WITHDRAWABLE, BONUS and COUPON → bonus."""
    return {
        "CASH": group_bucket(group, "CASH"),
        "WITHDRAWABLE": WITHDRAWABLE,
        "BONUS": group_bucket(group, "BONUS"),
        "COUPON": group_bucket(group, "BONUS"),
    }[source_kind]


def conversion_bucket(group: str) -> str:
    """Where completed bonus money goes: the group's first CASH bucket (money policy default)."""
    return group_bucket(group, "CASH")


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def key_ok(key: Any) -> bool:
    """A caller key: 1–128 printable characters, no spaces."""
    return isinstance(key, str) and re.fullmatch(r"[\x21-\x7e]{1,128}", key) is not None


def amount_ok(amount: Any) -> bool:
    return isinstance(amount, int) and 1 <= amount <= MAX_AMOUNT


def reason_ok(reason: Any) -> bool:
    return isinstance(reason, str) and reason.strip(" ") != ""


# ---------------------------------------------------------------------------------------------
# Pure arithmetic (SPEC §4 settlement, §5a rolling)


def split_payout(payout: int, stakes: list[int]) -> list[int]:
    """Pro rata to the stakes, floored; the units left over one each to the largest remainders,
    ties to the source taken first.  The shares always sum to the payout."""
    total = sum(stakes)
    shares = [payout * s // total for s in stakes]
    remainders = [payout * s % total for s in stakes]
    leftover = payout - sum(shares)
    by_remainder = sorted(range(len(stakes)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:leftover]:
        shares[i] += 1
    return shares


def contribution(
    result: str, stake: int, bps: int, min_odds: Decimal | None = None, odds: Decimal | None = None
) -> int:
    """Rolling progress a settled stake earns: WIN, LOSS and CASHOUT count, VOID nothing, nor a
    bet below the policy's min_odds (or without odds when there is one)."""
    if result == "VOID":
        return 0
    if min_odds is not None and (odds is None or odds < min_odds):
        return 0
    return stake * bps // 10_000


# ---------------------------------------------------------------------------------------------
# State


@dataclass
class Obligation:
    rolling_id: int
    group: str
    kind: str  # DEPOSIT or BONUS
    base: int
    required: int
    progress: int = 0
    status: str = "ACTIVE"
    admin_result: dict | None = None  # the answer of the waive or cancel that closed it


@dataclass
class Coupon:
    coupon_id: str
    amount: int
    remaining: int
    provider_types: tuple[str, ...]
    group: str
    min_odds: Decimal | None
    max_stake: int | None
    expires_at: Any
    stake_returned: bool
    winnings_bucket_type: str | None
    rolling_id: int | None
    grant_order: int
    status: str = "ACTIVE"
    reversal_result: dict | None = None


@dataclass
class Source:
    source: str  # bucket type code or "coupon:<id>"
    kind: str  # CASH, BONUS, WITHDRAWABLE, COUPON
    amount: int
    destination: str
    stake_returned: bool


@dataclass
class Bet:
    bet_id: str
    status: str  # AUTHORIZED, SETTLED, ROLLED_BACK
    tombstone: bool = False
    provider_type: str | None = None
    group: str | None = None
    stake: int = 0
    sources: list[Source] = field(default_factory=list)
    result: str | None = None
    payout: int | None = None
    settle_postings: dict[str, int] = field(default_factory=dict)  # what the settlement moved (HOLD aside)
    settle_credits: list[dict] = field(default_factory=list)
    settle_clock: int = 0
    progress_given: dict[int, int] = field(default_factory=dict)  # rolling_id -> progress
    rollback_result: dict | None = None
    # The policy snapshot taken at authorization.
    odds: Decimal | None = None
    policy_version: int = 1
    contribution_bps: int = 0
    min_odds: Decimal | None = None


@dataclass
class Deposit:
    deposit_id: str
    amount: int
    bucket_type: str
    status: str = "PENDING"
    decision: dict | None = None


@dataclass
class Withdrawal:
    withdrawal_id: str
    amount: int
    sources: list[dict]
    status: str = "PENDING"
    decision: dict | None = None


@dataclass
class Credit:
    credit_id: str
    kind: str
    amount: int
    bucket_type: str
    rolling_id: int | None
    status: str = "CREDITED"
    reversed: int | None = None
    unrecovered: int | None = None
    reversal_result: dict | None = None


@dataclass
class Player:
    player_id: str
    currency: str
    status: str = "active"  # active, frozen, closed
    # Money: buckets by type, coupons by id, and the account's contra pockets.
    buckets: dict[str, int] = field(default_factory=dict)
    pockets: dict[str, int] = field(default_factory=dict)
    coupons: dict[str, Coupon] = field(default_factory=dict)
    bets: dict[str, Bet] = field(default_factory=dict)
    deposits: dict[str, Deposit] = field(default_factory=dict)
    withdrawals: dict[str, Withdrawal] = field(default_factory=dict)
    credits: dict[str, Credit] = field(default_factory=dict)
    obligations: dict[int, Obligation] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], tuple[Any, dict]] = field(default_factory=dict)
    # Money movements are numbered; releases (completions, waivers) are kept as (clock, from, to).
    clock: int = 0
    releases: list[tuple[int, str, str]] = field(default_factory=list)

    def balance(self, bucket_type: str) -> int:
        return self.buckets.get(bucket_type, 0)

    def group_balance(self, group: str, kind: str) -> int:
        return sum(self.balance(b.code) for b in BUCKET_TYPES if b.group == group and b.kind == kind)

    def active(self, group: str, kind: str) -> list[Obligation]:
        return [
            ob
            for rid, ob in sorted(self.obligations.items())
            if ob.group == group and ob.kind == kind and ob.status == "ACTIVE"
        ]

    def cash_locked(self, group: str | None) -> bool:
        """Only active DEPOSIT obligations lock a group's CASH."""
        return group is not None and bool(self.active(group, "DEPOSIT"))

    def open_stake(self, group: str) -> int:
        return sum(b.stake for b in self.bets.values() if b.status == "AUTHORIZED" and b.group == group)

    def withdrawable_buckets(self) -> list[str]:
        """WITHDRAWABLE first, then the CASH buckets of groups with no active DEPOSIT obligation."""
        return [WITHDRAWABLE] + [b.code for b in BUCKET_TYPES if b.kind == "CASH" and not self.cash_locked(b.group)]

    def withdrawable(self) -> int:
        return sum(self.balance(code) for code in self.withdrawable_buckets())

    def pending_withdrawals(self) -> int:
        return sum(w.amount for w in self.withdrawals.values() if w.status == "PENDING")

    def open_bets(self) -> tuple[int, int]:
        open_ = [b for b in self.bets.values() if b.status == "AUTHORIZED"]
        return len(open_), sum(b.stake for b in open_)

    def move(self, postings: dict[str, int]) -> None:
        """One balanced movement.  Targets: bucket codes, "coupon:<id>", "@POCKET"."""
        postings = {t: a for t, a in postings.items() if a != 0}
        assert sum(postings.values()) == 0, f"model bug: unbalanced {postings}"
        if not postings:
            return
        self.clock += 1
        for target, amount in postings.items():
            if target.startswith("@"):
                self.pockets[target[1:]] = self.pockets.get(target[1:], 0) + amount
            elif target.startswith("coupon:"):
                coupon = self.coupons[target[len("coupon:") :]]
                coupon.remaining += amount
                assert 0 <= coupon.remaining <= coupon.amount, f"model bug: coupon {coupon}"
            else:
                self.buckets[target] = self.balance(target) + amount
                assert self.buckets[target] >= 0, f"model bug: {target} below zero"


def _add(postings: dict[str, int], target: str, amount: int) -> None:
    postings[target] = postings.get(target, 0) + amount


# ---------------------------------------------------------------------------------------------
# The wallet


class Wallet:
    def __init__(self, next_rolling_id: int = 1) -> None:
        self.players: dict[str, Player] = {}
        self.owners: dict[tuple[str, str], str] = {}  # (resource kind, id) -> player id
        self.next_rolling_id = next_rolling_id
        self.grants = 0
        self.sports_policy = 1  # the active SPORTS betting policy version

    def policy_activate(self, provider_type: str, version: int) -> None:
        assert provider_type == "SPORTS" and version in SPORTS_POLICIES
        self.sports_policy = version

    def _policy(self, provider_type: str) -> tuple[int, int, Decimal | None]:
        """(version, contribution_bps, min_odds) of the provider type's active betting policy."""
        if provider_type == "SPORTS":
            return (self.sports_policy, *SPORTS_POLICIES[self.sports_policy])
        return 1, CONTRIBUTION_BPS[provider_type], None

    # Every command is one transaction: on a refusal nothing changes.
    def run(self, command: str, *args: Any) -> dict:
        saved = copy.deepcopy(self.__dict__)
        try:
            return getattr(self, command)(*args)
        except WalletError:
            self.__dict__.update(saved)
            raise

    # ---- shared steps

    def _account(self, player_id: str) -> Player:
        if player_id not in self.players:
            raise WalletError("UNKNOWN_ACCOUNT", player_id)
        return self.players[player_id]

    @staticmethod
    def _require_open(player: Player, allow_frozen: bool = False) -> None:
        """A closed account takes no command that moves money; a frozen one takes no bet,
        withdrawal or transfer the player starts (settlements, decisions and credits go on)."""
        if player.status == "closed":
            raise WalletError("ACCOUNT_CLOSED")
        if player.status == "frozen" and not allow_frozen:
            raise WalletError("ACCOUNT_FROZEN")

    def _owner(self, kind: str, resource_id: Any, not_found: str) -> Player:
        owner = self.owners.get((kind, resource_id))
        if owner is None:
            raise WalletError(not_found, str(resource_id))
        return self.players[owner]

    def _claim(self, kind: str, resource_id: str, player: Player) -> None:
        owner = self.owners.setdefault((kind, resource_id), player.player_id)
        if owner != player.player_id:
            raise WalletError("IDEMPOTENCY_CONFLICT", f"{kind} {resource_id} belongs to another player")

    @staticmethod
    def _replay(player: Player, command: str, key: str, request: Any) -> dict | None:
        stored = player.idempotency.get((command, key))
        if stored is None:
            return None
        if stored[0] != request:
            raise WalletError("IDEMPOTENCY_CONFLICT", f"{command} {key}")
        return stored[1]

    @staticmethod
    def _remember(player: Player, command: str, key: str, request: Any, response: dict) -> dict:
        player.idempotency[(command, key)] = (request, response)
        return response

    @staticmethod
    def _bucket_type(code: Any) -> BucketType:
        if code not in BUCKET:
            raise WalletError("UNKNOWN_BUCKET_TYPE", str(code))
        return BUCKET[code]

    def _open_obligation(self, player: Player, group: str, kind: str, base: int, required: int) -> int | None:
        if required <= 0:
            return None
        rolling_id = self.next_rolling_id
        self.next_rolling_id += 1
        player.obligations[rolling_id] = Obligation(rolling_id, group, kind, base, required)
        self.owners[("ROLLING", rolling_id)] = player.player_id
        return rolling_id

    # ---- rolling (SPEC §5a)

    def _sweep(self, player: Player, group: str, kind: str, amount: int, to: str) -> int:
        """Moves up to `amount` out of the group's buckets of `kind` (topology order) to `to`."""
        postings: dict[str, int] = {}
        left = amount
        for b in BUCKET_TYPES:
            if b.group == group and b.kind == kind and b.code != to and left > 0:
                take = min(player.balance(b.code), left)
                _add(postings, b.code, -take)
                left -= take
        moved = amount - left
        _add(postings, to, moved)
        player.move(postings)
        if not to.startswith("@"):  # a release (not a forfeit to the PROMOTION pocket)
            player.releases.extend((player.clock, code, to) for code, a in postings.items() if a < 0)
        return moved

    def _close(self, player: Player, ob: Obligation, status: str, forfeit: bool = False) -> dict:
        """COMPLETED/WAIVED releases (DEPOSIT: CASH → WITHDRAWABLE; BONUS: BONUS → conversion
        bucket), all of the group's money when no other active obligation of the kind remains,
        else the base amount capped; CANCELLED with forfeit takes the bonus money it covers."""
        ob.status = status
        money_kind = "CASH" if ob.kind == "DEPOSIT" else "BONUS"
        amount = player.group_balance(ob.group, money_kind)
        if player.active(ob.group, ob.kind):
            amount = min(amount, ob.base)
        released = forfeited = 0
        if status in ("COMPLETED", "WAIVED") and amount > 0:
            to = WITHDRAWABLE if ob.kind == "DEPOSIT" else conversion_bucket(ob.group)
            released = self._sweep(player, ob.group, money_kind, amount, to)
        elif status == "CANCELLED" and forfeit and ob.kind == "BONUS" and amount > 0:
            forfeited = self._sweep(player, ob.group, "BONUS", amount, "@PROMOTION")
        return {
            "rolling_id": ob.rolling_id,
            "status": status,
            "progress": ob.progress,
            "released": released,
            "forfeited": forfeited,
        }

    def _progress(self, player: Player, bet: Bet, deposit_progress: int, bonus_progress: int) -> list[dict]:
        """Fills the oldest active obligation of the bet's group first, the rest carrying on;
        DEPOSIT obligations from deposit_progress, then BONUS ones from bonus_progress."""
        touched = []
        for kind, pool in (("DEPOSIT", deposit_progress), ("BONUS", bonus_progress)):
            for ob in player.active(bet.group, kind):
                if pool <= 0:
                    break
                add = min(pool, ob.required - ob.progress)
                pool -= add
                ob.progress += add
                bet.progress_given[ob.rolling_id] = add
                if ob.progress >= ob.required:
                    self._close(player, ob, "COMPLETED")
                touched.append({"rolling_id": ob.rolling_id, "progress": ob.progress, "status": ob.status})
        return touched

    def _auto_complete(self, player: Player, groups: list[str | None]) -> None:
        """When a group's CASH plus the stakes of its open bets is at or below
        auto_complete_below, its active DEPOSIT obligations complete."""
        for group in dict.fromkeys(g for g in groups if g is not None):
            if not player.cash_locked(group):
                continue
            if player.group_balance(group, "CASH") + player.open_stake(group) > AUTO_COMPLETE_BELOW:
                continue
            for ob in player.active(group, "DEPOSIT"):
                self._close(player, ob, "COMPLETED")

    # ---- commands: accounts and adjustments

    def open_account(self, player_id: str, currency: str) -> dict:
        if not key_ok(player_id) or not (isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency)):
            raise WalletError("VALIDATION_FAILED")
        if player_id in self.players:
            if self.players[player_id].currency != currency:
                raise WalletError("IDEMPOTENCY_CONFLICT", "another currency")
            return {
                "player_id": player_id,
                "currency": currency,
                "status": self.players[player_id].status,
                "created": False,
            }
        self.players[player_id] = Player(player_id, currency)
        return {"player_id": player_id, "currency": currency, "status": "active", "created": True}

    def account_set_status(self, player_id: str, status: str, reason: str) -> dict:
        """Closing needs no money anywhere: every bucket at zero, no open bet, no pending
        withdrawal, no active coupon with something left (none expire in the tests)."""
        if status not in ("active", "frozen", "closed") or not reason_ok(reason):
            raise WalletError("VALIDATION_FAILED")
        p = self._account(player_id)
        if (
            status == "closed"
            and p.status != "closed"
            and (
                any(v > 0 for v in p.buckets.values())
                or p.open_bets()[0]
                or p.pending_withdrawals()
                or any(c.status == "ACTIVE" and c.remaining > 0 for c in p.coupons.values())
            )
        ):
            raise WalletError("INVALID_STATE", "the account still has money")
        p.status = status
        return {"player_id": player_id, "status": status}

    def admin_adjust(self, adjustment_id: str, player_id: str, bucket_type: str, amount: int, reason: str) -> dict:
        if not key_ok(adjustment_id) or not isinstance(amount, int) or amount == 0 or not reason_ok(reason):
            raise WalletError("VALIDATION_FAILED")
        p = self._account(player_id)
        request = (player_id, bucket_type, amount, reason)
        if (replayed := self._replay(p, "admin_adjust", adjustment_id, request)) is not None:
            return replayed
        self._require_open(p, allow_frozen=True)
        bt = self._bucket_type(bucket_type)
        if p.balance(bucket_type) + amount < 0:
            raise WalletError(
                "INSUFFICIENT_FUNDS", f"{bucket_type} holds {p.balance(bucket_type)}", p.balance(bucket_type)
            )
        p.move({bucket_type: amount, "@ADJUSTMENT": -amount})
        self._auto_complete(p, [bt.group])
        return self._remember(
            p,
            "admin_adjust",
            adjustment_id,
            request,
            {
                "adjustment_id": adjustment_id,
                "player_id": player_id,
                "bucket_type": bucket_type,
                "amount": amount,
                "balance_after": p.balance(bucket_type),
            },
        )

    # ---- deposits and withdrawals

    @staticmethod
    def _deposit_target(bucket_type: str) -> BucketType:
        bt = Wallet._bucket_type(bucket_type)
        if not bt.accepts_deposit:
            raise WalletError("DEPOSIT_NOT_ALLOWED", bucket_type)
        return bt

    def _approve(self, p: Player, d: Deposit) -> dict:
        bt = self._deposit_target(d.bucket_type)
        p.move({d.bucket_type: d.amount, "@EXTERNAL": -d.amount})
        rolling_id = None
        if bt.group is not None:
            rolling_id = self._open_obligation(
                p, bt.group, "DEPOSIT", d.amount, ceil_div(d.amount * DEPOSIT_ROLLING_BPS, 10_000)
            )
        d.status = "APPROVED"
        d.decision = {
            "deposit_id": d.deposit_id,
            "status": "APPROVED",
            "amount": d.amount,
            "bucket_type": d.bucket_type,
            "balance_after": p.balance(d.bucket_type),
            "rolling_id": rolling_id,
        }
        return d.decision

    def deposit_create(
        self, deposit_id: str, player_id: str, amount: int, bucket_type: str, auto_approve: bool
    ) -> dict:
        if not key_ok(deposit_id) or not amount_ok(amount) or bucket_type is None:
            raise WalletError("VALIDATION_FAILED")
        p = self._account(player_id)
        request = (player_id, amount, bucket_type, bool(auto_approve))
        if (replayed := self._replay(p, "deposit_create", deposit_id, request)) is not None:
            return replayed
        self._require_open(p, allow_frozen=True)
        self._deposit_target(bucket_type)
        self._claim("DEPOSIT", deposit_id, p)
        d = p.deposits[deposit_id] = Deposit(deposit_id, amount, bucket_type)
        if auto_approve:
            response = self._approve(p, d)
        else:
            response = {"deposit_id": deposit_id, "status": "PENDING", "amount": amount, "bucket_type": bucket_type}
        return self._remember(p, "deposit_create", deposit_id, request, response)

    def deposit_approve(self, deposit_id: str) -> dict:
        p = self._owner("DEPOSIT", deposit_id, "DEPOSIT_NOT_FOUND")
        d = p.deposits[deposit_id]
        if d.status == "APPROVED":
            return d.decision
        if d.status == "REJECTED":
            raise WalletError("INVALID_STATE", "rejected")
        self._require_open(p, allow_frozen=True)
        return self._approve(p, d)

    def deposit_reject(self, deposit_id: str, reason: str) -> dict:
        if not reason_ok(reason):
            raise WalletError("VALIDATION_FAILED")
        p = self._owner("DEPOSIT", deposit_id, "DEPOSIT_NOT_FOUND")
        d = p.deposits[deposit_id]
        if d.status == "REJECTED":
            return d.decision
        if d.status == "APPROVED":
            raise WalletError("INVALID_STATE", "approved")
        d.status = "REJECTED"
        d.decision = {"deposit_id": deposit_id, "status": "REJECTED", "reason": reason}
        return d.decision

    def withdrawal_create(self, withdrawal_id: str, player_id: str, amount: int) -> dict:
        if not key_ok(withdrawal_id) or not amount_ok(amount):
            raise WalletError("VALIDATION_FAILED")
        p = self._account(player_id)
        request = (player_id, amount)
        if (replayed := self._replay(p, "withdrawal_create", withdrawal_id, request)) is not None:
            return replayed
        self._require_open(p)
        if p.withdrawable() < amount:
            raise WalletError("INSUFFICIENT_FUNDS", f"withdrawable {p.withdrawable()}", p.withdrawable())
        self._claim("WITHDRAWAL", withdrawal_id, p)
        sources, postings, left = [], {}, amount
        for code in p.withdrawable_buckets():
            take = min(p.balance(code), left)
            if take > 0:
                sources.append({"bucket_type": code, "amount": take})
                _add(postings, code, -take)
                left -= take
        _add(postings, "@HOLD", amount)
        p.move(postings)
        p.withdrawals[withdrawal_id] = Withdrawal(withdrawal_id, amount, sources)
        self._auto_complete(p, [BUCKET[s["bucket_type"]].group for s in sources])
        return self._remember(
            p,
            "withdrawal_create",
            withdrawal_id,
            request,
            {"withdrawal_id": withdrawal_id, "status": "PENDING", "amount": amount, "sources": sources},
        )

    def _withdrawal_decide(self, withdrawal_id: str, status: str, reason: str | None) -> dict:
        p = self._owner("WITHDRAWAL", withdrawal_id, "WITHDRAWAL_NOT_FOUND")
        w = p.withdrawals[withdrawal_id]
        if w.status == status:
            return w.decision
        if w.status != "PENDING":
            raise WalletError("INVALID_STATE", w.status)
        self._require_open(p, allow_frozen=True)
        if status == "PAID":
            p.move({"@HOLD": -w.amount, "@EXTERNAL": w.amount})
            w.decision = {"withdrawal_id": withdrawal_id, "status": "PAID", "amount": w.amount}
        else:
            postings = {"@HOLD": -w.amount}
            for s in w.sources:
                _add(postings, s["bucket_type"], s["amount"])
            p.move(postings)
            w.decision = {
                "withdrawal_id": withdrawal_id,
                "status": "REJECTED",
                "amount": w.amount,
                "refunded": w.sources,
                "reason": reason,
            }
        w.status = status
        return w.decision

    def withdrawal_complete(self, withdrawal_id: str) -> dict:
        return self._withdrawal_decide(withdrawal_id, "PAID", None)

    def withdrawal_reject(self, withdrawal_id: str, reason: str) -> dict:
        if not reason_ok(reason):
            raise WalletError("VALIDATION_FAILED")
        return self._withdrawal_decide(withdrawal_id, "REJECTED", reason)

    # ---- bets

    @staticmethod
    def _coupon_eligible(c: Coupon, provider_type: str, stake: int, odds: Decimal | None) -> bool:
        return (
            c.status == "ACTIVE"
            and provider_type in c.provider_types
            and (c.min_odds is None or (odds is not None and odds >= c.min_odds))
            and (c.max_stake is None or stake <= c.max_stake)
        )

    def bet_authorize(
        self,
        bet_id: str,
        player_id: str,
        provider_type: str,
        provider_id: str,
        stake: int,
        odds: Decimal | None,
        selected_source: str | None,
    ) -> dict:
        if (
            not key_ok(bet_id)
            or not key_ok(player_id)
            or not key_ok(provider_id)
            or not amount_ok(stake)
            or (odds is not None and odds < 1)
            or not (isinstance(provider_type, str) and re.fullmatch(r"[A-Z][A-Z0-9_]{0,31}", provider_type))
        ):
            raise WalletError("VALIDATION_FAILED")
        p = self._account(player_id)
        request = (provider_type, provider_id, stake, odds, selected_source)
        if (replayed := self._replay(p, "bet_authorize", bet_id, request)) is not None:
            return replayed
        if bet_id in p.bets:
            raise WalletError("BET_ALREADY_ROLLED_BACK", "tombstoned")
        self._require_open(p)
        group = PROVIDER_GROUP.get(provider_type)
        if group is None:
            raise WalletError("UNKNOWN_PROVIDER_TYPE", provider_type)
        if selected_source is not None:
            if not selected_source.startswith("coupon:"):
                self._bucket_type(selected_source)
            raise WalletError("SOURCE_NOT_ALLOWED", "the funding mode is AUTO")

        # AUTO: take sources in the deduction order until the stake is covered.
        sources: list[Source] = []
        left = stake
        for entry in deduction_order(group):
            if left == 0:
                break
            if entry == "COUPON":
                eligible = sorted(
                    (
                        c
                        for c in p.coupons.values()
                        if c.remaining > 0 and self._coupon_eligible(c, provider_type, stake, odds)
                    ),
                    key=lambda c: (c.expires_at is None, c.expires_at or 0, c.grant_order),
                )
                for c in eligible[:MAX_COUPONS_PER_BET]:
                    take = min(c.remaining, left)
                    sources.append(
                        Source(
                            f"coupon:{c.coupon_id}",
                            "COUPON",
                            take,
                            c.winnings_bucket_type or destination(group, "COUPON"),
                            c.stake_returned,
                        )
                    )
                    left -= take
            elif p.balance(entry) > 0:
                take = min(p.balance(entry), left)
                kind = BUCKET[entry].kind
                sources.append(Source(entry, kind, take, destination(group, kind), True))
                left -= take
        if left > 0:
            raise WalletError("INSUFFICIENT_FUNDS", f"available {stake - left}", stake - left)

        postings = {"@HOLD": stake}
        for s in sources:
            _add(postings, s.source, -s.amount)
        p.move(postings)
        version, bps, min_odds = self._policy(provider_type)
        p.bets[bet_id] = Bet(
            bet_id,
            "AUTHORIZED",
            provider_type=provider_type,
            group=group,
            stake=stake,
            sources=sources,
            odds=odds,
            policy_version=version,
            contribution_bps=bps,
            min_odds=min_odds,
        )
        return self._remember(
            p,
            "bet_authorize",
            bet_id,
            request,
            {
                "bet_id": bet_id,
                "status": "AUTHORIZED",
                "stake": stake,
                "topology_version": 1,
                "policy_version": version,
                "funding": [{"source": s.source, "amount": s.amount} for s in sources],
            },
        )

    def _restore_postings(self, p: Player, bet: Bet) -> dict[str, int]:
        """Each funding source gets its amount back; a coupon reversed since: to PROMOTION."""
        postings: dict[str, int] = {}
        for s in bet.sources:
            if s.kind == "COUPON" and p.coupons[s.source[len("coupon:") :]].status == "REVERSED":
                _add(postings, "@PROMOTION", s.amount)
            else:
                _add(postings, s.source, s.amount)
        return postings

    def bet_settle(self, bet_id: str, player_id: str, settlement_id: str, result: str, payout: int | None) -> dict:
        if (
            not key_ok(bet_id)
            or not key_ok(player_id)
            or not key_ok(settlement_id)
            or result not in ("WIN", "LOSS", "VOID", "CASHOUT")
            or (result in ("WIN", "CASHOUT") and not (isinstance(payout, int) and 0 <= payout <= MAX_AMOUNT))
            or (result == "LOSS" and payout not in (None, 0))
        ):
            raise WalletError("VALIDATION_FAILED")
        p = self._account(player_id)
        request = (bet_id, result, payout if result in ("WIN", "CASHOUT") else 0)
        if (replayed := self._replay(p, "bet_settle", settlement_id, request)) is not None:
            return replayed
        bet = p.bets.get(bet_id)
        if bet is None:
            raise WalletError("BET_NOT_FOUND", bet_id)
        if bet.status == "ROLLED_BACK":
            raise WalletError("BET_ALREADY_ROLLED_BACK", bet_id)
        if bet.status == "SETTLED":
            raise WalletError("BET_ALREADY_SETTLED", bet_id)
        self._require_open(p, allow_frozen=True)

        if result == "VOID":
            paid = 0
            postings = self._restore_postings(p, bet)
            credits = [{"bucket_type": s.source, "amount": s.amount} for s in bet.sources if s.kind != "COUPON"]
        else:
            paid = payout if result != "LOSS" else 0
            postings = {}
            for s, share in zip(bet.sources, split_payout(paid, [s.amount for s in bet.sources]), strict=True):
                credit = share if s.stake_returned else max(0, share - s.amount)
                _add(postings, s.destination, credit)
                _add(postings, "@PROMOTION", share - credit)  # a free bet's stake is withheld
            _add(postings, "@HOUSE", bet.stake - paid)
            credits = [
                {"bucket_type": dest, "amount": postings[dest]}
                for dest in sorted(t for t in postings if not t.startswith("@"))
                if postings[dest] > 0
            ]
        bet.settle_postings = {t: a for t, a in postings.items() if a != 0}
        p.move({**postings, "@HOLD": postings.get("@HOLD", 0) - bet.stake})
        bet.status, bet.result, bet.payout = "SETTLED", result, paid
        bet.settle_credits, bet.settle_clock = credits, p.clock

        # From the bet's snapshot, never the policy active now.
        bps, min_odds = bet.contribution_bps, bet.min_odds
        cash_stake = sum(s.amount for s in bet.sources if s.kind in ("CASH", "WITHDRAWABLE"))
        touched = self._progress(
            p,
            bet,
            contribution(result, cash_stake, bps, min_odds, bet.odds),
            contribution(result, bet.stake, bps, min_odds, bet.odds),
        )
        self._auto_complete(p, [bet.group])
        return self._remember(
            p,
            "bet_settle",
            settlement_id,
            request,
            {
                "bet_id": bet_id,
                "status": "SETTLED",
                "result": result,
                "payout": paid,
                "credits": credits,
                "rolling": touched,
            },
        )

    def rollback_postings(self, p: Player, bet: Bet) -> dict[str, int]:
        """What rolling back an open or settled bet moves, before any shortfall: its sources
        restored, and a settlement's postings (payout credits, withheld stake, house result)
        taken back, netted per bucket, coupon and pocket."""
        postings = self._restore_postings(p, bet)
        if bet.status == "AUTHORIZED":
            _add(postings, "@HOLD", -bet.stake)
        elif bet.result == "VOID":
            postings = {}  # the VOID already put every source back
        else:
            for target, amount in bet.settle_postings.items():
                _add(postings, target, -amount)
        return postings

    @staticmethod
    def rollback_shortfalls(p: Player, postings: dict[str, int]) -> list[tuple[str, int]]:
        """(bucket, shortfall) for each bucket that cannot give back its part."""
        return [
            (target, -amount - p.balance(target))
            for target, amount in sorted(postings.items())
            if amount < 0 and not target.startswith(("@", "coupon:")) and -amount > p.balance(target)
        ]

    def bet_rollback(self, bet_id: str, player_id: str, rollback_id: str, reason: str | None) -> dict:
        if (
            not key_ok(bet_id)
            or not key_ok(player_id)
            or not key_ok(rollback_id)
            or (reason is not None and len(reason) > 1000)
        ):
            raise WalletError("VALIDATION_FAILED")
        p = self._account(player_id)
        request = bet_id
        if (replayed := self._replay(p, "bet_rollback", rollback_id, request)) is not None:
            return replayed
        bet = p.bets.get(bet_id)
        if bet is not None and bet.status == "ROLLED_BACK":
            return self._remember(p, "bet_rollback", rollback_id, request, bet.rollback_result)
        self._require_open(p, allow_frozen=True)
        if bet is None:
            # A bet the wallet never saw: nothing to restore, a tombstone refuses it later.
            response = {"bet_id": bet_id, "status": "ROLLED_BACK", "restored": []}
            p.bets[bet_id] = Bet(bet_id, "ROLLED_BACK", tombstone=True, rollback_result=response)
            return self._remember(p, "bet_rollback", rollback_id, request, response)

        postings = self.rollback_postings(p, bet)
        if bet.status == "SETTLED":
            # The payout is taken back from the bucket it was credited to, then from
            # WITHDRAWABLE if a release moved it there; else INSUFFICIENT_FUNDS.
            fallback = 0
            for target, short in self.rollback_shortfalls(p, postings):
                released_since = any(
                    clock > bet.settle_clock and source == target and to == WITHDRAWABLE
                    for clock, source, to in p.releases
                )
                if target == WITHDRAWABLE or not released_since:
                    raise WalletError("INSUFFICIENT_FUNDS", f"{target} holds {p.balance(target)}")
                fallback += short
                postings[target] += short
            if fallback > 0:
                if p.balance(WITHDRAWABLE) + postings.get(WITHDRAWABLE, 0) < fallback:
                    raise WalletError("INSUFFICIENT_FUNDS", f"{WITHDRAWABLE} holds {p.balance(WITHDRAWABLE)}")
                _add(postings, WITHDRAWABLE, -fallback)
        p.move(postings)

        removed = []
        if bet.status == "SETTLED":
            for rolling_id, amount in bet.progress_given.items():
                ob = p.obligations[rolling_id]
                if ob.status == "ACTIVE":  # a completed obligation stays completed
                    ob.progress -= amount
                    removed.append({"rolling_id": rolling_id, "progress_removed": amount})
            bet.progress_given = {}
        response = {
            "bet_id": bet_id,
            "status": "ROLLED_BACK",
            "restored": [{"source": s.source, "amount": s.amount} for s in bet.sources],
            "payout_reversed": bet.settle_credits if bet.status == "SETTLED" and bet.result != "VOID" else [],
            "rolling": removed,
        }
        bet.status, bet.rollback_result = "ROLLED_BACK", response
        self._auto_complete(p, [bet.group])
        return self._remember(p, "bet_rollback", rollback_id, request, response)

    # ---- coupons and promotion credits

    def coupon_grant(
        self,
        coupon_id: str,
        player_id: str,
        amount: int,
        provider_types: list[str] | None,
        min_odds: Decimal | None,
        max_stake: int | None,
        expires_at: Any,
        stake_returned: bool | None,
        winnings_bucket_type: str | None,
        rolling_multiplier: int | None,
    ) -> dict:
        multiplier = rolling_multiplier or 0
        if (
            not key_ok(coupon_id)
            or not amount_ok(amount)
            or not provider_types
            or (min_odds is not None and min_odds < 1)
            or (max_stake is not None and max_stake < 1)
            or (expires_at is not None and expires_at <= datetime.now(UTC))
            or not 0 <= multiplier <= 1000
        ):
            raise WalletError("VALIDATION_FAILED")
        p = self._account(player_id)
        request = (
            player_id,
            amount,
            tuple(provider_types),
            min_odds,
            max_stake,
            expires_at,
            bool(stake_returned),
            winnings_bucket_type,
            multiplier,
        )
        if (replayed := self._replay(p, "coupon_grant", coupon_id, request)) is not None:
            return replayed
        self._require_open(p, allow_frozen=True)
        for provider_type in provider_types:
            if provider_type not in PROVIDER_GROUP:
                raise WalletError("UNKNOWN_PROVIDER_TYPE", provider_type)
        group = PROVIDER_GROUP[provider_types[0]]
        if winnings_bucket_type is not None and not self._bucket_type(winnings_bucket_type).accepts_winnings:
            raise WalletError("VALIDATION_FAILED", f"{winnings_bucket_type} does not accept winnings")
        self._claim("COUPON", coupon_id, p)
        self.grants += 1
        p.coupons[coupon_id] = Coupon(
            coupon_id,
            amount,
            0,
            tuple(provider_types),
            group,
            min_odds,
            max_stake,
            expires_at,
            bool(stake_returned),
            winnings_bucket_type,
            None,
            self.grants,
        )
        p.move({f"coupon:{coupon_id}": amount, "@PROMOTION": -amount})
        rolling_id = p.coupons[coupon_id].rolling_id = self._open_obligation(
            p, group, "BONUS", amount, amount * multiplier
        )
        return self._remember(
            p,
            "coupon_grant",
            coupon_id,
            request,
            {"coupon_id": coupon_id, "remaining": amount, "status": "ACTIVE", "rolling_id": rolling_id},
        )

    def coupon_reverse(self, coupon_id: str, reversal_id: str, reason: str | None) -> dict:
        if not key_ok(reversal_id):
            raise WalletError("VALIDATION_FAILED")
        p = self._owner("COUPON", coupon_id, "COUPON_NOT_FOUND")
        if (replayed := self._replay(p, "coupon_reverse", reversal_id, coupon_id)) is not None:
            return replayed
        c = p.coupons[coupon_id]
        if c.status == "REVERSED":
            return self._remember(p, "coupon_reverse", reversal_id, coupon_id, c.reversal_result)
        reversed_ = c.remaining
        p.move({f"coupon:{coupon_id}": -reversed_, "@PROMOTION": reversed_})
        if c.rolling_id is not None and p.obligations[c.rolling_id].status == "ACTIVE":
            self._close(p, p.obligations[c.rolling_id], "CANCELLED")
        c.status = "REVERSED"
        c.reversal_result = {
            "coupon_id": coupon_id,
            "reversed": reversed_,
            "consumed": c.amount - reversed_,
            "status": "REVERSED",
        }
        return self._remember(p, "coupon_reverse", reversal_id, coupon_id, c.reversal_result)

    def promotion_credit(
        self,
        credit_id: str,
        player_id: str,
        kind: str,
        amount: int,
        bucket_type: str | None,
        rolling_multiplier: int | None,
    ) -> dict:
        bucket_type = bucket_type or "POINTS"
        multiplier = rolling_multiplier or 0
        if (
            not key_ok(credit_id)
            or kind not in ("REBATE", "CASHBACK", "LOSSBACK", "EVENT")
            or not amount_ok(amount)
            or not 0 <= multiplier <= 1000
        ):
            raise WalletError("VALIDATION_FAILED")
        p = self._account(player_id)
        request = (player_id, kind, amount, bucket_type, multiplier)
        if (replayed := self._replay(p, "promotion_credit", credit_id, request)) is not None:
            return replayed
        self._require_open(p, allow_frozen=True)
        bt = self._bucket_type(bucket_type)
        if multiplier > 0 and bt.group is None:
            raise WalletError("VALIDATION_FAILED", "rolling needs a bucket of a wallet group")
        self._claim("CREDIT", credit_id, p)
        p.move({bucket_type: amount, "@PROMOTION": -amount})
        rolling_id = None
        if multiplier > 0:
            rolling_id = self._open_obligation(p, bt.group, "BONUS", amount, amount * multiplier)
        p.credits[credit_id] = Credit(credit_id, kind, amount, bucket_type, rolling_id)
        return self._remember(
            p,
            "promotion_credit",
            credit_id,
            request,
            {
                "credit_id": credit_id,
                "kind": kind,
                "amount": amount,
                "bucket_type": bucket_type,
                "balance_after": p.balance(bucket_type),
                "rolling_id": rolling_id,
            },
        )

    def promotion_reverse(self, credit_id: str, reversal_id: str, reason: str | None) -> dict:
        if not key_ok(reversal_id):
            raise WalletError("VALIDATION_FAILED")
        p = self._owner("CREDIT", credit_id, "CREDIT_NOT_FOUND")
        if (replayed := self._replay(p, "promotion_reverse", reversal_id, credit_id)) is not None:
            return replayed
        c = p.credits[credit_id]
        if c.status == "REVERSED":
            return self._remember(p, "promotion_reverse", reversal_id, credit_id, c.reversal_result)
        taken = min(c.amount, p.balance(c.bucket_type))  # from that bucket alone, never below zero
        p.move({c.bucket_type: -taken, "@PROMOTION": taken})
        if c.rolling_id is not None and p.obligations[c.rolling_id].status == "ACTIVE":
            self._close(p, p.obligations[c.rolling_id], "CANCELLED")
        c.status, c.reversed, c.unrecovered = "REVERSED", taken, c.amount - taken
        c.reversal_result = {
            "credit_id": credit_id,
            "reversed": taken,
            "unrecovered": c.amount - taken,
            "bucket_type": c.bucket_type,
            "status": "REVERSED",
        }
        return self._remember(p, "promotion_reverse", reversal_id, credit_id, c.reversal_result)

    # ---- transfers

    def transfer_create(self, transfer_id: str, player_id: str, from_type: str, to_type: str, amount: int) -> dict:
        if not key_ok(transfer_id) or not amount_ok(amount) or from_type is None or to_type is None:
            raise WalletError("VALIDATION_FAILED")
        p = self._account(player_id)
        request = (player_id, from_type, to_type, amount)
        if (replayed := self._replay(p, "transfer", transfer_id, request)) is not None:
            return replayed
        self._require_open(p)
        source, target = self._bucket_type(from_type), self._bucket_type(to_type)
        if (from_type, to_type) not in EDGES:
            raise WalletError("TRANSFER_NOT_ALLOWED", "no edge")
        if amount < EDGES[(from_type, to_type)]:
            raise WalletError("TRANSFER_NOT_ALLOWED", "below the edge's minimum")
        if p.balance(from_type) < amount:
            raise WalletError("INSUFFICIENT_FUNDS", f"{from_type} holds {p.balance(from_type)}", p.balance(from_type))

        # PROPORTIONAL inheritance: the share of the source group's obligations that the amount
        # is of the group's balance (before the transfer) moves to the target group, rounded up
        # and capped: the base, and the requirement still outstanding (progress stays behind).
        # What moves becomes one obligation of the target group.
        moved, met, inherited_id = [], [], None
        group_balance = p.group_balance(source.group, source.kind) if source.group else 0
        p.move({from_type: -amount, to_type: amount})
        if (
            source.group is not None
            and target.group is not None
            and source.group != target.group
            and source.kind in ("CASH", "BONUS")
        ):
            kind = "DEPOSIT" if source.kind == "CASH" else "BONUS"
            for ob in p.active(source.group, kind):
                outstanding = max(ob.required - ob.progress, 0)
                moved_base = min(ob.base, ceil_div(ob.base * amount, group_balance))
                moved_required = min(outstanding, ceil_div(outstanding * amount, group_balance))
                if moved_base == 0 and moved_required == 0:
                    continue
                ob.base -= moved_base
                ob.required -= moved_required
                moved.append({"from_rolling_id": ob.rolling_id, "base_amount": moved_base, "required": moved_required})
                if ob.required <= ob.progress:
                    met.append(ob)
            for ob in met:  # what stays behind is met: it completes (after the money moved)
                self._close(p, ob, "COMPLETED")
            inherited_id = self._open_obligation(
                p, target.group, kind, sum(m["base_amount"] for m in moved), sum(m["required"] for m in moved)
            )
        arrival_id = None
        if target.group is not None and target.group != source.group:
            arrival_id = self._open_obligation(
                p,
                target.group,
                "BONUS" if target.kind == "BONUS" else "DEPOSIT",
                amount,
                ceil_div(amount * ARRIVAL_ROLLING_BPS, 10_000),
            )
        self._auto_complete(p, [source.group, target.group])
        return self._remember(
            p,
            "transfer",
            transfer_id,
            request,
            {
                "transfer_id": transfer_id,
                "from": from_type,
                "to": to_type,
                "debited": amount,
                "credited": amount,
                "rolling_moved": sum(m["required"] for m in moved),
                "rolling": moved,
                "inherited_rolling_id": inherited_id,
                "arrival_rolling_id": arrival_id,
            },
        )

    # ---- rolling admin

    def _rolling_admin(self, rolling_id: int, status: str, reason: str) -> dict:
        if not reason_ok(reason):
            raise WalletError("VALIDATION_FAILED")
        p = self._owner("ROLLING", rolling_id, "ROLLING_NOT_FOUND")
        ob = p.obligations[rolling_id]
        if ob.status == status:
            # The first answer again; an obligation a reversal cancelled released and forfeited nothing.
            return ob.admin_result or {
                "rolling_id": rolling_id,
                "status": status,
                "progress": ob.progress,
                "released": 0,
                "forfeited": 0,
            }
        if ob.status != "ACTIVE":
            raise WalletError("INVALID_STATE", ob.status)
        result = ob.admin_result = self._close(p, ob, status, forfeit=True)
        self._auto_complete(p, [ob.group])
        return result

    def rolling_waive(self, rolling_id: int, reason: str) -> dict:
        return self._rolling_admin(rolling_id, "WAIVED", reason)

    def rolling_cancel(self, rolling_id: int, reason: str) -> dict:
        return self._rolling_admin(rolling_id, "CANCELLED", reason)
