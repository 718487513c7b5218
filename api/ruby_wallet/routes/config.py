"""Admin routes for topology and policy versions and the audit log (scope admin).

Each calls one audited wallet function; refusals (TOPOLOGY_INVALID, ACTIVATION_BLOCKED,
POLICY_INVALID) come back from the database as data, so the audit row of the refused attempt
is committed, and are answered as problem responses here.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, JSONBody, PathParameter, QueryParameter
from msgspec import UNSET, UnsetType

from ruby_wallet.routes._common import Code, Reason, answers, call, call_admin, scopes
from ruby_wallet.routes._fields import (
    BucketType,
    FieldProblem,
    Instant,
    ProviderType,
    TopologyVersion,
    VersionStatus,
    WalletGroup,
)

ADMIN = scopes("admin")
Version = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
# Versions are integer (int4) in the database: a larger number would not find the function.
PathVersion = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]


class PolicyRef(msgspec.Struct, forbid_unknown_fields=True):
    version: Version
    provider_type: Code | None = None
    wallet_group: Code | None = None


class Activation(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
    policy_versions: list[PolicyRef] = []


class Preview(msgspec.Struct, forbid_unknown_fields=True):
    policy_versions: list[PolicyRef] = []


class Reasoned(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class NewPolicy(msgspec.Struct, forbid_unknown_fields=True):
    provider_type: Code
    document: dict[str, Any]
    reason: Reason | None = None
    topology_version: Version | None = None


class NewGroupPolicy(msgspec.Struct, forbid_unknown_fields=True):
    wallet_group: Code
    document: dict[str, Any]
    reason: Reason | None = None
    topology_version: Version | None = None


def _refs(refs: list[PolicyRef]) -> str:
    return json.dumps([{k: v for k, v in msgspec.structs.asdict(r).items() if v is not None} for r in refs])


# --- answers (the OpenAPI schema's success bodies; the database's JSON is answered as it is) ---


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


@post(
    "/v1/admin/topologies",
    opt=ADMIN,
    tags=["admin: topology"],
    responses=answers(201, TopologyDraft, "The document stored as the next DRAFT version"),
    summary="Store a topology document as the next DRAFT version (422 TOPOLOGY_INVALID lists every fault)",
)
async def topology_create(
    request: Request,
    data: JSONBody[dict[str, Any]],
    reason: Annotated[str | None, QueryParameter(max_length=1000)] = None,
) -> Response:
    return await call_admin(request, "topology_create", 201, document=json.dumps(data), reason=reason)


@get(
    "/v1/admin/topologies",
    opt=ADMIN,
    tags=["admin: topology"],
    responses=answers(200, TopologyList, "Every topology version"),
    summary="Every topology version and its status",
)
async def topology_list(request: Request) -> Response:
    return await call(request, "topology_list")


@get(
    "/v1/admin/topologies/{version:int}",
    opt=ADMIN,
    tags=["admin: topology"],
    responses=answers(200, Topology, "The topology version"),
    summary="One topology version with its document",
)
async def topology_get(request: Request, version: PathVersion) -> Response:
    return await call(request, "topology_get", version=version)


@post(
    "/v1/admin/topologies/{version:int}/preview",
    opt=ADMIN,
    tags=["admin: topology"],
    status_code=200,
    responses=answers(200, TopologyPreview, "What would block the activation (nothing when empty)"),
    summary="What would block activating this version now (nothing is changed)",
)
async def topology_preview(request: Request, version: PathVersion, data: JSONBody[Preview]) -> Response:
    return await call(request, "topology_preview", version=version, policy_versions=_refs(data.policy_versions))


@post(
    "/v1/admin/topologies/{version:int}/activate",
    opt=ADMIN,
    tags=["admin: topology"],
    status_code=200,
    responses=answers(200, TopologyActivated, "The version is active, with the policies activated with it"),
    summary="Activate a version, with the policy versions that must change with it (409 ACTIVATION_BLOCKED names the blockers)",
)
async def topology_activate(request: Request, version: PathVersion, data: JSONBody[Activation]) -> Response:
    return await call_admin(
        request, "topology_activate", version=version, reason=data.reason, policy_versions=_refs(data.policy_versions)
    )


@post(
    "/v1/admin/policies",
    opt=ADMIN,
    tags=["admin: policy"],
    responses=answers(201, PolicyDraft, "The policy stored as the next DRAFT version"),
    summary="Store a betting policy for a provider type as the next DRAFT version (422 POLICY_INVALID lists every fault)",
)
async def policy_create(request: Request, data: JSONBody[NewPolicy]) -> Response:
    return await call_admin(
        request,
        "policy_create",
        201,
        provider_type=data.provider_type,
        document=json.dumps(data.document),
        reason=data.reason,
        topology_version=data.topology_version,
    )


@get(
    "/v1/admin/policies",
    opt=ADMIN,
    tags=["admin: policy"],
    responses=answers(200, PolicyList, "The betting policy versions"),
    summary="Betting policy versions, optionally of one provider type",
)
async def policy_list(
    request: Request, provider_type: Annotated[str | None, QueryParameter(max_length=64)] = None
) -> Response:
    return await call(request, "policy_list", provider_type=provider_type)


@post(
    "/v1/admin/policies/{provider_type:str}/{version:int}/activate",
    opt=ADMIN,
    tags=["admin: policy"],
    status_code=200,
    responses=answers(200, PolicyActivated, "The version is the active betting policy"),
    summary="Activate a betting policy version (re-validated against the active topology)",
)
async def policy_activate(
    request: Request, provider_type: FromPath[str], version: PathVersion, data: JSONBody[Reasoned]
) -> Response:
    return await call_admin(
        request, "policy_activate", provider_type=provider_type, version=version, reason=data.reason
    )


@post(
    "/v1/admin/group-policies",
    opt=ADMIN,
    tags=["admin: policy"],
    responses=answers(201, GroupPolicyDraft, "The policy stored as the next DRAFT version"),
    summary="Store a money policy for a wallet group as the next DRAFT version",
)
async def group_policy_create(request: Request, data: JSONBody[NewGroupPolicy]) -> Response:
    return await call_admin(
        request,
        "group_policy_create",
        201,
        wallet_group=data.wallet_group,
        document=json.dumps(data.document),
        reason=data.reason,
        topology_version=data.topology_version,
    )


@get(
    "/v1/admin/group-policies",
    opt=ADMIN,
    tags=["admin: policy"],
    responses=answers(200, GroupPolicyList, "The money policy versions"),
    summary="Money policy versions, optionally of one wallet group",
)
async def group_policy_list(
    request: Request, wallet_group: Annotated[str | None, QueryParameter(max_length=64)] = None
) -> Response:
    return await call(request, "group_policy_list", wallet_group=wallet_group)


@post(
    "/v1/admin/group-policies/{wallet_group:str}/{version:int}/activate",
    opt=ADMIN,
    tags=["admin: policy"],
    status_code=200,
    responses=answers(200, GroupPolicyActivated, "The version is the active money policy"),
    summary="Activate a money policy version (re-validated against the active topology)",
)
async def group_policy_activate(
    request: Request, wallet_group: FromPath[str], version: PathVersion, data: JSONBody[Reasoned]
) -> Response:
    return await call_admin(
        request, "group_policy_activate", wallet_group=wallet_group, version=version, reason=data.reason
    )


@get(
    "/v1/admin/audit-log",
    opt=ADMIN,
    tags=["admin"],
    responses=answers(200, AuditPage, "A page of the audit log, newest first"),
    summary="Audit log, newest first: actor, action, target, before, after, reason",
)
async def audit_log(
    request: Request,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    before: Annotated[int | None, QueryParameter(ge=1, le=2**63 - 1)] = None,
) -> Response:
    return await call(request, "audit_log_read", limit=limit, before=before)


ROUTES = [
    topology_create,
    topology_list,
    topology_get,
    topology_preview,
    topology_activate,
    policy_create,
    policy_list,
    policy_activate,
    group_policy_create,
    group_policy_list,
    group_policy_activate,
    audit_log,
]
