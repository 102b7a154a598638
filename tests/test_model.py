"""Loading the shipped models, refusing a model made for other features, and the thresholds."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources

import pytest

import thresher
from thresher import Config, Extractor, ModelError, TextCleaner
from thresher.dumps.lines import LINE_SCHEMA
from thresher.html.features import BLOCK_SCHEMA
from thresher.model import TwoStageModel, load_model

PAGE = (
    "<html><body><nav><a href=/a>Home</a> <a href=/b>World</a> <a href=/c>Sport</a></nav>"
    "<article><h1>Harbour wall to be repaired</h1>"
    + "<p>The council agreed on Tuesday to repair the old harbour wall before the winter storms arrive.</p>"
    * 3
    + "<p>Work starts next month.</p></article>"
    "<footer><a href=/privacy>Privacy</a> Share this story</footer></body></html>"
)


def model_file(name: str) -> dict:
    return json.loads(resources.files("thresher").joinpath("models", f"{name}.json").read_text("utf-8"))


@pytest.mark.parametrize(("name", "schema"), [(Config().model, BLOCK_SCHEMA), (Config().line_model, LINE_SCHEMA)])
def test_shipped_models_load_for_their_schema(name, schema):
    model = load_model(name, schema)
    assert model.schema is schema
    assert model.stage1.n_features == len(schema.stage1)
    assert model.stage2.n_features == len(schema.stage1) + len(schema.context)
    assert 0.0 < model.threshold < 1.0


def test_a_model_for_other_features_is_refused():
    data = model_file(Config().model)
    data["schema_hash"] = "0" * 16
    with pytest.raises(ModelError, match="another feature layout"):
        TwoStageModel.from_dict(data, BLOCK_SCHEMA)
    with pytest.raises(ModelError, match="cannot score"):
        TwoStageModel.from_dict(model_file(Config().model), LINE_SCHEMA)


def test_the_schema_hash_covers_parameters_not_only_names():
    changed = replace(BLOCK_SCHEMA, params={**BLOCK_SCHEMA.params, "good_min_chars": 81})
    assert changed.stage1 == BLOCK_SCHEMA.stage1 and changed.hash != BLOCK_SCHEMA.hash
    reordered = replace(BLOCK_SCHEMA, stage1=BLOCK_SCHEMA.stage1[::-1])
    assert reordered.hash != BLOCK_SCHEMA.hash


def test_an_unknown_or_broken_model_is_a_clear_error():
    with pytest.raises(ModelError, match="no model named"):
        Extractor(Config(model="blocks-v999"))
    data = model_file(Config().model)
    del data["stage2"]
    with pytest.raises(ModelError, match="malformed"):
        TwoStageModel.from_dict(data, BLOCK_SCHEMA)


def test_config_threshold_decides_what_is_kept():
    default = Extractor()
    assert default.threshold == default.model.threshold_for("balanced")
    weakest = min(b.score for b in default.extract(PAGE).blocks)
    texts = {}
    for t in (0.0, 0.5, weakest + 1e-9):
        article = Extractor(Config(threshold=t)).extract(PAGE)
        assert all(b.score >= t for b in article.blocks)
        assert all(r.score < t for r in article.removed if r.reason == "model")
        texts[t] = article.text
    assert len(texts[0.0]) > len(texts[0.5]) > len(texts[weakest + 1e-9]) > 0
    assert "Share this story" in texts[0.0] and "Share this story" not in texts[0.5]


def test_line_threshold_and_favor_reach_the_cleaner():
    assert TextCleaner(Config(line_threshold=0.9)).threshold == 0.9
    cleaner = TextCleaner(Config(favor="precision"))
    assert cleaner.threshold == cleaner.model.threshold_for("precision")


def test_bad_config_values_are_refused_with_the_field_name():
    with pytest.raises(ValueError, match="favor"):
        Config(favor="speed")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="threshold"):
        Config(threshold=1.5)
    with pytest.raises(ValueError, match="max_nodes"):
        Config(max_nodes=0)


def test_model_error_is_a_thresher_error():
    assert issubclass(ModelError, thresher.ThresherError)
