"""Cleanlens: confident learning, explained interactively.

The pure engine (``dataset``, ``svm``, ``crossval``, ``confident``, ``scoring``,
``cli``) runs under CPython and in the browser (Pyodide); browser glue lives in
``cleanlens.web``. For notebooks (CPython, numpy and pandas):
:func:`cleanlens.find_issues` (:mod:`cleanlens.api`) and :func:`cleanlens.explore`
(:mod:`cleanlens.explore_server`), imported on first use so that the page never loads them.
"""

__version__ = "0.1.0"
__all__ = ["explore", "find_issues"]


def __getattr__(name):
    if name == "find_issues":
        from .api import find_issues

        return find_issues
    if name == "explore":
        from .explore_server import explore

        return explore
    raise AttributeError(f"module 'cleanlens' has no attribute {name!r}")
