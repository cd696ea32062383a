"""The public API is annotated: every public function and method of these modules (the engine's, and the
page's under cleanlens.web) has type hints on its parameters and its return value (module boundaries
included: names shared between a package's modules count as public).

The browser glue's modules import ``js`` and cannot be imported under CPython: their annotations are read
from the source (:data:`BROWSER_MODULES`)."""

import ast
import importlib
import importlib.util
import inspect
from pathlib import Path

import pytest

MODULES = [
    "cleanlens.errors",
    "cleanlens.steps",
    "cleanlens.dataset",
    "cleanlens.arrays_io",
    "cleanlens.array_files",
    "cleanlens.userdata",
    "cleanlens.userdata.common",
    "cleanlens.userdata.limits",
    "cleanlens.userdata.load",
    "cleanlens.userdata.npy_pair",
    "cleanlens.userdata.csv_table",
    "cleanlens.userdata.csv_modes",
    "cleanlens.userdata.json_file",
    "cleanlens.userdata.images",
    "cleanlens.svm",
    "cleanlens.pairwise",
    "cleanlens.crossval",
    "cleanlens.tuning",
    "cleanlens.fixing",
    "cleanlens.sliders",
    "cleanlens.scoring",
    "cleanlens.report",
    "cleanlens.layout",
    "cleanlens.selection",
    "cleanlens.chunked_issues",
    "cleanlens.web.changes",
    "cleanlens.web.wiring",
    "cleanlens.web.placement",
    "cleanlens.web.regions",
    "cleanlens.web.actions",
    "cleanlens.web.state",
    "cleanlens.web.state.work",
    "cleanlens.web.state.view",
    "cleanlens.web.state.engine",
    "cleanlens.web.state.notices",
    "cleanlens.web.state.training",
    "cleanlens.web.state.fragment",
    "cleanlens.web.session",
    "cleanlens.web.explore_link",
    "cleanlens.web.worker",
    "cleanlens.web.render",
    "cleanlens.web.render.common",
    "cleanlens.web.render.ids",
    "cleanlens.web.render.notices",
    "cleanlens.web.render.topbar",
    "cleanlens.web.render.dataset",
    "cleanlens.web.render.thresholds",
    "cleanlens.web.render.joint",
    "cleanlens.web.render.map",
    "cleanlens.web.render.probabilities",
    "cleanlens.web.render.sweep",
    "cleanlens.web.render.center",
    "cleanlens.web.render.results",
    "cleanlens.web.render.why",
    "cleanlens.web.render.guide",
    "cleanlens.web.render.yourdata",
    "cleanlens.web.render.page",
]

BROWSER_MODULES = [
    "cleanlens.web.app",
    "cleanlens.web.dom",
    "cleanlens.web.screen",
    "cleanlens.web.lists",
    "cleanlens.web.overlays",
    "cleanlens.web.opening",
    "cleanlens.web.trainer",
    "cleanlens.web.scheduler",
    "cleanlens.web.store",
    "cleanlens.web.saving",
    "cleanlens.web.worker_client",
]


def public_functions(module):
    """``(qualified name, function)`` for the public functions and methods defined in ``module``."""
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            yield name, obj
        elif inspect.isclass(obj):
            for attr, member in vars(obj).items():
                member = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
                own = inspect.isfunction(member) and member.__qualname__.startswith(f"{obj.__qualname__}.")
                if own and (not attr.startswith("_") or attr == "__init__"):
                    yield f"{name}.{attr}", member


def missing_hints(function):
    signature = inspect.signature(function)
    missing = [
        p.name for p in signature.parameters.values() if p.name not in ("self", "cls") and p.annotation is p.empty
    ]
    if signature.return_annotation is signature.empty and function.__name__ != "__init__":
        missing.append("return")
    return missing


@pytest.mark.parametrize("name", MODULES)
def test_public_functions_have_type_hints(name):
    module = importlib.import_module(name)
    unannotated = {f: m for f, function in public_functions(module) if (m := missing_hints(function))}
    assert unannotated == {}


def public_definitions(tree):
    """``(qualified name, def node)`` for the public functions and methods defined at the top of a module's
    syntax tree: the same selection as :func:`public_functions`, read from the source."""
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in tree.body:
        if not isinstance(node, (*functions, ast.ClassDef)) or node.name.startswith("_"):
            continue
        if isinstance(node, functions):
            yield node.name, node
            continue
        for member in node.body:
            if isinstance(member, functions) and (not member.name.startswith("_") or member.name == "__init__"):
                yield f"{node.name}.{member.name}", member


def missing_source_hints(node):
    arguments = node.args
    parameters = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
    missing = [p.arg for p in parameters if p is not None and p.arg not in ("self", "cls") and p.annotation is None]
    if node.returns is None and node.name != "__init__":
        missing.append("return")
    return missing


def source_definitions(name):
    return public_definitions(ast.parse(Path(importlib.util.find_spec(name).origin).read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", BROWSER_MODULES)
def test_browser_modules_have_type_hints(name):
    definitions = source_definitions(name)
    unannotated = {f: m for f, node in definitions if (m := missing_source_hints(node))}
    assert unannotated == {}


@pytest.mark.parametrize("name", ["cleanlens.web.worker_client", "cleanlens.web.worker", "cleanlens.web.render.common"])
def test_source_reading_selects_what_the_import_does(name):
    """The source check sees the functions the import check sees (on modules CPython can import)."""
    assert sorted(f for f, _ in source_definitions(name)) == sorted(
        f for f, _ in public_functions(importlib.import_module(name))
    )
