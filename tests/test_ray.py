"""``ingest --executor ray``: the same documents, texts, metadata and duplicate links as the
local executor, a killed run resumed to the same output, and ``thresher import``."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from tests.ray_corpus import make_corpus

ROOT = Path(__file__).resolve().parent.parent
ray = pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[ray]' runs these tests")
pytest.importorskip("ray.data", reason="Ray Data is not installed: pip install -e '.[ray]' runs these tests")

from thresher.corpus.cluster import shards  # noqa: E402
from thresher.corpus.cluster.load import import_output  # noqa: E402
from thresher.corpus.cluster.ray_run import ingest_on_ray  # noqa: E402
from thresher.corpus.ingest import ingest  # noqa: E402
from thresher.corpus.store import Store  # noqa: E402

#: Files per shard in these tests: a corpus of a few hundred pages in a dozen
#: shards, so two workers share them and a run can be killed between two.
TEST_SHARD_FILES = 12


def snapshot(db: Path) -> dict[str, dict]:
    """Every stored document by source, its duplicate link as the canonical's source (ids are
    arrival numbers, which differ between stores of the same documents)."""
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rows = con.execute(
        "SELECT d.*, c.source AS canonical FROM documents d LEFT JOIN documents c ON c.id = d.duplicate_of"
    ).fetchall()
    con.close()
    out = {}
    for row in rows:
        d = dict(row)
        del d["id"], d["duplicate_of"]
        out[d.pop("source")] = d
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The corpus ingested by the local executor, and by Ray then imported."""
    root = tmp_path_factory.mktemp("ray")
    inputs = make_corpus(root / "corpus")
    with Store(root / "local.db") as store:
        ingest(inputs, store, workers=2, progress=False)
    mp = pytest.MonkeyPatch()
    mp.setattr(shards, "SHARD_FILES", TEST_SHARD_FILES)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        report = ingest_on_ray(inputs, str(root / "out"), workers=2)
    finally:
        ray.shutdown()
        mp.undo()
    with Store(root / "ray.db") as store:
        imported = import_output(str(root / "out"), store)
    return root, inputs, report, imported


def test_ray_gives_the_local_executors_documents_and_links(runs):
    root, _, report, imported = runs
    local, cluster = snapshot(root / "local.db"), snapshot(root / "ray.db")
    assert len(local) >= 250 and report.shards >= 10  # a few hundred pages, in many shards
    assert local.keys() == cluster.keys()
    for source, row in local.items():
        assert cluster[source] == row, source  # text, markdown, metadata, failure reason, links, similarity...
    statuses = [r["status"] for r in local.values()]
    assert statuses.count("failed") >= 4  # the broken files are failure rows, not lost batches
    assert any("warc" in s for s in local if local[s]["status"] == "ok")
    linked = [s for s, r in local.items() if r["canonical"]]
    assert len(linked) >= 10  # the syndicated copies (WARC, HTML files, text dumps) are linked
    assert imported.checked and imported.link_differences == 0  # the dedup stages' links are the store's
    assert report.duplicates == len(linked)


def test_report_splits_the_time_between_shards_ray_and_dedup(runs):
    _, _, report, _ = runs
    assert len(report.shard_seconds) == report.shards and min(report.shard_seconds) > 0
    assert report.map_seconds > max(report.shard_seconds)  # the map includes every shard's work...
    assert report.dedup_seconds > 0
    assert report.map_seconds + report.dedup_seconds <= report.seconds  # ...and the run, both phases
    alone = replace(report, map_seconds=sum(report.shard_seconds) + 1.5)
    assert alone.ray_seconds == pytest.approx(1.5)  # at one worker, the map beyond the shards' work
    assert replace(report, map_seconds=0.0).ray_seconds == 0.0  # never negative (workers in parallel)


def test_imported_store_is_searchable(runs):
    root, *_ = runs
    with Store(root / "local.db", create=False) as a, Store(root / "ray.db", create=False) as b:
        for query in ("council", "harbour bridge", "the"):
            assert [h.source for h in a.search(query)] == [h.source for h in b.search(query)]
        assert a.search("council") or a.search("the")


def test_rerun_skips_written_shards_and_import_adds_nothing(runs, monkeypatch):
    root, inputs, report, _ = runs
    monkeypatch.setattr(shards, "SHARD_FILES", TEST_SHARD_FILES)
    again = ingest_on_ray(inputs, str(root / "out"), workers=2)  # every shard written: Ray is not even started
    assert again.skipped == again.shards == report.shards and again.docs == 0
    assert again.duplicates == report.duplicates
    before = snapshot(root / "ray.db")
    with Store(root / "ray.db") as store:
        second = import_output(str(root / "out"), store)
    assert second.stats.added == 0 and second.stats.skipped == len(before)
    assert snapshot(root / "ray.db") == before


def run_ray_cli(inputs: list[str], out: Path, **popen) -> subprocess.Popen:
    code = (
        "import sys; from thresher.corpus.cluster import shards; "
        f"shards.SHARD_FILES = {TEST_SHARD_FILES}; from thresher.cli import main; main(sys.argv[1:])"
    )
    args = [sys.executable, "-c", code, "ingest", *inputs, "--executor", "ray", "--output", str(out), "-j", "2"]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def test_killed_run_resumes_to_the_uninterrupted_output(runs):
    root, inputs, report, _ = runs
    out = root / "killed"
    proc = run_ray_cli(inputs, out, start_new_session=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(list((out / "docs").glob("*.parquet"))) < 2:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # the driver, and the workers and the Ray it started
    proc.wait()
    written = len(list((out / "docs").glob("*.parquet")))
    assert 2 <= written < report.shards
    assert not (out / "dedup").exists()
    proc = run_ray_cli(inputs, out)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    assert f"({written} written before)" in stdout or f"({written + 1} written before)" in stdout
    with Store(root / "resumed.db") as store:
        import_output(str(out), store)
    assert snapshot(root / "resumed.db") == snapshot(root / "ray.db")


def test_without_ray_the_message_names_the_extra(tmp_path):
    """``--executor ray`` with Ray missing: one line naming the package; and nothing imports Ray otherwise."""
    page = tmp_path / "a.html"
    page.write_text("<html><body><p>Hello there.</p></body></html>")
    code = (
        "import sys; sys.modules['ray'] = None; from thresher.cli import main; "
        f"main(['ingest', {str(page)!r}, '--executor', 'ray', '--output', {str(tmp_path / 'out')!r}])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert (
        done.stderr.strip() == "Error: --executor ray needs Ray Data and pyarrow: pip install -e '.[ray]' in a checkout"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import sys, thresher.cli, thresher.corpus.cluster.load; print('ray' in sys.modules)"],
        capture_output=True,
        text=True,
    )
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--executor", "ray"], "give --output DIR"),
        (["--executor", "ray", "--output", "o", "--keep-raw"], "does not take --keep-raw"),
        (["--output", "o"], "--output and --ray-address go with --executor ray"),
    ],
)
def test_ray_options_are_checked(tmp_path, args, message):
    done = subprocess.run([sys.executable, "-m", "thresher.cli", "ingest", str(tmp_path), *args],
                          capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2 and message in done.stderr


def test_import_of_something_else_is_one_line_and_no_store(tmp_path):
    done = subprocess.run([sys.executable, "-m", "thresher.cli", "import", str(tmp_path), "--db", "c.db"],
                          capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 1 and "not the output of `thresher ingest --executor ray`" in done.stderr
    assert not (tmp_path / "c.db").exists()


def test_a_worker_that_dies_has_its_shard_run_again(runs, tmp_path, monkeypatch):
    from tests.ray_corpus import dying_mapper
    from thresher.config import Config
    from thresher.corpus.cluster import stages
    from thresher.corpus.cluster.ray_run import _map_shards

    root, inputs, report, _ = runs
    monkeypatch.setattr(shards, "SHARD_FILES", TEST_SHARD_FILES)
    plan = shards.plan_shards(inputs)[:2]  # two shards are enough to see one retried
    out = shards.Output(str(tmp_path / "out"))
    out.write_plan(plan, Config(), None)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        rows = _map_shards(plan, out, Config(), None, workers=2, progress=False,
                           mapper=dying_mapper(tmp_path / "died"))  # fmt: skip
    finally:
        ray.shutdown()
    assert (tmp_path / "died").exists()  # a worker did die
    assert sorted(rows["number"]) == [0, 1] and all(out.done(s) for s in plan)
    stages.run_all(out)
    made = out.read_table("docs", f"{plan[0].name}.parquet")
    expected = {s.source for s in plan[0].pages(shards.Tally())}
    assert set(made["source"].to_pylist()) == expected


def test_an_output_holds_one_run(runs, monkeypatch):
    """Another command pointed at a run's output is refused before anything is written."""
    from thresher.config import Config

    root, inputs, *_ = runs
    monkeypatch.setattr(shards, "SHARD_FILES", TEST_SHARD_FILES)
    before = sorted(p.name for p in (root / "out" / "docs").iterdir())
    with pytest.raises(shards.PlanError, match="holds the output of another run"):
        ingest_on_ray(inputs, str(root / "out"), config=Config(favor="precision"))
    with pytest.raises(shards.PlanError, match="holds the output of another run"):
        ingest_on_ray(inputs[:0] + [str(root / "corpus" / "html")], str(root / "out"))
    assert sorted(p.name for p in (root / "out" / "docs").iterdir()) == before


def test_import_command_makes_the_store_and_a_rerun_adds_nothing(runs, tmp_path):
    root, *_ = runs
    args = [sys.executable, "-m", "thresher.cli", "import", str(root / "out"), "--db", "c.db"]
    first = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert snapshot(tmp_path / "c.db") == snapshot(root / "ray.db")
    again = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path)
    assert again.returncode == 0 and " 0 added" in again.stdout


def test_a_file_name_with_an_undecodable_byte_goes_to_parquet_as_the_store_holds_it():
    import pyarrow as pa

    from thresher.corpus.store import Document

    doc = Document(source="/crawl/caf\udce9.html", status="ok", text="Harbour wall")
    table = pa.Table.from_pylist([shards.row_of(doc, 7)], schema=shards._schema())
    back = shards.document_of(table.to_pylist()[0])
    assert back.source == "/crawl/caf\\udce9.html" == doc.columns()["source"]
