"""SEAL-static: stage 1 trains a SEAL model; stage 2 loads its ScoreNN frozen (adapter, head,
layer mix: every parameter on the ScoreNN's side) and trains a fresh TaskNN against it."""
import copy
import os

import pytest
import torch
from allennlp.common.checks import ConfigurationError

from seal_adapters.embedders.sides import sides_by_name
from tests.test_models_common import config, embedder, one_thread, reader, train  # noqa: F401

pytestmark = pytest.mark.usefixtures("one_thread")


def classifier(model_dir, **options):
    return {"type": "seal_text_classifier", "text_field_embedder": embedder(model_dir),
            "scorenn_loss": {"type": "margin"}, "score_loss_weight": 0.1, **options}


def side(model, name):
    return {n: p.detach().clone() for n, p in model.named_parameters()
            if sides_by_name(model, ["tasknn", "scorenn"]).get(n) == name}


@pytest.fixture(scope="module")
def stage_one(tiny_roberta, sentiment_data, tmp_path_factory):
    directory = tmp_path_factory.mktemp("stage_one") / "run"
    params = config(reader("text", tiny_roberta), classifier(tiny_roberta), sentiment_data["train"],
                    sentiment_data["validation"], epochs=1, lr=1e-2)
    params["trainer"]["callbacks"] = [{"type": "adapter_schedule", "mode": "joint"}]
    model, _ = train(params, directory)
    return str(directory), side(model, "scorenn")


@pytest.mark.parametrize("where", ["directory", "archive"])
def test_stage_two_trains_the_tasknn_against_the_frozen_scorenn(stage_one, where, tiny_roberta,
                                                              sentiment_data, tmp_path):
    run, scorenn = stage_one
    path = run if where == "directory" else os.path.join(run, "model.tar.gz")
    params = config(reader("text", tiny_roberta), classifier(tiny_roberta, static_scorenn=path),
                    sentiment_data["train"], sentiment_data["validation"], epochs=1, lr=1e-2)
    model, metrics = train(params, tmp_path / "stage_two")
    after = side(model, "scorenn")
    assert set(after) == set(scorenn) and len(after) > 10  # adapter, head, ...
    assert all(torch.equal(after[name], scorenn[name]) for name in scorenn)  # bit for bit
    assert all(not p.requires_grad for n, p in model.named_parameters() if n in scorenn)
    assert "training_scorenn_loss" not in metrics  # the ScoreNN does not train
    assert metrics["training_tasknn_score_term"] != 0  # but it scores the TaskNN's outputs
    assert 0 <= metrics["training_scorenn_ranking_accuracy"] <= 1


def test_a_different_scorenn_or_a_wrong_path_is_refused(stage_one, tiny_roberta, sentiment_data, tmp_path):
    run, _ = stage_one
    params = config(reader("text", tiny_roberta),
                    classifier(tiny_roberta, static_scorenn=run, energy={"type": "feedforward", "hidden_dims": 7}),
                    sentiment_data["train"], sentiment_data["validation"], epochs=1)
    with pytest.raises(ConfigurationError, match=r"static_scorenn: parameter heads\.scorenn\.energy.* has shape"):
        train(params, tmp_path / "a")
    wrong = copy.deepcopy(params)
    wrong["model"] = classifier(tiny_roberta, static_scorenn=str(tmp_path / "nowhere"))
    with pytest.raises(ConfigurationError, match="static_scorenn: .*nowhere does not exist"):
        train(wrong, tmp_path / "b")
    none = copy.deepcopy(params)
    none["model"] = classifier(tiny_roberta, static_scorenn=run, score_loss_weight=0)
    with pytest.raises(ConfigurationError, match="static_scorenn needs a score term"):
        train(none, tmp_path / "c")
    scheduled = copy.deepcopy(params)
    scheduled["model"] = classifier(tiny_roberta, static_scorenn=run)
    scheduled["trainer"]["callbacks"] = [{"type": "adapter_schedule", "mode": "joint"}]
    with pytest.raises(ConfigurationError, match="adapter_schedule: the model's ScoreNN is static .* "
                                                 "Remove the adapter_schedule callback"):
        train(scheduled, tmp_path / "d")
