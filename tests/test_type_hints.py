"""The engine's public API is annotated: every public function and method of these modules has type hints
on its parameters and its return value (module boundaries included: names shared between a package's
modules count as public)."""

import importlib
import inspect

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
    "cleanlens.svm",
    "cleanlens.pairwise",
    "cleanlens.crossval",
    "cleanlens.sliders",
    "cleanlens.scoring",
    "cleanlens.report",
    "cleanlens.layout",
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
