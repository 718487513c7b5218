"""Running PostgreSQL server programs from a root shell.

PostgreSQL refuses to run as root.  When this process is root, server programs (initdb,
pg_ctl, postgres) run as the `postgres` OS user through `runuser`, and the folders they use are
handed to that user: the data folder's parent becomes theirs and every folder above it gets
o+x (traverse only, nothing listed or read).  As any other user nothing changes.

`python -m ruby_wallet.pgctl /path/to/pg_ctl ARGS…` is the wrapper the test suite gives
pytest-postgresql as its pg_ctl.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import sys
from pathlib import Path

SERVER_USER = "postgres"


def running_as_root() -> bool:
    return os.geteuid() == 0


def server_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise SystemExit(
            "ruby-wallet: running as root, PostgreSQL must run as another user, and there is no "
            f"'{SERVER_USER}' OS user. Install the server (apt-get install postgresql) or run as a normal user."
        ) from None


def hand_over(folder: Path) -> None:
    """Make `folder` (created if missing) usable by the server user when we are root."""
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    if not running_as_root():
        return
    user = server_user()
    os.chown(folder, user.pw_uid, user.pw_gid)
    for parent in folder.parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            os.chmod(parent, mode | stat.S_IXOTH)


def as_server_user(argv: list[str]) -> list[str]:
    """The command line that runs `argv` as the server user (unchanged when not root)."""
    if not running_as_root():
        return argv
    server_user()
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return [runuser, "-u", SERVER_USER, "--", *argv]


def _folders_named_in(args: list[str]) -> list[Path]:
    """The data folder (-D/--pgdata) and log file's folder (-l/--log) of a pg_ctl command line."""
    found = []
    for i, arg in enumerate(args):
        for flag in ("-D", "--pgdata", "-l", "--log"):
            if arg == flag and i + 1 < len(args):
                value = Path(args[i + 1])
            elif arg.startswith(flag + "="):
                value = Path(arg.split("=", 1)[1])
            else:
                continue
            found.append(value.resolve().parent)
    return found


def main(argv: list[str]) -> None:
    if len(argv) < 1:
        raise SystemExit("usage: python -m ruby_wallet.pgctl /path/to/pg_ctl ARGS...")
    pg_ctl, args = argv[0], argv[1:]
    for folder in _folders_named_in(args):
        hand_over(folder)
    command = as_server_user([pg_ctl, *args])
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
