"""cleanlens.web.render.why: the Why? panel, the popover, the explanations and the decision buttons."""

from cleanlens.web import render
from cleanlens.web.state import ExplorerState

from .render_support import HOSTILE, parse, trained
from .test_web_state import tiny_dataset


def test_explanations_follow_the_category():
    state = trained()
    result = state.analysis()
    for i in range(len(state.labels)):
        text = render.explanation(state, result, i)
        category = render.category_of(result, i)
        expected = {
            "correct": "looks right",
            "label_issue": "likely a label error",
            "ood": "belongs to none",
            "unconfident": "neither a confident suggestion",
        }[category]
        assert expected in text, (i, category, text)


def test_an_explanation_quotes_the_numbers_it_compares():
    state = trained()
    result = state.analysis()
    p, t = render.compared(state.training.probabilities[0][1], result.class_thresholds[1])
    assert render.explanation(state, result, 0) == (
        f"The model is confident this is a b: {p} is at or above the b threshold {t}, "
        "but it is labelled a — likely a label error."
    )
    state.set_rule("confident-joint")
    assert "the b mean self-confidence" in render.explanation(state, state.analysis(), 0)


def test_row_number_ids_are_shown_as_numbers_not_class_names():
    data = tiny_dataset(classes=("0", "1", "2"))
    data.ids = [str(i) for i in range(len(data.ids))]
    data.row_ids = True
    state = trained(data)
    state.view.selected = 4
    html = render.detail(state, state.analysis())
    assert 'data-testid="detail-id">#4<' in html and "for #4" in html


def test_the_panel_asks_for_an_image_until_one_is_pointed_at():
    state = trained()
    root = parse(render.detail(state, state.analysis()))
    assert root.find("p", class_="empty") and not root.find_all("button")
    state.view.preview = 5
    root = parse(render.detail(state, state.analysis()))
    assert "No image selected" in root.find("p", class_="pinned").text()
    assert not root.find_all(data_testid="accept") and root.find("h3").text() == "x5"


def test_the_buttons_apply_to_the_selected_image_while_another_is_previewed():
    state = trained()
    state.view.selected, state.view.preview = 0, 5
    root = parse(render.detail(state, state.analysis()))
    assert root.find(data_testid="detail-id").text() == "x0"
    assert root.find(data_testid="preview-id").text() == "x5"
    assert root.find("h3").text() == "x5"  # the details are the previewed image's
    assert root.find(data_testid="accept").text() == "A Accept b for x0"
    assert root.find(data_testid="accept")["aria-keyshortcuts"] == "A"
    assert root.find("div", class_="decide")["aria-label"] == "Fix x0"
    assert {b["data-i"] for b in root.find("div", class_="decide").find_all("button")} == {"0"}


def test_the_details_of_an_image():
    state = trained()
    state.relabel(0, 2)
    state.view.selected = 0
    result = state.analysis()
    root = parse(render.detail(state, result))
    head = root.find("div", class_="detail-head")
    assert "Labelled c (originally a)" in head.text()
    assert "Truth (known for the demo): b" in head.text()
    assert root.find(data_testid="detail-category").text() == "Label issue"
    assert root.find(data_testid="detail-quality").text() == f"label quality {render.fmt(state.training.quality[0])}"
    assert root.find(data_testid="explanation").text() == render.explanation(state, result, 0)
    assert "train again" in root.text()  # the labels changed since the results
    rows = root.find("table", class_="detail-probs").find("tbody").find_all("tr")
    assert [r.find("th").text() for r in rows] == ["a", "b", "c"]
    assert [r.find_all("td")[0].text() for r in rows] == [render.fmt(p) for p in state.training.probabilities[0]]


def test_decision_buttons_follow_the_decision():
    state = trained()
    result = state.analysis()

    def buttons(i):
        return [b["data-testid"] for b in parse(render.decision_controls(state, result, i)).find_all("button")]

    assert buttons(0) == ["accept", "keep", "exclude"]
    assert buttons(5) == ["keep", "exclude"]  # correct: nothing to accept
    state.keep(0)
    assert buttons(0) == ["accept", "exclude", "undo"]
    status = parse(render.decision_controls(state, result, 0)).find(data_testid="decision")
    assert status.text() == "Your decision: label kept"
    state.exclude(3)
    assert buttons(3) == ["keep", "undo"] and render.decision_of(state, 3) == "exclude"
    state.relabel(4, 1)  # labelled a: now b
    assert render.decision_of(state, 4) == "relabel" and render.decision_of(state, 6) == ""
    assert buttons(6) == ["keep", "exclude"] and buttons(4)[-1] == "undo"


def test_an_excluded_image_has_no_probabilities_to_show():
    state = trained()
    state.exclude(2)
    probabilities = [None if i == 2 else row for i, row in enumerate(state.training.probabilities)]
    state.finish_training(list(state.labels), probabilities, state.training.info, state.excluded)
    state.view.selected = 2
    root = parse(render.detail(state, state.analysis()))
    assert "You excluded this image" in root.find(data_testid="explanation").text()
    assert not root.find_all("table")
    assert "Excluded from training" in render.popover(state, state.analysis(), 2)


def test_the_popover_is_compact_and_says_why():
    state = trained()
    result = state.analysis()
    root = parse(render.popover(state, result, 0))
    assert root.find(data_testid="pop-id").text() == "x0"
    assert root.find("p", class_="pop-labels").text() == "labelled a → suggested b"
    assert root.find("p", class_="why").text() == render.explanation(state, result, 0)
    table = root.find("table")
    assert table.has("class", "compact") and len(table.find("tbody").find_all("tr")[0].find_all("td")) == 2
    full = parse(render.probability_rows(state, result, 0)).find("tbody").find_all("tr")[0].find_all("td")
    assert len(full) == 4  # p, the bar, and both thresholds
    before = parse(render.popover(ExplorerState(tiny_dataset()), None, 3))
    assert before.text() == "x3 · labelled a"


def test_threshold_marks_sit_at_the_thresholds():
    state = trained()
    result = state.analysis()
    rows = parse(render.probability_rows(state, result, 7)).find("tbody").find_all("tr")
    for k, row in enumerate(rows):
        class_mark = row.find("span", class_="cthr")
        assert class_mark["style"] == f"left:{result.class_thresholds[k] * 100:.1f}%"
        assert class_mark["title"] == f"class threshold {render.fmt(result.class_thresholds[k])}"
        assert row.find("span", class_="othr")["title"] == f"OOD threshold {render.fmt(result.ood_thresholds[k])}"


def test_names_are_escaped_in_the_panel_and_the_popover():
    data = tiny_dataset(classes=(HOSTILE, "b", "c"))
    data.ids[0] = HOSTILE
    state = trained(data)
    state.view.selected = 0
    result = state.analysis()
    html = render.detail(state, result) + render.popover(state, result, 0)
    root = parse(html)
    assert root.find(data_testid="detail-id").text() == HOSTILE
    assert root.find(data_testid="keep").text() == f"K Keep {HOSTILE} for {HOSTILE}"
    assert "<img" not in html
