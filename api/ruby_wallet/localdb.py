"""The private PostgreSQL cluster `ruby-wallet` runs when DATABASE_URL is unset.

It lives in `<data folder>/pg/` (the data folder is $RUBY_WALLET_HOME, default ./.ruby-wallet):
`data/` is the cluster, `port` the port it was given, `superuser.password` and
`api.password` the generated credentials (mode 0600), `postgres.log` the server log.  It
listens on 127.0.0.1 only and asks for passwords (scram-sha-256).  A cluster that is already
running is reused and left running; one started here is stopped again by `stop()`.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from ruby_wallet import pgctl

SUPERUSER = "postgres"
DATABASE = "ruby_wallet"
API_ROLE = "wallet_api"


class ServerBinariesMissing(SystemExit):
    pass


def find_bindir() -> Path:
    """PostgreSQL's server binaries: $PG_BINDIR, `pg_config --bindir`, PATH, /usr/lib/postgresql/*/bin."""
    candidates: list[Path] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True).stdout
            candidates.append(Path(out.strip()))
        except (OSError, subprocess.CalledProcessError):
            pass
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    versioned = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)
    candidates.extend(Path(p) for p in versioned)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise ServerBinariesMissing(
        "ruby-wallet: no PostgreSQL server binaries found (looked at $PG_BINDIR, pg_config --bindir, PATH and "
        "/usr/lib/postgresql/*/bin).\n"
        "  Debian/Ubuntu: sudo apt-get install postgresql   (then run the command again)\n"
        "  Or point DATABASE_URL at a PostgreSQL server you already have."
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def secret_file(path: Path) -> str:
    if not path.exists():
        path.write_text(secrets.token_hex(24))
        path.chmod(0o600)
    return path.read_text().strip()


class LocalCluster:
    """The cluster in `<home>/<folder>/` (default `pg`); `server_options` are extra `-c name=value`
    settings given to the server at every start (e.g. shared_preload_libraries)."""

    def __init__(self, home: Path, *, folder: str = "pg", server_options: dict[str, str] | None = None):
        self.root = (home / folder).resolve()
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.server_options = dict(server_options or {})
        self.started_here = False

    # -- state -------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int((self.root / "port").read_text())

    def initialized(self) -> bool:
        return (self.data / "PG_VERSION").is_file()

    def running(self) -> bool:
        if not self.initialized():
            return False
        bindir = find_bindir()
        result = subprocess.run(
            pgctl.as_server_user([str(bindir / "pg_ctl"), "status", "-D", str(self.data)]), capture_output=True
        )
        return result.returncode == 0

    def url(self, dbname: str = DATABASE) -> str:
        """Superuser connection: migrations, API keys, reconciliation."""
        return make_conninfo(
            host="127.0.0.1",
            port=self.port,
            dbname=dbname,
            user=SUPERUSER,
            password=secret_file(self.root / "superuser.password"),
        )

    def api_url(self) -> str:
        """The API's own login, which is the wallet_api role."""
        return make_conninfo(
            host="127.0.0.1",
            port=self.port,
            dbname=DATABASE,
            user=API_ROLE,
            password=secret_file(self.root / "api.password"),
        )

    # -- lifecycle ---------------------------------------------------------------------------
    def ensure_running(self) -> str:
        """Initialize (first time) and start the cluster unless it runs; return its superuser URL."""
        bindir = find_bindir()
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        if not self.initialized():
            self._initdb(bindir)
        if not self.running():
            self._start(bindir)
        self._ensure_database()
        return self.url()

    def _ensure_database(self) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))

    def _initdb(self, bindir: Path) -> None:
        password = secret_file(self.root / "superuser.password")
        pgctl.hand_over(self.root)
        pwfile = self.root / "initdb.pw"
        pwfile.write_text(password + "\n")
        try:
            if pgctl.running_as_root():
                user = pgctl.server_user()
                os.chown(pwfile, user.pw_uid, user.pw_gid)
            pwfile.chmod(0o600)
            subprocess.run(
                pgctl.as_server_user(
                    [
                        str(bindir / "initdb"),
                        "-D",
                        str(self.data),
                        "-U",
                        SUPERUSER,
                        "--auth=scram-sha-256",
                        f"--pwfile={pwfile}",
                        "-E",
                        "UTF8",
                        # Text compares byte by byte (the same order as C.UTF-8's for UTF-8
                        # text, through memcmp instead of the locale): every key of the wallet is
                        # text (docs/adr/0007-byte-order-collation.md).
                        "--locale=C.UTF-8",
                        "--lc-collate=C",
                    ]
                ),
                check=True,
                capture_output=True,
                text=True,
            )
        except subprocess.CalledProcessError as exc:
            raise SystemExit(f"ruby-wallet: initdb failed:\n{exc.stdout}\n{exc.stderr}") from None
        finally:
            pwfile.unlink(missing_ok=True)

    def _start(self, bindir: Path) -> None:
        port_file = self.root / "port"
        port = int(port_file.read_text()) if port_file.exists() else _free_port()
        if _port_in_use(port):
            port = _free_port()
        port_file.write_text(str(port))
        options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{self.root}'"
        options += "".join(f" -c {name}={value}" for name, value in self.server_options.items())
        pgctl.hand_over(self.root)
        result = subprocess.run(
            pgctl.as_server_user(
                [
                    str(bindir / "pg_ctl"),
                    "start",
                    "-w",
                    "-t",
                    "60",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.log),
                    "-o",
                    options,
                ]
            ),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            tail = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise SystemExit(f"ruby-wallet: PostgreSQL did not start:\n{result.stdout}{result.stderr}\n{tail}")
        self.started_here = True
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self.url("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def grant_api_login(self) -> None:
        """Let wallet_api log in with its generated password (the roles exist after migrate)."""
        password = secret_file(self.root / "api.password")
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("ALTER ROLE wallet_api LOGIN PASSWORD {}").format(sql.Literal(password)))

    def stop(self) -> None:
        bindir = find_bindir()
        subprocess.run(
            pgctl.as_server_user([str(bindir / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.data)]),
            capture_output=True,
        )
        self.started_here = False
