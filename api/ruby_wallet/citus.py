"""A local Citus cluster for development and the test suite: a coordinator and two workers.

    python -m ruby_wallet.citus up|down|status      (what `./dev citus up|down|status` runs)

Three private clusters of ruby_wallet.localdb.LocalCluster under `$RUBY_WALLET_HOME/citus/`
(`coordinator/`, `worker1/`, `worker2/`), each with `shared_preload_libraries = citus`, on
127.0.0.1 only, as the `postgres` OS user when run as root.  `up` creates the extension on
each, registers the workers with the coordinator, lets Citus log in between nodes as every
wallet role, migrates the wallet on the coordinator, distributes it (ruby_wallet.distribute)
and prints the coordinator's DATABASE_URL; a second `up` changes nothing.  `down` stops the
three servers and removes their folder.

It needs the Citus extension installed for the server (`scripts/citus-build` builds it from the
pinned source when it is not, `./dev citus up` runs it); it installs nothing itself.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

from ruby_wallet import paths
from ruby_wallet.localdb import API_ROLE, DATABASE, SUPERUSER, LocalCluster, secret_file

NODES = ("coordinator", "worker1", "worker2")
HOST = "127.0.0.1"
SERVER_OPTIONS = {"shared_preload_libraries": "citus", "max_connections": "200"}
WALLET_ROLES = r"wallet\_%"  # the roles bootstrap.sql creates (LIKE pattern)


class CitusUnavailable(SystemExit):
    pass


class CitusCluster:
    """`server_options` are extra settings for all three servers (the tests turn fsync off)."""

    def __init__(self, home: Path, *, server_options: dict[str, str] | None = None):
        self.root = (home / "citus").resolve()
        options = {**SERVER_OPTIONS, **(server_options or {})}
        self.nodes = {name: LocalCluster(self.root, folder=name, server_options=options) for name in NODES}

    @property
    def coordinator(self) -> LocalCluster:
        return self.nodes["coordinator"]

    @property
    def workers(self) -> list[LocalCluster]:
        return [self.nodes[name] for name in NODES[1:]]

    def _password(self) -> str:
        # Traversable (the servers' folders are inside), not listable; the secrets are 0600.
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o711)
        return secret_file(self.root / "superuser.password")

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Initialize (first time) and start the three servers, with one superuser password,
        and create the extension in the wallet database of each."""
        password = self._password()
        for node in self.nodes.values():
            node.root.mkdir(parents=True, exist_ok=True)
            node.root.chmod(0o700)
            secret = node.root / "superuser.password"
            if not secret.exists():
                secret.write_text(password)
                secret.chmod(0o600)
        try:
            for node in self.nodes.values():
                node.ensure_running()
            for node in self.nodes.values():
                with psycopg.connect(node.url(), autocommit=True) as conn:
                    if not conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'citus'").fetchone():
                        raise CitusUnavailable(
                            "ruby-wallet citus: this PostgreSQL has no Citus extension (CREATE EXTENSION citus is not "
                            "available); run scripts/citus-build (./dev citus up does), or install Citus from its packages"
                        )
                    conn.execute("CREATE EXTENSION IF NOT EXISTS citus")
                    _authinfo(conn, SUPERUSER, password)
        except BaseException:
            self.stop()
            raise

    def register_workers(self) -> None:
        with psycopg.connect(self.coordinator.url(), autocommit=True) as conn:
            conn.execute("SELECT citus_set_coordinator_host(%s, %s)", (HOST, self.coordinator.port))
            known = {port for (port,) in conn.execute("SELECT nodeport FROM pg_dist_node").fetchall()}
            for worker in self.workers:
                if worker.port not in known:
                    conn.execute("SELECT citus_add_node(%s, %s)", (HOST, worker.port))

    def _role_password(self, role: str) -> str:
        if role == API_ROLE:  # the API's own login keeps the password LocalCluster gave it
            return secret_file(self.coordinator.root / "api.password")
        return secret_file(self.root / f"{role}.password")

    def grant_node_logins(self) -> list[str]:
        """Let Citus connect between nodes as every wallet role.

        Citus opens its connections to other nodes as the current user: after `SET ROLE`,
        inside a SECURITY DEFINER function, or with `-c role=wallet_owner` (migrate), that is a
        NOLOGIN role, and the connection fails (`connection to the remote node
        wallet_owner@127.0.0.1:… failed with the following error: fe_sendauth: no password
        supplied`; with a password, `role "wallet_owner" is not permitted to log in`).  Each
        wallet role gets LOGIN and a generated password (Citus propagates ALTER ROLE to the
        workers), and every node holds the passwords in pg_dist_authinfo (node 0: any node).
        """
        with psycopg.connect(self.coordinator.url(), autocommit=True) as conn:
            roles = [
                r
                for (r,) in conn.execute(
                    "SELECT rolname FROM pg_roles WHERE rolname LIKE %s ORDER BY 1", (WALLET_ROLES,)
                )
            ]
            for role in roles:
                conn.execute(
                    sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
                        sql.Identifier(role), sql.Literal(self._role_password(role))
                    )
                )
        for node in self.nodes.values():
            with psycopg.connect(node.url(), autocommit=True) as conn:
                for role in roles:
                    _authinfo(conn, role, self._role_password(role))
        return roles

    def up(self) -> str:
        """Start, register, migrate and distribute; return the coordinator's superuser URL."""
        from ruby_wallet.distribute import distribute
        from ruby_wallet.migrate import migrate

        self.start()
        self.register_workers()
        url = self.coordinator.url()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(paths.bootstrap_file().read_text())  # the roles, before anything runs as them
        self.grant_node_logins()
        for line in migrate(url).lines():
            print(f"ruby-wallet migrate: {line}", file=sys.stderr)
        self.coordinator.grant_api_login()
        self.grant_node_logins()  # roles the migrations created, and wallet_api's new password
        for line in distribute(url).lines():
            print(f"ruby-wallet distribute: {line}", file=sys.stderr)
        return url

    def coordinator_uri(self) -> str:
        """The coordinator's superuser URL as a postgresql:// URI (what DATABASE_URL holds)."""
        password = quote(secret_file(self.coordinator.root / "superuser.password"), safe="")
        return f"postgresql://{SUPERUSER}:{password}@{HOST}:{self.coordinator.port}/{DATABASE}"

    def running(self) -> dict[str, bool]:
        return {name: node.running() for name, node in self.nodes.items()}

    def stop(self) -> None:
        for node in self.nodes.values():
            if node.initialized() and node.running():
                node.stop()

    def down(self) -> None:
        """Stop the three servers and remove their folder; refuses to remove a running one."""
        self.stop()
        still = [name for name, up in self.running().items() if up]
        if still:
            raise SystemExit(f"ruby-wallet citus: could not stop {', '.join(still)}; nothing removed")
        shutil.rmtree(self.root, ignore_errors=True)

    def status(self) -> list[str]:
        lines = []
        for name, node in self.nodes.items():
            if not node.initialized():
                lines.append(f"{name}: not created")
            elif node.running():
                lines.append(f"{name}: running on {HOST}:{node.port} (data in {node.root})")
            else:
                lines.append(f"{name}: stopped (data in {node.root})")
        return lines


def _authinfo(conn: psycopg.Connection, role: str, password: str) -> None:
    conn.execute(
        """INSERT INTO pg_dist_authinfo (nodeid, rolename, authinfo) VALUES (0, %s, %s)
           ON CONFLICT (nodeid, rolename) DO UPDATE SET authinfo = excluded.authinfo""",
        (role, f"password={password}"),
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ("up", "down", "status"):
        print("usage: python -m ruby_wallet.citus up|down|status", file=sys.stderr)
        return 2
    cluster = CitusCluster(Path(os.environ.get("RUBY_WALLET_HOME", ".ruby-wallet")))
    if argv[0] == "up":
        cluster.up()
        print(f"ruby-wallet citus: a coordinator and 2 workers are up (data in {cluster.root})", file=sys.stderr)
        print(f"DATABASE_URL={cluster.coordinator_uri()}")
    elif argv[0] == "down":
        cluster.down()
        print(f"ruby-wallet citus: stopped, {cluster.root} removed", file=sys.stderr)
    else:
        for line in cluster.status():
            print(line)
        if cluster.coordinator.initialized() and cluster.coordinator.running():
            with psycopg.connect(cluster.coordinator.url(), autocommit=True) as conn:
                for name, port, group in conn.execute(
                    "SELECT nodename, nodeport, groupid FROM pg_dist_node ORDER BY groupid"
                ):
                    print(f"  node {name}:{port} group {group}{' (coordinator)' if group == 0 else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
