"""Behaviour all SEAL models share (shown on `seal_text_classifier`): which channels run when,
which loss trains which side, errors. Also holds the helpers the other model tests import."""
import json
import logging
import os
from typing import Dict, Optional, Tuple

import pytest
import torch
from allennlp.commands.train import train_model
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Batch, DatasetReader, Vocabulary
from allennlp.models import Model
from allennlp.nn.util import get_text_field_mask

from seal_adapters.embedders.channels import adapter_backbones, embed_channels
from seal_adapters.testing.tiny_models import build_tiny_bert

# -- helpers (imported by the other model tests) -----------------------------------------


@pytest.fixture(scope="module")
def one_thread():
    """Tiny models run ~10x faster on one intra-op thread when the 2 cores are shared (the
    OpenMP threads otherwise spin against each other); restored after the module."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


pytestmark = pytest.mark.usefixtures("one_thread")

_WIDE_MODELS: Dict[str, str] = {}


def wide_bert(tmp_path_factory) -> str:
    """A 64-wide tiny BERT for the learning tests, built once per process. On the 32-wide
    fixture models the default seq_bn adapter has a 2-unit bottleneck and the frozen random
    features mix word and position equally, which makes learning slow and seed-dependent."""
    if "bert" not in _WIDE_MODELS:
        _WIDE_MODELS["bert"] = build_tiny_bert(str(tmp_path_factory.mktemp("tiny_bert_64")),
                                               hidden_size=64)
    return _WIDE_MODELS["bert"]



def assert_valid_bio(tag_rows) -> None:
    """Every I-X follows B-X or I-X (sentence start counts as O)."""
    for tags in tag_rows:
        for previous, tag in zip(["O"] + list(tags), tags):
            if tag.startswith("I-"):
                assert previous in (f"B-{tag[2:]}", tag), tags


def embedder(model_dir: str, adapters: Optional[dict] = None, mismatched: bool = False) -> dict:
    kind = "pretrained_transformer_mismatched_with_adapters" if mismatched else \
        "pretrained_transformer_with_adapters"
    tokens = {"type": kind, "model_name": model_dir}
    if adapters is not None:
        tokens["adapters"] = adapters
    return {"token_embedders": {"tokens": tokens}}


def reader(kind: str, model_dir: str) -> dict:
    """`text` (text_classification_json), `multilabel` or `tagging` (this package's readers)."""
    if kind == "tagging":
        return {"type": "seal_bio_tagging", "token_indexers": {
            "tokens": {"type": "pretrained_transformer_mismatched", "model_name": model_dir}}}
    return {
        "type": "text_classification_json" if kind == "text" else "seal_multilabel_jsonl",
        "tokenizer": {"type": "pretrained_transformer", "model_name": model_dir},
        "token_indexers": {"tokens": {"type": "pretrained_transformer", "model_name": model_dir}},
    }


def config(reader_params: dict, model: dict, train: str, validation: str, epochs: int = 1,
           lr: float = 1e-3, batch_size: int = 16, schedule=None, validation_metric=None) -> dict:
    """A training config; `schedule` adds the adapter_schedule callback. The default lr
    is low: at 1e-2 one epoch can kill both ReLUs of a 2-unit bottleneck adapter (the 32-wide
    fixture models), which leaves it without gradients and fails the gradient check."""
    trainer = {"num_epochs": epochs, "optimizer": {"type": "adamw", "lr": lr},
               "callbacks": [] if schedule is None else [{"type": "adapter_schedule",
                                                         "schedule": schedule}]}
    if validation_metric:
        trainer["validation_metric"] = validation_metric
    return {"dataset_reader": reader_params, "train_data_path": train,
            "validation_data_path": validation, "model": model,
            "data_loader": {"batch_size": batch_size, "shuffle": True}, "trainer": trainer}


def write_config(path, params: dict) -> str:
    with open(path, "w") as handle:
        json.dump(params, handle, indent=1)
    return str(path)


def train(params: dict, directory) -> Tuple[Model, Dict[str, float]]:
    """Trains in this process (quiet); returns the best model and metrics.json."""
    logging.getLogger("allennlp").setLevel(logging.WARNING)
    model = train_model(Params(json.loads(json.dumps(params))), str(directory))
    with open(os.path.join(str(directory), "metrics.json")) as handle:
        return model, json.load(handle)


def build(reader_params: dict, model_params: dict, data_path: str):
    """(model, tensor batch of the whole file, vocab) without training."""
    data_reader = DatasetReader.from_params(Params(json.loads(json.dumps(reader_params))))
    instances = list(data_reader.read(data_path))
    vocab = Vocabulary.from_instances(instances)
    model = Model.from_params(vocab=vocab, params=Params(json.loads(json.dumps(model_params))))
    batch = Batch(instances)
    batch.index_instances(vocab)
    return model, batch.as_tensor_dict(), vocab


def adapter_modules(model: torch.nn.Module, adapter: str):
    """The modules that hold one adapter's layers (e.g. `...output.adapters.scorenn`)."""
    return [module for name, module in model.named_modules() if name.endswith(f"adapters.{adapter}")]


def count_adapter_calls(model: torch.nn.Module, adapter: str):
    """A list that grows by one per forward call of any of the adapter's layers."""
    calls = []
    modules = adapter_modules(model, adapter)
    assert modules, f"no modules of adapter {adapter}"
    for module in modules:
        module.register_forward_hook(lambda *args: calls.append(1))
    return calls


# -- tests ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seal_text(tiny_roberta, sentiment_data):
    torch.manual_seed(0)
    model, batch, vocab = build(reader("text", tiny_roberta),
                                {"type": "seal_text_classifier",
                                 "text_field_embedder": embedder(tiny_roberta)},
                                sentiment_data["validation"])
    return model, {k: v[:8] if torch.is_tensor(v) else v for k, v in _slice(batch, 8).items()}


def _slice(batch, size):
    def cut(value):
        if isinstance(value, dict):
            return {k: cut(v) for k, v in value.items()}
        return value[:size]
    return cut(batch)


def test_parameter_names_show_the_side(seal_text):
    model, _ = seal_text
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    heads = sorted(n for n in names if n.startswith("heads."))
    assert heads and all(n.split(".")[1] in ("tasknn", "scorenn") for n in heads)
    assert any(n.startswith("heads.tasknn.") for n in heads)
    assert any(n.startswith("heads.scorenn.") for n in heads)
    # Every trainable parameter is on exactly one side.
    assert all(("tasknn" in n.split(".")) != ("scorenn" in n.split(".")) for n in names)


def test_prediction_and_evaluation_never_run_the_scorenn(seal_text):
    model, batch = seal_text
    scorenn_calls = count_adapter_calls(model, "scorenn")
    tasknn_calls = count_adapter_calls(model, "tasknn")
    requested = []
    embedder_module = model._embedder
    original = embedder_module.channels
    embedder_module.channels = lambda names: (requested.append(tuple(names)), original(names))[1]
    try:
        model.eval()
        with torch.no_grad():
            unlabeled = model(tokens=batch["tokens"])  # prediction
            model(**batch)  # evaluation: labels, but not training
        assert requested == [("tasknn",), ("tasknn",)]
        assert scorenn_calls == [] and len(tasknn_calls) > 0
        assert set(unlabeled) == {"logits", "probs"}
        model.train()
        output = model(**batch)
        assert requested[-1] == ("tasknn", "scorenn")
        assert len(scorenn_calls) > 0
        assert {"loss", "tasknn_loss", "scorenn_loss"} <= set(output)
        assert output["loss"].item() == pytest.approx(
            output["tasknn_loss"].item() + output["scorenn_loss"].item(), rel=1e-6)
    finally:
        del embedder_module.channels
        model.get_metrics(reset=True)


def _gradient_owners(model, loss) -> Dict[str, bool]:
    model.zero_grad(set_to_none=True)
    loss.backward(retain_graph=True)
    owners = {"tasknn": False, "scorenn": False}
    for name, parameter in model.named_parameters():
        if parameter.grad is not None and parameter.grad.abs().sum() > 0:
            for side in owners:
                if side in name.split("."):
                    owners[side] = True
    return owners


def _train_without_dropout(model):
    """Training mode (SEAL's losses run) with every dropout off, the backbone's attention
    dropout included (transformers reads it from a float, not a Dropout module)."""
    model.train()
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    for backbone in adapter_backbones(model):
        backbone.model.eval()


def test_each_loss_trains_only_its_own_side(seal_text):
    model, batch = seal_text
    _train_without_dropout(model)  # the forwards below must see the same network
    torch.manual_seed(1)
    with torch.no_grad():  # a ScoreNN with an opinion (it starts at score 0 everywhere)
        for parameter in model.heads["scorenn"].parameters():
            parameter.normal_(0.0, 0.5)
    output = model(**batch)
    # The ScoreNN loss sees the TaskNN detached; the TaskNN's score term sees the ScoreNN
    # detached (the gradient reaches y_hat, not the ScoreNN's weights).
    assert _gradient_owners(model, output["scorenn_loss"]) == {"tasknn": False, "scorenn": True}
    assert _gradient_owners(model, output["tasknn_loss"]) == {"tasknn": True, "scorenn": False}
    # The score term reaches the TaskNN: its gradient adds d(-score(x, probs))/d(theta).
    weight = model.heads["tasknn"].linear.weight
    with_score = torch.autograd.grad(output["tasknn_loss"], weight, retain_graph=True)[0]
    cross_entropy = torch.nn.functional.cross_entropy(output["logits"], batch["label"])
    ce_only = torch.autograd.grad(cross_entropy, weight, retain_graph=True)[0]
    scorenn = model.heads["scorenn"]
    hidden = embed_channels(model._text_field_embedder, model._embedder, batch["tokens"],
                            ("scorenn",))["scorenn"].detach()
    mask = get_text_field_mask(batch["tokens"])
    score = scorenn(hidden, mask, torch.softmax(output["logits"], -1).unsqueeze(1)).mean()
    score_only = torch.autograd.grad(-score, weight)[0]
    assert not torch.allclose(with_score, ce_only)
    assert torch.allclose(with_score, ce_only + model.score_loss_weight * score_only, atol=1e-6)
    model.get_metrics(reset=True)


def test_loss_metrics_are_running_means(seal_text):
    model, batch = seal_text
    model.train()
    model.get_metrics(reset=True)
    values = [model(**batch) for _ in range(3)]
    metrics = model.get_metrics(reset=True)
    for key in ("tasknn_loss", "scorenn_loss"):
        assert metrics[key] == pytest.approx(sum(v[key].item() for v in values) / 3, rel=1e-5)
    assert 0.0 <= metrics["accuracy"] <= 1.0 and 0.0 <= metrics["macro_f1"] <= 1.0
    model.eval()
    with torch.no_grad():
        model(**batch)
    evaluation = model.get_metrics(reset=True)
    assert "scorenn_loss" not in evaluation and "tasknn_loss" in evaluation


def test_baseline_has_no_scorenn_at_all(tiny_roberta, sentiment_data):
    model, batch, _ = build(reader("text", tiny_roberta),
                            {"type": "seal_text_classifier", "score_loss_weight": 0,
                             "text_field_embedder": embedder(tiny_roberta, {"tasknn": "seq_bn"})},
                            sentiment_data["validation"])
    assert list(model.heads) == ["tasknn"]
    model.train()
    output = model(**_slice(batch, 8))
    assert "scorenn_loss" not in output
    # Plain cross-entropy of the TaskNN's logits.
    expected = torch.nn.functional.cross_entropy(output["logits"], _slice(batch, 8)["label"])
    assert output["loss"].item() == pytest.approx(expected.item(), rel=1e-5)
    assert "scorenn_loss" not in model.get_metrics()


@pytest.mark.parametrize("model_options, embedder_adapters, message", [
    ({}, {"tasknn": "seq_bn"}, "scorenn_adapter 'scorenn' is not an adapter of the embedder, which has ['tasknn']"),
    ({"tasknn_adapter": "task"}, None,
     "tasknn_adapter 'task' is not an adapter of the embedder, which has ['scorenn', 'tasknn']"),
    ({"label_namespace": "sentiment"}, None, "no labels in namespace 'sentiment'"),
    ({"pooler": "max"}, None, "unknown pooler 'max'"),
    ({"scorenn_loss": {"type": "hinge"}}, None, "hinge"),
    ({"score_loss_weight": -1}, None, "score_loss_weight must be >= 0"),
])
def test_configuration_errors_name_the_problem(tiny_roberta, sentiment_data, model_options,
                                               embedder_adapters, message):
    params = {"type": "seal_text_classifier",
              "text_field_embedder": embedder(tiny_roberta, embedder_adapters), **model_options}
    with pytest.raises(ConfigurationError) as error:
        build(reader("text", tiny_roberta), params, sentiment_data["validation"])
    assert message in str(error.value)
    if "hinge" in message:
        assert "margin" in str(error.value) and "nce" in str(error.value)


def test_reader_field_mismatch_is_explained(tiny_roberta, multilabel_data):
    # A multi-label reader ("labels") feeding the single-label model.
    model, batch, _ = build(reader("multilabel", tiny_roberta),
                            {"type": "seal_text_classifier", "label_namespace": "labels",
                             "text_field_embedder": embedder(tiny_roberta)},
                            multilabel_data["validation"])
    with pytest.raises(ConfigurationError, match="got field\\(s\\) \\['labels'\\].*'label'"):
        model(**batch)


def test_unused_scorenn_adapter_in_schedule_is_explained(tiny_roberta, sentiment_data):
    model, batch, _ = build(reader("text", tiny_roberta),
                            {"type": "seal_text_classifier", "score_loss_weight": 0,
                             "text_field_embedder": embedder(tiny_roberta)},
                            sentiment_data["validation"])
    for name, parameter in model.named_parameters():  # what a scorenn turn leaves trainable
        if "tasknn" in name.split("."):
            parameter.requires_grad_(False)
    model.train()
    with pytest.raises(ConfigurationError, match="nothing to train"):
        model(**_slice(batch, 4))
