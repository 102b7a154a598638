"""The extractors measured side by side, each behind the same small interface.

Every tool is imported lazily, when :func:`load_tool` is called; importing this
module imports none of them. A :class:`Tool` splits its work in two: ``extract``
is the tool's own call (the part that is timed) and ``to_text`` turns its result
into plain text (not timed; only readability needs real work there).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

__all__ = [
    "TOOL_NAMES",
    "Outcome",
    "Tool",
    "ToolUnavailable",
    "html_to_text",
    "load_tool",
    "run_tool",
]

#: Tools known to :func:`load_tool`, in their default order. The two
#: ``speed_only`` variants pair each tool's timed call with the same work from
#: the other: ``thresher-text`` returns the text without metadata, as
#: trafilatura's default call does, and ``trafilatura-meta`` also extracts
#: metadata, as thresher's default call does.
TOOL_NAMES: tuple[str, ...] = ("thresher", "trafilatura", "readability", "thresher-text", "trafilatura-meta")

_REPO_ROOT = Path(__file__).resolve().parent.parent


class ToolUnavailable(RuntimeError):
    """A tool could not be imported; the message says what to install."""


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    version: str
    extract: Callable[[str, str | None], Any]
    to_text: Callable[[Any], str]
    origin: str = ""
    #: timed only: its text is another tool's (kept out of the quality tables)
    speed_only: bool = False


class Outcome(NamedTuple):
    """One tool run on one page: its text, the seconds the call took, and the
    exception (``"TypeName: message"``) if it raised (then ``text`` is "")."""

    text: str
    seconds: float
    error: str | None = None


def run_tool(tool: Tool, html: str, url: str | None) -> Outcome:
    """Run ``tool`` on one page; an exception counts as empty output."""
    start = time.perf_counter()
    try:
        result = tool.extract(html, url)
    except Exception as exc:  # noqa: BLE001 - any failure is an empty output, counted
        return Outcome("", time.perf_counter() - start, _describe(exc))
    seconds = time.perf_counter() - start
    try:
        text = tool.to_text(result)
    except Exception as exc:  # noqa: BLE001
        return Outcome("", seconds, _describe(exc))
    return Outcome(text or "", seconds)


def _describe(exc: BaseException) -> str:
    message = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _version(dist: str, module: Any = None) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return str(getattr(module, "__version__", "?"))


# --------------------------------------------------------------------------- thresher


def _import_thresher() -> Any:
    """``thresher`` if it imports and has ``extract``; falls back to ``src/``.

    The fallback lets ``python benchmarks/run.py`` measure the working tree
    without ``pip install -e .``.
    """
    try:
        module = importlib.import_module("thresher")
        if callable(getattr(module, "extract", None)):
            return module
    except ImportError:
        pass
    src = _REPO_ROOT / "src"
    if (src / "thresher" / "__init__.py").is_file() and str(src) not in sys.path:
        sys.modules.pop("thresher", None)
        sys.path.insert(0, str(src))
    try:
        module = importlib.import_module("thresher")
    except Exception as exc:  # noqa: BLE001 - a half-written package may raise anything
        raise ToolUnavailable(f"thresher does not import ({_describe(exc)})") from exc
    if not callable(getattr(module, "extract", None)):
        raise ToolUnavailable("thresher imports but has no extract() yet")
    return module


def _thresher(*, metadata: bool = True) -> Tool:
    module = _import_thresher()
    extract = module.Extractor(module.Config(metadata=metadata)).extract

    def call(html: str, url: str | None) -> str:
        # .text is thresher's own work, so it is inside the timed call.
        return extract(html, url=url).text

    return Tool(
        name="thresher" if metadata else "thresher-text",
        version=str(getattr(module, "__version__", None) or _version("thresher")),
        extract=call,
        to_text=_as_text,
        origin=str(Path(module.__file__).resolve().parent) if getattr(module, "__file__", None) else "",
        speed_only=not metadata,
    )


# --------------------------------------------------------------------------- trafilatura


def _trafilatura(*, metadata: bool = False) -> Tool:
    try:
        module = importlib.import_module("trafilatura")
    except ImportError as exc:
        raise ToolUnavailable(f"trafilatura is not installed: pip install trafilatura ({exc})") from exc
    extract = module.extract

    def call(html: str, url: str | None) -> str | None:
        return extract(html, url=url, include_comments=False, with_metadata=metadata)

    name = "trafilatura-meta" if metadata else "trafilatura"
    return Tool(name, _version("trafilatura", module), call, _as_text, speed_only=metadata)


def _as_text(result: Any) -> str:
    return result if isinstance(result, str) else ""


# --------------------------------------------------------------------------- readability


def _readability() -> Tool:
    try:
        module = importlib.import_module("readability")
        document = module.Document
    except (ImportError, AttributeError) as exc:
        raise ToolUnavailable(
            f"readability-lxml does not import: pip install readability-lxml lxml_html_clean ({exc})"
        ) from exc

    def call(html: str, url: str | None) -> str:
        return document(html).summary()

    return Tool("readability", _version("readability-lxml", module), call, html_to_text)


#: Elements that start and end a line of text.
BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main menu nav "
    "ol p pre section summary table tbody tfoot thead tr ul".split()
)
#: Elements whose text is never shown.
_SKIP_TAGS = frozenset("script style noscript template head title".split())
#: Table cells: separated by a space within their row's line.
_CELL_TAGS = frozenset({"td", "th"})


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one block element per line.

    ``lxml.html.fromstring(...).text_content()`` glues adjacent blocks together
    (``...end.</p><p>Next`` becomes ``end.Next``), which merges word tokens.
    Here block elements (p, div, li, h1-h6, tr, ...) and ``<br>`` end the
    current line, table cells are separated by a space, script/style text and
    comments are dropped, and each line's whitespace is collapsed.
    """
    if not fragment or not fragment.strip():
        return ""
    from lxml import etree  # lxml is a dependency of both reference tools
    from lxml import html as lxml_html

    root = lxml_html.fromstring(fragment)
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        line = " ".join("".join(buf).split())
        if line:
            lines.append(line)
        buf.clear()

    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None:  # comment / processing instruction: only its tail is text
            if el.tail:
                buf.append(el.tail)
        elif event == "start":
            if tag in _SKIP_TAGS:
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS or tag == "br":
                flush()
            elif tag in _CELL_TAGS:
                buf.append(" ")
            if el.text:
                buf.append(el.text)
        else:
            if tag in BLOCK_TAGS:
                flush()
            elif tag in _CELL_TAGS:
                buf.append(" ")
            if el.tail and el is not root:
                buf.append(el.tail)
    flush()
    return "\n".join(lines)


# --------------------------------------------------------------------------- registry

_LOADERS: dict[str, Callable[[], Tool]] = {
    "thresher": _thresher,
    "trafilatura": _trafilatura,
    "readability": _readability,
    "thresher-text": lambda: _thresher(metadata=False),
    "trafilatura-meta": lambda: _trafilatura(metadata=True),
}


def load_tool(name: str) -> Tool:
    """Import and wrap one tool; :class:`ToolUnavailable` if it cannot be used."""
    try:
        loader = _LOADERS[name]
    except KeyError:
        raise ValueError(f"unknown tool {name!r}; known: {', '.join(TOOL_NAMES)}") from None
    return loader()
