"""find-issues --dask on a LocalCluster of 2 workers equals the in-memory path (.npy, Parquet, zarr)."""

import io
from dataclasses import asdict

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zarr
from distributed import Client, LocalCluster

from cleanlens import selection
from cleanlens.chunked import find_issues_streamed
from cleanlens.cli import main
from cleanlens.cli_stream import write_json
from cleanlens.distributed import find_issues_dask
from cleanlens.errors import CleanlensError
from cleanlens.tables import ArrayTable

from .test_chunked import synthetic


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
        with Client(cluster) as client:
            yield client


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dask")
    labels, probs, truth = synthetic(60_000, 5, seed=4)
    np.save(folder / "l.npy", labels)
    np.save(folder / "p.npy", probs)
    np.save(folder / "t.npy", truth)
    columns = {"label": labels, **{f"p_{c}": probs[:, c] for c in range(5)}, "truth": truth}
    pq.write_table(pa.table(columns), folder / "all.parquet", row_group_size=7_000)
    stored = zarr.open_array(str(folder / "p.zarr"), mode="w", shape=probs.shape, chunks=(10_000, 5), dtype=probs.dtype)
    stored[:] = probs
    return folder, labels, probs, truth


def report(findings):
    out = io.StringIO()
    write_json(findings, out.write, extra={"score": asdict(findings.score)} if findings.score else None)
    return out.getvalue()


@pytest.mark.parametrize(
    ("labels", "probs", "truth", "options"),
    [
        ("l.npy", "p.npy", "t.npy", {}),
        ("all.parquet", "all.parquet", "all.parquet", {"rule": "cleanlab", "method": "normalized_margin"}),
        ("l.npy", "p.zarr", None, {"class_percentile": 20, "ood_percentile": 20}),
    ],
)
def test_dask_equals_the_in_memory_path(client, data, labels, probs, truth, options):
    folder, given, pred_probs, true = data
    dask = find_issues_dask(folder / labels, folder / probs, truth=truth and folder / truth, client=client,
                            rows=9_000, **options)  # fmt: skip
    local = find_issues_streamed(given, ArrayTable(pred_probs), truth=true if truth else None, **options)
    assert report(dask) == report(local)


@pytest.mark.parametrize(("filter_by", "ties"), [("both", "numpy"), ("low_normalized_margin", "portable")])
def test_find_label_issues_on_dask_equals_the_streamed_path(client, data, monkeypatch, filter_by, ties):
    """With small samples: gathering passes (and groups sorted whole, for the ties of float32 margins) as tasks."""
    monkeypatch.setattr(selection, "SAMPLE", 200)
    monkeypatch.setattr(selection, "MIN_SAMPLE", 200)
    folder, given, pred_probs, _ = data
    options = dict(filter_by=filter_by, ties=ties, health=True)
    dask = find_issues_dask(folder / "l.npy", folder / "p.npy", client=client, rows=9_000, **options)
    local = find_issues_streamed(given, ArrayTable(pred_probs), **options)
    assert report(dask) == report(local) and dask.issues.count == local.issues.count > 0
    dask.close()


def test_the_command_line_with_a_scheduler_address(client, data, capsys):
    folder = data[0]
    argv = ["find-issues", "--labels", folder / "l.npy", "--pred-probs", folder / "p.npy", "--json"]
    assert main([str(a) for a in argv] + ["--in-memory"]) == 0
    expected = capsys.readouterr().out
    assert main([str(a) for a in argv] + ["--dask", client.scheduler.address]) == 0
    assert capsys.readouterr().out == expected
    assert '"find_label_issues": {"filter_by": "prune_by_noise_rate"' in expected


def test_problems_are_the_in_memory_paths(client, data, tmp_path, capsys):
    folder, labels, probs, _ = data
    bad = probs.copy()
    bad[41_234, 2] = -0.5
    bad[52_000, 1] = np.nan
    np.save(tmp_path / "bad.npy", bad)
    argv = ["find-issues", "--labels", str(folder / "l.npy"), "--pred-probs", str(tmp_path / "bad.npy")]
    assert main(argv) == 2
    expected = capsys.readouterr().err
    assert main([*argv, "--dask", client.scheduler.address]) == 2
    assert capsys.readouterr().err == expected
    assert expected == "cleanlens: error: probability row 41234, column 2: negative: -0.5\n" or "41234" in expected


def test_an_unreachable_scheduler_is_one_line(capsys, data):
    folder = data[0]
    status = main(["find-issues", "--labels", str(folder / "l.npy"), "--pred-probs", str(folder / "p.npy"),
                   "--dask", "tcp://127.0.0.1:9"])  # fmt: skip
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("cleanlens: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert err.count("\n") == 1
    with pytest.raises(CleanlensError, match="missing.zarr: not a zarr array"):
        find_issues_dask(folder / "l.npy", folder / "missing.zarr", client=object())
