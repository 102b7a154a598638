"""Score blocks with the shipped two-stage model, then decide.

Stage 1 scores each block from its own features (``features.block_features``).
Stage 2 sees the same features plus stage 1's scores of the neighbours and of
the block's containers (``features.context_features``): it is the learned
form of jusText's context revision, smoothing along reading order and the DOM.
A block is content when stage 2's probability reaches the model's threshold.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources

import numpy as np

from ._forest import ObliviousEnsemble
from .features import BLOCK_FEATURES, CONTEXT_FEATURES, block_features, context_features
from .segment import Segments

__all__ = ["BlockModel", "load_model", "feature_schema_hash"]


def feature_schema_hash() -> str:
    """A hash of the feature layout: a model trained on another layout is refused."""
    return hashlib.sha256(json.dumps([BLOCK_FEATURES, CONTEXT_FEATURES]).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class BlockModel:
    stage1: ObliviousEnsemble
    stage2: ObliviousEnsemble
    threshold: float
    meta: dict

    def score(self, seg: Segments, title: str | None = None) -> np.ndarray:
        """Stage-2 probability that each block of ``seg`` is article content."""
        if len(seg) == 0:
            return np.zeros(0)
        base = block_features(seg, title)
        p1 = self.stage1.predict(base)
        return self.stage2.predict(context_features(seg, base, p1))

    @classmethod
    def from_dict(cls, d: dict) -> "BlockModel":
        if d.get("schema_hash") != feature_schema_hash():
            raise ValueError(
                "model was trained for another feature layout "
                f"({d.get('schema_hash')} != {feature_schema_hash()}); retrain with benchmarks/train.py"
            )
        return cls(
            ObliviousEnsemble.from_dict(d["stage1"]),
            ObliviousEnsemble.from_dict(d["stage2"]),
            float(d["threshold"]),
            d.get("meta", {}),
        )


def load_model(name: str) -> BlockModel:
    """Load ``thresher/models/<name>.json`` shipped inside the package."""
    try:
        data = resources.files("thresher").joinpath("models", f"{name}.json").read_text("utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"no model named {name!r} in thresher/models") from None
    return BlockModel.from_dict(json.loads(data))
