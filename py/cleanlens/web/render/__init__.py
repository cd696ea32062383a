"""HTML rendering: pure functions from the explorer's state to HTML strings, a module per panel.

Nothing here touches the DOM, so the same functions run in the browser and
under CPython (tests, and ``build.py`` pre-rendering the page so it paints
before Python has started). Every string that comes from data (class names,
ids, file names) goes through :func:`esc`.

Conventions the glue relies on: an element with ``data-action`` is handled by
event delegation in :mod:`cleanlens.web.app`; ``data-i`` holds an item index,
``data-g``/``data-s`` a confident-joint cell; ``data-testid`` values are the
contract of docs/contracts.md.

The modules, each importing only those below it:

- :mod:`.page`: the whole explorer (``#app``), made of the panels:
- :mod:`.topbar`: run controls, engine read-out and settings, tool buttons;
- :mod:`.notices`: the ``#warnings`` region (warnings, errors, link and data notes, session notices);
- :mod:`.dataset`: the Dataset panel (toolbar, counts, legend, tiles);
- :mod:`.thresholds`: the Thresholds panel (sliders, threshold table, histograms);
- :mod:`.center`: the centre panel's tabs, one module each: :mod:`.joint`, :mod:`.map`,
  :mod:`.probabilities`, :mod:`.sweep`, :mod:`.health`;
- :mod:`.results`: the Results panel (counts and score, export, tabs, flagged images, Accept all);
- :mod:`.why`: the Why? panel, the popover and the decision buttons;
- :mod:`.guide`: the guide dialog and the tour; :mod:`.yourdata`: the Your data dialog;
- :mod:`.common`: what they share (escaping, number formats, categories, images and sprites, virtual lists, tabs).

Callers use the names re-exported here (``render.detail(...)``, ``from cleanlens.web.render import fmt``).
Each module is named for its panel, never like a function it exports (``why`` holds ``detail``).
"""

from .center import center_body, center_tabs
from .common import (
    CATEGORY_NAMES,
    CLASS_COLOURS,
    EXCLUDED_NAME,
    FIRST_WINDOW,
    PRECISION,
    RESULT_GEOMETRY,
    TABLE_GEOMETRY,
    TILE_GEOMETRY,
    VIRTUAL_MIN,
    Geometry,
    category_name,
    category_of,
    compared,
    esc,
    fmt,
    item_name,
    sprite_style,
    use_sprites,
    window_of,
)
from .dataset import (
    dataset_count,
    dataset_toolbar,
    known_errors_counter,
    tile,
    tile_legend,
    tiles,
    tiles_grid,
    tiles_list,
)
from .guide import GUIDE_STEPS, guide_dialog, tour_card, tour_steps
from .health import CLASS_COLUMNS, health_panel
from .joint import COMPACT_JOINT, joint_matrix, joint_thumbnails
from .map import scatter
from .notices import (
    CHECK_FIXES,
    carried_over_note,
    check_fixes_note,
    data_notes,
    determinism_problem,
    error_message,
    internal_error,
    internal_error_note,
    link_notes,
    notices_region,
    session_notices,
    training_problem,
    warnings_panel,
)
from .page import app
from .probabilities import prob_table, table_rows
from .results import (
    ACCEPT_CHOICES,
    COUNT_TESTIDS,
    DECISION_MARKS,
    accept_all_controls,
    accept_plan,
    export_controls,
    result_items,
    results_body,
    results_tabs,
    score_by_kind_lines,
    summary,
    unconfident_meaning,
)
from .sweep import METRIC_NAMES, cleanlab_curve, sweep_panel
from .thresholds import (
    HISTOGRAM_BINS,
    MAX_HISTOGRAMS,
    class_slider_value,
    histogram_range,
    histograms,
    threshold_controls,
    threshold_table,
)
from .topbar import engine_label, engine_settings, engine_status, run_controls, tools, trained_on
from .why import DECISION_NAMES, decision_controls, decision_of, detail, explanation, popover, probability_rows
from .yourdata import byo_dialog, byo_error, byo_images_chosen, byo_images_summary, recent_datasets

__all__ = [
    # common
    "CATEGORY_NAMES",
    "EXCLUDED_NAME",
    "CLASS_COLOURS",
    "VIRTUAL_MIN",
    "FIRST_WINDOW",
    "Geometry",
    "TILE_GEOMETRY",
    "RESULT_GEOMETRY",
    "TABLE_GEOMETRY",
    "window_of",
    "esc",
    "PRECISION",
    "fmt",
    "compared",
    "item_name",
    "category_of",
    "category_name",
    "use_sprites",
    "sprite_style",
    # notices
    "error_message",
    "internal_error",
    "internal_error_note",
    "link_notes",
    "determinism_problem",
    "training_problem",
    "warnings_panel",
    "session_notices",
    "notices_region",
    "CHECK_FIXES",
    "carried_over_note",
    "check_fixes_note",
    "data_notes",
    # topbar
    "run_controls",
    "engine_settings",
    "tools",
    "trained_on",
    "engine_label",
    "engine_status",
    # dataset
    "dataset_toolbar",
    "known_errors_counter",
    "tile",
    "tile_legend",
    "tiles",
    "tiles_list",
    "tiles_grid",
    "dataset_count",
    # thresholds
    "HISTOGRAM_BINS",
    "MAX_HISTOGRAMS",
    "class_slider_value",
    "threshold_controls",
    "threshold_table",
    "histogram_range",
    "histograms",
    # joint
    "COMPACT_JOINT",
    "joint_thumbnails",
    "joint_matrix",
    # map
    "scatter",
    # probabilities
    "prob_table",
    "table_rows",
    # sweep
    "METRIC_NAMES",
    "sweep_panel",
    "cleanlab_curve",
    # health
    "health_panel",
    "CLASS_COLUMNS",
    # center
    "center_tabs",
    "center_body",
    # results
    "COUNT_TESTIDS",
    "summary",
    "export_controls",
    "DECISION_MARKS",
    "result_items",
    "results_tabs",
    "results_body",
    "accept_all_controls",
    "accept_plan",
    "ACCEPT_CHOICES",
    "score_by_kind_lines",
    "unconfident_meaning",
    # why
    "DECISION_NAMES",
    "explanation",
    "probability_rows",
    "popover",
    "detail",
    "decision_of",
    "decision_controls",
    # guide
    "GUIDE_STEPS",
    "guide_dialog",
    "tour_steps",
    "tour_card",
    # yourdata
    "byo_dialog",
    "recent_datasets",
    "byo_error",
    "byo_images_chosen",
    "byo_images_summary",
    # page
    "app",
]
