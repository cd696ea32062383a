"""cleanlens.userdata.common: image URLs, hostile text."""

import pytest

from cleanlens.userdata import (
    allowed_image,
    load_files,
)

from .test_userdata import (
    HOSTILE,
    csv_bytes,
    error,
)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "http://evil.example/x.png",
        "https://evil.example/x.png",
        "//evil/x.png",
        "\\\\evil\\x.png",
        "/\\evil/x.png",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "a:b.png",
    ],
)
def test_disallowed_image_urls(url):
    assert allowed_image(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "data:image/png;base64,iVBORw0KGgo=",
        "DATA:image/svg+xml,<svg/>",
        "static/demo/a.png",
        "/static/a.png",
        "img/a b:c.png",
    ],
)
def test_allowed_image_urls(url):
    assert allowed_image(f"  {url} ") == url


def test_image_column_filtering_in_csv():
    urls = [
        "javascript:alert(1)",
        "http://evil.example/x.png",
        "//evil/x.png",
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:image/png;base64,iVBORw0KGgo=",
        "static/demo/a.png",
    ]
    rows = [f'{"cat" if i % 2 else "dog"},"{url}",{i}' for i, url in enumerate(urls)]
    result = load_files([("e.csv", csv_bytes("label,image,x", *rows))])
    assert result.dataset.images == [None, None, None, None, "data:image/png;base64,iVBORw0KGgo=", "static/demo/a.png"]
    assert result.warnings == ["4 image URLs were ignored (only data:image/… URIs and paths on this site are allowed)"]


def test_hostile_text_is_kept_verbatim():
    header = f'id,label,"{HOSTILE}",<script>x</script>'
    rows = [f'"{HOSTILE}{i}","{HOSTILE}",0.9,0.1' if i % 2 else f"id{i},<script>x</script>,0.2,0.8" for i in range(4)]
    result = load_files([("p.csv", csv_bytes(header, *rows))])
    assert result.mode == "probabilities"
    assert result.dataset.classes == [HOSTILE, "<script>x</script>"]
    assert result.dataset.ids == ["id0", f"{HOSTILE}1", "id2", f"{HOSTILE}3"]
    exc = error([("p.csv", csv_bytes("label,a,b", f'"{HOSTILE}",0.5,0.5'))], mode="probabilities")
    assert f"unknown label {HOSTILE!r}" in str(exc)
