"""The Valkyrie PAM API's data types (pam_api.yml 0.7.0), as msgspec Structs: what requests are
decoded into and answers encoded from, and — through msgspec's JSON Schema generation — the
component schemas of the adapter's served OpenAPI document (ruby_wallet.pam.schema).  One
definition serves all three, so the documentation cannot drift from what the adapter accepts.

Written for this project from the contract's text (github.com/valkyrie-fnd/valkyrie,
pam/pam_api.yml); field names, constraints and enums follow it.  Optional fields are absent when
not sent (`UNSET`), never null: the contract allows no null.  Amounts are `Amount`, a Decimal
that only a JSON number may fill (a string, a boolean or a float artefact is refused); see
ruby_wallet.pam.amounts.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, UnsetType


class Amount(Decimal):
    """A money amount as the contract writes it: a JSON number (up to 6 decimals), read exactly."""


AMOUNT_SCHEMA = {
    "type": "number",
    "format": "double",
    "description": "An amount in the transaction's currency, as a JSON number with up to 6 decimals. "
    "The wallet reads and writes it exactly (never through a float); it must be a whole number of the "
    "currency's ISO 4217 minor units.",
}


def dec_hook(type_: type, obj: Any) -> Any:
    """msgspec conversion of the types it does not know: Amount from an int or an exact Decimal."""
    if type_ is Amount:
        if isinstance(obj, bool) or not isinstance(obj, int | Decimal):
            raise ValueError("must be a JSON number")
        return Amount(obj)
    raise NotImplementedError(type_)


def schema_hook(type_: type) -> dict[str, Any]:
    if type_ is Amount:
        return dict(AMOUNT_SCHEMA)
    raise NotImplementedError(type_)


def _text(low: int, high: int, description: str, example: str | None = None) -> Any:
    return Meta(min_length=low, max_length=high, description=description, examples=[example] if example else None)


# --- scalar types, named as in the contract ---------------------------------------------------

SessionToken = Annotated[str, _text(32, 40, "The player's game session token (X-Player-Token)")]
TransactionId = Annotated[str, _text(1, 40, "The wallet's id of the transaction it recorded", "1042")]
Currency = Annotated[str, Meta(pattern="^[A-Z]{3}$", description="ISO 4217 currency code", examples=["EUR"])]
Country = Annotated[str, Meta(pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code", examples=["SE"])]
Language = Annotated[
    str, Meta(pattern="^[A-Z]{2}$", description="ISO 639-1 language code, in upper case", examples=["EN"])
]
Provider = Annotated[
    str, Meta(description="The game provider's name, as configured in the wallet", examples=["evolution"])
]
BetCode = Annotated[str, Meta(description="What kind of bet or transaction this is, for the record", examples=["Spin"])]
ProviderTransactionId = Annotated[
    str,
    _text(1, 40, "The provider's id of the transaction, unique per provider and transaction type", "tx-7f3a"),
]
ProviderBetRef = Annotated[
    str,
    _text(1, 40, "The provider's reference grouping the transactions of one bet (withdraw, win, cancel)", "ref-19"),
]
ProviderGameId = Annotated[str, _text(1, 40, "The provider's id of the game", "roulette-1")]
ProviderRoundId = Annotated[str, _text(1, 40, "The provider's id of the game round", "round-88")]
Timestamp = Annotated[datetime, Meta(tz=True, description="A date and time with its offset (RFC 3339)")]
PlayerId = Annotated[str, _text(1, 40, "The player's id (the wallet's player_id)", "p-1001")]


PromoName = Annotated[str, _text(1, 40, "Name of the offering")]
PromoStatus = Annotated[str, _text(1, 40, "Status of the offering")]
PromoReference = Annotated[str, _text(1, 40, "Reference to the offering")]
PromoCode = Annotated[str, _text(1, 40, "Code of the offering")]
PromoConfigRef = Annotated[str, _text(1, 40, "Configuration reference of the offering")]
PromoAwardRef = Annotated[str, _text(1, 40, "Award reference of the offering")]
JackpotId = Annotated[str, _text(1, 40, "The jackpot's id")]
JackpotReference = Annotated[str, _text(1, 40, "Reference of the jackpot")]
BucketType = Annotated[str, _text(1, 40, "Type of the jackpot bucket")]
BucketReference = Annotated[str, _text(1, 40, "Reference of the jackpot bucket")]


class TransactionType(enum.Enum):
    """What a transaction does: DEPOSIT pays a win, WITHDRAW places a bet, CANCEL reverts a
    withdraw; the PROMO ones are their promotion counterparts (PROMODEPOSIT: a promotion payout)."""

    DEPOSIT = "DEPOSIT"
    WITHDRAW = "WITHDRAW"
    CANCEL = "CANCEL"
    PROMODEPOSIT = "PROMODEPOSIT"
    PROMOWITHDRAW = "PROMOWITHDRAW"
    PROMOCANCEL = "PROMOCANCEL"


class PromoType(enum.Enum):
    """The kind of promotion a transaction belongs to, when it belongs to one."""

    PROMOBONUS = "PROMOBONUS"
    PROMOTOURNAMENT = "PROMOTOURNAMENT"
    PROMOFROMGAME = "PROMOFROMGAME"
    PROMOCAP = "PROMOCAP"
    PROMOLIMIT = "PROMOLIMIT"
    PROMOMONEYREWARD = "PROMOMONEYREWARD"
    FREEROUNDS = "FREEROUNDS"
    FREESPINS = "FREESPINS"


class StatusCode(enum.Enum):
    """OK, or ERROR with `error` saying why."""

    OK = "OK"
    ERROR = "ERROR"


class ErrorCode(enum.Enum):
    """Why the wallet refused the request; docs/casino.md says what each code means here."""

    PAM_ERR_UNDEFINED = "PAM_ERR_UNDEFINED"
    PAM_ERR_ACC_NOT_FOUND = "PAM_ERR_ACC_NOT_FOUND"
    PAM_ERR_GAME_NOT_FOUND = "PAM_ERR_GAME_NOT_FOUND"
    PAM_ERR_ROUND_NOT_FOUND = "PAM_ERR_ROUND_NOT_FOUND"
    PAM_ERR_TRANS_NOT_FOUND = "PAM_ERR_TRANS_NOT_FOUND"
    PAM_ERR_CASH_OVERDRAFT = "PAM_ERR_CASH_OVERDRAFT"
    PAM_ERR_BONUS_OVERDRAFT = "PAM_ERR_BONUS_OVERDRAFT"
    PAM_ERR_SESSION_NOT_FOUND = "PAM_ERR_SESSION_NOT_FOUND"
    PAM_ERR_SESSION_EXPIRED = "PAM_ERR_SESSION_EXPIRED"
    PAM_ERR_MISSING_PROVIDER = "PAM_ERR_MISSING_PROVIDER"
    PAM_ERR_TRANS_CURRENCY = "PAM_ERR_TRANS_CURRENCY"
    PAM_ERR_NEGATIVE_STAKE = "PAM_ERR_NEGATIVE_STAKE"
    PAM_ERR_CANCEL_NOT_FOUND = "PAM_ERR_CANCEL_NOT_FOUND"
    PAM_ERR_TRANS_ALREADY_CANCELLED = "PAM_ERR_TRANS_ALREADY_CANCELLED"
    PAM_ERR_CANCEL_NON_WITHDRAW = "PAM_ERR_CANCEL_NON_WITHDRAW"
    PAM_ERR_BET_NOT_ALLOWED = "PAM_ERR_BET_NOT_ALLOWED"
    PAM_ERR_PLAYER_NOT_FOUND = "PAM_ERR_PLAYER_NOT_FOUND"
    PAM_ERR_API_TOKEN = "PAM_ERR_API_TOKEN"
    PAM_ERR_TRANS_ALREADY_SETTLED = "PAM_ERR_TRANS_ALREADY_SETTLED"
    PAM_ERR_DUPLICATE_TRANS = "PAM_ERR_DUPLICATE_TRANS"
    PAM_ERR_PROMO_OVERDRAFT = "PAM_ERR_PROMO_OVERDRAFT"
    PAM_ERR_TIMEOUT = "PAM_ERR_TIMEOUT"


class _Model(msgspec.Struct, rename="camel", kw_only=True, omit_defaults=True):
    """Contract objects: camelCase on the wire, unknown fields ignored (a newer Valkyrie may send
    more), optional fields absent rather than null."""


# --- request parts ------------------------------------------------------------------------------


class Promo(_Model):
    """A promotion the transaction belongs to (recorded with the transaction)."""

    promo_type: PromoType | UnsetType = UNSET
    promo_name: PromoName | UnsetType = UNSET
    promo_status: PromoStatus | UnsetType = UNSET
    promo_reference: PromoReference | UnsetType = UNSET
    promo_code: PromoCode | UnsetType = UNSET
    promo_amount: Amount | UnsetType = UNSET
    promo_amount_total: Amount | UnsetType = UNSET
    promo_config_ref: PromoConfigRef | UnsetType = UNSET
    promo_award_ref: PromoAwardRef | UnsetType = UNSET
    currency: Currency | UnsetType = UNSET


class JackpotBucket(_Model):
    """One bucket of a jackpot (recorded with the transaction)."""

    bucket_type: BucketType | UnsetType = UNSET
    bucket_reference: BucketReference | UnsetType = UNSET
    bucket_amount: Amount | UnsetType = UNSET
    currency: Currency | UnsetType = UNSET


class Jackpot(_Model):
    """A jackpot the transaction contributes to or wins (recorded with the transaction)."""

    jackpot_id: JackpotId | UnsetType = UNSET
    jackpot_reference: JackpotReference | UnsetType = UNSET
    jackpot_amount: Amount | UnsetType = UNSET
    jackpot_buckets: list[JackpotBucket] | UnsetType = UNSET


class Tip(_Model):
    """A tip given with the transaction (recorded with it)."""

    tip_amount: Amount | UnsetType = UNSET


class RoundTransaction(_Model):
    """A transaction of the same round that Valkyrie passes along for game-wise settlement
    (recorded with the transaction; the wallet groups rounds itself)."""

    transaction_type: TransactionType
    provider_transaction_id: ProviderTransactionId | UnsetType = UNSET
    transaction_date_time: Timestamp | UnsetType = UNSET
    cash_amount: Amount | UnsetType = UNSET
    is_game_over: bool | UnsetType = UNSET
    jackpot_contribution: Amount | UnsetType = UNSET
    provider_bet_ref: ProviderBetRef | UnsetType = UNSET
    bet_code: BetCode | UnsetType = UNSET
    pending: Annotated[bool, Meta(description="Whether the provider has fully acknowledged it")] | UnsetType = UNSET


class Transaction(_Model):
    """A money transaction of a player: the body of addTransaction, and what getTransactions lists.
    Its amount is cashAmount + bonusAmount + promoAmount; the split is advisory (the betting
    policy chooses a stake's sources, a win goes where its bets' snapshots say)."""

    currency: Currency
    provider: Provider
    transaction_type: TransactionType
    cash_amount: Amount
    bonus_amount: Amount
    promo_amount: Amount
    transaction_date_time: Timestamp
    provider_transaction_id: ProviderTransactionId
    provider_bet_ref: ProviderBetRef | UnsetType = UNSET
    provider_game_id: ProviderGameId | UnsetType = UNSET
    provider_round_id: ProviderRoundId | UnsetType = UNSET
    bet_code: BetCode | UnsetType = UNSET
    is_game_over: Annotated[bool, Meta(description="The round is over: bets of it without a win lose")] | UnsetType = (
        UNSET
    )
    promos: list[Promo] | UnsetType = UNSET
    jackpots: list[Jackpot] | UnsetType = UNSET
    tip: Tip | UnsetType = UNSET
    round_transactions: list[RoundTransaction] | UnsetType = UNSET


# --- answers ------------------------------------------------------------------------------------


class PamError(_Model):
    """Why the wallet refused the request."""

    code: ErrorCode
    message: str


class Balance(_Model):
    """What the player can stake with this provider: cash (the provider type's wallet group's CASH
    buckets and WITHDRAWABLE), bonus (its BONUS buckets) and promo (the remaining of coupons
    usable for the provider type)."""

    cash_amount: Amount
    bonus_amount: Amount
    promo_amount: Amount


class Session(_Model):
    """A player's game session."""

    player_id: PlayerId
    token: SessionToken
    currency: Currency
    country: Country
    language: Language
    game_id: ProviderGameId | UnsetType = UNSET


class TransactionResult(_Model):
    """The outcome of addTransaction: the wallet's transaction id (when it recorded one) and the balance after it."""

    transaction_id: TransactionId | UnsetType = UNSET
    balance: Balance | UnsetType = UNSET


class GameRound(_Model):
    """A game round: when it started and, once it is over, when it ended."""

    provider_game_id: ProviderGameId
    provider_round_id: ProviderRoundId
    start_time: Timestamp
    end_time: Timestamp | UnsetType = UNSET


class BaseResponse(_Model):
    """The envelope of every answer."""

    status: StatusCode
    error: PamError | UnsetType = UNSET


class ErrorResponse(_Model):
    """The answer to a request refused before it reached the wallet: HTTP 401 (API key, player
    session) or 400 (a body, header or query that breaks the contract)."""

    status: StatusCode
    error: PamError


class SessionResponse(BaseResponse):
    session: Session | UnsetType = UNSET


class BalanceResponse(BaseResponse):
    balance: Balance | UnsetType = UNSET


class GetTransactionsResponse(BaseResponse):
    transactions: list[Transaction] | UnsetType = UNSET


class AddTransactionResponse(BaseResponse):
    transaction_result: TransactionResult | UnsetType = UNSET


class GameRoundResponse(BaseResponse):
    gameround: GameRound | UnsetType = UNSET


def _enc_hook(obj: Any) -> Any:
    if isinstance(obj, Amount):
        return Decimal(obj)
    raise NotImplementedError(type(obj))


ENCODER = msgspec.json.Encoder(decimal_format="number", enc_hook=_enc_hook)


def encode(answer: msgspec.Struct) -> bytes:
    """An answer as JSON, amounts as exact JSON numbers."""
    return ENCODER.encode(answer)
