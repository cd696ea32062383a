"""cleanlens.web.render.thresholds: the sliders, the per-class threshold table and the histograms."""

import math

from cleanlens.web import render
from cleanlens.web.state import ExplorerState

from .render_support import HOSTILE, disabled, parse, trained
from .test_web_state import tiny_dataset


def test_sliders_show_their_percentiles_and_the_cleanlab_rule_turns_the_class_one_off():
    state = trained()
    state.set_class_percentile(70)
    state.set_ood_percentile(20)
    root = parse(render.threshold_controls(state))
    class_slider, ood_slider = root.find(id="class-percentile"), root.find(id="ood-percentile")
    assert (class_slider["value"], ood_slider["value"]) == ("70", "20")
    assert root.find(data_testid="class-percentile-value").text() == "70"
    assert root.find(data_testid="ood-percentile-value").text() == "20"
    assert root.find("label", for_="class-percentile") and root.find("label", for_="ood-percentile")
    rule = root.find(data_testid="rule")
    assert rule.tag == "select" and root.find("label", for_="rule")
    assert [o["value"] for o in rule.find_all("option")] == ["percentile", "find-label-issues", "confident-joint"]
    assert rule.find("option", value="percentile").has("selected") and root.find_all(data_testid="filter-by") == []
    state.set_rule("confident-joint")
    root = parse(render.threshold_controls(state))
    assert disabled(root.find(id="class-percentile")) and not disabled(root.find(id="ood-percentile"))
    assert root.find(data_testid="class-percentile-value").text() == "mean" == render.class_slider_value(state)
    assert root.find(data_testid="rule").find("option", value="confident-joint").has("selected")
    state.set_rule("find-label-issues")
    root = parse(render.threshold_controls(state))
    filter_by = root.find(data_testid="filter-by")
    assert filter_by.find("option", value="prune_by_noise_rate").has("selected")
    assert len(filter_by.find_all("option")) == 7 and disabled(root.find(id="class-percentile"))
    off = parse(render.threshold_controls(state, enabled=False))
    assert all(disabled(i) for i in off.find_all("input") + off.find_all("select"))


def test_threshold_table_shows_each_class_thresholds_or_a_dash_before_training():
    state = trained(tiny_dataset(classes=("a", HOSTILE, "c")))
    result = state.analysis()
    html = render.threshold_table(state, result)
    root = parse(html)
    assert [th.text() for th in root.find_all("th", scope="row")] == ["a", HOSTILE, "c"]
    for k in range(3):
        assert root.find(data_testid=f"class-threshold-{k}").text() == render.fmt(result.class_thresholds[k])
        assert root.find(data_testid=f"ood-threshold-{k}").text() == render.fmt(result.ood_thresholds[k])
    assert "<img" not in html
    before = parse(render.threshold_table(ExplorerState(tiny_dataset()), None))
    assert {before.find(data_testid=f"{kind}-threshold-1").text() for kind in ("class", "ood")} == {"—"}


def test_histogram_range_holds_both_thresholds_of_every_class():
    state = trained()
    result = state.analysis()
    lo = render.histogram_range(state, result)
    assert 0 <= lo <= min(t for t in result.class_thresholds + result.ood_thresholds if math.isfinite(t))
    assert abs(lo * 20 - round(lo * 20)) < 1e-9  # a multiple of 0.05


def test_a_histogram_per_class_described_for_screen_readers():
    state = trained(tiny_dataset(classes=("a", HOSTILE, "c")))
    result = state.analysis()
    html = render.histograms(state, result)
    figures = parse(html).find_all("figure", class_="hist")
    assert [f.find("figcaption").text() for f in figures] == ["a · 6", f"{HOSTILE} · 6", "c · 6"]
    for k, figure in enumerate(figures):
        svg = figure.find("svg")
        assert svg["role"] == "img"
        values = state.training.learner.sorted_self_confidences[k]
        assert svg["aria-label"].startswith(
            f"6 images labelled {state.dataset.classes[k]}: self-confidence from {render.fmt(values[0])} to "
            f"{render.fmt(values[-1])}; class threshold {render.fmt(result.class_thresholds[k])}, "
            f"OOD threshold {render.fmt(result.ood_thresholds[k])}"
        )
        labels = [t.text() for t in svg.find_all("text", class_="tlabel")]
        c, o = render.fmt(result.class_thresholds[k]), render.fmt(result.ood_thresholds[k])
        assert labels == [f"class {c}", f"OOD {o}"]
        assert len(svg.find_all("rect")) <= render.HISTOGRAM_BINS + 1
    assert "<img" not in html


def test_the_image_in_why_is_marked_in_its_own_class_only():
    state = trained()
    result = state.analysis()
    assert not parse(render.histograms(state, result)).find_all("path", class_="you")
    state.view.selected = 7  # labelled b
    figures = parse(render.histograms(state, result)).find_all("figure")
    assert [len(f.find_all("path", class_="you")) for f in figures] == [0, 1, 0]
    state.view.preview = 14  # labelled c: the previewed image wins
    figures = parse(render.histograms(state, result)).find_all("figure")
    assert [len(f.find_all("path", class_="you")) for f in figures] == [0, 0, 1]


def test_many_classes_show_the_first_histograms_and_say_so():
    state = trained(tiny_dataset(n_per_class=3, classes=tuple(f"k{n}" for n in range(14))))
    root = parse(render.histograms(state, state.analysis()))
    assert len(root.find_all("figure")) == render.MAX_HISTOGRAMS
    assert f"Showing {render.MAX_HISTOGRAMS} of 14 classes." in root.text()
    assert render.histograms(ExplorerState(tiny_dataset()), None) == (
        '<p class="empty">Histograms appear after training.</p>'
    )
