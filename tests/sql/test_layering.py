"""The layers of procedures/ (procedures/layers.txt) hold in the database: core calls no domain
function; a domain calls core, itself, and exactly the other domains the "Layers" picture of
docs/architecture.md shows it calling.  Read from the catalog: every function's source, with
the file (so the layer) that defines it from procedures/."""

import re
from collections import defaultdict
from pathlib import Path

from ruby_wallet import paths
from ruby_wallet.migrate import CODE_SCHEMAS

ROOT = Path(__file__).resolve().parents[2]
_DEFINED = re.compile(r"CREATE OR REPLACE FUNCTION ([a-z_]+\.[a-z_][a-z0-9_]*)\(")
_CALLED = re.compile(r"\b((?:" + "|".join(CODE_SCHEMAS) + r")\.[a-z_][a-z0-9_]*)\s*\(")
_EDGE = re.compile(r"^\s*(\w+)\s*-->\s*(\w+)\s*$", re.M)


def layer_of() -> dict[str, str]:
    """Function (schema.name) -> the folder of procedures/ that defines it."""
    found = {}
    for path in paths.procedure_files():
        for name in _DEFINED.findall(path.read_text()):
            found[name] = path.parent.name
    return found


def calls(db) -> dict[str, set[str]]:
    """Function -> the wallet functions its source calls (from pg_proc.prosrc)."""
    rows = db.execute(
        """SELECT format('%%s.%%s', pronamespace::regnamespace, proname), prosrc FROM pg_proc
            WHERE pronamespace::regnamespace::text = ANY (%s)
              AND prorettype <> 'trigger'::regtype  -- trigger functions belong to the migrations of their triggers""",
        (list(CODE_SCHEMAS),),
    ).fetchall()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, source in rows:
        graph[name] |= set(_CALLED.findall(source)) - {name}
    return graph


def pictured_edges() -> set[tuple[str, str]]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    block = text.split("<!-- layers -->", 1)[1].split("```", 2)[1]
    return set(_EDGE.findall(block))


def observed_edges(db) -> dict[tuple[str, str], set[str]]:
    layers = layer_of()
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    for caller, callees in calls(db).items():
        for callee in callees:
            if callee not in layers:
                continue  # a builtin that happens to look qualified (none today)
            a, b = layers[caller], layers[callee]
            if a != b and b != "core":
                edges[(a, b)].add(f"{caller} -> {callee}")
    return edges


def test_every_function_comes_from_a_layer_file(db):
    defined = set(layer_of())
    in_catalog = set(calls(db))
    assert in_catalog - defined == set(), "functions in the database that no file of procedures/ defines"
    assert set(paths.layers()) == {p.name for p in (ROOT / "procedures").iterdir() if p.is_dir()}


def test_core_calls_no_domain(db):
    layers = layer_of()
    wrong = {
        f"{caller} -> {callee}"
        for caller, callees in calls(db).items()
        if layers.get(caller) == "core"
        for callee in callees
        if layers.get(callee) not in ("core", None)
    }
    assert wrong == set()


def test_domains_call_what_the_picture_shows(db):
    observed = observed_edges(db)
    pictured = pictured_edges()
    unpictured = {edge: sorted(why)[:3] for edge, why in observed.items() if edge not in pictured}
    assert unpictured == {}, "calls between domains that docs/architecture.md's Layers picture does not show"
    assert pictured - set(observed) == set(), "edges the picture shows that no function makes any more"


def test_a_layer_calls_only_layers_applied_before_it(db):
    order = {name: i for i, name in enumerate(paths.layers())}
    backwards = {edge for edge in observed_edges(db) if order[edge[1]] > order[edge[0]]}
    assert backwards == set(), "a domain calls one applied after it (procedures/layers.txt)"
