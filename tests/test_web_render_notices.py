"""cleanlens.web.render.notices: the #warnings region (warnings, errors, link and data notes, session notices)."""

import pytest

from cleanlens.web import render
from cleanlens.web.state import ExplorerState

from .render_support import HOSTILE, HOSTILE_ESCAPED, parse
from .test_web_state import tiny_dataset


def test_labelling_warnings_are_an_alert_one_paragraph_each():
    state = ExplorerState(tiny_dataset(classes=("a", HOSTILE, "c")))
    assert render.warnings_panel(state) == ""
    for i in range(6, 12):
        state.relabel(i, 0)  # no item labelled HOSTILE any more
    html = render.warnings_panel(state)
    panel = parse(html).find(data_testid="warning")
    assert panel["role"] == "alert"
    assert [p.text() for p in panel.find_all("p")] == state.warnings()
    assert HOSTILE in panel.text() and "<img" not in html


def test_errors_name_the_exception_and_escape_its_message():
    assert render.error_message(KeyError("x")) == "KeyError: 'x'"
    html = render.internal_error(ValueError(HOSTILE))
    alert = parse(html).find(data_testid="internal-error")
    assert alert["role"] == "alert"
    assert f"ValueError: {HOSTILE}." in alert.text() and "<img" not in html
    html = render.training_problem(HOSTILE)
    assert parse(html).find(data_testid="training-error")["role"] == "alert" and HOSTILE_ESCAPED in html
    assert "by up to 3.2e-09 in a probability" in render.determinism_problem(3.2e-9)


@pytest.mark.parametrize(
    "render_notes, testid", [(render.link_notes, "link-notes"), (render.data_notes, "data-notes")], ids=["link", "data"]
)
def test_link_and_data_notes_appear_only_when_there_are_some(render_notes, testid):
    assert render_notes([]) == "" and render_notes(None) == ""
    html = render_notes(["first", HOSTILE])
    note = parse(html).find(data_testid=testid)
    assert "first" in note.text() and HOSTILE in note.text() and "<img" not in html


def test_session_notices_offer_the_right_choices():
    assert render.session_notices() == ""
    root = parse(render.session_notices(problem=HOSTILE))
    assert HOSTILE in root.find(data_testid="storage-problem").text()
    assert root.find(data_testid="storage-ok")["data-action"] == "notice-ok"
    root = parse(render.session_notices(restored="10:42", restore_notes=["item=99", HOSTILE]))
    restored = root.find(data_testid="session-restored")
    assert restored["role"] == "status"
    assert f"Not restored: item=99; {HOSTILE}." in restored.text()
    assert root.find(data_testid="start-over") and root.find(data_testid="notice-ok")
    root = parse(render.session_notices(conflict="10:43"))
    conflict = root.find(data_testid="session-conflict")
    assert conflict["role"] == "alert" and "(saved 10:43)" in conflict.text()
    assert root.find(data_testid="session-theirs") and root.find(data_testid="session-mine")


def test_start_over_asks_first_and_counts_what_it_discards():
    root = parse(render.session_notices(restored="10:42", confirming=1))
    confirm = root.find(data_testid="start-over-confirm")
    assert "discards 1 label change and decision," in confirm.text()
    assert root.find(data_testid="start-over-yes") and root.find(data_testid="start-over-no")
    assert not root.find_all(data_testid="session-restored")  # the question replaces the notice
    text = parse(render.session_notices(restored="10:42", confirming=1234)).text()
    assert "discards 1,234 label changes and decisions," in text
    assert render.session_notices(confirming=3) == ""  # nothing restored: nothing to start over from
