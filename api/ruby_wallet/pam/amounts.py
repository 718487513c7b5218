"""Money across the Valkyrie boundary: the contract's decimal numbers ("Amount, rounded to 6
decimal places", sent as JSON numbers) and the wallet's integer minor units, converted exactly by
the currency's ISO 4217 exponent.  Nothing here ever touches a float: request bodies are parsed
with `parse_float=Decimal`, amounts are turned into minor units with integer arithmetic on the
decimal's digits, and answers are written from integers back to decimals with exactly the
currency's number of decimals (KRW 5000 → 5000, USD 1230 → 12.30, KWD 1230 → 1.230).

An amount that is not a whole number of minor units (12.345 USD), is not finite, or is larger
than the wallet takes in one command is refused; it never gets rounded.
"""

from __future__ import annotations

from decimal import Decimal

# Largest amount of one command, in minor units (as the wallet's own routes: 10^15).
MAX_MINOR = 10**15

# ISO 4217 list one: every current code with a minor unit, and that unit's number of decimals.
# Codes whose minor unit is "N.A." (gold XAU, silver XAG, SDR XDR, test XTS, no currency XXX, the
# bond-market units XBA–XBD, …) are not here: there is no exact minor unit to hold them in.
_TWO = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD "
    "CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS "
    "GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL "
    "MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK "
    "PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS "
    "TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG"
)
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"

EXPONENTS: dict[str, int] = {
    **dict.fromkeys(_TWO.split(), 2),
    **dict.fromkeys(_ZERO.split(), 0),
    **dict.fromkeys(_THREE.split(), 3),
    **dict.fromkeys(_FOUR.split(), 4),
}


class AmountError(ValueError):
    """An amount the wallet cannot take exactly; `reason` says why (for the answer's message)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class UnknownCurrency(AmountError):
    """A currency code without a known ISO 4217 minor unit."""


def exponent(currency: str) -> int:
    """The number of decimals of the currency's minor unit.  Raises UnknownCurrency."""
    try:
        return EXPONENTS[currency]
    except KeyError:
        raise UnknownCurrency(f"{currency} is not an ISO 4217 currency with a minor unit") from None


def to_minor(amount: Decimal | int, currency: str) -> int:
    """The amount in minor units of `currency`, exactly.  Negative amounts convert (the caller
    decides what a negative amount means); raises AmountError for an amount that is not finite,
    not a whole number of minor units, or beyond MAX_MINOR either way, and UnknownCurrency."""
    places = exponent(currency)
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise AmountError("must be a number")
    value = Decimal(amount)
    if not value.is_finite():
        raise AmountError("must be a finite number")
    sign, digits, exp = value.as_tuple()
    assert isinstance(exp, int)  # finite
    coefficient = int("".join(map(str, digits)) or "0") if len(digits) <= 64 else None
    if coefficient is None:
        raise AmountError("has too many digits")
    shift = exp + places  # value × 10^places = coefficient × 10^shift
    if coefficient == 0:
        return 0
    if shift >= 0:
        if shift > 20:
            raise AmountError(f"is larger than {MAX_MINOR} minor units")
        minor = coefficient * 10**shift
    else:
        if -shift > 64 or coefficient % 10**-shift:
            raise AmountError(f"is not a whole number of {currency} minor units ({places} decimals)")
        minor = coefficient // 10**-shift
    if minor > MAX_MINOR:
        raise AmountError(f"is larger than {MAX_MINOR} minor units")
    return -minor if sign else minor


def from_minor(minor: int, currency: str) -> Decimal:
    """Minor units of `currency` as a decimal with exactly the currency's number of decimals
    (1230 USD → Decimal('12.30'), 0 KWD → Decimal('0.000')).  Exact at any size."""
    places = exponent(currency)
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise TypeError("minor units are an int")
    return Decimal((1 if minor < 0 else 0, tuple(int(d) for d in str(abs(minor))), -places))
