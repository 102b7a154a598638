"""Inference for an ensemble of oblivious decision trees, in NumPy (or C).

An oblivious tree tests the same (feature, border) pair at every node of a
level, so a tree of depth d is d comparisons whose outcomes, read as bits, index
one of 2**d leaves. A whole ensemble therefore evaluates in a few vectorised
operations with no per-tree Python loop: gather the tested columns, compare
with the borders, turn the bits into leaf numbers, gather and sum the leaf
values. The model is trained with CatBoost (``benchmarks/train.py``) and
exported to plain JSON, so the package needs neither CatBoost nor pickle.

Where the compiled core is built, ``thresher._core.forest_sums`` does the same
in C (the leaf sums, a block of rows at a time: 3-14x faster than these array
operations on a page's blocks, whose per-call overhead dominates). Both add
a row's leaf values in tree order, so they give the same bits; ``_load_core``
checks that on a probe forest before the compiled sums are used.
"""

from __future__ import annotations

import base64

import numpy as np

from ._native import checked_core

__all__ = ["EnsembleGroup", "ObliviousEnsemble"]

#: Rows evaluated at once: 2,048 rows x 300 trees x depth 6 is a 3.7 MB array
#: of outcomes, which stays in cache: 131,072 rows through a 250-tree forest
#: take 205 ms in chunks of 1,024 or 2,048 rows, 300 ms in chunks of 4,096 or
#: 8,192. (The scores are the same whatever the chunk.)
CHUNK_ROWS = 2048


class ObliviousEnsemble:
    """``n_trees`` oblivious trees of one ``depth``; ``predict`` gives probabilities."""

    __slots__ = ("features", "borders", "leaf_values", "bias", "depth", "n_features", "_cols", "_borders32", "_flat_values", "_offsets",
                 "_level_weights", "_split_test", "_test_cols", "_test_borders", "_core_args")  # fmt: skip

    def __init__(self, features, borders, leaf_values, bias: float, n_features: int):
        self.features = np.asarray(features, dtype=np.int64)  # (trees, depth)
        self.borders = np.asarray(borders, dtype=np.float64)  # (trees, depth)
        self.leaf_values = np.asarray(leaf_values, dtype=np.float64)  # (trees, 2**depth)
        if self.features.shape != self.borders.shape or self.features.ndim != 2:
            raise ValueError("features and borders must both be (trees, depth)")
        self.depth = self.features.shape[1]
        if self.leaf_values.shape != (self.features.shape[0], 1 << self.depth):
            raise ValueError("leaf_values must be (trees, 2**depth)")
        if self.features.size and (self.features.min() < 0 or self.features.max() >= n_features):
            raise ValueError("a split refers to a feature the model does not have")
        self.bias = float(bias)
        self.n_features = n_features
        if self.depth > 8:
            raise ValueError("trees deeper than 8 levels are not supported")
        # Inputs are float32. For a float32 x and a float64 border b, x > b holds
        # exactly when x > b32, b32 being the largest float32 not above b; so the
        # comparison can run in float32 without changing a single decision.
        b32 = self.borders.astype(np.float32)
        too_high = b32.astype(np.float64) > self.borders
        b32[too_high] = np.nextafter(b32[too_high], np.float32(-np.inf))
        # level-major order: the columns of level k for all trees are contiguous
        self._cols = np.ascontiguousarray(self.features.T).ravel()
        self._borders32 = np.ascontiguousarray(b32.T).ravel()
        self._flat_values = self.leaf_values.ravel()
        self._offsets = (np.arange(self.features.shape[0], dtype=np.intp) << self.depth)[:, None]
        self._level_weights = (1 << np.arange(self.depth, dtype=np.uint8)).reshape(self.depth, 1, 1)
        # A forest repeats many (feature, border) tests (CatBoost quantises each
        # feature to a few hundred borders): each distinct test runs once, and
        # the splits read their outcome from it.
        tests, split_test = np.unique(
            np.stack([self._cols.astype(np.float64), self._borders32.astype(np.float64)], axis=1).reshape(-1, 2),
            axis=0,
            return_inverse=True,
        )
        self._split_test = split_test.ravel().astype(np.intp)
        self._test_cols = tests[:, 0].astype(np.intp)
        self._test_borders = tests[:, 1].astype(np.float32)[:, None]
        # ``forest_sums``' arrays: tree-major, the borders the float32 ones above
        t = self.features.shape[0]
        self._core_args = (
            np.ascontiguousarray(self.features, dtype=np.int32),
            np.ascontiguousarray(b32),
            np.ascontiguousarray(self.leaf_values),
            t,
            self.depth,
        ) if t and self.depth else None  # fmt: skip

    @classmethod
    def from_dict(cls, d: dict) -> ObliviousEnsemble:
        features = np.asarray(d["features"], dtype=np.int64)
        if "borders_f32" in d:  # compact form: base64 of little-endian float32
            t, depth = features.shape
            borders = _unpack(d["borders_f32"], (t, depth))
            leaves = _unpack(d["leaf_values_f32"], (t, 1 << depth))
        else:
            borders, leaves = d["borders"], d["leaf_values"]
        return cls(features, borders, leaves, d["bias"], d["n_features"])

    def to_dict(self) -> dict:
        """Compact form: split borders as float32 rounded down (every decision on
        float32 inputs is unchanged), leaf values as float32."""
        return {
            "features": self.features.tolist(),
            "borders_f32": _pack(self._borders32.reshape(self.depth, -1).T),
            "leaf_values_f32": _pack(self.leaf_values),
            "bias": self.bias,
            "n_features": self.n_features,
        }

    def raw(self, X: np.ndarray) -> np.ndarray:
        """The summed leaf values (log-odds) for each row of ``X``."""
        return self.member_sums(X, _ONE_MEMBER)[0] + self.bias

    def member_sums(self, X: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """(members, rows): for each row of ``X``, the sum of the leaf values of
        each member's trees (member ``m``: the trees from ``starts[m]`` to the
        next start; ``starts`` rises from 0), added in tree order.

        The order is fixed so that the compiled sums (``thresher._core``) and
        these give the same bits (``_in_order``: NumPy's ``sum`` adds one row's
        values pairwise, and ``reduceat`` did too). Computed
        ``CHUNK_ROWS`` rows at a time: a dump of 100,000 lines would otherwise
        hold 200 MB of leaf values (trees x rows) at once."""
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"expected {self.n_features} features, got {X.shape[1:]}")
        if _CORE is not None and self._core_args is not None and X.shape[0]:
            return _compiled_sums(_CORE, self, X, starts)
        n = X.shape[0]
        if n > CHUNK_ROWS:
            return np.hstack([self.member_sums(X[i : i + CHUNK_ROWS], starts) for i in range(0, n, CHUNK_ROWS)])
        values = self.tree_values(X)
        if len(starts) == 1:
            return _in_order(values, n)[None, :]
        ends = [*starts[1:], values.shape[0]]
        return np.stack([_in_order(values[a:b], n) for a, b in zip(starts, ends)]).reshape(len(starts), n)

    def tree_values(self, X: np.ndarray) -> np.ndarray:
        """The leaf value of every tree for every row of ``X``: (trees, rows)."""
        n = X.shape[0]
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"expected {self.n_features} features, got {X.shape[1:]}")
        if n > CHUNK_ROWS:  # bound the (rows x trees x depth) temporaries
            return np.hstack([self.tree_values(X[i : i + CHUNK_ROWS]) for i in range(0, n, CHUNK_ROWS)])
        t, d = self.features.shape
        if n == 0:
            return np.zeros((t, 0))
        # features as rows: gathering a tested feature copies one contiguous row
        XT = np.ascontiguousarray(np.asarray(X, dtype=np.float32).T)
        outcomes = (XT[self._test_cols] > self._test_borders).view(np.uint8)
        bits = outcomes[self._split_test].reshape(d, t, n)
        # the bits of a tree, level 0 lowest, read as a number: its leaf (one
        # multiply-and-sum over the levels; a shift-or loop is ~9x slower)
        leaves = (bits * self._level_weights).sum(axis=0, dtype=np.uint8)
        return np.take(self._flat_values, leaves + self._offsets)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Probabilities of the positive class."""
        return 1.0 / (1.0 + np.exp(-self.raw(X)))


class EnsembleGroup:
    """Several ensembles over the same features (one per class, one against
    the rest), evaluated in one pass: their trees are stacked into one
    ensemble and summed per member, so a one-row input pays the per-call
    overhead once rather than once per member."""

    def __init__(self, members: dict[str, ObliviousEnsemble]):
        self.names = list(members)
        ensembles = list(members.values())
        if len({(e.depth, e.n_features) for e in ensembles}) > 1:
            raise ValueError("the members of a group must share their depth and features")
        self._bias = np.array([e.bias for e in ensembles])
        self._starts = np.cumsum([0] + [e.features.shape[0] for e in ensembles[:-1]]).astype(np.int64)
        stacked = [np.vstack([getattr(e, name) for e in ensembles]) for name in ("features", "borders", "leaf_values")]
        self._all = ObliviousEnsemble(*stacked, 0.0, ensembles[0].n_features) if ensembles else None

    def predict(self, X: np.ndarray) -> np.ndarray:
        """(rows, members): each member's probability for each row."""
        if self._all is None:
            return np.zeros((X.shape[0], 0))
        raw = self._all.member_sums(X, self._starts) + self._bias[:, None]
        return 1.0 / (1.0 + np.exp(-raw.T))


def _in_order(values: np.ndarray, n: int) -> np.ndarray:
    """The sums of ``values`` (trees, rows; C order) over the trees, added in
    tree order from +0.0. ``sum(axis=0)`` over two or more rows adds row after
    row to +0.0 (the rows axis is the inner loop); over one row NumPy sees one
    contiguous vector and adds pairwise, so that case runs ``accumulate``, in
    order by definition (and 10-20x slower than ``sum`` on a page's rows,
    hence not used for all; it starts from the first value, so + 0.0 turns a
    sum of -0.0 leaves into +0.0 as ``sum`` gives). ``tests/test_core.py``
    checks the bits against the compiled sums."""
    if not values.shape[0]:
        return np.zeros(n)
    return values.sum(axis=0) if n > 1 else np.add.accumulate(values, axis=0)[-1] + 0.0


def _compiled_sums(core, ens: ObliviousEnsemble, X: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """``ObliviousEnsemble.member_sums`` by ``core.forest_sums``."""
    out = np.empty((len(starts), X.shape[0]))
    core.forest_sums(np.ascontiguousarray(X, dtype=np.float32), ens.n_features, *ens._core_args, starts, out)
    return out


def _pack(arr: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(arr, dtype="<f4").tobytes()).decode("ascii")


def _unpack(text: str, shape: tuple[int, int]) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f4").astype(np.float64).reshape(shape)


_ONE_MEMBER = np.zeros(1, dtype=np.int64)


def _check_core(core) -> None:
    """Raise unless ``core.forest_sums`` gives exactly this module's sums on a
    probe forest: ties with the borders, NaN, infinities, leaves of -0.0, one
    row and many, one member and several."""
    rng = np.random.default_rng(17)
    nf, trees, depth = 9, 64, 6
    features = rng.integers(0, nf, (trees, depth))
    borders = rng.normal(size=(trees, depth))
    leaves = rng.normal(size=(trees, 1 << depth)) * 10.0 ** rng.integers(-6, 3, (trees, 1))
    leaves[0, :4] = -0.0
    probe = ObliviousEnsemble(features, borders, leaves, 0.25, nf)
    X = rng.normal(size=(37, nf)).astype(np.float32)
    X[0], X[1, :3], X[2, :3] = borders[0, 0], np.nan, np.inf
    for starts in (_ONE_MEMBER, np.array([0, 1, 10, 40], dtype=np.int64)):
        for rows in (X, X[:1]):
            got = _compiled_sums(core, probe, rows, starts)
            ends = [*starts[1:], trees]
            want = np.stack([_in_order(probe.tree_values(rows)[a:b], len(rows)) for a, b in zip(starts, ends)])
            if got.tobytes() != want.tobytes():
                raise ImportError("its sums differ from NumPy's on the probe forest")


def _load_core():
    """``thresher._core`` when its forest sums fit (``_check_core``), else None."""
    return checked_core("forests", _check_core)


_CORE = _load_core()
#: which forests run: "compiled" (thresher._core) or "python"
FOREST_PATH = "compiled" if _CORE is not None else "python"
