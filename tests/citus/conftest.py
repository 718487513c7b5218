"""The Citus tier: a real Citus 13 cluster (a coordinator and two workers, three private
PostgreSQL servers of ruby_wallet.citus) for the whole session, the wallet migrated and
distributed on it.

The session fixture first runs scripts/citus-build, which does nothing when Citus is installed
and otherwise builds the pinned source once per machine (cached outside the clone) and installs
it.  When Citus cannot be had here (no source, no build tools, no root and no sudo) every test
of this folder is skipped with the reason the script gives; a build that fails is an error.
`RW_CITUS=0` skips the tier on purpose.

One database for the session (a Citus database needs the extension and the node registration
of its own on every node): tests use player ids of their own and reconciliation runs over the
whole database at the end (test_zz_reconciliation.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from ruby_wallet.citus import CitusCluster

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "scripts" / "citus-build"
# Thrown-away clusters, like the single-node test cluster — but every commit is written to the
# WAL before it is answered (synchronous_commit at its default): test_crash.py restarts a worker
# in immediate mode, which loses WAL still in shared memory, never what the OS was handed (no
# fsync is needed while the machine itself stays up).
FAST = {"fsync": "off", "full_page_writes": "off"}


@dataclass
class Citus:
    cluster: CitusCluster
    url: str  # the coordinator, as superuser

    def connect(self, role: str | None = None) -> psycopg.Connection:
        conn = psycopg.connect(self.url, autocommit=True)
        if role:
            conn.execute(f"SET ROLE {role}")
        return conn

    def node_urls(self) -> dict[int, str]:
        return {node.port: node.url() for node in self.cluster.nodes.values()}

    def node_of(self, table: str, key: str) -> int:
        """The port of the node holding the shard of `table` for distribution value `key`."""
        with self.connect() as conn:
            row = conn.execute(
                """SELECT nodeport FROM citus_shards
                    WHERE shardid = get_shard_id_for_distribution_column(%s::regclass, %s::text)""",
                (table, key),
            ).fetchone()
        assert row, (table, key)
        return row[0]


@pytest.fixture(scope="session")
def citus(tmp_path_factory) -> Iterator[Citus]:
    if os.environ.get("RW_CITUS") == "0":
        pytest.skip("Citus tier turned off (RW_CITUS=0)")
    build = subprocess.run(
        [sys.executable, str(BUILD), "--non-interactive"], capture_output=True, text=True, timeout=1800
    )
    if build.returncode == 3:
        reason = build.stderr.strip().splitlines()[-1].removeprefix("citus-build: ")
        pytest.skip(f"no Citus on this machine: {reason}")
    if build.returncode != 0:
        pytest.fail(f"scripts/citus-build failed (exit {build.returncode}):\n{build.stderr}", pytrace=False)
    cluster = CitusCluster(tmp_path_factory.mktemp("citus-home"), server_options=FAST)
    try:
        url = cluster.up()
        yield Citus(cluster, url)
    finally:
        cluster.down()


# -- where a command ran ------------------------------------------------------------------------

_TARGET = re.compile(r"on server \S+@[\d.]+:(\d+)")
_ORIGIN = re.compile(r"from [\d.]+:(\d+)")


@dataclass
class Trace:
    """What Citus reported running for one statement sent to the coordinator
    (citus.log_remote_commands / log_local_commands, relayed from the workers)."""

    coordinator_port: int
    issued: list[tuple[int, int, str]] = field(default_factory=list)  # (from port, to port, command)
    local: list[tuple[int, str]] = field(default_factory=list)  # (port, command run on a local shard)

    @property
    def delegated_to(self) -> int | None:
        """The node the coordinator forwarded the whole function call to, if it did."""
        first = [t for f, t, c in self.issued if f == self.coordinator_port]
        if len(first) == 1 and re.match(r"SELECT \w+\.\w+\(", self.issued[0][2]):
            return first[0]
        return None

    @property
    def nodes(self) -> set[int]:
        """Every node that ran part of the statement."""
        return {t for _, t, _ in self.issued} | {p for p, _ in self.local}

    @property
    def two_phase(self) -> bool:
        return any(c.startswith("PREPARE TRANSACTION") for _, _, c in self.issued)

    def summary(self) -> str:
        return "\n".join(
            [f"{f} -> {t}: {c[:140]}" for f, t, c in self.issued] + [f"{p} local: {c[:140]}" for p, c in self.local]
        )


@pytest.fixture(scope="module")
def traced(citus) -> Iterator[None]:
    """Every node reports the commands it sends and the ones it runs on local shards to the
    session that asked (a coordinator connection relays what its workers report)."""
    settings = ("citus.log_remote_commands", "citus.log_local_commands")

    def apply(value: str | None) -> None:
        for url in citus.node_urls().values():
            with psycopg.connect(url, autocommit=True) as conn:
                for name in settings:
                    conn.execute(f"ALTER SYSTEM SET {name} = on" if value else f"ALTER SYSTEM RESET {name}")
                conn.execute("SELECT pg_reload_conf()")

    apply("on")
    try:
        yield
    finally:
        apply(None)


@contextmanager
def trace(conn: psycopg.Connection, coordinator_port: int) -> Iterator[Trace]:
    """Collect what the statements run on `conn` (a coordinator connection) inside the block
    made Citus do (needs the `traced` fixture)."""
    found = Trace(coordinator_port)

    def on_notice(diag: psycopg.errors.Diagnostic) -> None:
        text = f"{diag.message_primary or ''}\n{diag.message_detail or ''}"
        origin = _ORIGIN.search(diag.message_detail or "")
        source = int(origin.group(1)) if origin else coordinator_port
        primary = (diag.message_primary or "").split("\nDETAIL:")[0]
        if primary.startswith("issuing "):
            target = _TARGET.search(text)
            assert target, text
            found.issued.append((source, int(target.group(1)), primary.removeprefix("issuing ")))
        elif primary.startswith("executing the") and "locally" in primary:
            found.local.append((source, primary))

    conn.add_notice_handler(on_notice)
    try:
        yield found
    finally:
        conn.remove_notice_handler(on_notice)


def insert_api_key(citus: Citus, name: str, scopes: list[str]) -> str:
    """An API key made as `ruby-wallet apikey create` makes it (ops.api_key_create, on the
    coordinator), for the tests that reach the HTTP API."""
    with citus.connect() as conn:
        row = conn.execute("SELECT ops.api_key_create(%s, %s)", (name, sorted(set(scopes)))).fetchone()
    assert row is not None
    return str(row[0])
