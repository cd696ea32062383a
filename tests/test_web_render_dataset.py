"""cleanlens.web.render.dataset: the Dataset panel (filters and sort, counts, legend, tiles)."""

from cleanlens.web import render
from cleanlens.web.state import ExplorerState

from .render_support import HOSTILE, disabled, parse, trained
from .test_web_state import tiny_dataset


def test_toolbar_lists_classes_categories_and_sorts_with_the_current_ones_selected():
    state = trained(tiny_dataset(classes=("a", HOSTILE, "c")))
    state.view.filter_class, state.view.filter_category, state.view.sort = 1, "excluded", "given"
    html = render.dataset_toolbar(state)
    root = parse(html)
    classes = root.find("select", data_testid="filter-class").find_all("option")
    assert [o.text() for o in classes] == ["All classes", "a", HOSTILE, "c"]
    assert [o["value"] for o in classes if o.has("selected")] == ["1"]
    categories = root.find("select", data_testid="filter-category").find_all("option")
    assert [o["value"] for o in categories] == ["", "correct", "label_issue", "ood", "unconfident", "excluded"]
    assert [o.text() for o in categories if o.has("selected")] == ["Excluded"]
    sorts = root.find("select", data_testid="sort").find_all("option")
    assert [o["value"] for o in sorts if o.has("selected")] == ["given"]
    assert "<img" not in html
    assert all(disabled(s) for s in parse(render.dataset_toolbar(state, enabled=False)).find_all("select"))


def test_known_errors_counter_counts_the_current_labels_errors():
    state = trained()
    assert parse(render.known_errors_counter(state)).find(data_testid="known-errors").text() == "1"
    state.relabel(0, 1)  # item 0 is truly a "b"
    state.relabel(5, 2)
    assert parse(render.known_errors_counter(state)).find(data_testid="known-errors").text() == "1"
    data = tiny_dataset()
    data.truth = None
    assert render.known_errors_counter(ExplorerState(data)) == ""  # no truth: no counter


def test_dataset_count_says_how_many_of_how_many_items_or_images():
    state = trained(tiny_dataset(n_per_class=400))
    assert render.dataset_count(state) == "1,200 items"  # rows without images are items
    state.view.filter_class = 2
    assert render.dataset_count(state) == "400 of 1,200 items"
    state.has_images = True
    assert render.dataset_count(state) == "400 of 1,200 images"


def test_a_tile_shows_its_category_its_label_and_what_the_user_did():
    data = tiny_dataset(classes=("a", HOSTILE, "c"))
    data.ids[0] = HOSTILE
    state = trained(data)
    state.relabel(0, 1)
    state.view.selected = 0
    html = render.tile(state, 0, state.analysis())
    li = parse(html).find("li")
    assert li["data-cat"] == "label_issue" and li["data-i"] == "0"
    assert {"tile", "selected", "relabelled"} <= set(li["class"].split())
    pick = li.find("button", data_action="select")
    assert pick["aria-label"] == f"Inspect {HOSTILE}" and pick["data-i"] == "0"
    label = li.find("select", data_action="relabel")
    assert label["aria-label"] == f"Label of {HOSTILE}" and label["title"] == HOSTILE
    assert [o.text() for o in label.find_all("option") if o.has("selected")] == [HOSTILE]
    assert "<img src=x" not in html
    state.exclude(4)
    assert parse(render.tile(state, 4, state.analysis())).find("li").has("class", "excluded")
    assert parse(render.tile(ExplorerState(data), 3, None)).find("li")["data-cat"] == "none"  # before training


def test_tiles_follow_the_visible_items_in_order():
    state = trained()
    state.view.sort, state.view.filter_class = "dataset", 1
    tiles = parse(render.tiles(state, state.analysis())).find_all("li")
    assert [t["data-i"] for t in tiles] == [str(i) for i in state.visible_items()] == [str(i) for i in range(6, 12)]
    assert not any(t.has("aria-setsize") for t in tiles)  # all drawn: nothing to announce


def test_a_long_list_draws_its_window_and_announces_the_positions():
    state = trained(tiny_dataset(n_per_class=250))
    items = state.visible_items()
    assert len(items) > render.VIRTUAL_MIN
    tiles = parse(render.tiles(state, state.analysis(), (100, 130))).find_all("li")
    assert [t["data-i"] for t in tiles] == [str(i) for i in items[100:130]]
    assert [t["aria-posinset"] for t in tiles] == [str(n) for n in range(101, 131)]
    assert {t["aria-setsize"] for t in tiles} == {str(len(items))}
    first = parse(render.tiles(state, state.analysis())).find_all("li")
    assert len(first) == render.FIRST_WINDOW  # before the page knows what is in view


def test_the_tile_grid_carries_its_geometry_and_count():
    state = trained()
    state.view.filter_category = "unconfident"
    grid = parse(render.tiles_list(state, state.analysis())).find("ul", data_testid="tiles")
    assert grid["data-virtual"] == "tiles" and grid["data-count"] == "5"
    assert grid["data-row"] == str(render.TILE_GEOMETRY.row + render.TILE_GEOMETRY.gap)
    assert grid["aria-label"] == "Images and their labels"
    assert len(grid.find_all("li")) == 5


def test_the_legend_shows_each_category_and_says_it_in_words():
    legend = parse(render.tile_legend()).find(data_testid="tile-legend")
    marks = legend.find_all("span", class_="lgtile")
    assert [m["data-cat"] for m in marks] == ["label_issue", "ood", "unconfident", "correct"]
    assert all(m["aria-hidden"] == "true" for m in marks)
    assert "! = label issue" in legend.find("span", class_="sr-only").text()
