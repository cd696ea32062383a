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

    chunks = {"odpkg": "odpkg.zip", "odmod": "odmod.zip", "odpart": "odpart.zip", "odgone": "odgone.zip"}
    finder = stdlib.OnDemand(chunks, base="https://site/stdlib/", fetch=fetch, target=str(tmp_path / "fetched"))
    finder.log = fetched
    sys.path.insert(0, str(tmp_path / "shipped"))
    sys.meta_path.append(finder)
    yield finder
    sys.meta_path.remove(finder)
    sys.path.remove(str(tmp_path / "shipped"))
    for name in [n for n in sys.modules if n.split(".")[0] in chunks]:
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


def test_names_without_an_archive_cost_no_request(finder):
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("od_not_in_the_standard_library")
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("odpkg.missing")  # its archive is fetched: it has no such module
    assert finder.log == ["https://site/stdlib/odpkg.zip"]


def test_an_archive_that_cannot_be_fetched_fails_the_import_with_the_reason(finder):
    with pytest.raises(ImportError, match="odgone.zip could not be fetched"):
        importlib.import_module("odgone")


def test_the_index_is_read_from_the_first_zip_that_has_one(tmp_path):
    plain, trimmed = tmp_path / "plain.zip", tmp_path / "trimmed.zip"
    plain.write_bytes(archive({"a.py": ""}))
    trimmed.write_bytes(archive({"b.py": "", stdlib.INDEX: '{"chunks": {"xml": "xml.zip"}}'}))
    assert stdlib.shipped_index([str(tmp_path), str(plain), str(trimmed)]) == {"xml": "xml.zip"}
    assert stdlib.shipped_index([str(plain)]) is None
