"""cleanlens.web.render.sweep: the threshold sweep's heatmap (reachable cells, the sliders now, the best) and the
cleanlab rule's curve."""

from cleanlens.web import render
from cleanlens.web.state import ExplorerState

from .render_support import parse, trained
from .test_web_state import tiny_dataset


def test_a_button_per_reachable_cell_and_none_above_the_diagonal():
    state = trained()
    sweep = state.sweep()
    root = parse(render.sweep_panel(state)).find("table", data_testid="sweep")
    rows = root.find("tbody").find_all("tr")
    assert [r.find("th").text() for r in rows] == [str(q) for q in reversed(sweep.class_percentiles)]  # 100 on top
    for row in rows:
        qc = int(row.find("th").text())
        cells = row.find_all("td")
        assert len(cells) == len(sweep.ood_percentiles)
        for qo, cell in zip(sweep.ood_percentiles, cells):
            if qo > qc:
                assert cell.has("class", "na") and not cell.find_all("button")
            else:
                button = cell.find("button", data_testid=f"sweep-{qc}-{qo}")
                assert (button["data-qc"], button["data-qo"]) == (str(qc), str(qo))


def test_cells_say_their_score_and_only_the_sliders_cell_is_in_the_tab_order():
    state = trained()
    state.set_class_percentile(62)  # between two grid steps: the nearest one is "here"
    state.set_ood_percentile(13)
    state.view.sweep_metric = "precision"
    sweep = state.sweep()
    root = parse(render.sweep_panel(state))
    here = [b for b in root.find_all("button", data_action="sweep-cell") if b["tabindex"] == "0"]
    assert [b["data-testid"] for b in here] == ["sweep-60-15"]
    assert here[0].parent.has("class", "here")
    a, b = sweep.class_percentiles.index(60), sweep.ood_percentiles.index(15)
    expected = f"class 60, OOD 15: Precision {render.fmt(sweep.scores[a][b].precision)}"
    assert here[0]["aria-label"] in (expected, expected + " (best)")
    assert [r["value"] for r in root.find_all("input", type="radio") if r.has("checked")] == ["precision"]


def test_the_best_reachable_cell_is_marked_and_named():
    state = trained()
    sweep = state.sweep()
    best = max(
        (s.f1, qc, qo)
        for a, qc in enumerate(sweep.class_percentiles)
        for qo, s in zip(sweep.ood_percentiles, sweep.scores[a])
        if qo <= qc and s.f1 is not None
    )
    root = parse(render.sweep_panel(state))
    marked = root.find_all("td", class_="best")
    assert len(marked) == 1
    qc, qo = int(marked[0].find("button")["data-qc"]), int(marked[0].find("button")["data-qo"])
    assert sweep.scores[sweep.class_percentiles.index(qc)][sweep.ood_percentiles.index(qo)].f1 == best[0]
    assert marked[0].find("button")["aria-label"].endswith("(best)")
    said = root.find(data_testid="sweep-best").text()
    assert said.startswith(f"Best F1 {render.fmt(best[0])} at class {qc}, OOD {qo}")


def test_the_cleanlab_curve_reads_out_every_point():
    state = trained()
    sweep = state.sweep()
    state.set_ood_percentile(25)
    svg = parse(render.sweep_panel(state)).find("svg", data_testid="cleanlab-curve")
    assert svg["aria-label"] == ", ".join(
        f"OOD {qo}: {render.fmt(s.f1)}" for qo, s in zip(sweep.ood_percentiles, sweep.cleanlab)
    )
    points = svg.find("polyline")["points"].split()
    assert len(points) == sum(s.f1 is not None for s in sweep.cleanlab)
    assert svg.find("line", class_="now")["x1"] == f"{25 / 100 * 220:.1f}"


def test_the_sweep_needs_a_training_and_the_truth():
    assert "after training" in render.sweep_panel(ExplorerState(tiny_dataset()))
    data = tiny_dataset()
    data.truth = None
    text = render.sweep_panel(trained(data))
    assert "needs the true labels" in text and "<table" not in text
