"""The per-page time limit: a page that would hold a worker for ever is a failure, and the run goes on."""

from __future__ import annotations

import signal
import time

import pytest

from tests.test_ingest import TOPICS, page
from thresher.config import Config
from thresher.corpus.executors import TimeLimitExceeded, time_limit
from thresher.corpus.ingest import ingest
from thresher.corpus.process import process_batch
from thresher.corpus.sources import Raw
from thresher.corpus.store import Store
from thresher.dumps.cleaner import TextCleaner
from thresher.html.extractor import Extractor

STUCK = "<!-- stuck -->"


def spin_on_stuck(original):
    """``original`` (an Extractor's or a TextCleaner's method), but endless on a page marked STUCK."""

    def method(self, content, *args, **kwargs):
        if STUCK in (content.decode("utf-8", "replace") if isinstance(content, bytes) else content):
            while True:  # a runaway computation, in Python
                pass
        return original(self, content, *args, **kwargs)

    return method


@pytest.mark.parametrize("workers", [1, 2])
def test_a_page_over_the_time_limit_fails_and_the_run_goes_on(tmp_path, monkeypatch, workers):
    monkeypatch.setattr(Extractor, "extract", spin_on_stuck(Extractor.extract))  # before the pool forks
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.html").write_text(page(*TOPICS[0]), encoding="utf-8")
    (d / "b.html").write_text(page(*TOPICS[1]).replace("<body>", "<body>" + STUCK), encoding="utf-8")
    (d / "c.html").write_text(page(*TOPICS[2]), encoding="utf-8")
    start = time.monotonic()
    with Store(tmp_path / "c.db") as store:
        report = ingest([str(d)], store, workers=workers, config=Config(max_page_seconds=1), progress=False)
        failed = [(doc.source, doc.stage, doc.reason) for doc in store.iter_documents(include_failed=True)
                  if doc.status == "failed"]  # fmt: skip
    assert time.monotonic() - start < 30
    assert report.stats.ok == 2
    assert failed == [(str(d / "b.html"), "extract", "over the time limit of 1 s")]


def test_a_dump_over_the_time_limit_fails_alone(monkeypatch):
    original = TextCleaner.clean_many

    def clean_many(self, texts, *args, **kwargs):  # ``clean`` is ``clean_many`` of one dump
        return spin_on_stuck(lambda self, text: original(self, texts, *args, **kwargs))(self, "".join(texts))

    monkeypatch.setattr(TextCleaner, "clean_many", clean_many)
    body = "A line of real article text that goes on for a while about the harbour wall. " * 4
    dumps = [Raw(f"d{i}", f"Menu\n\n{body}{STUCK if i == 1 else ''}", kind="text", url=f"https://a.example/{i}")
             for i in range(3)]  # fmt: skip
    start = time.monotonic()
    docs = process_batch(dumps, config=Config(max_page_seconds=1))
    assert [d.status for d in docs] == ["ok", "failed", "ok"]  # together: 3 s, then one by one
    assert (docs[1].stage, docs[1].reason) == ("clean", "over the time limit of 1 s")
    assert time.monotonic() - start < 10


def test_the_guard_gives_back_a_timer_that_was_set():
    previous = signal.signal(signal.SIGALRM, lambda *a: None)
    try:
        signal.setitimer(signal.ITIMER_REAL, 100)
        with time_limit(5):
            time.sleep(0.05)
        left = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 99 < left < 100
        with pytest.raises(TimeLimitExceeded, match="over the time limit of 0.1 s"), time_limit(0.1):
            time.sleep(5)
        assert 98 < signal.getitimer(signal.ITIMER_REAL)[0] < 100
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
