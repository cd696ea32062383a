"""cleanlens.dataset: loading and validation of the demo schema."""

import json

import pytest

from cleanlens.dataset import OOD, DatasetError, dataset_from_dict, load_dataset, parse_dataset


def item(i, given="a", truth="a", embedding=(0.0, 1.0), **extra):
    return dict(
        {"id": f"x{i}", "image": f"static/{i}.png", "given": given, "truth": truth, "embedding": list(embedding)},
        **extra,
    )


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


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["items"][0].update(given=["a"]), "item 0 \\(id 'x0'\\): unknown given label \\['a'\\]"),
        (lambda d: d["items"][0].update(truth={"a": 1}), "item 0 \\(id 'x0'\\): unknown true label \\{'a': 1\\}"),
        (
            lambda d: d["items"][0].update(embedding=[10**400, 1.0]),
            "'embedding'\\[0\\] is not finite: <an integer of 401 digits>",
        ),
        (lambda d: d["items"][0].update(id=10**30), "'id' must be a non-empty string"),
        (lambda d: d["items"][0].update(given="a" * 1000), "unknown given label 'aaaa.*…"),
    ],
)
def test_values_of_the_wrong_type_are_explained(mutate, message):
    data = make([item(0), item(1)])
    mutate(data)
    with pytest.raises(DatasetError, match=message):
        dataset_from_dict(data, "demo.json")


def test_json_shape_limits_and_pieces():
    from cleanlens.dataset import MAX_JSON_DEPTH, JsonShape

    text = json.dumps(make([item(0), item(1)], ("a", "b"))).encode()
    for size in (1, 2, 7, 64):  # the same result whatever the pieces
        shape = JsonShape("d.json")
        for start in range(0, len(text), size):
            shape.feed(text[start : start + size])
        shape.close()
        assert shape.depth == 0 and shape.tokens > 20
    ok = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    JsonShape("d.json").feed(ok)
    with pytest.raises(DatasetError, match="^d.json: line 3: nested more than 100 levels deep$"):
        JsonShape("d.json").feed(b"\n\n" + b"[" * (MAX_JSON_DEPTH + 1))
    brackets_in_strings = b'["' + b"[" * 500 + b'\\"' + b"{" * 500 + b'"]'
    JsonShape("d.json").feed(brackets_in_strings)
    with pytest.raises(DatasetError, match="^d.json: line 1: more than 3 values, brackets and separators$"):
        JsonShape("d.json", max_tokens=3).feed(b"[1,2,3]")
    JsonShape("d.json", max_tokens=4).feed(b"[1,2,3]")  # [ , , ]: 4 tokens, at the limit
    with pytest.raises(DatasetError, match="^d.json: line 2: a string longer than 131,072 bytes$"):
        shape = JsonShape("d.json")
        shape.feed(b'[\n"' + b"x" * 100_000)
        shape.feed(b"x" * 100_000)


def test_parse_dataset_refuses_deep_and_huge_text():
    with pytest.raises(DatasetError, match="nested more than 100 levels"):
        parse_dataset("[" * 100_000 + "]" * 100_000, "deep.json")
    with pytest.raises(DatasetError, match="^d.json: line 1, column 2: an integer of 5,000 digits is too large"):
        parse_dataset("[" + "1" * 5000 + "]", "d.json")
    with pytest.raises(DatasetError, match="^d.json: line 2, column 7: an integer of 400 digits"):
        parse_dataset(
            '["1111111111111111111111111111111111111111111111111111111111111111111111111111111",\n 1.5, '
            + "2" * 400
            + "]",
            "d.json",
        )
