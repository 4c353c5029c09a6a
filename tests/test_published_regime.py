"""SEAL's published regime as configs (seal_ner_published.jsonnet, ...): per batch m TaskNN
steps, each after k ScoreNN steps, every ScoreNN step drawing new samples from the TaskNN."""
import copy
import json
import os

import _jsonnet
import pytest
import torch
from allennlp.commands.train import train_model
from allennlp.common import Params

from seal_adapters.losses.label_spaces import TagSequenceSpace
from seal_adapters.models.seal_model import SealModel
from seal_adapters.tasks import all_tasks
from tests.conftest import REPO
from tests.test_models_common import one_thread  # noqa: F401 (a fixture, used below)

pytestmark = pytest.mark.usefixtures("one_thread")
CONFIG_DIR = os.path.join(REPO, "training_configs")


def published(tiny_bert, data, **hidden):
    fields = " ".join(f"{name}:: {value}," for name, value in hidden.items())
    snippet = f"(import 'seal_ner_published.jsonnet') + {{ {fields} }}"
    ext_vars = {"SEAL_TRANSFORMER": tiny_bert, "SEAL_TRAIN": data["train"],
                "SEAL_VALIDATION": data["validation"], "SEAL_TEST": ""}
    return json.loads(_jsonnet.evaluate_snippet("test", snippet, jpathdir=[CONFIG_DIR], ext_vars=ext_vars))


def test_the_released_defaults(tiny_bert, tmp_path):
    data = all_tasks()["ner"].example_data(str(tmp_path / "data"), "seal_ner_published.jsonnet")
    config = published(tiny_bert, data)
    assert config["trainer"]["callbacks"][0]["schedule"] == [["scorenn", 3], ["tasknn", 1]] * 5
    assert config["data_loader"]["batch_sampler"]["times"] == 20
    assert config["model"]["scorenn_loss"] == {"type": "nce", "num_samples": 100}
    assert config["model"]["tasknn_loss"]["score_term"] == "absolute"
    groups = config["trainer"]["optimizer"]["parameter_groups"]
    assert groups == [[[".*tasknn.*"], {"lr": 1e-3}], [[".*scorenn.*"], {"lr": 3e-3}]]


def test_step_order_and_fresh_samples_in_every_scorenn_step(tiny_bert, tmp_path, monkeypatch):
    data = all_tasks()["ner"].example_data(str(tmp_path / "data"), "seal_ner_published.jsonnet")
    config = published(tiny_bert, data, tasknn_steps=2, scorenn_steps=2, num_samples=4)
    config["dataset_reader"]["max_instances"] = 32
    config["validation_dataset_reader"] = dict(copy.deepcopy(config["dataset_reader"]), max_instances=8)
    config["trainer"]["num_epochs"] = 1
    steps, samples = [], []
    forward, sample = SealModel._seal_forward, TagSequenceSpace.sample

    def recording_forward(model, tokens, *args, **kwargs):
        if model.training:
            trains = {side for side, head in model.heads.items()
                      if any(p.requires_grad for p in head.parameters())}
            steps.append((tuple(sorted(trains)), tokens["tokens"]["token_ids"].clone()))
        return forward(model, tokens, *args, **kwargs)

    def recording_sample(space, probs, count, mask=None):
        drawn = sample(space, probs, count, mask)
        samples.append(drawn.clone())
        return drawn

    monkeypatch.setattr(SealModel, "_seal_forward", recording_forward)
    monkeypatch.setattr(TagSequenceSpace, "sample", recording_sample)
    train_model(Params(config), str(tmp_path / "run"))
    training = [(side, ids) for side, ids in steps]
    assert len(training) == 2 * 6  # 2 batches of 16, each 2 x (2 + 1) steps
    order = [side for side, _ in training]
    cycle = [("scorenn",), ("scorenn",), ("tasknn",)] * 2
    assert order == cycle * 2
    for start in (0, 6):  # each batch six times in a row, then the next
        assert all(torch.equal(training[start][1], ids) for _, ids in training[start:start + 6])
    assert not torch.equal(training[0][1], training[6][1])
    # One draw per training forward; consecutive ScoreNN steps on one batch draw new samples.
    drawn = samples[:len(training)]
    assert len(drawn) == len(training)
    for index in range(len(training) - 1):
        if order[index] == ("scorenn",) and order[index + 1] == ("scorenn",):
            assert not torch.equal(drawn[index], drawn[index + 1]), index
