"""Every public function (an API schema's or ops') states its contract in its header, on one
line: what it locks, what it raises and what it writes (docs/dba.md's reference shows it)."""

import re

from ruby_wallet import paths

_PUBLIC = re.compile(r"((?:^--[^\n]*\n)*)CREATE OR REPLACE FUNCTION (?!wallet\.)([a-z]+\.[a-z_][a-z0-9_]*)\(", re.M)
_CONTRACT = re.compile(r"^-- Locks: .+\.  Raises: .+\.  Writes: .+\.$", re.M)


def test_every_public_function_says_what_it_locks_raises_and_writes():
    missing = [
        f"{name} ({path.relative_to(paths.sql_root())})"
        for path in paths.procedure_files()
        for comment, name in _PUBLIC.findall(path.read_text())
        if not _CONTRACT.search(comment)
    ]
    assert missing == []
