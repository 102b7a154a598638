"""What a stored failure means: the class it is grouped under, and whether it is transient.

A failure is stored as its stage and a one-line reason (``documents.stage``,
``documents.reason``), worded where it happened (:mod:`.sources`, the fetcher,
``process``). Two questions are asked of it later, and both are answered here
from those two strings, so that stores written before the question was asked
answer it too, and one function decides for ingest, ``failures`` and ``stats``:

- :func:`reason_class`: the reason without what is particular to one input
  (the host, the byte offset, the parser's message), so that a thousand
  ``HTTP 503`` or ``truncated or corrupt WARC`` failures read as one line;
- :func:`transient`: whether the same input may well succeed if tried again
  (a server that was down or overloaded, a network that failed, a file that
  did not exist yet). Transient failures are not "already stored": the next
  run of the same inputs tries them again. Everything else (a page that is
  not HTML, a 404, a corrupt file, a refused address) fails the same way
  until something is changed, and is retried only when asked
  (``ingest --retry-failed``).

The reasons matched here are those the readers and the fetcher write; the
tests make a real fetcher and real files produce them, so a change of wording
there shows up as a failing test, not as a failure silently never retried.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["FailureGroup", "group_failures", "reason_class", "top_reasons", "transient"]

# fetch reasons: 429 and 5xx (also "HTTP 503 (Retry-After ... not retried)"), timeouts, network
# errors (httpx's transport errors, and the name lookup), the robots.txt of a host that was down
_TRANSIENT_FETCH = re.compile(
    r"^(?:HTTP (?:429|5\d\d)\b|timeout\b|cannot resolve |"
    r"(?:ConnectError|ReadError|WriteError|CloseError|NetworkError|RemoteProtocolError)\b)"
)
# a certificate that does not verify is a ConnectError too, but will not get better by itself
_PERMANENT_FETCH = re.compile(r"CERTIFICATE_VERIFY_FAILED|SSLCertVerificationError")
_ROBOTS_UNAVAILABLE = re.compile(r"^disallowed: robots\.txt unavailable \((.*)\)$")
# read reasons: a page file that was not there (yet). Not a pattern that matched nothing, nor a URL
# list that could not be read: once they can, what they name are inputs of their own, and nothing
# would replace their failure: trying it again would only repeat it.
_TRANSIENT_READ = re.compile(r"^no such file or directory$")

# Classes that the generic rule below would word badly, first match wins.
_CLASSES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"--allow-private"), "refused: a private or local address (use --allow-private)"),
    (re.compile(r"^refused: scheme "), "refused: scheme not allowed"),
    (_ROBOTS_UNAVAILABLE, "robots.txt unavailable"),
    (re.compile(r"^cannot resolve "), "cannot resolve host"),
    (re.compile(r"^timeout\b"), "timeout"),
)
_PARENTHESIS = re.compile(r"\s*\([^()]*\)$")


def transient(stage: str | None, reason: str | None) -> bool:
    """Whether a failure at ``stage`` for ``reason`` may well pass if the input is tried again."""
    reason = reason or ""
    if stage == "fetch":
        if m := _ROBOTS_UNAVAILABLE.match(reason):
            return transient(stage, m.group(1))
        return bool(_TRANSIENT_FETCH.match(reason)) and not _PERMANENT_FETCH.search(reason)
    if stage == "read":
        return bool(_TRANSIENT_READ.search(reason))
    return False


def reason_class(reason: str | None) -> str:
    """``reason`` without what is particular to one input: the head before the first
    ``": "`` and without a final parenthesis ("HTTP 503 (Retry-After ...)" -> "HTTP 503",
    "invalid JSON: Expecting ..." -> "invalid JSON"), or a fixed wording for the reasons
    that name a host or an address."""
    reason = (reason or "").strip()
    if not reason:
        return "unknown"
    for pattern, name in _CLASSES:
        if pattern.search(reason):
            return name
    head = reason.split(": ", 1)[0]
    return _PARENTHESIS.sub("", head) or head


@dataclass(slots=True)
class FailureGroup:
    """The stored failures of one stage and reason class (``thresher failures``)."""

    stage: str
    reason: str  # the class
    transient: bool
    count: int = 0
    sources: list[dict] = field(default_factory=list)  # {"id", "source", "reason"}, up to the limit

    def to_dict(self) -> dict:
        return {
            "stage": self.stage,
            "reason": self.reason,
            "transient": self.transient,
            "count": self.count,
            "sources": self.sources,
            "more": self.count - len(self.sources),
        }


def group_failures(rows: Iterable[tuple[int, str, str | None, str | None]], *, limit: int | None) -> list[FailureGroup]:
    """Group ``(id, source, stage, reason)`` rows by stage and reason class, largest group
    first; each group keeps its first ``limit`` sources (all of them for ``None``)."""
    groups: dict[tuple[str, str], FailureGroup] = {}
    for doc_id, source, stage, reason in rows:
        stage = stage or "unknown"
        name = reason_class(reason)
        group = groups.get((stage, name))
        if group is None:
            group = groups[stage, name] = FailureGroup(stage, name, transient(stage, reason))
        group.count += 1
        if limit is None or len(group.sources) < limit:
            group.sources.append({"id": doc_id, "source": source, "reason": reason})
    return sorted(groups.values(), key=lambda g: (-g.count, g.stage, g.reason))


def top_reasons(reasons: Counter[str] | dict[str, int], n: int | None = None) -> list[tuple[str, int]]:
    """The ``n`` (default: all) most frequent keys of ``reasons`` with their counts, ties by name."""
    return sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
