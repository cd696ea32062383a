"""The page side of `cleanlens explore`: the URL contract's parsing (pure; the fetches run in tests/e2e)."""

import json

import pytest

from cleanlens.web.explore_link import ExploreLinkError, data_url, export_body, parse_manifest, token_from_search

TOKEN = "A" * 20 + "_-b9"


def test_the_token_comes_from_the_query_only_when_well_formed():
    assert token_from_search(f"?explore={TOKEN}") == TOKEN
    assert token_from_search(f"?x=1&explore={TOKEN}") == TOKEN
    for search in ("", "?explore=", "?explore=short", f"?explore={TOKEN}&explore={TOKEN}", "?explore=a%2Fb" + "c" * 20):
        assert token_from_search(search) is None, search


def test_urls_stay_on_the_pages_origin():
    assert data_url(TOKEN, "manifest.json") == f"./explore/{TOKEN}/manifest.json"
    assert data_url(TOKEN, "files", "../x") == f"./explore/{TOKEN}/files/..%2Fx"


def test_the_manifest_is_checked():
    assert parse_manifest('{"files": ["data.csv"], "mode": "probabilities", "class_names": ["a", "b"]}') == (
        ["data.csv"],
        "probabilities",
        ["a", "b"],
    )
    for bad in ("[", "[]", '{"files": []}', '{"files": ["../x.npy"]}', '{"files": ["a", "b", "c", "d"]}',
                '{"files": ["a.csv"], "mode": "nope"}', '{"files": ["a.csv"], "class_names": [1]}'):  # fmt: skip
        with pytest.raises(ExploreLinkError):
            parse_manifest(bad)


def test_the_export_body():
    assert json.loads(export_body("x-fixes.csv", "id\n")) == {"name": "x-fixes.csv", "text": "id\n"}
