"""What a command costs the database in instructions, counted by callgrind: a figure that does not
move with the machine's load, for comparing two versions of a procedure (docs/benchmarks.md,
"Eighth session").

    bench/instructions                     # batch settlement, bet authorize, tpcb-like: instructions an item
    bench/instructions --load FILE.sql     # the same with FILE.sql loaded first (CREATE OR REPLACE ...)
    bench/instructions --schema FILE.sql   # the same with FILE.sql run once after the migrations (DDL)

A throwaway cluster (ruby_wallet.localdb.LocalCluster, so as root it runs as the postgres OS
user) is migrated and seeded (--players, each with 10^9 in SPORTS_NORMAL through an auto-approved
deposit, so each holds a DEPOSIT rolling obligation; --deposits N for N of them), pgbench's
tables are created (scale 10) and the bets to settle are authorized.  Then the cluster is
stopped and every workload runs as a script of a single-user backend (`postgres --single -j`)
under `valgrind --tool=callgrind`:

- start: the backend starting and running `SELECT 1` (subtracted from the others);
- batch: --items settlements of those bets through game.bet_settle_batch, 50 items a call on 50
  players, every other one WIN 2x, the others LOSS (as bench/wrk_batch.lua sends them);
- authorize: --items game.bet_authorize calls, each a transaction (a prepared statement, as
  pgbench -M prepared sends it);
- settle: --items game.bet_settle calls (other bets than the batch's, each WIN 2x or LOSS), the same way;
- deposit: --items auto-approved payments.deposit_create calls, the same way;
- transfer: --items player.transfer_create calls SPORTS_NORMAL -> CASINO_NORMAL (each player's
  DEPOSIT obligation gives a share: PROPORTIONAL inheritance), the same way;
- tpcb-like: --items of pgbench's tpcb-like transactions, its five statements prepared, each in
  BEGIN ... COMMIT.

Each --load file is loaded at the start of every workload's script, so a run with a changed
procedures/ file and a run with the original pay the same compile.  Runs of the same code agree
to about 0.2%; differences smaller than that are not differences.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from ruby_wallet import pgctl
from ruby_wallet.localdb import DATABASE, LocalCluster, find_bindir
from ruby_wallet.migrate import migrate

CHUNK = 50
PLAYERS_OF_SETTLES = 500  # the single settles' bets are on the first 500 players
TPCB_SCALE = 10


def statements(text: str) -> str:
    """SQL text as single-user -j mode reads it: each statement ends with a semicolon and an
    empty line, so the text itself must have no empty line (they are dropped)."""
    return "\n".join(line for line in text.splitlines() if line.strip()).rstrip() + "\n\n"


def batch_script(items: int, players: int) -> str:
    calls = []
    for start in range(1, items + 1, CHUNK):
        chunk = []
        for i in range(start, min(items, start + CHUNK - 1) + 1):
            win = i % 2 == 0
            stake = 1 + i % 1000
            chunk.append(
                {
                    "bet_id": f"ins-{i}",
                    "settlement_id": f"ins-{i}-st",
                    "player_id": f"p{1 + (i - 1) % players}",
                    "result": "WIN" if win else "LOSS",
                    "payout": 2 * stake if win else 0,
                }
            )
        body = json.dumps(chunk).replace("'", "''")
        calls.append(
            f"SELECT count(*) FILTER (WHERE status = 200) FROM game.bet_settle_batch('{body}'::jsonb, 'bench');\n\n"
        )
    return "".join(calls)


def one_transaction_each(prepare: str, calls: list[str]) -> str:
    """A prepared statement executed once per transaction, as pgbench -M prepared runs a command:
    each EXECUTE is a transaction of its own, so the work a transaction does once (PL/pgSQL
    readies each expression it evaluates on first use in a transaction, the commit) is counted."""
    return statements(prepare) + "".join(f"EXECUTE {c};\n\n" for c in calls)


def authorize_script(items: int, players: int) -> str:
    return one_transaction_each(
        "PREPARE a(text, text, bigint) AS SELECT game.bet_authorize($1, $2, 'SPORTS', 'bench', $3, 2.0, NULL, 'bench');",
        [f"a('ina-{i}', 'p{1 + (i * 7) % players}', {1 + i % 1000})" for i in range(1, items + 1)],
    )


def settle_script(items: int) -> str:
    return one_transaction_each(
        "PREPARE s(text, text, text, text, bigint) AS SELECT game.bet_settle($1, $2, $3, $4, $5, 'bench');",
        [
            f"s('inq-{i}', 'p{1 + (i - 1) % PLAYERS_OF_SETTLES}', 'inq-{i}-st', "
            f"'{'WIN' if i % 2 == 0 else 'LOSS'}', {2 * (1 + i % 1000) if i % 2 == 0 else 0})"
            for i in range(1, items + 1)
        ],
    )


def deposit_script(items: int, players: int) -> str:
    return one_transaction_each(
        "PREPARE d(text, text, bigint) AS SELECT payments.deposit_create($1, $2, $3, 'SPORTS_NORMAL', true, 'bench');",
        [f"d('ind-{i}', 'p{1 + (i * 7) % players}', {1 + i % 1000})" for i in range(1, items + 1)],
    )


def transfer_script(items: int, players: int) -> str:
    return one_transaction_each(
        "PREPARE t(text, text, bigint) AS SELECT player.transfer_create($1, $2, 'SPORTS_NORMAL', 'CASINO_NORMAL', $3, 'bench');",
        [f"t('int-{i}', 'p{1 + (i * 7) % players}', {1 + i % 100})" for i in range(1, items + 1)],
    )


def tpcb_script(items: int) -> str:
    rnd = random.Random(7)
    out = [
        statements(s)
        for s in (
            "PREPARE u1(int, int) AS UPDATE pgbench_accounts SET abalance = abalance + $2 WHERE aid = $1;",
            "PREPARE s1(int) AS SELECT abalance FROM pgbench_accounts WHERE aid = $1;",
            "PREPARE u2(int, int) AS UPDATE pgbench_tellers SET tbalance = tbalance + $2 WHERE tid = $1;",
            "PREPARE u3(int, int) AS UPDATE pgbench_branches SET bbalance = bbalance + $2 WHERE bid = $1;",
            "PREPARE i1(int, int, int, int) AS INSERT INTO pgbench_history (tid, bid, aid, delta, mtime)"
            " VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP);",
        )
    ]
    for _ in range(items):
        aid, bid = rnd.randint(1, 100_000 * TPCB_SCALE), rnd.randint(1, TPCB_SCALE)
        tid, delta = rnd.randint(1, 10 * TPCB_SCALE), rnd.randint(-5000, 5000)
        out.append(
            f"BEGIN;\n\nEXECUTE u1({aid}, {delta});\n\nEXECUTE s1({aid});\n\nEXECUTE u2({tid}, {delta});\n\n"
            f"EXECUTE u3({bid}, {delta});\n\nEXECUTE i1({tid}, {bid}, {aid}, {delta});\n\nCOMMIT;\n\n"
        )
    return "".join(out)


def prepare(
    cluster: LocalCluster, players: int, items: int, bindir: Path, schema: list[str], deposits: int = 1
) -> None:
    url = cluster.ensure_running()
    migrate(url)
    with psycopg.connect(url, autocommit=True) as conn:
        for f in schema:
            conn.execute(Path(f).read_text())
        conn.execute(
            "SELECT count(payments.open_account('p' || i, 'KRW', 'bench')) FROM generate_series(1, %s) i", (players,)
        )
        conn.execute(
            "SELECT count(payments.deposit_create('seed-' || i || '-' || d, 'p' || i, 1000000000, 'SPORTS_NORMAL', true,"
            " 'bench')) FROM generate_series(1, %s) d, generate_series(1, %s) i",
            (deposits, players),
        )
        conn.execute(f"""DO $b$ BEGIN FOR i IN 1..{items} LOOP
            PERFORM game.bet_authorize('ins-' || i, 'p' || (1 + (i - 1) % {players}), 'SPORTS', 'bench', 1 + i % 1000, 2.0, NULL, 'bench');
            PERFORM game.bet_authorize('inq-' || i, 'p' || (1 + (i - 1) % {PLAYERS_OF_SETTLES}), 'SPORTS', 'bench', 1 + i % 1000, 2.0, NULL, 'bench');
        END LOOP; END $b$""")
    subprocess.run(
        [str(bindir / "pgbench"), "-i", "-s", str(TPCB_SCALE), "-q", cluster.url()],
        check=True,
        capture_output=True,
    )
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")
    cluster.stop()


def instructions(cluster: LocalCluster, bindir: Path, script: str) -> int:
    """Instructions of a single-user backend running `script` on the stopped cluster."""
    cmd = pgctl.as_server_user(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            str(bindir / "postgres"),
            "--single",
            "-j",
            "-D",
            str(cluster.data),
            "-c",
            "shared_preload_libraries=",
            DATABASE,
        ]
    )
    proc = subprocess.run(cmd, input=script, capture_output=True, text=True, check=False)
    errors = [
        line for line in proc.stdout.splitlines() + proc.stderr.splitlines() if re.search(r"\b(ERROR|FATAL):", line)
    ]
    if proc.returncode != 0 or errors:
        raise SystemExit(
            f"bench/instructions: the backend failed ({proc.returncode}): {errors[:3] or proc.stderr[-2000:]}"
        )
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if not found:
        raise SystemExit(f"bench/instructions: no instruction count from valgrind:\n{proc.stderr[-2000:]}")
    return int(found.group(1))


@contextmanager
def throwaway_cluster(prefix: str, keep: bool) -> Iterator[tuple[Path, LocalCluster]]:
    """A LocalCluster in a new temp folder, stopped on the way out and the folder removed (kept,
    and said, with `keep`)."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    cluster = LocalCluster(tmp)
    try:
        yield tmp, cluster
    finally:
        if cluster.running():
            cluster.stop()
        if keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--players", type=int, default=2000, help="seeded players (default 2000)")
    p.add_argument(
        "--items", type=int, default=1000, help="settlements, authorizes and tpcb-like transactions (default 1000)"
    )
    p.add_argument("--load", action="append", default=[], help="an SQL file loaded at the start of every workload")
    p.add_argument(
        "--schema",
        action="append",
        default=[],
        help="an SQL file run once after the migrations, before seeding (a changed table or constraint:"
        " DDL in --load would re-validate tables that grow from one workload to the next)",
    )
    p.add_argument(
        "--workloads",
        default="batch,authorize,tpcb",
        help="which of batch, authorize, settle, deposit, transfer, tpcb to run, in that order"
        " (default batch,authorize,tpcb)",
    )
    p.add_argument(
        "--deposits",
        type=int,
        default=1,
        help="auto-approved deposits seeded per player (default 1); each opens a DEPOSIT obligation, and a"
        " transfer gives a share of every one (bench/run's players hold about 48 after its SQL rows)",
    )
    p.add_argument("--keep", action="store_true", help="keep the temp folder")
    a = p.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("bench/instructions: valgrind is not installed (apt-get install valgrind)")
    bindir = find_bindir()
    loads = "".join(statements(Path(f).read_text()) for f in a.load)
    with throwaway_cluster("ruby-wallet-instructions-", a.keep) as (tmp, cluster):
        print(
            f"preparing {tmp}: {a.players} players ({a.deposits} deposits each), {a.items} bets to settle",
            file=sys.stderr,
            flush=True,
        )
        prepare(cluster, a.players, a.items, bindir, a.schema, a.deposits)
        base = instructions(cluster, bindir, loads + "SELECT 1;\n\n")
        rows = []
        wanted = set(a.workloads.split(","))
        for key, name, script in (
            ("batch", "batch settlement (50 a call)", lambda: batch_script(a.items, a.players)),
            ("authorize", "bet authorize", lambda: authorize_script(a.items, a.players)),
            ("settle", "bet settle (single)", lambda: settle_script(a.items)),
            ("deposit", "deposit auto-approved", lambda: deposit_script(a.items, a.players)),
            ("transfer", "transfer SPORTS -> CASINO", lambda: transfer_script(a.items, a.players)),
            ("tpcb", "tpcb-like (prepared)", lambda: tpcb_script(a.items)),
        ):
            if key not in wanted:
                continue
            total = instructions(cluster, bindir, loads + script())
            rows.append((name, total, (total - base) / a.items))
            print(f"{name}: {total:,} instructions", file=sys.stderr, flush=True)
        tpcb = rows[-1][2] if "tpcb" in wanted else None
        print(
            f"| workload ({a.items:,} items{''.join(f', {k}: ' + ', '.join(v) for k, v in (('schema', a.schema), ('loaded', a.load)) if v)})"
            " | instructions | an item | x tpcb-like |"
        )
        print("|---|---|---|---|")
        print(f"| backend start{' and loads' if loads else ''} (subtracted) | {base:,} | | |")
        for name, total, per in rows:
            print(f"| {name} | {total:,} | {per:,.0f} | {f'{per / tpcb:.2f}x' if tpcb else '-'} |")


if __name__ == "__main__":
    main()
