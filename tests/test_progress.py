"""A run you can watch and stop: the progress bar (total, ETA, fetches) and Ctrl-C (exit 130, then resume)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_failures import flaky as flaky  # noqa: F401 - the fixture
from tests.test_ingest import TOPICS, page, rows, run
from thresher.corpus import ingest as ingest_module
from thresher.corpus.ingest import input_bytes
from thresher.corpus.store import Store


def make_pages(root: Path, n: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        topic, lead = TOPICS[i % len(TOPICS)]
        (root / f"p{i:03d}.html").write_text(page(f"{topic} {i}", f"{lead}, report number {i}"), encoding="utf-8")
    return root


def stored(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return con.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


#: Enough small pages that a run outlasts the first stored batch by seconds,
#: however fast extraction gets (240 were done before Ctrl-C once the forests
#: were compiled).
PAGES = 1000


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_stops_cleanly_with_exit_130_and_the_next_run_resumes(tmp_path, workers):
    corpus = make_pages(tmp_path / "pages", PAGES)
    clean_db, db = tmp_path / "clean.db", tmp_path / "stopped.db"
    run("ingest", corpus, "--db", clean_db, "-j", "1")
    cmd = [sys.executable, "-m", "thresher.cli", "ingest", str(corpus), "--db", str(db), "-j", workers, "--progress"]
    # its own process group, as a terminal's foreground job: Ctrl-C reaches the workers too;
    # and SIGINT's default disposition, as a terminal gives it (a shell's background job, such
    # as a CI script started with &, ignores SIGINT, and a Python started so never installs its handler)
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None and stored(db) == 0:
        time.sleep(0.01)  # Ctrl-C as soon as the first batch is stored
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    n = stored(db)
    assert 0 < n < PAGES, "the run was not interrupted midway"
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert f"documents:   {n} added" in out  # the summary so far: what was stored
    assert err.rstrip().endswith("interrupted: what was stored stays; run the same `thresher ingest` again to go on")
    res = run("ingest", corpus, "--db", db, "-j", workers)
    assert res.exit_code == 0 and f"({n} already stored)" in res.output
    assert rows(db) == rows(clean_db)


def test_the_bar_has_a_total_and_moves_with_each_input_read(tmp_path, monkeypatch):
    corpus = make_pages(tmp_path / "pages", 20)
    total = sum(p.stat().st_size for p in corpus.iterdir())
    assert input_bytes([str(corpus), "https://a.example/x"]) == total
    seen: list[int] = []
    moved_to = ingest_module.Progress.moved_to
    monkeypatch.setattr(ingest_module.Progress, "moved_to", lambda self, n: (seen.append(n), moved_to(self, n)))
    with Store(tmp_path / "c.db") as store:
        ingest_module.ingest([str(corpus)], store, progress=True)
    # one step per page read, not one per batch
    assert len(seen) == 20 and seen == sorted(set(seen)) and seen[-1] == total


def test_progress_shows_the_total_percentage_and_the_fetches(tmp_path, flaky):  # noqa: F811
    flaky.up = True
    corpus = make_pages(tmp_path / "pages", 3)
    urls = [f"{flaky.base}/ok", f"{flaky.base}/gone"]
    res = run(
        "ingest", corpus, *urls, "--db", tmp_path / "c.db", "-j", "1", "--progress", "--allow-private", "--delay", "0"
    )
    assert res.exit_code == 0
    bars = res.stderr.replace("\r", "\n")
    size = sum(p.stat().st_size for p in corpus.iterdir()) / 1024
    assert "read: 100%" in bars and f"{size:.2f}k/{size:.2f}k" in bars
    assert "fetch: 100%" in bars and "2/2" in bars and "URLs" in bars
    assert "127.0.0.1:" in bars  # the host being fetched
    assert "docs (" in bars and "failed" in bars
    quiet = run("ingest", corpus, "--db", tmp_path / "d.db", "-j", "1", "--no-progress")
    assert quiet.stderr == ""
