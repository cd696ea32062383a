"""cleanlens.web.render.page: the whole explorer (render.app): contract test ids, regions, escaping, references."""

import re
from collections import Counter
from pathlib import Path

from cleanlens.web import render
from cleanlens.web.regions import REGIONS
from cleanlens.web.state import ExplorerState

from .render_support import HOSTILE, HOSTILE_ESCAPED, parse, trained
from .test_web_state import tiny_dataset

ROOT = Path(__file__).resolve().parent.parent


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


def test_user_text_is_escaped_everywhere():
    data = tiny_dataset(classes=(HOSTILE, "b\"'", "c&d"))
    data.ids[0] = HOSTILE
    data.images[1] = 'x" onerror="alert(1)'
    state = trained(data)
    state.view.selected = 0
    state.view.cell = (0, 1)
    state.view.result_tab = "cell"
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
    assert HOSTILE_ESCAPED in html


def test_disabled_prerender_disables_every_control():
    html = render.app(ExplorerState(tiny_dataset()), enabled=False)
    for tag in re.findall(r"<(?:select|input)[^>]*>", html):
        assert " disabled" in tag, tag


def regions_of_the_glue():
    """The ids of the regions the glue re-renders (the region table)."""
    return [region.id for region in REGIONS]


def test_every_region_the_glue_re_renders_is_in_the_page():
    page = parse(render.app(trained()))
    index = (ROOT / "index.html").read_text(encoding="utf-8")
    regions = regions_of_the_glue()
    assert "detail" in regions and "panel-center" in regions
    for region in regions:
        in_page = len(page.find_all(id=region))
        assert in_page == 1 or (in_page == 0 and f'id="{region}"' in index), region


def test_the_page_is_well_formed_and_its_references_resolve():
    state = trained()
    state.view.selected, state.view.preview = 0, 7
    for tab in ("joint", "scatter", "table", "sweep"):
        state.view.center_tab = tab
        state.dataset.layout = [(x, y) for x, y in state.dataset.features]
        page = parse(render.app(state) + render.run_controls(state) + render.engine_settings(state))
        ids = Counter(e["id"] for e in page.iter() if "id" in e.attrs)
        assert [i for i, n in ids.items() if n > 1] == [], tab
        for element in page.iter():
            for name in ("aria-labelledby", "aria-controls", "for"):
                if name in element.attrs:
                    assert ids[element[name]] == 1, (tab, element)
        panel = page.find(id="panel-center")
        assert page.find(id=panel["aria-labelledby"])["aria-selected"] == "true"


def test_the_page_before_training_shows_the_data_and_waits_for_results():
    state = ExplorerState(tiny_dataset())
    page = parse(render.app(state))
    assert len(page.find("ul", data_testid="tiles").find_all("li")) == 18
    assert page.find(id="dataset-count").text() == "18 items"  # (no images)
    assert page.find(id="panel-results").text() == "Results appear after training."
    assert {page.find(data_testid=t).text() for t in render.COUNT_TESTIDS.values()} == {"–"}
    assert page.find(id="known-errors").text() == "Known errors: 1"
