"""Work is never lost: the session survives reloads, new pages, switching data; storage failures and two tabs."""

import json

import pytest

from .conftest import wait_for_results, wait_until_started
from .expected import categorize, demo, page_counts
from .test_own_data import load, random_probabilities, wait_loaded
from .userfiles import npy_pair


def wait_saved(page):
    """Wait until the page's latest change is in the browser's storage."""
    page.locator("body[data-saved]:not([data-save-pending])").wait_for(state="attached", timeout=10_000)


def read_out(page):
    """The engine read-out without its note on the training worker (which changes as the worker starts)."""
    text = page.get_by_test_id("engine").inner_text()
    note = page.get_by_test_id("engine-note")
    return text.replace(note.inner_text(), "").strip() if note.count() else text


def label_of(page, i):
    return page.locator(f'select[data-action="relabel"][data-i="{i}"]').input_value()


def relabel(page, i, label):
    page.locator(f'select[data-action="relabel"][data-i="{i}"]').select_option(str(label))


def decide(page, i, action):
    page.locator(f'#tiles button[data-i="{i}"]').click()
    page.get_by_test_id(action).click()


def do_some_work(page):
    """Relabel 3 images, accept 1 suggestion, keep 1 label, exclude 1 image; returns what the page should show."""
    result = categorize()
    data = demo()
    issue = result.label_issues[0]
    free = [i for i in range(len(data.given)) if i not in result.label_issues][:5]
    relabelled = free[:3]
    for i in relabelled:
        relabel(page, i, (data.given[i] + 1) % 3)
    decide(page, issue, "accept")
    decide(page, free[3], "keep")
    decide(page, free[4], "exclude")
    labels = {i: label_of(page, i) for i in relabelled + [issue, free[3], free[4]]}
    return {
        "labels": labels,
        "accepted": issue,
        "kept": free[3],
        "excluded": free[4],
        "known": page.get_by_test_id("known-errors").inner_text(),
        "counts": page_counts(page),
    }


def assert_work_shown(page, work):
    for i, label in work["labels"].items():
        assert label_of(page, i) == label, i
    page.locator(f'#tiles button[data-i="{work["excluded"]}"]').click()
    assert page.get_by_test_id("decision").inner_text() == "Your decision: excluded (OOD)"
    page.locator(f'#tiles button[data-i="{work["kept"]}"]').click()
    assert page.get_by_test_id("decision").inner_text() == "Your decision: label kept"
    page.locator(f'#tiles button[data-i="{work["accepted"]}"]').click()
    assert page.get_by_test_id("decision").inner_text() == "Your decision: suggestion accepted"
    assert page.get_by_test_id("known-errors").inner_text() == work["known"]
    assert page_counts(page) == work["counts"]
    assert page.get_by_test_id("stale").is_visible()  # the results are still those of the given labels


def test_work_survives_a_reload(ready):
    work = do_some_work(ready)
    wait_saved(ready)
    ready.reload()
    assert wait_until_started(ready) == "ready"
    assert "Restored your session from" in ready.get_by_test_id("session-restored").inner_text()
    assert_work_shown(ready, work)


def test_a_reload_right_after_a_view_change_shows_the_change(ready):
    """The view reaches the URL at most every 250 ms; a reload sooner still shows it (written on beforeunload)."""
    ready.get_by_test_id("class-percentile").press("ArrowRight")
    ready.get_by_test_id("class-percentile-value").filter(has_text="51").wait_for()
    ready.reload()
    assert wait_until_started(ready) == "ready"
    assert ready.get_by_test_id("class-percentile").input_value() == "51"
    assert "class=51&" in ready.evaluate("location.hash")


def test_work_is_there_in_a_new_page_of_the_same_browser(ready, context, base_url):
    work = do_some_work(ready)
    wait_saved(ready)
    ready.close()
    page = context.new_page()
    page.goto(base_url)
    assert wait_until_started(page) == "ready"
    assert_work_shown(page, work)


def test_a_training_is_restored_without_training_again(ready):
    relabel(ready, 0, (demo().given[0] + 1) % 3)
    ready.get_by_test_id("run").click()
    wait_for_results(ready)
    counts, engine = page_counts(ready), read_out(ready)
    wait_saved(ready)
    ready.add_init_script("""
        window.__states = [];
        new MutationObserver(() => window.__states.push(document.body.dataset.state))
          .observe(document, {subtree: true, attributes: true, attributeFilter: ["data-state"]});
    """)
    ready.reload()
    assert wait_until_started(ready) == "ready"
    assert "training" not in ready.evaluate("window.__states")
    assert page_counts(ready) == counts
    assert read_out(ready) == engine  # same run: same seed, same time
    assert not ready.get_by_test_id("stale").is_visible()


def test_own_files_come_back_after_a_reload_without_picking_them(ready):
    labels, probs = random_probabilities(n=120, k=3, seed=8)
    load(ready, npy_pair(labels, probs))
    wait_loaded(ready, "labels.npy + pred_probs.npy")
    relabel(ready, 5, (int(labels[5]) + 1) % 3)
    decide(ready, 7, "exclude")
    wait_saved(ready)
    ready.reload()
    assert wait_until_started(ready) == "ready"
    assert "labels.npy + pred_probs.npy" in ready.get_by_test_id("engine").inner_text()
    assert ready.locator("#tiles > li.tile").count() == 120
    assert label_of(ready, 5) == str((int(labels[5]) + 1) % 3)
    ready.locator('#tiles button[data-i="7"]').click()
    assert ready.get_by_test_id("decision").inner_text() == "Your decision: excluded (OOD)"


def test_switching_data_keeps_each_datasets_work(ready):
    work = do_some_work(ready)
    labels, probs = random_probabilities(n=60, k=3, seed=9)
    load(ready, npy_pair(labels, probs))
    wait_loaded(ready, "labels.npy + pred_probs.npy")
    relabel(ready, 2, (int(labels[2]) + 1) % 3)
    wait_saved(ready)
    ready.get_by_test_id("byo-open").click()
    ready.get_by_test_id("recent").wait_for()
    assert "fashion3.json" in ready.get_by_test_id("recent").inner_text()
    ready.get_by_test_id("byo-demo").click()
    ready.locator("#tiles > li.tile").nth(299).wait_for()
    ready.locator('body[data-state="ready"]').wait_for(state="attached")
    assert_work_shown(ready, work)
    # and back to the own data, from the recent list
    ready.get_by_test_id("byo-open").click()
    ready.locator('[data-testid="recent"] [data-action="session-open"]').first.click()
    wait_loaded(ready, "labels.npy + pred_probs.npy")
    assert label_of(ready, 2) == str((int(labels[2]) + 1) % 3)


def test_start_over_asks_then_clears(ready):
    do_some_work(ready)
    wait_saved(ready)
    ready.reload()
    wait_until_started(ready)
    ready.get_by_test_id("start-over").click()
    assert "discards 6 label changes and decisions" in ready.get_by_test_id("start-over-confirm").inner_text()
    ready.get_by_test_id("start-over-no").click()
    assert ready.get_by_test_id("start-over-confirm").count() == 0
    assert ready.get_by_test_id("known-errors").inner_text() != "18"
    ready.get_by_test_id("start-over").click()
    ready.get_by_test_id("start-over-yes").click()
    ready.locator('body[data-state="ready"]').wait_for(state="attached")
    ready.get_by_test_id("known-errors").filter(has_text="18").wait_for()
    assert (
        ready.locator('select[data-action="relabel"]').evaluate_all(
            "els => els.sort((a, b) => a.dataset.i - b.dataset.i).map(e => +e.value)"
        )
        == demo().given
    )
    wait_saved(ready)
    ready.reload()
    wait_until_started(ready)
    assert ready.get_by_test_id("known-errors").inner_text() == "18"


def test_leaving_asks_only_while_changes_are_not_exported(ready, watch):
    ready.reload()  # nothing changed: no prompt
    wait_until_started(ready)
    assert watch.unload_prompts == 0
    relabel(ready, 0, (demo().given[0] + 1) % 3)
    wait_saved(ready)
    ready.reload()
    wait_until_started(ready)
    assert watch.unload_prompts == 1
    with ready.expect_download():
        ready.get_by_test_id("export-csv").click()
    wait_saved(ready)
    ready.reload()
    wait_until_started(ready)
    assert watch.unload_prompts == 1  # exported: no prompt
    relabel(ready, 1, (demo().given[1] + 1) % 3)
    wait_saved(ready)
    ready.reload()
    wait_until_started(ready)
    assert watch.unload_prompts == 2


BLOCK_OURS = """{
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (name, ...rest) {
        if (name === 'cleanlens') throw new DOMException('storage is blocked', 'SecurityError');
        return open.call(this, name, ...rest);
    };
}"""
FULL = (
    """{
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args) {
        if (this.transaction.db.name === 'cleanlens') """
    """throw new DOMException('the quota is exceeded', 'QuotaExceededError');
        return put.apply(this, args);
    };
}"""
)


@pytest.mark.parametrize(
    "stub, reason", [(BLOCK_OURS, "storage is blocked"), (FULL, "quota is exceeded")], ids=["blocked", "full"]
)
def test_storage_that_fails_is_said_once_and_the_page_works(page, base_url, stub, reason):
    page.add_init_script(stub)
    page.goto(base_url)
    assert wait_until_started(page) == "ready"
    slider = page.get_by_test_id("class-percentile")
    slider.focus()
    slider.press("ArrowRight")
    relabel(page, 0, (demo().given[0] + 1) % 3)
    notice = page.get_by_test_id("storage-problem")
    notice.wait_for()
    assert "will not be kept" in notice.inner_text() and reason in notice.inner_text()
    assert page_counts(page) == {c: n for c, n in categorize(q_class=51).counts.items()}
    assert page.get_by_test_id("stale").is_visible()
    relabel(page, 1, (demo().given[1] + 1) % 3)
    page.wait_for_timeout(800)
    assert page.get_by_test_id("storage-problem").count() == 1
    page.get_by_test_id("storage-ok").click()
    assert page.get_by_test_id("storage-problem").count() == 0


def test_a_browser_without_indexeddb_is_told_why_the_page_cannot_start(page, base_url, console_errors):
    """PyScript itself keeps its state in IndexedDB: without it nothing runs, so the page says what to change."""
    page.add_init_script(
        "Object.defineProperty(window, 'indexedDB', {get() { throw new DOMException('denied', 'SecurityError'); }});"
    )
    page.goto(base_url)
    assert wait_until_started(page) == "error"
    assert "storage" in page.get_by_test_id("error-message").inner_text()


def test_two_pages_on_one_dataset_do_not_overwrite_each_other(ready, context, base_url):
    other = context.new_page()
    other.goto(base_url)
    wait_until_started(other)
    relabel(ready, 0, (demo().given[0] + 1) % 3)
    wait_saved(ready)
    notice = other.get_by_test_id("session-conflict")
    notice.wait_for(timeout=10_000)
    relabel(other, 1, (demo().given[1] + 1) % 3)  # not saved over the first page's work
    other.wait_for_timeout(800)
    other.get_by_test_id("session-theirs").click()
    other.locator('body[data-state="ready"]').wait_for(state="attached")
    other.get_by_test_id("session-conflict").wait_for(state="detached")
    assert label_of(other, 0) == str((demo().given[0] + 1) % 3)
    assert label_of(other, 1) == str(demo().given[1])


def test_a_session_saved_by_another_format_is_discarded_with_a_message(ready):
    ready.evaluate(
        """async () => {
        const db = await new Promise((ok, no) => { const r = indexedDB.open('cleanlens', 1); """
        """r.onsuccess = () => ok(r.result); r.onerror = no; });
        const record = JSON.stringify({format: 0, app: '0.0.1', key: 'demo', labels: {"0": 1}});
        await new Promise((ok, no) => { const t = db.transaction('sessions', 'readwrite');
            t.objectStore('sessions').put(record, 'demo'); t.oncomplete = ok; t.onerror = no; });
        db.close();
    }"""
    )
    ready.reload()
    assert wait_until_started(ready) == "ready"
    assert "could not be restored" in ready.get_by_test_id("data-notes").inner_text()
    assert ready.get_by_test_id("known-errors").inner_text() == "18"


@pytest.mark.parametrize("damage", ['"not json', json.dumps({"format": 1, "key": "demo", "sha256": None})])
def test_a_damaged_session_never_breaks_the_page(ready, damage):
    ready.evaluate(
        """async (record) => {
        const db = await new Promise((ok, no) => { const r = indexedDB.open('cleanlens', 1); """
        """r.onsuccess = () => ok(r.result); r.onerror = no; });
        await new Promise((ok, no) => { const t = db.transaction('sessions', 'readwrite');
            t.objectStore('sessions').put(record, 'demo'); t.oncomplete = ok; t.onerror = no; });
        db.close();
    }""",
        damage,
    )
    ready.reload()
    assert wait_until_started(ready) == "ready"
    assert page_counts(ready) == {c: n for c, n in categorize().counts.items()}


def test_keeping_this_tabs_work_replaces_the_other_and_tells_it(ready, context, base_url):
    other = context.new_page()
    other.goto(base_url)
    wait_until_started(other)
    relabel(ready, 0, (demo().given[0] + 1) % 3)
    wait_saved(ready)
    other.get_by_test_id("session-conflict").wait_for(timeout=10_000)
    relabel(other, 1, (demo().given[1] + 1) % 3)
    other.get_by_test_id("session-mine").click()
    other.get_by_test_id("session-conflict").wait_for(state="detached")
    ready.get_by_test_id("session-conflict").wait_for(timeout=10_000)  # now the first page is the older one
    third = context.new_page()
    third.goto(base_url)
    wait_until_started(third)
    assert label_of(third, 1) == str((demo().given[1] + 1) % 3)
    assert label_of(third, 0) == str(demo().given[0])
