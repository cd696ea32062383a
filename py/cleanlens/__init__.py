"""Cleanlens: confident learning, explained interactively.

The pure engine (``dataset``, ``svm``, ``crossval``, ``confident``, ``scoring``,
``cli``) runs under CPython and in the browser (Pyodide); browser glue lives in
``cleanlens.web``.
"""

__version__ = "0.1.0"
