"""Load a shipped two-stage model, check it fits its features, and score with it.

Stage 1 scores each unit (an HTML block, a dump line) from its own features.
Stage 2 sees the same features plus stage 1's scores of the neighbours (and,
for HTML, of the containers): the learned form of jusText's context revision,
smoothing decisions along the reading order. A unit is content when stage 2's
probability reaches the model's threshold.

A model is trained for one ``FeatureSchema``: its column names and every
parameter that changes what a column holds. The schema's hash is stored in the
model file, and a model whose hash differs is refused: a model scored on
columns it was not trained on gives plausible-looking nonsense.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from ._forest import ObliviousEnsemble
from .errors import ModelError

__all__ = ["FeatureSchema", "TwoStageModel", "load_model"]


@dataclass(frozen=True)
class FeatureSchema:
    """The feature layout of one kind of model (``"blocks"``, ``"lines"``)."""

    kind: str
    stage1: tuple[str, ...]
    #: The columns stage 2 adds to stage 1's.
    context: tuple[str, ...]
    #: Every constant that changes a column's values (caps, windows, word
    #: lists): a change to any of them changes the hash.
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def hash(self) -> str:
        data = {"kind": self.kind, "stage1": self.stage1, "context": self.context, "params": self.params}
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=_jsonable).encode()).hexdigest()[:16]


def _jsonable(value: object) -> object:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, (tuple, list)):
        return list(value)
    raise TypeError(f"schema parameter of type {type(value).__name__} cannot be hashed")


@dataclass(frozen=True, slots=True)
class TwoStageModel:
    schema: FeatureSchema
    stage1: ObliviousEnsemble
    stage2: ObliviousEnsemble
    threshold: float
    meta: dict

    def threshold_for(self, favor: str = "balanced") -> float:
        """The threshold of a precision/recall preset (``Config.favor``), as
        training chose it; the balanced one for a model that records none."""
        return float(self.meta.get("thresholds", {}).get(favor, self.threshold))

    def score(self, base: np.ndarray, context: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """Stage-2 probabilities; ``context(p1)`` builds the stage-2 matrix from stage 1's scores."""
        if base.shape[0] == 0:
            return np.zeros(0)
        return self.stage2.predict(context(self.stage1.predict(base)))

    @classmethod
    def from_dict(cls, d: dict, schema: FeatureSchema) -> TwoStageModel:
        """The model in ``d`` (a model file's JSON), checked against ``schema``."""
        kind = d.get("kind")
        if kind != schema.kind:
            raise ModelError(f"a {kind!r} model cannot score {schema.kind!r} features")
        if d.get("schema_hash") != schema.hash:
            raise ModelError(
                f"{kind} model {d.get('name')!r} was trained for another feature layout "
                f"({d.get('schema_hash')} != {schema.hash}); retrain it with benchmarks/train.py"
            )
        n1, n2 = len(schema.stage1), len(schema.stage1) + len(schema.context)
        try:
            stage1, stage2 = ObliviousEnsemble.from_dict(d["stage1"]), ObliviousEnsemble.from_dict(d["stage2"])
            threshold = float(d["threshold"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"malformed {kind} model: {exc}") from None
        if (stage1.n_features, stage2.n_features) != (n1, n2):
            raise ModelError(f"{kind} model has {stage1.n_features}/{stage2.n_features} features, the schema {n1}/{n2}")
        return cls(schema, stage1, stage2, threshold, d.get("meta", {}))


def load_model(name: str, schema: FeatureSchema) -> TwoStageModel:
    """Load ``thresher/models/<name>.json``, shipped inside the package, for ``schema``."""
    try:
        data = resources.files("thresher").joinpath("models", f"{name}.json").read_text("utf-8")
    except (FileNotFoundError, IsADirectoryError):
        raise ModelError(f"no model named {name!r} in thresher/models") from None
    try:
        d = json.loads(data)
    except json.JSONDecodeError as exc:
        raise ModelError(f"model {name!r} is not valid JSON: {exc}") from None
    return TwoStageModel.from_dict(d, schema)
