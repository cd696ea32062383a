"""cleanlens.web.stdlib: the finder that imports the standard library's other modules from archives fetched on
demand (run here under CPython, with archives of small made-up modules and a fetch that reads them)."""

import importlib
import io
import sys
import zipfile

import pytest

from cleanlens.web import stdlib


def archive(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, text in files.items():
            out.writestr(name, text)
    return buffer.getvalue()


ARCHIVES = {
    "odpkg.zip": archive(
        {"odpkg/__init__.py": "NAME = 'odpkg'\n", "odpkg/sub/__init__.py": "", "odpkg/sub/leaf.py": ""}
    ),
    "odmod.zip": archive({"odmod.py": "import odpkg.sub.leaf\nVALUE = 42\n"}),
    "odpart.zip": archive({"odpart/extra.py": "FROM = 'archive'\n"}),
}


@pytest.fixture
def finder(tmp_path):
    """The finder on sys.meta_path, with ``odpart`` a package "shipped" in a folder on sys.path whose module
    ``extra`` is only in its archive; every fetch is recorded."""
    (tmp_path / "shipped" / "odpart").mkdir(parents=True)
    (tmp_path / "shipped" / "odpart" / "__init__.py").write_text("FROM = 'shipped'\n")
    fetched = []

    def fetch(url):
        fetched.append(url)
        name = url.rsplit("/", 1)[1]
        if name not in ARCHIVES:
            raise stdlib.OnDemandError(f"{url} could not be fetched (HTTP 404)")
        return ARCHIVES[name]

    modules = {
        "odpkg": "odpkg.zip",
        "odpkg.sub": "odpkg.zip",
        "odpkg.sub.leaf": "odpkg.zip",
        "odmod": "odmod.zip",
        "odpart.extra": "odpart.zip",
        "odgone": "odgone.zip",
    }
    ahead = {"odahead.zip": ["odahead", "odpart.early"]}
    finder = stdlib.OnDemand(
        modules, base="https://site/stdlib/", fetch=fetch, target=str(tmp_path / "fetched"), ahead=ahead
    )
    finder.log = fetched
    sys.path.insert(0, str(tmp_path / "shipped"))
    sys.meta_path.append(finder)
    yield finder
    sys.meta_path.remove(finder)
    sys.path.remove(str(tmp_path / "shipped"))
    for name in [n for n in sys.modules if n.split(".")[0] in {"odpkg", "odmod", "odpart", "odgone", "odahead"}]:
        del sys.modules[name]
    sys.path[:] = [p for p in sys.path if not p.startswith(str(tmp_path))]
    sys.path_importer_cache.clear()


def test_a_module_of_an_archive_imports_and_fetches_it_once(finder):
    module = importlib.import_module("odmod")  # it imports a package of another archive
    assert module.VALUE == 42 and sys.modules["odpkg.sub.leaf"].__name__ == "odpkg.sub.leaf"
    assert finder.log == ["https://site/stdlib/odmod.zip", "https://site/stdlib/odpkg.zip"]
    importlib.import_module("odpkg.sub")
    assert len(finder.log) == 2  # already there
    assert set(finder.fetched) == {"odmod.zip", "odpkg.zip"} and finder.fetched["odmod.zip"][0] > 0


def test_the_rest_of_a_shipped_package_comes_from_its_archive(finder):
    package = importlib.import_module("odpart")
    assert package.FROM == "shipped" and finder.log == []
    assert importlib.import_module("odpart.extra").FROM == "archive"
    assert finder.log == ["https://site/stdlib/odpart.zip"]


def test_names_the_index_does_not_have_cost_no_request(finder):
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("od_not_in_the_standard_library")
    importlib.import_module("odpkg")
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("odpkg.missing")  # a package of the index, not a module of it
    with pytest.raises(ImportError):
        exec("from odpkg import missing_name", {})  # (Python then tries a submodule odpkg.missing_name)
    assert finder.log == ["https://site/stdlib/odpkg.zip"]


def test_an_archive_fetched_ahead_is_imported_from_without_a_request(finder, tmp_path):
    path = tmp_path / "odahead.zip"
    path.write_bytes(archive({"odahead.py": "AHEAD = True\n", "odpart/early.py": "FROM = 'ahead'\n"}))
    finder.provide("odahead.zip", str(path))
    assert importlib.import_module("odahead").AHEAD
    assert importlib.import_module("odpart.early").FROM == "ahead"  # a module of a shipped package, too
    assert finder.log == [] and finder.fetched == {}


def test_an_import_while_its_archive_is_fetched_is_not_looked_for_again(finder):
    fetch = finder.fetch

    def reentrant(url):  # as a codec lookup inside the fetch would be: no recursion, no second request
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module("odpkg.sub")
        return fetch(url)

    finder.fetch = reentrant
    importlib.import_module("odpkg")
    assert finder.log == ["https://site/stdlib/odpkg.zip"]


def test_an_archive_that_cannot_be_fetched_fails_the_import_with_the_reason(finder):
    with pytest.raises(ImportError, match="odgone.zip could not be fetched"):
        importlib.import_module("odgone")


def test_the_index_is_read_from_the_first_zip_that_has_one(tmp_path):
    plain, trimmed = tmp_path / "plain.zip", tmp_path / "trimmed.zip"
    plain.write_bytes(archive({"a.py": ""}))
    index = '{"modules": {"xml": "xml.zip", "xml.dom": "xml.zip"}, "ahead": {}}'
    trimmed.write_bytes(archive({"b.py": "", stdlib.INDEX: index}))
    found = stdlib.shipped_index([str(tmp_path), str(plain), str(trimmed)])
    assert found == {"modules": {"xml": "xml.zip", "xml.dom": "xml.zip"}, "ahead": {}}
    assert stdlib.shipped_index([str(plain)]) is None
