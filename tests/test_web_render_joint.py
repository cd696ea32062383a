"""cleanlens.web.render.joint: the confident joint (counts, cells as buttons, thumbnails, compact when large)."""

import re

from cleanlens.web import render
from cleanlens.web.state import ExplorerState

from .render_support import HOSTILE, parse, trained
from .test_web_state import tiny_dataset


def test_counts_and_joint_cells_show_the_engines_numbers():
    state = trained()
    result = state.analysis()
    joint = render.joint_matrix(state, result)
    for g, row in enumerate(result.joint):
        for s, n in enumerate(row):
            assert re.search(
                rf'data-testid="joint-cell-{g}-{s}"[^>]*><span class="head"><span><span class="jcount">{n}<', joint
            )


def test_each_cell_is_a_button_that_says_what_it_holds():
    state = trained(tiny_dataset(classes=("a", HOSTILE, "c")))
    state.view.cell = (0, 1)
    html = render.joint_matrix(state, state.analysis())
    root = parse(html)
    assert [th.text() for th in root.find_all("th", scope="col")] == ["a", HOSTILE, "c"]
    assert [th["title"] for th in root.find_all("th", scope="row")] == ["a", HOSTILE, "c"]
    cell = root.find("button", data_testid="joint-cell-0-1")
    assert (cell["data-action"], cell["data-g"], cell["data-s"]) == ("cell", "0", "1")
    noun = "image" if state.analysis().joint[0][1] == 1 else "images"
    assert cell.find("span", class_="sr-only").text() == f"{noun} given a, suggested {HOSTILE}"
    pressed = [b["data-testid"] for b in root.find_all("button") if b["aria-pressed"] == "true"]
    assert pressed == ["joint-cell-0-1"]
    assert cell.parent.has("class", "chosen") and cell.parent.has("class", "off")
    assert root.find("button", data_testid="joint-cell-2-2").parent.has("class", "diag")
    assert "<img" not in html


def test_thumbnails_where_they_fit_with_how_many_more():
    data = tiny_dataset(n_per_class=20)
    data.images = [f"demo/{i}.png" for i in range(len(data.ids))]
    state = trained(data)
    result = state.analysis()
    limit = render.joint_thumbnails(state)
    assert limit == 12
    root = parse(render.joint_matrix(state, result))
    for g in range(3):
        for s in range(3):
            ids = result.joint_ids[g][s]
            cell = root.find("button", data_testid=f"joint-cell-{g}-{s}")
            thumbs = cell.find("span", class_="thumbs").find_all("img")
            assert [t["data-i"] for t in thumbs] == [str(i) for i in list(ids)[:limit]]
            assert all(t["alt"] == "" for t in thumbs)  # decorative: the cell says its count
            more = cell.find_all("span", class_="more")
            assert [m.text() for m in more] == ([f"+{len(ids) - limit} more"] if len(ids) > limit else [])


def test_no_thumbnails_without_images_or_with_many_classes():
    assert render.joint_thumbnails(trained()) == 0
    root = parse(render.joint_matrix(trained(), trained().analysis()))
    assert not root.find_all("span", class_="thumbs")
    data = tiny_dataset(n_per_class=2, classes=tuple(f"k{n}" for n in range(9)))
    data.images = [f"demo/{i}.png" for i in range(len(data.ids))]
    assert render.joint_thumbnails(ExplorerState(data)) == 0


def test_many_classes_make_a_compact_table_and_none_before_training():
    classes = tuple(f"k{n}" for n in range(render.COMPACT_JOINT + 1))
    state = trained(tiny_dataset(n_per_class=2, classes=classes))
    table = parse(render.joint_matrix(state, state.analysis())).find("table")
    assert table.has("class", "compact") and len(table.find_all("button")) == len(classes) ** 2
    classes = classes[: render.COMPACT_JOINT]
    state = trained(tiny_dataset(n_per_class=2, classes=classes))
    assert not parse(render.joint_matrix(state, state.analysis())).find("table").has("class", "compact")
    assert "after training" in render.joint_matrix(ExplorerState(tiny_dataset()), None)
