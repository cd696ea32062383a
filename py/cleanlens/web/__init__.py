"""Browser glue: state, event binding and rendering. Only ``app`` imports ``js``/``pyodide``."""

DEMO_DATASET = "embeddings/placeholder.json"
"""The dataset the page opens with, relative to the site root."""
