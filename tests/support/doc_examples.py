"""Executable documentation: the examples under docs/examples/ run against a fresh migrated
database and their outputs are committed next to them, so the docs cannot drift from the code.

- docs/examples/sql/NN-name.sql   a psql session (run as written, through psql -a) → NN-name.out
- docs/examples/http/NN-name.http requests to the real app (Litestar TestClient) → NN-name.out;
  after the request line, `Scope: name` sends that scope's API key, `Save: field` keeps the
  answer's field for later requests, any other `Name: value` line is a header, and `{field}` in a
  path or header is a field saved before (the casino adapter's session token: docs/casino.md).
  Decimal numbers in bodies and answers are shown exactly as sent.
- Markdown pages in docs/ include outputs between `<!-- example: http/NN-name.out -->` and
  `<!-- /example -->` markers.

Volatile values (timestamps, API keys) are normalised.  Each example file runs in a database of
its own, so ids are the same on every run.

    python -m tests.support.doc_examples     regenerate every .out file and every included block
    (tests/docs/test_docs_examples.py compares what is committed with what the code produces)
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
SCOPES = ("game", "payments", "promotion", "player", "admin", "events", "casino")

_VOLATILE = [
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}(:\d{2})?|Z)?"), "<timestamp>"),
    (re.compile(r"rw_[0-9a-f]{12}_[0-9a-f]{64}"), "<api key>"),
    (re.compile(r"\b[0-9a-f]{40}\b"), "<session token>"),
    (re.compile(r"^psql:\S*/([^/:]+):(\d+): ", re.M), r"psql:\1:\2: "),
]
_INCLUDE = re.compile(r"(<!-- example: ([\w/.-]+) -->\n)(.*?)(<!-- /example -->)", re.S)
_REFERENCE = re.compile(r"(<!-- reference: functions -->\n)(.*?)(<!-- /reference -->)", re.S)
# A public function: one of an API schema (or ops), never a `wallet._helper`.
_FUNCTION = re.compile(
    r"((?:^--[^\n]*\n)+)CREATE OR REPLACE FUNCTION (?!wallet\.)([a-z]+)\.([a-z][a-z_]*)\(([^)]*)\)", re.M
)


def normalise(text: str) -> str:
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def example_files() -> list[Path]:
    return sorted([*EXAMPLES.glob("sql/*.sql"), *EXAMPLES.glob("http/*.http")])


def output_of(example: Path) -> Path:
    return example.with_suffix(".out")


# -- SQL ---------------------------------------------------------------------------------------


def run_sql(example: Path, db_url: str) -> str:
    from ruby_wallet.localdb import find_bindir

    proc = subprocess.run(
        [str(find_bindir() / "psql"), "-X", "-a", "-v", "ON_ERROR_STOP=0", "-f", str(example), db_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )
    return normalise(proc.stdout)


# -- HTTP --------------------------------------------------------------------------------------


@dataclass
class Request:
    title: str
    method: str
    path: str
    scope: str | None
    body: object | None
    headers: list[tuple[str, str]] = field(default_factory=list)
    save: list[str] = field(default_factory=list)


_DECIMAL = re.compile('"\ue000(-?[0-9.eE+-]+)\ue000"')


def to_json(value: object, **kw: object) -> str:
    """JSON text of a parsed body or answer, decimals written with the digits they came with."""

    def mark(o: object) -> str:
        if isinstance(o, Decimal):
            return f"\ue000{o}\ue000"  # a private-use mark, unquoted again below
        raise TypeError(type(o))

    return _DECIMAL.sub(r"\1", json.dumps(value, default=mark, ensure_ascii=False, **kw))


def parse_http(text: str) -> tuple[str, list[Request]]:
    """`### title` / `METHOD /path` / optional `Scope:`, `Save:` and header lines / optional JSON body."""
    intro, *blocks = re.split(r"^### ", text, flags=re.M)
    requests = []
    for block in blocks:
        title, _, rest = block.partition("\n")
        lines = rest.strip("\n").splitlines()
        method, path = lines[0].split(None, 1)
        request = Request(title.strip(), method.upper(), path.strip(), None, None)
        body_lines = lines[1:]
        while body_lines and re.match(r"^[A-Za-z][A-Za-z0-9-]*: ", body_lines[0]):
            name, _, value = body_lines.pop(0).partition(": ")
            if name == "Scope":
                request.scope = value.strip()
            elif name == "Save":
                request.save.append(value.strip())
            else:
                request.headers.append((name, value.strip()))
        body_text = "\n".join(body_lines).strip()
        request.body = json.loads(body_text, parse_float=Decimal) if body_text else None
        requests.append(request)
    return intro, requests


def run_http(example: Path, db_url: str) -> str:
    from litestar.testing import TestClient

    from ruby_wallet.app import create_app

    intro, requests = parse_http(example.read_text())
    # The casino scope's key only where an example calls the adapter, so the others' audit
    # ids stay as they are.
    scopes = [s for s in SCOPES if s != "casino" or any(r.scope == "casino" for r in requests)]
    with psycopg.connect(db_url, autocommit=True) as conn:
        keys = {
            s: conn.execute("SELECT ops.api_key_create(%s, %s)", (f"{s}-service", [s])).fetchone()[0] for s in scopes
        }
    out = [intro.rstrip() + "\n"] if intro.strip() else []
    saved: dict[str, str] = {}
    with TestClient(app=create_app(db_url, pool_min=0, pool_max=2)) as client:
        for r in requests:
            headers = {"Authorization": f"Bearer {keys[r.scope]}"} if r.scope else {}
            headers.update({name: value.format(**saved) for name, value in r.headers})
            path = r.path.format(**saved)
            if r.body is not None:
                headers["Content-Type"] = "application/json"
                response = client.request(r.method, path, content=to_json(r.body).encode(), headers=headers)
            else:
                response = client.request(r.method, path, headers=headers)
            shown = [f"### {r.title}", f"{r.method} {path}"]
            if r.scope:
                shown.append(f"Authorization: Bearer <{r.scope} key>")
            shown.extend(f"{name}: {value.format(**saved)}" for name, value in r.headers)
            if r.body is not None:
                shown.append(to_json(r.body))
            shown.append("")
            shown.append(f"HTTP {response.status_code}")
            try:
                answer = json.loads(response.content, parse_float=Decimal)
                shown.append(to_json(answer, indent=2))
            except ValueError:
                shown.append(response.text)
            for name in r.save:
                saved[name] = answer[name]
            out.append("\n".join(shown) + "\n")
    return normalise("\n".join(out))


def run_example(example: Path, db_url: str) -> str:
    return run_sql(example, db_url) if example.suffix == ".sql" else run_http(example, db_url)


# -- Markdown includes ---------------------------------------------------------------------------


def woven(page: Path, outputs: dict[str, str]) -> str:
    """The page with every included example block replaced by the example's output."""

    def fill(m: re.Match) -> str:
        name = m.group(2)
        if name not in outputs:
            raise KeyError(f"{page.name} includes {name}, which no example produces")
        fence = "sql" if name.startswith("sql/") else "http"
        return f"{m.group(1)}```{fence}\n{outputs[name].rstrip()}\n```\n{m.group(4)}"

    text = _INCLUDE.sub(fill, page.read_text())
    return _REFERENCE.sub(lambda m: f"{m.group(1)}{function_reference()}{m.group(3)}", text)


def pages() -> list[Path]:
    return sorted(
        p for p in DOCS.rglob("*.md") if "<!-- example:" in p.read_text() or "<!-- reference:" in p.read_text()
    )


def function_reference() -> str:
    """Every public function (the API schemas and ops) with its arguments and the contract its
    header comment states (what it locks, raises and writes), from procedures/, in layer order."""
    from ruby_wallet import paths

    rows = []
    for path in paths.procedure_files():
        for comment, schema, name, args in _FUNCTION.findall(path.read_text()):
            lines = (line.lstrip("-").strip() for line in comment.strip().splitlines())
            text = " ".join(line for line in lines if line.strip("-"))  # not the ---- separators
            arguments = ", ".join(
                a.strip().split(" DEFAULT ")[0] + (" = …" if " DEFAULT " in a else "")
                for a in args.replace("\n", " ").split(",")
                if a.strip()
            )
            where = path.relative_to(paths.sql_root() / "procedures")
            rows.append(f"| `{schema}.{name}({arguments})` | {text} | `{where}` |")
    return "| function | contract | file |\n|---|---|---|\n" + "\n".join(rows) + "\n"


# -- regenerate -------------------------------------------------------------------------------


def _regenerate() -> None:
    from ruby_wallet.localdb import LocalCluster
    from ruby_wallet.migrate import migrate

    with tempfile.TemporaryDirectory(prefix="ruby-wallet-docs-") as home:
        cluster = LocalCluster(Path(home))
        url = cluster.ensure_running()
        try:
            migrate(url)
            template = conninfo_to_dict(url)["dbname"]
            outputs = {}
            with psycopg.connect(cluster.url("postgres"), autocommit=True) as admin:
                for i, example in enumerate(example_files()):
                    name = f"example_{i}"
                    admin.execute(
                        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
                    )
                    text = run_example(example, make_conninfo(url, dbname=name))
                    output_of(example).write_text(text)
                    outputs[str(output_of(example).relative_to(EXAMPLES))] = text
                    print(f"wrote {output_of(example).relative_to(ROOT)}")
            for page in pages():
                page.write_text(woven(page, outputs))
                print(f"wove {page.relative_to(ROOT)}")
        finally:
            cluster.stop()


if __name__ == "__main__":
    sys.exit(_regenerate())
