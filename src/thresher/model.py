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

from ._forest import EnsembleGroup, ObliviousEnsemble
from .errors import ModelError

__all__ = ["CommentScores", "FeatureSchema", "TwoStageModel", "comment_matrix", "load_model"]


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
class CommentScores:
    """The comment model's say on a page: each block's probability of being a
    reader comment, the threshold, and whether comments join the text."""

    scores: np.ndarray
    threshold: float
    in_text: bool = False


#: The column the comment model adds to stage 2's: the unit's own content score.
COMMENT_FEATURES = ("p_content",)


def comment_matrix(stage2: np.ndarray, content: np.ndarray) -> np.ndarray:
    """The comment model's input: stage 2's columns and the unit's content score
    (``COMMENT_FEATURES``), as training and scoring both build it."""
    return np.hstack([stage2, content[:, None]], dtype=np.float32)  # cast while joining: no float64 copy


@dataclass(frozen=True, slots=True)
class TwoStageModel:
    schema: FeatureSchema
    stage1: ObliviousEnsemble
    stage2: ObliviousEnsemble
    threshold: float
    meta: dict
    #: Scores how likely a unit the article does not keep is a reader comment
    #: (stage 2's columns plus ``COMMENT_FEATURES``); ``None`` in a model
    #: trained without comment labels.
    comment: ObliviousEnsemble | None = None
    comment_threshold: float = 0.5
    #: One forest per page type, scoring the page's summary (``html.pagetype``),
    #: evaluated together; ``None`` in a model trained without page types.
    page_types: EnsembleGroup | None = None

    def threshold_for(self, favor: str = "balanced") -> float:
        """The threshold of a precision/recall preset (``Config.favor``), as
        training chose it; the balanced one for a model that records none."""
        return float(self.meta.get("thresholds", {}).get(favor, self.threshold))

    def comment_scores(
        self, stage2: np.ndarray, content: np.ndarray, threshold: float, *, in_text: bool = False
    ) -> CommentScores:
        """The comment model's probabilities for the units whose ``content``
        score is under ``threshold`` (the article keeps the others: they score
        0 here), with the model's comment threshold."""
        scores = np.zeros(stage2.shape[0])
        candidates = content < threshold
        if self.comment is not None and candidates.any():
            scores[candidates] = self.comment.predict(comment_matrix(stage2[candidates], content[candidates]))
        return CommentScores(scores, self.comment_threshold, in_text)

    def score(self, base: np.ndarray, context: Callable[[np.ndarray], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Stage-2 probabilities, and the stage-2 matrix that ``context(p1)``
        built from stage 1's scores (the comment model reads it too)."""
        if base.shape[0] == 0:
            return np.zeros(0), np.zeros((0, len(self.schema.stage1) + len(self.schema.context)), dtype=np.float32)
        stage2 = context(self.stage1.predict(base))
        return self.stage2.predict(stage2), stage2

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
            comment = ObliviousEnsemble.from_dict(d["comment"]) if "comment" in d else None
            comment_threshold = float(d.get("comment_threshold", 0.5))
            forests = {name: ObliviousEnsemble.from_dict(f) for name, f in d.get("page_type", {}).items()}
            page_types = EnsembleGroup(forests) if forests else None
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"malformed {kind} model: {exc}") from None
        if (stage1.n_features, stage2.n_features) != (n1, n2):
            raise ModelError(f"{kind} model has {stage1.n_features}/{stage2.n_features} features, the schema {n1}/{n2}")
        if comment is not None and comment.n_features != n2 + len(COMMENT_FEATURES):
            raise ModelError(
                f"{kind} model's comment stage has {comment.n_features} features, the schema {n2 + len(COMMENT_FEATURES)}"
            )
        return cls(schema, stage1, stage2, threshold, d.get("meta", {}), comment, comment_threshold, page_types)


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
