"""Plain-text dumps of the gold pages, with a gold label per line.

The plain-text cleaner gets the visible text of a whole web page, one block per
line, with the site's chrome (navigation, banners, related headlines, captions,
copyright lines, comment prompts) among the article's lines. This module makes
such dumps from the gold HTML pages, so a line classifier can be trained and
measured on them:

    python benchmarks/render.py --limit 5 --renderer browserlike   # print labelled dumps
    python benchmarks/render.py --stats                              # per dataset/renderer figures

Real dumps differ in how they were rendered, so there are two independent
renderers:

- ``render_blocks``: thresher's own segmentation (``segment(parse(html).body)``),
  one block per line, table-row cells separated by spaces;
- ``render_browserlike``: a separate DOM walk imitating a browser copy-paste or
  a lynx-style dump: inline text joins, block elements break lines, table cells
  are joined by ``" | "``, image alt texts get a line of their own, list items
  optionally get a bullet, and (like lynx, unlike a browser) elements hidden by
  CSS or the ``hidden`` attribute are *not* skipped.

``perturb`` then makes the dump messier the way real ones are (navigation runs
joined on one line, blank lines between paragraphs, indentation, CRLF), driven
by a ``random.Random`` seeded per page, so everything is reproducible.

Each final line is labelled with the share of it found in the gold text
(``label_lines``, the block trainer's ``label_blocks``): a line is content when
its label is at least 0.5.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from selectolax.lexbor import LexborHTMLParser  # noqa: E402

from benchmarks.corpus import iter_pages, resolve_bench_dir, token_f1  # noqa: E402
from benchmarks.labels import LABEL_MIN_MATCH, label_blocks  # noqa: E402
from thresher.html.parse import parse  # noqa: E402
from thresher.html.segment import segment  # noqa: E402

__all__ = [
    "DATASETS",
    "RENDERERS",
    "Dump",
    "iter_dumps",
    "label_lines",
    "make_dump",
    "perturb",
    "render",
    "render_blocks",
    "render_browserlike",
]

DATASETS = ("scrapinghub", "readability", "wcxb_dev")
RENDERERS = ("blocks", "browserlike")

_WORD = re.compile(r"\w")


def _clean_lines(raw: Iterable[str]) -> list[str]:
    """Split on every line break ``str.splitlines`` knows, drop blank lines, rstrip."""
    out: list[str] = []
    for text in raw:
        for line in text.splitlines():
            line = line.rstrip()
            if line.strip():
                out.append(line)
    return out


# ------------------------------------------------------------------ renderer 1: thresher's blocks


def render_blocks(html: str) -> list[str]:
    """One line per block of thresher's segmentation (table-row cells joined by spaces)."""
    seg = segment(parse(html).body)
    return _clean_lines(t.replace("\t", " ") for t in seg.texts)


# ------------------------------------------------------------------ renderer 2: browser / lynx-like

# Subtrees a text dump never shows (removed with their content).
_BL_SKIP = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "head", "title", "math", "iframe",
        "object", "embed", "canvas", "select", "datalist", "textarea", "audio", "video", "map",
    }
)  # fmt: skip
# Elements that end the current line on entry and on exit.
_BL_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
        "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "html", "legend", "li",
        "main", "menu", "nav", "noframes", "ol", "p", "pre", "section", "summary", "table", "tbody",
        "tfoot", "thead", "tr", "ul", "listing", "plaintext", "xmp", "search", "option",
    }
)  # fmt: skip


def render_browserlike(html: str, *, bullet: str = "") -> list[str]:
    """The page's text as a browser copy-paste / lynx-style dump, one line per visual line.

    Inline text joins (``<a>``, ``<b>``, ``<span>``... and unknown elements);
    block elements and ``<br>`` start new lines; whitespace is collapsed except
    inside ``<pre>``, whose line breaks are kept; the cells of a table row are
    joined by ``" | "`` on one line (a cell holding block elements still breaks
    lines); an ``<img>`` with a wordy ``alt`` gives the alt text as a line of its
    own; list items start with ``bullet`` (default none). Iterative walk, so any
    nesting depth is fine.
    """
    if "\x00" in html:
        html = html.replace("\x00", "")
    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    if root is None:
        return []
    lines: list[str] = []
    buf: list[str] = []
    # state: [has_text, pending cell separator, pending bullet, pre depth]
    has_text = False
    sep_pending = False
    prefix = ""
    pre_depth = 0

    def flush() -> None:
        nonlocal has_text, sep_pending
        if buf:
            raw = "".join(buf)
            buf.clear()
            if pre_depth:
                line = raw.rstrip()
                if line.strip():
                    lines.append(line)
            else:
                line = " ".join(raw.split())
                if line:
                    lines.append(line)
        has_text = False
        sep_pending = False

    def add(text: str) -> None:
        nonlocal has_text, sep_pending, prefix
        if not has_text:
            if text.isspace():
                buf.append(text)
                return
            if prefix:
                buf.append(prefix)
                prefix = ""
            has_text = True
        elif sep_pending and not text.isspace():
            buf.append(" | ")
            sep_pending = False
        buf.append(text)

    stack = [root]
    node = root.child
    while True:
        if node is None:
            fr = stack.pop()
            if not stack:
                break
            tag = fr.tag
            if tag in _BL_BLOCK:
                flush()
                if tag == "pre" or tag == "listing" or tag == "xmp" or tag == "plaintext":
                    pre_depth -= 1
                elif tag == "li":
                    prefix = ""
            node = fr.next
            continue
        tag = node.tag
        if tag == "-text":
            t = node.text_content
            if t:
                if pre_depth and "\n" in t:
                    parts = t.split("\n")
                    add(parts[0])
                    for part in parts[1:]:
                        flush()
                        add(part)
                else:
                    add(t)
            node = node.next
            continue
        if not tag or tag in _BL_SKIP or tag[0] in "-!#_":  # a node without a tag name: skipped
            node = node.next
            continue
        if tag == "br" or tag == "hr":
            flush()
            node = node.next
            continue
        if tag == "img":
            alt = node.attributes.get("alt")
            if alt and _WORD.search(alt):
                flush()
                lines.append(" ".join(alt.split()))
            node = node.next
            continue
        if tag in _BL_BLOCK:
            flush()
            if tag == "pre" or tag == "listing" or tag == "xmp" or tag == "plaintext":
                pre_depth += 1
            elif tag == "li":
                prefix = bullet
        elif tag == "td" or tag == "th":
            if has_text:
                sep_pending = True
        stack.append(node)
        child = node.child
        if child is None:
            # an empty element: leave it at once
            node = None
            continue
        node = child
    flush()
    return _clean_lines(lines)


_RENDERERS = {"blocks": render_blocks, "browserlike": render_browserlike}


def render(html: str, renderer: str, rng: random.Random | None = None) -> list[str]:
    """Render ``html`` with the named renderer; ``rng`` picks the browser-like bullet style."""
    if renderer == "blocks":
        return render_blocks(html)
    if renderer == "browserlike":
        bullet = rng.choice(("", "", "", "* ", "- ", "\u2022 ")) if rng is not None else ""
        return render_browserlike(html, bullet=bullet)
    raise ValueError(f"unknown renderer {renderer!r}; known: {', '.join(RENDERERS)}")


# ------------------------------------------------------------------ perturbation

_SENT_END = (".", "!", "?", ":", ";", ",", '"', "\u201d")
_BULLET = re.compile(r"^\s*(?:[*\-\u2022\u00b7]\s+)?")


def _unbullet(line: str) -> str:
    return _BULLET.sub("", line, count=1).strip()


def _is_short(line: str) -> bool:
    """A navigation-like line: one to three words, short, no sentence punctuation at the end."""
    s = _unbullet(line)
    return 0 < len(s) <= 30 and len(s.split()) <= 3 and not s.endswith(_SENT_END)


def _join_short_runs(lines: list[str], rng: random.Random) -> list[str]:
    """Join runs of >= 3 short consecutive lines into lines of a few items each
    (bullets dropped: a menu flattened onto one line has none)."""
    sep = rng.choice((" ", " ", " ", "  ", " | "))
    p_run = rng.uniform(0.4, 1.0)
    out: list[str] = []
    i, n = 0, len(lines)
    while i < n:
        j = i
        while j < n and _is_short(lines[j]):
            j += 1
        if j - i >= 3 and rng.random() < p_run:
            k = i
            while k < j:
                size = rng.randint(3, 12)
                out.append(sep.join(_unbullet(x) for x in lines[k : min(k + size, j)]))
                k += size
            i = j
        else:
            out.extend(lines[i : max(j, i + 1)])
            i = max(j, i + 1)
    return out


def _is_paragraph(line: str) -> bool:
    s = line.rstrip()
    return len(s.split()) >= 8 or (len(s) > 40 and s.endswith((".", "!", "?", '"', "\u201d")))


def perturb(lines: Sequence[str], rng: random.Random) -> str:
    """The dump text of ``lines``, made messier the way real dumps are.

    Every choice comes from ``rng`` (same state, same text), and the words of
    every line are kept, in order:
    - sometimes runs of short navigation-like lines are joined onto one line
      ("Americas Africa Europe Middle East");
    - whitespace: lines stripped, kept as rendered, indented (lynx), or given
      stray trailing spaces (browser copies);
    - blank lines: none, after every line, after paragraph-like lines only (as
      in most of the seeds), or after random lines;
    - sometimes CRLF line endings, sometimes a final line ending.
    """
    out = [line for line in lines if line.strip()]
    if rng.random() < 0.5:
        out = _join_short_runs(out, rng)

    ws = rng.choices(("strip", "keep", "indent", "trailing"), weights=(4, 3, 1.5, 1.5))[0]
    if ws == "strip":
        out = [line.strip() for line in out]
    elif ws == "indent":
        width = rng.choice((2, 3, 4))
        p = rng.uniform(0.5, 1.0)
        out = [(" " * width + line) if _is_paragraph(line) or rng.random() < p else line for line in out]
    elif ws == "trailing":
        p = rng.uniform(0.1, 0.6)
        out = [line + " " * rng.randint(1, 3) if rng.random() < p else line for line in out]

    blanks = rng.choices(("none", "all", "paragraphs", "random"), weights=(3, 2.5, 3.5, 1))[0]
    if blanks != "none":
        p = rng.uniform(0.2, 0.6)
        spaced: list[str] = []
        last = len(out) - 1
        for i, line in enumerate(out):
            spaced.append(line)
            if i == last:
                break
            if (
                blanks == "all"
                or (blanks == "paragraphs" and _is_paragraph(line))
                or (blanks == "random" and rng.random() < p)
            ):
                spaced.append("")
                if rng.random() < 0.05:
                    spaced.append("")
        out = spaced

    eol = "\r\n" if rng.random() < 0.15 else "\n"
    text = eol.join(out)
    if out and rng.random() < 0.5:
        text += eol
    return text


# ------------------------------------------------------------------ labels and dumps


def label_lines(lines: Sequence[str], gold: str) -> list[float]:
    """Share of each line found in ``gold`` (0..1), exactly as ``train.label_blocks`` labels blocks."""
    if not lines:
        return []
    return [float(x) for x in label_blocks([line.strip() for line in lines], gold or "")]


class Dump(NamedTuple):
    page_id: str
    dataset: str
    renderer: str
    url: str | None
    lines: list[str]  # non-empty lines of ``text``
    labels: list[float]  # one per line
    gold: str
    text: str  # the perturbed dump


def _page_rng(seed: int, dataset: str, page_id: str, renderer: str) -> random.Random:
    return random.Random(zlib.crc32(f"{seed}\x00{dataset}\x00{page_id}\x00{renderer}".encode()))


def make_dump(page_id: str, dataset: str, url: str | None, html: str, gold: str, renderer: str, seed: int = 0) -> Dump:
    """The dump of one page with one renderer (deterministic for ``seed``)."""
    rng = _page_rng(seed, dataset, page_id, renderer)
    text = perturb(render(html, renderer, rng), rng)
    lines = [line for line in text.splitlines() if line.strip()]
    return Dump(page_id, dataset, renderer, url, lines, label_lines(lines, gold), gold, text)


def iter_dumps(
    bench_dir,
    datasets: Iterable[str] = DATASETS,
    renderers: Iterable[str] = RENDERERS,
    seed: int = 0,
    limit_per_dataset: int | None = None,
) -> Iterator[Dump]:
    """One :class:`Dump` per page with gold and per renderer, pages in (dataset, id) order."""
    renderers = tuple(renderers)
    unknown = [r for r in renderers if r not in _RENDERERS]
    if unknown:
        raise ValueError(f"unknown renderer(s) {unknown}; known: {list(RENDERERS)}")
    for page in iter_pages(bench_dir, datasets, limit_per_dataset):
        if not page.gold:
            continue
        for r in renderers:
            yield make_dump(page.id, page.dataset, page.url, page.html, page.gold, r, seed)


def oracle_text(dump: Dump, threshold: float = LABEL_MIN_MATCH) -> str:
    """The lines a perfect line classifier keeps."""
    return "\n".join(line for line, y in zip(dump.lines, dump.labels) if y >= threshold)


# ------------------------------------------------------------------ CLI


def _split_list(values: Sequence[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v for item in values for v in item.split(",") if v]


def _print_dump(d: Dump) -> None:
    print(f"===== {d.dataset}/{d.page_id} [{d.renderer}] {d.url or ''}")
    for line, y in zip(d.lines, d.labels):
        print(f"{y:4.2f} | {line}")
    print()


def _stats(dumps: Iterable[Dump]) -> None:
    acc: dict[tuple[str, str], dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for d in dumps:
        a = acc[(d.dataset, d.renderer)]
        a["lines"].append(len(d.lines))
        a["pos"].append(sum(1 for y in d.labels if y >= LABEL_MIN_MATCH))
        p, r, f = token_f1(oracle_text(d), d.gold)
        a["p"].append(p)
        a["r"].append(r)
        a["f1"].append(f)
    head = f"{'dataset':<12} {'renderer':<12} {'pages':>5} {'lines':>7} {'content':>8} {'oracle P':>9} {'oracle R':>9} {'oracle F1':>10} {'median F1':>10}"
    print(head)
    print("-" * len(head))
    for (ds, rd), a in sorted(acc.items()):
        n_lines = sum(a["lines"])
        share = sum(a["pos"]) / n_lines if n_lines else 0.0
        print(
            f"{ds:<12} {rd:<12} {len(a['lines']):>5} {statistics.mean(a['lines']):>7.1f} {share:>8.3f} "
            f"{statistics.mean(a['p']):>9.3f} {statistics.mean(a['r']):>9.3f} {statistics.mean(a['f1']):>10.3f} "
            f"{statistics.median(a['f1']):>10.3f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--bench-dir", default=None)
    ap.add_argument("--datasets", nargs="+", default=None, help=f"default: {' '.join(DATASETS)}")
    ap.add_argument("--renderer", default="all", choices=(*RENDERERS, "all"))
    ap.add_argument("--limit", type=int, default=None, help="first N pages (by id) of each dataset")
    ap.add_argument("--page", default=None, help="only the page with this id")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--stats", action="store_true", help="per dataset/renderer: pages, lines, content share, oracle F1")
    args = ap.parse_args(argv)

    bench_dir = resolve_bench_dir(args.bench_dir)
    datasets = _split_list(args.datasets) or list(DATASETS)
    renderers = RENDERERS if args.renderer == "all" else (args.renderer,)
    limit = args.limit
    if args.page is not None:
        limit = None
    dumps = iter_dumps(bench_dir, datasets, renderers, args.seed, limit)
    if args.page is not None:
        dumps = (d for d in dumps if d.page_id == args.page)
    if args.stats:
        t0 = time.perf_counter()
        _stats(dumps)
        print(f"\n{time.perf_counter() - t0:.1f} s")
    else:
        try:
            for d in dumps:
                _print_dump(d)
        except BrokenPipeError:
            sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
