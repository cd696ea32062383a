"""cleanlens.report: export rows, audit header, CSV and JSON text."""

import csv
import io
import json
from datetime import datetime, timezone

from cleanlens import report
from cleanlens.web.state import ExplorerState

from .test_web_state import probabilities_for, tiny_dataset

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)


def trained_state():
    data = tiny_dataset()
    state = ExplorerState(data, source_name="tiny.json", source_sha256="ab" * 32)
    state.finish_training(list(data.given), probabilities_for(data.given),
                          {"engine": "builtin", "engine_version": "cleanlens 0.1.0", "C": 3.0, "gamma": 0.003,
                           "seed": 0, "folds": 5, "seconds": 0.1})
    return state


def test_rows_follow_the_engine_and_the_decisions():
    state = trained_state()
    result = state.analysis()
    issue = result.label_issues[0]
    assert state.accept(issue)
    state.exclude(5)
    state.relabel(7, 2)
    rows = report.export_rows(state.dataset, result, state.training.self_confidence, state.labels, state.decisions)
    assert [r["id"] for r in rows] == state.dataset.ids
    assert rows[issue]["decision"] == "accept"
    assert rows[issue]["label"] == state.dataset.classes[result.suggested[issue]] == rows[issue]["suggested"]
    assert rows[5]["decision"] == "exclude" and rows[7]["decision"] == "relabel" and rows[8]["decision"] == ""
    for i, row in enumerate(rows):
        assert row["category"] == ["correct", "label_issue", "ood", "unconfident"][result.categories[i]]
        assert row["self_confidence"] == state.training.self_confidence[i]


def test_csv_and_json_carry_the_same_rows_and_the_audit():
    state = trained_state()
    name, text = state.export("csv", now=NOW)
    assert name == "tiny-fixes.csv"
    lines = text.splitlines()
    audit = dict(line[2:].split(": ", 1) for line in lines if line.startswith("# "))
    assert audit["dataset_sha256"] == "ab" * 32 and audit["created"] == "2026-11-28T12:00:00Z"
    assert audit["rule"] == "percentile" and audit["engine"] == "builtin" and audit["seed"] == "0"
    rows = list(csv.DictReader(io.StringIO("\n".join(line for line in lines if not line.startswith("# ")))))
    name, text = state.export("json", now=NOW)
    assert name == "tiny-fixes.json"
    data = json.loads(text)
    assert data["audit"]["class_thresholds"].keys() == {"a", "b", "c"}
    assert len(rows) == len(data["items"]) == len(state.dataset.ids)
    for r, j in zip(rows, data["items"]):
        assert r["id"] == j["id"] and r["category"] == j["category"]
        assert float(r["self_confidence"]) == j["self_confidence"]


def test_infinite_thresholds_are_null_in_json():
    state = trained_state()
    for i in range(6, 12):
        state.relabel(i, 0)
    state.finish_training(list(state.labels), probabilities_for(state.labels), state.training.info)
    data = json.loads(state.export("json", now=NOW)[1])
    assert data["audit"]["class_thresholds"]["b"] is None
