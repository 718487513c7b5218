"""Two players' transactions with the same key (provider, type, provider transaction id) at the
same time (SPEC §10): the key is claimed in wallet.resource_owner inside the first one's
transaction, so the second waits for it and then answers PAM_ERR_DUPLICATE_TRANS, as data, with
its own money untouched — never an error, never both applied."""

import threading

import psycopg

from ruby_wallet.dsn import with_role

ADD = """SELECT casino.transaction_add(p_token => %s, p_provider => 'evolution', p_player_id => %s,
             p_transaction_type => 'WITHDRAW', p_provider_transaction_id => 'same-key', p_currency => 'EUR',
             p_cash => 500, p_bonus => 0, p_promo => 0, p_transaction_at => now(), p_provider_game_id => 'g',
             p_provider_round_id => 'r1')"""


def test_the_same_key_for_two_players_at_once_applies_once(db_url, db):
    tokens = {}
    for player in ("a", "b"):
        db.execute("SELECT payments.open_account(p_player_id => %s, p_currency => 'EUR', p_actor => 't')", (player,))
        db.execute(
            "SELECT payments.deposit_create(p_deposit_id => %s, p_player_id => %s, p_amount => 1000,"
            " p_bucket_type => 'CASINO_NORMAL', p_auto_approve => true, p_actor => 't')",
            (f"{player}-d", player),
        )
        tokens[player] = db.execute(
            "SELECT player.game_session_open(p_player_id => %s, p_provider => 'evolution', p_country => 'SE',"
            " p_language => 'sv', p_game_id => 'g')->>'token'",
            (player,),
        ).fetchone()[0]

    first = psycopg.connect(with_role(db_url, "wallet_casino"))
    answer_a = first.execute(ADD, (tokens["a"], "a")).fetchone()[0]
    assert answer_a["status"] == "OK"  # applied, not committed yet: the key's claim is held

    answers = {}

    def second_player():
        with psycopg.connect(with_role(db_url, "wallet_casino"), autocommit=True) as conn:
            answers["b"] = conn.execute(ADD, (tokens["b"], "b")).fetchone()[0]

    thread = threading.Thread(target=second_player)
    thread.start()
    thread.join(timeout=1)
    assert thread.is_alive(), "the second player's transaction waits for the first one's claim of the key"
    first.commit()
    first.close()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert answers["b"]["code"] == "PAM_ERR_DUPLICATE_TRANS"
    assert answers["b"]["balance"] == {"cash": 1000, "bonus": 0, "promo": 0}
    rows = db.execute("SELECT account_id FROM wallet.casino_transaction WHERE provider_transaction_id = 'same-key'")
    assert rows.fetchall() == [("a",)]
