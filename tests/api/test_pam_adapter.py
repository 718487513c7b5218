"""The Valkyrie PAM API over HTTP (SPEC §10, docs/casino.md): each error code and rule, through
the real app on a real database.  Every answer is validated against the adapter's served
OpenAPI document for its operation and status (tests/support/pam.py); a test fails at teardown
on any answer the document does not describe."""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from tests.support.http import assert_problem, create_key
from tests.support.pam import Pam, PamSchema, expire_sessions, open_player, open_session


@pytest.fixture
def schema(api) -> PamSchema:
    response = api.get("/pam/valkyrie/openapi.json", scope=None)
    assert response.status_code == 200
    checked = PamSchema(response.json())
    yield checked
    assert checked.failures == [], "answers the adapter's document does not describe:\n" + "\n".join(checked.failures)


@pytest.fixture
def pam(api, schema) -> Pam:
    """Valkyrie with its casino key, calling for player p1 (10000 EUR cents of casino cash)."""
    token = open_player(api, "p1")
    return Pam(api.client, schema, api.keys["casino"], token=token)


def cents(text: str) -> Decimal:
    return Decimal(text)


def balance_of(answer) -> tuple[Decimal, Decimal, Decimal]:
    b = answer.balance
    return b["cashAmount"], b["bonusAmount"], b["promoAmount"]


# --- who calls ---------------------------------------------------------------------------------


def test_the_api_key_is_checked_first_and_answered_401_pam_err_api_token(api, schema, db_url):
    token = open_player(api, "p1")
    for key, why in (
        (None, "no key"),
        ("rw_000000000000_" + "0" * 64, "an unknown key"),
        (api.keys["admin"], "a key without the casino scope"),
        ("not-a-key", "a malformed key"),
    ):
        answer = Pam(api.client, schema, key, token=token).balance("p1")
        assert (answer.status, answer.code) == (401, "PAM_ERR_API_TOKEN"), why
    revoked = create_key(db_url, "revoked-casino", ["casino"])
    assert Pam(api.client, schema, revoked, token=token).balance("p1").status == 200
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SELECT ops.api_key_revoke(p_name => 'revoked-casino')")
    api.client.app.state.key_cache = type(api.client.app.state.key_cache)()  # forget the cached key
    assert Pam(api.client, schema, revoked, token=token).balance("p1").code == "PAM_ERR_API_TOKEN"


def test_the_provider_query_parameter_and_its_configuration(pam, api):
    assert (pam.balance("p1", provider=None).status, pam.balance("p1", provider=None).code) == (
        400,
        "PAM_ERR_MISSING_PROVIDER",
    )
    unknown = pam.balance("p1", provider="nobody")
    assert (unknown.status, unknown.code) == (200, "PAM_ERR_MISSING_PROVIDER")
    assert (
        api.put("/v1/admin/providers/evolution", {"provider_type": "LIVE", "enabled": False, "reason": "t"}).status_code
        == 200
    )
    assert pam.balance("p1").code == "PAM_ERR_MISSING_PROVIDER"
    assert pam.add("p1", "DEPOSIT", "d-while-off", "1.00").code == "PAM_ERR_MISSING_PROVIDER", "disabled: wins too"
    assert api.put("/v1/admin/providers/evolution", {"provider_type": "LIVE", "reason": "back"}).status_code == 200
    assert pam.balance("p1").code == "OK"


def test_session_token_rules(pam, api, db_url):
    for token, why in ((None, "no token"), ("short", "not 32-40 characters"), ("0" * 40, "no such session")):
        answer = pam.balance("p1", token=token)
        assert (answer.status, answer.code) == (401, "PAM_ERR_SESSION_NOT_FOUND"), why
    other = open_player(api, "p2")
    assert pam.balance("p1", token=other).code == "PAM_ERR_SESSION_NOT_FOUND", "another player's session"
    red = open_session(api, "p1", "redtiger")
    assert pam.balance("p1", token=red).code == "PAM_ERR_SESSION_NOT_FOUND", "a session of another provider"
    assert pam.session().body["session"] == {
        "playerId": "p1",
        "token": pam.token,
        "currency": "EUR",
        "country": "SE",
        "language": "SV",
        "gameId": "roulette",
    }


def test_an_expired_session_takes_wins_cancels_promotions_and_reads_but_no_bet(pam, db_url):
    assert pam.add("p1", "WITHDRAW", "w1", "10.00", bet_ref="b1").code == "OK"
    assert pam.add("p1", "WITHDRAW", "w2", "5.00", round_id="r2", bet_ref="b2").code == "OK"
    expire_sessions(db_url, "p1")
    for answer in (pam.session(), pam.refresh(), pam.add("p1", "WITHDRAW", "w3", "1.00")):
        assert (answer.status, answer.code) == (401, "PAM_ERR_SESSION_EXPIRED")
    assert pam.add("p1", "WITHDRAW", "w1", "10.00", bet_ref="b1").code == "OK", (
        "a retry of a bet taken still answers OK"
    )
    assert pam.balance("p1").code == "OK"
    assert pam.transactions("p1", providerBetRef="b1").code == "OK"
    assert pam.add("p1", "DEPOSIT", "d1", "25.00").code == "OK"
    assert pam.add("p1", "CANCEL", "c2", "5.00", round_id="r2", bet_ref="b2").code == "OK"
    answer = pam.add("p1", "PROMODEPOSIT", "pd1", "3.00", round_id=None)
    assert answer.code == "OK"
    assert balance_of(answer) == (cents("115.00"), cents("3.00"), cents("0.00"))


def test_missing_correlation_id_and_bad_bodies_are_400(pam):
    answer = pam.request("GET", "/players/p1/balance", headers={"X-Correlation-ID": ""})
    assert (answer.status, answer.code) == (400, "PAM_ERR_UNDEFINED")
    for raw in (b"", b"[]", b"{", b'{"currency": "EUR", "currency": "EUR"}', b'{"cashAmount": NaN}'):
        answer = pam.request("POST", "/players/p1/transactions", raw=raw)
        assert (answer.status, answer.code) == (400, "PAM_ERR_UNDEFINED"), raw
    for change in (
        {"cashAmount": "12.30"},
        {"transactionType": "REFUND"},
        {"currency": "eur"},
        {"providerTransactionId": "x" * 41},
        {"transactionDateTime": "yesterday"},
        {"provider": "redtiger"},
    ):
        answer = pam.add("p1", "WITHDRAW", "w-bad", "1.00", **change)
        assert (answer.status, answer.code) == (400, "PAM_ERR_UNDEFINED"), change
    assert pam.balance("p1").balance["cashAmount"] == cents("100.00"), "none moved money"


def test_amount_rules(pam, api):
    for amount, code in (
        ("12.345", "PAM_ERR_UNDEFINED"),
        ("-1.00", "PAM_ERR_NEGATIVE_STAKE"),
        ("0.001", "PAM_ERR_UNDEFINED"),
    ):
        answer = pam.add("p1", "WITHDRAW", f"w{amount}", amount)
        assert (answer.status, answer.code) == (200, code), amount
        assert balance_of(answer) == (cents("100.00"), cents("0.00"), cents("0.00")), "refused with the balance"
    answer = pam.add("p1", "WITHDRAW", "w-usd", "1.00", currency="USD")
    assert answer.code == "PAM_ERR_TRANS_CURRENCY" and answer.balance["cashAmount"] == cents("100.00")
    assert pam.add("p1", "WITHDRAW", "w-xau", "1.00", currency="XAU").code == "PAM_ERR_TRANS_CURRENCY"
    # exact decimals: 0.10 + 0.20 staked leaves exactly 99.70, written with the currency's decimals
    pam.add("p1", "WITHDRAW", "w-a", "0.10", round_id="ra")
    answer = pam.add("p1", "WITHDRAW", "w-b", "0.200000", round_id="ra")
    assert answer.balance["cashAmount"] == cents("99.70") and str(answer.balance["cashAmount"]) == "99.70"


@pytest.mark.parametrize(
    ("currency", "deposit", "stake", "after"), [("KRW", 10000, "2500", "7500"), ("KWD", 10000, "1.234", "8.766")]
)
def test_amounts_follow_the_currencys_exponent(api, schema, currency, deposit, stake, after):
    token = open_player(api, "px", currency=currency, casino_cash=deposit)
    pam = Pam(api.client, schema, api.keys["casino"], token=token)
    answer = pam.add("px", "WITHDRAW", "w1", stake, currency=currency)
    assert answer.code == "OK"
    assert str(answer.balance["cashAmount"]) == after


# --- rounds ------------------------------------------------------------------------------------


def test_a_round_bet_two_wins_and_its_end(pam):
    first = pam.add("p1", "WITHDRAW", "w1", "10.00", bet_ref="b1")
    assert first.code == "OK" and first.body["transactionResult"]["transactionId"]
    assert pam.add("p1", "WITHDRAW", "w2", "30.00", bet_ref="b2").balance["cashAmount"] == cents("60.00")
    assert pam.add("p1", "DEPOSIT", "d1", "20.00").balance["cashAmount"] == cents("80.00")
    assert pam.add("p1", "DEPOSIT", "d2", "10.01").balance["cashAmount"] == cents("90.01")
    over = pam.add("p1", "DEPOSIT", "d3", "0", game_over=True)
    assert over.code == "OK"
    ended = pam.game_round("p1", "r1")
    assert ended.code == "OK" and "endTime" in ended.body["gameround"]
    late = pam.add("p1", "DEPOSIT", "d4", "5.00")
    assert late.code == "PAM_ERR_TRANS_ALREADY_SETTLED" and late.balance["cashAmount"] == cents("90.01")
    assert pam.add("p1", "WITHDRAW", "w5", "1.00").code == "PAM_ERR_BET_NOT_ALLOWED", "no bet in a round that is over"


def test_wins_and_reads_for_rounds_never_seen(pam):
    assert pam.add("p1", "DEPOSIT", "d1", "5.00", round_id="nowhere").code == "PAM_ERR_TRANS_NOT_FOUND"
    assert pam.game_round("p1", "nowhere").code == "PAM_ERR_ROUND_NOT_FOUND"
    assert pam.transactions("p1", providerTransactionId="nope").code == "PAM_ERR_TRANS_NOT_FOUND"
    answer = pam.request("GET", "/players/p1/transactions")
    assert (answer.status, answer.code) == (400, "PAM_ERR_UNDEFINED")


def test_idempotency(pam, api, schema):
    first = pam.add("p1", "WITHDRAW", "w1", "10.00", bet_ref="b1")
    pam.add("p1", "DEPOSIT", "d1", "4.00")
    again = pam.add("p1", "WITHDRAW", "w1", "10.00", bet_ref="b1")
    assert again.code == "OK"
    assert again.body["transactionResult"]["transactionId"] == first.body["transactionResult"]["transactionId"]
    assert again.balance["cashAmount"] == cents("94.00"), "the current balance, nothing moved"
    for change in ({"amount": "11.00"}, {"round_id": "r9"}, {"game": "blackjack"}):
        args = {"amount": "10.00", "bet_ref": "b1", **change}
        assert pam.add("p1", "WITHDRAW", "w1", **args).code == "PAM_ERR_DUPLICATE_TRANS", change
    other = Pam(api.client, schema, api.keys["casino"], token=open_player(api, "p2"))
    answer = other.add("p2", "WITHDRAW", "w1", "10.00", bet_ref="b1")
    assert answer.code == "PAM_ERR_DUPLICATE_TRANS" and answer.balance["cashAmount"] == cents("100.00")
    assert pam.balance("p1").balance["cashAmount"] == cents("94.00")


def test_cancels(pam):
    pam.add("p1", "WITHDRAW", "w1", "7.00", round_id="r1", bet_ref="b1")
    answer = pam.add("p1", "CANCEL", "c1", "7.00", round_id="r1", bet_ref="b1")
    assert answer.code == "OK" and answer.balance["cashAmount"] == cents("100.00")
    assert pam.add("p1", "CANCEL", "c1", "7.00", round_id="r1", bet_ref="b1").code == "OK", "the same cancel again"
    assert pam.add("p1", "CANCEL", "c1b", "7.00", round_id="r1", bet_ref="b1").code == "PAM_ERR_TRANS_ALREADY_CANCELLED"
    assert pam.add("p1", "DEPOSIT", "d1", "9.00", round_id="r1", bet_ref="b1").code == "PAM_ERR_TRANS_ALREADY_CANCELLED"
    # Red Tiger: no bet ref, the refund under the stake's own transaction id
    pam.add("p1", "WITHDRAW", "rt1", "3.00", round_id="r2")
    assert pam.add("p1", "CANCEL", "rt1", "3.00", round_id="r2").balance["cashAmount"] == cents("100.00")
    # a settled bet, a win, a withdraw never seen
    pam.add("p1", "WITHDRAW", "w3", "2.00", round_id="r3", bet_ref="b3")
    pam.add("p1", "DEPOSIT", "d3", "4.00", round_id="r3", bet_ref="b3")
    assert pam.add("p1", "CANCEL", "c3", "2.00", round_id="r3", bet_ref="b3").code == "PAM_ERR_TRANS_ALREADY_SETTLED"
    assert pam.add("p1", "CANCEL", "c-d3", "0", round_id="r3", bet_ref="d3").code == "PAM_ERR_CANCEL_NON_WITHDRAW"
    unseen = pam.add("p1", "CANCEL", "c4", "5.00", round_id="r4", bet_ref="b4")
    assert unseen.code == "PAM_ERR_CANCEL_NOT_FOUND" and unseen.balance["cashAmount"] == cents("102.00")
    late = pam.add("p1", "WITHDRAW", "w4", "5.00", round_id="r4", bet_ref="b4")
    assert late.code == "PAM_ERR_TRANS_ALREADY_CANCELLED" and late.balance["cashAmount"] == cents("102.00")


def test_money_rules_through_the_bet_commands(pam, api):
    answer = pam.add("p1", "WITHDRAW", "w-big", "100.01")
    assert answer.code == "PAM_ERR_CASH_OVERDRAFT" and answer.balance["cashAmount"] == cents("100.00")
    assert api.post("/v1/admin/accounts/p1/status", {"status": "frozen", "reason": "t"}).status_code == 200
    assert pam.add("p1", "WITHDRAW", "w-frozen", "1.00").code == "PAM_ERR_BET_NOT_ALLOWED"
    assert api.post("/v1/admin/accounts/p1/status", {"status": "active", "reason": "t"}).status_code == 200
    assert pam.add("p1", "WITHDRAW", "w-no-game", "1.00", round_id="rg", game=None).code == "OK", "the session's game"
    assert pam.add("p1", "WITHDRAW", "w-no-round", "1.00", round_id=None).code == "PAM_ERR_UNDEFINED"
    assert pam.add("p1", "WITHDRAW", "w-slash", "1.00", round_id="a/b").code == "PAM_ERR_UNDEFINED"


def test_the_balance_is_the_provider_types_wallet_group(pam, api):
    body = {"adjustment_id": "a1", "player_id": "p1", "bucket_type": "SPORTS_NORMAL", "amount": 5000, "reason": "t"}
    assert api.post("/v1/admin/adjustments", body).status_code == 201
    body = {"adjustment_id": "a2", "player_id": "p1", "bucket_type": "WITHDRAWABLE", "amount": 300, "reason": "t"}
    assert api.post("/v1/admin/adjustments", body).status_code == 201
    coupon = {"coupon_id": "c1", "player_id": "p1", "amount": 250, "provider_types": ["LIVE"]}
    assert api.post("/v1/coupons", coupon, scope="promotion").status_code == 201
    coupon = {"coupon_id": "c2", "player_id": "p1", "amount": 999, "provider_types": ["SPORTS"]}
    assert api.post("/v1/coupons", coupon, scope="promotion").status_code == 201
    assert balance_of(pam.balance("p1")) == (cents("103.00"), cents("0.00"), cents("2.50")), (
        "CASINO cash + WITHDRAWABLE; LIVE coupons only; no sports money"
    )


def test_promotion_transactions(pam, api):
    answer = pam.add("p1", "PROMODEPOSIT", "pd1", "4.00", round_id=None)
    assert balance_of(answer) == (cents("100.00"), cents("4.00"), cents("0.00")), "to CASINO_BONUS by default"
    assert pam.add("p1", "PROMOWITHDRAW", "pw1", "3.00", round_id="rp", bet_ref="pb").code == "OK"
    answer = pam.add("p1", "PROMOCANCEL", "pc1", "3.00", round_id="rp", bet_ref="pb")
    assert balance_of(answer) == (cents("100.00"), cents("4.00"), cents("0.00"))


def test_lookups_of_transactions_and_rounds(pam):
    pam.add("p1", "WITHDRAW", "w1", "1.50", bet_ref="b1")
    pam.add("p1", "DEPOSIT", "d1", "3.00", bet_ref="b1", game_over=True)
    by_ref = pam.transactions("p1", providerBetRef="b1")
    assert [(t["transactionType"], t["cashAmount"]) for t in by_ref.body["transactions"]] == [
        ("WITHDRAW", cents("1.50")),
        ("DEPOSIT", cents("3.00")),
    ]
    by_id = pam.transactions("p1", providerTransactionId="d1")
    assert [t["providerTransactionId"] for t in by_id.body["transactions"]] == ["d1"]
    both = pam.transactions("p1", providerTransactionId="w1", providerBetRef="b1")
    assert len(both.body["transactions"]) == 2, "providerBetRef wins when both are given"
    assert pam.game_round("p1", "r1").body["gameround"]["providerGameId"] == "roulette"


def test_refresh_replaces_the_token_at_once(pam):
    answer = pam.refresh()
    assert answer.code == "OK"
    new = answer.body["session"]["token"]
    assert new != pam.token and len(new) == 40
    assert pam.balance("p1").code == "PAM_ERR_SESSION_NOT_FOUND", "the old token is invalid at once"
    assert pam.balance("p1", token=new).code == "OK"


def test_an_unreachable_database_answers_pam_err_timeout(schema):
    from litestar.testing import TestClient

    from ruby_wallet.app import create_app

    app = create_app("postgresql://nobody@127.0.0.1:9/none?connect_timeout=1", pool_max=1)
    for pool in app.state.db.pools.values():
        pool.timeout = 1
    with TestClient(app=app) as client:
        answer = Pam(client, schema, "rw_000000000000_" + "0" * 64, token="0" * 40).balance("p1")
    assert (answer.status, answer.code) == (200, "PAM_ERR_TIMEOUT")


# --- the wallet routes that go with it ---------------------------------------------------------


def test_game_sessions(api):
    assert api.post("/v1/accounts", {"player_id": "p1", "currency": "EUR"}, scope="payments").status_code == 201
    body = {"player_id": "p1", "provider": "evolution", "country": "se", "language": "SV", "game_id": "g"}
    opened = api.post("/v1/game-sessions", body, scope="player")
    assert opened.status_code == 201
    assert {k: opened.json()[k] for k in ("country", "language", "currency", "provider_type")} == {
        "country": "SE",
        "language": "sv",
        "currency": "EUR",
        "provider_type": "LIVE",
    }
    assert api.post("/v1/game-sessions", body, scope="admin").status_code == 201
    assert_problem(api.post("/v1/game-sessions", body, scope="game"), 403, "FORBIDDEN")
    assert_problem(
        api.post("/v1/game-sessions", {**body, "provider": "nobody"}, scope="player"), 422, "UNKNOWN_PROVIDER"
    )
    assert_problem(
        api.post("/v1/game-sessions", {**body, "player_id": "ghost"}, scope="player"), 404, "UNKNOWN_ACCOUNT"
    )
    assert_problem(
        api.post("/v1/game-sessions", {**body, "player_id": "p" * 41}, scope="player"), 422, "VALIDATION_FAILED"
    )
    assert_problem(api.post("/v1/game-sessions", {**body, "ttl_seconds": 5}, scope="player"), 422, "VALIDATION_FAILED")
    assert (
        api.put("/v1/admin/providers/evolution", {"provider_type": "LIVE", "enabled": False, "reason": "t"}).status_code
        == 200
    )
    assert_problem(api.post("/v1/game-sessions", body, scope="player"), 409, "PROVIDER_DISABLED")


def test_providers_are_audited_configuration(api):
    listed = api.get("/v1/admin/providers").json()["providers"]
    assert [(p["provider"], p["provider_type"], p["enabled"]) for p in listed] == [
        ("caleta", "SLOTS", True),
        ("evolution", "LIVE", True),
        ("redtiger", "SLOTS", True),
    ]
    assert (
        api.put("/v1/admin/providers/pragmatic", {"provider_type": "SLOTS", "reason": "new"}).json()["enabled"] is True
    )
    assert_problem(
        api.put("/v1/admin/providers/pragmatic", {"provider_type": "BINGO", "reason": "x"}),
        422,
        "UNKNOWN_PROVIDER_TYPE",
    )
    assert_problem(
        api.put("/v1/admin/providers/bad name", {"provider_type": "SLOTS", "reason": "x"}), 422, "VALIDATION_FAILED"
    )
    assert_problem(api.put("/v1/admin/providers/pragmatic", {"provider_type": "SLOTS"}), 422, "VALIDATION_FAILED")
    assert_problem(
        api.put("/v1/admin/providers/pragmatic", {"provider_type": "SLOTS", "reason": "x"}, scope="casino"),
        403,
        "FORBIDDEN",
    )
    audit = api.get("/v1/admin/audit-log?limit=500").json()["entries"]
    changes = [(e["action"], e["target"], e["outcome"]) for e in audit if e["action"] == "casino_provider.set"]
    assert sorted(changes) == sorted(
        [
            ("casino_provider.set", "casino_provider:pragmatic", "OK"),
            ("casino_provider.set", "casino_provider:pragmatic", "REFUSED"),
            ("casino_provider.set", "casino_provider:bad name", "REFUSED"),
        ]
    )


def test_the_answer_check_itself_fails_on_what_the_document_does_not_say(pam, schema):
    good = pam.balance("p1")
    assert (
        schema.errors(
            "GET",
            "/players/{playerId}/balance",
            200,
            good.body | {"balance": {"cashAmount": 1, "bonusAmount": 0, "promoAmount": 0}},
        )
        == []
    )
    assert schema.errors("GET", "/players/{playerId}/balance", 200, {"status": "OK", "extra": 1})
    assert schema.errors("GET", "/players/{playerId}/balance", 200, {"status": "FINE"})
    assert schema.errors("GET", "/players/{playerId}/balance", 200, {"status": "OK", "balance": {"cashAmount": "1"}})
    assert schema.errors("GET", "/players/{playerId}/balance", 401, {"status": "ERROR"})
    assert schema.errors("GET", "/players/{playerId}/balance", 503, {"status": "ERROR"})
    assert ("GET", "/players/{playerId}/balance", "200") in schema.seen


def test_promotion_payouts_follow_the_money_policy(pam, api):
    """PROMODEPOSIT goes where the wallet group's money policy says (`promo_payout`), with its
    rolling multiplier; a policy naming a bucket of another group is refused."""
    casino = api.get("/v1/admin/group-policies?wallet_group=CASINO").json()["policies"][0]["document"]
    bad = {**casino, "promo_payout": {"bucket_type": "SPORTS_BONUS", "rolling_multiplier": 2000}}
    refused = assert_problem(
        api.post("/v1/admin/group-policies", {"wallet_group": "CASINO", "document": bad, "reason": "t"}),
        422,
        "POLICY_INVALID",
    )
    assert {e["path"] for e in refused["errors"]} == {"promo_payout.bucket_type", "promo_payout.rolling_multiplier"}
    document = {**casino, "promo_payout": {"bucket_type": "CASINO_NORMAL", "rolling_multiplier": 3}}
    created = api.post("/v1/admin/group-policies", {"wallet_group": "CASINO", "document": document, "reason": "t"})
    assert created.status_code == 201, created.text
    version = created.json()["version"]
    assert api.post(f"/v1/admin/group-policies/CASINO/{version}/activate", {"reason": "t"}).status_code == 200
    answer = pam.add("p1", "PROMODEPOSIT", "pd1", "4.00", round_id=None)
    assert balance_of(answer) == (cents("104.00"), cents("0.00"), cents("0.00")), "to CASINO_NORMAL"
    rolling = api.get("/v1/players/p1/balances", scope="player").json()["rolling"]
    assert sorted((r["kind"], r["base_amount"], r["required"]) for r in rolling) == [
        ("BONUS", 400, 1200),
        ("DEPOSIT", 10000, 10000),
    ]


def test_the_provider_and_session_refusals_come_before_an_amounts(pam):
    answer = pam.request(
        "POST",
        "/players/p1/transactions",
        raw=b'{"currency": "EUR", "provider": "evolution", "transactionType": "WITHDRAW", "cashAmount": -1, '
        b'"bonusAmount": 0, "promoAmount": 0, "transactionDateTime": "2026-12-01T10:00:00Z", "providerTransactionId": "n1"}',
        token="0" * 40,
    )
    assert (answer.status, answer.code) == (401, "PAM_ERR_SESSION_NOT_FOUND")
    unknown = Pam(pam.client, pam.schema, pam.key, provider="nobody", token=pam.token)
    assert unknown.add("p1", "WITHDRAW", "n2", "0.005").code == "PAM_ERR_MISSING_PROVIDER"
