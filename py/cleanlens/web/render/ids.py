"""The ids of the page's regions: the elements the glue re-renders or patches (pure constants).

One name for each, shared by the markup (:mod:`.page`, index.html's containers), the region table
(:data:`cleanlens.web.regions.REGIONS`) and the tests.
"""

RUN_CONTROLS = "run-controls"
ENGINE_SETTINGS = "engine-settings"
TOOLS = "tools"
WARNINGS = "warnings"
KNOWN_ERRORS = "known-errors"
DATASET_COUNT = "dataset-count"
DATASET_TOOLBAR = "dataset-toolbar"
TILES_SCROLL = "tiles-scroll"
"""The dataset grid's scrolling container (its content: the grid, ``#tiles``)."""
TILES = "tiles"
THRESHOLD_CONTROLS = "threshold-controls"
THRESHOLD_TABLE = "threshold-table"
HISTOGRAMS = "histograms"
CENTER_TABS = "center-tabs"
PANEL_CENTER = "panel-center"
SUMMARY = "summary"
EXPORT = "export"
RESULTS_TABS = "results-tabs"
PANEL_RESULTS = "panel-results"
DETAIL = "detail"
APP = "app"
"""The element holding every panel (index.html's ``<main>``)."""
