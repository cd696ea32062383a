"""cleanlens.web.render.map: the 2-D map of the items (points, selection, legend, where the layout comes from)."""

from cleanlens.web import render
from cleanlens.web.state import ExplorerState

from .render_support import HOSTILE, parse, trained
from .test_web_state import probabilities_for, tiny_dataset


def with_layout(classes=("a", "b", "c")):
    data = tiny_dataset(classes=classes)
    data.layout = [(x, y) for x, y in data.features]
    return data


def test_a_point_per_item_coloured_by_label_and_marked_by_category():
    state = trained(with_layout())
    result = state.analysis()
    points = parse(render.scatter(state, result)).find_all("circle", class_="pt")
    assert sorted(int(p["data-i"]) for p in points) == list(range(18))
    for p in points:
        i = int(p["data-i"])
        assert p.has("class", f"c{state.labels[i]}") and p["data-cat"] == render.category_of(result, i)
        assert p["data-action"] == "select"
    issue = next(p for p in points if p["data-i"] == "0")
    assert issue.find("title").text() == "x0: labelled a, suggested b · Label issue"
    correct = next(p for p in points if p["data-i"] == "5")
    assert correct.find("title").text() == "x5: labelled a · Correct"


def test_the_selected_point_is_drawn_last_with_cross_hairs():
    state = trained(with_layout())
    state.view.selected = 7
    svg = parse(render.scatter(state, state.analysis())).find("svg")
    selected = svg.find_all("circle", class_="selected")
    assert [c["data-i"] for c in selected] == ["7"]
    chosen = svg.find("g", class_="chosen")
    assert chosen["aria-hidden"] == "true" and len(chosen.find_all("line")) == 2
    assert svg.children[-2:] == [chosen, selected[0]]  # the cross-hairs, then the point: over every other one
    assert svg["role"] == "img" and "keyboard" in svg["aria-label"]


def test_names_in_the_legend_and_titles_are_escaped():
    data = with_layout(classes=(HOSTILE, "b", "c"))
    data.ids[0] = HOSTILE
    state = trained(data)
    html = render.scatter(state, state.analysis())
    root = parse(html)
    legend = root.find(data_testid="map-legend")
    assert [s.parent.text() for s in legend.find_all("span", class_="swatch")] == [HOSTILE, "b", "c"]
    assert root.find("circle", data_i="0").find("title").text().startswith(f"{HOSTILE}: labelled {HOSTILE}")
    assert "<img" not in html


def test_the_map_says_where_its_layout_comes_from():
    state = trained(with_layout())
    assert "t-SNE layout of the image embeddings" in parse(render.scatter(state, None)).text()
    state.is_demo = False
    assert "Map: the 2-D layout from your file." in parse(render.scatter(state, None)).text()
    state = trained(tiny_dataset(), is_demo=False)
    state.layout = [(x, y) for x, y in state.dataset.features]
    state.layout_note = HOSTILE
    html = render.scatter(state, state.analysis())
    assert f"Map: {HOSTILE}." in parse(html).text() and "<img" not in html


def test_no_map_yet_or_none_for_probabilities_from_a_file():
    state = trained(tiny_dataset(), is_demo=False)
    assert parse(render.scatter(state, state.analysis())).find(data_testid="map-pending")
    data = tiny_dataset()
    probabilities = probabilities_for(data.given)
    state = ExplorerState(data, given_probabilities=probabilities, is_demo=False)
    assert "A map needs features" in render.scatter(state, None)
    assert "<svg" not in render.scatter(state, None)
