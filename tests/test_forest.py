"""Oblivious-tree inference against a direct, per-tree reference evaluation."""

import json
from importlib import resources

import numpy as np
import pytest

from thresher import Config
from thresher._forest import EnsembleGroup, ObliviousEnsemble


def reference(ens: ObliviousEnsemble, X: np.ndarray) -> np.ndarray:
    out = []
    for row in X:
        total = ens.bias
        for t in range(ens.features.shape[0]):
            leaf = 0
            for level in range(ens.depth):
                if row[ens.features[t, level]] > ens.borders[t, level]:
                    leaf |= 1 << level
            total += ens.leaf_values[t, leaf]
        out.append(total)
    return np.asarray(out)


def test_vectorised_matches_reference():
    rng = np.random.default_rng(0)
    trees, depth, nf = 7, 3, 5
    ens = ObliviousEnsemble(
        rng.integers(0, nf, (trees, depth)),
        rng.normal(size=(trees, depth)),
        rng.normal(size=(trees, 1 << depth)),
        0.3,
        nf,
    )
    X = rng.normal(size=(50, nf)).astype(np.float32)
    np.testing.assert_allclose(ens.raw(X), reference(ens, X))
    p = ens.predict(X)
    assert ((p > 0) & (p < 1)).all()


def test_round_trip_and_validation():
    ens = ObliviousEnsemble([[0, 1]], [[0.5, -1.0]], [[1, 2, 3, 4]], 0.0, 2)
    again = ObliviousEnsemble.from_dict(ens.to_dict())
    X = np.array([[0.0, 0.0], [1.0, -2.0], [1.0, 0.0]])
    # [0,0]: 0>0.5 no, 0>-1 yes -> leaf 2; [1,-2]: leaf 1; [1,0]: leaf 3
    np.testing.assert_array_equal(again.raw(X), [3.0, 2.0, 4.0])
    assert ens.raw(np.zeros((0, 2))).shape == (0,)
    with pytest.raises(ValueError):
        ens.raw(np.zeros((1, 3)))
    with pytest.raises(ValueError):
        ObliviousEnsemble([[0, 5]], [[0.5, 1.0]], [[1, 2, 3, 4]], 0.0, 2)
    with pytest.raises(ValueError):
        ObliviousEnsemble([[0, 1]], [[0.5, 1.0]], [[1, 2, 3]], 0.0, 2)


def test_an_ensemble_group_scores_as_its_members_do():
    data = json.loads(resources.files("thresher").joinpath("models", f"{Config().model}.json").read_text("utf-8"))
    members = {name: ObliviousEnsemble.from_dict(f) for name, f in data["page_type"].items()}
    group = EnsembleGroup(members)
    X = np.random.default_rng(0).normal(size=(5, next(iter(members.values())).n_features)).astype(np.float32)
    together = group.predict(X)
    assert group.names == list(members) and together.shape == (5, len(members))
    for j, member in enumerate(members.values()):
        np.testing.assert_allclose(together[:, j], member.predict(X), rtol=1e-12, atol=1e-12)
    shallow = ObliviousEnsemble([[0]], [[0.5]], [[0.0, 1.0]], 0.0, X.shape[1])
    with pytest.raises(ValueError, match="depth"):
        EnsembleGroup({"a": shallow, **members})
