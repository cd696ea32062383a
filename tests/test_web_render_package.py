"""cleanlens.web.render (the package): its modules' public names are re-exported, each defined in one place, and
the modules import one another in layers (common at the bottom, page at the top)."""

import ast
import importlib
import pkgutil
from pathlib import Path

from cleanlens.web import render

MODULES = sorted(m.name for m in pkgutil.iter_modules(render.__path__))


def source_of(name):
    return ast.parse(Path(render.__path__[0], f"{name}.py").read_text(encoding="utf-8"))


def defined_in(name):
    """The public names a module of the package defines (functions, classes, constants), not those it imports."""
    names = set()
    for node in source_of(name).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {n for n in names if not n.startswith("_")}


def siblings_imported_by(name):
    """The sibling modules ``name`` imports (``from .x import ...`` and ``from . import x``)."""
    found = set()
    for node in source_of(name).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module} if node.module else {alias.name for alias in node.names}
    return found


def test_every_public_name_is_re_exported_from_the_one_module_that_defines_it():
    where = {}
    for name in MODULES:
        if name == "ids":  # the region ids: read as render.ids.NAME, a namespace of their own
            continue
        module = importlib.import_module(f"cleanlens.web.render.{name}")
        for public in defined_in(name):
            assert public not in where, f"{public} is defined in {where[public]} and {name}"
            where[public] = name
            assert getattr(render, public) is getattr(module, public), public
    assert sorted(render.__all__) == sorted(where)  # listed once each, nothing more, nothing less


def test_no_module_is_named_like_a_public_name():
    assert not set(MODULES) & set(render.__all__)  # so render.<name> is never ambiguous
    assert callable(render.detail) and render.detail.__module__ == "cleanlens.web.render.why"
    from cleanlens.web.render import VIRTUAL_MIN, fmt

    assert fmt(0.5) == "0.500" and VIRTUAL_MIN == render.common.VIRTUAL_MIN


def test_modules_import_in_layers():
    assert siblings_imported_by("common") == siblings_imported_by("ids") == set()
    assert all("page" not in siblings_imported_by(name) for name in MODULES)
    panels = {"topbar", "notices", "dataset", "thresholds", "results", "why", "guide", "yourdata", "center"}
    tabs = {"joint", "map", "probabilities", "sweep", "health"}
    for name in panels | tabs:
        allowed = {"common", "ids"} | (tabs if name == "center" else set())
        assert siblings_imported_by(name) <= allowed, name
    assert set(MODULES) == panels | tabs | {"common", "ids", "page"}
