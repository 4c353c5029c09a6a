"""The adapter_schedule callback: who trains when, bit-for-bit freezing, state, errors."""
import copy
from typing import Dict

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Instance, Vocabulary
from allennlp.data.data_loaders import SimpleDataLoader
from allennlp.data.fields import LabelField, TextField
from allennlp.data.token_indexers import PretrainedTransformerIndexer
from allennlp.data.tokenizers import PretrainedTransformerTokenizer
from allennlp.models import Model
from allennlp.modules.text_field_embedders import BasicTextFieldEmbedder
from allennlp.training import GradientDescentTrainer
from allennlp.training.callbacks import TrainerCallback
from allennlp.training.optimizers import Optimizer

from seal_adapters.embedders import PretrainedTransformerWithAdaptersEmbedder
from seal_adapters.embedders.channels import embed_channels
from seal_adapters.training import AdapterScheduleCallback, parameters_by_side, sides_by_name

# Wide bottlenecks (16 units, not 2) and a fixed seed: with 2 ReLU units a random init can
# leave an adapter with no active unit, and a parameter with zero gradient legitimately does
# not move under Adam, whatever tests ran before.
WIDE = {"architecture": "seq_bn", "reduction_factor": 2}


class TwoHeadModel(Model):
    """A minimal two-sided model: one head per adapter, named after it, and a shared bias."""

    def __init__(self, vocab, model_dir, adapters=None):
        super().__init__(vocab)
        torch.manual_seed(0)
        self.embedder = PretrainedTransformerWithAdaptersEmbedder(
            model_dir, adapters=adapters or {"scorenn": WIDE, "tasknn": WIDE})
        self.text_field_embedder = BasicTextFieldEmbedder({"tokens": self.embedder})
        hidden = self.embedder.hidden_size
        self.heads = torch.nn.ModuleDict({"tasknn": torch.nn.Linear(hidden, 2),
                                          "scorenn": torch.nn.Linear(hidden, 2)})
        self.shared_bias = torch.nn.Parameter(torch.zeros(2))

    def forward(self, tokens, label):
        channels = embed_channels(self.text_field_embedder, self.embedder, tokens, ("tasknn", "scorenn"))
        loss = 0
        for name, head in self.heads.items():
            logits = head(channels[name][:, 0]) + self.shared_bias
            loss = loss + torch.nn.functional.cross_entropy(logits, label)
        return {"loss": loss}


class Snapshots(TrainerCallback):
    """Copies every side's parameters after each optimizer step."""

    def __init__(self, serialization_dir, model):
        super().__init__(serialization_dir)
        self.model = model
        self.steps = [self.take()]

    def take(self) -> Dict[str, torch.Tensor]:
        return {n: p.detach().clone() for n, p in self.model.named_parameters()}

    def on_batch(self, trainer, *args, is_training=True, **kwargs):
        if is_training:
            self.steps.append(self.take())


def instances(model_dir, count=12):
    tokenizer = PretrainedTransformerTokenizer(model_dir)
    indexers = {"tokens": PretrainedTransformerIndexer(model_dir)}
    texts = ["the film was great", "a dull movie", "superb acting", "boring and bad"]
    return [Instance({"tokens": TextField(tokenizer.tokenize(texts[i % 4]), indexers),
                      "label": LabelField(str(i % 2))}) for i in range(count)]


def train(model_dir, tmp_path, optimizer_params, schedule, steps=6, model=None, scaler=None):
    """Trains `steps` steps at batch 2; `scaler` replaces the trainer's (None without use_amp),
    to take the mixed-precision path of backward and step on the CPU."""
    data = instances(model_dir, count=steps * 2)
    vocab = Vocabulary.from_instances(data)
    model = model or TwoHeadModel(vocab, model_dir)
    loader = SimpleDataLoader(data, batch_size=2, vocab=vocab)
    parameters = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    optimizer = Optimizer.from_params(model_parameters=parameters, params=Params(optimizer_params))
    alternating = AdapterScheduleCallback(str(tmp_path), schedule=schedule)
    snapshots = Snapshots(str(tmp_path), model)
    trainer = GradientDescentTrainer(model, optimizer, loader, num_epochs=1, callbacks=[alternating, snapshots],
                                     serialization_dir=str(tmp_path))
    if scaler is not None:
        trainer._scaler = scaler
    trainer.train()
    return model, snapshots.steps, alternating


OPTIMIZERS = {
    "adamw": {"type": "adamw", "lr": 1e-2, "weight_decay": 0.1},
    "huggingface_adamw": {"type": "huggingface_adamw", "lr": 1e-2, "weight_decay": 0.1},
    "adam": {"type": "adam", "lr": 1e-2},
    "sgd_momentum": {"type": "sgd", "lr": 1e-1, "momentum": 0.9, "weight_decay": 0.1},
    # allennlp's multi optimizer zeroes gradients instead of clearing them: the hardest case.
    "multi": {"type": "multi", "optimizers": {
        "tasknn": {"type": "adamw", "lr": 1.2e-2, "weight_decay": 0.1},
        "scorenn": {"type": "adamw", "lr": 4.5e-3, "weight_decay": 0.1},
        "default": {"type": "adamw", "lr": 1e-2}},
        "parameter_groups": [[[".*tasknn.*"], {"optimizer_name": "tasknn"}],
                             [[".*scorenn.*"], {"optimizer_name": "scorenn"}]]},
}


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_only_the_scheduled_side_changes_bit_for_bit(tiny_roberta, tmp_path, optimizer):
    schedule = [["scorenn", 2], ["tasknn", 1]]
    model, steps, _ = train(tiny_roberta, tmp_path, OPTIMIZERS[optimizer], schedule, steps=6)
    assert_only_the_trained_side_moved(model, steps, ["scorenn", "scorenn", "tasknn"] * 2)


def assert_only_the_trained_side_moved(model, steps, expected):
    """`steps`: parameter snapshots before and after each step; `expected`: who trained."""
    sides = sides_by_name(model, ("scorenn", "tasknn"))
    for step, trained in enumerate(expected):
        before, after = steps[step], steps[step + 1]
        for name in before:
            side = sides.get(name)
            moved = not torch.equal(before[name], after[name])
            if side is None and name == "shared_bias":
                assert moved, f"step {step}: shared parameter {name} should train every step"
            elif side is None:
                assert not moved, f"step {step}: backbone parameter {name} moved"
            elif side == trained:
                assert moved, f"step {step}: {name} ({side}) should have trained"
            else:
                assert not moved, f"step {step}: {name} ({side}) is frozen but changed"


def test_both_adapters_change_over_a_run_only_in_their_turns(tiny_roberta, tmp_path):
    model, steps, callback = train(tiny_roberta, tmp_path, OPTIMIZERS["adamw"], [["scorenn", 1], ["tasknn", 1]],
                                   steps=4)
    first, last = steps[0], steps[-1]
    sides, _ = parameters_by_side(model, ("scorenn", "tasknn"))
    for side, named in sides.items():
        assert len(named) == 10  # 2 layers x 4 adapter tensors, plus the head named after the side
        assert any(n.startswith("heads.") for n, _ in named)
        assert all(not torch.equal(first[n], last[n]) for n, _ in named), side
    assert callback.position == 0 and callback.steps_in_turn == 0  # 4 steps = 2 full cycles


def test_turns_span_epochs_and_state_round_trips(tiny_roberta, tmp_path):
    _, _, callback = train(tiny_roberta, tmp_path, OPTIMIZERS["adamw"], [["scorenn", 2], ["tasknn", 3]], steps=4)
    # 4 steps: scorenn, scorenn, tasknn, tasknn -> one tasknn step left in the turn.
    assert (callback.current, callback.steps_in_turn) == ("tasknn", 2)
    restored = AdapterScheduleCallback(str(tmp_path), schedule=[["scorenn", 2], ["tasknn", 3]])
    restored.load_state_dict(copy.deepcopy(callback.state_dict()))
    assert (restored.position, restored.steps_in_turn) == (1, 2)


def test_the_old_name_alternating_adapters_builds_the_same_callback(tmp_path):
    from allennlp.common import Params
    from allennlp.training.callbacks import TrainerCallback

    for name in ("alternating_adapters", "adapter_schedule"):
        callback = TrainerCallback.from_params(
            Params({"type": name, "schedule": [["scorenn", 2], ["tasknn", 3]]}), serialization_dir=str(tmp_path))
        assert type(callback) is AdapterScheduleCallback
        assert callback.schedule == [("scorenn", 2), ("tasknn", 3)]


def test_checkpoint_restores_the_schedule_position(tiny_roberta, tmp_path):
    """The callback's state goes into allennlp's training-state checkpoint and comes back."""
    from allennlp.training import Checkpointer

    data = instances(tiny_roberta, count=6)
    vocab = Vocabulary.from_instances(data)

    def trainer_for(epochs):
        model = TwoHeadModel(vocab, tiny_roberta)
        parameters = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        optimizer = Optimizer.from_params(model_parameters=parameters, params=Params({"type": "adamw", "lr": 1e-3}))
        callback = AdapterScheduleCallback(str(tmp_path), schedule=[["scorenn", 1], ["tasknn", 1]])
        trainer = GradientDescentTrainer(
            model, optimizer, SimpleDataLoader(data, batch_size=2, vocab=vocab), num_epochs=epochs,
            callbacks=[callback], serialization_dir=str(tmp_path), checkpointer=Checkpointer(str(tmp_path)))
        return trainer, callback, model

    trainer, callback, _ = trainer_for(1)
    trainer.train()  # 3 steps: scorenn, tasknn, scorenn -> next is tasknn
    assert callback.current == "tasknn"
    resumed, resumed_callback, model = trainer_for(2)
    resumed._maybe_restore_checkpoint()
    assert (resumed_callback.position, resumed_callback.steps_in_turn) == (1, 0)
    resumed_callback.on_start(resumed)  # what train() does after restoring
    assert all(p.requires_grad for p in model.heads["tasknn"].parameters())
    assert not any(p.requires_grad for p in model.heads["scorenn"].parameters())


def test_trained_adapter_is_reported_as_a_metric(tiny_roberta, tmp_path):
    callback = AdapterScheduleCallback(str(tmp_path), schedule=[["scorenn", 1], ["tasknn", 1]])
    metrics = {}
    callback.on_batch(None, [], [], metrics, 0, 1, is_training=True)
    assert metrics == {"steps_scorenn": 1, "steps_tasknn": 0, "trained_adapter": 0}
    callback.on_batch(None, [], [], metrics, 0, 2, is_training=True)
    assert metrics == {"steps_scorenn": 1, "steps_tasknn": 1, "trained_adapter": 1}


@pytest.mark.parametrize("schedule, message", [
    ([], "the schedule is empty"),
    ([["scorenn", 0]], "'scorenn' has 0 steps"),
    ([["scorenn", -2]], "'scorenn' has -2 steps"),
    ([["scorenn", 1.5]], "must be a positive integer"),
    ([["scorenn"]], "must be [adapter_name, steps]"),
    ([[3, 1]], "must be a string"),
])
def test_bad_schedules(tmp_path, schedule, message):
    with pytest.raises(ConfigurationError) as error:
        AdapterScheduleCallback(str(tmp_path), schedule=schedule)
    assert message in str(error.value)


def test_schedule_naming_an_adapter_the_model_lacks(tiny_roberta, tmp_path):
    model = TwoHeadModel(Vocabulary(), tiny_roberta)
    callback = AdapterScheduleCallback(str(tmp_path), schedule=[["scorenn", 1], ["tasknnn", 1]])
    message = r"names adapter\(s\) \['tasknnn'\], but the model's embedder has \['scorenn', 'tasknn'\]"
    with pytest.raises(ConfigurationError, match=message):
        callback.attach(model)


def test_model_without_adapter_embedder(tmp_path):
    class Plain(Model):
        def __init__(self):
            super().__init__(Vocabulary())
            self.linear = torch.nn.Linear(2, 2)

    with pytest.raises(ConfigurationError, match="needs a model with an adapter embedder"):
        AdapterScheduleCallback(str(tmp_path)).attach(Plain())


def test_sides_come_from_structure_so_an_adapter_may_be_named_like_a_module(tiny_roberta, sentiment_data):
    """The ScoreNN adapter is called `linear`, like the heads' output layer: the TaskNN head's
    `heads.tasknn.linear.*` stays on the tasknn side (name parsing put it on both)."""
    from tests.test_models_common import build, embedder, reader

    model, _, _ = build(reader("text", tiny_roberta),
                        {"type": "seal_text_classifier", "scorenn_adapter": "linear",
                         "text_field_embedder": embedder(tiny_roberta, {"linear": "seq_bn", "tasknn": "seq_bn"})},
                        sentiment_data["train"])
    sides = sides_by_name(model, ("linear", "tasknn"))
    assert sides["heads.tasknn.linear.weight"] == "tasknn"
    assert {n for n, side in sides.items() if n.startswith("heads.")} == {
        n for n, _ in model.named_parameters() if n.startswith("heads.")}
    by_side, shared = parameters_by_side(model, ("linear", "tasknn"))
    backbone = model._embedder.transformer_model
    for name in ("linear", "tasknn"):
        ids = {id(p) for _, p in by_side[name]}
        assert {id(p) for p in backbone.adapter_parameters(name)} <= ids
        assert all(sides[n] == name for n, _ in by_side[name])
    assert not shared


def test_a_loader_without_repetition_is_named_and_a_side_without_turns_refused(caplog):
    """Alternating on a plain loader: one warning that the sides take different batches; an
    epoch of fewer optimizer steps than a schedule cycle (a side would never train) refused;
    repeat_each_batch or joint mode: neither."""
    import logging
    import types

    from seal_adapters.data.repeat_each_batch import RepeatEachBatchSampler

    def trainer(batches, sampler=None):
        return types.SimpleNamespace(data_loader=type("Loader", (), {
            "__len__": lambda self: batches, "batch_sampler": sampler})())

    callback = AdapterScheduleCallback(serialization_dir=".", schedule=[["scorenn", 2], ["tasknn", 1]])
    callback._accumulation = 1
    with caplog.at_level(logging.WARNING):
        callback._check_every_side_gets_a_turn(trainer(5), None)
    assert "the sides of the schedule [['scorenn', 2], ['tasknn', 1]] train on different batches" in caplog.text
    assert "repeat each batch 3 times" in caplog.text
    assert "SEAL" not in caplog.text  # SEAL's wording only for SEAL models
    with pytest.raises(ConfigurationError, match=r"an epoch has only 2 optimizer step\(s\), fewer than one cycle "
                                                 r"of the schedule \[\['scorenn', 2\], \['tasknn', 1\]\], so "
                                                 r"\['tasknn'\] would never train"):
        callback._check_every_side_gets_a_turn(trainer(2), None)
    caplog.clear()
    repeat = RepeatEachBatchSampler(batch_size=4, times=3)
    with caplog.at_level(logging.WARNING):
        callback._check_every_side_gets_a_turn(trainer(2), repeat)
        AdapterScheduleCallback(serialization_dir=".", mode="joint")._check_every_side_gets_a_turn(trainer(1), None)
    assert caplog.text == ""
