"""API fuzzing with schemathesis against the OpenAPI schema the real server serves: every
operation gets schema-valid and schema-breaking requests (bodies, paths, queries, headers).
No request may get a 5xx, and every error must be an RFC 9457 problem with a stable code from
the error table.  Beyond the schema: every operation's path under OPTIONS, HEAD and methods no
route has, and its bodies nested past 32 levels or with a duplicate key (always 422).  The server is a real uvicorn process on its own database."""

from __future__ import annotations

import json
import os

import httpx
import psycopg
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from ruby_wallet.errors import error_codes
from tests.support.served import served_api


@pytest.fixture(scope="module")
def served(postgresql_proc):
    """A real uvicorn process on a fresh database, with a funded player and a few records to find."""
    with served_api(postgresql_proc, "fuzz") as api:
        with psycopg.connect(api.database_url, autocommit=True) as conn:
            conn.execute("SELECT payments.open_account('p1', 'KRW', 't')")
            conn.execute("SELECT payments.deposit_create('d1', 'p1', 100000, 'SPORTS_NORMAL', true, 't')")
            conn.execute("SELECT promotion.coupon_grant('c1', 'p1', 500, ARRAY['SPORTS'], p_actor => 't')")
        yield api


@pytest.fixture(scope="module")
def api_schema(served):
    return schemathesis.openapi.from_url(f"{served.base_url}/schema/openapi.json")


CODES = set(error_codes())
# Per operation and generation mode; two modes × ~45 operations.  derandomize: the same cases
# every run, so a failure here is reproducible; new cases come from changing the schema.  A
# longer run: RW_FUZZ_EXAMPLES=500 (RW_FUZZ_RANDOM=1 for cases not seen before).
EXAMPLES = int(os.environ.get("RW_FUZZ_EXAMPLES", "25"))
DERANDOMIZE = not os.environ.get("RW_FUZZ_RANDOM")


def _check(case, base: str, key: str) -> None:
    headers = {**(case.headers or {}), "Authorization": f"Bearer {key}"}
    response = case.call(base_url=base, headers=headers, timeout=30)
    where = f"{case.method} {case.formatted_path} {case.query or ''} {str(case.body)[:300]} -> {response.status_code}: {response.text[:500]}"
    assert response.status_code < 500, where
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/problem+json"), where
        body = response.json()
        assert body["status"] == response.status_code and body["code"] in CODES and body["title"] and body["detail"], (
            where
        )


@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["schema-valid", "schema-breaking"]
)
def test_no_5xx_and_every_error_is_a_problem(api_schema, served, mode):
    base, key = served.base_url, served.api_key
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 30, "the served schema lost its operations"
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=DERANDOMIZE,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def fuzz(case):
            _check(case, base, key)

        try:
            fuzz()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, f"no valid request for {operation.path}"  # nothing to break
        except AssertionError as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert failures == [], "\n\n".join(failures)


# -- what the schema does not describe: other methods, and bodies two parsers could read apart --

ODD_METHODS = ["OPTIONS", "HEAD", "TRACE", "PROPFIND", "BREW", "PATCH", "DELETE", "PUT", "M-SEARCH"]


def _assert_no_5xx(response, where: str) -> None:
    assert response.status_code < 500, f"{where} -> {response.status_code}: {response.text[:300]}"
    if response.status_code >= 400 and response.request.method != "HEAD":
        assert response.headers["content-type"].startswith("application/problem+json"), where
        body = response.json()
        assert body["code"] in CODES and body["status"] == response.status_code, where


def _bad_bodies(body: dict) -> st.SearchStrategy[tuple[str, bytes]]:
    """A schema-valid body made ambiguous: nested past 32 levels somewhere, or a key twice."""
    text = json.dumps(body)
    keys = list(body) or ["x"]

    def nested(args):
        depth, opener = args
        closer = {"[": "]", '{"k": ': "}"}[opener]
        return ("deep", (text[:-1] + (", " if body else "") + f'"deep": {opener * depth}1{closer * depth}}}').encode())

    def duplicated(args):
        key, value = args
        return (
            "duplicate",
            (text[:-1] + (", " if body else "") + f"{json.dumps(key)}: {json.dumps(value)}}}").encode(),
        )

    deep = st.tuples(st.integers(33, 5000), st.sampled_from(["[", '{"k": '])).map(nested)
    dup = st.tuples(st.sampled_from(keys), st.one_of(st.integers(), st.text(max_size=5), st.none(), st.booleans())).map(
        duplicated
    )
    return deep | dup if body else deep


def test_other_methods_and_ambiguous_bodies_never_5xx(api_schema, served):
    base, key = served.base_url, served.api_key
    auth = {"Authorization": f"Bearer {key}"}
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    with httpx.Client(base_url=base, timeout=30) as client:
        for operation in operations:

            @settings(
                max_examples=max(5, EXAMPLES // 3),
                deadline=None,
                derandomize=DERANDOMIZE,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE), data=st.data())
            def fuzz(case, data):
                path = case.formatted_path
                method = data.draw(st.sampled_from(ODD_METHODS))
                headers = data.draw(st.sampled_from([{}, auth]))
                r = client.request(method, path, headers=headers)
                _assert_no_5xx(r, f"{method} {path}")
                if isinstance(case.body, dict):
                    kind, raw = data.draw(_bad_bodies(case.body))
                    r = client.request(
                        case.method.upper(), path, content=raw, headers={**auth, "Content-Type": "application/json"}
                    )
                    where = f"{case.method.upper()} {path} {kind} body {raw[:200]!r}"
                    _assert_no_5xx(r, where)
                    assert r.status_code == 422 and r.json()["code"] == "VALIDATION_FAILED", where

            try:
                fuzz()
            except Unsatisfiable:
                failures.append(f"no valid request for {operation.path}")
            except AssertionError as exc:
                failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert failures == [], "\n\n".join(failures)
