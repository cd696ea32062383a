"""One error base: every error the engine raises on purpose for the user is a CleanlensError."""

import importlib
import inspect
import pkgutil

import cleanlens
from cleanlens.errors import CleanlensError
from cleanlens.steps import Cancelled

NOT_FOR_THE_USER = {Cancelled}  # a signal that work is no longer wanted, not a problem with an input


def engine_modules():
    """Every module of the package outside web/ (the browser glue), imported (``__main__`` would run the CLI)."""
    for info in pkgutil.walk_packages(cleanlens.__path__, "cleanlens."):
        if info.name.split(".")[1] not in ("web", "__main__"):
            yield importlib.import_module(info.name)


def test_every_public_exception_of_the_engine_derives_from_cleanlens_error():
    found = {
        cls
        for module in engine_modules()
        for name, cls in vars(module).items()
        if inspect.isclass(cls) and issubclass(cls, Exception) and not name.startswith("_")
        and cls.__module__.startswith("cleanlens.")
    }  # fmt: skip
    assert len(found) >= 6, found
    assert {cls for cls in found - NOT_FOR_THE_USER if not issubclass(cls, CleanlensError)} == set()


def test_a_cleanlens_error_is_a_value_error_with_its_message():
    error = CleanlensError("data.csv: line 3, column 2 (p_cat): not a number: 'x'")
    assert isinstance(error, ValueError) and str(error) == "data.csv: line 3, column 2 (p_cat): not a number: 'x'"
