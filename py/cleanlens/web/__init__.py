"""Browser glue: state, event binding and rendering. Only ``app`` imports ``js``/``pyodide``."""

DEMO_DATASET = "embeddings/fashion3.json"
"""The dataset the page opens with, relative to the site root."""

BUILTIN_EMBEDDING_ROWS = 2000
"""The most items the page accepts in embeddings mode with the built-in engine: the size it
cross-validates within about 10 s in Pyodide on the benchmark machine: N=2,000 took 7.5 s,
N=2,500 11.4 s (python3 build.py bench engine, 2026-11-28)."""

SKLEARN_EMBEDDING_ROWS = 20_000
"""The same limit when the scikit-learn engine is available in the browser."""
