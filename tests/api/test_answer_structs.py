"""Each route's response Struct lives next to the route, and the header of the SQL function the
route calls names it (`-- Answers (HTTP): ruby_wallet.routes.<module>.<Struct>.`): a reader of
either side finds the other.  Read from the route modules (which query each handler calls and
which Struct its `responses` documents), api/ruby_wallet/queries.sql and procedures/."""

import ast
import importlib
import re
from pathlib import Path

import msgspec

from ruby_wallet import paths
from ruby_wallet.db import queries

ROUTES = Path(importlib.import_module("ruby_wallet.routes").__file__).parent
_HEADER = re.compile(r"((?:^--[^\n]*\n)+)CREATE OR REPLACE FUNCTION ([a-z]+\.[a-z_]+)\(", re.M)
_ANSWERS = re.compile(r"-- Answers \(HTTP\): ([^\n]*)\.\n")


def route_answers() -> dict[str, set[str]]:
    """SQL function -> the response Structs of the routes that call it."""
    found: dict[str, set[str]] = {}
    for path in sorted(ROUTES.glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if not isinstance(node, ast.AsyncFunctionDef):
                continue
            structs = {
                f"ruby_wallet.routes.{path.stem}.{call.args[1].id}"
                for dec in node.decorator_list
                for call in ast.walk(dec)
                if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "answers"
            }
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and getattr(call.func, "id", getattr(call.func, "attr", None)) in (
                    "call",
                    "call_admin",
                    "fetch",  # Database.fetch: the rows of a named statement (the batch route's)
                ):
                    for arg in call.args:
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value in queries():
                            function = re.search(r"\b([a-z]+\.[a-z_]+)\(", queries()[arg.value].sql).group(1)
                            found.setdefault(function, set()).update(structs)
    return {f: s for f, s in found.items() if s}


def header_answers() -> dict[str, set[str]]:
    found = {}
    for path in paths.procedure_files():
        for comment, function in _HEADER.findall(path.read_text()):
            named = _ANSWERS.search(comment)
            if named:
                found[function] = {s.strip() for s in named.group(1).split(",")}
    return found


def test_every_routed_function_names_its_struct_and_only_that():
    assert route_answers() == header_answers()


def test_every_named_struct_is_a_struct_of_its_route_module():
    for structs in header_answers().values():
        for dotted in structs:
            module, _, name = dotted.rpartition(".")
            assert issubclass(getattr(importlib.import_module(module), name), msgspec.Struct), dotted
