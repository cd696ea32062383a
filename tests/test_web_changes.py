"""cleanlens.web.changes: the vocabulary between the state and the screen."""

import pytest

from cleanlens.web.changes import ASPECTS, IN_URL, LABELS, NOTHING, SAVED, THRESHOLDS, Changes, changed


def test_changes_unite_and_say_what_they_touched():
    a, b = changed(LABELS, items=[3]), changed(THRESHOLDS)
    both = a | b
    assert LABELS in both and THRESHOLDS in both and both.items == {3}
    assert both.touches({THRESHOLDS, "cell"}) and not a.touches({THRESHOLDS})
    assert not NOTHING and both and (NOTHING | a) == a


def test_only_known_aspects():
    with pytest.raises(ValueError, match="unknown aspects"):
        changed("colour")


def test_saved_and_url_aspects_are_aspects():
    assert SAVED <= set(ASPECTS) and IN_URL <= set(ASPECTS)
    assert Changes() == NOTHING
