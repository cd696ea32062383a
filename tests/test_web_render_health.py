"""cleanlens.web.render.health: the Dataset health tab (the score, the classes by label quality, the
overlapping pairs and their buttons to the joint's cells)."""

from cleanlens.web import actions, render
from cleanlens.web.changes import CELL, RESULT_TAB, changed
from cleanlens.web.state import ExplorerState
from cleanlens.web.wiring import Dispatcher, Event, bindings_in

from .render_support import HOSTILE, HOSTILE_ESCAPED, INFO, parse, trained
from .test_web_state import tiny_dataset
from .test_web_state_health import dirichlet_rows


def fifty_classes(hostile=False):
    """A state trained on 2,000 Dirichlet rows over 50 classes (every pair overlaps)."""
    names = [f"class {k}" for k in range(50)]
    if hostile:
        names[3] = HOSTILE
    labels, rows = dirichlet_rows(2_000, 50)
    data = tiny_dataset(n_per_class=40, classes=names)
    state = ExplorerState(data)
    state.finish_training(labels, rows, dict(INFO))
    state.view.center_tab = "health"
    return state


def test_before_training_it_says_when_it_appears():
    panel = parse(render.health_panel(ExplorerState(tiny_dataset())))
    assert panel.find(data_testid="health").text() == "The dataset health appears after training."


def test_it_shows_the_states_numbers_exactly_and_rounded():
    state = trained()
    health = state.health()
    panel = parse(render.health_panel(state)).find(data_testid="health")
    score = panel.find(data_testid="health-score")
    assert (score.text(), float(score["data-value"])) == (render.fmt(health.score), health.score)
    issues = panel.find(data_testid="health-num-issues")
    assert int(issues.text()) == int(issues["data-value"]) == health.num_label_issues
    assert panel.find(data_testid="health-items").text() == "18"
    rows = panel.find(data_testid="health-classes").find("tbody").find_all("tr")
    assert [r["data-testid"] for r in rows] == [f"health-class-{c.index}" for c in health.classes]
    for row, c in zip(rows, health.classes):
        assert row.find("th").text() == state.dataset.classes[c.index]
        cells = row.find_all("td")
        expected = [c.label_issues, c.inverse_label_issues, c.inverse_label_noise, c.label_quality]
        assert [float(td["data-value"]) for td in cells] == expected
        assert [td.text() for td in cells[2:]] == [render.fmt(c.inverse_label_noise), render.fmt(c.label_quality)]
    pairs = panel.find(data_testid="health-pairs")
    assert "every pair that overlaps, 1 of 3" in pairs.find("caption").text()
    (row,) = pairs.find("tbody").find_all("tr")
    (pair,) = health.pairs
    assert row["data-testid"] == f"health-pair-row-{pair.a}-{pair.b}"
    assert [float(td["data-value"]) for td in row.find_all("td", class_="num")] == [
        pair.joint_probability,
        pair.overlapping,
    ]


def test_each_pair_opens_its_two_cells_as_a_click_on_the_joint_does():
    state = trained()
    (pair,) = state.health().pairs
    panel = parse(render.health_panel(state))
    there = panel.find("button", data_testid=f"health-pair-{pair.a}-{pair.b}")
    back = panel.find("button", data_testid=f"health-pair-{pair.b}-{pair.a}")
    joint = parse(render.joint_matrix(state, state.analysis())).find(
        "button", data_testid=f"joint-cell-{pair.a}-{pair.b}"
    )
    assert (there["data-action"], there["data-g"], there["data-s"]) == (joint["data-action"], "0", "1")
    assert (back["data-g"], back["data-s"]) == ("1", "0")
    assert there.text() == "Open the cell given a → , suggested b"  # what a screen reader says (arrow hidden)
    assert there["aria-pressed"] == back["aria-pressed"] == "false"
    send = Dispatcher(bindings_in(actions, lambda: state)).dispatch
    event = Event("click", action=there["data-action"], data={"g": there["data-g"], "s": there["data-s"]})
    assert send(event) == changed(CELL, RESULT_TAB)
    assert (state.view.cell, state.view.result_tab) == ((0, 1), "cell")
    panel = parse(render.health_panel(state))
    assert panel.find("button", data_testid="health-pair-0-1")["aria-pressed"] == "true"
    assert panel.find("button", data_testid="health-pair-1-0")["aria-pressed"] == "false"


def test_fifty_classes_every_class_the_twenty_most_overlapping_pairs_and_names_escaped():
    state = fifty_classes(hostile=True)
    html = render.center_body(state, state.analysis())
    assert HOSTILE not in html and HOSTILE_ESCAPED in html
    panel = parse(html)
    assert len(panel.find(data_testid="health-classes").find("tbody").find_all("tr")) == 50
    pairs = panel.find(data_testid="health-pairs")
    assert len(pairs.find("tbody").find_all("tr")) == 20
    which = f"the 20 that overlap most, of {state.health().n_overlapping} that overlap (1,225 pairs in all)"
    assert pairs.find("caption").text().endswith(which)
    assert len(pairs.find_all("button", data_action="cell")) == 40
    row = panel.find(data_testid="health-class-3")
    assert row.find("th").text() == HOSTILE


def test_the_html_does_not_follow_the_sliders_and_excluded_items_are_named():
    state = fifty_classes()
    before = render.health_panel(state)
    state.set_class_percentile(90)
    state.set_rule("confident-joint")
    assert render.health_panel(state) == before
    labels, rows = dirichlet_rows(2_000, 50)
    rows = [None if i < 5 else row for i, row in enumerate(rows)]
    state.finish_training(labels, rows, dict(INFO), frozenset(range(5)))
    panel = parse(render.health_panel(state))
    assert panel.find(data_testid="health-items").text() == "1,995"
    assert "(5 excluded items left out)" in panel.find(class_="health-head").text()
