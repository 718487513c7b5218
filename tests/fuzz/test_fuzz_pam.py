"""schemathesis over the casino adapter (SPEC §10): every operation of the adapter's served
document (/pam/valkyrie/openapi.json, pam_api.yml 0.7.0 in shape) gets schema-valid and
schema-breaking requests.  No request may get a 5xx, and every answer must be one the document
describes for its operation and status (strictly: no field it does not name).  Each case runs
twice: as generated (mostly refused keys, sessions and players), and with the real casino key,
session token, player and provider put in, so bodies reach the money.  The server is a real
uvicorn process on its own database, and its books must reconcile at the end."""

from __future__ import annotations

import json
import os

import httpx
import psycopg
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.support.pam import PamSchema
from tests.support.served import served_api

EXAMPLES = int(os.environ.get("RW_FUZZ_EXAMPLES", "25"))
DERANDOMIZE = not os.environ.get("RW_FUZZ_RANDOM")


@pytest.fixture(scope="module")
def served(postgresql_proc):
    """A real server with player p1 (1000.00 EUR of casino cash) and a long session at evolution."""
    with served_api(postgresql_proc, "fuzzpam") as api:
        with psycopg.connect(api.database_url, autocommit=True) as conn:
            conn.execute("SELECT payments.open_account(p_player_id => 'p1', p_currency => 'EUR', p_actor => 't')")
            conn.execute(
                "SELECT payments.deposit_create(p_deposit_id => 'd1', p_player_id => 'p1', p_amount => 100000, "
                "p_bucket_type => 'CASINO_NORMAL', p_auto_approve => true, p_actor => 't')"
            )
            token = conn.execute(
                "SELECT player.game_session_open(p_player_id => 'p1', p_provider => 'evolution', p_country => 'SE', "
                "p_language => 'sv', p_game_id => 'roulette', p_ttl_seconds => 86400)->>'token'"
            ).fetchone()[0]
        yield api, token


@pytest.fixture(scope="module")
def document(served):
    api, _ = served
    return httpx.get(f"{api.base_url}/pam/valkyrie/openapi.json").json()


@pytest.fixture(scope="module")
def pam_schema(served):
    api, _ = served
    return schemathesis.openapi.from_url(f"{api.base_url}/pam/valkyrie/openapi.json")


def _check(case, base: str, headers: dict[str, str], checker: PamSchema) -> None:
    response = case.call(base_url=f"{base}/pam/valkyrie", headers={**(case.headers or {}), **headers}, timeout=30)
    where = f"{case.method} {case.formatted_path} {case.query or ''} {str(case.body)[:300]} -> {response.status_code}: {response.text[:500]}"
    assert response.status_code < 500, where
    assert response.headers["content-type"][0].startswith("application/json"), where
    body = json.loads(response.content)
    assert body.get("status") in ("OK", "ERROR"), where
    errors = checker.errors(case.method.upper(), case.path, response.status_code, body)
    assert errors == [], f"{where}\n{errors}"


@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["schema-valid", "schema-breaking"]
)
def test_no_5xx_and_every_answer_is_the_contracts(pam_schema, served, document, mode):
    api, token = served
    checker = PamSchema(document)
    real = {"Authorization": f"Bearer {api.api_key}", "X-Player-Token": token, "X-Correlation-ID": "fuzz"}
    failures = []
    operations = [result.ok() for result in pam_schema.get_all_operations()]
    assert len(operations) == 6, "the adapter's document lost an operation"
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
            _check(case, api.base_url, {"Authorization": f"Bearer {api.api_key}"}, checker)
            # (not refreshSession: with the real token it would replace it for every later case)
            if mode is GenerationMode.POSITIVE and case.method.upper() != "PUT":
                if case.path_parameters and "playerId" in case.path_parameters:
                    case.path_parameters = {**case.path_parameters, "playerId": "p1"}
                case.query = {**(case.query or {}), "provider": "evolution"}
                if isinstance(case.body, dict):
                    # the account's currency, and amounts in whole cents often enough to move money
                    case.body = {**case.body, "provider": "evolution", "currency": "EUR"}
                    for field in ("cashAmount", "bonusAmount", "promoAmount"):
                        if isinstance(case.body.get(field), float):
                            case.body[field] = round(abs(case.body[field]) % 1000, 2)
                _check(case, api.base_url, real, checker)

        try:
            fuzz()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, f"no valid request for {operation.path}"
        except AssertionError as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert failures == [], "\n\n".join(failures)
    if mode is GenerationMode.POSITIVE:
        with psycopg.connect(api.database_url, autocommit=True) as conn:
            applied = conn.execute("SELECT count(*) FROM wallet.casino_transaction").fetchone()[0]
        assert applied > 0, "no generated transaction reached the wallet: the fuzzing stayed at the door"
