"""Train thresher's models from the gold pages, reproducibly.

    python benchmarks/train.py                       # block model (HTML): cross-validate, write it
    python benchmarks/train.py --kind lines          # line model (text dumps)
    python benchmarks/train.py --cv-only             # just the out-of-fold figures, split by site
    python benchmarks/train.py --cv-only --split dataset   # ...each whole dataset left out

Both kinds go through the same steps; the line model learns from text dumps
of the same gold pages, rendered by two different renderers
(``benchmarks/render.py``), with lines labelled like blocks.

Steps:
1. Every page with full gold text (scrapinghub, readability, wcxb_dev,
   dragnet_train) is
   parsed and segmented exactly as the extractor does, and each block gets
   its feature row (``thresher.html.features``).
2. Each block is labelled by how much of it the gold text holds: the share of
   its word 3-grams (characters for CJK text) found in the gold; a block is
   content when that share is at least ``LABEL_MIN_MATCH``. Short blocks (one
   or two words) are content when they equal a whole gold line.
3. Sites are split into ``--folds`` groups (by host name, so one site's pages
   never sit on both sides), or, with ``--split dataset``, each dataset is a
   fold of its own (scored at a threshold chosen on the others). Stage 1 (CatBoost, oblivious trees) is trained
   out-of-fold to get honest stage-1 scores for every block; stage 2 learns
   from those scores plus the block features; a second out-of-fold pass gives
   stage-2 scores, on which the decision threshold that maximises mean
   token-F1 is chosen (pages weigh ``DATASET_WEIGHTS`` in both). The
   per-dataset cross-validated F1 is printed: those are the honest figures for
   pages the model has not seen.
4. The final stage 1 is trained on all pages, stage 2 on all pages' out-of-fold
   stage-1 scores, and both are exported to ``src/thresher/models/<Config().model>.json``
   (plain JSON, evaluated by ``thresher._forest``), with the training manifest
   and the feature-schema hash; with them the comment model (trained on the
   pages that label comments, ``COMMENT_DATASETS``), the page-type forests
   (block model), and the threshold of each ``Config.favor`` preset.

Every random choice is seeded; CatBoost runs with a fixed thread count, so a
rerun gives the same model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import sys
import time
import zlib
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from benchmarks.corpus import Page, iter_pages, resolve_bench_dir, token_f1, tokens  # noqa: E402
from benchmarks.labels import (
    LABEL_MIN_MATCH,
    block_weights,
    comment_labels,
    label_blocks,
    page_type_label,
    site_of,
)  # noqa: E402
from thresher._forest import ObliviousEnsemble  # noqa: E402
from thresher.config import Config  # noqa: E402
from thresher.dumps import cleaner  # noqa: E402
from thresher.dumps.lines import (  # noqa: E402
    LINE_SCHEMA,  # noqa: E402
    Lines,
    line_context_features,
    line_features,
    split_lines,
)
from thresher.html.assemble import assemble  # noqa: E402
from thresher.html.features import (  # noqa: E402
    BLOCK_SCHEMA,  # noqa: E402
    block_features,
    context_features,
)
from thresher.html.hints import page_hints  # noqa: E402
from thresher.html.pagetype import page_features
from thresher.html.parse import parse  # noqa: E402
from thresher.html.segment import segment_page  # noqa: E402
from thresher.model import TwoStageModel, comment_matrix  # noqa: E402
from thresher.types import PAGE_TYPES, Article  # noqa: E402

TRAIN_DATASETS = ("scrapinghub", "readability", "wcxb_dev", "dragnet_train")

MODELS_DIR = ROOT / "src" / "thresher" / "models"
#: The shipped file of each kind of model; the version goes up when the
#: features change meaning.
MODEL_NAMES = {"blocks": Config().model, "lines": Config().line_model}
SCHEMAS = {"blocks": BLOCK_SCHEMA, "lines": LINE_SCHEMA}
CACHE_DIR = ROOT / "benchmarks" / "results"
SEED = 20261123
CATBOOST_PARAMS = dict(
    iterations=500,
    depth=6,
    learning_rate=0.12,
    l2_leaf_reg=3.0,
    loss_function="Logloss",
    border_count=128,
    random_seed=SEED,
    thread_count=2,
    verbose=0,
    allow_writing_files=False,
)
#: Per-kind changes to ``CATBOOST_PARAMS``. The line model runs on every line
#: of a dump, where the forest is a third of the time: 250 trees at a higher
#: rate cross-validated as well as 500 (0.8160 against 0.8167 mean F1) at
#: half the cost.
#: The block model's leaves are regularised harder than CatBoost's default
#: (l2_leaf_reg 3), cross-validated with DATASET_WEIGHTS (2026-11-24; all /
#: scrapinghub / readability / wcxb_dev): 3: 0.8736 / 0.954 / 0.944 / 0.856;
#: 10: 0.8750 / 0.952 / 0.952 / 0.857; 30: 0.8741 / 0.953 / 0.944 / 0.857.
#: (rsm 0.5, a random half of the features per split: 0.8735.)
#: The forests are a fifth of the block model's run time, so the block model
#: also has fewer trees at a higher rate: 300 trees at 0.2 against 500 at 0.12,
#: with two CatBoost seeds each (2026-11-24; readability / scrapinghub /
#: wcxb_dev / all): 500: 0.959 / 0.957 / 0.868 / 0.8847 and 0.953 / 0.960 /
#: 0.872 / 0.8885; 300: 0.959 / 0.964 / 0.872 / 0.8886 and 0.945 / 0.955 /
#: 0.872 / 0.8869. Equal within the seeds' spread, at 0.6 ms a page less.
#: (200 trees at 0.3: 0.951 / 0.955 / 0.870 / 0.8855.)
KIND_PARAMS = {
    "lines": dict(iterations=250, learning_rate=0.2),
    "blocks": dict(iterations=300, learning_rate=0.2, l2_leaf_reg=10.0),
}
#: How much each dataset's pages weigh in training and in the choice of the
#: threshold, per kind (default 1). For the block model a news page weighs six
#: wcxb_dev pages: wcxb_dev's 1332 pages are of every kind (forums, shops,
#: docs), and its gold keeps the comment threads of forum-like pages, which
#: taught the model to keep the comments under news articles too (with
#: l2_leaf_reg 3). Cross-validated F1 by site (2026-11-24;
#: all / scrapinghub / readability / wcxb_dev) with weights 1: 0.8721 / 0.943 /
#: 0.935 / 0.856; 3: 0.8728 / 0.946 / 0.949 / 0.855; 6: 0.8736 / 0.954 / 0.944 /
#: 0.856; 10: 0.8726 / 0.955 / 0.946 / 0.854. (lines-v2 was trained with equal
#: weights; the line model has not been measured with others.)
DATASET_WEIGHTS: dict[str, dict[str, float]] = {
    "blocks": {"scrapinghub": 6.0, "readability": 6.0, "dragnet_train": 3.0}
}


# ------------------------------------------------------------------ features
def _block_rows(page: Page) -> list[tuple]:
    tree = parse(page.html)
    hints = page_hints(tree, page.url)
    seg = segment_page(tree.body)
    X = block_features(seg, hints)
    y = label_blocks(seg.texts, page.gold or "")
    yc = comment_labels(seg.texts, y, page.extra.get("comments"))
    ptype = page_type_label(page)
    return [
        (page.dataset, page.id, site_of(page), seg, hints.title, X, y, page.gold, yc, page.extra.get("comments"), ptype)
    ]


#: Besides every whole dump, the line model learns from short excerpts of it
#: (a few lines: a pasted paragraph, a snippet with one menu line), which no
#: whole page resembles; without them a two-line input is out of the model's
#: experience. Two per dump, of 2 to ``EXCERPT_MAX_LINES`` lines: one
#: anywhere, one around an article line. They weigh ``EXCERPT_WEIGHT`` of a
#: page each, and are never scored (the figures are on whole dumps).
EXCERPT_MAX_LINES = 10
EXCERPT_WEIGHT = 0.05
EXCERPT = ":excerpt"


def _excerpts(lines, y: np.ndarray, rng) -> list[tuple[int, int]]:
    n = len(lines)
    if n < 3:
        return []
    spans = []
    for around in (None, np.flatnonzero(y >= LABEL_MIN_MATCH)):
        size = int(rng.integers(2, min(EXCERPT_MAX_LINES, n - 1) + 1))
        if around is None:
            start = int(rng.integers(0, n - size + 1))
        elif around.size:
            start = int(np.clip(int(rng.choice(around)) - int(rng.integers(0, size)), 0, n - size))
        else:
            continue
        spans.append((start, start + size))
    return spans


def _line_rows(page: Page) -> list[tuple]:
    from benchmarks.render import RENDERERS, make_dump

    rows = []
    rng = np.random.default_rng([SEED, zlib.crc32(f"{page.dataset}/{page.id}".encode())])
    for renderer in RENDERERS:
        dump = make_dump(page.id, page.dataset, page.url, page.html, page.gold or "", renderer, SEED)
        lines = split_lines(dump.text)
        X = line_features(lines)
        y = label_blocks(lines.texts, page.gold or "")
        yc = comment_labels(lines.texts, y, page.extra.get("comments"))
        comments = page.extra.get("comments")
        rows.append(
            (page.dataset, f"{page.id}:{renderer}", site_of(page), lines, None, X, y, page.gold, yc, comments, None)
        )
        for a, b in _excerpts(lines, y, rng):
            part = Lines(lines.texts[a:b], lines.blank_before[a:b], lines.blank_after[a:b])
            rows.append((page.dataset + EXCERPT, f"{page.id}:{renderer}:{a}-{b}", site_of(page), part, None,
                         line_features(part), y[a:b], None, yc[a:b], None, None))  # fmt: skip
    return rows


ROW_MAKERS = {"blocks": _block_rows, "lines": _line_rows}
#: The code a feature cache depends on: all of the package, and the labelling.
SOURCES = (
    *sorted((ROOT / "src" / "thresher").rglob("*.py")),
    *(ROOT / "benchmarks" / f for f in ("labels.py", "render.py", "train.py")),
)


def context_of(kind: str, row: tuple, p1: np.ndarray) -> np.ndarray:
    if kind == "blocks":
        return context_features(row[3], row[5], p1)
    return line_context_features(row[5], p1)


def text_of(kind: str, row: tuple, scores: np.ndarray, threshold: float) -> str:
    article = Article()
    if kind == "blocks":
        assemble(article, row[3], scores, threshold, row[4])  # fills the article in place
        return article.text
    return cleaner.assemble(article, row[3], scores, None, threshold, None).text


def load_training_rows(kind: str, bench_dir: Path, limit: int | None, workers: int, cache: bool = False):
    """Feature rows of every training page; ``cache`` keeps them on disk, keyed
    by the code that made them, for quick experiments."""
    key = hashlib.sha256(
        b"".join(f.read_bytes() for f in SOURCES) + repr((kind, str(bench_dir), limit)).encode()
    ).hexdigest()[:12]
    path = CACHE_DIR / f"rows-{kind}-{key}.pkl"
    if cache and path.exists():
        with open(path, "rb") as fh:
            return pickle.load(fh)
    pages = [p for p in iter_pages(bench_dir, TRAIN_DATASETS) if p.gold]
    if limit:
        seen = Counter()
        pages = [p for p in pages if (seen.update([p.dataset]) or seen[p.dataset]) <= limit]
    with Pool(workers) as pool:
        rows = [r for rs in pool.map(ROW_MAKERS[kind], pages, chunksize=8) for r in rs]
    if cache:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            pickle.dump(rows, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return rows


# ------------------------------------------------------------------ training
def fit_catboost(X, y, w, params):
    from catboost import CatBoostClassifier  # training-only dependency

    model = CatBoostClassifier(**params)
    model.fit(X, (y >= LABEL_MIN_MATCH).astype(np.int32), sample_weight=w)
    return model


def export_catboost(model, n_features: int) -> ObliviousEnsemble:
    """Convert a trained CatBoost model to our plain ensemble (checked against CatBoost's own output)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.json")
        model.save_model(path, format="json")
        with open(path) as fh:
            j = json.load(fh)
    float_index = [f["flat_feature_index"] for f in j["features_info"]["float_features"]]
    trees = j["oblivious_trees"]
    depth = max(len(t["splits"]) for t in trees)
    feats, borders, leaves = [], [], []
    for t in trees:
        splits = t["splits"]
        f = [float_index[s["float_feature_index"]] for s in splits]
        b = [s["border"] for s in splits]
        lv = list(t["leaf_values"])
        # pad shallower trees with never-true splits so all share one depth
        while len(f) < depth:
            f.append(0)
            b.append(np.inf)
            lv = lv + [0.0] * len(lv)
        feats.append(f)
        borders.append(b)
        leaves.append(lv)
    scale, bias = j["scale_and_bias"]
    bias = bias[0] if isinstance(bias, list) else bias
    ens = ObliviousEnsemble(feats, borders, np.asarray(leaves) * scale, bias, n_features)
    return ens


def check_export(model, ens: ObliviousEnsemble, X: np.ndarray) -> None:
    sample = X[: min(len(X), 5000)]
    ours = ens.predict(sample)
    theirs = model.predict_proba(sample)[:, 1]
    err = float(np.abs(ours - theirs).max())
    if err > 1e-5:
        raise SystemExit(f"exported model disagrees with CatBoost by {err}")


def folds_of(sites: list[str], k: int) -> np.ndarray:
    return np.array([zlib.crc32(s.encode()) % k for s in sites])


# ------------------------------------------------------------------ comments
#: Datasets whose pages label their reader comments (``extra.comments``).
COMMENT_DATASETS = ("dragnet_train",)
#: Comment-model thresholds tried; the one with the best pooled token F1 of
#: ``Article.comments`` against the labelled comments is the model's.
COMMENT_THRESHOLDS = tuple(round(float(t), 2) for t in np.arange(0.2, 0.81, 0.05))


def comment_oof(rows, Xc, yc, w, offsets, params, folds: int) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold comment scores for the blocks of pages that label comments
    (folds by site within them); returns (scores, mask of the blocks scored)."""
    mask = np.zeros(len(Xc), dtype=bool)
    page_fold = np.full(len(rows), -1)
    for i, r in enumerate(rows):
        if r[0] in COMMENT_DATASETS:
            mask[offsets[i] : offsets[i + 1]] = True
            page_fold[i] = folds_of([r[2]], folds)[0]
    block_fold = np.repeat(page_fold, np.diff(offsets))
    scores = np.zeros(len(Xc))
    for k in range(folds):
        tr, te = mask & (block_fold != k), block_fold == k
        m = fit_catboost(Xc[tr], yc[tr], w[tr], params)
        scores[te] = m.predict_proba(Xc[te])[:, 1]
    return scores, mask


def comment_report(rows, offsets, kept: np.ndarray, pc: np.ndarray) -> tuple[float, dict]:
    """Token recall and precision of the comments (blocks not kept, comment
    score over the threshold) against the labelled comments, pooled over the
    pages that have them; returns the best threshold and its figures."""
    best = (-1.0, 0.0, {})
    pages = [i for i, r in enumerate(rows) if r[0] in COMMENT_DATASETS]
    for t in COMMENT_THRESHOLDS:
        shared = out = gold = 0
        for i in pages:
            a, b = offsets[i], offsets[i + 1]
            picked = [rows[i][3].texts[j - a] for j in range(a, b) if not kept[j] and pc[j] >= t]
            got, want = Counter(tokens(" ".join(picked))), Counter(tokens(rows[i][9] or ""))
            shared += sum((got & want).values())
            out += sum(got.values())
            gold += sum(want.values())
        p, r = shared / max(out, 1), shared / max(gold, 1)
        f = 2 * p * r / max(p + r, 1e-9)
        if f > best[0]:
            best = (f, t, {"threshold": t, "precision": p, "recall": r, "f1": f, "pages": len(pages)})
    return best[1], best[2]


# ------------------------------------------------------------------ page types
PAGE_TYPE_PARAMS = dict(iterations=200, depth=4, learning_rate=0.1)


def train_page_types(rows, offsets, base_rows, p2, pc, params, folds: int):
    """Out-of-fold accuracy of the page-type forests (by site), and the forests trained on all labelled pages."""
    F = np.vstack(
        [page_features(r[3], base_rows[i], p2[offsets[i] : offsets[i + 1]], pc[offsets[i] : offsets[i + 1]])
         for i, r in enumerate(rows)]
    )  # fmt: skip
    labels = np.array([r[10] or "" for r in rows])
    labelled = labels != ""
    fold = folds_of([r[2] for r in rows], folds)
    p = dict(params, **PAGE_TYPE_PARAMS)
    oof = np.zeros((len(rows), len(PAGE_TYPES)))
    forests = {}
    for j, name in enumerate(PAGE_TYPES):
        target = (labels == name).astype(np.float32)
        if not target.any():
            continue
        for k in range(folds):
            tr, te = labelled & (fold != k), fold == k
            oof[te, j] = fit_catboost(F[tr], target[tr], None, p).predict_proba(F[te])[:, 1]
        m = fit_catboost(F[labelled], target[labelled], None, p)
        forests[name] = export_catboost(m, F.shape[1])
    guess = np.array(PAGE_TYPES)[oof.argmax(axis=1)]
    acc = {"all": float((guess[labelled] == labels[labelled]).mean())}
    for name in PAGE_TYPES:
        pick = labels == name
        if pick.any():
            acc[name] = float((guess[pick] == name).mean())
    print(f"\npage types, out of fold by site (share right, per true type): {acc}")
    return forests, acc


#: The thresholds tried: the one with the best mean token-F1 on the scored
#: pages is the model's.
THRESHOLDS = tuple(round(float(t), 2) for t in np.arange(0.25, 0.76, 0.05))


def score_grid(kind: str, rows, p2_pages) -> np.ndarray:
    """(pages, thresholds, 3): token precision, recall and F1 of every page at every threshold."""
    out = np.zeros((len(rows), len(THRESHOLDS), 3))
    for i, (row, p2) in enumerate(zip(rows, p2_pages)):
        if not row[0].endswith(EXCERPT):
            for j, t in enumerate(THRESHOLDS):
                out[i, j] = token_f1(text_of(kind, row, p2, t), row[7])
    return out


def best_threshold(grid: np.ndarray, pick: np.ndarray, weight: np.ndarray) -> int:
    """Index of the threshold with the best weighted mean F1 over the ``pick``ed pages."""
    return int(np.argmax((grid[pick, :, 2] * weight[pick, None]).sum(axis=0)))


#: ``Config.favor``'s presets: the threshold of each maximises the mean
#: F-beta over the out-of-fold pages, beta < 1 weighing precision, > 1 recall.
FAVOR_BETA = {"precision": 0.5, "balanced": 1.0, "recall": 2.0}


def favor_presets(grid: np.ndarray, weight: np.ndarray, scored: np.ndarray) -> dict[str, dict]:
    """Each preset's threshold and its mean precision, recall and F1 out of fold."""
    out = {}
    P, R = grid[scored, :, 0], grid[scored, :, 1]
    wts = weight[scored, None]
    for name, beta in FAVOR_BETA.items():
        fb = (1 + beta**2) * P * R / np.maximum(beta**2 * P + R, 1e-9)
        j = int(np.argmax((fb * wts).sum(axis=0)))
        p, r, f = grid[scored, j].mean(axis=0)
        out[name] = {"threshold": THRESHOLDS[j], "precision": p, "recall": r, "f1": f}
    return out


def report_split(rows, grid: np.ndarray, weight: np.ndarray, groups: list[str], split: str) -> dict:
    """Per dataset (and the commented pages): mean P, R, F1 out of fold. With
    ``split="dataset"`` each dataset is scored at the threshold chosen on the
    other datasets alone, so no figure has seen its own pages."""
    scored = np.array([not r[0].endswith(EXCERPT) for r in rows])
    names = np.array([r[0] for r in rows])
    global_t = best_threshold(grid, scored, weight)
    subsets = {ds: scored & (names == ds) for ds in sorted(set(names[scored]))}
    commented = scored & np.array([bool(r[8].any()) for r in rows])
    if commented.any():
        subsets["(pages with comments)"] = commented
    report, thresholds = {}, np.full(len(rows), global_t)
    if split == "dataset":
        for ds in subsets:
            if ds in groups:
                thresholds[names == ds] = best_threshold(grid, scored & (names != ds), weight)
    per_page = grid[np.arange(len(rows)), thresholds]
    print(f"\nout of fold, split by {split} (threshold {THRESHOLDS[global_t]} on all pages):")
    for ds, pick in [*subsets.items(), ("all", scored)]:
        p, r, f = per_page[pick].mean(axis=0)
        t = sorted({THRESHOLDS[k] for k in thresholds[pick]})
        report[ds] = {"pages": int(pick.sum()), "precision": p, "recall": r, "f1_mean": f, "thresholds": t}
        print(f"  {ds:24s} pages {int(pick.sum()):5d}  P {p:.4f}  R {r:.4f}  F1 {f:.4f}  thresholds {t}")
    presets = favor_presets(grid, weight, scored)
    for name, fig in presets.items():
        print(
            f"  favor={name:9s} threshold {fig['threshold']}  P {fig['precision']:.4f}  R {fig['recall']:.4f}  F1 {fig['f1']:.4f}"
        )
    return {"threshold": THRESHOLDS[global_t], "token_f1": report, "favor": presets}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", choices=sorted(SCHEMAS), default="blocks")
    ap.add_argument("--bench-dir", default=None)
    ap.add_argument("--folds", type=int, default=4, help="folds of the split by site")
    ap.add_argument(
        "--split",
        choices=("site", "dataset"),
        default="site",
        help="cross-validate by site, or leave one whole dataset out (what a held-back set is)",
    )
    ap.add_argument("--limit", type=int, default=None, help="only the first N pages of each dataset (quick checks)")
    ap.add_argument("--cv-only", action="store_true", help="report cross-validated F1, write no model")
    ap.add_argument("--cache", action="store_true", help="reuse page features cached in benchmarks/results/")
    ap.add_argument("--dump-oof", default=None, help="write out-of-fold scores to this pickle (error analysis)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--iterations", type=int, default=None, help="default: per kind (KIND_PARAMS)")
    ap.add_argument("--learning-rate", type=float, default=None, help="default: per kind (KIND_PARAMS)")
    ap.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a CatBoost parameter (experiments), e.g. l2_leaf_reg=10",
    )
    ap.add_argument(
        "--dataset-weight",
        action="append",
        default=[],
        metavar="NAME=W",
        help="weigh a dataset's pages W times (experiments; default: DATASET_WEIGHTS[kind])",
    )
    ap.add_argument("-o", "--output", default=None, help="default: src/thresher/models/<MODEL_NAMES[kind]>.json")
    args = ap.parse_args(argv)
    params = dict(CATBOOST_PARAMS, **KIND_PARAMS.get(args.kind, {}))
    if args.iterations is not None:
        params["iterations"] = args.iterations
    if args.learning_rate is not None:
        params["learning_rate"] = args.learning_rate
    for a in args.param:
        name, value = a.split("=", 1)
        params[name] = json.loads(value) if value[:1].isdigit() or value[:1] in "-[{" else value

    t0 = time.time()
    bench_dir = resolve_bench_dir(args.bench_dir)
    kind = args.kind
    rows = load_training_rows(kind, bench_dir, args.limit, args.workers, args.cache)
    sizes = [r[5].shape[0] for r in rows]
    X = np.vstack([r[5] for r in rows]).astype(np.float32)
    y = np.concatenate([r[6] for r in rows])
    ds_weight = dict(
        DATASET_WEIGHTS.get(kind, {}), **{k: float(v) for k, v in (a.split("=", 1) for a in args.dataset_weight)}
    )
    page_weight = [
        ds_weight.get(r[0].removesuffix(EXCERPT), 1.0) * (EXCERPT_WEIGHT if r[0].endswith(EXCERPT) else 1.0)
        for r in rows
    ]
    w = np.concatenate([block_weights(r[3].texts) * pw for r, pw in zip(rows, page_weight)])
    groups = sorted({r[0].removesuffix(EXCERPT) for r in rows})
    if args.split == "dataset":
        page_fold = np.array([groups.index(r[0].removesuffix(EXCERPT)) for r in rows])
    else:
        page_fold = folds_of([r[2] for r in rows], args.folds)
    n_folds = int(page_fold.max()) + 1
    block_fold = np.repeat(page_fold, sizes)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    print(
        f"{len(rows)} pages, {len(X)} blocks, {X.shape[1]} features, "
        f"{(y >= LABEL_MIN_MATCH).mean():.3f} positive; features in {time.time() - t0:.0f}s",
        flush=True,
    )

    def out_of_fold(features: np.ndarray, stage: int) -> np.ndarray:
        scores = np.zeros(len(features))
        for k in range(n_folds):
            tr = block_fold != k
            m = fit_catboost(features[tr], y[tr], w[tr], params)
            scores[~tr] = m.predict_proba(features[~tr])[:, 1]
            print(f"  stage {stage} fold {k} done ({time.time() - t0:.0f}s)", flush=True)
        return scores

    p1 = out_of_fold(X, 1)
    X2 = np.vstack([context_of(kind, r, p1[offsets[i] : offsets[i + 1]]) for i, r in enumerate(rows)]).astype(
        np.float32
    )
    p2 = out_of_fold(X2, 2)  # for the threshold and the honest figures
    p2_pages = [p2[offsets[i] : offsets[i + 1]] for i in range(len(rows))]
    grid = score_grid(kind, rows, p2_pages)
    weight = np.array([ds_weight.get(r[0], 1.0) for r in rows])
    cv = report_split(rows, grid, weight, groups, args.split)
    best_t = cv["threshold"]
    yc = np.concatenate([r[8] for r in rows])
    Xc = comment_matrix(X2, p2)
    pc, cmask = comment_oof(rows, Xc, yc, w, offsets, params, args.folds)
    comment_t, comment_fig = comment_report(rows, offsets, p2 >= best_t, pc)
    print(f"\ncomments, out of fold on {', '.join(COMMENT_DATASETS)}: {comment_fig}")
    mc = fit_catboost(Xc[cmask], yc[cmask], w[cmask], params)
    pc[~cmask] = mc.predict_proba(Xc[~cmask])[:, 1]  # pages of other datasets: never trained on
    if kind == "blocks":
        pc_seen = np.where(p2 >= best_t, 0.0, pc)  # as at run time: kept blocks are not scored for comments
        forests, page_type_acc = train_page_types(rows, offsets, [r[5] for r in rows], p2, pc_seen, params, args.folds)
    if args.dump_oof:
        with open(args.dump_oof, "wb") as fh:
            pickle.dump({"p1": p1, "p2": p2, "offsets": offsets, "threshold": best_t}, fh)
    if args.cv_only:
        return 0

    m1 = fit_catboost(X, y, w, params)
    e1 = export_catboost(m1, X.shape[1])
    check_export(m1, e1, X)
    m2 = fit_catboost(X2, y, w, params)
    e2 = export_catboost(m2, X2.shape[1])
    check_export(m2, e2, X2)
    ec = export_catboost(mc, Xc.shape[1])
    check_export(mc, ec, Xc[cmask])
    manifest = sorted(f"{r[0]}/{r[1]}" for r in rows)
    schema = SCHEMAS[kind]
    model = {
        "name": MODEL_NAMES[kind],
        "kind": kind,
        "schema_hash": schema.hash,
        "threshold": best_t,
        "features": {"stage1": list(schema.stage1), "stage2": list(schema.stage1 + schema.context)},
        "meta": {
            "trained_on": {ds: sum(1 for r in rows if r[0] == ds) for ds in TRAIN_DATASETS},
            "pages_sha256": hashlib.sha256("\n".join(manifest).encode()).hexdigest(),
            "catboost": {k: v for k, v in params.items() if k not in ("verbose", "allow_writing_files")},
            "label_min_match": LABEL_MIN_MATCH,
            "dataset_weights": ds_weight,
            "cross_validation": {"by": args.split, **cv},
        },
        "stage1": e1.to_dict(),
        "stage2": e2.to_dict(),
    }
    model["meta"]["thresholds"] = {name: fig["threshold"] for name, fig in cv["favor"].items()}
    model["comment"] = ec.to_dict()
    model["comment_threshold"] = comment_t
    model["meta"]["comments"] = comment_fig
    if kind == "blocks":
        model["page_type"] = {name: forest.to_dict() for name, forest in forests.items()}
        model["meta"]["page_type_accuracy"] = page_type_acc
    TwoStageModel.from_dict(model, schema)  # validates
    out = Path(args.output or MODELS_DIR / f"{MODEL_NAMES[kind]}.json")
    out.write_text(json.dumps(model, separators=(",", ":")))
    print(f"\nwrote {out} ({out.stat().st_size / 1e3:.0f} kB) in {time.time() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
