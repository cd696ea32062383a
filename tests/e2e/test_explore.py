"""`cleanlens explore`: the page opened on the served data, the decisions coming back, and nothing else served."""

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import build
import cleanlens
from cleanlens.cli import main
from cleanlens.confident import CATEGORIES

from .conftest import wait_until_started
from .expected import own_categorize, page_counts
from .userfiles import digits

ROOT = Path(__file__).resolve().parents[2]


def status(url, method="GET", data=None, headers=None):
    request = urllib.request.Request(url, method=method, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def files(tmp_path):
    _, labels, pred_probs = digits()
    np.save(tmp_path / "labels.npy", labels)
    np.save(tmp_path / "pred_probs.npy", pred_probs)
    return tmp_path


def test_the_command_serves_the_data_to_the_page_and_nothing_else(site, page, files, capsys):
    assert main(["find-issues", "--labels", str(files / "labels.npy"), "--pred-probs", str(files / "pred_probs.npy"),
                 "--ties", "portable", "--json"]) == 0  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    labels, pred_probs = np.load(files / "labels.npy"), np.load(files / "pred_probs.npy")
    counts = own_categorize(labels.tolist(), pred_probs.tolist(), pred_probs.shape[1]).counts  # the page's rule
    command = [sys.executable, "-m", "cleanlens", "explore", "--no-browser", "--labels", str(files / "labels.npy"),
               "--pred-probs", str(files / "pred_probs.npy")]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(ROOT / "py"))
    # Ctrl-C as in a terminal: a test run started in the background (`cmd &`, as CI may) ignores SIGINT, and a
    # child inherits that, so without this the command would never see the signal this test sends.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    try:
        line = process.stdout.readline()
        url = line.split()[-1]
        assert line.startswith("Cleanlens is open on your data at http://127.0.0.1:") and "?explore=" in url
        base, token = url.split("/?explore=")
        page.goto(url)
        assert wait_until_started(page) == "ready"
        assert page_counts(page) == {c: counts[c] for c in CATEGORIES}
        assert page_counts(page)["label_issue"] == report["find_label_issues"]["count"]  # cleanlab's, as the CLI says
        # the data need the token; nothing outside the site is served; a foreign Host is refused
        assert status(f"{base}/explore/{token}/manifest.json") == 200
        assert status(f"{base}/explore/{token[:-1]}x/manifest.json") == 403
        assert status(f"{base}/explore/manifest.json") == 403
        assert status(f"{base}/explore/{token}/files/other.npy") == 404
        json_type = {"Content-Type": "application/json"}
        assert status(f"{base}/explore/{token[:-1]}x/export", "POST", b"{}", json_type) == 403
        assert status(f"{base}/explore/{token}/manifest.json", headers={"Host": "attacker.example"}) == 403
        for outside in ("/../pyproject.toml", "/%2e%2e/build.py", "/py/cleanlens/cli.py", "/static/../../README.md"):
            assert status(base + outside) == 404, outside
        assert status(f"{base}/static/app.css") == 200
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0 and err == "Cleanlens explore stopped.\n" and out == ""


def test_the_api_with_ids_and_images_gets_the_decisions_back(site, page, tmp_path):
    _, labels, pred_probs = digits()
    n = 300
    labels, pred_probs = labels[:n], pred_probs[:n]
    sheet = (ROOT / "static" / "demo").glob("*.png")
    image = next(iter(sorted(sheet)), None) or next(iter(sorted((build.DIST / "static").rglob("*.png"))))
    folder = tmp_path / "images"
    folder.mkdir()
    ids = [f"digit-{i:03d}" for i in range(n)]
    for item in ids[:-1]:  # every item but the last has an image
        (folder / f"{item}.png").write_bytes(image.read_bytes())
    names = [f"d{c}" for c in range(10)]
    expected = cleanlens.find_issues(labels, pred_probs, class_names=names, ids=ids, rule="prune_by_noise_rate")
    with cleanlens.explore(
        labels, pred_probs, class_names=names, ids=ids, images=folder, open_browser=False, quiet=True
    ) as exploration:
        assert exploration.decisions() is None
        page.goto(exploration.url)
        assert wait_until_started(page) == "ready"
        assert page.locator("#tiles img").count() >= 1
        src = page.locator("#tiles img").first.get_attribute("src")
        assert f"explore/{exploration.token}/images/" in src
        issue = expected.index[expected["is_label_issue"]][0]
        page.locator(f'#tiles button[data-i="{issue}"]').click()
        page.get_by_test_id("accept").click()
        with page.expect_download():
            page.get_by_test_id("export-csv").click()
        decisions = exploration.wait(timeout=30)
    assert list(decisions.columns[:6]) == list(expected.columns) and len(decisions) == n
    assert decisions["id"].tolist() == ids and decisions["category"].tolist() == expected["category"].tolist()
    assert decisions.loc[issue, "decision"] == "accept"
    assert decisions.loc[issue, "final_label"] == expected.loc[issue, "suggested"]
    assert decisions["decision"].notna().sum() == 1
