"""What `ruby-wallet migrate` does to API processes of the previous version still running
(docs/runbooks/upgrades.md): they are told unready at once (GET /readyz 503, so a load balancer
stops sending them requests), the commands whose functions the new version keeps go on
working until the process stops, and a command whose function the new version dropped or moved
answers 503 "restart this process" — never a 500, and nothing half done.

The "new version" is this checkout's SQL with one function renamed (player.ledger_history →
player.ledger_page), migrated over the database while an app built from the unchanged code runs."""

import shutil

import pytest

from ruby_wallet import paths
from ruby_wallet.migrate import migrate
from tests.support.http import assert_problem
from tests.support.money import deposit, ok, open_account


@pytest.fixture
def newer_sql(tmp_path, monkeypatch):
    """A copy of the SQL tree as a next release would ship it: one reader renamed."""
    root = tmp_path / "sql-next"
    for folder in ("migrations", "procedures", "sql"):
        shutil.copytree(paths.sql_root() / folder, root / folder)
    history = root / "procedures" / "reads" / "history.sql"
    text = history.read_text()
    assert "player.ledger_history(" in text
    history.write_text(text.replace("player.ledger_history(", "player.ledger_page("))
    return root


def test_a_migrate_of_the_next_version_under_running_processes(api, db_url, newer_sql, monkeypatch):
    open_account(api)
    deposit(api, "d1", 10_000)
    assert api.get("/readyz", scope=None).status_code == 200
    paths.code_digest()  # what the running process computed at its start

    monkeypatch.setattr(paths, "sql_root", lambda: newer_sql)
    monkeypatch.setattr(paths, "code_digest", paths.code_digest.__wrapped__)
    report = migrate(db_url)
    assert report.code_applied and "player.ledger_history(text,integer,text)" in report.functions_dropped
    monkeypatch.undo()

    problem = assert_problem(api.get("/readyz", scope=None), 503, "SERVICE_UNAVAILABLE")
    assert "not migrated to this version" in problem["detail"]
    bet = {"bet_id": "b1", "player_id": "p1", "provider_type": "SPORTS", "provider_id": "book", "stake": 1000}
    assert ok(api.post("/v1/bets", bet, scope="game"), 201)["status"] == "AUTHORIZED"
    assert ok(api.get("/v1/players/p1/balances", scope="player"), 200)["groups"][0]["buckets"][0]["balance"] == 9_000
    gone = assert_problem(api.get("/v1/players/p1/ledger", scope="player"), 503, "SERVICE_UNAVAILABLE")
    assert "must be restarted" in gone["detail"]
