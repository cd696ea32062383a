"""cleanlens.dataset: loading and validation of the demo schema."""

import json

import pytest

from cleanlens.dataset import OOD, DatasetError, dataset_from_dict, load_dataset, parse_dataset


def item(i, given="a", truth="a", embedding=(0.0, 1.0), **extra):
    return dict({"id": f"x{i}", "image": f"static/{i}.png", "given": given, "truth": truth, "embedding": list(embedding)}, **extra)


def make(items, classes=("a", "b")):
    return {"classes": list(classes), "items": items, "provenance": {"note": "test"}}


def test_parses_labels_truth_and_features():
    data = dataset_from_dict(make([item(0), item(1, given="b", truth="a"), item(2, given="a", truth="OOD")]))
    assert data.classes == ["a", "b"]
    assert data.given == [0, 1, 0]
    assert data.truth == [0, 0, OOD]
    assert data.features[1] == [0.0, 1.0]
    assert data.class_counts() == [2, 1]
    assert data.known_errors() == [1, 2]
    assert data.known_errors([0, 0, 0]) == [2]
    assert data.layout is None


def test_truth_and_layout_are_optional_but_all_or_none():
    data = dataset_from_dict(make([{"id": "p", "given": "a", "embedding": [1]}]))
    assert data.truth is None and data.known_errors() == []
    with pytest.raises(DatasetError, match="'truth' must be given for every item or for none"):
        dataset_from_dict(make([item(0), {"id": "q", "given": "a", "embedding": [0, 1]}]))
    with pytest.raises(DatasetError, match="'xy' must be given"):
        dataset_from_dict(make([item(0, xy=[1, 2]), item(1)]))


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("items"), "missing top-level key 'items'"),
        (lambda d: d.update(classes=["a", "a"]), "distinct"),
        (lambda d: d.update(classes=["a", "OOD"]), "reserved"),
        (lambda d: d["items"].append(item(0)), "item 2 \\(id 'x0'\\): duplicate id \\(also item 0\\)"),
        (lambda d: d["items"][1].update(given="c"), "item 1 \\(id 'x1'\\): unknown given label 'c'"),
        (lambda d: d["items"][1].update(truth="z"), "unknown true label 'z'"),
        (lambda d: d["items"][1].update(embedding=[1.0]), "'embedding' has 1 values, expected 2"),
        (lambda d: d["items"][0].update(embedding=[1.0, float("nan")]), "'embedding'\\[1\\] is not finite"),
        (lambda d: d["items"][0].update(embedding=[1.0, "x"]), "'embedding'\\[1\\] is not a number"),
        (lambda d: d["items"][0].pop("id"), "item 0: missing 'id'"),
    ],
)
def test_invalid_data_names_the_problem(mutate, message):
    data = make([item(0), item(1)])
    mutate(data)
    with pytest.raises(DatasetError, match=message):
        dataset_from_dict(data, "demo.json")


def test_invalid_json_names_file_line_and_column(tmp_path):
    with pytest.raises(DatasetError, match=r"bad.json: not valid JSON \(line 1, column"):
        parse_dataset('{"classes": [', "bad.json")
    path = tmp_path / "d.json"
    path.write_text(json.dumps(make([item(0)])))
    assert len(load_dataset(path)) == 1
    with pytest.raises(DatasetError, match="missing.json: cannot read"):
        load_dataset(tmp_path / "missing.json")
