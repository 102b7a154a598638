"""One-shot entry points over lazily built default ``Extractor`` / ``TextCleaner``,
and ``ingest``, which fills a corpus store."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config
from .dumps.cleaner import TextCleaner
from .html.extractor import Extractor
from .types import Article

if TYPE_CHECKING:
    from .corpus.ingest import IngestReport
    from .corpus.sources.web import FetchPolicy
    from .corpus.store import Store

__all__ = ["extract", "clean_text", "clean_texts", "ingest", "default_extractor", "default_cleaner"]


@lru_cache(maxsize=1)
def default_extractor() -> Extractor:
    """The shared default Extractor (the model is loaded on first use, once)."""
    return Extractor()


@lru_cache(maxsize=1)
def default_cleaner() -> TextCleaner:
    """The shared default TextCleaner (the line model is loaded on first use, once)."""
    return TextCleaner()


def extract(html: str | bytes, url: str | None = None) -> Article:
    """Extract the main article from one HTML page.

    ``html`` may be ``str`` or raw ``bytes`` (the charset is found from the BOM,
    the page's declaration, or a sniff). Returns an ``Article``; a page with no
    article gives an empty one. Raises ``ExtractionError`` for unusable input.
    """
    return default_extractor().extract(html, url)


def clean_text(text: str | bytes, url: str | None = None) -> Article:
    """Clean one plain-text dump of a web page: the article's lines, without the
    site's chrome, the headline as ``Article.title``. ``bytes`` are decoded first."""
    return default_cleaner().clean(text, url)


def clean_texts(
    texts: Iterable[str | bytes], *, urls: Iterable[str | None] | None = None, site: str | None = None
) -> list[Article]:
    """Clean many dumps, with site memory: lines that recur across one site's
    dumps count as chrome (unless the model is confident they are text).

    Dumps are grouped by ``site`` when given (all of them are one site), else by
    the host of their URL; dumps with neither are cleaned alone.
    """
    return default_cleaner().clean_many(texts, urls=urls, site=site)


def ingest(
    inputs: Iterable[str],
    db: str | Path | Store = "corpus.db",
    *,
    config: Config | None = None,
    workers: int = 1,
    site: str | None = None,
    url_files: Iterable[str] = (),
    fetch_policy: FetchPolicy | None = None,
    progress: bool | None = None,
    strict: bool = False,
    retry_failed: bool = False,
    extensions: tuple[str, ...] | None = None,
    keep_raw: bool = False,
) -> IngestReport:
    """Ingest ``inputs`` (paths, directories, globs, WARC, JSONL, URLs, ``-``) into
    the corpus store ``db`` (a path, created if missing, or an open ``Store``);
    return the run's ``IngestReport``.

    Every page is extracted or cleaned with ``config`` (default ``Config()``),
    in ``workers`` processes, and the store records with each document the
    model and config that produced it. The other keywords are those of
    ``thresher.corpus.ingest.ingest``.
    """
    from .corpus.ingest import ingest as run
    from .corpus.store import Store

    options = dict(config=config, workers=workers, site=site, url_files=url_files,
                   fetch_policy=fetch_policy, progress=progress, strict=strict, retry_failed=retry_failed,
                   extensions=extensions, keep_raw=keep_raw)  # fmt: skip
    if isinstance(db, Store):
        return run(inputs, db, **options)
    with Store(db) as store:
        return run(inputs, store, **options)
