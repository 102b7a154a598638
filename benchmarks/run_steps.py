"""Where a page's time goes: each step of ``Extractor.extract`` timed alone.

    python benchmarks/run_steps.py [--every 6] [--limit N] [--compare-parts]

Pages: every ``--every``-th bench page (``corpus.iter_pages``, all datasets;
``--limit`` per dataset first). Each step is timed in CPU time
(``time.process_time``, which a busy machine disturbs less than the wall
clock), over two passes of all pages, the second reported, as ms a page. The
steps are the recipe of ``Extractor.extract`` with the default Config, the
model's forests called one by one so each has its own line; the output is
the table of ``docs/algorithm.md#speed``.

With ``--compare-parts`` every page runs twice, the compiled parts of the
per-page path other than the walk (``_forest``, ``textstats`` and
``html.parse`` each hold theirs in ``_CORE``) switched off and on, alternately
page by page in one process: the two columns then see the same load.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.corpus import available_datasets, iter_pages, resolve_bench_dir  # noqa: E402
from benchmarks.run import pin_to_one_core  # noqa: E402
from thresher import Config, Extractor, _forest, core_path, textstats  # noqa: E402
from thresher.html import parse as parse_module  # noqa: E402
from thresher.html.assemble import assemble  # noqa: E402
from thresher.html.features import block_features, context_features  # noqa: E402
from thresher.html.hints import page_hints  # noqa: E402
from thresher.html.metadata import html_metadata, page_markup, title_clues  # noqa: E402
from thresher.html.pagetype import page_features, predict_page_type  # noqa: E402
from thresher.html.segment import segment_page  # noqa: E402
from thresher.types import Article  # noqa: E402

#: the modules whose compiled part ``--compare-parts`` switches
PART_MODULES = (_forest, textstats, parse_module)
STEPS = (
    "parse", "page nodes and hints", "segment", "block features", "stage 1", "context features", "stage 2",
    "comment model", "assemble", "page type", "metadata",
)  # fmt: skip


def time_steps(extractor: Extractor, html: str, url: str | None) -> list[float]:
    """The CPU seconds of each of ``STEPS`` on one page."""
    model, clock = extractor.model, time.process_time
    marks = [clock()]
    tree = parse_module.parse(html)
    marks.append(clock())
    nodes = parse_module.page_nodes(tree)
    hints = page_hints(tree, url, nodes)
    marks.append(clock())
    seg = segment_page(tree.body)
    marks.append(clock())
    base = block_features(seg, hints)
    marks.append(clock())
    if len(seg):
        p1 = model.stage1.predict(base)
        marks.append(clock())
        stage2 = context_features(seg, base, p1)
        marks.append(clock())
        scores = model.stage2.predict(stage2)
        marks.append(clock())
    else:  # the model's own empty result, the three steps at no cost
        scores, stage2 = model.score(base, None)
        marks += [clock()] * 3
    comments = model.comment_scores(stage2, scores, extractor.threshold)
    marks.append(clock())
    markup = page_markup(nodes)
    article = Article(url=url)
    clues = title_clues(nodes, url, markup)
    head = assemble(article, seg, scores, extractor.threshold, clues, comments)
    marks.append(clock())
    if model.page_types is not None:
        predict_page_type(model.page_types, page_features(seg, base, scores, comments.scores))
    marks.append(clock())
    html_metadata(tree, url, texts=seg.texts, headline=head, body=article.text, nodes=nodes, markup=markup, clues=clues)
    marks.append(clock())
    return [b - a for a, b in zip(marks, marks[1:])]


def switch_parts(cores: list, on: bool) -> None:
    for module, core in zip(PART_MODULES, cores):
        module._CORE = core if on else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--every", type=int, default=6, help="every N-th page (default 6)")
    ap.add_argument("--limit", type=int, default=None, help="first N pages (by id) of each dataset")
    ap.add_argument("--compare-parts", action="store_true", help="the compiled parts off and on, page by page")
    ap.add_argument("--bench-dir", default=None)
    args = ap.parse_args(argv)
    bench = resolve_bench_dir(args.bench_dir)
    pages = [(p.html, p.url) for p in iter_pages(bench, available_datasets(bench), args.limit)][:: max(args.every, 1)]
    if not pages:
        print("no pages", file=sys.stderr)
        return 1
    cpu = pin_to_one_core()
    extractor = Extractor(Config())
    cores = [module._CORE for module in PART_MODULES]
    modes = (False, True) if args.compare_parts else (True,)
    totals: dict[bool, list[float]] = defaultdict(lambda: [0.0] * len(STEPS))
    for record in (False, True):  # the first pass warms caches and lazy tables
        for i, (html, url) in enumerate(pages):
            for on in modes if i % 2 else modes[::-1]:
                switch_parts(cores, on)
                seconds = time_steps(extractor, html, url)
                if record:
                    totals[on] = [t + s for t, s in zip(totals[on], seconds)]
    switch_parts(cores, True)
    n = len(pages)
    parts = ", ".join(f"{m.__name__}: {'compiled' if c is not None else 'python'}" for m, c in zip(PART_MODULES, cores))
    print(f"{n} pages, CPU {cpu}; walk: {core_path}; parts: {parts}")
    heads = ["step", *(("parts off, ms", "parts on, ms") if args.compare_parts else ("ms",))]
    print("| " + " | ".join(heads) + " |\n|---" + "|---:" * (len(heads) - 1) + "|")
    for k, step in enumerate(STEPS):
        print(f"| {step} | " + " | ".join(f"{1000 * totals[on][k] / n:.2f}" for on in modes) + " |")
    print("| total | " + " | ".join(f"{1000 * sum(totals[on]) / n:.2f}" for on in modes) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
