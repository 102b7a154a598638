"""One frozen options object, passed explicitly; no import-time I/O.

Every threshold is a named field with a note on how it was set.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

__all__ = ["FAVOR", "Config"]

#: The precision/recall presets of ``Config.favor``.
FAVOR = ("precision", "balanced", "recall")


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    #: Name of the shipped block model (``thresher/models/<name>.json``).
    model: str = "blocks-v5"
    #: Name of the shipped line model, for text dumps.
    line_model: str = "lines-v3"
    #: A block is kept when the second-stage probability reaches this. Set by
    #: ``benchmarks/train.py``: the value that maximised mean token-F1 over the
    #: out-of-fold predictions of the training pages; the trained model file
    #: records it, and ``None`` means "use the model's own threshold".
    threshold: float | None = None
    #: The same for a dump's lines and the line model.
    line_threshold: float | None = None
    #: Which trade-off the default thresholds make: ``"balanced"`` maximises
    #: token-F1; ``"precision"`` keeps less (less chrome, some text lost),
    #: ``"recall"`` keeps more. Each model file records the threshold of each
    #: preset, chosen by ``benchmarks/train.py`` on out-of-fold scores. An
    #: explicit ``threshold`` wins over the preset.
    favor: Literal["precision", "balanced", "recall"] = "balanced"
    #: Larger inputs raise ``ExtractionError``. 20 MB is beyond every page of the
    #: bench (max 5.3 MB); a 20 MB page of repeated markup took 1.3 s on one
    #: core (tests/test_bad_input.py), within the 2 s we allow any input.
    #: ``ingest`` and ``reprocess`` read no page past it: a compressed file, WARC
    #: record, JSONL line or HTTP body is inflated this far and no further
    #: (``corpus.sources.inflate``), and a larger page is a failure.
    max_input_bytes: int = 20_000_000
    #: The DOM walk stops after this many nodes; what follows is ignored. Real
    #: pages of the bench have at most ~60k nodes.
    max_nodes: int = 400_000
    #: ...or after this many blocks (a text dump: lines). The bench's largest
    #: page has ~2,600 blocks; the cap bounds feature and model work on giant
    #: pages (a 1 MB dump of 333,000 two-character lines took 2.2 s uncapped).
    max_blocks: int = 20_000
    #: ...or after this many characters of block text (the block crossing it is
    #: cut). The bench's largest page has ~132,000; text features cost ~0.1 s
    #: per million characters, so a 19 MB page of one paragraph stays in budget.
    max_text_chars: int = 1_000_000
    #: Seconds one page may take in ``ingest`` and ``reprocess`` (its extraction
    #: or cleaning, metadata and signature); a page still running then is a
    #: failure, and the run goes on (``executors.time_limit``, in each worker).
    #: Any page within the other limits takes at most ~2 s on one core (a 20 MB
    #: page: 1.3 s, above); 10 s leaves room for a machine shared by several
    #: workers and other jobs.
    max_page_seconds: float = 10.0
    #: Append the reader comments after the article's text, as
    #: ``Kind.COMMENT`` blocks. They are in ``Article.comments`` either way.
    comments: bool = False
    #: Read the page's metadata (dates, authors, site, language, page type...)
    #: and its reader comments. Off, ``extract`` returns the body and headline
    #: only, a little faster: the comment blocks are then left among
    #: ``removed`` (``comments=True`` still reads them).
    metadata: bool = True

    def __post_init__(self) -> None:
        if self.favor not in FAVOR:
            raise ValueError(f"Config.favor must be one of {', '.join(FAVOR)}, not {self.favor!r}")
        for name in ("threshold", "line_threshold"):
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValueError(f"Config.{name} must be between 0 and 1, not {value!r}")
        for f in fields(self):
            if f.name.startswith("max_") and getattr(self, f.name) < 1:
                raise ValueError(f"Config.{f.name} must be at least 1, not {getattr(self, f.name)!r}")

    def to_dict(self) -> dict:
        """Every field, by name (what the store records with each document)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}
