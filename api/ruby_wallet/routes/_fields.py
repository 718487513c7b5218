"""The field types and small shapes the success bodies of the /v1 routes share, for the OpenAPI
schema only (see ruby_wallet.routes._common.answers).

The routes answer the database's JSON untouched (routes/_common.py::call); the response Structs
next to each route say what its wallet function returns, field by field, and are never used to
encode or decode anything.  Conventions: every amount is an integer in minor units of the
account's currency (no decimals, no floats); `T | None` is a field that is always present but
may be null; a field typed `... | UnsetType` is absent from some answers (its description says
when).  tests/api/test_openapi_responses.py checks real answers against the served schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

Minor = Annotated[int, msgspec.Meta(description="amount in minor units of the account's currency (integer)")]
SignedMinor = Annotated[
    int, msgspec.Meta(description="signed amount in minor units: positive credits the bucket, negative debits it")
]
BucketType = Annotated[str, msgspec.Meta(description="a bucket type code of the topology, e.g. SPORTS_NORMAL")]
WalletGroup = Annotated[str, msgspec.Meta(description="a wallet group code of the topology, e.g. SPORTS")]
ProviderType = Annotated[str, msgspec.Meta(description="a provider type code, e.g. SPORTS")]
RollingId = Annotated[int, msgspec.Meta(description="id of a rolling (wagering) obligation")]
Instant = Annotated[datetime, msgspec.Meta(description="when, as the database wrote it (RFC 3339, with offset)")]
TopologyVersion = Annotated[int, msgspec.Meta(description="a topology version number")]
AccountStatusValue = Literal["active", "frozen", "closed"]
VersionStatus = Literal["DRAFT", "ACTIVE", "RETIRED"]
BucketKind = Literal["CASH", "BONUS", "POINTS", "WITHDRAWABLE"]
RollingKind = Annotated[
    Literal["DEPOSIT", "BONUS"],
    msgspec.Meta(description="DEPOSIT obligations lock CASH money, BONUS obligations lock BONUS money"),
]


class BucketAmount(msgspec.Struct, kw_only=True):
    """An amount on one bucket type."""

    bucket_type: BucketType
    amount: Minor


class FieldProblem(msgspec.Struct, kw_only=True):
    path: str
    message: str
