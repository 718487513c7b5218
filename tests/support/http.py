"""The HTTP API against the test's database: the real Litestar app in-process (TestClient
runs its lifespan, so the psycopg pools connect as the scope roles like in production)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from litestar.testing import TestClient

from ruby_wallet.app import create_app

ALL_SCOPES = ("game", "payments", "promotion", "player", "admin", "events", "casino")
PROBLEM = "application/problem+json"


def assert_problem(response, status, code):
    """The response is an RFC 9457 problem with this status and code (and a title and detail)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["code"] == code and body["title"] and body["detail"]
    return body


def create_key(db_url: str, name: str, scopes: list[str]) -> str:
    with psycopg.connect(db_url, autocommit=True) as conn:
        return conn.execute("SELECT ops.api_key_create(%s, %s)", (name, scopes)).fetchone()[0]


class Api:
    """A client that sends the API key of the scope a call names (default: admin)."""

    def __init__(self, client: TestClient, keys: dict[str, str]):
        self.client = client
        self.keys = keys

    def _headers(self, scope: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[scope]}"} if scope else {}

    def post(self, path: str, body: Any = None, scope: str | None = "admin", **kw):
        return self.client.post(path, json=body if body is not None else {}, headers=self._headers(scope), **kw)

    def get(self, path: str, scope: str | None = "admin", **kw):
        return self.client.get(path, headers=self._headers(scope), **kw)

    def put(self, path: str, body: Any = None, scope: str | None = "admin", **kw):
        return self.client.put(path, json=body if body is not None else {}, headers=self._headers(scope), **kw)


@pytest.fixture
def api(db_url) -> Iterator[Api]:
    keys = {scope: create_key(db_url, f"test-{scope}", [scope]) for scope in ALL_SCOPES}
    app = create_app(db_url, pool_min=0, pool_max=4)
    with TestClient(app=app) as client:
        yield Api(client, keys)
