"""Ingest: sources -> batches -> ``process_batch`` (pure, in workers) -> the store.

    inputs --open_inputs--> Raw | Failure --batches--> process_batch --> Document --Store.write_batch-->

``process_batch`` is the one function an executor maps: a pure function of a
batch of pages (extract or clean, metadata, signatures), so the local process
pool and a future distributed executor run the very same step. Everything
with side effects (reading inputs, fetching, writing the store, the progress
bar) stays in the calling process.

Text dumps that share a site (their URL's host, or ``site=`` for the whole
run) are batched together, up to ``SITE_BATCH`` at a time, so that the
cleaner's site memory sees them side by side.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from . import dedup
from ._api import default_cleaner, default_extractor
from .errors import ThresherError
from .executors import LocalExecutor
from .metadata import Metadata, site_of
from .sources import Failure, Raw
from .store import BatchStats, Document, Store
from .types import Article

__all__ = ["BATCH_SIZE", "SITE_BATCH", "IngestFailure", "IngestReport", "batches", "ingest", "open_inputs", "process_batch"]

#: Pages per batch: large enough that per-batch costs (a transaction, a
#: round trip to a worker) vanish, small enough for a live progress bar.
BATCH_SIZE = 32
#: Dumps of one site cleaned together, for site memory; a site with more
#: dumps is cleaned in groups of this many (memory stays bounded).
SITE_BATCH = 64


# -- inputs --------------------------------------------------------------------------------


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def open_inputs(
    inputs: Iterable[str],
    *,
    url_files: Iterable[str] = (),
    fetch_policy=None,
    skip: Callable[[str], bool] = lambda source: False,
) -> Iterator[Raw | Failure]:
    """Every page of ``inputs`` (paths, directories, globs, ``-``, URLs) and of the URL lists.

    ``skip(source)`` is asked before a URL is fetched, so a re-run does not
    fetch again what is already stored.
    """
    from .sources.files import iter_files
    from .sources.web import Fetcher, read_url_list

    inputs = list(inputs)
    urls = [i for i in inputs if _is_url(i)]
    for path in url_files:
        try:
            urls += read_url_list(path)
        except OSError as exc:
            yield Failure(path, "read", f"cannot read URL list: {exc.strerror or exc}")
    yield from iter_files(i for i in inputs if not _is_url(i))
    if urls:
        with Fetcher(fetch_policy) as fetcher:
            for url in urls:
                if not skip(url):
                    yield fetcher.fetch(url)


def batches(
    items: Iterable[Raw | Failure], *, site: str | None = None, size: int = BATCH_SIZE
) -> Iterator[list[Raw | Failure]]:
    """Group pages into batches; text dumps of one site go together (site memory)."""
    batch: list[Raw | Failure] = []
    by_site: dict[str, list[Raw]] = {}
    for item in items:
        key = (site or site_of(item.url)) if isinstance(item, Raw) and item.kind == "text" else None
        if key:
            group = by_site.setdefault(key, [])
            group.append(item)
            if len(group) >= SITE_BATCH:
                yield by_site.pop(key)
            continue
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
    yield from by_site.values()


# -- the pure step ---------------------------------------------------------------------------


def _fetched(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)  # 3.11 reads a trailing Z
    except ValueError:
        return None


#: Near-duplicate signatures are taken over the blocks the model is surest
#: of (score >= CORE_SCORE): the article's body, without the teasers, bios and
#: contents lists that some layouts leave around it, which differ between two
#: sites' copies of one story. See ``signature_text``.
CORE_SCORE = 0.8
#: ...unless those blocks hold less than this share of the text (an article
#: the model is unsure of throughout): then the whole text is used.
CORE_MIN_SHARE = 0.5


def signature_text(article: Article) -> str:
    """The text an article's near-duplicate signature is computed on."""
    core = [b.text for b in article.blocks if b.score >= CORE_SCORE]
    total = sum(len(b.text) for b in article.blocks)
    if total and sum(map(len, core)) >= CORE_MIN_SHARE * total:
        return "\n\n".join(core)
    return article.text


def _document(raw: Raw, article: Article, site: str | None = None) -> Document:
    text = article.text
    doc = Document(
        source=raw.source,
        status="ok" if text else "empty",
        url=raw.url,
        site=site_of(raw.url) or site or site_of(article.canonical_url),
        kind=raw.kind,
        fetched=raw.fetched,
        text=text,
        markdown=article.to_markdown() if text else "",
        removed=[r.to_dict() for r in article.removed],
        n_chars=len(text),
        n_removed_chars=sum(len(r.text) for r in article.removed),
    )
    doc.meta = Metadata.of(article)
    if not text:
        doc.stage, doc.reason = "extract", "no article text found"
        return doc
    # Both the exact hash and the MinHash are of the article's confident core:
    # two copies with the same body are one article, whatever was kept around it.
    doc.content_hash, sig = dedup.sign(signature_text(article))
    doc.signature = dedup.signature_to_bytes(sig)
    doc.band_keys = dedup.band_keys(sig)
    return doc


def _failed(source: str, stage: str, reason: str, raw: Raw | None = None) -> Document:
    return Document(source=source, status="failed", stage=stage, reason=reason,
                    url=raw.url if raw else None, kind=raw.kind if raw else None)  # fmt: skip


def process_batch(batch: list[Raw | Failure], *, site: str | None = None) -> list[Document]:
    """Extract or clean every page of ``batch``: the pure step executors map.

    A page that fails becomes a failed ``Document`` with its reason; nothing
    here raises for one bad page.
    """
    out: list[Document | None] = [None] * len(batch)
    texts: list[int] = []
    for i, item in enumerate(batch):
        if isinstance(item, Failure):
            out[i] = _failed(item.source, item.stage, item.reason)
        elif item.kind == "text":
            texts.append(i)
        else:
            try:
                article = default_extractor().extract(
                    item.content, item.url, http_charset=item.http_charset, fetched=_fetched(item.fetched)
                )
                out[i] = _document(item, article)
            except Exception as exc:  # noqa: BLE001 -- one bad page must not stop the run
                out[i] = _failed(item.source, "extract", f"{type(exc).__name__}: {exc}", item)
    if texts:
        raws = [batch[i] for i in texts]
        cleaner = default_cleaner()
        try:
            articles = cleaner.clean_many([r.content for r in raws], urls=[r.url for r in raws], site=site)
        except Exception:  # noqa: BLE001 -- find the bad dump: clean them one by one
            articles = []
            for r in raws:
                try:
                    articles.append(cleaner.clean(r.content, r.url))
                except Exception as exc:  # noqa: BLE001
                    articles.append(exc)
        for i, raw, article in zip(texts, raws, articles):
            if isinstance(article, Exception):
                out[i] = _failed(raw.source, "clean", f"{type(article).__name__}: {article}", raw)
            else:
                out[i] = _document(raw, article, site)
    return out  # type: ignore[return-value]


# -- the run -----------------------------------------------------------------------------------


@dataclass(slots=True)
class IngestReport:
    inputs: int = 0  # pages and failed inputs seen this run
    stats: BatchStats = field(default_factory=BatchStats)
    seconds: float = 0.0

    @property
    def removed_share(self) -> float:
        total = self.stats.chars + self.stats.removed_chars
        return self.stats.removed_chars / total if total else 0.0

    def lines(self) -> list[str]:
        s = self.stats
        failures = ", ".join(f"{k} {v}" for k, v in sorted(s.failures.items())) or "none"
        rate = (s.added / self.seconds) if self.seconds else 0.0
        return [
            f"inputs:      {self.inputs} ({s.skipped} already stored)",
            f"documents:   {s.added} added: {s.ok} articles, {s.empty} without article text",
            f"duplicates:  {s.duplicates} linked to a canonical document",
            f"failures:    {sum(s.failures.values())} ({failures})",
            f"boilerplate: {self.removed_share:.1%} of the text removed",
            f"time:        {self.seconds:.1f} s ({rate:.1f} docs/s)",
        ]


class _Progress:
    """A live bar on a terminal (docs/s, failures); nothing when output is piped."""

    def __init__(self, enabled: bool):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(unit=" docs", dynamic_ncols=True, file=sys.stderr)

    def update(self, n: int, failures: int, duplicates: int) -> None:
        if self.bar is not None:
            self.bar.update(n)
            self.bar.set_postfix(failed=failures, dups=duplicates, refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def ingest(
    inputs: Iterable[str],
    store: Store,
    *,
    workers: int = 1,
    site: str | None = None,
    url_files: Iterable[str] = (),
    fetch_policy=None,
    progress: bool | None = None,
    strict: bool = False,
) -> IngestReport:
    """Ingest every page of ``inputs`` into ``store``; return the run's report.

    Inputs already stored are skipped (before extraction, and before fetching
    a URL). With ``strict`` the run stops at the first failure, after storing
    the batch it was in.
    """
    store.check_writable()
    report = IngestReport()
    start = time.perf_counter()
    bar = _Progress(sys.stderr.isatty() if progress is None else progress)

    def fresh(items):
        # skip what is stored already, a chunk at a time (one query per chunk)
        chunk: list = []
        for item in items:
            report.inputs += 1
            chunk.append(item)
            if len(chunk) >= BATCH_SIZE:
                yield from _unknown(store, chunk, report)
                chunk = []
        yield from _unknown(store, chunk, report)

    items = open_inputs(inputs, url_files=url_files, fetch_policy=fetch_policy, skip=lambda s: bool(store.known([s])))

    def written(job) -> None:
        docs, future = job
        stats = future.result()
        report.stats.merge(stats)
        bar.update(stats.added, sum(report.stats.failures.values()), report.stats.duplicates)
        if strict and stats.failures:
            first = next(d for d in docs if d.status == "failed")
            raise IngestFailure(f"{first.source}: {first.stage}: {first.reason}")

    # One writer thread stores batch k while batch k+1 is processed: SQLite
    # releases the GIL, so indexing overlaps extraction. Batches are written
    # in order, one transaction each.
    pending = None
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="thresher-writer") as writer:
            for docs in LocalExecutor(workers).map(_Step(site), batches(fresh(items), site=site)):
                if pending is not None:
                    written(pending)
                pending = (docs, writer.submit(store.write_batch, docs))
            if pending is not None:
                written(pending)
    finally:
        bar.close()
        report.seconds = time.perf_counter() - start
    return report


def _unknown(store: Store, chunk: list, report: IngestReport) -> list:
    if not chunk:
        return []
    known = store.known(item.source for item in chunk)
    report.stats.skipped += sum(1 for item in chunk if item.source in known)
    return [item for item in chunk if item.source not in known]


class _Step:
    """``process_batch`` with the run's options, picklable for worker processes."""

    def __init__(self, site: str | None):
        self.site = site

    def __call__(self, batch):
        return process_batch(batch, site=self.site)


class IngestFailure(ThresherError):
    """Raised in strict mode at the first input that failed."""
