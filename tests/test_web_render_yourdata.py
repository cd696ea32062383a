"""cleanlens.web.render.yourdata: the Your data dialog, its recent datasets and a file's error."""

from cleanlens import userdata
from cleanlens.web import BUILTIN_EMBEDDING_ROWS, SKLEARN_EMBEDDING_ROWS, render

from .render_support import HOSTILE, HOSTILE_ESCAPED, parse


def test_the_dialog_offers_files_modes_and_states_the_limits():
    root = parse(render.byo_dialog())
    dialog = root.find("dialog", id="byo")
    assert root.find(id=dialog["aria-labelledby"]).text() == "Use your own data"
    files = dialog.find("input", data_testid="byo-files")
    assert (
        files["type"] == "file" and files.has("multiple") and files["accept"] == ".csv,.npy,.json,.txt,.zip"
    )  # .txt: classes.txt
    assert dialog.find("label", for_="byo-files") and dialog.find("label", for_="byo-classes")
    modes = dialog.find_all("input", type="radio")
    assert [m["value"] for m in modes] == ["auto", "probabilities", "embeddings"]
    assert [m["value"] for m in modes if m.has("checked")] == ["auto"]
    limits = dialog.find("details").text()
    assert f"up to {userdata.MAX_PROBABILITY_ROWS:,} rows" in limits
    assert f"up to {SKLEARN_EMBEDDING_ROWS:,} rows (over {BUILTIN_EMBEDDING_ROWS:,}, scikit-learn is loaded" in limits
    assert f"{BUILTIN_EMBEDDING_ROWS:,} if this browser cannot run the training worker" in limits
    assert f"At most {userdata.MAX_CLASSES} classes and {userdata.MAX_FILE_BYTES // 2**20} MiB per file." in limits
    assert dialog.find(data_testid="byo-message")["role"] == "alert"
    assert [b["data-testid"] for b in dialog.find("div", class_="guide-nav").find_all("button")] == [
        "byo-load",
        "byo-demo",
        "byo-close",
    ]


def test_recent_datasets_open_or_delete_the_others():
    entries = [
        {"key": "k1", "name": "demo", "items": 300, "changes": 0, "saved": "10:00"},
        {"key": 'k2" onclick="x', "name": HOSTILE, "items": 12345, "changes": 1, "saved": "11:00"},
        {"key": "k3", "name": "c.csv", "items": None, "changes": 2, "saved": HOSTILE},
    ]
    html = render.recent_datasets(entries, "k1")
    root = parse(html)
    rows = root.find("ul", data_testid="recent").find_all("li")
    assert [li["data-key"] for li in rows] == ["k1", 'k2" onclick="x', "k3"]
    assert "onclick" not in [a for li in rows for a in li.attrs]
    assert rows[0].find_all("span", class_="muted")[0].text() == "300 items · saved 10:00"
    assert "open now" in rows[0].text() and not rows[0].find_all("button")
    assert rows[1].find("span", class_="name").text() == HOSTILE
    assert rows[1].find_all("span", class_="muted")[0].text() == "12,345 items, 1 change · saved 11:00"
    delete = rows[1].find("button", data_action="session-delete")
    assert delete["aria-label"] == f"Delete the saved session of {HOSTILE}" and delete["data-key"] == 'k2" onclick="x'
    said = rows[2].find_all("span", class_="muted")[0].text()
    assert "items" not in said and "2 changes" in said and said.endswith(f"saved {HOSTILE}")
    assert "<img" not in html
    assert render.recent_datasets([], "k1") == ""


def test_a_files_error_keeps_the_data_and_offers_to_renormalise_only_when_that_helps():
    html = render.byo_error(HOSTILE, False)
    root = parse(html)
    assert root.find(data_testid="byo-error").text() == HOSTILE and HOSTILE_ESCAPED in html
    assert "the data you had is still loaded" in root.text()
    assert not root.find_all(data_testid="byo-renormalize")
    offer = parse(render.byo_error("rows do not sum to 1", True)).find(data_testid="byo-renormalize")
    assert offer["data-action"] == "byo-renormalize"


def test_the_images_summary_is_escaped_and_offers_to_show_the_data():
    from cleanlens.web.render.yourdata import byo_dialog, byo_images_chosen, byo_images_summary

    html = byo_images_summary("Images from <b>.zip: 1 of 2 items have an image")
    assert "&lt;b&gt;" in html and "<b>" not in html and 'data-testid="byo-done"' in html
    assert "3 image files ready" in byo_images_chosen(3) and "1 image file ready" in byo_images_chosen(1)
    dialog = byo_dialog()
    assert 'id="byo-folder"' in dialog and "webkitdirectory" in dialog and '<label for="byo-folder">' in dialog
