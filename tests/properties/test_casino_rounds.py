"""Property test of the casino adapter (SPEC §10): a hypothesis state machine plays random
round sequences through /pam/valkyrie — bets, wins (settling, then paying more), rounds ending,
cancels (of open, settled, cancelled and never-seen withdraws), retries, duplicates for the
same and for another player, sessions expiring and refreshed, amounts finer than a cent — and
checks every answer (HTTP status, code, balance) against a small independent model written from
the spec, not from the code.  After every step the player's balances through the adapter and
through the wallet's own read equal the model's, and the player's books reconcile.

Knobs (environment): RW_PROPERTY_EXAMPLES (default 40), RW_PROPERTY_STEPS (default 30),
RW_PROPERTY_RANDOM=1 for a random (not derandomized) run.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from decimal import Decimal

import psycopg
from hypothesis import HealthCheck, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.support.pam import Pam, PamSchema, open_player, open_session

SETTINGS = settings(
    max_examples=int(os.environ.get("RW_PROPERTY_EXAMPLES", "40")),
    stateful_step_count=int(os.environ.get("RW_PROPERTY_STEPS", "30")),
    deadline=None,
    derandomize=not os.environ.get("RW_PROPERTY_RANDOM"),
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
START = 10000  # cents of casino cash each player starts with
_examples = itertools.count()


# --- the model ---------------------------------------------------------------------------------


@dataclass
class Bet:
    transaction_id: str
    ref: str | None
    round_id: str
    stake: int
    state: str = "OPEN"  # OPEN, SETTLED, CANCELLED


@dataclass
class Recorded:
    """A transaction the wallet took (or, for an unseen cancel, recorded as a tombstone)."""

    kind: str
    round_id: str | None
    amount: int
    answer: str  # OK or PAM_ERR_CANCEL_NOT_FOUND


@dataclass
class Model:
    cash: int = START
    rounds: dict[str, str] = field(default_factory=dict)  # round -> OPEN / CLOSED
    bets: list[Bet] = field(default_factory=list)
    recorded: dict[tuple[str, str], Recorded] = field(default_factory=dict)
    tombstones: set[str] = field(default_factory=set)
    deposits: set[str] = field(default_factory=set)  # refs and ids a DEPOSIT carried
    session_live: bool = True

    def open_stake(self) -> int:
        return sum(b.stake for b in self.bets if b.state == "OPEN")

    def named(self, ref: str, round_id: str | None = None) -> list[Bet]:
        """The withdraws a reference names: by bet ref, else by their own transaction id."""
        found = [b for b in self.bets if b.ref == ref and (round_id is None or b.round_id == round_id)]
        return found or [
            b for b in self.bets if b.transaction_id == ref and (round_id is None or b.round_id == round_id)
        ]

    def close(self, round_id: str) -> None:
        if self.rounds.get(round_id) == "OPEN":
            for b in self.bets:
                if b.round_id == round_id and b.state == "OPEN":
                    b.state = "SETTLED"  # LOSS: the stake stays with the house
            self.rounds[round_id] = "CLOSED"

    # Each returns the code the adapter must answer, and applies the effect when it is OK.

    def withdraw(self, tx: str, ref: str | None, round_id: str, amount: int, over: bool) -> str:
        if not self.session_live:
            return "PAM_ERR_SESSION_EXPIRED"
        if tx in self.tombstones or (ref is not None and ref in self.tombstones):
            return "PAM_ERR_TRANS_ALREADY_CANCELLED"
        if self.rounds.get(round_id) == "CLOSED":
            return "PAM_ERR_BET_NOT_ALLOWED"
        if amount > self.cash:
            return "PAM_ERR_CASH_OVERDRAFT"
        self.cash -= amount
        self.rounds.setdefault(round_id, "OPEN")
        self.bets.append(Bet(tx, ref, round_id, amount))
        self.recorded[("WITHDRAW", tx)] = Recorded("WITHDRAW", round_id, amount, "OK")
        if over:
            self.close(round_id)
        return "OK"

    def deposit(self, tx: str, ref: str | None, round_id: str, amount: int, over: bool) -> str:
        if round_id not in self.rounds:
            return "PAM_ERR_TRANS_NOT_FOUND"
        if self.rounds[round_id] == "CLOSED":
            return "PAM_ERR_TRANS_ALREADY_SETTLED"
        in_round = [b for b in self.bets if b.round_id == round_id]
        named = self.named(ref, round_id) if ref is not None else []
        if named and all(b.state == "CANCELLED" for b in named):
            return "PAM_ERR_TRANS_ALREADY_CANCELLED"
        candidates = [b for b in (named or in_round) if b.state != "CANCELLED" and b.stake > 0]
        if amount > 0:
            targets = [b for b in candidates if b.state == "OPEN"] or candidates
            if not targets:
                if any(b.stake > 0 for b in (named or in_round)):
                    return "PAM_ERR_TRANS_ALREADY_CANCELLED"
                return "PAM_ERR_TRANS_NOT_FOUND"
            for b in targets:
                b.state = "SETTLED"
            self.cash += amount  # every bet here was funded from CASINO_NORMAL: its win goes back there
        self.recorded[("DEPOSIT", tx)] = Recorded("DEPOSIT", round_id, amount, "OK")
        self.deposits.update({tx, *([ref] if ref else [])})
        if over:
            self.close(round_id)
        return "OK"

    def cancel(self, tx: str, ref: str | None, round_id: str | None, amount: int) -> str:
        reference = ref if ref is not None else tx
        named = self.named(reference)
        if not named:
            if reference in self.deposits:
                return "PAM_ERR_CANCEL_NON_WITHDRAW"
            self.tombstones.add(reference)
            self.recorded[("CANCEL", tx)] = Recorded("CANCEL", round_id, amount, "PAM_ERR_CANCEL_NOT_FOUND")
            return "PAM_ERR_CANCEL_NOT_FOUND"
        if any(b.state == "SETTLED" for b in named):
            return "PAM_ERR_TRANS_ALREADY_SETTLED"
        if all(b.state == "CANCELLED" for b in named):
            return "PAM_ERR_TRANS_ALREADY_CANCELLED"
        for b in named:
            if b.state == "OPEN":
                self.cash += b.stake
                b.state = "CANCELLED"
        self.recorded[("CANCEL", tx)] = Recorded("CANCEL", round_id, amount, "OK")
        return "OK"


# --- the machine -------------------------------------------------------------------------------

ROUNDS = st.sampled_from(["r1", "r2", "r3"])
CENTS = st.integers(min_value=0, max_value=4000)


def decimal_text(cents: int, six: bool) -> str:
    text = f"{Decimal(cents) / 100:.2f}"
    return text + "0000" if six else text


class CasinoRounds(RuleBasedStateMachine):
    api = None  # set per run: the Api of tests/support/http.py
    schema: PamSchema
    db_url: str

    @initialize()
    def players(self):
        n = next(_examples)
        self.p, self.q = f"cr{n}", f"cr{n}-other"
        self.pam = Pam(self.api.client, self.schema, self.api.keys["casino"], token=open_player(self.api, self.p))
        self.other = Pam(self.api.client, self.schema, self.api.keys["casino"], token=open_player(self.api, self.q))
        self.model = Model()
        self.ids = itertools.count(1)
        self.unseen = itertools.count(1)

    def _expect(self, answer, code: str) -> None:
        status = 401 if code in ("PAM_ERR_SESSION_EXPIRED", "PAM_ERR_SESSION_NOT_FOUND") else 200
        assert (answer.status, answer.code) == (status, code), answer.body
        if status == 200:
            assert answer.balance["cashAmount"] == Decimal(self.model.cash) / 100, (answer.body, self.model.cash)

    def _tx(self) -> str:
        # Keys are unique across players (another player's key is a duplicate): prefixed by the player.
        return f"{self.p}-t{next(self.ids)}"

    @rule(round_id=ROUNDS, cents=CENTS, with_ref=st.booleans(), over=st.integers(0, 9), six=st.booleans())
    def bet(self, round_id, cents, with_ref, over, six):
        tx = self._tx()
        ref = f"b-{tx}" if with_ref else None
        answer = self.pam.add(
            self.p, "WITHDRAW", tx, decimal_text(cents, six), round_id=round_id, bet_ref=ref, game_over=over == 0
        )
        self._expect(answer, self.model.withdraw(tx, ref, round_id, cents, over == 0))

    @rule(round_id=ROUNDS, cents=CENTS, name_a_bet=st.booleans(), over=st.booleans(), data=st.data())
    def win(self, round_id, cents, name_a_bet, over, data):
        tx = self._tx()
        refs = [b.ref for b in self.model.bets if b.round_id == round_id and b.ref]
        ref = data.draw(st.sampled_from(refs)) if name_a_bet and refs else None
        answer = self.pam.add(
            self.p, "DEPOSIT", tx, decimal_text(cents, False), round_id=round_id, bet_ref=ref, game_over=over
        )
        self._expect(answer, self.model.deposit(tx, ref, round_id, cents, over))

    @precondition(lambda self: self.model.bets)
    @rule(data=st.data(), own_id=st.booleans())
    def cancel_a_bet(self, data, own_id):
        bet = data.draw(st.sampled_from(self.model.bets))
        if own_id or bet.ref is None:  # Red Tiger: the refund under the stake's own transaction id
            tx, ref = bet.transaction_id, None
        else:
            tx, ref = self._tx(), bet.ref
        if ("CANCEL", tx) in self.model.recorded:
            return  # that cancel was sent already: retries are their own rule
        answer = self.pam.add(self.p, "CANCEL", tx, decimal_text(bet.stake, False), round_id=bet.round_id, bet_ref=ref)
        self._expect(answer, self.model.cancel(tx, ref, bet.round_id, bet.stake))

    @rule(cents=CENTS)
    def cancel_before_its_bet(self, cents):
        """A cancel of a withdraw never seen, whose withdraw may come later (bet_late)."""
        tx, ref = self._tx(), f"{self.p}-u{next(self.unseen)}"
        answer = self.pam.add(self.p, "CANCEL", tx, decimal_text(cents, False), round_id="r9", bet_ref=ref)
        self._expect(answer, self.model.cancel(tx, ref, "r9", cents))

    @precondition(lambda self: self.model.tombstones)
    @rule(data=st.data())
    def bet_late(self, data):
        ref = data.draw(st.sampled_from(sorted(self.model.tombstones)))
        tx = self._tx()
        answer = self.pam.add(self.p, "WITHDRAW", tx, "1.00", round_id="r9", bet_ref=ref)
        self._expect(answer, self.model.withdraw(tx, ref, "r9", 100, False))

    @precondition(lambda self: self.model.deposits)
    @rule(data=st.data())
    def cancel_a_win(self, data):
        ref = data.draw(st.sampled_from(sorted(self.model.deposits)))
        tx = self._tx()
        answer = self.pam.add(self.p, "CANCEL", tx, "0", round_id=None, bet_ref=ref)
        self._expect(answer, self.model.cancel(tx, ref, None, 0))

    @precondition(lambda self: self.model.recorded)
    @rule(data=st.data())
    def retry(self, data):
        """The same transaction again: its first answer, the current balance, nothing moves."""
        (kind, tx), first = data.draw(st.sampled_from(sorted(self.model.recorded.items())))
        ref = None
        if kind == "WITHDRAW":
            ref = next(b.ref for b in self.model.bets if b.transaction_id == tx)
        answer = self.pam.add(self.p, kind, tx, decimal_text(first.amount, True), round_id=first.round_id, bet_ref=ref)
        self._expect(answer, first.answer)

    @precondition(lambda self: self.model.recorded)
    @rule(data=st.data(), change=st.sampled_from(["amount", "round", "player"]))
    def duplicate(self, data, change):
        (kind, tx), first = data.draw(st.sampled_from(sorted(self.model.recorded.items())))
        if change == "player":
            answer = self.other.add(self.q, kind, tx, decimal_text(first.amount, False), round_id=first.round_id)
            assert answer.code == "PAM_ERR_DUPLICATE_TRANS", answer.body
            assert answer.balance["cashAmount"] == Decimal(START) / 100, "the other player's balance, untouched"
            return
        amount = first.amount + 1 if change == "amount" else first.amount
        round_id = "r-elsewhere" if change == "round" else first.round_id
        answer = self.pam.add(self.p, kind, tx, decimal_text(amount, False), round_id=round_id)
        self._expect(answer, "PAM_ERR_DUPLICATE_TRANS")

    @rule(cents=CENTS)
    def amount_finer_than_a_cent(self, cents):
        answer = self.pam.add(self.p, "WITHDRAW", self._tx(), f"{Decimal(cents) / 100:.2f}5", round_id="r1")
        self._expect(answer, "PAM_ERR_UNDEFINED")

    @rule()
    def session_expires(self):
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            conn.execute(
                "UPDATE wallet.game_session SET expires_at = now() - interval '1 second' WHERE account_id = %s",
                (self.p,),
            )
        self.model.session_live = False

    @rule()
    def session_refresh(self):
        answer = self.pam.refresh()
        if not self.model.session_live:
            assert (answer.status, answer.code) == (401, "PAM_ERR_SESSION_EXPIRED")
            return
        assert answer.code == "OK"
        old, self.pam.token = self.pam.token, answer.body["session"]["token"]
        assert self.pam.balance(self.p, token=old).code == "PAM_ERR_SESSION_NOT_FOUND", "the old token is dead at once"

    @rule()
    def new_session(self):
        self.pam.token = open_session(self.api, self.p)
        self.model.session_live = True

    @invariant()
    def balances_and_books(self):
        if not hasattr(self, "model"):
            return
        note(f"model: cash {self.model.cash}, open {self.model.open_stake()}, rounds {self.model.rounds}")
        through_adapter = self.pam.balance(self.p)
        assert through_adapter.code == "OK"
        assert through_adapter.body["balance"]["cashAmount"] == Decimal(self.model.cash) / 100
        snapshot = self.api.get(f"/v1/players/{self.p}/balances", scope="player").json()
        casino = {b["bucket_type"]: b["balance"] for g in snapshot["groups"] for b in g["buckets"]}
        assert casino["CASINO_NORMAL"] == self.model.cash
        assert snapshot["open_bets"]["stake"] == self.model.open_stake()
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            assert conn.execute("SELECT * FROM ops.reconcile_player(p_player_id => %s)", (self.p,)).fetchall() == []


def test_random_round_sequences_match_the_model(api, db_url):
    document = api.get("/pam/valkyrie/openapi.json", scope=None).json()
    schema = PamSchema(document)
    CasinoRounds.api, CasinoRounds.schema, CasinoRounds.db_url = api, schema, db_url
    run_state_machine_as_test(CasinoRounds, settings=SETTINGS)
    assert schema.failures == [], "answers the adapter's document does not describe:\n" + "\n".join(
        schema.failures[:20]
    )
