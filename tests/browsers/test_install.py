"""A browser that is not installed fails its tests with one line saying what to install (no browser started)."""

from . import browsers


def test_a_missing_browser_is_named_in_one_line(monkeypatch):
    monkeypatch.setattr(browsers, "FIREFOX", "/nonexistent/firefox-esr")
    monkeypatch.setattr(browsers, "XVFB", "/nonexistent/Xvfb")
    firefox, webkit = browsers.missing("firefox"), browsers.missing("webkit")
    assert firefox.startswith("firefox: firefox-esr not installed: run `apt-get install -y firefox-esr`")
    assert "xvfb" in webkit and "apt-get install -y" in webkit
    assert "\n" not in firefox + webkit


def test_the_recorder_is_only_in_the_test_copy(tmp_path):
    site = tmp_path / "dist"
    (site / "static").mkdir(parents=True)
    page = '<head>\n  <script src="./static/boot.js"></script>\n</head>'
    (site / "index.html").write_text(page)
    copy = browsers.instrumented_site(site, tmp_path / "copy")
    assert (site / "index.html").read_text() == page and not (site / "static" / "test-recorder.js").exists()
    html = (copy / "index.html").read_text()
    assert html.index(browsers.RECORDER_URL) < html.index("boot.js")
    assert '"./static/test-recorder.js"' in (copy / "sw.js").read_text()  # the offline reload serves it too
