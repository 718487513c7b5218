"""Every route of the served schema under the methods nobody documents (OPTIONS, HEAD, unknown
ones), CORS, request ids, and strict bodies (API.md Conventions): content type 415, size 413,
depth and duplicate keys 422.  No request may ever get a 5xx."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from ruby_wallet.app import create_app
from ruby_wallet.errors import WalletError
from ruby_wallet.http_limits import MAX_BODY_BYTES, MAX_DEPTH, check_json_shape, json_depth
from tests.support.http import PROBLEM, assert_problem, create_key

UNEXPECTED_METHODS = ["TRACE", "CONNECT", "PROPFIND", "BREW", "PATCH", "DELETE", "PUT"]


def _concrete(path: str) -> str:
    """A schema path with every parameter filled in ({version} needs a number)."""
    return re.sub(r"\{([^}]+)\}", lambda m: "1" if "version" in m.group(1) else "x-1", path)


def _paths(api) -> list[str]:
    schema = api.get("/schema/openapi.json", scope=None).json()
    paths = [_concrete(p) for p in schema["paths"]]
    assert len(paths) > 25, "the served schema lost its paths"
    return paths


def _assert_answer(response, where: str) -> None:
    assert response.status_code < 500, f"{where} -> {response.status_code}: {response.text[:300]}"
    if response.status_code >= 400 and response.request.method != "HEAD":
        assert response.headers["content-type"].startswith(PROBLEM), where


def test_options_head_and_unexpected_methods_never_5xx_on_any_route(api):
    key = api.keys["admin"]
    for path in [*_paths(api), "/no/such/route", "/v1/players/p1/nothing-here"]:
        for authorized in (False, True):
            headers = {"Authorization": f"Bearer {key}"} if authorized else {}
            r = api.client.options(path, headers=headers)
            _assert_answer(r, f"OPTIONS {path}")
            r = api.client.head(path, headers=headers)
            _assert_answer(r, f"HEAD {path}")
            assert r.content == b"", f"HEAD {path} answered a body"
            for method in UNEXPECTED_METHODS:
                r = api.client.request(method, path, headers=headers)
                _assert_answer(r, f"{method} {path}")


def test_options_answers_allow_without_a_key(api):
    r = api.client.options("/v1/accounts")
    assert r.status_code == 204, r.text
    assert "POST" in r.headers["allow"]


def test_head_is_the_get_without_its_body(api):
    get, head = api.get("/healthz", scope=None), api.client.head("/healthz")
    assert head.status_code == get.status_code == 200
    assert head.content == b"" and head.headers["content-length"] == get.headers["content-length"]
    # HEAD of a protected read is authenticated like its GET
    assert api.client.head("/v1/players/p1/balances").status_code == 401
    assert (
        api.client.head(
            "/v1/players/p1/balances", headers={"Authorization": f"Bearer {api.keys['player']}"}
        ).status_code
        == 404
    )
    # HEAD of a route without GET: 405 like GET, never a command run
    assert api.client.head("/v1/accounts", headers={"Authorization": f"Bearer {api.keys['admin']}"}).status_code == 405


def test_cors_is_off_by_default(api):
    r = api.client.options(
        "/v1/accounts", headers={"Origin": "https://console.example", "Access-Control-Request-Method": "POST"}
    )
    assert r.status_code < 500
    assert "access-control-allow-origin" not in r.headers


def test_cors_when_configured(db_url):
    app = create_app(db_url, pool_min=1, pool_max=2, cors_origins=["https://console.example"])
    key = create_key(db_url, "cors", ["admin"])
    with TestClient(app=app) as client:
        preflight = client.options(
            "/v1/accounts",
            headers={
                "Origin": "https://console.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert preflight.status_code in (200, 204), preflight.text
        assert preflight.headers["access-control-allow-origin"] == "https://console.example"
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        other = client.options(
            "/v1/accounts", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        )
        assert other.status_code < 500
        assert other.headers.get("access-control-allow-origin") != "https://evil.example"
        r = client.post(
            "/v1/accounts",
            json={"player_id": "p1", "currency": "KRW"},
            headers={"Origin": "https://console.example", "Authorization": f"Bearer {key}"},
        )
        assert r.status_code == 201 and r.headers["access-control-allow-origin"] == "https://console.example"


def test_request_id_is_echoed_or_generated(api):
    r = api.client.get("/healthz", headers={"X-Request-ID": "req-abc.123"})
    assert r.headers["x-request-id"] == "req-abc.123"
    generated = api.client.get("/healthz").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    # not printable ASCII, or too long: replaced, never echoed
    for bad in ("x" * 129, "has space"):
        assert api.client.get("/healthz", headers={"X-Request-ID": bad}).headers["x-request-id"] != bad
    # problems carry it too
    r = api.client.post("/v1/accounts", json={}, headers={"X-Request-ID": "r-401"})
    assert r.status_code == 401 and r.headers["x-request-id"] == "r-401"


# -- strict bodies ------------------------------------------------------------------------------

ACCOUNT = b'{"player_id": "p1", "currency": "KRW"}'


def _post(api, body: bytes, content_type: str | None = "application/json", path: str = "/v1/accounts"):
    headers = {"Authorization": f"Bearer {api.keys['admin']}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return api.client.post(path, content=body, headers=headers)


@pytest.mark.parametrize(
    "content_type", [None, "application/json", "application/json; charset=utf-8", "Application/JSON"]
)
def test_json_or_no_content_type_is_accepted(api, content_type):
    r = _post(api, ACCOUNT, content_type)
    assert r.status_code in (200, 201), r.text


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "json"],
)
def test_another_content_type_is_415_and_changes_nothing(api, content_type):
    assert_problem(_post(api, ACCOUNT, content_type), 415, "UNSUPPORTED_MEDIA_TYPE")
    assert api.get("/v1/players/p1/balances").status_code == 404


def test_a_body_over_1_mib_is_413(api):
    padding = b" " * (MAX_BODY_BYTES + 1 - len(ACCOUNT))
    assert_problem(_post(api, ACCOUNT + padding), 413, "PAYLOAD_TOO_LARGE")
    twenty_mb = b'{"player_id": "' + b"a" * (20 * 1024 * 1024) + b'", "currency": "KRW"}'
    assert_problem(_post(api, twenty_mb), 413, "PAYLOAD_TOO_LARGE")
    # exactly at the limit: read, and judged on its content
    at_limit = ACCOUNT + b" " * (MAX_BODY_BYTES - len(ACCOUNT))
    assert _post(api, at_limit).status_code == 201


def test_a_streamed_body_over_1_mib_is_413(api):
    """No Content-Length (chunked): reading stops at the limit."""

    def chunks():
        yield b'{"player_id": "p1", "currency": "KRW", "pad": "'
        for _ in range(40):
            yield b"a" * 65536
        yield b'"}'

    r = api.client.post(
        "/v1/accounts",
        content=chunks(),
        headers={"Authorization": f"Bearer {api.keys['admin']}", "Content-Type": "application/json"},
    )
    assert_problem(r, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize("depth", [33, 500, 1000, 100_000])
def test_nesting_deeper_than_32_is_422(api, depth):
    for opener, closer in ((b"[", b"]"), (b'{"a":', b"}")):
        body = b'{"player_id": "p1", "currency": "KRW", "x": ' + opener * depth + b"1" + closer * depth + b"}"
        body = body if len(body) <= MAX_BODY_BYTES else opener * depth
        r = _post(api, body)
        problem = assert_problem(r, 422, "VALIDATION_FAILED")
        assert "deeper than 32" in problem["errors"][0]["message"]


def test_nesting_of_32_is_judged_on_its_fields(api):
    deep = "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1)
    body = f'{{"player_id": "p1", "currency": "KRW", "x": {deep}}}'.encode()
    assert json_depth(body) == MAX_DEPTH
    problem = assert_problem(_post(api, body), 422, "VALIDATION_FAILED")
    assert problem["errors"] == [{"path": "x", "message": "is not a field of this request"}]


def test_brackets_inside_strings_do_not_count():
    assert json_depth(b'{"a": "' + b"[" * 1000 + b'"}') == 1
    assert json_depth(b'{"a": "\\"' + b"{" * 1000 + b'"}') == 1


def _depth(value: object) -> int:
    """The nesting of arrays and objects in a decoded JSON value (0 for a scalar)."""
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


# Strings full of what could be taken for structure: brackets, quotes, backslashes.
_TRICKY = st.text(alphabet='[]{}"\\:,ab\u00e9', max_size=8)
_JSON = st.recursive(
    st.none() | st.integers() | _TRICKY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TRICKY, inner, max_size=3),
    max_leaves=60,
)


@settings(max_examples=300, deadline=None)
@given(value=_JSON, wrap=st.integers(min_value=0, max_value=40))
def test_json_depth_is_the_nesting_once_past_the_limit(value, wrap):
    """json_depth tells a body nested deeper than MAX_DEPTH (more than MAX_DEPTH) from any other:
    with more than MAX_DEPTH openers it answers the true depth up to the limit, with fewer a bound
    of at most MAX_DEPTH that is never below the depth."""
    for _ in range(wrap):
        value = [value]
    raw = json.dumps(value, ensure_ascii=False).encode()
    depth = json_depth(raw)
    if _depth(value) > MAX_DEPTH:
        assert depth > MAX_DEPTH
    elif raw.count(b"[") + raw.count(b"{") > MAX_DEPTH:
        assert depth == _depth(value)
    else:
        assert _depth(value) <= depth <= MAX_DEPTH


def _depth_of_text(raw: bytes) -> int:
    """The depth json_depth means, for any text: a left-to-right scan that skips each JSON string
    (with its escapes) whole and counts the brackets outside them."""
    depth = deepest = 0
    for token in re.findall(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', raw, re.S):
        if len(token) == 1:
            depth += 1 if token in b"[{" else -1
            deepest = max(deepest, depth)
    return deepest


@settings(max_examples=500, deadline=None)
@given(
    text=st.text(alphabet='[]{}"\\a', min_size=33, max_size=120) | st.text(alphabet='[]{}"a', min_size=33, max_size=120)
)
def test_json_depth_reads_malformed_text_as_the_scan_does(text):
    """Malformed text too (unclosed strings, stray quotes and backslashes): json_depth agrees
    with the plain scan, so a body is refused or not the same way whatever its strings hold."""
    raw = text.encode()
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH:
        assert json_depth(raw) == _depth_of_text(raw)


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(st.tuples(st.sampled_from(["a", "b", "c", "\u00e9"]), st.integers()), max_size=5))
def test_a_duplicate_key_is_found_wherever_it_is(pairs):
    """check_json_shape refuses an object (here inside a batch-like list) exactly when a key
    repeats, and names the first key seen twice."""
    obj = "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in pairs) + "}"
    raw = ("[" + ", ".join([obj] * 40) + "]").encode()  # 41 openers, 2 deep
    _assert_refused_exactly_when_a_key_repeats(raw, [k for k, _ in pairs])


def _assert_refused_exactly_when_a_key_repeats(raw: bytes, keys: list[str]) -> None:
    """check_json_shape passes `raw` when `keys` (its objects' keys) are all different, and
    otherwise refuses it 422 naming the first key seen twice."""
    repeated = next((k for i, k in enumerate(keys) if k in keys[:i]), None)
    if repeated is None:
        check_json_shape(raw)
    else:
        with pytest.raises(WalletError) as refused:
            check_json_shape(raw)
        assert refused.value.status == 422
        assert repr(repeated) in refused.value.problem()["errors"][0]["message"]


_KEYS = st.sampled_from(["a", "b", ":b", "a:", " a", "a ", "\u00e9", "[", ",", ""])
_VALUES = st.one_of(
    st.integers(),
    st.none(),
    st.booleans(),
    st.sampled_from(["x", ":", ",", "a", ":b", "[1]", " : "]),
    st.lists(st.sampled_from(["a", ":", 1]), max_size=3),
)


@settings(max_examples=400, deadline=None)
@given(
    pairs=st.lists(st.tuples(_KEYS, _VALUES), max_size=6),
    spaced=st.booleans(),
)
def test_a_flat_object_is_judged_as_the_parser_judges_it(pairs, spaced):
    """A body of one object (the fast path that reads keys without parsing,
    http_limits._flat_object_keys_unique) is refused exactly when a key repeats, whatever colons,
    commas and brackets its keys and string values hold and however it is spaced."""
    colon, comma = (" : ", " ,  ") if spaced else (":", ",")
    raw = ("{" + comma.join(f"{json.dumps(k)}{colon}{json.dumps(v)}" for k, v in pairs) + "}").encode()
    _assert_refused_exactly_when_a_key_repeats(raw, [k for k, _ in pairs])


@pytest.mark.parametrize(
    "body",
    [
        b'{"player_id": "p1", "currency": "KRW", "currency": "EUR"}',
        b'{"player_id": "p1", "currency": "KRW", "curr\\u0065ncy": "EUR"}',
        b'{"player_id": "p1", "currency": "KRW", "x": [{"a": 1, "a": 1}]}',
    ],
    ids=["top-level", "escaped", "nested"],
)
def test_a_duplicate_key_is_422_and_changes_nothing(api, body):
    problem = assert_problem(_post(api, body), 422, "VALIDATION_FAILED")
    assert "appears twice" in problem["errors"][0]["message"]
    assert api.get("/v1/players/p1/balances").status_code == 404


def test_the_duplicate_stake_of_the_issue_is_refused(api):
    api.post("/v1/accounts", {"player_id": "p1", "currency": "KRW"})
    api.post(
        "/v1/admin/adjustments",
        {"adjustment_id": "a1", "player_id": "p1", "bucket_type": "SPORTS_NORMAL", "amount": 1000, "reason": "t"},
    )
    body = json.dumps({"bet_id": "b1", "player_id": "p1", "provider_type": "SPORTS", "stake": 100})[:-1]
    body += ', "stake": 999}'
    r = api.client.post("/v1/bets", content=body.encode(), headers={"Authorization": f"Bearer {api.keys['game']}"})
    assert_problem(r, 422, "VALIDATION_FAILED")
    balances = api.get("/v1/players/p1/balances", scope="player").json()
    assert balances["open_bets"] == {"count": 0, "stake": 0}


def test_admin_documents_are_checked_too(api):
    r = _post(api, b'{"wallet_groups": [], "wallet_groups": []}', path="/v1/admin/topologies")
    assert_problem(r, 422, "VALIDATION_FAILED")
    r = _post(api, b'{"wallet_groups": [], "x": ' + b"[" * 40 + b"]" * 40 + b"}", path="/v1/admin/topologies")
    assert_problem(r, 422, "VALIDATION_FAILED")


def test_a_topology_edge_rate_with_a_string_is_refused_with_its_path(api):
    """Issue 15: `["100", 1]` was accepted as a valid draft."""
    document = api.get("/v1/admin/topologies/1").json()["document"]
    edge = next(i for i, e in enumerate(document["transfer_edges"]) if "rate" in e)
    document["transfer_edges"][edge]["rate"] = ["100", 1]
    problem = assert_problem(api.post("/v1/admin/topologies", document), 422, "TOPOLOGY_INVALID")
    assert {
        "path": f"transfer_edges[{edge}].rate",
        "message": "must be [from_units, to_units], two positive integers",
    } in problem["errors"]
