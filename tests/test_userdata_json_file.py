"""cleanlens.userdata.json_file: a JSON file in the demo schema."""

import hashlib
import json

from cleanlens.dataset import MAX_JSON_DEPTH, MAX_JSON_INT_DIGITS, MAX_JSON_STRING_BYTES
from cleanlens.userdata import (
    MAX_CLASSES,
    load_files,
)

from .test_userdata import (
    DEMO_JSON,
    demo_json,
    error,
)


def test_json_demo_dataset():
    data = DEMO_JSON.read_bytes()
    result = load_files([("fashion3.json", data)])
    assert result.mode == "embeddings"
    assert result.probabilities is None
    assert result.source_sha256 == hashlib.sha256(data).hexdigest()
    assert len(result.dataset) == 300
    assert result.dataset.classes == json.loads(data)["classes"]
    assert result.dataset.images[0].startswith("static/demo/")
    assert result.warnings == []
    assert result.dataset.provenance["source"] == "fashion3.json"
    assert result.dataset.provenance["declared"] == json.loads(data)["provenance"]


def test_json_errors():
    assert str(error([("d.json", b"{not json")])).startswith("d.json: not valid JSON (line 1, column 2")
    assert str(error([("d.json", b"\xff\xfe{}")])).startswith("d.json: not UTF-8 text")
    assert str(error([("d.json", b"[]")])) == "d.json: expected a JSON object with 'classes' and 'items'"
    assert "d.json: 4 items; embeddings mode needs at least 5" in str(error([("d.json", demo_json(4))]))
    assert "only one class ('cat')" in str(error([("d.json", demo_json(6, ("cat",)))]))
    data = json.loads(demo_json(6))
    data["classes"].append("bear")
    assert "class 'bear' has no items" in str(error([("d.json", json.dumps(data).encode())]))
    many = [f"c{i}" for i in range(MAX_CLASSES + 1)]
    assert f"{MAX_CLASSES + 1} classes; at most {MAX_CLASSES}" in str(error([("d.json", demo_json(60, many))]))
    assert "d.json: 6 rows; embeddings mode allows at most 5" in str(
        error([("d.json", demo_json(6))], max_embedding_rows=5)
    )


def test_json_names_are_stripped():
    data = json.loads(demo_json(6, (" cat ", "dog")))
    data["items"][1]["id"] = " i1\t"
    result = load_files([("d.json", json.dumps(data).encode())])
    assert result.dataset.classes == ["cat", "dog"]
    assert result.dataset.ids[:2] == ["i0", "i1"]
    data["items"][1]["id"] = " i0"
    assert str(error([("d.json", json.dumps(data).encode())])) == (
        "d.json: item 1's id 'i0' is the same as item 0's id (ignoring surrounding spaces)"
    )
    data = json.loads(demo_json(6, (" ", "dog")))
    assert str(error([("d.json", json.dumps(data).encode())])) == "d.json: classes[0] is blank"


def test_json_image_filtering():
    data = json.loads(demo_json(6))
    data["items"][0]["image"] = "https://evil.example/x.png"
    data["items"][1]["image"] = "static/demo/b.png"
    data["items"][2]["image"] = "data:text/html,<script>alert(1)</script>"
    result = load_files([("d.json", json.dumps(data).encode())])
    assert result.dataset.images == [None, "static/demo/b.png", None, None, None, None]
    assert result.warnings == ["2 image URLs were ignored (only data:image/… URIs and paths on this site are allowed)"]


def test_json_limits_at_and_past():
    def nested(depth):
        body = json.loads(demo_json(6))
        body["provenance"] = {"x": json.loads("[" * (depth - 1) + "]" * (depth - 1))}  # provenance adds one level
        return json.dumps(body).encode()

    assert load_files([("d.json", nested(MAX_JSON_DEPTH - 1))]).dataset.provenance["declared"]
    assert str(error([("d.json", nested(MAX_JSON_DEPTH))])) == "d.json: line 1: nested more than 100 levels deep"
    ok = json.loads(demo_json(6))
    ok["items"][0]["image"] = "data:image/png;base64," + "A" * (MAX_JSON_STRING_BYTES - 22)
    assert load_files([("d.json", json.dumps(ok).encode())]).dataset.images[0].endswith("A")
    ok["items"][0]["image"] += "A"
    assert str(error([("d.json", json.dumps(ok).encode())])) == "d.json: line 1: a string longer than 131,072 bytes"
    digits = "9" * MAX_JSON_INT_DIGITS
    text = demo_json(6).decode().replace("[0, 1.0]", f"[{digits}, 1.0]")
    assert load_files([("d.json", text.encode())]).dataset.features[0][0] == float(digits)
    text = demo_json(6).decode().replace("[0, 1.0]", f"[{digits}9, 1.0]")
    assert str(error([("d.json", text.encode())])) == (
        f"d.json: line 1, column {text.index(digits) + 1}: an integer of 309 digits is too large (at most 308 digits)"
    )
