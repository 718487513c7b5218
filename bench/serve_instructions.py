"""What the API's own process spends on a request, in instructions counted by callgrind: a figure
that does not move with the machine's load, for comparing two versions of the serving code
(docs/benchmarks.md, "Twelfth session").  The database's side is bench/instructions'.

    bench/serve_instructions                 # bet authorize + settle pairs through POST /v1/bets, .../settle
    bench/serve_instructions --pairs 500     # more pairs (default 300)

A throwaway cluster (ruby_wallet.localdb.LocalCluster) is migrated and seeded (--players, each
with a deposit) and an API key with scope game is made.  Then `ruby-wallet serve --workers 1`
runs under `valgrind --tool=callgrind` twice, as a user starts it (DATABASE_URL only): once
answering a warm-up of 20 pairs, once the warm-up and --pairs more, each pair a bet authorize and
its settlement (WIN 2x) sent one after the other on one kept-alive connection by a client outside
valgrind.  The difference of the two totals over the requests of the second is the figure: the
process's start, imports and stop, and the warm-up's first-use costs, cancel out.  Runs of the
same code agree to about 1%.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from instructions import throwaway_cluster  # bench/instructions.py, beside this file

from ruby_wallet.localdb import _free_port, _port_in_use
from ruby_wallet.migrate import migrate

VENV_BIN = Path(sys.executable).parent
WARM_UP = 20


def _pairs(port: int, key: str, tag: str, count: int, players: int) -> None:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for i in range(count):
        player = f"p{1 + i % players}"
        bet = {"bet_id": f"{tag}-{i}", "player_id": player, "provider_type": "SPORTS", "provider_id": "bench"}
        conn.request("POST", "/v1/bets", json.dumps(bet | {"stake": 100, "odds": "2.0"}), headers)
        answer = conn.getresponse()
        answer.read()
        if answer.status != 201:
            raise SystemExit(f"bench/serve_instructions: authorize answered {answer.status}")
        settle = {"player_id": player, "settlement_id": f"{tag}-{i}-st", "result": "WIN", "payout": 200}
        conn.request("POST", f"/v1/bets/{tag}-{i}/settle", json.dumps(settle), headers)
        answer = conn.getresponse()
        answer.read()
        if answer.status != 200:
            raise SystemExit(f"bench/serve_instructions: settle answered {answer.status}")
    conn.close()


def _served(url: str, key: str, tag: str, pairs: int, players: int) -> int:
    """Instructions of one serve process answering the warm-up and `pairs` more pairs."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUBY_WALLET_")} | {"DATABASE_URL": url}
    out = tempfile.NamedTemporaryFile(prefix="serve-instructions-", suffix=".log", delete=False)
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", str(VENV_BIN / "ruby-wallet")]
    cmd += ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    server = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        while not _port_in_use(port):
            if server.poll() is not None or time.monotonic() > deadline:
                log = Path(out.name).read_text()[-2000:]
                raise SystemExit(f"bench/serve_instructions: serve did not start: {log}")
            time.sleep(0.5)
        _pairs(port, key, f"{tag}-warm", WARM_UP, players)
        _pairs(port, key, tag, pairs, players)
    finally:
        server.send_signal(2)
        server.wait(timeout=300)
    text = Path(out.name).read_text()
    os.unlink(out.name)
    found = re.findall(r"Collected : (\d+)", text)
    if not found:
        raise SystemExit(f"bench/serve_instructions: no instruction count from valgrind:\n{text[-2000:]}")
    return int(found[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pairs", type=int, default=300, help="authorize + settle pairs counted (default 300)")
    p.add_argument("--players", type=int, default=200, help="seeded players (default 200)")
    p.add_argument("--keep", action="store_true", help="keep the temp folder")
    a = p.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("bench/serve_instructions: valgrind is not installed (apt-get install valgrind)")
    with throwaway_cluster("ruby-wallet-serve-instructions-", a.keep) as (_, cluster):
        url = cluster.ensure_running()
        migrate(url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "SELECT count(payments.open_account('p' || i, 'KRW', 'bench')) FROM generate_series(1, %s) i",
                (a.players,),
            )
            conn.execute(
                "SELECT count(payments.deposit_create('seed-' || i, 'p' || i, 1000000000, 'SPORTS_NORMAL', true,"
                " 'bench')) FROM generate_series(1, %s) i",
                (a.players,),
            )
            key = conn.execute("SELECT ops.api_key_create('bench', ARRAY['game'])").fetchone()[0]
        tag = f"si{time.time_ns()}"
        base = _served(url, key, f"{tag}a", 0, a.players)
        total = _served(url, key, f"{tag}b", a.pairs, a.players)
        requests = 2 * a.pairs
        print(f"| serve (1 worker), {requests:,} requests | instructions | a request |")
        print("|---|---|---|")
        print(f"| start, warm-up and stop (subtracted) | {base:,} | |")
        print(f"| bet authorize + settle pairs | {total:,} | {(total - base) / requests:,.0f} |")


if __name__ == "__main__":
    main()
