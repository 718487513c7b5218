"""The success bodies of the /v1 routes, for the OpenAPI schema only.

The routes answer the database's JSON untouched (routes/_common.py::call); these types say what
the wallet functions of procedures/*.sql return, field by field, and are never used to encode
or decode anything.  Conventions: every amount is an integer in minor units of the account's
currency (no decimals, no floats); `T | None` is a field that is always present but may be
null; a field typed `... | UnsetType` is absent from some answers (its description says when).
tests/api/test_openapi_responses.py checks real answers against the served schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

# --- shared field types ----------------------------------------------------------------------

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


# --- accounts --------------------------------------------------------------------------------


class Account(msgspec.Struct, kw_only=True):
    """The account opened (201) or found with the same currency (200)."""

    player_id: str
    currency: Annotated[str, msgspec.Meta(description="ISO 4217 code")]
    status: AccountStatusValue


class AccountStatusChanged(msgspec.Struct, kw_only=True):
    player_id: str
    status: Annotated[AccountStatusValue, msgspec.Meta(description="the account's status now")]


class AdjustmentApplied(msgspec.Struct, kw_only=True):
    adjustment_id: str
    player_id: str
    bucket_type: BucketType
    amount: SignedMinor
    balance_after: Annotated[int, msgspec.Meta(description="the bucket's balance after the adjustment, minor units")]
    txn_id: Annotated[int, msgspec.Meta(description="the ledger transaction (per account)")]


class BucketLine(msgspec.Struct, kw_only=True):
    bucket_type: BucketType
    kind: BucketKind
    balance: Annotated[int, msgspec.Meta(description="minor units; 0 for a bucket never credited")]


class BalanceGroup(msgspec.Struct, kw_only=True):
    code: WalletGroup
    buckets: Annotated[list[BucketLine], msgspec.Meta(description="every bucket type of the group, in topology order")]


class CouponRestrictions(msgspec.Struct, kw_only=True):
    provider_types: list[ProviderType]
    min_odds: Annotated[
        float | None, msgspec.Meta(description="lowest odds a bet funded by the coupon may have (a decimal number)")
    ]
    max_stake: Annotated[int | None, msgspec.Meta(description="largest stake the coupon may fund, minor units")]
    stake_returned: Annotated[bool, msgspec.Meta(description="false: a free bet (a win pays the winnings only)")]
    winnings_bucket_type: Annotated[
        BucketType | None, msgspec.Meta(description="where winnings go; null: the policy's choice")
    ]
    rolling_multiplier: int


class CouponLine(msgspec.Struct, kw_only=True):
    coupon_id: str
    amount: Annotated[Minor, msgspec.Meta(description="the amount granted, minor units")]
    remaining: Annotated[Minor, msgspec.Meta(description="what bets can still use, minor units")]
    expires_at: Instant | None
    restrictions: CouponRestrictions


class RollingLine(msgspec.Struct, kw_only=True):
    rolling_id: RollingId
    wallet_group: WalletGroup
    kind: RollingKind
    base_amount: Annotated[Minor, msgspec.Meta(description="the money the obligation locks, minor units")]
    required: Annotated[Minor, msgspec.Meta(description="wagering required to release it, minor units")]
    progress: Annotated[Minor, msgspec.Meta(description="wagering counted so far, minor units")]
    status: Literal["ACTIVE"]


class OpenBets(msgspec.Struct, kw_only=True):
    count: int
    stake: Annotated[Minor, msgspec.Meta(description="the stakes held for the open bets, minor units")]


class PlayerBalances(msgspec.Struct, kw_only=True):
    """The split-balance snapshot under the active topology."""

    player_id: str
    currency: str
    status: AccountStatusValue
    topology_version: TopologyVersion
    groups: list[BalanceGroup]
    shared: Annotated[
        list[BucketLine], msgspec.Meta(description="the bucket types of no wallet group (POINTS, WITHDRAWABLE)")
    ]
    coupons: Annotated[list[CouponLine], msgspec.Meta(description="active, unexpired coupons")]
    rolling: Annotated[list[RollingLine], msgspec.Meta(description="active rolling obligations")]
    withdrawable: Annotated[Minor, msgspec.Meta(description="what a withdrawal may take now, minor units")]
    pending_withdrawals: Annotated[Minor, msgspec.Meta(description="held by pending withdrawals, minor units")]
    open_bets: OpenBets


class LedgerLine(msgspec.Struct, kw_only=True):
    """One ledger entry on a bucket or a coupon (exactly one of bucket_type, coupon_id is present)."""

    txn_id: int
    kind: Annotated[str, msgspec.Meta(description="the transaction's kind, e.g. DEPOSIT, BET_STAKE, TRANSFER")]
    bucket_type: Annotated[BucketType | UnsetType, msgspec.Meta(description="absent on a coupon's line")] = UNSET
    coupon_id: Annotated[str | UnsetType, msgspec.Meta(description="present on a coupon's line only")] = UNSET
    amount: SignedMinor
    balance_after: Annotated[
        int, msgspec.Meta(description="the bucket's or coupon's balance after the entry, minor units")
    ]
    created_at: Instant
    ref: Annotated[
        str, msgspec.Meta(description="what the transaction was for, e.g. bet:<bet_id>, deposit:<deposit_id>")
    ]


class LedgerPage(msgspec.Struct, kw_only=True):
    entries: Annotated[list[LedgerLine], msgspec.Meta(description="newest first")]
    next: Annotated[
        str | None, msgspec.Meta(description="the `before` cursor of the next page; null when this page is the last")
    ]


# --- topology, policies, audit ---------------------------------------------------------------


class TopologyDraft(msgspec.Struct, kw_only=True):
    version: TopologyVersion
    status: Literal["DRAFT"]


class TopologyVersionLine(msgspec.Struct, kw_only=True):
    version: TopologyVersion
    status: VersionStatus
    created_by: str
    created_at: Instant
    activated_by: Annotated[str | None, msgspec.Meta(description="null until first activated")]
    activated_at: Annotated[Instant | None, msgspec.Meta(description="null until first activated")]


class TopologyList(msgspec.Struct, kw_only=True):
    versions: Annotated[list[TopologyVersionLine], msgspec.Meta(description="by version")]


class Topology(msgspec.Struct, kw_only=True):
    version: TopologyVersion
    status: VersionStatus
    document: Annotated[dict[str, Any], msgspec.Meta(description="the topology document as stored")]
    created_by: str
    created_at: Instant
    activated_by: str | None
    activated_at: Instant | None


class Blocker(msgspec.Struct, kw_only=True):
    """Something activating the version would strand or break; which fields it has depends on `kind`."""

    kind: Literal[
        "bucket_balance",
        "bucket_type_changed",
        "open_bets",
        "active_coupons",
        "active_rolling",
        "pending_withdrawals",
        "policy_missing",
        "group_policy_missing",
        "policy_invalid",
        "group_policy_invalid",
    ]
    bucket_type: Annotated[
        BucketType | UnsetType, msgspec.Meta(description="bucket_balance, bucket_type_changed: the bucket type")
    ] = UNSET
    from_: Annotated[str | UnsetType, msgspec.Meta(description="bucket_type_changed: <group or shared>/<kind> now")] = (
        msgspec.field(default=UNSET, name="from")
    )
    to: Annotated[
        str | UnsetType, msgspec.Meta(description="bucket_type_changed: <group or shared>/<kind> in the version")
    ] = UNSET
    accounts: Annotated[int | UnsetType, msgspec.Meta(description="how many accounts are affected")] = UNSET
    amount: Annotated[int | UnsetType, msgspec.Meta(description="the money stranded, minor units")] = UNSET
    count: Annotated[int | UnsetType, msgspec.Meta(description="live-record kinds: how many records")] = UNSET
    sample_players: Annotated[list[str] | UnsetType, msgspec.Meta(description="up to 5 player ids")] = UNSET
    sample_records: Annotated[list[str] | UnsetType, msgspec.Meta(description="up to 5 record ids")] = UNSET
    provider_type: Annotated[ProviderType | UnsetType, msgspec.Meta(description="policy_missing, policy_invalid")] = (
        UNSET
    )
    wallet_group: Annotated[
        WalletGroup | UnsetType, msgspec.Meta(description="group_policy_missing, group_policy_invalid")
    ] = UNSET
    version: Annotated[int | UnsetType, msgspec.Meta(description="*_invalid: the policy version checked")] = UNSET
    errors: Annotated[list[FieldProblem] | UnsetType, msgspec.Meta(description="*_invalid: every fault")] = UNSET


class TopologyPreview(msgspec.Struct, kw_only=True):
    version: TopologyVersion
    blockers: Annotated[list[Blocker], msgspec.Meta(description="empty: activating now would succeed")]


class PolicyActivatedRef(msgspec.Struct, kw_only=True):
    """A betting policy (provider_type) or a money policy (wallet_group) version."""

    provider_type: ProviderType | UnsetType = UNSET
    wallet_group: WalletGroup | UnsetType = UNSET
    version: int


class TopologyActivated(msgspec.Struct, kw_only=True):
    version: TopologyVersion
    status: Literal["ACTIVE"]
    policies_activated: Annotated[
        list[PolicyActivatedRef],
        msgspec.Meta(description="the policy versions activated with it (empty when the version was already active)"),
    ]


class PolicyDraft(msgspec.Struct, kw_only=True):
    provider_type: ProviderType
    version: int
    status: Literal["DRAFT"]
    topology_version: Annotated[TopologyVersion, msgspec.Meta(description="the topology it was validated against")]


class GroupPolicyDraft(msgspec.Struct, kw_only=True):
    wallet_group: WalletGroup
    version: int
    status: Literal["DRAFT"]
    topology_version: Annotated[TopologyVersion, msgspec.Meta(description="the topology it was validated against")]


class PolicyActivated(msgspec.Struct, kw_only=True):
    provider_type: ProviderType
    version: int
    status: Literal["ACTIVE"]


class GroupPolicyActivated(msgspec.Struct, kw_only=True):
    wallet_group: WalletGroup
    version: int
    status: Literal["ACTIVE"]


class PolicyVersion(msgspec.Struct, kw_only=True):
    provider_type: ProviderType
    version: int
    status: VersionStatus
    document: Annotated[dict[str, Any], msgspec.Meta(description="the betting policy document as stored")]
    topology_version: TopologyVersion
    created_by: str
    created_at: Instant
    activated_by: str | None
    activated_at: Instant | None


class GroupPolicyVersion(msgspec.Struct, kw_only=True):
    wallet_group: WalletGroup
    version: int
    status: VersionStatus
    document: Annotated[dict[str, Any], msgspec.Meta(description="the money policy document as stored")]
    topology_version: TopologyVersion
    created_by: str
    created_at: Instant
    activated_by: str | None
    activated_at: Instant | None


class PolicyList(msgspec.Struct, kw_only=True):
    policies: Annotated[list[PolicyVersion], msgspec.Meta(description="by provider type, then version")]


class GroupPolicyList(msgspec.Struct, kw_only=True):
    policies: Annotated[list[GroupPolicyVersion], msgspec.Meta(description="by wallet group, then version")]


class AuditEntry(msgspec.Struct, kw_only=True):
    audit_id: int
    at: Instant
    actor: str
    action: Annotated[str, msgspec.Meta(description="e.g. topology.activate, adjustment.apply, rolling.waived")]
    target: Annotated[str, msgspec.Meta(description="e.g. topology:2, account:<player_id>, rolling:<id>")]
    outcome: Literal["OK", "REFUSED"]
    before: Annotated[dict[str, Any] | None, msgspec.Meta(description="the state before, as the action records it")]
    after: Annotated[dict[str, Any] | None, msgspec.Meta(description="the state after; null on a refusal")]
    reason: str | None
    detail: Annotated[
        dict[str, Any] | None, msgspec.Meta(description="more about the action (a refusal's faults, ids)")
    ]


class AuditPage(msgspec.Struct, kw_only=True):
    entries: Annotated[list[AuditEntry], msgspec.Meta(description="newest first")]
    next: Annotated[
        int | None, msgspec.Meta(description="the `before` cursor of the next page; null when this page is the last")
    ]


# --- bets ------------------------------------------------------------------------------------


class FundingLine(msgspec.Struct, kw_only=True):
    source: Annotated[str, msgspec.Meta(description='a bucket type code or "coupon:<coupon_id>"')]
    amount: Minor


class BetAuthorized(msgspec.Struct, kw_only=True):
    bet_id: str
    status: Literal["AUTHORIZED"]
    stake: Minor
    funding: Annotated[list[FundingLine], msgspec.Meta(description="where the stake was taken from, in policy order")]
    topology_version: TopologyVersion
    policy_version: Annotated[int, msgspec.Meta(description="the provider type's betting policy version used")]


class RollingProgress(msgspec.Struct, kw_only=True):
    rolling_id: RollingId
    progress: Annotated[Minor, msgspec.Meta(description="the obligation's progress now, minor units")]
    status: Annotated[Literal["ACTIVE", "COMPLETED"], msgspec.Meta(description="COMPLETED: met by this bet, released")]


class BetSettled(msgspec.Struct, kw_only=True):
    bet_id: str
    status: Literal["SETTLED"]
    result: Literal["WIN", "LOSS", "VOID", "CASHOUT"]
    payout: Annotated[Minor, msgspec.Meta(description="gross payout (stake included), minor units; 0 on LOSS and VOID")]
    credits: Annotated[
        list[BucketAmount],
        msgspec.Meta(description="what each bucket received (VOID: the stake restored to its buckets)"),
    ]
    rolling: Annotated[list[RollingProgress], msgspec.Meta(description="the rolling obligations the bet progressed")]


class RollingUnprogress(msgspec.Struct, kw_only=True):
    rolling_id: RollingId
    progress_removed: Minor


class BetRolledBack(msgspec.Struct, kw_only=True):
    bet_id: str
    status: Literal["ROLLED_BACK"]
    restored: Annotated[
        list[FundingLine],
        msgspec.Meta(description="the stake's sources given back; empty for a bet never seen (tombstoned)"),
    ]
    payout_reversed: Annotated[
        list[BucketAmount] | UnsetType,
        msgspec.Meta(
            description="the payout taken back from each bucket (empty unless the bet was settled with a payout); "
            "absent for a bet never seen"
        ),
    ] = UNSET
    rolling: Annotated[
        list[RollingUnprogress] | UnsetType,
        msgspec.Meta(description="rolling progress taken back; absent for a bet never seen"),
    ] = UNSET


# --- payments --------------------------------------------------------------------------------


class DepositRecorded(msgspec.Struct, kw_only=True):
    """PENDING, or APPROVED at once with auto_approve (then with balance_after and rolling_id)."""

    deposit_id: str
    status: Literal["PENDING", "APPROVED"]
    amount: Minor
    bucket_type: BucketType
    balance_after: Annotated[
        int | UnsetType, msgspec.Meta(description="APPROVED only: the bucket's balance after the credit, minor units")
    ] = UNSET
    rolling_id: Annotated[
        RollingId | None | UnsetType,
        msgspec.Meta(
            description="APPROVED only: the deposit's rolling obligation (null for a bucket of no wallet group)"
        ),
    ] = UNSET


class DepositApproved(msgspec.Struct, kw_only=True):
    deposit_id: str
    status: Literal["APPROVED"]
    amount: Minor
    bucket_type: BucketType
    balance_after: Annotated[int, msgspec.Meta(description="the bucket's balance after the credit, minor units")]
    rolling_id: Annotated[
        RollingId | None,
        msgspec.Meta(description="the deposit's rolling obligation (null for a bucket of no wallet group)"),
    ]


class DepositRejected(msgspec.Struct, kw_only=True):
    deposit_id: str
    status: Literal["REJECTED"]
    reason: str


class WithdrawalCreated(msgspec.Struct, kw_only=True):
    withdrawal_id: str
    status: Literal["PENDING"]
    amount: Minor
    sources: Annotated[
        list[BucketAmount], msgspec.Meta(description="the withdrawable buckets the amount was taken from, held")
    ]


class WithdrawalPaid(msgspec.Struct, kw_only=True):
    withdrawal_id: str
    status: Literal["PAID"]
    amount: Minor


class WithdrawalRejected(msgspec.Struct, kw_only=True):
    withdrawal_id: str
    status: Literal["REJECTED"]
    amount: Minor
    refunded: Annotated[list[BucketAmount], msgspec.Meta(description="each source's money given back")]
    reason: str


# --- promotions and transfers ----------------------------------------------------------------


class PromotionCredited(msgspec.Struct, kw_only=True):
    credit_id: str
    kind: Literal["REBATE", "CASHBACK", "LOSSBACK", "EVENT"]
    amount: Minor
    bucket_type: BucketType
    balance_after: Annotated[int, msgspec.Meta(description="the bucket's balance after the credit, minor units")]
    rolling_id: Annotated[RollingId | None, msgspec.Meta(description="null without a rolling multiplier")]


class PromotionReversed(msgspec.Struct, kw_only=True):
    credit_id: str
    reversed: Annotated[Minor, msgspec.Meta(description="taken back from the bucket, minor units")]
    unrecovered: Annotated[
        Minor, msgspec.Meta(description="the rest of the credit, already spent or moved, minor units")
    ]
    bucket_type: BucketType
    status: Literal["REVERSED"]


class CouponGranted(msgspec.Struct, kw_only=True):
    coupon_id: str
    remaining: Minor
    status: Literal["ACTIVE"]
    rolling_id: Annotated[RollingId | None, msgspec.Meta(description="null without a rolling multiplier")]


class CouponReversed(msgspec.Struct, kw_only=True):
    coupon_id: str
    reversed: Annotated[Minor, msgspec.Meta(description="what remained of the coupon, taken back, minor units")]
    consumed: Annotated[Minor, msgspec.Meta(description="what bets had already used, minor units")]
    status: Literal["REVERSED"]


class RollingMoved(msgspec.Struct, kw_only=True):
    from_rolling_id: RollingId
    base_amount: Annotated[Minor, msgspec.Meta(description="locked money that moved with the transfer, minor units")]
    required: Annotated[Minor, msgspec.Meta(description="wagering requirement that moved, minor units")]


class TransferCompleted(msgspec.Struct, kw_only=True):
    transfer_id: str
    from_: BucketType = msgspec.field(name="from")
    to: BucketType
    debited: Annotated[Minor, msgspec.Meta(description="taken from `from`, minor units")]
    credited: Annotated[Minor, msgspec.Meta(description="put into `to` (after the edge's rate), minor units")]
    rolling_moved: Annotated[Minor, msgspec.Meta(description="total requirement inherited, minor units")]
    rolling: Annotated[list[RollingMoved], msgspec.Meta(description="each source obligation's share that moved")]
    inherited_rolling_id: Annotated[
        RollingId | None,
        msgspec.Meta(
            description="the obligation opened in the target group for what moved; null when nothing is inherited"
        ),
    ]
    arrival_rolling_id: Annotated[
        RollingId | None,
        msgspec.Meta(description="the obligation opened by the target group's arrival rolling; null when none"),
    ]


# --- rolling, events -------------------------------------------------------------------------


class RollingClosed(msgspec.Struct, kw_only=True):
    rolling_id: RollingId
    status: Literal["WAIVED", "CANCELLED"]
    progress: Minor
    released: Annotated[
        Minor,
        msgspec.Meta(
            description="money released (made withdrawable or converted), minor units; a repeat answers the first figure"
        ),
    ]
    forfeited: Annotated[
        Minor, msgspec.Meta(description="bonus money forfeited, minor units; a repeat answers the first figure")
    ]


class Event(msgspec.Struct, kw_only=True):
    id: Annotated[int, msgspec.Meta(description="the delivery id: the feed's order and cursor")]
    event_id: int
    type: Annotated[str, msgspec.Meta(description="e.g. bet.settled, deposit.approved, topology.activated")]
    player_id: Annotated[str | None, msgspec.Meta(description="null for events of no account (configuration)")]
    payload: dict[str, Any]
    created_at: Instant


class EventsPage(msgspec.Struct, kw_only=True):
    events: Annotated[list[Event], msgspec.Meta(description="in delivery order")]
    next: Annotated[
        int, msgspec.Meta(description="the `after` of the next poll: the last id here, or `after` when empty")
    ]
