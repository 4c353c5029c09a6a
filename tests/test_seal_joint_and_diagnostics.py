"""Joint mode (both sides from one forward and one backward), the ScoreNN diagnostics and the
energies, for each of the three SEAL models."""
import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data.data_loaders import SimpleDataLoader
from allennlp.training import GradientDescentTrainer
from allennlp.training.optimizers import Optimizer

from seal_adapters.data.repeat_each_batch import RepeatEachBatchSampler
from seal_adapters.energies import LabelEnergy, TagEnergy
from seal_adapters.training import AdapterScheduleCallback
from tests.test_models_common import _train_without_dropout, build, embedder, one_thread, reader  # noqa: F401

pytestmark = pytest.mark.usefixtures("one_thread")

KINDS = {
    "text": ("seal_text_classifier", "text", False),
    "multilabel": ("seal_multilabel_classifier", "multilabel", False),
    "tagger": ("seal_tagger", "tagging", True),
}


@pytest.fixture(scope="module", params=sorted(KINDS))
def seal_model(request, tiny_roberta, sentiment_data, multilabel_data, tagging_data):
    model_type, data_kind, mismatched = KINDS[request.param]
    data = {"text": sentiment_data, "multilabel": multilabel_data, "tagging": tagging_data}[data_kind]
    torch.manual_seed(0)
    model, batch, _ = build(reader(data_kind, tiny_roberta),
                            {"type": model_type, "score_loss_weight": 0.5,
                             "text_field_embedder": embedder(tiny_roberta, mismatched=mismatched)},
                            data["validation"])
    batch = {k: ({kk: {kkk: vvv[:6] for kkk, vvv in vv.items()} for kk, vv in v.items()}
                 if isinstance(v, dict) else v[:6]) for k, v in batch.items()}
    _train_without_dropout(model)
    with torch.no_grad():  # a ScoreNN with an opinion (it starts at score 0 everywhere)
        for parameter in model.heads["scorenn"].parameters():
            parameter.normal_(0.0, 0.5)
    return model, batch


def side_gradients(model, loss):
    model.zero_grad(set_to_none=True)
    loss.backward(retain_graph=True)
    return {name: p.grad.clone() for name, p in model.named_parameters() if p.grad is not None}


def test_joint_backward_equals_two_separate_backwards_bit_for_bit(seal_model):
    model, batch = seal_model
    torch.manual_seed(3)  # the NCE samples
    output = model(**batch)
    joint = side_gradients(model, output["loss"])
    tasknn = side_gradients(model, output["tasknn_loss"])
    scorenn = side_gradients(model, output["scorenn_loss"])
    on_side = {side: {n for n in joint if side in n.split(".")} for side in ("tasknn", "scorenn")}
    assert on_side["tasknn"] and on_side["scorenn"]
    for name in on_side["tasknn"]:
        assert torch.equal(joint[name], tasknn[name]), name
        assert name not in scorenn or not scorenn[name].any(), name
    for name in on_side["scorenn"]:
        assert torch.equal(joint[name], scorenn[name]), name
        assert name not in tasknn or not tasknn[name].any(), name
    model.get_metrics(reset=True)


def test_diagnostics_are_what_their_definitions_say(seal_model):
    model, batch = seal_model
    model.get_metrics(reset=True)
    torch.manual_seed(4)
    output = model(**batch)
    metrics = model.get_metrics(reset=True)
    # Recompute the ranking accuracy by hand from the model's own pieces.
    space = model.space
    label_mask = output.get("mask")
    gold = model_gold(model, batch, output)
    predicted = space.decode(output["probs"].detach(), label_mask)
    wrong = (predicted != gold).flatten(1).any(-1)
    hidden = model_channel(model, batch)
    text_mask = text_mask_of(batch)
    with torch.no_grad():
        scores = model.heads["scorenn"](hidden, text_mask, torch.stack([gold, predicted], 1))
    assert wrong.any()
    expected = (scores[wrong, 0] > scores[wrong, 1]).float().mean().item()
    assert metrics["scorenn_ranking_accuracy"] == pytest.approx(expected, abs=1e-6)
    assert metrics["score_term_ratio"] == pytest.approx(
        abs(metrics["tasknn_score_term"]) / metrics["tasknn_cross_entropy"], rel=1e-5)
    assert metrics["tasknn_cross_entropy"] + metrics["tasknn_score_term"] == pytest.approx(
        metrics["tasknn_loss"], rel=1e-5, abs=1e-6)
    model.eval()
    with torch.no_grad():
        model(**batch)
    assert "scorenn_ranking_accuracy" not in model.get_metrics(reset=True)  # no ScoreNN at eval
    _train_without_dropout(model)


def model_gold(model, batch, output):
    labels = batch.get("label", batch.get("labels", batch.get("tags")))
    if "tags" in batch:
        gold = torch.nn.functional.one_hot(labels.long(), len(model.labels)).float()
        return gold * output["mask"].unsqueeze(-1)
    if "label" in batch:
        return torch.nn.functional.one_hot(labels.long(), len(model.labels)).float()
    return labels.float()


def text_mask_of(batch):
    from allennlp.nn.util import get_text_field_mask

    return get_text_field_mask(batch["tokens"])


def model_channel(model, batch):
    from seal_adapters.embedders.channels import embed_channels

    with torch.no_grad():
        return embed_channels(model._text_field_embedder, model._embedder, batch["tokens"],
                              ("scorenn",))["scorenn"]


def test_gold_hinge_score_term_is_zero_once_the_prediction_outscores_gold():
    from seal_adapters.losses import CrossEntropyScoreLoss, SingleLabelSpace

    space, logits = SingleLabelSpace(), torch.tensor([[2.0, 0.0], [0.0, 2.0]], requires_grad=True)
    gold = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    score = lambda y: y[..., 1] * 5.0  # noqa: E731 (prefers label 1, against gold)
    hinge = CrossEntropyScoreLoss(score_term="gold_hinge").terms(space, logits, gold, None, score, 1.0)
    probs = torch.softmax(logits, -1)
    # Gold (label 0) scores 0; y_hat scores 5 * p1 > 0 = gold: the hinge is 0 for both rows.
    assert hinge["score"].item() == 0.0
    absolute = CrossEntropyScoreLoss().terms(space, logits, gold, None, score, 1.0)
    assert absolute["score"].item() == pytest.approx(-(5.0 * probs[:, 1]).mean().item())
    with pytest.raises(ValueError, match="score_term must be one of"):
        CrossEntropyScoreLoss(score_term="clipped")


# -- joint mode through allennlp's trainer --------------------------------------------------


def joint_trainer(model, batch_instances, vocab, tmp_path, sampler=None):
    loader = (SimpleDataLoader(batch_instances, batch_size=4, vocab=vocab) if sampler is None
              else sampler)
    parameters = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    optimizer = Optimizer.from_params(model_parameters=parameters,
                                      params=Params({"type": "adamw", "lr": 1e-2}))
    callback = AdapterScheduleCallback(str(tmp_path), mode="joint")
    return GradientDescentTrainer(model, optimizer, loader, num_epochs=1, callbacks=[callback],
                                  serialization_dir=str(tmp_path)), callback


def test_joint_mode_trains_both_sides_every_step(tiny_roberta, sentiment_data, tmp_path):
    from allennlp.data import DatasetReader, Vocabulary
    from allennlp.models import Model

    data_reader = DatasetReader.from_params(Params(reader("text", tiny_roberta)))
    instances = list(data_reader.read(sentiment_data["train"]))[:8]
    vocab = Vocabulary.from_instances(instances)
    model = Model.from_params(vocab=vocab, params=Params(
        {"type": "seal_text_classifier", "text_field_embedder": embedder(tiny_roberta)}))
    before = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    trainer, callback = joint_trainer(model, instances, vocab, tmp_path)
    metrics = trainer.train()
    moved = {side: any(not torch.equal(before[n], p) for n, p in model.named_parameters()
                       if n in before and side in n.split(".")) for side in ("tasknn", "scorenn")}
    assert moved == {"tasknn": True, "scorenn": True}
    assert callback.steps_this_epoch == {} and metrics["training_scorenn_loss"] > 0
    assert callback.current == "scorenn+tasknn"


def test_joint_mode_refuses_repeated_batches(tmp_path):
    callback = AdapterScheduleCallback(str(tmp_path), mode="joint")
    sampler = RepeatEachBatchSampler.__new__(RepeatEachBatchSampler)
    sampler.times = 2
    with pytest.raises(ConfigurationError, match="joint mode.*repeats each batch 2 times"):
        callback._check_repetition(sampler)
    with pytest.raises(ConfigurationError, match="mode must be one of"):
        AdapterScheduleCallback(str(tmp_path), mode="both")


# -- energies -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind, name, options", [
    (LabelEnergy, "feedforward", {"hidden_dims": [8, 4], "activation": "relu"}),
    (TagEnergy, "linear_chain", {}),
    (TagEnergy, "cnn", {"kernel_size": 3, "hidden_dim": 6}),
    (TagEnergy, "self_attention", {"hidden_dim": 8, "num_heads": 2}),
])
def test_energies_start_at_zero_ignore_padding_and_learn(kind, name, options):
    from allennlp.common import Lazy

    torch.manual_seed(0)
    energy = Lazy(kind, Params({"type": name, **options})).construct(num_labels=5)
    assert type(energy) is kind.by_name(name)
    if kind is LabelEnergy:
        y = torch.rand(3, 4, 5)
        assert torch.equal(energy(y), torch.zeros(3, 4))
    else:
        y = torch.rand(2, 4, 6, 5)
        mask = torch.tensor([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]]).bool()
        y = y * mask[:, None, :, None]
        assert torch.equal(energy(y, mask), torch.zeros(2, 4))
    output = energy.output if hasattr(energy, "output") else None
    with torch.no_grad():
        for parameter in energy.parameters():
            parameter.normal_()
    if kind is TagEnergy:
        # Changing tags at padded positions changes nothing.
        changed = y.clone()
        changed[0, :, 4:] = torch.rand(4, 2, 5)
        torch.testing.assert_close(energy(changed, mask), energy(y, mask))
        value = energy(y, mask)
    else:
        value = energy(y)
    assert value.shape == y.shape[:2] and value.abs().sum() > 0
    value.sum().backward()
    assert all(p.grad is not None for p in energy.parameters())
    assert output is None or output.weight.grad.abs().sum() > 0


def test_model_energy_is_a_config_change(tiny_roberta, tagging_data):
    for energy, cls_name in ((None, "LinearChainEnergy"), ({"type": "cnn"}, "TagCnnEnergy"),
                             ({"type": "self_attention"}, "TagSelfAttentionEnergy")):
        params = {"type": "seal_tagger", "text_field_embedder": embedder(tiny_roberta, mismatched=True)}
        if energy:
            params["energy"] = energy
        model, _, _ = build(reader("tagging", tiny_roberta), params, tagging_data["validation"])
        assert type(model.heads["scorenn"].energy).__name__ == cls_name
