"""The caller-key rule (SPEC §2) is decided once and enforced in two places, the database's
wallet._key_ok and the API's msgspec pattern (the same characters and length limit): this test
proves they accept and refuse exactly the same ids, over every character of the first 256 code
points and a few beyond, alone and inside an id, and at the length limits."""

import msgspec
import pytest

from ruby_wallet.routes._common import KEY_CHARS, KEY_MAX_LENGTH, KEY_PATTERN, Key


class _Body(msgspec.Struct):
    key: Key


def _python_accepts(key: str) -> bool:
    try:
        msgspec.json.decode(msgspec.json.encode({"key": key}), type=_Body, strict=True)
        return True
    except msgspec.ValidationError:
        return False


def _candidates() -> list[str]:
    chars = [chr(c) for c in range(1, 256)] + ["\u2028", "\u00a0", "é", "ß", "가", "😀", "\ufeff"]
    ids = []
    for ch in chars:
        ids += [ch, f"a{ch}b", f"{ch}{ch}", f"{ch}x"]
    ids += [
        "",
        ".",
        "..",
        "...",
        "./",
        "a/b",
        "/",
        "%2F",
        "a%2Fb",
        "k" * 128,
        "k" * 129,
        "." * 128,
        "bet:1",
        "coupon:c1",
    ]
    return ids


def test_sql_and_python_agree_on_every_candidate(db):
    candidates = _candidates()
    sql = dict(db.execute("SELECT k, wallet._key_ok(p_key => k) FROM unnest(%s::text[]) k", (candidates,)).fetchall())
    disagree = {k: (sql[k], _python_accepts(k)) for k in candidates if sql[k] != _python_accepts(k)}
    assert disagree == {}, f"SQL and Python disagree (sql, python): {disagree}"


@pytest.mark.parametrize(
    "key, accepted",
    [
        ("p1", True),
        ("a.b", True),
        ("...", True),
        ("?#%&+=;,", True),
        ("k" * 128, True),
        ("a/b", False),
        (".", False),
        ("..", False),
        ("a b", False),
        ("käse", False),
        ("tab\there", False),
        ("", False),
        ("k" * 129, False),
    ],
)
def test_the_rule_itself(db, key, accepted):
    assert db.execute("SELECT wallet._key_ok(p_key => %s)", (key,)).fetchone()[0] is accepted
    assert _python_accepts(key) is accepted


def test_one_character_class_and_limit(db):
    source = db.execute("SELECT prosrc FROM pg_proc WHERE oid = 'wallet._key_ok(text)'::regprocedure").fetchone()[0]
    assert f"'^{KEY_CHARS}+$'" in source and f"<= {KEY_MAX_LENGTH}" in source, (
        "wallet._key_ok and routes._common must name the same characters and length limit"
    )
    assert KEY_PATTERN == r"^(?!\.\.?$)[!-.0-~]{1,128}$"
