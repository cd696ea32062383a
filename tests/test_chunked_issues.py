"""cleanlab's find_label_issues, num_label_issues and health from blocks (cleanlens.chunked_issues, through
cleanlens.chunked.find_issues_streamed) equal the in-memory path (cleanlens.counting_arrays, cleanlab's numbers),
every filter, float32 and float64, continuous and tied probabilities, whichever way the selections resolve."""

import numpy as np
import pytest

from cleanlens import selection
from cleanlens.chunked import find_issues_streamed
from cleanlens.cli_issues import health_section
from cleanlens.confident_arrays import validate_arrays
from cleanlens.counting_arrays import ArrayCounts, find_label_issues_array, numpy_argsort
from cleanlens.filtering import FILTERS
from cleanlens.issues import LabelIssues
from cleanlens.tables import ArrayTable

from .test_chunked import synthetic


def mask_of_issues(found):
    return np.concatenate([m for _, m in found.mask.blocks()])


def quantised(probs, steps):
    """Rows rounded down to multiples of 1/steps, the remainder added to the largest: many equal keys."""
    q = np.floor(probs * steps)
    q[np.arange(len(q)), q.argmax(axis=1)] += steps - q.sum(axis=1)
    return (q / steps).astype(probs.dtype)


CASES = {
    "float32": lambda: synthetic(6_000, 5, seed=7)[:2],
    "float64": lambda: synthetic(6_000, 4, seed=3, dtype=np.float64)[:2],
    "tied": lambda: (lambda lab, p, _: (lab, quantised(p, 10)))(*synthetic(6_000, 4, seed=3, dtype=np.float64)),
    "tied32": lambda: (lambda lab, p, _: (lab, quantised(p, 1_000)))(*synthetic(6_000, 3, seed=5)),
}


@pytest.mark.parametrize("sample", [16_384, 40])
@pytest.mark.parametrize("case", list(CASES))
def test_every_filter_equals_the_in_memory_path(monkeypatch, case, sample):
    """``sample`` 40 forces the gathering pass and, with ties, groups sorted whole (a few at a time)."""
    monkeypatch.setattr(selection, "SAMPLE", sample)
    monkeypatch.setattr(selection, "MIN_SAMPLE", min(sample, selection.MIN_SAMPLE))
    monkeypatch.setattr(selection, "WHOLE_VALUES", 3_000)
    labels, probs = CASES[case]()
    counts = ArrayCounts(labels, probs)
    classes = [str(c) for c in range(probs.shape[1])]
    health = health_section(counts.calibrated, len(labels), classes, numpy_argsort, counts.num_label_issues())
    for filter_by in FILTERS:
        found = find_issues_streamed(labels, ArrayTable(probs), filter_by=filter_by, health=True, rows=997).issues
        expected = find_label_issues_array(counts, filter_by)
        assert np.array_equal(mask_of_issues(found), expected), filter_by
        assert found.count == expected.sum() and found.num_label_issues == counts.num_label_issues()
        assert found.health == health and found.ties == "numpy"


def test_portable_ties_are_the_pages(monkeypatch):
    monkeypatch.setattr(selection, "SAMPLE", 40)
    monkeypatch.setattr(selection, "MIN_SAMPLE", 40)
    labels, probs = CASES["tied"]()
    labels, probs = labels[:2_000], probs[:2_000]
    page = LabelIssues.compute(labels.tolist(), probs.tolist())
    for filter_by in ("prune_by_noise_rate", "both", "low_self_confidence"):
        found = find_issues_streamed(labels, ArrayTable(probs), filter_by=filter_by, ties="portable", health=True,
                                     rows=301).issues  # fmt: skip
        assert mask_of_issues(found).tolist() == page.find_label_issues(filter_by), filter_by
        assert found.health["overall_label_health_score"] == page.health().score


def test_renormalised_float32_rows_are_computed_as_the_in_memory_path_does():
    labels, probs = CASES["float32"]()
    scaled = (probs * 3).astype(np.float32)
    found = find_issues_streamed(labels, ArrayTable(scaled), filter_by="prune_by_noise_rate", renormalize=True)
    in_memory = validate_arrays(labels, scaled, renormalize=True)[1].astype(np.float32)  # cli.find_issues' arrays
    assert np.array_equal(mask_of_issues(found.issues), find_label_issues_array(ArrayCounts(labels, in_memory)))
