"""docs/scaling.md's distribution statements are written from ruby_wallet.distribute: every
block between `<!-- distribute: SECTION -->` and `<!-- /distribute -->` is the SQL of that
section's steps, so the page shows exactly what `ruby-wallet distribute` runs.

    python -m tests.support.scaling_doc     rewrite the blocks (scripts/gen-docs runs it)
    (tests/docs/test_scaling_doc.py fails when a block is stale)
"""

from __future__ import annotations

import re
from pathlib import Path

from ruby_wallet import distribute

PAGE = Path(__file__).resolve().parents[2] / "docs" / "scaling.md"
_BLOCK = re.compile(r"(<!-- distribute: (\w+) -->\n)(.*?)(<!-- /distribute -->)", re.S)


def _statements(section: str) -> list[str]:
    steps = distribute.steps()
    if section == "reference":
        return [s.sql for s in steps if s.kind == "reference"]
    if section == "changes":
        return [f"-- {change.why}\n{change.sql}" for change in distribute.ACCOUNT_TABLE_CHANGES]
    if section == "accounts":
        return [s.sql for s in steps if s.kind == "distributed"]
    if section == "functions":
        return [s.sql for s in steps if s.kind == "function"]
    raise KeyError(f"docs/scaling.md names an unknown distribute section {section!r}")


def block(section: str) -> str:
    return "```sql\n" + "\n".join(_statements(section)) + "\n```\n"


def woven(text: str) -> str:
    return _BLOCK.sub(lambda m: m.group(1) + block(m.group(2)) + m.group(4), text)


def sections(text: str) -> list[str]:
    return [m.group(2) for m in _BLOCK.finditer(text)]


if __name__ == "__main__":
    PAGE.write_text(woven(PAGE.read_text()))
    print("docs/scaling.md distribution statements regenerated")
