"""The fixing plan: cleanlab's list and order, the suggested labels, the odds, and Accept all on real data."""

import math
import warnings

import numpy as np
import pytest
from cleanlab.count import estimate_joint
from cleanlab.filter import find_label_issues
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from cleanlens.confident import ConfidentLearning
from cleanlens.counting import ConfidentCounts
from cleanlens.fixing import (
    LIKELY_ODDS,
    RULES,
    FixingError,
    Outcome,
    iter_plan,
    noise_estimate,
    odds,
    plan,
)
from cleanlens.issues import LabelIssues
from cleanlens.steps import collect
from tests.cleanlab_support import make_inputs, numpy_argsort


def flip(truth, rate, seed, k):
    rng = np.random.default_rng(seed)
    noisy = truth.copy()
    for i in rng.choice(len(truth), int(round(rate * len(truth))), replace=False):
        noisy[i] = rng.choice([c for c in range(k) if c != truth[i]])
    return noisy


@pytest.fixture(scope="module")
def digits():
    """scikit-learn's digits, 6% of the labels flipped, out-of-fold probabilities of a logistic regression."""
    x, truth = load_digits(return_X_y=True)
    noisy = flip(truth, 0.06, 0, 10)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        probs = cross_val_predict(model, x, noisy, cv=5, method="predict_proba")
    return truth, noisy, probs


def exact_issues(labels, rows):
    """LabelIssues sorting as numpy does on this machine, so that cleanlab's results are matched bit for bit."""
    return LabelIssues(ConfidentCounts.compute(labels, rows, argsort=numpy_argsort))


def test_the_list_is_cleanlabs_ranked_by_self_confidence(digits):
    truth, noisy, probs = digits
    labels, rows = noisy.tolist(), probs.tolist()
    result = plan(labels, rows, issues=exact_issues(labels, rows))
    expected = find_label_issues(noisy, probs, return_indices_ranked_by="self_confidence")
    assert result.issues == expected.tolist()
    assert result.suggested == probs.argmax(1)[expected].tolist()
    assert all(s != labels[i] for i, s in zip(result.issues, result.suggested))


def test_odds_follow_cleanlabs_noise_estimate(digits):
    _, noisy, probs = digits
    result = plan(noisy.tolist(), probs.tolist(), issues=exact_issues(noisy.tolist(), probs.tolist()))
    joint = estimate_joint(noisy, probs)
    noise = joint / joint.sum(axis=0, keepdims=True)
    np.testing.assert_allclose(result.noise, noise, rtol=1e-12)
    i, s, g = np.array(result.issues), np.array(result.suggested), noisy[result.issues]
    expected = noise[g, s] * probs[i, s] / (noise[g, g] * probs[i, g])
    np.testing.assert_allclose(result.odds, expected, rtol=1e-12)
    assert result.likely == [j for j, o in zip(result.issues, result.odds) if o >= LIKELY_ODDS]


def test_accept_all_at_the_defaults_leaves_fewer_known_errors(digits):
    truth, noisy, probs = digits
    result = plan(noisy.tolist(), probs.tolist())
    outcome = result.outcome(truth.tolist())
    assert outcome.changed == len(result.likely) > 0
    assert outcome.errors_after < outcome.errors_before == 108
    assert outcome.fixed > outcome.broken and outcome.precision > 0.5
    assert result.num_label_issues == 102  # cleanlab's count.num_label_issues on these probabilities
    for accept in ("worst", "all"):
        other = result.outcome(truth.tolist(), result.changes(accept))
        assert other.changed == (result.num_label_issues if accept == "worst" else len(result.issues))


def test_outcome_counts_fixed_broken_and_neither():
    labels = [0, 0, 1, 1, 2, 2]
    truth = [1, 0, 1, 2, -1, 2]
    result = plan(labels, [[1 / 3] * 3] * 6)
    changes = [(0, 1), (1, 2), (3, 0), (4, 0)]  # a fix, a break, wrong to another wrong, an OOD item
    assert result.outcome(truth, changes) == Outcome(
        changed=4, errors_before=3, errors_after=3, fixed=1, broken=1, precision=0.5
    )
    assert result.outcome(truth, []).precision is None
    with pytest.raises(FixingError, match="5 true labels for 6 items"):
        result.outcome(truth[:5])


@pytest.mark.parametrize("rule", ["percentile", "confident_joint"])
def test_other_rules_list_the_pages_label_issues(digits, rule):
    _, noisy, probs = digits
    labels, rows = noisy.tolist(), probs.tolist()
    page = ConfidentLearning(labels, rows).categorize(50, 15, rule="cleanlab" if rule != "percentile" else rule)
    result = plan(labels, rows, rule, class_percentile=50)
    assert sorted(result.issues) == page.label_issues
    assert result.suggested == [page.suggested[i] for i in result.issues]
    quality = [rows[i][labels[i]] for i in result.issues]
    assert quality == sorted(quality)  # worst first


def test_changes_choices_and_errors():
    labels, rows = make_inputs(300, 4, seed=3)
    result = plan(labels.tolist(), rows.tolist())
    pairs = list(zip(result.issues, result.suggested))
    assert result.changes("all") == pairs
    assert result.changes("worst", 2) == pairs[:2]
    assert result.changes("worst") == pairs[: result.num_label_issues]
    assert result.changes("worst", -1) == []
    with pytest.raises(FixingError, match="unknown choice"):
        result.changes("some")
    with pytest.raises(FixingError, match="unknown rule"):
        plan(labels.tolist(), rows.tolist(), "vote")
    assert set(RULES) == {"find_label_issues", "confident_joint", "percentile"}


def test_odds_edges():
    noise = [[0.9, 0.2], [0.1, 0.8]]
    assert odds(noise, [0.3, 0.7], 0, 1) == pytest.approx(0.2 * 0.7 / (0.9 * 0.3))
    assert odds(noise, [0.0, 1.0], 0, 1) == math.inf
    assert odds([[0.0, 0.0], [0.0, 1.0]], [0.0, 1.0], 0, 1) == 0.0
    assert noise_estimate([[3, 0], [1, 0]]) == [[0.75, 0.0], [0.25, 0.0]]


def test_steps_and_float32_give_the_same_plan():
    labels, rows = make_inputs(12_000, 10, seed=5)
    values, stepped = collect(iter_plan(labels.tolist(), rows.tolist()))
    assert len(values) > 3 and set(values) == {None}
    direct = plan(labels.tolist(), rows.tolist())
    assert (stepped.issues, stepped.odds) == (direct.issues, direct.odds)
    labels32, rows32 = make_inputs(500, 3, dtype="float32", seed=6)
    ours = plan(labels32.tolist(), rows32.tolist(), dtype="float32", issues=None)
    theirs = LabelIssues.compute(labels32.tolist(), rows32.tolist(), dtype="float32").find_label_issues()
    assert sorted(ours.issues) == [i for i, flagged in enumerate(theirs) if flagged]


def test_decided_items_are_left_out_and_the_summary_says_what_will_happen(digits):
    truth, noisy, probs = digits
    result = plan(noisy.tolist(), probs.tolist())
    likely = result.changes()
    decided = {likely[0][0], result.issues[-1]}
    assert result.changes(decided=decided) == likely[1:]
    assert result.changes("worst", 3, decided) == [p for p in result.changes("all")[:3] if p[0] not in decided]
    text = result.summary(decided=decided, truth=truth.tolist())
    outcome = result.outcome(truth.tolist(), likely[1:])
    assert text.startswith(f"Accept all will change {len(likely) - 1:,} labels, the likely fixes among the ")
    assert f"cleanlab estimates {result.num_label_issues} label errors in the data" in text
    assert f"{len(result.issues) - 2 - (len(likely) - 1)} more are left for you to review" in text
    assert text.endswith(f"known errors {outcome.errors_before} -> {outcome.errors_after}).")
    assert "the worst-ranked of" in result.summary("worst", 5) and "Against" not in result.summary("all")


def test_overconfident_probabilities_change_nothing_by_default(digits):
    """GaussianNB on digits: 0.97 mean top probability, 69% agreement; every choice makes the labels worse."""
    from sklearn.naive_bayes import GaussianNB

    truth, noisy, _ = digits
    x, _ = load_digits(return_X_y=True)
    probs = cross_val_predict(GaussianNB(), x, noisy, cv=5, method="predict_proba")
    result = plan(noisy.tolist(), probs.tolist())
    assert result.confidence == pytest.approx(probs.max(1).mean(), rel=1e-12)
    assert result.agreement == pytest.approx((probs.argmax(1) == noisy).mean())
    assert result.overconfident and result.changes() == []
    assert result.outcome(truth.tolist(), result.changes("all")).errors_after > 300
    assert "These probabilities are overconfident" in result.summary()
    calibrated = plan(noisy.tolist(), digits[2].tolist())
    assert not calibrated.overconfident and abs(calibrated.confidence - calibrated.agreement) < 0.1


def test_the_temperature_brings_the_mean_top_probability_to_the_agreement():
    from cleanlens.fixing import iter_temperature
    from cleanlens.steps import drain

    rows = [[0.97, 0.02, 0.01], [0.9, 0.1, 0.0], [0.2, 0.75, 0.05], [0.99, 0.005, 0.005]] * 50
    top = [max(r) for r in rows]
    t = drain(iter_temperature(rows, top, 0.75))
    assert t > 1
    tempered = [max(v ** (1 / t) for v in r) / sum(v ** (1 / t) for v in r) for r in rows]
    assert math.isclose(sum(tempered) / len(rows), 0.75, rel_tol=2e-3)
    assert drain(iter_temperature(rows, top, 0.99)) == 1.0  # not overconfident: never sharpened
