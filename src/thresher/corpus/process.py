"""The pure per-batch step of the corpus: pages in, storable documents out.

``process_batch`` is the one function an executor maps (a local process pool,
or Ray Data's ``map_batches``): extract or clean every page of a batch with
the run's ``Config``, read its metadata, and sign it for deduplication. It
touches no store and no network, so any worker anywhere can run it; one bad
page becomes a failed ``Document`` with its reason, never an exception.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

from ..config import Config
from ..dumps.cleaner import TextCleaner
from ..html.extractor import Extractor
from ..model import TwoStageModel
from ..textmeta import site_of
from ..types import Article, Kind, Metadata
from . import dedup
from .executors import TimeLimitExceeded, time_limit
from .sources import Failure, Raw
from .store import Document, page_digest

__all__ = ["CORE_MIN_SHARE", "CORE_SCORE", "Step", "engines", "model_name", "process_batch", "signature_text"]


@lru_cache(maxsize=4)
def engines(config: Config) -> tuple[Extractor, TextCleaner]:
    """This process's extractor and cleaner for ``config``: the models load once per
    process. Raises ``ModelError`` for a model that is missing or does not fit."""
    return Extractor(config), TextCleaner(config)


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
#: sites' copies of one story. See ``signature_text``. Set with blocks-v5 on
#: the dedup benchmark's extract mode (2026-11-29; recall at precision 1.000,
#: wcxb_dev copies / dragnet_train commented pages and their copies): 0.5:
#: 0.952 / -, 0.6: 0.954 / 0.961, 0.7: 0.956 / 0.962, 0.8: 0.952 / 0.956,
#: 0.9: 0.922 / -. (blocks-v4 used 0.8.)
CORE_SCORE = 0.7
#: ...unless those blocks hold less than this share of the text (an article
#: the model is unsure of throughout): then the whole text is used.
CORE_MIN_SHARE = 0.5


def signature_text(article: Article) -> str:
    """The text an article's near-duplicate signature is computed on: the
    article alone (never its comments, so a copy without them still matches)."""
    body = [b for b in article.blocks if b.kind is not Kind.COMMENT]
    core = [b.text for b in body if b.score >= CORE_SCORE]
    total = sum(len(b.text) for b in body)
    if total and sum(map(len, core)) >= CORE_MIN_SHARE * total:
        return "\n\n".join(core)
    return "\n\n".join(b.text for b in body)


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
        comments=[c.to_dict() for c in article.comments],
        n_chars=len(text),
        n_removed_chars=sum(len(r.text) for r in article.removed),
        encoding=article.encoding,
    )
    doc.meta = Metadata.of(article)
    if not text:
        doc.stage, doc.reason = "extract", article.reason or "no article text found"
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


def process_batch(
    batch: list[Raw | Failure], *, config: Config | None = None, site: str | None = None
) -> list[Document]:
    """Extract or clean every page of ``batch``: the pure step executors map.

    A page that fails becomes a failed ``Document`` with its reason; nothing
    here raises for one bad page. Each page has ``config.max_page_seconds``
    (``executors.time_limit``): one that takes longer is a failure too.
    """
    config = config or Config()
    extractor, _ = engines(config)
    out: list[Document | None] = [None] * len(batch)
    texts: list[int] = []
    for i, item in enumerate(batch):
        if isinstance(item, Failure):
            out[i] = _failed(item.source, item.stage, item.reason)
        elif item.kind == "text":
            texts.append(i)
        else:
            try:
                with time_limit(config.max_page_seconds):
                    article = extractor.extract(
                        item.content, item.url, http_charset=item.http_charset, fetched=_fetched(item.fetched)
                    )
                    out[i] = _document(item, article)
            except Exception as exc:  # noqa: BLE001 -- one bad page must not stop the run
                out[i] = _failed(item.source, "extract", _reason(exc), item)
    if texts:
        for i, doc in zip(texts, _clean([batch[i] for i in texts], config, site)):
            out[i] = doc
    _record_provenance(batch, out, config)
    return out  # type: ignore[return-value]


def _clean(raws: list[Raw], config: Config, site: str | None) -> list[Document]:
    """The text dumps of a batch cleaned together (site memory), within their pages' time;
    if that fails, one by one, so that only the bad dump fails."""
    cleaner = engines(config)[1]
    limit = config.max_page_seconds
    try:
        with time_limit(limit * len(raws)):
            articles = cleaner.clean_many([r.content for r in raws], urls=[r.url for r in raws], site=site)
            return [_document(raw, article, site) for raw, article in zip(raws, articles)]
    except Exception:  # noqa: BLE001 -- find the bad dump: clean them one by one
        pass
    docs = []
    for raw in raws:
        try:
            with time_limit(limit):
                docs.append(_document(raw, cleaner.clean(raw.content, raw.url), site))
        except Exception as exc:  # noqa: BLE001
            docs.append(_failed(raw.source, "clean", _reason(exc), raw))
    return docs


def _reason(exc: Exception) -> str:
    """A failed page's reason: the time limit's own words, or the error's name and message."""
    return str(exc) if isinstance(exc, TimeLimitExceeded) else f"{type(exc).__name__}: {exc}"


def model_name(name: str, model: TwoStageModel) -> str:
    """How the store names a model: its file's name and its feature-schema hash
    (``"blocks-v5@c5e548e994ac0e58"``)."""
    return f"{name}@{model.schema.hash}"


def provenance(config: Config) -> tuple[dict[str, str], str]:
    """What a document made with ``config`` records of it: the model of each
    input kind (``model_name``) and the config, as JSON. ``reprocess`` compares
    stored documents with it."""
    extractor, cleaner = engines(config)
    models = {"html": model_name(config.model, extractor.model), "text": model_name(config.line_model, cleaner.model)}
    return models, json.dumps(config.to_dict())


def _record_provenance(batch: list[Raw | Failure], docs: list, config: Config) -> None:
    """Stamp every document a model saw with that model, the run's config and
    its page's digest (``store.page_digest``: what tells ``reprocess`` whether
    the source still holds that page), in the worker, off the store's writer."""
    models, settings = provenance(config)
    for item, doc in zip(batch, docs):
        if isinstance(item, Raw):
            doc.model, doc.config = models[item.kind], settings
            doc.raw_digest = page_digest(item.content)


class Step:
    """``process_batch`` with the run's options: picklable, so a worker process
    (or a Ray actor) receives the user's ``Config`` with the batches.

    The models load here, in the calling process: a bad ``Config`` (a model
    that does not exist) fails before the run starts, not once per page, and
    forked workers inherit the loaded models."""

    def __init__(self, config: Config | None = None, site: str | None = None):
        self.config = config or Config()
        self.site = site
        engines(self.config)

    def __call__(self, batch: list[Raw | Failure]) -> list[Document]:
        return process_batch(batch, config=self.config, site=self.site)
