"""cleanlens.web.render.results: counts and score, export, the result tabs and their images, "Accept all"."""

import re

from cleanlens.confident import CATEGORIES
from cleanlens.web import render
from cleanlens.web.render import results as render_results
from cleanlens.web.state import ExplorerState

from .render_support import HOSTILE, disabled, parse, trained
from .test_web_state import open_plan, tiny_dataset


def test_counts_show_the_engines_numbers():
    state = trained()
    result = state.analysis()
    html = render.summary(state, result)
    for name, testid in render.COUNT_TESTIDS.items():
        assert f'data-testid="{testid}">{result.counts[name]}<' in html
    before = parse(render.summary(ExplorerState(tiny_dataset()), None))
    assert {before.find(data_testid=t).text() for t in render.COUNT_TESTIDS.values()} == {"–"}
    assert not before.find_all(data_testid="score")


def test_the_score_against_the_known_errors_by_kind():
    state = trained()
    score = state.scores_by_kind().label_issues
    root = parse(render.summary(state, state.analysis()))
    text = root.find(data_testid="score").text()
    assert text == (
        f"Label issues: {score.true_positives} of the {score.wrong} label errors in the demo's truth, precision "
        f"{render.fmt(score.precision)} ({score.flagged} listed), recall {render.fmt(score.recall)}, "
        f"F1 {render.fmt(score.f1)}"
    )
    assert root.find(data_testid="unconfident-meaning")
    data = tiny_dataset()
    data.truth = None
    state = trained(data)
    assert not parse(render.summary(state, state.analysis())).find_all(data_testid="score")


def test_excluded_items_are_counted_apart():
    state = trained()
    state.exclude(2)
    probabilities = [None if i == 2 else row for i, row in enumerate(state.training.probabilities)]
    state.finish_training(list(state.labels), probabilities, state.training.info, state.excluded)
    assert "1 excluded from training" in parse(render.summary(state, state.analysis())).text()


def test_export_waits_for_results():
    before = parse(render.export_controls(ExplorerState(tiny_dataset()))).find_all("button")
    assert [b["data-kind"] for b in before] == ["csv", "audit", "json"] and all(disabled(b) for b in before)
    assert not any(disabled(b) for b in parse(render.export_controls(trained())).find_all("button"))


def test_result_tabs_count_their_images_and_the_chosen_cell():
    state = trained()
    result = state.analysis()
    tabs = parse(render.results_tabs(state, result)).find_all("button", role="tab")
    assert [t.text() for t in tabs] == ["Label issues (1)", "Out of distribution (2)", "Unconfident (5)", "Joint cell"]
    assert [t["aria-selected"] for t in tabs] == ["true", "false", "false", "false"]
    state.view.cell = (2, 2)
    assert parse(render.results_tabs(state, result)).find(id="tab-results-cell").text() == "Joint cell (4)"
    tabs = parse(render.results_tabs(state, None)).find_all("button", role="tab")
    assert [t.text() for t in tabs] == ["Label issues", "Out of distribution", "Unconfident", "Joint cell"]


def test_each_tab_lists_its_images_worst_label_first():
    state = trained()
    result = state.analysis()
    for tab in ("label_issue", "ood", "unconfident"):
        state.view.result_tab = tab
        items = parse(render.results_body(state, result)).find(data_testid=f"{tab}-items").find_all("li")
        code = CATEGORIES.index(tab)
        expected = [i for i in state.training.quality_order if result.categories[i] == code]
        assert [li["data-i"] for li in items] == [str(i) for i in expected]
    state.view.result_tab = "label_issue"
    issue = parse(render.results_body(state, result)).find("li", data_i="0")
    assert issue.find("span", class_="cap").text() == "a→ b"  # given, then suggested
    assert issue.find("button", data_action="select")["aria-label"] == "Inspect x0"
    state.view.result_tab = "ood"
    assert "→" not in parse(render.results_body(state, result)).text()


def test_a_cell_tab_names_its_cell_escaped():
    state = trained(tiny_dataset(classes=("a", HOSTILE, "c")))
    result = state.analysis()
    state.view.result_tab = "cell"
    assert "Choose a cell" in render.results_body(state, result)
    state.view.cell = (1, 1)
    html = render.results_body(state, result)
    root = parse(html)
    assert root.find(data_testid="cell-title").text() == f"Given {HOSTILE}, suggested {HOSTILE}: 3 images"
    items = [int(li["data-i"]) for li in root.find(data_testid="cell-items").find_all("li")]
    assert sorted(items) == sorted(result.joint_ids[1][1])
    assert "<img" not in html
    state.view.cell = (0, 1)
    assert [li["data-i"] for li in parse(render.results_body(state, result)).find_all("li")] == ["0"]
    state.view.cell = (1, 0)
    assert parse(render.results_body(state, result)).find(data_testid="cell-items").text() == "None."


def test_decisions_are_marked_on_the_images_and_said():
    state = trained()
    state.keep(0)
    result = state.analysis()
    li = parse(render.result_items(state, result)).find("li", data_i="0")
    assert li.has("class", "decided") and li.has("class", "keep")
    assert li.find("span", class_="done").text() == "="
    assert li.find("button")["aria-label"] == "Inspect x0 (label kept)"


def test_accept_all_says_what_it_will_do_then_what_it_did_and_can_be_undone():
    state = trained()
    result = state.analysis()
    root = parse(render.results_body(state, result))
    button = root.find(data_testid="accept-all")
    assert button.text() == "Accept all…" and not disabled(button)
    assert root.find(data_testid="accept-pending").text() == "1 listed without a decision"
    open_plan(state)
    plan = parse(render.results_body(state, result)).find(data_testid="accept-plan")
    assert plan.find(data_testid="accept-summary").text() == state.accept_summary()
    assert plan.find(data_testid="accept-choice-likely").has("checked")
    assert plan.find(data_testid="accept-n")["value"] == str(state.plan().num_label_issues)
    state.choose_accept("all")
    plan = parse(render.accept_all_controls(state))
    assert plan.find(data_testid="accept-confirm").text() == "Accept 1 label"
    state.accept_all()
    root = parse(render.accept_all_controls(state))
    assert disabled(root.find(data_testid="accept-all"))
    assert root.find(data_testid="accept-pending").text() == "0 listed without a decision; 1 by Accept all"
    assert root.find(data_testid="accept-all-done").text() == "Accepted 1 suggested label. Undo"
    assert root.find(data_testid="undo-all")["data-action"] == "undo-all"
    state.undo_bulk()
    state.keep(0)
    text = parse(render.accept_all_controls(state)).find(data_testid="accept-pending").text()
    assert text == "0 listed without a decision; 1 you decided on"


def test_a_probabilities_file_says_how_to_check_fixes():
    state = trained()
    state.given_probabilities = state.training.probabilities
    state.relabel(0, 1)
    assert parse(render.notices_region(state)).find(data_testid="check-fixes").text() == render.CHECK_FIXES
    assert not state.can_train  # re-analysing fixed labels against the same pred_probs is not offered


def test_a_long_result_list_is_virtual():
    state = trained(tiny_dataset(n_per_class=300))
    state.set_class_percentile(90)
    state.set_ood_percentile(10)
    state.view.result_tab = "unconfident"
    result = state.analysis()
    count = result.counts["unconfident"]
    assert count > render.VIRTUAL_MIN
    grid = parse(render.results_body(state, result, (200, 230))).find("ul", class_="grid")
    assert grid["data-virtual"] == "results" and grid["data-count"] == str(count)
    items = grid.find_all("li")
    assert [li["aria-posinset"] for li in items] == [str(n) for n in range(201, 231)]
    assert {li["aria-setsize"] for li in items} == {str(count)}
    assert re.fullmatch(r"--row:\d+px;--gap:\d+px;--col:\d+px", grid["style"])


def test_scores_by_kind_and_the_unconfident_sentence():
    from cleanlens.scoring import KindScores, score_counts

    assert render_results.score_by_kind_lines(None) == ""
    root = parse(render_results.score_by_kind_lines(KindScores(score_counts(5, 9, 5), None)))
    assert root.find(data_testid="score").text() == (
        "Label issues: 5 of the 9 label errors in the truth (from your file), precision 1.000 (5 listed), "
        "recall 0.556, F1 0.714"
    )
    assert "least like any class" in root.find(data_testid="score-ood").text()
    both = parse(render_results.score_by_kind_lines(KindScores(score_counts(2, 2, 1), score_counts(4, 3, 3)), "demo"))
    assert both.find(data_testid="score-ood").text().startswith("Out of distribution: 3 of the 3 OOD items in the demo")
    assert parse(render_results.unconfident_meaning()).text().startswith("Unconfident: no class is probable enough")
