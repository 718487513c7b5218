"""Connection strings."""

from __future__ import annotations

from psycopg.conninfo import conninfo_to_dict, make_conninfo


def with_role(database_url: str, role: str, **extra: str) -> str:
    """The same connection, acting as `role` from the first statement (libpq `options`)."""
    params = conninfo_to_dict(database_url)
    options = params.get("options") or ""
    params["options"] = f"{options} -c role={role}".strip()
    params.update(extra)
    return make_conninfo("", **params)
