"""Gold pages for benchmarking, and the metrics computed on them.

The pages live outside the repository (``*.jsonl.gz`` files, one JSON object
per line, described in the bench directory's README.md) and are read at run
time; nothing from them is ever copied into the repo.

Everything here is pure apart from reading the files: no state at import time,
so the functions can be tested directly.
"""

from __future__ import annotations

import gzip
import heapq
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

__all__ = [
    "BENCH_DIR_ENV",
    "META_FIELDS",
    "MIN_GOLD_COVERAGE",
    "Page",
    "SnippetCounts",
    "SnippetScores",
    "author_set",
    "available_datasets",
    "default_bench_dir",
    "iter_pages",
    "load_pages",
    "meta_correct",
    "meta_gold",
    "norm_title",
    "normalize_ws",
    "page_from_record",
    "resolve_bench_dir",
    "snippet_counts",
    "snippet_scores",
    "sum_counts",
    "token_f1",
    "tokens",
]

#: Environment variable that overrides the default bench directory.
BENCH_DIR_ENV = "THRESHER_BENCH_DIR"

#: Pages whose ``extra.gold_coverage`` is below this are broken page/gold pairs.
MIN_GOLD_COVERAGE = 0.5

_SUFFIX = ".jsonl.gz"
_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True, slots=True)
class Page:
    """One gold page.

    ``dataset`` is the name of the file the page came from (``wcxb_dev``, not
    the ``dataset`` field inside the record, which can differ). ``gold`` is
    None when the page has no usable full gold text (absent or empty).
    """

    id: str
    dataset: str
    url: str | None
    html: str
    gold: str | None = None
    with_: tuple[str, ...] = ()
    without: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_gold(self) -> bool:
        return self.gold is not None

    @property
    def has_snippets(self) -> bool:
        return bool(self.with_ or self.without)

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.dataset, self.id)


def default_bench_dir() -> Path:
    """``$THRESHER_BENCH_DIR`` if set, else ``../shared/bench`` beside the repo root."""
    env = os.environ.get(BENCH_DIR_ENV)
    if env:
        return Path(env)
    repo_root = Path(__file__).resolve().parent.parent
    return repo_root.parent / "shared" / "bench"


def resolve_bench_dir(arg: str | os.PathLike[str] | None) -> Path:
    """The bench directory from a command-line value (None: the default)."""
    return Path(arg) if arg else default_bench_dir()


def available_datasets(bench_dir: str | os.PathLike[str]) -> list[str]:
    """Names of the datasets (``NAME.jsonl.gz`` files) in ``bench_dir``, sorted."""
    return sorted(p.name[: -len(_SUFFIX)] for p in Path(bench_dir).glob("*" + _SUFFIX))


def page_from_record(record: dict[str, Any], dataset: str) -> Page:
    """Build a :class:`Page` from one decoded JSON line of ``dataset``."""
    gold = record.get("gold")
    if gold is not None and not gold.strip():
        gold = None
    return Page(
        id=str(record["id"]),
        dataset=dataset,
        url=record.get("url") or None,
        html=record["html"],
        gold=gold,
        with_=tuple(record.get("with") or ()),
        without=tuple(record.get("without") or ()),
        extra=dict(record.get("extra") or {}),
    )


def _is_broken(record: dict[str, Any]) -> bool:
    coverage = (record.get("extra") or {}).get("gold_coverage")
    return coverage is not None and coverage < MIN_GOLD_COVERAGE


def _read_dataset(path: Path, dataset: str) -> Iterator[Page]:
    """Pages of one file in file order, broken page/gold pairs skipped."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            record = json.loads(line)
            if _is_broken(record):
                continue
            yield page_from_record(record, dataset)


def _select_datasets(bench_dir: Path, datasets: Iterable[str] | None) -> list[str]:
    known = available_datasets(bench_dir)
    if not known:
        raise FileNotFoundError(f"no *{_SUFFIX} files in {bench_dir} (set --bench-dir or ${BENCH_DIR_ENV})")
    if datasets is None:
        return known
    wanted = sorted(set(datasets))
    missing = [d for d in wanted if d not in known]
    if missing:
        raise ValueError(f"unknown dataset(s) {missing}; available: {known}")
    return wanted


def iter_pages(
    bench_dir: str | os.PathLike[str],
    datasets: Iterable[str] | None = None,
    limit_per_dataset: int | None = None,
) -> Iterator[Page]:
    """Stream pages sorted by (dataset, id), one dataset in memory at a time.

    Pages with ``extra.gold_coverage`` < 0.5 are skipped. With
    ``limit_per_dataset`` only the first N pages (by id) of each dataset are
    kept, and only N pages are held in memory while reading.
    """
    root = Path(bench_dir)
    for name in _select_datasets(root, datasets):
        pages = _read_dataset(root / f"{name}{_SUFFIX}", name)
        if limit_per_dataset is None:
            chosen = sorted(pages, key=lambda p: p.id)
        else:
            chosen = heapq.nsmallest(max(limit_per_dataset, 0), pages, key=lambda p: p.id)
        yield from chosen


def load_pages(
    bench_dir: str | os.PathLike[str],
    datasets: Iterable[str] | None = None,
    limit_per_dataset: int | None = None,
) -> list[Page]:
    """All pages of :func:`iter_pages` as a list, sorted by (dataset, id)."""
    return list(iter_pages(bench_dir, datasets, limit_per_dataset))


# --------------------------------------------------------------------------- token F1


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens (``\\w+``, Unicode) of ``text``."""
    return _TOKEN_RE.findall(text.lower())


def token_f1(output: str | None, gold: str | None) -> tuple[float, float, float]:
    """Token-level (precision, recall, F1) of ``output`` against ``gold``.

    Tokens are compared as multisets. An output without tokens scores 0/0/0,
    unless the gold has none either (1/1/1); the same for a gold without tokens.
    """
    out = Counter(tokens(output or ""))
    ref = Counter(tokens(gold or ""))
    n_out, n_ref = sum(out.values()), sum(ref.values())
    if n_out == 0 and n_ref == 0:
        return 1.0, 1.0, 1.0
    if n_out == 0 or n_ref == 0:
        return 0.0, 0.0, 0.0
    shared = sum((out & ref).values())
    precision, recall = shared / n_out, shared / n_ref
    return precision, recall, _f1(precision, recall)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


# --------------------------------------------------------------------------- snippets


class SnippetCounts(NamedTuple):
    """Confusion counts of the snippet metric (trafilatura's evaluation)."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0


class SnippetScores(NamedTuple):
    precision: float
    recall: float
    f1: float
    accuracy: float


def normalize_ws(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return " ".join(text.split())


def snippet_counts(output: str | None, with_: Sequence[str], without: Sequence[str]) -> SnippetCounts:
    """(tp, fn, fp, tn) of one page.

    Each ``with_`` snippet found in the output is a true positive, each missing
    one a false negative; each ``without`` snippet found is a false positive,
    each absent one a true negative. Matching is a case-sensitive substring
    test after whitespace normalisation of both sides; snippets that are empty
    after normalisation are ignored.
    """
    text = normalize_ws(output or "")
    wanted = [s for s in map(normalize_ws, with_) if s]
    unwanted = [s for s in map(normalize_ws, without) if s]
    tp = sum(1 for s in wanted if s in text)
    fp = sum(1 for s in unwanted if s in text)
    return SnippetCounts(tp=tp, fn=len(wanted) - tp, fp=fp, tn=len(unwanted) - fp)


def sum_counts(counts: Iterable[SnippetCounts]) -> SnippetCounts:
    """Element-wise sum of snippet counts (pooled over pages)."""
    tp = fn = fp = tn = 0
    for c in counts:
        tp, fn, fp, tn = tp + c[0], fn + c[1], fp + c[2], tn + c[3]
    return SnippetCounts(tp, fn, fp, tn)


def snippet_scores(counts: SnippetCounts) -> SnippetScores:
    """Precision, recall, F1 and accuracy of (possibly summed) snippet counts.

    A ratio whose denominator is 0 is reported as 0.0.
    """
    tp, fn, fp, tn = counts
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    total = tp + fn + fp + tn
    accuracy = (tp + tn) / total if total else 0.0
    return SnippetScores(precision, recall, _f1(precision, recall), accuracy)


# --------------------------------------------------------------------------- metadata

META_FIELDS = ("title", "date", "authors")
_META_GOLD_KEYS = {"title": ("title",), "date": ("publish_date", "date"), "authors": ("author", "byline")}
_CREDENTIAL = re.compile(r"^(?:[A-Z]{2,5}|Ph\.?\s?D\.?|M\.?D\.?|Sr\.?|Jr\.?|[A-Z]-[A-Z]{2,5}(?: \d+)?)$")
_AUTHOR_SPLIT = re.compile(r"\s*(?:[,;&|/]|\band\b|\bund\b)\s*", re.IGNORECASE)


def norm_title(value: str | None) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", (value or "").casefold()).split())


def author_set(value) -> frozenset[str]:
    if isinstance(value, (list, tuple)):
        value = "; ".join(v for v in value if isinstance(v, str))
    if not value:
        return frozenset()
    value = re.sub(r"^\s*by\s+", "", value, flags=re.IGNORECASE)
    # credentials after a name ("Jane Doe, MD, PhD") are not names, on either side
    return frozenset(
        n for n in (norm_title(p) for p in _AUTHOR_SPLIT.split(value) if not _CREDENTIAL.match(p.strip())) if n
    )


def meta_correct(field: str, gold, got) -> bool:
    """Headline: normalised exact match; date: same day; authors: the same set of names."""
    if field == "title":
        return norm_title(gold) == norm_title(got)
    if field == "date":
        return bool(got) and str(got)[:10] == str(gold)[:10]
    return author_set(gold) == author_set(got)


def meta_gold(extra: dict, field: str):
    """A page's gold value for a metadata field (``extra`` keys differ per dataset), or None."""
    for key in _META_GOLD_KEYS[field]:
        value = extra.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
