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
    article gives an empty one, and so do bytes that are no text at all
    (compressed data, an image: ``Article.reason`` says what they are). Raises
    ``ExtractionError`` for input over ``Config.max_input_bytes``.

    Input without a single HTML tag is a plain-text dump, not a page: the HTML
    model would read it as one block, chrome and all, so it is cleaned as
    ``clean_text`` cleans it. (``Extractor.extract`` reads every input as HTML.)
    """
    extractor = default_extractor()
    if _plain_text(html, extractor.config.max_input_bytes):
        return default_cleaner().clean(html, url)
    return extractor.extract(html, url)


def _plain_text(page: str | bytes, max_chars: int) -> bool:
    """Whether ``page`` is text without markup (``sniff.has_markup`` of its head):
    neither empty, binary, over the size limit (the extractor says so), nor HTML."""
    from .corpus.sources.sniff import SNIFF_BYTES, has_markup, sniff_format

    if not isinstance(page, (str, bytes, bytearray, memoryview)) or len(page) > max_chars:
        return False
    head = page[:SNIFF_BYTES]
    if isinstance(head, str):
        return bool(head.strip()) and not has_markup(head)
    return bool(bytes(head).strip()) and sniff_format(bytes(head)) == "text" and not has_markup(bytes(head))


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
    languages: str | Iterable[str] | None = None,
) -> IngestReport:
    """Ingest ``inputs`` (paths, directories, globs, WARC, JSONL, URLs, ``-``) into
    the corpus store ``db`` (a path, created if missing, or an open ``Store``);
    return the run's ``IngestReport``.

    Every page is extracted or cleaned with ``config`` (default ``Config()``),
    in ``workers`` processes, and the store records with each document the
    model and config that produced it. With ``languages`` (``"en,de"`` or
    ``["en", "de"]``), articles in other languages are counted, not stored.
    The other keywords are those of ``thresher.corpus.ingest.ingest``.
    """
    from .corpus.ingest import ingest as run
    from .corpus.languages import language_set
    from .corpus.store import Store

    languages = language_set(languages)  # a bad code fails before the store is made
    options = dict(config=config, workers=workers, site=site, url_files=url_files,
                   fetch_policy=fetch_policy, progress=progress, strict=strict, retry_failed=retry_failed,
                   extensions=extensions, keep_raw=keep_raw, languages=languages)  # fmt: skip
    if isinstance(db, Store):
        return run(inputs, db, **options)
    with Store(db) as store:
        return run(inputs, store, **options)
