"""Request bodies read strictly and exactly; database answers written as the contract's
envelopes; error codes and their HTTP statuses."""

from __future__ import annotations

import json
from decimal import Decimal

import msgspec
import pytest

from ruby_wallet.pam import answers, body, codes, model

GOOD = {
    "currency": "USD",
    "provider": "evolution",
    "transactionType": "WITHDRAW",
    "cashAmount": 12.300000,
    "bonusAmount": 0,
    "promoAmount": 0.000000,
    "transactionDateTime": "2026-12-01T10:00:00.123456789Z",
    "providerTransactionId": "tx-1",
    "providerRoundId": "r-1",
    "providerGameId": "g-1",
    "isGameOver": False,
    "somethingNewer": {"Valkyrie may": "send more"},
}


def raw(value) -> bytes:
    return json.dumps(value).encode()


# --- bodies --------------------------------------------------------------------------------------


def test_a_valid_body_decodes_with_exact_amounts():
    text = raw(GOOD).replace(b'"cashAmount": 12.3', b'"cashAmount": 12.300000')
    t = body.decode(text, model.Transaction)
    assert t.cash_amount == Decimal("12.3") and str(t.cash_amount) == "12.300000"
    assert isinstance(t.cash_amount, model.Amount)
    assert t.transaction_type is model.TransactionType.WITHDRAW
    assert t.provider_bet_ref is msgspec.UNSET
    assert t.transaction_date_time.tzinfo is not None


def test_many_digits_stay_exact():
    t = body.decode(
        raw(GOOD).replace(b'"cashAmount": 12.3', b'"cashAmount": 0.1000000000000000055511151231257827'),
        model.Transaction,
    )
    assert t.cash_amount == Decimal("0.1000000000000000055511151231257827")


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"cashAmount": "12.30"}, "cashAmount"),
        ({"cashAmount": True}, "cashAmount"),
        ({"cashAmount": None}, "cashAmount"),
        ({"currency": "usd"}, "currency"),
        ({"transactionType": "REFUND"}, "transactionType"),
        ({"providerTransactionId": ""}, "providerTransactionId"),
        ({"providerTransactionId": "x" * 41}, "providerTransactionId"),
        ({"providerRoundId": None}, "providerRoundId"),
        ({"transactionDateTime": "2026-12-01T10:00:00"}, "transactionDateTime"),
        ({"isGameOver": "yes"}, "isGameOver"),
        ({"promos": [{"promoType": "CASHBACK"}]}, "promoType"),
        ({"promos": [{"promoAmount": "1"}]}, "promoAmount"),
        ({"roundTransactions": [{}]}, "transactionType"),
    ],
)
def test_a_body_breaking_the_schema_is_refused(change, fragment):
    with pytest.raises(body.BadBody, match=fragment):
        body.decode(raw({**GOOD, **change}), model.Transaction)


@pytest.mark.parametrize(
    "field",
    [
        "currency",
        "provider",
        "transactionType",
        "cashAmount",
        "bonusAmount",
        "promoAmount",
        "transactionDateTime",
        "providerTransactionId",
    ],
)
def test_every_required_field_is_required(field):
    with pytest.raises(body.BadBody, match=field):
        body.decode(raw({k: v for k, v in GOOD.items() if k != field}), model.Transaction)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (b"", "empty"),
        (b"   ", "empty"),
        (b"[1, 2]", "object"),
        (b"{not json", "not valid JSON"),
        (b'{"cashAmount": NaN}', "not a JSON number"),
        (b'{"cashAmount": Infinity}', "not a JSON number"),
        (b'{"a": 1, "a": 2}', "twice"),
        (b'{"promos": [{"promoCode": "A", "promoCode": "B"}]}', "twice"),
        (b"\xff\xfe", "UTF-8"),
        (b"[" * 40 + b"]" * 40, "deeper"),
        (b'{"cashAmount": 1' + b"0" * 5000 + b"}", "not valid JSON"),
        (b'{"provider": "evo\\u0000"}', "NUL"),
        (b'{"promos": [{"promoName\\u0000": "x"}]}', "NUL"),
    ],
)
def test_ambiguous_or_broken_json_is_refused(text, fragment):
    with pytest.raises(body.BadBody, match=fragment):
        body.decode(text, model.Transaction)


def test_a_body_too_large_is_refused():
    with pytest.raises(body.BadBody, match="larger"):
        body.parse_json(b" " * (body.MAX_BODY_BYTES + 1))


# --- answers -------------------------------------------------------------------------------------


def encoded(struct) -> dict:
    return json.loads(model.encode(struct), parse_float=Decimal)


def test_an_ok_transaction_answer_has_exact_decimals_of_the_currency():
    answer = {
        "status": "OK",
        "transaction_id": 42,
        "currency": "USD",
        "balance": {"cash": 1230, "bonus": 5, "promo": 0},
    }
    text = model.encode(answers.add_transaction_response(answer))
    assert text == (
        b'{"status":"OK","transactionResult":{"transactionId":"42",'
        b'"balance":{"cashAmount":12.30,"bonusAmount":0.05,"promoAmount":0.00}}}'
    )


def test_amounts_are_written_in_the_accounts_currency():
    krw = {"status": "OK", "currency": "KRW", "balance": {"cash": 5000, "bonus": 0, "promo": 0}}
    assert encoded(answers.balance_response(krw))["balance"] == {"cashAmount": 5000, "bonusAmount": 0, "promoAmount": 0}
    kwd = {**krw, "currency": "KWD", "balance": {"cash": 1, "bonus": 1230, "promo": 0}}
    assert model.encode(answers.balance_response(kwd)) == (
        b'{"status":"OK","balance":{"cashAmount":0.001,"bonusAmount":1.230,"promoAmount":0.000}}'
    )


def test_a_refusal_carries_the_balance_when_the_database_gave_one():
    answer = {
        "status": "ERROR",
        "code": "PAM_ERR_CASH_OVERDRAFT",
        "message": "short",
        "currency": "EUR",
        "balance": {"cash": 100, "bonus": 0, "promo": 0},
    }
    assert encoded(answers.add_transaction_response(answer)) == {
        "status": "ERROR",
        "error": {"code": "PAM_ERR_CASH_OVERDRAFT", "message": "short"},
        "transactionResult": {
            "balance": {"cashAmount": Decimal("1.00"), "bonusAmount": Decimal("0.00"), "promoAmount": Decimal("0.00")}
        },
    }
    bare = {"status": "ERROR", "code": "PAM_ERR_PLAYER_NOT_FOUND", "message": "no player"}
    assert encoded(answers.add_transaction_response(bare)) == {
        "status": "ERROR",
        "error": {"code": "PAM_ERR_PLAYER_NOT_FOUND", "message": "no player"},
    }


def test_session_errors_become_http_401():
    for code in ("PAM_ERR_SESSION_NOT_FOUND", "PAM_ERR_SESSION_EXPIRED"):
        with pytest.raises(answers.Refusal) as refused:
            answers.balance_response({"status": "ERROR", "code": code, "message": "m"})
        assert refused.value.status_code == 401 and refused.value.code == code


def test_an_account_currency_without_minor_unit_is_an_error_not_a_guess():
    answer = {"status": "OK", "currency": "XAU", "balance": {"cash": 1, "bonus": 0, "promo": 0}}
    assert encoded(answers.balance_response(answer))["error"]["code"] == "PAM_ERR_UNDEFINED"


def test_session_answers_upper_case_the_language_and_keep_the_token():
    answer = {
        "status": "OK",
        "session": {"player_id": "p1", "currency": "EUR", "country": "SE", "language": "sv", "game_id": None},
    }
    out = encoded(answers.session_response(answer, "a" * 40))
    assert out == {
        "status": "OK",
        "session": {"playerId": "p1", "token": "a" * 40, "currency": "EUR", "country": "SE", "language": "SV"},
    }
    refreshed = {**answer, "session": {**answer["session"], "token": "b" * 40, "game_id": "g1"}}
    assert encoded(answers.session_response(refreshed, "a" * 40))["session"]["token"] == "b" * 40


def test_transactions_and_rounds_are_written_in_the_contracts_shape():
    row = {
        "provider": "evolution",
        "transaction_type": "DEPOSIT",
        "provider_transaction_id": "t2",
        "cash": 250,
        "bonus": 0,
        "promo": 0,
        "transaction_at": "2026-12-01T10:00:00+00:00",
        "provider_bet_ref": "ref",
        "provider_game_id": "g",
        "provider_round_id": "r",
        "bet_code": None,
        "is_game_over": True,
    }
    out = encoded(answers.transactions_response({"status": "OK", "currency": "EUR", "transactions": [row]}))
    assert out["transactions"] == [
        {
            "currency": "EUR",
            "provider": "evolution",
            "transactionType": "DEPOSIT",
            "cashAmount": Decimal("2.50"),
            "bonusAmount": Decimal("0.00"),
            "promoAmount": Decimal("0.00"),
            "transactionDateTime": "2026-12-01T10:00:00Z",
            "providerTransactionId": "t2",
            "providerBetRef": "ref",
            "providerGameId": "g",
            "providerRoundId": "r",
            "isGameOver": True,
        }
    ]
    game_round = {
        "provider_game_id": "g",
        "provider_round_id": "r",
        "started_at": "2026-12-01T10:00:00+00:00",
        "ended_at": None,
    }
    out = encoded(answers.game_round_response({"status": "OK", "round": game_round}))
    assert out == {
        "status": "OK",
        "gameround": {"providerGameId": "g", "providerRoundId": "r", "startTime": "2026-12-01T10:00:00Z"},
    }


# --- codes ---------------------------------------------------------------------------------------


def test_every_contract_code_is_known_once_with_its_http_status():
    assert list(codes.CODES) == [c.value for c in model.ErrorCode]
    assert {c for c in codes.CODES if codes.http_status(c) == 401} == {
        "PAM_ERR_API_TOKEN",
        "PAM_ERR_SESSION_NOT_FOUND",
        "PAM_ERR_SESSION_EXPIRED",
    }
    assert codes.http_status("PAM_ERR_CASH_OVERDRAFT") == 200
    with pytest.raises(ValueError):
        codes.http_status("INSUFFICIENT_FUNDS")
