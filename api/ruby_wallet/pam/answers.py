"""From the database's answers to the contract's envelopes.

The casino functions (procedures/casino/, schema `casino`) answer jsonb in minor units:
`{"status": "OK", "currency": "EUR", "balance": {"cash": 1230, "bonus": 0, "promo": 0}, ...}` or
`{"status": "ERROR", "code": "PAM_ERR_…", "message": "…"[, "currency", "balance"]}`.  This module
turns them into the contract's Structs, writing amounts as exact decimals of the currency.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from ruby_wallet.pam import amounts, codes, model


class Refusal(Exception):
    """An answer refused before or instead of the wallet call: its HTTP status and envelope."""

    def __init__(self, status_code: int, code: str, message: str, balance: model.Balance | UnsetType = UNSET):
        super().__init__(f"{code}: {message}")
        self.status_code = status_code
        self.code = code
        self.message = message
        self.balance = balance


def error(code: str, message: str) -> model.PamError:
    return model.PamError(code=model.ErrorCode(code), message=message)


def refusal_body(refusal: Refusal) -> model.ErrorResponse:
    return model.ErrorResponse(status=model.StatusCode.ERROR, error=error(refusal.code, refusal.message))


def amount(minor: int, currency: str) -> model.Amount:
    return model.Amount(amounts.from_minor(minor, currency))


def balance(answer: dict[str, Any]) -> model.Balance | UnsetType:
    """The answer's balance in the contract's decimals, or UNSET when it carries none (or its
    currency has no ISO 4217 minor unit, which the caller reports)."""
    found, currency = answer.get("balance"), answer.get("currency")
    if not isinstance(found, dict) or not isinstance(currency, str) or currency not in amounts.EXPONENTS:
        return UNSET
    return model.Balance(
        cash_amount=amount(found["cash"], currency),
        bonus_amount=amount(found["bonus"], currency),
        promo_amount=amount(found["promo"], currency),
    )


def check(answer: dict[str, Any]) -> None:
    """Raise the Refusal of an ERROR answer that travels with HTTP 401 (session, key)."""
    if answer.get("status") == "ERROR" and codes.http_status(answer["code"]) != 200:
        raise Refusal(codes.http_status(answer["code"]), answer["code"], answer.get("message") or answer["code"])


def _error_of(answer: dict[str, Any]) -> model.PamError | UnsetType:
    if answer.get("status") != "ERROR":
        return UNSET
    return error(answer["code"], answer.get("message") or answer["code"])


def _status(answer: dict[str, Any]) -> model.StatusCode:
    return model.StatusCode.OK if answer.get("status") == "OK" else model.StatusCode.ERROR


def _currency_known(answer: dict[str, Any]) -> dict[str, Any]:
    """An OK answer whose amounts cannot be written (no ISO 4217 minor unit) becomes an ERROR."""
    currency = answer.get("currency")
    if answer.get("status") == "OK" and isinstance(currency, str) and currency not in amounts.EXPONENTS:
        return {
            "status": "ERROR",
            "code": codes.UNDEFINED,
            "message": f"the account's currency {currency} has no ISO 4217 minor unit the adapter knows",
        }
    return answer


def session_response(answer: dict[str, Any], token: str) -> model.SessionResponse:
    check(answer)
    found = answer.get("session")
    if answer.get("status") != "OK" or not isinstance(found, dict):
        return model.SessionResponse(status=_status(answer), error=_error_of(answer))
    session = model.Session(
        player_id=found["player_id"],
        token=found.get("token") or token,
        currency=found["currency"],
        country=found["country"],
        language=found["language"].upper(),
        game_id=found.get("game_id") or UNSET,
    )
    return model.SessionResponse(status=model.StatusCode.OK, session=session)


def balance_response(answer: dict[str, Any]) -> model.BalanceResponse:
    check(answer)
    answer = _currency_known(answer)
    return model.BalanceResponse(status=_status(answer), error=_error_of(answer), balance=balance(answer))


def _timestamp(text: str) -> datetime:
    return msgspec.convert(text, datetime, strict=False)


def transaction(row: dict[str, Any], currency: str) -> model.Transaction:
    def optional(key: str) -> Any:
        value = row.get(key)
        return UNSET if value is None else value

    return model.Transaction(
        currency=currency,
        provider=row["provider"],
        transaction_type=model.TransactionType(row["transaction_type"]),
        cash_amount=amount(row["cash"], currency),
        bonus_amount=amount(row["bonus"], currency),
        promo_amount=amount(row["promo"], currency),
        transaction_date_time=_timestamp(row["transaction_at"]),
        provider_transaction_id=row["provider_transaction_id"],
        provider_bet_ref=optional("provider_bet_ref"),
        provider_game_id=optional("provider_game_id"),
        provider_round_id=optional("provider_round_id"),
        bet_code=optional("bet_code"),
        is_game_over=bool(row.get("is_game_over")),
    )


def transactions_response(answer: dict[str, Any]) -> model.GetTransactionsResponse:
    check(answer)
    answer = _currency_known(answer)
    if answer.get("status") != "OK":
        return model.GetTransactionsResponse(status=model.StatusCode.ERROR, error=_error_of(answer))
    found = [transaction(row, answer["currency"]) for row in answer.get("transactions") or []]
    return model.GetTransactionsResponse(status=model.StatusCode.OK, transactions=found)


def add_transaction_response(answer: dict[str, Any]) -> model.AddTransactionResponse:
    check(answer)
    answer = _currency_known(answer)
    found = balance(answer)
    transaction_id = answer.get("transaction_id")
    result: model.TransactionResult | UnsetType = UNSET
    if transaction_id is not None or found is not UNSET:
        result = model.TransactionResult(
            transaction_id=UNSET if transaction_id is None else str(transaction_id), balance=found
        )
    return model.AddTransactionResponse(status=_status(answer), error=_error_of(answer), transaction_result=result)


def game_round_response(answer: dict[str, Any]) -> model.GameRoundResponse:
    check(answer)
    found = answer.get("round")
    if answer.get("status") != "OK" or not isinstance(found, dict):
        return model.GameRoundResponse(status=model.StatusCode.ERROR, error=_error_of(answer))
    ended = found.get("ended_at")
    game_round = model.GameRound(
        provider_game_id=found["provider_game_id"],
        provider_round_id=found["provider_round_id"],
        start_time=_timestamp(found["started_at"]),
        end_time=UNSET if ended is None else _timestamp(ended),
    )
    return model.GameRoundResponse(status=model.StatusCode.OK, gameround=game_round)
