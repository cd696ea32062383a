"""cleanlens.web.render.common: escaping, number formats, categories, item names and images, virtual lists, tabs."""

import pytest

from cleanlens.web import render
from cleanlens.web.render import common

from .render_support import HOSTILE, HOSTILE_ESCAPED, parse, trained
from .test_web_state import tiny_dataset


@pytest.fixture
def no_sprites():
    """The sprite sheet is module state (set once by the page): leave it as it was found, empty."""
    render.use_sprites(None)
    yield
    render.use_sprites(None)


def test_esc_escapes_markup_and_both_quotes():
    escaped = "&lt;a href=&quot;x&quot; title=&#x27;y&#x27;&gt;&amp;&lt;/a&gt;"
    assert render.esc("<a href=\"x\" title='y'>&</a>") == escaped
    assert render.esc(3) == "3"


def test_inf_thresholds_are_shown_as_a_dash():
    assert render.fmt(float("inf")) == "—"
    assert render.fmt(None) == "—"
    assert render.fmt(0.12345) == "0.123"
    assert render.fmt(0.5, 1) == "0.5"


def test_comparisons_are_shown_with_enough_decimals_to_be_true():
    assert render.compared(0.9404, 0.9401) == ("0.9404", "0.9401")
    assert render.compared(0.94, 0.94) == ("0.940", "0.940")
    assert render.compared(0.5, 0.25) == ("0.500", "0.250")
    a, b = render.compared(0.93999996, 0.94)
    assert float(a) < float(b)


def test_items_are_named_by_id_or_as_a_row_number():
    data = tiny_dataset(classes=("0", "1", "2"))
    assert render.item_name(data, 4) == "x4"
    data.ids = [str(i) for i in range(len(data.ids))]
    data.row_ids = True
    assert render.item_name(data, 4) == "#4"  # never read as the class "4"


def test_categories_before_training_and_of_excluded_items():
    assert render.category_of(None, 0) == "none"
    assert render.category_name(None, 0) == ""
    state = trained()
    result = state.analysis()
    assert [render.category_of(result, i) for i in (0, 9, 3, 5)] == ["label_issue", "ood", "unconfident", "correct"]
    assert render.category_name(result, 0) == "Label issue"
    state.exclude(2)
    labels = list(state.labels)
    probabilities = [None if i == 2 else row for i, row in enumerate(state.training.probabilities)]
    state.finish_training(labels, probabilities, state.training.info, state.excluded)
    assert render.category_of(state.analysis(), 2) == "excluded"
    assert render.category_name(state.analysis(), 2) == render.EXCLUDED_NAME


def test_a_short_list_is_drawn_whole_and_a_long_one_by_window():
    assert render.window_of(render.VIRTUAL_MIN, (10, 20)) == (0, render.VIRTUAL_MIN)
    long = render.VIRTUAL_MIN + 100
    assert render.window_of(long, None) == (0, render.FIRST_WINDOW)
    assert render.window_of(long, (50, 90)) == (50, 90)
    assert render.window_of(long, (long - 10, long + 40)) == (long - 10, long)
    assert render.window_of(long, (long + 5, long + 9)) == (long, long)  # scrolled past a list that shrank
    assert render.window_of(long, (-3, 10)) == (0, 10)


def test_geometry_gives_the_scroll_handler_the_row_pitch_and_column():
    grid = render.Geometry(row=96, gap=6, column=72)
    assert grid.style() == "--row:96px;--gap:6px;--col:72px"
    assert grid.attrs("tiles", 1000) == (
        'data-virtual="tiles" data-count="1000" data-row="102" data-col="78" data-gap="6"'
    )
    rows = render.Geometry(row=26, gap=0)
    assert rows.style() == "--row:26px;--gap:0px" and 'data-col="0"' in rows.attrs("table", 3)


def test_an_image_is_drawn_escaped_with_its_name_and_label(no_sprites):
    data = tiny_dataset(classes=(HOSTILE, "b", "c"))
    data.ids[0] = HOSTILE
    data.images[0] = 'x" onerror="alert(1)'
    img = parse(common._image(data, 0, 64)).find("img")
    assert img["src"] == 'x" onerror="alert(1)' and "onerror" not in img.attrs
    assert img["alt"] == f"{HOSTILE}, labelled {HOSTILE}"
    assert (img["width"], img["height"]) == ("64", "64")
    stand_in = parse(common._image(data, 1, 56)).find("span", class_="noimg")  # no image: its name instead
    assert stand_in["role"] == "img" and stand_in["aria-label"] == "x1, labelled " + HOSTILE
    assert stand_in.text() == "x1"
    assert common._thumb(data, 1, 24) == ""
    assert "<img" not in common._image(data, 1, 56) and HOSTILE_ESCAPED in common._image(data, 1, 56)


def test_images_of_the_sprite_sheet_are_its_cells(no_sprites):
    data = tiny_dataset()
    data.images[:3] = ["a.png", "b.png", "c.png"]
    render.use_sprites({"columns": 2, "rows": 2, "images": {"a.png": 0, "b.png": 1, "c.png": 2}})
    cells = [parse(common._image(data, i, 64)).find("span", class_="spr") for i in range(3)]
    assert [c["style"].split("background-position:")[1] for c in cells] == ["0% 0%", "100% 0%", "0% 100%"]
    assert all(c["role"] == "img" and c["aria-label"].endswith("labelled a") for c in cells)
    thumb = parse(common._thumb(data, 1, 24)).find("span")
    assert thumb["aria-hidden"] == "true" and thumb["data-i"] == "1"
    assert render.sprite_style({"columns": 2, "rows": 3, "images": {}}) == "--sheet-size:200% 300%"
    assert render.sprite_style(None) == ""
    render.use_sprites(None)
    assert parse(common._image(data, 0, 64)).find_all("img")  # without a sheet: the image file itself


def test_tabs_mark_the_current_one_for_assistive_technology():
    root = parse(common._tabs("results", {"a": "A", "b": "B", "c": "C"}, "b", {"a": 3, "b": 0}))
    tablist = root.find(role="tablist")
    assert tablist["aria-label"] == "results"
    tabs = tablist.find_all("button", role="tab")
    assert [t["aria-selected"] for t in tabs] == ["false", "true", "false"]
    assert [t["tabindex"] for t in tabs] == ["-1", "0", "-1"]  # one tab stop: arrows move between tabs
    assert all(t["aria-controls"] == "panel-results" for t in tabs)
    assert [t.text() for t in tabs] == ["A (3)", "B (0)", "C"]
    assert [t["id"] for t in tabs] == ["tab-results-a", "tab-results-b", "tab-results-c"]
