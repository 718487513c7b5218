"""Many settlements in one call over HTTP (SPEC §5c, API.md `POST /v1/bets/settlements`): each
item's status and body are exactly what `POST /v1/bets/{bet_id}/settle` answers it — compared
here with that route's own answer to the same item — in list order; the call itself is 422 only
when `settlements` is not a list of 1 to 1,000."""

import asyncio
import json
from urllib.parse import quote

import pytest

from ruby_wallet.app import create_app
from tests.support.http import assert_problem, create_key
from tests.support.money import assert_balances, bet, deposit, ok, open_account, rolling, snapshot

SETTLEMENTS = "/v1/bets/settlements"


def item(bet_id, result, payout=None, player_id="p1", settlement_id=None):
    body = {"bet_id": bet_id, "settlement_id": settlement_id or f"s-{bet_id}", "player_id": player_id, "result": result}
    if payout is not None:
        body["payout"] = payout
    return body


def batch(api, items, scope="game"):
    response = api.post(SETTLEMENTS, {"settlements": items}, scope=scope)
    results = ok(response, 200)["results"]
    assert [r["index"] for r in results] == list(range(len(items)))
    return results


def single(api, settlement):
    """What POST /v1/bets/{bet_id}/settle answers for the same item: (status, body)."""
    body = {k: v for k, v in settlement.items() if k != "bet_id"} if isinstance(settlement, dict) else settlement
    response = api.post(f"/v1/bets/{quote(settlement['bet_id'], safe='')}/settle", body, scope="game")
    return response.status_code, response.json()


@pytest.fixture
def players(api):
    """p1 and p2 with 10000 each in SPORTS_NORMAL (DEPOSIT obligations of 10000)."""
    for p in ("p1", "p2"):
        open_account(api, p)
        deposit(api, f"d-{p}", 10000, player_id=p)


@pytest.fixture(params=["chunks", "single commands"])
def batch_path(request, api):
    """Both ways the route applies a batch: chunks of game.bet_settle_batch, or, on a distributed
    wallet (api.wallet_distributed: Citus), every item as its own game.bet_settle."""
    api.client.app.state.distributed = request.param == "single commands"
    return request.param


def test_every_outcome_is_the_single_routes_answer(api, players, batch_path):
    for b, p in (("w1", "p1"), ("l1", "p1"), ("v1", "p1"), ("c1", "p1"), ("w2", "p2"), ("r2", "p2"), ("x2", "p2")):
        bet(api, b, 1000, player_id=p, odds="2.0")
    ok(api.post("/v1/bets/r2/rollback", {"rollback_id": "rb-r2", "player_id": "p2"}, scope="game"), 200)
    items = [
        item("w2", "WIN", 3000, player_id="p2"),  # 200
        item("w1", "WIN", 2500),  # 200
        item("l1", "LOSS"),  # 200
        item("v1", "VOID", 5000),  # 200: the stake back, the payout ignored
        item("c1", "CASHOUT", 700),  # 200
        item("w1", "WIN", 2500),  # 200: a replay of item 1
        item("w1", "LOSS", settlement_id="s-w1-b"),  # 409 BET_ALREADY_SETTLED
        item("w1", "WIN", 2600),  # 409 IDEMPOTENCY_CONFLICT
        item("x2", "WIN", 3000, player_id="p2", settlement_id="s-w2"),  # 409 IDEMPOTENCY_CONFLICT: w2's key
        item("r2", "LOSS", player_id="p2"),  # 409 BET_ALREADY_ROLLED_BACK
        item("nope", "LOSS"),  # 404 BET_NOT_FOUND
        item("w1", "LOSS", player_id="nobody"),  # 404 UNKNOWN_ACCOUNT
        item("x2", "LOSS", 10, player_id="p2"),  # 422, found by the database
        item("x2", "PUSH", player_id="p2"),  # 422, found by the decoder
        {"bet_id": "x2", "settlement_id": "s", "player_id": "p2", "result": "WIN", "payout": "1", "odds": 2},  # 422
        {"settlement_id": "s", "player_id": "p2", "result": "LOSS"},  # 422: no bet id
        ["not", "an", "object"],  # 422
        item("bad id", "LOSS"),  # 422: a bet id the single route's path would carry, refused by the database
    ]
    results = batch(api, items)
    assert [r["status"] for r in results] == [200] * 6 + [409] * 4 + [404] * 2 + [422] * 6
    codes = [r["body"].get("code") for r in results[6:]]
    refusals = ["BET_ALREADY_SETTLED", "IDEMPOTENCY_CONFLICT", "IDEMPOTENCY_CONFLICT", "BET_ALREADY_ROLLED_BACK"]
    assert codes == refusals + ["BET_NOT_FOUND", "UNKNOWN_ACCOUNT"] + ["VALIDATION_FAILED"] * 6

    assert results[1]["body"] == {
        "bet_id": "w1",
        "status": "SETTLED",
        "result": "WIN",
        "payout": 2500,
        "credits": [{"bucket_type": "SPORTS_NORMAL", "amount": 2500}],
        "rolling": [
            {"rolling_id": results[1]["body"]["rolling"][0]["rolling_id"], "progress": 1000, "status": "ACTIVE"}
        ],
    }
    assert results[3]["body"]["credits"] == [{"bucket_type": "SPORTS_NORMAL", "amount": 1000}]
    assert results[5] == {**results[1], "index": 5}
    # Every answer is the single route's for the same item, sent now (settled items answer as replays).
    for settlement, result in zip(items, results, strict=True):
        if isinstance(settlement, dict) and isinstance(settlement.get("bet_id"), str):
            assert (result["status"], result["body"]) == single(api, settlement), settlement
    # Items the single route has no URL for: the problems of the item, paths inside it.
    assert results[14]["body"]["errors"] == [
        {"path": "payout", "message": "Expected `int | null`, got `str`"},
        {"path": "odds", "message": "is not a field of this request"},
    ]
    assert results[15]["body"]["errors"] == [{"path": "bet_id", "message": "is required"}]
    assert results[16]["body"]["errors"] == [{"path": "", "message": "the body must be a JSON object"}]
    assert results[15]["body"]["instance"] == results[16]["body"]["instance"] == SETTLEMENTS
    assert results[10]["body"]["instance"] == "/v1/bets/nope/settle"

    assert_balances(api, "p1", SPORTS_NORMAL=10000 - 4000 + 2500 + 1000 + 700)
    assert rolling(snapshot(api, "p1")) == [("SPORTS", "DEPOSIT", 10000, 10000, 3000)]
    assert_balances(api, "p2", SPORTS_NORMAL=10000 - 3000 + 1000 + 3000, open_bets=(1, 1000))


def test_a_replay_answers_byte_for_byte(api, players):
    bet(api, "b1", 500, odds="3")
    first = api.post(SETTLEMENTS, {"settlements": [item("b1", "WIN", 1500), item("b2", "LOSS")]}, scope="game")
    again = api.post(SETTLEMENTS, {"settlements": [item("b1", "WIN", 1500), item("b2", "LOSS")]}, scope="game")
    assert first.status_code == again.status_code == 200 and first.content == again.content
    settled = ok(first, 200)["results"][0]
    alone = api.post(
        "/v1/bets/b1/settle", {k: v for k, v in item("b1", "WIN", 1500).items() if k != "bet_id"}, scope="game"
    )
    assert ok(alone, 200) == settled["body"]
    assert first.content.count(alone.content) == 1, "the item's body is the single route's answer, byte for byte"
    assert_balances(api, "p1", SPORTS_NORMAL=10000 - 500 + 1500)


def test_items_are_applied_in_account_order_and_answered_in_list_order(api, players, db):
    for n in range(3):
        bet(api, f"a{n}", 100, player_id="p2")
        bet(api, f"b{n}", 100, player_id="p1")
    items = [item(f"a{n}", "LOSS", player_id="p2") for n in range(3)] + [item(f"b{n}", "LOSS") for n in range(3)]
    results = batch(api, items)
    assert [r["body"]["bet_id"] for r in results] == ["a0", "a1", "a2", "b0", "b1", "b2"]
    applied = [
        ref
        for (ref,) in db.execute(
            "SELECT ref FROM wallet.ledger_txn WHERE kind = 'BET_SETTLE' ORDER BY txn_id"
        ).fetchall()
    ]
    assert applied == ["bet:b0", "bet:b1", "bet:b2", "bet:a0", "bet:a1", "bet:a2"]


def test_a_thousand_items_in_chunks(api, players, db):
    db.execute(
        """SELECT game.bet_authorize('k' || i, 'p' || (1 + i % 2), 'SPORTS', 'book', 1, NULL, NULL, 'game')
             FROM generate_series(0, 999) i"""
    )
    items = [
        item(f"k{i}", "WIN" if i % 3 else "LOSS", 2 if i % 3 else None, player_id=f"p{1 + i % 2}") for i in range(1000)
    ]
    results = batch(api, items)
    assert {r["status"] for r in results} == {200}
    assert [r["body"]["bet_id"] for r in results] == [f"k{i}" for i in range(1000)]
    wins = sum(1 for i in range(1000) if i % 3)
    p1_wins = sum(1 for i in range(0, 1000, 2) if i % 3)
    assert_balances(api, "p1", SPORTS_NORMAL=10000 - 500 + 2 * p1_wins)
    assert_balances(api, "p2", SPORTS_NORMAL=10000 - 500 + 2 * (wins - p1_wins))
    assert db.execute("SELECT count(*) FROM wallet.outbox WHERE event_type = 'bet.settled'").fetchone()[0] == 1000


@pytest.mark.parametrize(
    "body, problem",
    [
        ({}, {"path": "settlements", "message": "is required"}),
        ({"settlements": {}}, {"path": "settlements", "message": "Expected `array`, got `object`"}),
        ({"settlements": []}, {"path": "settlements", "message": "Expected `array` of length >= 1"}),
        ({"settlements": [{}] * 1001}, {"path": "settlements", "message": "Expected `array` of length <= 1000"}),
        ({"settlements": [], "more": 1}, {"path": "more", "message": "is not a field of this request"}),
        ([], {"path": "", "message": "the body must be a JSON object"}),
    ],
)
def test_the_whole_call_is_refused_only_for_its_list(api, body, problem):
    refused = assert_problem(api.post(SETTLEMENTS, body, scope="game"), 422, "VALIDATION_FAILED")
    assert problem in refused["errors"]
    assert refused["instance"] == SETTLEMENTS


def test_keys_and_scopes(api, players):
    bet(api, "b1", 100)
    assert_problem(api.post(SETTLEMENTS, {"settlements": [item("b1", "LOSS")]}, scope=None), 401, "UNAUTHORIZED")
    assert_problem(api.post(SETTLEMENTS, {"settlements": [item("b1", "LOSS")]}, scope="payments"), 403, "FORBIDDEN")
    assert_balances(api, "p1", SPORTS_NORMAL=9900, open_bets=(1, 100))


def test_a_bet_id_psycopg_cannot_send_is_refused_as_the_single_route_refuses_it(api, players):
    bet(api, "b1", 100)
    results = batch(api, [item("a\u0000b", "LOSS", settlement_id="s-nul"), item("b1", "LOSS")])
    assert [r["status"] for r in results] == [422, 200]
    assert results[0]["body"]["errors"] == [
        {"path": "", "message": "PostgreSQL text fields cannot contain NUL (0x00) bytes"}
    ]


def test_batches_leave_half_the_pool_to_single_commands(db_url):
    """A server process runs at most half its pool's worth of batch chunks at once
    (routes.bets.batch_slots): six batch requests at the same moment on a pool of 4 make at most
    2 database calls at a time, every item still answered; the other connections stay free for
    single commands.  The requests go to the ASGI app side by side, as a server hands them over."""
    key = create_key(db_url, "test-batch-slots", ["game"])
    app = create_app(db_url, pool_min=0, pool_max=4)

    async def post(n: int) -> tuple[int, dict]:
        body = json.dumps({"settlements": [item(f"b{n}", "LOSS", player_id=f"nobody-{n}")]}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {key}".encode()),
            (b"content-length", str(len(body)).encode()),
            (b"host", b"test"),
        ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": SETTLEMENTS,
            "raw_path": SETTLEMENTS.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        answer: dict = {"body": b""}

        async def receive() -> dict:
            return messages.pop() if messages else {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            else:
                answer["body"] += message.get("body", b"")

        await app(scope, receive, send)
        return answer["status"], json.loads(answer["body"])

    async def scenario() -> tuple[int, list]:
        # The app's lifespan in this event loop (the pools are this loop's), as a server runs it.
        events: asyncio.Queue = asyncio.Queue()
        started, stopped = asyncio.Event(), asyncio.Event()

        async def lifespan_send(message: dict) -> None:
            (started if message["type"].startswith("lifespan.startup") else stopped).set()

        await events.put({"type": "lifespan.startup"})
        lifespan = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}}, events.get, lifespan_send))
        await started.wait()
        db = app.state.db
        fetch = db.fetch
        running = peak = 0

        async def counted(name, params=None):
            nonlocal running, peak
            if name != "bet_settle_batch":
                return await fetch(name, params)
            running += 1
            peak = max(peak, running)
            try:
                await asyncio.sleep(0.05)  # long enough for the other requests to arrive
                return await fetch(name, params)
            finally:
                running -= 1

        db.fetch = counted
        try:
            answers = await asyncio.gather(*(post(n) for n in range(6)))
        finally:
            await events.put({"type": "lifespan.shutdown"})
            await lifespan
        return peak, answers

    peak, answers = asyncio.run(scenario())
    assert peak == 2
    for status, body in answers:
        assert status == 200, body
        [result] = body["results"]
        assert result["status"] == 404 and result["body"]["code"] == "UNKNOWN_ACCOUNT"
