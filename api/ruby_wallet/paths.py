"""Where the SQL lives: inside the installed package, or beside it in a source checkout."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def sql_root() -> Path:
    """The folder holding migrations/, procedures/ and sql/."""
    installed = _PACKAGE / "_sql"
    if (installed / "migrations").is_dir():
        return installed
    checkout = _PACKAGE.parent.parent
    if (checkout / "migrations").is_dir():
        return checkout
    raise RuntimeError(f"cannot find the wallet's SQL files (looked in {installed} and {checkout})")


def migrations_dir() -> Path:
    return sql_root() / "migrations"


def layers() -> list[str]:
    """The folders of procedures/ in the order they are applied (procedures/layers.txt)."""
    text = (sql_root() / "procedures" / "layers.txt").read_text()
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def procedure_files() -> list[Path]:
    """Function definitions, applied on every migrate: layer by layer, each folder's files in name order."""
    root = sql_root() / "procedures"
    return [path for layer in layers() for path in sorted((root / layer).glob("*.sql"))]


def sql_files() -> list[Path]:
    """Seeds, views and grants (files named NN_*.sql), applied in name order after the procedures."""
    return sorted(p for p in (sql_root() / "sql").glob("[0-9][0-9]_*.sql"))


def bootstrap_file() -> Path:
    return sql_root() / "sql" / "bootstrap.sql"


def error_codes_file() -> Path:
    return sql_root() / "sql" / "error_codes.tsv"


@cache
def code_digest() -> str:
    """Digest of everything migrate re-applies; /readyz compares it with the database's."""
    h = hashlib.sha256()
    for path in [*procedure_files(), error_codes_file(), *sql_files()]:
        h.update(str(path.relative_to(sql_root())).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()
