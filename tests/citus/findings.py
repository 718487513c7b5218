"""What does not work on Citus, by the finding's number in docs/scaling.md ("Running on Citus:
what had to change"), for the tests' xfail reasons.  Every xfail of the tier is strict: when a
finding is fixed, its tests pass, turn red as XPASS, and the marker goes."""

from __future__ import annotations

import pytest

# Every finding the tier failed on (C6, C8–C12, C14–C17, C19, C24, C26, C27) is fixed; a new one
# gets its entry here and a strict xfail on the tests it stops, until it is fixed too.
FINDINGS: dict[str, str] = {}


def finding(*numbers: str):
    """xfail(strict) for the findings that keep a test from passing today."""
    unknown = [n for n in numbers if n not in FINDINGS]
    assert not unknown, unknown
    reason = "; ".join(f"{n}: {FINDINGS[n]}" for n in numbers)
    return pytest.mark.xfail(strict=True, reason=f"Citus finding {reason} (docs/scaling.md)")
