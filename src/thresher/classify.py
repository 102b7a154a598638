"""Score units (HTML blocks or dump lines) with a shipped two-stage model.

Stage 1 scores each unit from its own features. Stage 2 sees the same
features plus stage 1's scores of the neighbours (and, for HTML, of the
containers): the learned form of jusText's context revision, smoothing
decisions along the reading order. A unit is content when stage 2's
probability reaches the model's threshold.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import numpy as np

from ._forest import ObliviousEnsemble
from .features import BLOCK_FEATURES, CONTEXT_FEATURES
from .lines import LINE_CONTEXT_FEATURES, LINE_FEATURES

__all__ = ["TwoStageModel", "load_model", "feature_schema_hash", "SCHEMAS"]

#: Feature layouts of each kind of model: (stage-1 columns, extra stage-2 columns).
SCHEMAS: dict[str, tuple[list[str], list[str]]] = {
    "blocks": (BLOCK_FEATURES, CONTEXT_FEATURES),
    "lines": (LINE_FEATURES, LINE_CONTEXT_FEATURES),
}


def feature_schema_hash(kind: str = "blocks") -> str:
    """A hash of a kind's feature layout: a model trained on another layout is refused."""
    return hashlib.sha256(json.dumps(list(SCHEMAS[kind])).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class TwoStageModel:
    kind: str
    stage1: ObliviousEnsemble
    stage2: ObliviousEnsemble
    threshold: float
    meta: dict

    def score(self, base: np.ndarray, context: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """Stage-2 probabilities; ``context(p1)`` builds the stage-2 matrix from stage 1's scores."""
        if base.shape[0] == 0:
            return np.zeros(0)
        return self.stage2.predict(context(self.stage1.predict(base)))

    @classmethod
    def from_dict(cls, d: dict) -> "TwoStageModel":
        kind = d.get("kind", "blocks")
        if kind not in SCHEMAS:
            raise ValueError(f"unknown model kind {kind!r}")
        if d.get("schema_hash") != feature_schema_hash(kind):
            raise ValueError(
                f"{kind} model was trained for another feature layout "
                f"({d.get('schema_hash')} != {feature_schema_hash(kind)}); retrain with benchmarks/train.py"
            )
        return cls(
            kind,
            ObliviousEnsemble.from_dict(d["stage1"]),
            ObliviousEnsemble.from_dict(d["stage2"]),
            float(d["threshold"]),
            d.get("meta", {}),
        )


def load_model(name: str) -> TwoStageModel:
    """Load ``thresher/models/<name>.json`` shipped inside the package."""
    try:
        data = resources.files("thresher").joinpath("models", f"{name}.json").read_text("utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"no model named {name!r} in thresher/models") from None
    return TwoStageModel.from_dict(json.loads(data))
