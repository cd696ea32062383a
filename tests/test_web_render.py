"""cleanlens.web.render: markup contracts (data-testid), escaping, explanations (no browser)."""

import re

from cleanlens.web import render
from cleanlens.web.state import ExplorerState

from .test_web_state import probabilities_for, tiny_dataset

HOSTILE = "<img src=x onerror=alert(1)>"


def trained(data=None):
    data = data or tiny_dataset()
    state = ExplorerState(data)
    state.finish_training(
        list(data.given),
        probabilities_for(data.given),
        {
            "engine": "builtin",
            "engine_version": "cleanlens 0",
            "C": 10.0,
            "gamma": 0.03,
            "folds": 5,
            "seed": 0,
            "seconds": 0.5,
        },
    )
    return state


def test_app_has_every_contract_testid():
    html = render.app(trained()) + render.run_controls(trained())
    for testid in [
        "run",
        "class-percentile",
        "ood-percentile",
        "count-correct",
        "count-label-issues",
        "count-ood",
        "count-unconfident",
        "engine",
        "joint-cell-0-0",
        "joint-cell-2-1",
    ]:
        assert f'data-testid="{testid}"' in html, testid


def test_counts_and_joint_cells_show_the_engines_numbers():
    state = trained()
    result = state.analysis()
    html = render.summary(state, result)
    for name, testid in render.COUNT_TESTIDS.items():
        assert f'data-testid="{testid}">{result.counts[name]}<' in html
    joint = render.joint_matrix(state, result)
    for g, row in enumerate(result.joint):
        for s, n in enumerate(row):
            assert re.search(
                rf'data-testid="joint-cell-{g}-{s}"[^>]*><span class="head"><span><span class="jcount">{n}<', joint
            )


def test_user_text_is_escaped_everywhere():
    data = tiny_dataset(classes=(HOSTILE, "b\"'", "c&d"))
    data.ids[0] = HOSTILE
    data.images[1] = 'x" onerror="alert(1)'
    state = trained(data)
    state.selected = 0
    state.cell = (0, 1)
    state.result_tab = "cell"
    html = "".join(
        [
            render.app(state),
            render.run_controls(state),
            render.prob_table(state, state.analysis()),
            render.scatter(state, state.analysis()),
        ]
    )
    assert "<img src=x" not in html
    assert 'onerror="alert(1)' not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_disabled_prerender_disables_every_control():
    html = render.app(ExplorerState(tiny_dataset()), enabled=False)
    for tag in re.findall(r"<(?:select|input)[^>]*>", html):
        assert " disabled" in tag, tag


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


def test_inf_thresholds_are_shown_as_a_dash():
    assert render.fmt(float("inf")) == "—"
    assert render.fmt(0.12345) == "0.123"


def test_comparisons_are_shown_with_enough_decimals_to_be_true():
    assert render.compared(0.9404, 0.9401) == ("0.9404", "0.9401")
    assert render.compared(0.94, 0.94) == ("0.940", "0.940")
    assert render.compared(0.5, 0.25) == ("0.500", "0.250")
    a, b = render.compared(0.93999996, 0.94)
    assert float(a) < float(b)


def test_row_number_ids_are_shown_as_numbers_not_class_names():
    data = tiny_dataset(classes=("0", "1", "2"))
    data.ids = [str(i) for i in range(len(data.ids))]
    data.row_ids = True
    state = trained(data)
    state.selected = 4
    html = render.detail(state, state.analysis())
    assert 'data-testid="detail-id">#4<' in html and "for #4" in html
