"""The contract's error codes (pam_api.yml `ErrorCode`), what each means in this wallet, and the
HTTP status it travels with.  SPEC §10: the API key and the player session are "hard" errors
(HTTP 401), a body or a lookup that breaks the schema is HTTP 400, every other business answer is
HTTP 200 with `{"status": "ERROR", "error": {"code", "message"}}` (and the balance where the
contract asks for it)."""

from __future__ import annotations

from typing import Final

# Every code of pam_api.yml 0.7.0, in its order, with the wallet's meaning (docs/casino.md).
MEANINGS: Final[dict[str, str]] = {
    "PAM_ERR_UNDEFINED": "the request cannot be taken as sent: a body or query that breaks the schema (HTTP 400), "
    "an amount that is not a whole number of minor units, a transaction the wallet cannot place",
    "PAM_ERR_ACC_NOT_FOUND": "not answered by this wallet (an account is the player: PAM_ERR_PLAYER_NOT_FOUND)",
    "PAM_ERR_GAME_NOT_FOUND": "a bet names no game: no providerGameId in the transaction nor in the session",
    "PAM_ERR_ROUND_NOT_FOUND": "getGameRound: the player has no round with that id at this provider",
    "PAM_ERR_TRANS_NOT_FOUND": "a DEPOSIT for a round (or bet) the wallet never saw; a lookup that finds nothing",
    "PAM_ERR_CASH_OVERDRAFT": "a bet larger than what the betting policy may take from the player's money",
    "PAM_ERR_BONUS_OVERDRAFT": "not answered: the policy chooses the sources, short money is PAM_ERR_CASH_OVERDRAFT",
    "PAM_ERR_SESSION_NOT_FOUND": "no session for X-Player-Token, or it is another player's or provider's (HTTP 401)",
    "PAM_ERR_SESSION_EXPIRED": "the session expired: bets and session calls are refused (HTTP 401); wins, "
    "cancels, promo payouts and reads are still accepted",
    "PAM_ERR_MISSING_PROVIDER": "no `provider` query parameter (HTTP 400), or a provider not configured or disabled",
    "PAM_ERR_TRANS_CURRENCY": "the transaction's currency is not the account's (or has no ISO 4217 minor unit)",
    "PAM_ERR_NEGATIVE_STAKE": "an amount below zero",
    "PAM_ERR_CANCEL_NOT_FOUND": "a CANCEL of a withdraw the wallet never saw: refused, and the withdraw is "
    "refused too when it arrives late",
    "PAM_ERR_TRANS_ALREADY_CANCELLED": "a second, different CANCEL of a cancelled withdraw; a DEPOSIT for a "
    "cancelled bet; a withdraw that was cancelled before it arrived",
    "PAM_ERR_CANCEL_NON_WITHDRAW": "a CANCEL that names a transaction which is not a withdraw",
    "PAM_ERR_BET_NOT_ALLOWED": "a bet on a frozen or closed account, in a round that is over, or of a provider "
    "type without a betting policy",
    "PAM_ERR_PLAYER_NOT_FOUND": "the player has no account",
    "PAM_ERR_API_TOKEN": "no, an unknown or a revoked API key, or a key without the casino scope (HTTP 401)",
    "PAM_ERR_TRANS_ALREADY_SETTLED": "a DEPOSIT for a round that is over; a CANCEL of a bet already settled",
    "PAM_ERR_DUPLICATE_TRANS": "a transaction id already used (same provider and type) with another player, "
    "game, round or amount",
    "PAM_ERR_PROMO_OVERDRAFT": "not answered: the policy chooses the sources, short money is PAM_ERR_CASH_OVERDRAFT",
    "PAM_ERR_TIMEOUT": "the database did not answer in time or is unavailable: nothing was applied, retry",
}
CODES: Final[tuple[str, ...]] = tuple(MEANINGS)

UNDEFINED: Final = "PAM_ERR_UNDEFINED"
API_TOKEN: Final = "PAM_ERR_API_TOKEN"
SESSION_NOT_FOUND: Final = "PAM_ERR_SESSION_NOT_FOUND"
SESSION_EXPIRED: Final = "PAM_ERR_SESSION_EXPIRED"
MISSING_PROVIDER: Final = "PAM_ERR_MISSING_PROVIDER"
TRANS_CURRENCY: Final = "PAM_ERR_TRANS_CURRENCY"
NEGATIVE_STAKE: Final = "PAM_ERR_NEGATIVE_STAKE"
TIMEOUT: Final = "PAM_ERR_TIMEOUT"

# The codes answered with HTTP 401: the caller is not who it must be.  Everything else the
# database answers is HTTP 200; HTTP 400 is decided where the request is read (schema, query).
UNAUTHORIZED_CODES: Final = frozenset({API_TOKEN, SESSION_NOT_FOUND, SESSION_EXPIRED})


def http_status(code: str) -> int:
    """The HTTP status a database answer with this code travels with (401 or 200)."""
    if code not in MEANINGS:
        raise ValueError(f"{code} is not a code of the Valkyrie PAM contract")
    return 401 if code in UNAUTHORIZED_CODES else 200
