"""cleanlens.web.regions: the one table that decides what a change redraws."""

from cleanlens.web import regions
from cleanlens.web.changes import (
    ASPECTS,
    DATA,
    LABELS,
    PREVIEW,
    SELECTION,
    THRESHOLDS,
    changed,
)
from cleanlens.web.render import ids

from .render_support import trained


def test_data_redraws_every_region_and_every_region_renders():
    state = trained()
    drawn = regions.regions_for(changed(DATA))
    assert drawn == list(regions.REGIONS)
    for region in drawn:
        assert isinstance(region.render(state, {}), str), region.id
        assert region.depends <= set(ASPECTS) and region.patches <= set(ASPECTS)


def test_a_slider_step_redraws_the_analysis_and_patches_the_tiles():
    names = {region.id for region in regions.regions_for(changed(THRESHOLDS))}
    assert {ids.THRESHOLD_TABLE, ids.HISTOGRAMS, ids.PANEL_CENTER, ids.SUMMARY, ids.PANEL_RESULTS} <= names
    assert ids.TILES_SCROLL not in names and ids.DATASET_TOOLBAR not in names
    assert regions.patches_for(changed(THRESHOLDS)) == {ids.TILES_SCROLL: frozenset({THRESHOLDS})}


def test_a_preview_redraws_only_why_and_the_histograms():
    names = {region.id for region in regions.regions_for(changed(PREVIEW))}
    assert names == {ids.DETAIL, ids.HISTOGRAMS}


def test_a_relabel_patches_its_tile_and_redraws_what_counts_labels():
    names = {region.id for region in regions.regions_for(changed(LABELS, items=[2]))}
    assert {ids.RUN_CONTROLS, ids.KNOWN_ERRORS, ids.DETAIL, ids.WARNINGS} <= names
    assert regions.patches_for(changed(LABELS, SELECTION)) == {ids.TILES_SCROLL: frozenset({LABELS, SELECTION})}
